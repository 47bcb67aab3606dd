//! Where a value that a rewritten line used is set: a variable default, a tfvars line, a values
//! file's key, `Chart.yaml`'s `appVersion`. A change to that line is where a finding lands.

/// Where a value is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// What the line reads it as (`var.image_tag`, `.Values.image.tag`, `env.IMAGE_TAG`).
    pub name: String,
    /// The file that sets it.
    pub path: String,
    /// 1-based line of the assignment.
    pub line: u32,
}
