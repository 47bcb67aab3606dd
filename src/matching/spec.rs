//! The structured matchers as a rule writes them (`[rule.query]`, `[rule.dockerfile]`,
//! `[rule.terraform]`, `[rule.cdk_image]`, `[rule.cdk_construct]`), before compilation. Part of the rule language's TOML; they live here,
//! beside the matchers they configure, so matching needs nothing from the rule language.

use super::image::ImageClass;
use serde::Deserialize;
use toml::Spanned;

/// Which base-versus-head relation a structured match must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The value is new or different in head and satisfies `is` (the default).
    #[default]
    Added,
    /// The value exists in base (satisfying `is`) and its path is gone from head.
    Removed,
    /// The value exists on both sides, differs, satisfies `is` in head and `was` in base.
    Changed,
    /// Any value in head satisfying `is`, changed or not (for files in the change).
    Any,
}

/// A condition on one value reached by a structured matcher. All given conditions must hold.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredicateSpec {
    /// Regex on the scalar's text.
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
    /// The scalar is an image reference of one of these classes.
    #[serde(default)]
    pub image: Vec<ImageClass>,
    /// `false`: the value must be a literal (no `!Ref`/`!GetAtt`-style tag, no `Ref`/`Fn::`
    /// function); `true`: must be tagged or computed from functions.
    pub tagged: Option<bool>,
    /// `"SubQuery=VALUE"`: no scalar reached by SubQuery from this node equals VALUE
    /// (case-insensitive; `*` = any value, so the sub-path is missing).
    #[schemars(with = "Option<String>")]
    pub absent: Option<Spanned<String>>,
    /// `"SubQuery=VALUE"`: some scalar reached by SubQuery equals VALUE (`*` = exists).
    #[schemars(with = "Option<String>")]
    pub present: Option<Spanned<String>>,
}

/// Declares the TOML table of a structured matcher that compares values across a file's two
/// sides: its own keys, then the relation every such matcher states (`change`, `is`, `was`),
/// with unknown keys refused. (serde cannot flatten a shared struct into it: unknown keys would
/// pass, and spans would be lost.)
macro_rules! compared_values {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$field_meta:meta])* $field:ident: $type:ty,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $type,)*
            /// The base-versus-head relation required.
            #[serde(default)]
            pub change: Change,
            /// What the value must be (in head; in base for `removed`).
            #[serde(default)]
            pub is: PredicateSpec,
            /// With `change = "changed"`: what the base value must have been. With `added`: what
            /// a replaced base value must have been (new values always qualify), so a plain rule
            /// can leave e.g. pinned → mutable replacements to a `changed` rule.
            pub was: Option<PredicateSpec>,
        }
    };
}

compared_values! {
    /// `[rule.query]`: a key-path query over YAML or JSON (JSON is read as YAML).
    QuerySpec {
        /// The key path; alternatives separated by ` | `.
        #[schemars(with = "String")]
        path: Spanned<String>,
    }
}

compared_values! {
    /// `[rule.dockerfile]`: instructions of a Dockerfile (`FROM` images with `ARG` defaults
    /// resolved, stage aliases and `scratch` left out; `ENV`/`ARG`/`LABEL` keys and values). For
    /// `FROM`, the value is the image.
    DockerfileSpec {
        /// `FROM`, `ENV`, `ARG` or `LABEL`.
        #[schemars(with = "String")]
        instruction: Spanned<String>,
        /// Regex on the `ENV`/`ARG`/`LABEL` key.
        #[schemars(with = "Option<String>")]
        key: Option<Spanned<String>>,
    }
}

compared_values! {
    /// `[rule.cdk_image]`: the images AWS CDK code runs (`ContainerImage.fromRegistry`,
    /// `fromEcrRepository` and `DockerImageCode.fromEcr`, where no tag means `latest`, and
    /// string `image` properties), each identified by its enclosing construct.
    CdkImageSpec {}
}

/// `[rule.cdk_construct]`: an AWS CDK construct of a matching class whose id is in base and in
/// no changed head file of the change: the resources it made will be deleted or replaced.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CdkConstructSpec {
    /// Regex on the construct's class, e.g. `^(?:Application|Network)LoadBalancer$`.
    #[serde(rename = "class")]
    #[schemars(with = "String")]
    pub class_name: Spanned<String>,
}

/// `[rule.terraform]`: a `resource` block of a matching type whose address is in base and in
/// no changed head file (and not the `from` of a `moved` block): the resource will be destroyed.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformSpec {
    /// Regex on the resource type, e.g. `^aws_(lb|alb|elb)$`.
    #[schemars(with = "String")]
    pub resource: Spanned<String>,
}

/// A structured matcher as written in a rule, before compilation.
#[derive(Debug, Clone)]
pub(crate) enum StructureSpec {
    /// `[rule.query]`.
    Query(QuerySpec),
    /// `[rule.dockerfile]`.
    Dockerfile(DockerfileSpec),
    /// `[rule.terraform]`.
    Terraform(TerraformSpec),
    /// `[rule.cdk_image]`.
    CdkImage(CdkImageSpec),
    /// `[rule.cdk_construct]`.
    CdkConstruct(CdkConstructSpec),
}
