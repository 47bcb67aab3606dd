//! Files that only serve local development: what runs on a developer's machine (a dev
//! container, a local compose stack, a test or debug variant) and is never deployed. One
//! classification of paths, so every category that judges what gets deployed (images, CORS,
//! CDN, rollouts, infrastructure) leaves the same files alone.
//!
//! `docker-compose.override.yml` is not one of them: `docker compose up` applies it wherever
//! it runs, and production installers tell their users to put their settings there (netbox-docker
//! does), so a mutable image in it reaches production.

/// Folders whose whole content serves local development: dev containers, Docker Desktop dev
/// environments (`.docker/`), and `dev/` or `local/` setups.
const DEV_FOLDERS: &[&str] = &[".devcontainer", ".docker", "dev", "local"];

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

/// Whether `path` (repository-relative, `/`-separated) only serves local development.
pub(crate) fn is_dev_only(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.split('/');
    let name = parts.next_back().unwrap_or_default();
    parts.any(|folder| DEV_FOLDERS.contains(&folder)) || is_dev_variant(name)
}

/// Whether a file name (lower-case) names a development variant: a qualifier between its stem
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
    fn development_files_and_folders() {
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
            assert!(is_dev_only(path), "{path} is for local development");
        }
        for path in deployed {
            assert!(!is_dev_only(path), "{path} is deployed");
        }
    }
}
