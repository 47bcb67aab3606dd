//! AWS CDK app code (TypeScript/JavaScript, Python, Java, Go, C#) read at construct level: the
//! container images its constructs run, and the constructs it creates with their ids.
//!
//! Images: `ContainerImage.fromRegistry("…")`, `ContainerImage.fromEcrRepository(repo, tag?)`,
//! `DockerImageCode.fromEcr(repo, { tagOrDigest? })` and `Code.fromEcrImage` (both without a
//! tag mean `latest`), and string `image` properties (`image: \`${repo.repositoryUri}:latest\``).
//! A value built from a name (`fromRegistry(\`app:${TAG}\`)`) stays a variable: resolving
//! same-file constants would plug in at [`Source::string_value`].

use super::code::{Call, Source, same_name};
use std::collections::HashMap;
use std::ops::Range;

/// Whether a path names program source a CDK app may be written in.
pub(crate) fn is_code_path(path: &str) -> bool {
    const EXTENSIONS: [&str; 9] = ["ts", "mts", "js", "mjs", "cjs", "py", "java", "go", "cs"];
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

/// What a file's imports say about it: CDK code, and in which language family.
fn language(text: &str) -> Option<bool> {
    const PYTHON: [&str; 4] = [
        "import aws_cdk",
        "from aws_cdk",
        "import cdk8s",
        "from cdk8s",
    ];
    const OTHERS: [&str; 6] = [
        "aws-cdk-lib",
        "@aws-cdk/",
        "software.amazon.awscdk",
        "github.com/aws/aws-cdk-go",
        "Amazon.CDK",
        "cdk8s",
    ];
    if PYTHON.iter().any(|m| text.contains(m)) {
        Some(true)
    } else if OTHERS.iter().any(|m| text.contains(m)) {
        Some(false)
    } else {
        None
    }
}

/// A CDK file, read once for both of its readings.
pub(crate) struct CdkFile<'t> {
    source: Source<'t>,
    calls: Vec<Call>,
    python: bool,
}

/// A construct created in code: `new elbv2.ApplicationLoadBalancer(this, 'PublicLB', …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Construct {
    /// The class, without namespace (`ApplicationLoadBalancer`; Go's `NewX` is `X`).
    pub class: String,
    /// The construct id, as written (CloudFormation's logical id derives from it).
    pub id: String,
    /// 1-based line of the class name.
    pub line: u32,
}

/// An image a construct runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Image {
    /// Where it is: the enclosing construct's id, how it is named, and its repository, so an
    /// edit elsewhere in the file does not make it new and a new tag is a change of it.
    pub identity: String,
    /// The reference, with a missing tag written out as `latest`.
    pub value: String,
    /// How the code names it, in the code's own words (`fromEcrRepository without a tag`).
    pub how: String,
    /// 1-based line of the value (or of the call, for a tag left out).
    pub line: u32,
}

impl<'t> CdkFile<'t> {
    /// Reads `text` if it is CDK code (it imports the CDK); `None` otherwise.
    pub(crate) fn read(text: &'t str) -> Option<Self> {
        let python = language(text)?;
        let source = Source::new(text, python);
        let calls = source.calls();
        Some(CdkFile {
            source,
            calls,
            python,
        })
    }

    /// The construct id a call creates: its second argument, a string, after a scope name.
    fn construct_id(&self, call: &Call) -> Option<String> {
        let [scope, id, ..] = call.args.as_slice() else {
            return None;
        };
        let scope = self.source.text(scope.clone());
        let plain = !scope.is_empty()
            && scope
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        plain
            .then(|| self.source.string_value(id.clone()))
            .flatten()
    }

    /// Every construct created with a literal id.
    pub(crate) fn constructs(&self) -> Vec<Construct> {
        self.calls
            .iter()
            .filter_map(|call| {
                let id = self.construct_id(call)?;
                Some(Construct {
                    class: class_of(&call.callee)?,
                    id,
                    line: self.source.line_of(call.start),
                })
            })
            .collect()
    }

    /// Every image reference, with an identity that survives unrelated edits.
    pub(crate) fn images(&self) -> Vec<Image> {
        // (where, how the identity names it, value, how the code names it, line)
        let mut found: Vec<(usize, String, String, String, u32)> = Vec::new();
        for call in &self.calls {
            let name = method(call.name());
            let chain = &call.callee;
            let image = if same_name(name, "fromRegistry") && chain.contains("ContainerImage") {
                self.registry(call)
            } else if same_name(name, "fromEcrRepository") {
                self.ecr(call, &["tag"], false)
            } else if (same_name(name, "fromEcr") && chain.contains("DockerImageCode"))
                || same_name(name, "fromEcrImage")
            {
                self.ecr(call, &["tagOrDigest", "tag"], true)
            } else {
                None
            };
            if let Some((value, how, line)) = image {
                found.push((call.start, name.to_string(), value, how, line));
            }
        }
        for (at, value) in self.source.keyed(0..self.source.len(), &["image"]) {
            if let Some(text) = self.source.string_value(value.clone()) {
                let key = self.source.text(at..at + "image".len()).to_string();
                let line = self.source.line_of(value.start);
                found.push((at, key.clone(), text, key, line));
            }
        }
        let scopes = self.scopes();
        let mut seen: HashMap<String, usize> = HashMap::new();
        found
            .into_iter()
            .map(|(at, named, value, how, line)| {
                let scope = scopes
                    .iter()
                    .filter(|(inside, _)| inside.contains(&at))
                    .max_by_key(|(inside, _)| inside.start)
                    .map_or("", |(_, id)| id.as_str());
                let mut identity = format!("{scope} {named} {}", repository(&value));
                let n = seen.entry(identity.clone()).or_default();
                *n += 1;
                if *n > 1 {
                    identity.push_str(&format!(" #{n}"));
                }
                Image {
                    identity,
                    value,
                    how,
                    line,
                }
            })
            .collect()
    }

    /// The argument ranges of construct calls and `addContainer("name", …)`, with their ids.
    fn scopes(&self) -> Vec<(Range<usize>, String)> {
        self.calls
            .iter()
            .filter_map(|call| {
                let id = self.construct_id(call).or_else(|| {
                    let first = call.args.first()?.clone();
                    same_name(call.name(), "addContainer")
                        .then(|| self.source.string_value(first))
                        .flatten()
                })?;
                Some((call.inside.clone(), id))
            })
            .collect()
    }

    /// `ContainerImage.fromRegistry("…")`: its first argument.
    fn registry(&self, call: &Call) -> Option<(String, String, u32)> {
        let first = call.args.first()?.clone();
        let value = self.source.string_value(first.clone())?;
        let how = method(call.name()).to_string();
        Some((value, how, self.source.line_of(first.start)))
    }

    /// `fromEcrRepository(repo, tag?)` (`options` false) or `fromEcr(repo, { tagOrDigest? })`
    /// (`options` true): the repository with its tag, `latest` when none is given. Options the
    /// code does not spell out (a variable) leave the tag unknown.
    fn ecr(&self, call: &Call, tag_keys: &[&str], options: bool) -> Option<(String, String, u32)> {
        let src = &self.source;
        let mut positional = Vec::new();
        let mut tag = None;
        for arg in &call.args {
            match src.keyword_arg(arg.clone()).filter(|_| self.python) {
                Some((name, value)) if tag_keys.iter().any(|k| same_name(k, name)) => {
                    tag = Some(value)
                }
                Some((name, value)) if same_name(name, "repository") => positional.insert(0, value),
                Some(_) => {}
                None => positional.push(arg.clone()),
            }
        }
        let repo = positional.first()?.clone();
        for extra in positional.iter().skip(1) {
            if !options {
                tag = tag.or(Some(extra.clone()));
            } else if src.is_options_literal(extra.clone()) {
                let keyed = src.keyed(extra.clone(), tag_keys);
                tag = tag.or(keyed.into_iter().next().map(|(_, value)| value));
            } else {
                return None;
            }
        }
        let repo_text = src.text(repo.clone());
        let repo_name = if repo_text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.".contains(c))
        {
            repo_text
        } else {
            "repository"
        };
        let null =
            |r: &Range<usize>| ["undefined", "None", "nil", "null"].contains(&src.text(r.clone()));
        match tag.filter(|t| !null(t)) {
            None => Some((
                format!("{repo_name}:latest"),
                format!("{} without a tag", method(call.name())),
                src.line_of(call.start),
            )),
            Some(t) => {
                let line = src.line_of(t.start);
                let tag = src
                    .string_value(t.clone())
                    .unwrap_or_else(|| format!("${{{}}}", src.text(t)));
                let how = method(call.name()).to_string();
                Some((format!("{repo_name}:{tag}"), how, line))
            }
        }
    }
}

/// A method's own name: Go's `ContainerImage_FromRegistry` is `FromRegistry` (Python's
/// `from_registry` stays as it is).
fn method(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((ty, m))
            if ty.starts_with(char::is_uppercase) && m.starts_with(char::is_uppercase) =>
        {
            m
        }
        _ => name,
    }
}

/// The class a constructor call names: the callee's last segment (`new elbv2.X(` is `X`), the
/// segment before `Builder.create` (Java), or Go's `NewX` as `X`. Lower-case names (plain
/// functions and methods) are not classes.
fn class_of(callee: &str) -> Option<String> {
    let segments: Vec<&str> = callee.split('.').collect();
    let class = match segments.as_slice() {
        [.., class, "Builder", "create"] => class,
        [.., last] => last
            .strip_prefix("New")
            .filter(|c| c.starts_with(char::is_uppercase))
            .unwrap_or(last),
        [] => return None,
    };
    class
        .starts_with(char::is_uppercase)
        .then(|| class.to_string())
}

/// An image reference without its tag or digest.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rfind('/').map_or(0, |i| i + 1);
    match image[last..].rfind(':') {
        Some(colon) if !image[last + colon..].contains('}') => &image[..last + colon],
        _ => image,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(text: &str) -> Vec<(String, String, u32)> {
        CdkFile::read(text)
            .map(|f| f.images())
            .unwrap_or_default()
            .into_iter()
            .map(|i| (i.value, i.how, i.line))
            .collect()
    }

    #[test]
    fn only_cdk_code_is_read() {
        assert!(images("const i = ecs.ContainerImage.fromRegistry('nginx');\n").is_empty());
    }

    #[test]
    fn images_in_every_shape() {
        let ts = r#"import * as ecs from 'aws-cdk-lib/aws-ecs';
task.addContainer('web', {
  image: ecs.ContainerImage.fromRegistry(
    'nginx:latest'),
});
const a = ecs.ContainerImage.fromEcrRepository(repo);
const b = ecs.ContainerImage.fromEcrRepository(repo, 'v1.2.3');
const c = lambda.DockerImageCode.fromEcr(repo, {
  cmd: ['app.handler'],
});
const d = lambda.DockerImageCode.fromEcr(repo, props);
const e = cdk.DockerImage.fromRegistry('node:20');
new batch.CfnJobDefinition(this, 'Job', { type: 'container', containerProperties: { image: `${ecrRepository.repositoryUri}:latest` } });
"#;
        assert_eq!(
            images(ts),
            vec![
                ("nginx:latest".into(), "fromRegistry".into(), 4),
                (
                    "repo:latest".into(),
                    "fromEcrRepository without a tag".into(),
                    6
                ),
                ("repo:v1.2.3".into(), "fromEcrRepository".into(), 7),
                ("repo:latest".into(), "fromEcr without a tag".into(), 8),
                (
                    "${ecrRepository.repositoryUri}:latest".into(),
                    "image".into(),
                    13
                ),
            ]
        );
        let py = r#"from aws_cdk import aws_ecs as ecs
image = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")
img = ecs.ContainerImage.from_ecr_repository(repository=repo, tag="latest")
code = _lambda.DockerImageCode.from_ecr(repo, tag_or_digest="v2")
"#;
        assert_eq!(
            images(py),
            vec![
                ("amazon/amazon-ecs-sample".into(), "from_registry".into(), 2),
                ("repo:latest".into(), "from_ecr_repository".into(), 3),
                ("repo:v2".into(), "from_ecr".into(), 4),
            ]
        );
        let go = "import \"github.com/aws/aws-cdk-go/awscdk/v2/awsecs\"\nImage: ecs.ContainerImage_FromRegistry(jsii.String(\"amazon/amazon-ecs-sample\"), &ecs.RepositoryImageProps{}),\n";
        assert_eq!(images(go)[0].0, "amazon/amazon-ecs-sample");
    }

    #[test]
    fn identities_follow_the_enclosing_construct() {
        let base = "import 'aws-cdk-lib';\nnew X(this, 'Svc', { image: ContainerImage.fromRegistry('app:1.0') });\n";
        let head = "import 'aws-cdk-lib';\nnew Y(this, 'Other', {});\nnew X(this, 'Svc', {\n  cluster: new C(this, 'Cluster'),\n  image: ContainerImage.fromRegistry('app:latest') });\n";
        let id = |t: &str| CdkFile::read(t).unwrap().images()[0].identity.clone();
        assert_eq!(id(base), id(head));
        assert_eq!(id(base), "Svc fromRegistry app");
        let tagged = "import 'aws-cdk-lib';\nContainerImage.fromEcrRepository(repo, '1.0');\n";
        let untagged = "import 'aws-cdk-lib';\nContainerImage.fromEcrRepository(repo);\n";
        assert_eq!(id(tagged), id(untagged));
    }

    #[test]
    fn constructs_in_every_language() {
        let read = |t: &str| {
            CdkFile::read(t)
                .unwrap()
                .constructs()
                .into_iter()
                .map(|c| (c.class, c.id, c.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read(
                "import 'aws-cdk-lib';\nconst lb = new elbv2.ApplicationLoadBalancer(this, 'PublicLB', { vpc });\n"
            ),
            vec![("ApplicationLoadBalancer".into(), "PublicLB".into(), 2)]
        );
        assert_eq!(
            read(
                "from aws_cdk import Stack\nlb = elbv2.NetworkLoadBalancer(self, \"Nlb\", vpc=vpc)\nx = make(self, 'y')\n"
            ),
            vec![("NetworkLoadBalancer".into(), "Nlb".into(), 2)]
        );
        assert_eq!(
            read("import software.amazon.awscdk.Stack;\nApplicationLoadBalancer.Builder.create(this, \"Alb\").build();\n")[0].0,
            "ApplicationLoadBalancer"
        );
        assert_eq!(
            read(
                "import \"github.com/aws/aws-cdk-go/awscdk/v2\"\nawselbv2.NewApplicationLoadBalancer(stack, jsii.String(\"Alb\"), &props)\n"
            )[0],
            ("ApplicationLoadBalancer".into(), "Alb".into(), 2)
        );
    }

    #[test]
    fn repositories_drop_tags_not_ports() {
        assert_eq!(repository("registry:5000/app:1.2"), "registry:5000/app");
        assert_eq!(repository("${repo.uri}:latest"), "${repo.uri}");
        assert_eq!(repository("app@sha256:ab"), "app");
        assert_eq!(repository("nginx"), "nginx");
    }
}
