//! Matchers beyond single lines: structured documents (YAML/JSON), Dockerfiles, Terraform
//! blocks, image references and whole-tree path checks. The engine calls them; the rule
//! language compiles into them.

pub mod doc;
pub mod dockerfile;
pub mod image;
pub mod paths;
pub mod query;
pub mod structured;
pub mod terraform;
