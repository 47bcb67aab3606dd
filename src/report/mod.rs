//! Reports: the outcome of one run ([`Report`]) and the printers that render it in each format.

mod escape;
mod fingerprint;
mod github;
mod gitlab;
mod human;
pub mod job_summary;
mod json;
mod junit;
mod markdown;
mod outcome;
mod rule_meta;
mod sarif;

pub use github::Github;
pub use gitlab::Gitlab;
pub use human::Human;
pub use json::Json;
pub use junit::Junit;
pub use markdown::{Markdown, SourceLinks};
pub use outcome::{JudgedPlan, Render, Report, Summary, Verdict};
pub use rule_meta::RuleMeta;
pub use sarif::Sarif;
