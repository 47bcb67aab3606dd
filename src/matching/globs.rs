//! Path globs: how rule files write them (a glob without `/` matches the file name at any
//! depth, a leading `/` anchors at the repository root, `*` stays within one directory, case
//! does not matter), and how they are matched: by hand where their shape allows (see
//! [`HandGlobs`]), through globset for the rest.

use super::glob_shape::{HandGlobs, normalise_glob};
use super::owners::group_by_key;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A path with its case folded, as every path glob matches it: a change names its own files,
/// so `App.JS`, `Deployment.YAML` or `Docs/` must not step around a glob by their case (see
/// docs/rules.md). Folded once per path, then matched against any number of globs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoldedPath<'p>(Cow<'p, str>);

impl<'p> FoldedPath<'p> {
    /// `path` in lower case; borrowed when it has no upper-case letter (the usual case).
    pub(crate) fn new(path: &'p str) -> FoldedPath<'p> {
        let folded = if path.is_ascii() {
            match path.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(path.to_ascii_lowercase()),
                false => Cow::Borrowed(path),
            }
        } else {
            Cow::Owned(path.to_lowercase())
        };
        FoldedPath(folded)
    }

    /// The folded text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Path globs, each under a caller's slot number. Globs are matched by hand where their shape
/// allows (most built-in globs: a file name, an extension, a directory): globset's strategies
/// and regexes cost more to build than a small check spends matching. The rest are matched by
/// globset, each compiled the first time a path could match it.
#[derive(Debug, Clone)]
pub(crate) struct PathGlobs {
    hand: HandGlobs,
    /// Globs of any other shape, in the order added.
    fallback: Vec<Fallback>,
}

/// A glob left to globset.
#[derive(Debug, Clone)]
struct Fallback {
    slot: usize,
    glob: Glob,
    /// The path components the glob spells out (`prod` in `**/prod/**/*.yaml`): a path that
    /// lacks one cannot match, and needs no compiled glob to say so.
    spelled: Vec<String>,
    compiled: OnceLock<GlobSet>,
}

impl Fallback {
    /// Whether the glob matches `path`, whose components are `components`.
    fn is_match(&self, path: &str, components: &[&str]) -> bool {
        let could = self
            .spelled
            .iter()
            .all(|c| components.contains(&c.as_str()));
        could
            && self
                .compiled
                .get_or_init(|| {
                    compile(self.glob.clone()).expect(
                        "path globs are compiled by check_globs or the test suite when read",
                    )
                })
                .is_match(path)
    }
}

impl PathGlobs {
    /// Compiles `(glob, slot)` pairs; a bad glob's error names its slot. Globs are folded to
    /// lower case here, once, as paths are by [`FoldedPath`].
    pub(crate) fn new<'g>(
        globs: impl IntoIterator<Item = (&'g str, usize)>,
    ) -> Result<PathGlobs, (usize, String)> {
        let mut hand = HandGlobs::default();
        let mut fallback = Vec::new();
        for (glob, slot) in globs {
            let normalised = normalise_glob(glob).to_lowercase();
            if !hand.add(&normalised, slot) {
                fallback.push(Fallback {
                    slot,
                    glob: path_glob(glob).map_err(|m| (slot, m))?,
                    spelled: spelled_components(&normalised),
                    compiled: OnceLock::new(),
                });
            }
        }
        Ok(PathGlobs { hand, fallback })
    }

    /// The slot of every glob matching `path`.
    pub(crate) fn matches<'s>(
        &'s self,
        path: &'s FoldedPath<'_>,
    ) -> impl Iterator<Item = usize> + 's {
        let path = path.as_str();
        let components: Vec<&str> = match self.fallback.is_empty() {
            true => Vec::new(),
            false => path.split('/').collect(),
        };
        let by_globset = self
            .fallback
            .iter()
            .filter(move |f| f.is_match(path, &components))
            .map(|f| f.slot);
        self.hand.matches(path).chain(by_globset)
    }

    /// Whether any glob matches `path` (folded here; fold a path matched against several
    /// glob sets once with [`FoldedPath`] and use [`PathGlobs::is_match_folded`]).
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.is_match_folded(&FoldedPath::new(path))
    }

    /// Whether any glob matches the folded `path`.
    pub(crate) fn is_match_folded(&self, path: &FoldedPath<'_>) -> bool {
        self.matches(path).next().is_some()
    }

    /// The slots of the globs left to globset, in the order added.
    #[cfg(test)]
    pub(crate) fn globset_slots(&self) -> Vec<usize> {
        self.fallback.iter().map(|f| f.slot).collect()
    }
}

/// Globs written by several owners (rules): each distinct glob is compiled once and remembers
/// every owner that wrote it, so a pack that repeats its exclusions across rules pays once.
#[derive(Debug, Clone)]
pub(crate) struct OwnedGlobs {
    globs: PathGlobs,
    owners: Vec<Vec<usize>>,
}

impl OwnedGlobs {
    /// Compiles `(owner, glob)` pairs; the error says which glob is bad.
    pub(crate) fn new<'g>(
        pairs: impl IntoIterator<Item = (usize, &'g str)>,
    ) -> Result<OwnedGlobs, String> {
        let (distinct, owners) = group_by_key(pairs);
        let globs =
            PathGlobs::new(distinct.into_iter().zip(0..)).map_err(|(_, message)| message)?;
        Ok(OwnedGlobs { globs, owners })
    }

    /// The owners of the globs that match `path`.
    pub(crate) fn owners<'s>(
        &'s self,
        path: &'s FoldedPath<'_>,
    ) -> impl Iterator<Item = usize> + 's {
        self.globs
            .matches(path)
            .flat_map(|slot| self.owners[slot].iter().copied())
    }

    /// The distinct globs, as matched.
    #[cfg(test)]
    pub(crate) fn globs(&self) -> &PathGlobs {
        &self.globs
    }
}

/// Builds and compiles a path glob, as the globs left to globset are compiled: what a rule
/// file's globs are checked with when it is read, so none can fail later.
pub(crate) fn compile_path_glob(glob: &str) -> Result<(), String> {
    compile(path_glob(glob)?).map(drop)
}

/// `glob` compiled as globset matches it; the error is globset's.
fn compile(glob: Glob) -> Result<GlobSet, String> {
    GlobSetBuilder::new()
        .add(glob)
        .build()
        .map_err(|e| e.to_string())
}

/// The components a normalised glob spells out literally (outside any `{…}`), each of which a
/// matching path must have; none for a glob with escapes or classes, whose syntax this does not
/// follow.
fn spelled_components(normalised: &str) -> Vec<String> {
    if normalised.contains(['\\', '[', ']']) {
        return Vec::new();
    }
    let mut segments = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in normalised.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => {
                segments.push(&normalised[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&normalised[start..]);
    segments
        .into_iter()
        .filter(|s| !s.is_empty() && !s.contains(['*', '?', '{', '}']))
        .map(str::to_string)
        .collect()
}

/// Builds a path glob: `*` stays within one directory; a glob without `/` matches the file
/// name at any depth; a leading `/` anchors at the repository root; case is ignored.
pub(crate) fn path_glob(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(&normalise_glob(glob))
        .literal_separator(true)
        .backslash_escape(true)
        .case_insensitive(true)
        .build()
        .map_err(|e| format!("bad glob '{glob}': {}", e.kind()))
}

/// Realistic and awkward repository paths: directories the packs name (nested, at the
/// root, as bare names), dotfiles, test files, minified and escaped names, non-ASCII, stray
/// dots, `..`, empty components, leading and trailing `/`, newlines.
#[cfg(test)]
pub(crate) fn sample_paths() -> Vec<String> {
    let dirs = [
        "",
        "/",
        "src/",
        "a/b/c/",
        "a//b/",
        "test/",
        "tests/",
        "tests/a/tests/",
        "src/test/java/",
        "prod/",
        "prod/eu/west/",
        "config/prod/",
        "deploy/production/eu/",
        "prd/",
        "x/prd/a/",
        "node_modules/left-pad/",
        "web/node_modules/",
        "__tests__/",
        "__mocks__/",
        ".github/",
        ".github/workflows/",
        ".github/workflows/sub/",
        "x/.github/workflows/",
        ".circleci/",
        "a/.circleci/",
        ".ebextensions/",
        ".ebextensions/x/",
        ".githooks/",
        ".git-hooks/",
        "githooks/",
        "a/githooks/",
        ".husky/",
        ".husky/_/",
        "vendor/",
        "spec/",
        "docs/",
        "doc/api/",
        "openapi/",
        "templates/",
        "templates/a/b/",
        "charts/app/templates/",
        "e2e/",
        "fixtures/",
        "testdata/",
        "cdk.out/",
        "cdk.out/asset.1/",
        "infra/cdk.out/",
        "settings/",
        "app/settings/",
        "environments/",
        "config/environments/",
        "sites-enabled/",
        "etc/nginx/sites-available/",
        "sites-available/x/",
        "Test/",
        "PROD/",
        "dé/",
        "my test/",
        ".hidden./",
        "x.test.js/",
        "../",
        "a/../",
        "./",
        "a\nb/",
    ];
    let names = [
        "app.js",
        "app.min.js",
        "app.test.ts",
        "app.spec.js",
        "a.local.json",
        "FooTest.java",
        "FooTests.cs",
        "FooTest.kt",
        "tsconfig.json",
        "tsconfig.build.json",
        "tsconfig",
        "config.yml",
        "config.yaml",
        "app.config",
        "x.tpl",
        "config-prod.yaml",
        "app_prod.yml",
        "app.prod.json",
        "app.prod.yaml.bak",
        "prod-eu.yaml",
        "prod.yaml",
        "production_1.yml",
        "production-.json",
        "values-prod-eu.yml",
        "development.rb",
        "test.rb",
        "dev.py",
        "local.py",
        "openapi.yaml",
        "swagger-v2.json",
        "api.openapi.yml",
        "api.raml",
        "prod",
        "test",
        "tests",
        "node_modules",
        "default",
        ".env",
        ".env.local",
        ".env.prod.local",
        ".env.x",
        ".gitlab-ci.yml",
        ".lefthook.yml",
        "lefthook.yml",
        ".pre-commit-config.yaml",
        "pre-commit",
        "Dockerfile",
        "Dockerfile.dev",
        "app.Dockerfile",
        "docker-compose.override.yml",
        "compose.dev.yaml",
        "compose.yaml",
        "application-dev.yml",
        "application-local.properties",
        "test_x.py",
        "x_test.go",
        "x_test.",
        "x_spec.rb",
        "jest.config.js",
        "webpack.config.js",
        "bs-config.json",
        "Cargo.toml",
        "README",
        "café-prod.yaml",
        "\\x41bc.test.js",
        "\\303\\251-prod.yml",
        "UPPER.TEST.JS",
        "APP-PROD.YAML",
        "app.YML",
        "x.",
        ".",
        "..",
        ".yml",
        ".hidden.",
        "a,b.yml",
        "[x].test.js",
        "{a}.test.js",
        "é.test.js",
        "日本.test.ts",
        "file\nname.test.js",
        "",
    ];
    dirs.iter()
        .flat_map(|d| names.iter().map(move |n| format!("{d}{n}")))
        .chain(dirs.iter().map(|d| d.trim_end_matches('/').to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Globs the hand matcher does not take still work, through globset, next to ones it does.
    #[test]
    fn globs_of_other_shapes_go_to_globset() {
        let include = OwnedGlobs::new([(0, "src/[!x]*.js"), (0, "docs/"), (0, "*.yml")]).unwrap();
        let exclude = OwnedGlobs::new([(0, "src/{a,}b.js"), (0, "**/gen/**")]).unwrap();
        assert_eq!(include.globs().globset_slots(), [0, 1]);
        assert_eq!(exclude.globs().globset_slots(), [0]);
        for (path, admitted) in [
            ("src/a.js", true),
            ("src/x.js", false),
            ("src/b.js", true),
            ("src/ab.js", false),
            ("docs/", true),
            ("docs", false),
            ("a/b.yml", true),
            ("a/gen/b.yml", false),
        ] {
            let folded = FoldedPath::new(path);
            let included = include.owners(&folded).next().is_some();
            let excluded = exclude.owners(&folded).next().is_some();
            assert_eq!(included && !excluded, admitted, "{path}");
        }
    }

    #[test]
    fn spelled_components_are_those_outside_braces_and_wildcards() {
        let spelled = |glob: &str| spelled_components(&normalise_glob(glob));
        assert_eq!(spelled("**/prod/**/*.{yaml,yml}"), ["prod"]);
        assert_eq!(
            spelled("/.github/workflows/*.yml"),
            [".github", "workflows"]
        );
        assert_eq!(spelled("{a/c/b,d}/e"), ["e"]);
        assert_eq!(spelled("docs/"), ["docs"]);
        assert!(spelled("a\\/b/c").is_empty() && spelled("[a]/b").is_empty());
    }

    #[test]
    fn globs_without_slash_match_at_any_depth() {
        let g = path_glob("*.js").unwrap().compile_matcher();
        assert!(g.is_match("a/b/c.js") && g.is_match("c.js"));
        let g = path_glob("src/*.js").unwrap().compile_matcher();
        assert!(g.is_match("src/c.js") && !g.is_match("src/x/c.js"));
        let g = path_glob("/Dockerfile").unwrap().compile_matcher();
        assert!(g.is_match("Dockerfile") && !g.is_match("x/Dockerfile"));
    }

    /// Checks [`PathGlobs`] (the hand matcher, or globset behind the spelled-components
    /// filter) against globset's own answers for `glob` on each of `paths`, as a glob set (and,
    /// for a hand-matched glob, as a single matcher too: the two differ on globs ending in `.`,
    /// which globset keeps): `Err` names the first disagreement. A hand-matched glob must also
    /// be one globset accepts.
    fn agrees_with_globset(glob: &str, paths: &[String]) -> Result<(), String> {
        let taken = HandGlobs::default().add(&normalise_glob(glob).to_lowercase(), 0);
        let Ok(built) = path_glob(glob) else {
            return match taken {
                true => Err(format!("{glob:?} is hand-matched but globset rejects it")),
                false => Ok(()),
            };
        };
        let ours = PathGlobs::new([(glob, 0)]).map_err(|(_, e)| e)?;
        let matcher = built.compile_matcher();
        let set = GlobSetBuilder::new().add(built).build().unwrap();
        for path in paths {
            let answer = ours.is_match(path);
            if answer != set.is_match(path) || (taken && answer != matcher.is_match(path)) {
                return Err(format!("{glob:?} on {path:?}: we say {answer}"));
            }
        }
        Ok(())
    }

    #[test]
    fn hand_matcher_agrees_with_globset_on_awkward_globs() {
        let paths = sample_paths();
        for glob in [
            "/**",
            "**",
            "**/*",
            "*",
            "/*",
            "a/**",
            "**/a/**",
            "/a/**/b",
            "a/**/b/**/c",
            "**/b/**/*.yml",
            "*/*",
            "*/*/*.js",
            "**/[.]*",
            "?/*",
            "**/x?y/*",
            "/.github/**/*.yml",
            "src/**/*.{js,ts}",
            "{a,b}/c",
            "/{prod,prd}/**",
            "\\a/b",
            "a\\,b/c",
            "**/*.",
            "**/..",
            "a/*.",
            "a//b",
            "a/",
            "**/**/x",
            "a/**/**",
            "[!a]/x",
            "a[/]b/c",
            "{a/b,c}/d",
            "x/{,a}b",
            "x/a**",
            "x/**a",
            "x/{**,a}",
            "x/{a,b**}",
            "**/cdk.out/**",
            "tsconfig*.json",
            "/tsconfig*.json",
        ] {
            agrees_with_globset(glob, &paths).unwrap();
        }
    }

    /// A piece of a component pattern from a small grammar: literals (escaped ones too), `?`,
    /// `*`, classes with ranges and awkward members, and flat alternatives.
    fn piece() -> impl Strategy<Value = String> {
        let atom = prop_oneof![
            4 => prop::sample::select(vec!["a", "b", ".", "-", "_", "A", "é", ",", "x"])
                .prop_map(str::to_string),
            1 => prop::sample::select(vec!["\\*", "\\?", "\\[", "\\{", "\\,", "\\\\", "\\a"])
                .prop_map(str::to_string),
            2 => Just("?".to_string()),
            3 => Just("*".to_string()),
            2 => prop::sample::select(vec![
                "[ab]", "[a-c]", "[-._]", "[]a]", "[a-]", "[!a]", "[^.]", "[+-0]", "[a-b-c]",
                "[.]", "[é]", "[A-Za-z]", "[*?]",
            ])
            .prop_map(str::to_string),
        ];
        let branch = prop::collection::vec(atom.clone(), 0..3).prop_map(|v| v.concat());
        prop_oneof![
            6 => atom,
            1 => prop::collection::vec(branch, 1..4).prop_map(|b| format!("{{{}}}", b.join(","))),
        ]
    }

    /// A path of up to five components drawn from names the globs below can hit, with empty
    /// components, dots and separators' neighbours among them.
    fn path() -> impl Strategy<Value = String> {
        let component = prop::sample::select(vec![
            "a", "b", "ab", "x", ".", "..", "a.b", "b.", "-a", "é", "", "A", ",", "*", "a\nb",
        ]);
        prop::collection::vec(component, 1..6).prop_map(|c| c.join("/"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Globs of several components (globset's, behind the spelled-components filter).
        #[test]
        fn path_globs_agree_with_globset(
            anchored in any::<bool>(),
            segments in prop::collection::vec(
                prop_oneof![
                    2 => Just("**".to_string()),
                    3 => prop::sample::select(vec!["a", "b", "ab", "x", ".", ""])
                        .prop_map(str::to_string),
                    3 => prop::collection::vec(piece(), 1..3).prop_map(|p| p.concat()),
                ],
                1..5,
            ),
            paths in prop::collection::vec(path(), 1..12),
        ) {
            let glob = format!("{}{}", if anchored { "/" } else { "" }, segments.join("/"));
            prop_assert_eq!(agrees_with_globset(&glob, &paths), Ok(()));
        }

        #[test]
        fn basename_matcher_agrees_with_globset(
            pieces in prop::collection::vec(piece(), 1..6),
            names in prop::collection::vec(
                prop::collection::vec(
                    prop::sample::select(vec!['a', 'b', '.', '-', '_', 'A', 'é', ',', 'x', '/', '*', '\n']),
                    0..8,
                ).prop_map(|cs| cs.into_iter().collect::<String>()),
                1..12,
            ),
        ) {
            let glob = format!("**/{}", pieces.concat());
            prop_assert_eq!(agrees_with_globset(&glob, &names), Ok(()));
        }

    }
}
