//! `[[render]]` entries: commands that render deployable configuration (`kubectl kustomize`,
//! `helm template`, `cdk synth`, Jsonnet) so the gate can judge what they produce at base and
//! at head. They run the repository's commands, so they are trusted only from the
//! configuration the trust model picks (the base for ranges, or `--config`), never from the
//! change under judgment. Running them is the gate's job (see `crate::render`).

use crate::error::Result;
use crate::matching::globs::{PathGlobs, path_glob};
use crate::rules::{SourceFile, check_globs};
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

/// How long a render may run when its entry sets no `timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The longest `timeout` a render may set: an hour.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// `[[render]]` as written in the configuration.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenderSpec {
    /// A label for reports (letters, digits, `.`, `_`, `-`): rendered objects are reported as
    /// `render:NAME/…`.
    #[schemars(with = "String")]
    name: Spanned<String>,
    /// The shell command that renders (run with `sh -c` in a clean checkout of each side);
    /// its stdout is YAML or JSON documents, unless `output` names files to read instead.
    #[schemars(with = "String")]
    run: Spanned<String>,
    /// Path globs: the render runs only when the change touches one of them.
    #[schemars(with = "Vec<String>")]
    paths: Vec<Spanned<String>>,
    /// Path globs whose source-level findings give way to the render's (when it renders at
    /// head): a Kustomize base judged through its overlays instead of on its own.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    covers: Vec<Spanned<String>>,
    /// A glob, relative to the checkout, of the files to read instead of stdout (e.g.
    /// `cdk.out/*.template.json`).
    #[schemars(with = "Option<String>")]
    output: Option<Spanned<String>>,
    /// How long each side may take: `120s`, `5m`, or a number of seconds (default 120s).
    #[schemars(with = "Option<String>")]
    timeout: Option<Spanned<toml::Value>>,
}

/// A validated `[[render]]` entry.
#[derive(Debug, Clone)]
pub(crate) struct Render {
    /// The label reports use.
    pub(crate) name: String,
    /// The shell command.
    pub(crate) run: String,
    paths: PathGlobs,
    covers: Option<PathGlobs>,
    /// The glob of the files to read instead of stdout, as written.
    pub(crate) output: Option<String>,
    /// How long each side may take.
    pub(crate) timeout: Duration,
}

impl Render {
    /// Validates every `[[render]]`; errors point at the offending key in `file`.
    pub(crate) fn compile_all(file: &SourceFile, specs: &[RenderSpec]) -> Result<Vec<Render>> {
        let mut renders: Vec<Render> = Vec::with_capacity(specs.len());
        for spec in specs {
            let render = Render::compile(file, spec)?;
            if renders.iter().any(|r| r.name == render.name) {
                return Err(file.error(
                    spec.name.span(),
                    format!(
                        "render: another [[render]] is already named '{}'",
                        render.name
                    ),
                ));
            }
            renders.push(render);
        }
        Ok(renders)
    }

    fn compile(file: &SourceFile, spec: &RenderSpec) -> Result<Render> {
        let name = spec.name.get_ref();
        let well_named = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && !name.starts_with('.');
        if !well_named {
            return Err(file.error(
                spec.name.span(),
                format!("render: name '{name}' must be letters, digits, '.', '_' or '-' (at most 64, not starting with '.')"),
            ));
        }
        if spec.run.get_ref().trim().is_empty() {
            return Err(file.error(
                spec.run.span(),
                format!("render '{name}': `run` is empty; give the command that renders"),
            ));
        }
        if spec.paths.is_empty() {
            return Err(file.error(
                spec.name.span(),
                format!("render '{name}': `paths` is missing or empty; list the globs whose changes make it render (`[\"**\"]` for every change)"),
            ));
        }
        check_globs(file, &spec.paths)?;
        check_globs(file, &spec.covers)?;
        let globs = |list: &[Spanned<String>]| {
            PathGlobs::new(list.iter().map(|g| g.get_ref().as_str()).zip(0..))
                .map_err(|(slot, e)| file.error(list[slot].span(), format!("render '{name}': {e}")))
        };
        let paths = globs(&spec.paths)?;
        let covers = match spec.covers.is_empty() {
            true => None,
            false => Some(globs(&spec.covers)?),
        };
        let output = match &spec.output {
            None => None,
            Some(glob) => {
                let text = glob.get_ref();
                let escapes = text.starts_with('/')
                    || text.split(['/', '\\']).any(|part| part == "..")
                    || text.trim().is_empty();
                if escapes {
                    return Err(file.error(
                        glob.span(),
                        format!("render '{name}': `output` must be a glob relative to the checkout, inside it (e.g. \"cdk.out/*.template.json\")"),
                    ));
                }
                path_glob(text)
                    .map_err(|e| file.error(glob.span(), format!("render '{name}': {e}")))?;
                Some(text.clone())
            }
        };
        let timeout = match &spec.timeout {
            None => DEFAULT_TIMEOUT,
            Some(value) => parse_timeout(value.get_ref()).ok_or_else(|| {
                file.error(
                    value.span(),
                    format!("render '{name}': `timeout` must be a duration such as \"120s\" or \"5m\" (at most 1h), not {}", value.get_ref()),
                )
            })?,
        };
        Ok(Render {
            name: name.clone(),
            run: spec.run.get_ref().clone(),
            paths,
            covers,
            output,
            timeout,
        })
    }

    /// Whether a change to `path` makes this render run.
    pub(crate) fn watches(&self, path: &str) -> bool {
        self.paths.is_match(path)
    }

    /// Whether the source-level findings on `path` give way to this render's.
    pub(crate) fn covers(&self, path: &str) -> bool {
        self.covers.as_ref().is_some_and(|c| c.is_match(path))
    }
}

/// `120s`, `5m`, `1h`, or a bare number of seconds; between 1 second and [`MAX_TIMEOUT`].
fn parse_timeout(value: &toml::Value) -> Option<Duration> {
    let seconds = match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok()?,
        toml::Value::String(text) => {
            let text = text.trim();
            let (number, unit) = text
                .find(|c: char| !c.is_ascii_digit())
                .map_or((text, ""), |at| text.split_at(at));
            let factor = match unit.trim() {
                "" | "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => return None,
            };
            number.parse::<u64>().ok()?.checked_mul(factor)?
        }
        _ => return None,
    };
    let timeout = Duration::from_secs(seconds);
    (Duration::from_secs(1)..=MAX_TIMEOUT)
        .contains(&timeout)
        .then_some(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(entry: &str) -> Result<Vec<Render>> {
        let file = SourceFile::new("c.toml", entry.to_string());
        #[derive(Deserialize)]
        struct Top {
            render: Vec<RenderSpec>,
        }
        let top: Top = file.parse()?;
        Render::compile_all(&file, &top.render)
    }

    #[test]
    fn timeouts_read_as_people_write_them() {
        let secs = |text: &str| parse_timeout(&toml::Value::String(text.into()));
        assert_eq!(secs("90"), Some(Duration::from_secs(90)));
        assert_eq!(secs("120s"), Some(Duration::from_secs(120)));
        assert_eq!(secs("5m"), Some(Duration::from_secs(300)));
        assert_eq!(secs("1h"), Some(MAX_TIMEOUT));
        for bad in ["0", "2h", "5 minutes", "", "-1", "1.5m"] {
            assert_eq!(secs(bad), None, "{bad}");
        }
        assert_eq!(
            parse_timeout(&toml::Value::Integer(30)),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn entries_are_validated_with_positions() {
        let ok = "[[render]]\nname = \"prod\"\nrun = \"kubectl kustomize overlays/prod\"\npaths = [\"base/**\", \"overlays/**\"]\ncovers = [\"base/**\"]\ntimeout = \"30s\"\n";
        let renders = compile(ok).unwrap();
        assert_eq!(renders[0].timeout, Duration::from_secs(30));
        assert!(renders[0].watches("overlays/prod/kustomization.yaml"));
        assert!(renders[0].covers("base/deployment.yaml"));
        assert!(!renders[0].covers("overlays/prod/kustomization.yaml"));
        let cases = [
            (
                ok.replace("prod\"\nrun", "p/rod\"\nrun"),
                "c.toml:2:8: render: name 'p/rod'",
            ),
            (
                ok.replace("kubectl kustomize overlays/prod", " "),
                "c.toml:3:7: render 'prod': `run` is empty",
            ),
            (
                ok.replace("[\"base/**\", \"overlays/**\"]", "[]"),
                "c.toml:2:8: render 'prod': `paths` is missing",
            ),
            (
                ok.replace("\"30s\"", "\"soon\""),
                "c.toml:6:11: render 'prod': `timeout`",
            ),
            (
                format!("{ok}output = \"../x/*.json\"\n"),
                "c.toml:7:10: render 'prod': `output` must be a glob relative",
            ),
            (
                format!("{ok}{ok}"),
                "c.toml:8:8: render: another [[render]] is already named 'prod'",
            ),
            (
                ok.replace("covers = [\"base/**\"]", "covers = [\"base/[\"]"),
                "c.toml:5:11: bad glob",
            ),
        ];
        for (text, want) in cases {
            let got = compile(&text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(got.starts_with(want), "{want}\n  got: {got}");
        }
    }
}
