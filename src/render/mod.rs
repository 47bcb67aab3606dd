//! Renders: a `[[render]]` entry's command run in clean checkouts of the base and head commits
//! (never in the user's working tree), its output read as rendered objects, and the two sides
//! compared into a change of rendered objects that the engine judges like source. Which
//! renders run, and what their findings become, is the gate's business.

mod checkout;
mod command;
mod objects;
mod sides;

pub(crate) use command::Failure;
pub(crate) use sides::{ObjectChange, RenderedChange, compare, render};
