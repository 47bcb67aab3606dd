//! What a path is, from its name alone: the one place that says which files deploy (manifests,
//! infrastructure as code, Dockerfiles, compose files, Helm charts, application configuration,
//! CI workflows, built artifacts), which are source, scripts, build tooling, prose or media,
//! and which sit out of the way (tests, vendored code, developer-only setups, documentation).
//!
//! It decides, for the gate: which files are text whatever bytes they hold (their type is a
//! text format the rules read), which unread files keep a verdict from being "clear" (those
//! that deploy), and which findings are capped as prose. Names are matched case-insensitively:
//! a change names its own files, and `Deployment.YAML` or `DOCKERFILE` is still what it is.
//!
//! The classification is data: the tables below, by file name, name prefix or suffix,
//! extension and folder. Extend them rather than the code.

/// What kind of file a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A CI/CD workflow: GitHub Actions, GitLab CI, CircleCI, Azure Pipelines, Jenkins…
    Workflow,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// A Docker Compose file.
    Compose,
    /// A Helm chart's files: `Chart.yaml`, values files, templates.
    Helm,
    /// Infrastructure as code: Terraform, CloudFormation, SAM, Serverless, CDK, Bicep, Kustomize.
    Iac,
    /// Any other YAML document: Kubernetes manifests and other deploy descriptors.
    Manifest,
    /// Application configuration: `.env` files, JSON, TOML, INI, properties, XML, conf.
    AppConfig,
    /// A built archive or binary that deploys as it is: zip, jar, war, wheels, tarballs.
    Artifact,
    /// A shell or build script.
    Script,
    /// Program source, stylesheets and web templates.
    Source,
    /// Build, editor and dependency tooling (lock files, `tsconfig.json`): not deployed.
    Tooling,
    /// Documentation formats (Markdown, reStructuredText, AsciiDoc).
    Prose,
    /// Images, fonts, audio, video and office documents.
    Media,
    /// Anything else.
    Other,
}

/// Where a path sits, which can put it out of the way whatever its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Somewhere that ships.
    Main,
    /// Documentation folders (`docs/`, `doc/`).
    Docs,
    /// Tests and their fixtures.
    Test,
    /// Code of other projects kept in the repository (`vendor/`, `node_modules/`…), and code
    /// produced by tools (minified, bundled, generated).
    Vendored,
    /// Developer-only setups: editor settings, dev containers, Docker Desktop dev environments
    /// (`.docker/`), `dev/` and `local/` setups, build wrappers, and development variants of a
    /// file (`compose.dev.yml`, `.env.local`). `docker-compose.override.yml` is not one: `docker
    /// compose up` applies it wherever it runs, and installers tell users to put production
    /// settings there.
    DevOnly,
}

/// What a path is: its kind, where it sits, and whether it is prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathClass {
    /// The kind of file.
    pub(crate) kind: Kind,
    /// Where it sits (the most out-of-the-way folder on its path wins).
    pub(crate) placement: Placement,
    /// Documentation: a prose format, or anything under a `docs`/`doc` folder.
    pub(crate) prose: bool,
}

/// File names (lower case) of a known kind.
#[rustfmt::skip]
const NAMES: &[(&[&str], Kind)] = &[
    (&["dockerfile", "containerfile"], Kind::Dockerfile),
    (&["docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"], Kind::Compose),
    (&[
        ".gitlab-ci.yml", ".gitlab-ci.yaml", "azure-pipelines.yml", "azure-pipelines.yaml",
        "bitbucket-pipelines.yml", "jenkinsfile", ".travis.yml", ".drone.yml", "appveyor.yml",
        "cloudbuild.yaml", "cloudbuild.yml", "buildspec.yml", "buildspec.yaml",
    ], Kind::Workflow),
    (&["chart.yaml"], Kind::Helm),
    (&[
        "serverless.yml", "serverless.yaml", "template.yaml", "template.yml", "samconfig.toml",
        "cdk.json", "kustomization.yaml", "kustomization.yml", "pulumi.yaml", "skaffold.yaml",
        "fly.toml",
    ], Kind::Iac),
    (&["procfile", ".env"], Kind::AppConfig),
    (&["makefile", "justfile", "rakefile", "gradlew", "mvnw"], Kind::Script),
    (&[
        "package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml",
        "composer.json", "cargo.toml", "pyproject.toml", "go.mod", "go.sum", "gemfile", "pipfile",
        "requirements.txt", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".golangci.yml",
        ".golangci.yaml", "mkdocs.yml", "codecov.yml", "renovate.json", "turbo.json", "nx.json",
        "angular.json", "lerna.json", "biome.json", ".editorconfig", ".gitattributes",
        ".gitignore", ".dockerignore", ".npmrc", ".nvmrc", ".tool-versions",
    ], Kind::Tooling),
];

/// File-name prefixes (lower case) of a known kind, with the extensions they need (empty: any).
const PREFIXES: &[(&str, &[&str], Kind)] = &[
    ("dockerfile.", &[], Kind::Dockerfile),
    ("containerfile.", &[], Kind::Dockerfile),
    ("docker-compose", YAML, Kind::Compose),
    ("compose.", YAML, Kind::Compose),
    ("values", YAML, Kind::Helm),
    (".env.", &[], Kind::AppConfig),
    ("tsconfig", &["json"], Kind::Tooling),
    ("jsconfig", &["json"], Kind::Tooling),
    (".eslintrc", &[], Kind::Tooling),
    (".prettierrc", &[], Kind::Tooling),
    (".stylelintrc", &[], Kind::Tooling),
    (".babelrc", &[], Kind::Tooling),
];

/// File-name suffixes (lower case) of a known kind.
const SUFFIXES: &[(&[&str], Kind)] = &[
    (&[".dockerfile", ".containerfile"], Kind::Dockerfile),
    (
        &[".tf.json", ".cfn.json", ".cfn.yaml", ".cfn.yml"],
        Kind::Iac,
    ),
];

const YAML: &[&str] = &["yaml", "yml"];

/// Extensions (lower case, without the dot) of a known kind.
#[rustfmt::skip]
const EXTENSIONS: &[(&[&str], Kind)] = &[
    (&["tf", "tfvars", "hcl", "bicep", "template", "nomad"], Kind::Iac),
    (YAML, Kind::Manifest),
    (&[
        "env", "json", "json5", "toml", "ini", "conf", "cfg", "cnf", "properties", "config", "xml",
    ], Kind::AppConfig),
    (&[
        "zip", "jar", "war", "ear", "whl", "egg", "tar", "tgz", "gz", "bz2", "xz", "zst", "7z",
        "nupkg", "deb", "rpm", "apk", "wasm", "so", "dll", "exe",
    ], Kind::Artifact),
    (&["sh", "bash", "zsh", "fish", "ksh", "ps1", "psm1", "bat", "cmd"], Kind::Script),
    (&[
        "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "py", "pyw", "rb", "go", "java",
        "kt", "kts", "scala", "groovy", "gradle", "rs", "php", "cs", "fs", "vb", "swift", "m",
        "mm", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "lua", "pl", "pm", "r", "ex", "exs",
        "erl", "hrl", "clj", "cljs", "dart", "elm", "hs", "ml", "vue", "svelte", "astro", "html",
        "htm", "css", "scss", "sass", "less", "styl", "sql", "graphql", "gql", "proto", "tpl",
        "tmpl", "gotmpl", "j2", "jinja", "jinja2", "erb", "ejs", "hbs", "mustache", "twig",
        "liquid", "njk", "pug", "haml", "slim",
    ], Kind::Source),
    (&["lock", "csproj", "fsproj", "vbproj", "sln", "props", "targets"], Kind::Tooling),
    (&["md", "markdown", "mdx", "rst", "adoc", "asciidoc"], Kind::Prose),
    (&[
        "png", "jpg", "jpeg", "gif", "webp", "bmp", "ico", "icns", "tif", "tiff", "psd", "svg",
        "heic", "avif", "mp3", "mp4", "m4a", "wav", "ogg", "flac", "webm", "mov", "avi", "mkv",
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "woff", "woff2",
        "ttf", "otf", "eot",
    ], Kind::Media),
];

/// Folder names (lower case) that put everything under them out of the way, by placement;
/// the first that matches wins.
#[rustfmt::skip]
const FOLDERS: &[(&[&str], Placement)] = &[
    (&[
        "vendor", "vendors", "node_modules", "third_party", "third-party", "thirdparty",
        "bower_components", ".yarn", "site-packages",
    ], Placement::Vendored),
    (&["docs", "doc"], Placement::Docs),
    (&[
        "test", "tests", "__tests__", "spec", "specs", "testdata", "test-data", "test_data",
        "fixtures", "__fixtures__", "__mocks__", "e2e",
    ], Placement::Test),
    (&[".devcontainer", ".vscode", ".idea", ".fleet", ".docker", "dev", "local"], Placement::DevOnly),
];

/// Name parts that mark a variant of a file for local development or tests: `compose.dev.yml`,
/// `settings.local.yaml`, `app.test.yml`, `.env.development`.
const DEV_QUALIFIERS: &[&str] = &[
    "dev",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "e2e",
    "debug",
];

/// Pieces of a file name (lower case) that mark a test.
const TEST_NAME_PARTS: &[&str] = &[".test.", ".spec.", "_test.", "_spec.", "-test.", "-spec."];

/// Extensions whose `…Test`/`…Tests` file names are tests (`FooTest.java`).
const TEST_CLASS_EXTENSIONS: &[&str] = &["java", "kt", "scala", "groovy", "cs", "swift"];

/// Files produced by tools rather than written by the team (minified, bundled, generated
/// code), by file-name suffix: out of the way like vendored code.
const GENERATED_SUFFIXES: &[&str] = &[
    ".min.js",
    ".min.mjs",
    ".min.css",
    ".bundle.js",
    ".js.map",
    ".css.map",
    ".pb.go",
    "_pb2.py",
    "_pb2_grpc.py",
    ".pb.ts",
    "_pb.js",
    ".g.dart",
    ".designer.cs",
];

/// Build-tool wrappers kept in a repository, by file-name suffix: not deployed.
const WRAPPER_SUFFIXES: &[&str] = &["-wrapper.jar", "-wrapper.properties"];

impl PathClass {
    /// Classifies a repository-relative path (`/` separators), whatever its case.
    pub(crate) fn of(path: &str) -> PathClass {
        let lower = path.to_lowercase();
        let (dirs, name) = match lower.rsplit_once('/') {
            Some((dirs, name)) => (dirs, name),
            None => ("", lower.as_str()),
        };
        let folders: Vec<&str> = dirs.split('/').filter(|d| !d.is_empty()).collect();
        let kind = kind_of(&folders, name);
        let placement = placement_of(&folders, name, kind);
        PathClass {
            kind,
            placement,
            prose: kind == Kind::Prose || folders.iter().any(|d| matches!(*d, "docs" | "doc")),
        }
    }

    /// Whether the file deploys: a workflow, Dockerfile, compose file, Helm chart file,
    /// infrastructure as code, manifest, application configuration or artifact, not under a
    /// test, vendored, developer-only or documentation folder.
    pub(crate) fn deploys(self) -> bool {
        self.placement == Placement::Main
            && !self.prose
            && matches!(
                self.kind,
                Kind::Workflow
                    | Kind::Dockerfile
                    | Kind::Compose
                    | Kind::Helm
                    | Kind::Iac
                    | Kind::Manifest
                    | Kind::AppConfig
                    | Kind::Artifact
            )
    }

    /// Whether the file's type is a text format the rules read, so it is judged as text
    /// whatever bytes it holds (a NUL byte does not make a `.js` file binary).
    pub(crate) fn is_text_format(self) -> bool {
        !matches!(self.kind, Kind::Artifact | Kind::Media | Kind::Other)
    }

    /// Whether the file is out of the way: tests, vendored code, developer-only setups.
    pub(crate) fn out_of_the_way(self) -> bool {
        matches!(
            self.placement,
            Placement::Test | Placement::Vendored | Placement::DevOnly
        )
    }
}

/// The kind a file named `name` (lower case) under `folders` is.
fn kind_of(folders: &[&str], name: &str) -> Kind {
    let ext = name.rsplit_once('.').map_or("", |(stem, ext)| match stem {
        "" => "",
        _ => ext,
    });
    let yaml = YAML.contains(&ext);
    let under = |folder: &str| folders.contains(&folder);
    if let Some((_, kind)) = NAMES.iter().find(|(names, _)| names.contains(&name)) {
        return *kind;
    }
    let prefixed = PREFIXES.iter().find(|(prefix, exts, _)| {
        name.starts_with(prefix) && (exts.is_empty() || exts.contains(&ext))
    });
    if let Some((_, _, kind)) = prefixed {
        return *kind;
    }
    let suffixed = SUFFIXES
        .iter()
        .find(|(suffixes, _)| suffixes.iter().any(|s| name.ends_with(s)));
    if let Some((_, kind)) = suffixed {
        return *kind;
    }
    if yaml && under(".github") {
        return match under("workflows") || under("actions") || name.starts_with("action.") {
            true => Kind::Workflow,
            false => Kind::Tooling,
        };
    }
    if yaml && (under(".circleci") || under(".buildkite") || under(".gitlab")) {
        return Kind::Workflow;
    }
    if (yaml || ext == "tpl") && under("templates") {
        return Kind::Helm;
    }
    if under(".ebextensions") {
        return Kind::Iac;
    }
    EXTENSIONS
        .iter()
        .find(|(exts, _)| exts.contains(&ext))
        .map_or(Kind::Other, |(_, kind)| *kind)
}

/// Where a file named `name` (lower case) of `kind` under `folders` sits.
fn placement_of(folders: &[&str], name: &str, kind: Kind) -> Placement {
    for (names, placement) in FOLDERS {
        if folders.iter().any(|d| names.contains(d)) {
            return *placement;
        }
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let test_name = TEST_NAME_PARTS.iter().any(|part| name.contains(part))
        || (name.starts_with("test_") && kind == Kind::Source)
        || (TEST_CLASS_EXTENSIONS.contains(&ext)
            && (stem.ends_with("test") || stem.ends_with("tests")));
    if test_name {
        Placement::Test
    } else if GENERATED_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        Placement::Vendored
    } else if WRAPPER_SUFFIXES.iter().any(|s| name.ends_with(s)) || is_dev_variant(name) {
        Placement::DevOnly
    } else {
        Placement::Main
    }
}

/// Whether a file name (lower case) names a development variant: a qualifier between its stem
/// and its extension (`compose.dev.yml`, `.env.local`), or, for compose files, also after a
/// dash (`docker-compose-dev.yml`) and the CI variant (`docker-compose.ci.yml`).
fn is_dev_variant(name: &str) -> bool {
    let dotted: Vec<&str> = name.split('.').collect();
    let env_file = dotted.first() == Some(&"") && dotted.get(1) == Some(&"env");
    let (qualifiers, compose) = if env_file {
        (&dotted[2..], false)
    } else if dotted.len() > 2 {
        (&dotted[1..dotted.len() - 1], name.contains("compose"))
    } else {
        (&[][..], name.contains("compose"))
    };
    if qualifiers.iter().any(|q| DEV_QUALIFIERS.contains(q)) {
        return true;
    }
    compose && {
        let stem = dotted[..dotted.len().saturating_sub(1)].join(".");
        stem.split(['.', '-', '_'])
            .skip(1)
            .any(|q| DEV_QUALIFIERS.contains(&q) || q == "ci")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name_extension_and_folder_whatever_the_case() {
        for (path, kind) in [
            ("Dockerfile", Kind::Dockerfile),
            ("svc/DOCKERFILE", Kind::Dockerfile),
            ("Dockerfile.prod", Kind::Dockerfile),
            ("api.Dockerfile", Kind::Dockerfile),
            ("Docker-Compose.YML", Kind::Compose),
            ("compose.prod.yaml", Kind::Compose),
            (".github/workflows/ci.yml", Kind::Workflow),
            (".GitHub/Workflows/CI.YAML", Kind::Workflow),
            (".github/dependabot.yml", Kind::Tooling),
            (".gitlab-ci.yml", Kind::Workflow),
            ("charts/app/templates/deployment.yaml", Kind::Helm),
            ("charts/app/values-prod.yaml", Kind::Helm),
            ("k8s/Deployment.YAML", Kind::Manifest),
            ("infra/main.TF", Kind::Iac),
            ("stack.template", Kind::Iac),
            ("config/.env.production", Kind::AppConfig),
            ("appsettings.json", Kind::AppConfig),
            ("tsconfig.app.json", Kind::Tooling),
            ("App.JS", Kind::Source),
            ("deploy.sh", Kind::Script),
            ("lambda.zip", Kind::Artifact),
            ("logo.PNG", Kind::Media),
            ("README.md", Kind::Prose),
            ("LICENSE", Kind::Other),
            (".bashrc", Kind::Other),
        ] {
            assert_eq!(PathClass::of(path).kind, kind, "{path}");
        }
    }

    #[test]
    fn what_deploys_and_what_is_out_of_the_way() {
        for (path, deploys) in [
            ("k8s/deployment.yaml", true),
            ("Dockerfile", true),
            ("build/lambda.zip", true),
            ("src/server.js", false),
            ("tests/fixtures/deployment.yaml", false),
            ("vendor/x/Dockerfile", false),
            ("Docs/setup.yaml", false),
            (".devcontainer/docker-compose.yml", false),
            ("gradle/wrapper/gradle-wrapper.jar", false),
            ("web/app.test.js", false),
            ("public/js/jquery.min.js", false),
            ("api/v1/service.pb.go", false),
        ] {
            assert_eq!(PathClass::of(path).deploys(), deploys, "{path}");
        }
        assert!(PathClass::of("Test/app.yaml").out_of_the_way());
        assert!(PathClass::of("src/FooTest.java").out_of_the_way());
        assert!(!PathClass::of("k8s/latest.yaml").out_of_the_way());
        assert!(PathClass::of("docs/a.txt").prose && PathClass::of("A.MD").prose);
    }

    #[test]
    fn development_files_and_folders_are_out_of_the_way() {
        let dev = [
            "compose.dev.yml",
            "deploy/docker-compose.local.yml",
            "docker-compose-dev.yml",
            "docker-compose.ci.yml",
            "compose.tests.yaml",
            "nginx-proxy/.docker/docker-compose.yaml",
            ".devcontainer/docker-compose.yml",
            "dev/k8s/api.yaml",
            "local/compose.yaml",
            "config/app.test.yml",
            ".env.local",
            "web/.env.development",
            "docker-compose.test.override.yml",
        ];
        let deployed = [
            "docker-compose.yml",
            "docker-compose.override.yml",
            "docker-compose.prod.yml",
            "k8s/devops/api.yaml",
            "k8s/overlays/production/api.yaml",
            ".env",
            ".env.production",
            ".github/workflows/ci.yml",
            "test.yml",
            "values-dev-tools.yaml",
            "localstack.yaml",
        ];
        for path in dev {
            assert!(
                PathClass::of(path).out_of_the_way(),
                "{path} is for local development"
            );
        }
        for path in deployed {
            assert!(!PathClass::of(path).out_of_the_way(), "{path} is deployed");
        }
    }

    #[test]
    fn text_formats_are_those_the_rules_read() {
        for path in ["a.js", "a.yaml", ".env", "Dockerfile", "main.tf", "x.md"] {
            assert!(PathClass::of(path).is_text_format(), "{path}");
        }
        for path in ["a.png", "a.zip", "data.bin", "LICENSE"] {
            assert!(!PathClass::of(path).is_text_format(), "{path}");
        }
    }
}
