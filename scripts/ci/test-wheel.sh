#!/usr/bin/env bash
# Tests what a new user without Rust gets from PyPI, using the wheel .ci/run just built:
#   - `pip install deploy-guard` into a fresh virtual environment puts a working `deploy-guard`
#     on PATH, which blocks a risky change and passes a clean one in a throw-away repository;
#     so do `uv tool install deploy-guard` and `uvx deploy-guard check`;
#   - the pre-commit framework, through `pre-commit try-repo` on this repository's
#     .pre-commit-hooks.yaml, runs the default `deploy-guard` hook (language: python) from that
#     wheel and refuses the risky push range;
#   - the GitLab CI template's job script installs the wheel and writes the Code Quality report.
# pip is kept off the network for the wheel (PIP_NO_INDEX): only DIST_DIR and WHEELHOUSE
# (build tools that the pre-commit shim needs) are offered, so nothing on PyPI can stand in.
#
#   scripts/ci/test-wheel.sh DIST_DIR WHEELHOUSE
# pre-commit and uv must be on PATH, and python3 must have PyYAML (pre-commit's own dependency).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "${root}/scripts/ci/lib.sh"

dist="$(cd "$1" && pwd)"
wheelhouse="$(cd "$2" && pwd)"
version="$("${root}/scripts/release/check-version.sh")"
scratch="$(mktemp -d)"
trap '[ -n "${KEEP_SCRATCH:-}" ] || rm -rf "$scratch"' EXIT
export PIP_NO_INDEX=1 PIP_FIND_LINKS="${dist} ${wheelhouse}" PIP_DISABLE_PIP_VERSION_CHECK=1

# 1. pip install into a fresh virtual environment.
python3 -m venv "${scratch}/venv"
"${scratch}/venv/bin/pip" install --quiet "deploy-guard==${version}"
dg="${scratch}/venv/bin/deploy-guard"
expect_eq "pip install: deploy-guard --version" "$("$dg" --version)" "deploy-guard ${version}"

repo="${scratch}/repo"
new_repo "$repo"
code=0
(cd "$repo" && git checkout -q risky && "$dg" check --base main > "${scratch}/risky.log" 2>&1) || code=$?
expect_eq "wheel: a risky change is blocked (exit 1)" "$code" 1
expect_in "wheel: the finding names the rule" "${scratch}/risky.log" "cors/wildcard-origin"
code=0
(cd "$repo" && git checkout -q clean && "$dg" check --base main > "${scratch}/clean.log" 2>&1) || code=$?
expect_eq "wheel: a clean change passes (exit 0)" "$code" 0

# 1b. uv: `uv tool install deploy-guard`, and the README's "without installing" line, `uvx
# deploy-guard check`, run on the user's repository.
export UV_TOOL_DIR="${scratch}/uv-tools" UV_TOOL_BIN_DIR="${scratch}/uv-bin" \
  UV_CACHE_DIR="${scratch}/uv-cache" UV_PYTHON_DOWNLOADS=never
uv tool install --quiet --no-index --find-links "$dist" "deploy-guard==${version}"
expect_eq "uv tool install: deploy-guard --version" "$("${UV_TOOL_BIN_DIR}/deploy-guard" --version)" "deploy-guard ${version}"
code=0
(cd "$repo" && git checkout -q risky &&
  uvx --quiet --no-index --find-links "$dist" "deploy-guard@${version}" check --base main > "${scratch}/uvx.log" 2>&1) || code=$?
expect_eq "uvx deploy-guard check: a risky change is blocked (exit 1)" "$code" 1
expect_in "uvx deploy-guard check: the finding names the rule" "${scratch}/uvx.log" "cors/wildcard-origin"

# 2. pre-commit try-repo, default hook: pre-commit pip-installs this repository's root
# (the shim pinning deploy-guard==version), which pulls in the wheel. PATH holds pre-commit and
# git but no deploy-guard, so the one that runs can only come from the hook's environment.
from="$(git -C "$repo" rev-parse main)"
to="$(git -C "$repo" rev-parse risky)"
bare_path="$(dirname "$(command -v pre-commit)"):$(dirname "$(command -v git)"):/usr/bin:/bin"
if PATH="$bare_path" command -v deploy-guard > /dev/null; then
  not_ok "pre-commit try-repo: a deploy-guard is on the bare PATH already ($bare_path)"
fi
code=0
(cd "$repo" && git checkout -q risky &&
  PATH="$bare_path" PRE_COMMIT_HOME="${scratch}/pre-commit-home" pre-commit try-repo "$root" deploy-guard \
    --hook-stage pre-push --from-ref "$from" --to-ref "$to" > "${scratch}/try-repo.log" 2>&1) || code=$?
expect_eq "pre-commit try-repo through the wheel: the push is refused" "$code" 1
expect_in "pre-commit try-repo through the wheel: the finding is shown" "${scratch}/try-repo.log" "cors/wildcard-origin"

# 3. The GitLab CI template's job, its script run line by line as a runner would, for a merge
# request from `risky` into `main` (the template's own DEPLOY_GUARD_VERSION is installed).
python3 -m venv "${scratch}/gitlab-venv"
python3 - "${root}/templates/deploy-guard.gitlab-ci.yml" "${scratch}/job.sh" << 'PY'
import sys, yaml
template = yaml.safe_load(open(sys.argv[1]))
job = template[".deploy-guard"]
env = {**template["variables"], **job["variables"]}
with open(sys.argv[2], "w") as out:
    out.write("set -eo pipefail\n")
    for key, value in env.items():
        out.write(f"export {key}='{value}'\n")
    for line in job["script"]:
        out.write(line + "\n")
assert "codequality" in job["artifacts"]["reports"], "uploads a Code Quality report"
assert template["deploy-guard"]["extends"] == ".deploy-guard"
PY
code=0
(cd "$repo" && git checkout -q risky &&
  env -u GITHUB_ACTIONS -u GITHUB_EVENT_PATH -u GITHUB_EVENT_NAME PATH="${scratch}/gitlab-venv/bin:${PATH}" GITLAB_CI=true \
    CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_DIFF_BASE_SHA="$from" \
    CI_MERGE_REQUEST_SOURCE_BRANCH_SHA="$to" CI_COMMIT_SHA="$to" \
    bash "${scratch}/job.sh" > "${scratch}/gitlab.log" 2>&1) || code=$?
expect_eq "GitLab template: the job fails on the risky merge request" "$code" 1
expect_in "GitLab template: the range comes from the merge request" "${scratch}/gitlab.log" "checking GitLab merge_request_event: ${from:0:12}"
expect_in "GitLab template: Code Quality report written" "${repo}/gl-code-quality-report.json" '"check_name": "cors/wildcard-origin"'

finish
