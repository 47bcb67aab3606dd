//! Plans: what Terraform / OpenTofu and CloudFormation say they *will do*, judged before they do
//! it. Source files say what a team meant; a plan says what the tool will delete, replace and run.
//!
//! [`read`] parses and validates one plan document (`terraform show -json` output, or the JSON
//! of `aws cloudformation describe-change-set`, or an array of change sets for nested stacks);
//! [`judge`] turns it into [`PlanFinding`]s: traffic-carrying and stateful resources deleted or
//! replaced, mutable images about to run, CORS opened to every origin. This layer is pure: it
//! reads no files and knows nothing of the report; the caller attaches `"origin": "plan"`.

mod cloudformation;
mod declarations;
mod document;
mod families;
mod input;
mod model;
mod scan;
mod terraform;

pub use declarations::{Declaration, Declarations, may_be_template};
pub use document::{Plan, judge, read};
pub use families::{PlanRule, is_load_balancer, rules};
pub use model::{
    MAX_PLAN_BYTES, NoContext, PlanAction, PlanContext, PlanError, PlanFinding, PlanKind,
    parse_plan_arg,
};
