#!/usr/bin/env bash
# Tests the GitHub Action's shell steps (scripts/action/install.sh and run.sh) the way action.yml
# runs them, against a "release" built on disk by the release workflow's own packaging scripts
# and served from a file:// URL: a good download installs, runs and sets the step's outputs; a
# tampered archive, a missing SHA256SUMS and an unlisted archive fail the step; a version without
# a release asks for a source build.
#
#   scripts/ci/test-action.sh BINARY [DIST_DIR]
# BINARY: the deploy-guard built for this machine. DIST_DIR: wheels to list in SHA256SUMS too, as a
# release does. Run by .ci/run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "${root}/scripts/ci/lib.sh"

binary="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
dist="${2:-}"
version="$("${root}/scripts/release/check-version.sh")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) runner_os=Linux runner_arch=X64 ;;
  Linux-aarch64) runner_os=Linux runner_arch=ARM64 ;;
  Darwin-x86_64) runner_os=macOS runner_arch=X64 ;;
  Darwin-arm64) runner_os=macOS runner_arch=ARM64 ;;
  *)
    echo "test-action.sh: no release target for $(uname -s)-$(uname -m)" >&2
    exit 2
    ;;
esac
# The target the action downloads on this runner. The archive holds this machine's own build
# under that name: what is tested is the packaging, the download and the checks, not the target.
target="$(RUNNER_OS=$runner_os RUNNER_ARCH=$runner_arch bash "${root}/scripts/action/install.sh" target)"
archive="deploy-guard-${version}-${target}.tar.gz"

# A release folder, laid out like GitHub's downloads: <base>/v<version>/<file>.
good="${scratch}/releases"
mkdir -p "${good}/v${version}"
"${root}/scripts/release/package.sh" "$version" "$target" "$binary" "${good}/v${version}" >/dev/null
if [ -n "$dist" ]; then cp "$dist"/*.whl "${good}/v${version}/"; fi
"${root}/scripts/release/checksums.sh" "${good}/v${version}" >/dev/null
expect_in "SHA256SUMS lists the archive" "${good}/v${version}/SHA256SUMS" "  ${archive}"

# run_install NAME MODE [VAR=VALUE...]: runs install.sh MODE as action.yml does, in a fresh
# runner state (RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH) under $scratch/NAME; sets `code`.
run_install() {
  local name="$1" mode="$2"
  shift 2
  state="${scratch}/${name}"
  mkdir -p "${state}/tmp"
  : > "${state}/output"
  : > "${state}/path"
  code=0
  env RUNNER_OS="$runner_os" RUNNER_ARCH="$runner_arch" RUNNER_TEMP="${state}/tmp" \
    GITHUB_OUTPUT="${state}/output" GITHUB_PATH="${state}/path" HOME="${state}/home" \
    DG_ACTION_PATH="$root" DG_RELEASES_URL="file://${good}" "$@" \
    bash "${root}/scripts/action/install.sh" "$mode" > "${state}/log" 2>&1 || code=$?
}
# out NAME KEY: an output the step wrote.
out() { sed -n "s/^$2=//p" "${scratch}/$1/output" | tail -n 1; }

# 1. The default: no version input, so the action's own (Cargo.toml's), downloaded and verified.
run_install good release
expect_eq "good download: install step succeeds" "$code" 0
expect_eq "good download: version resolved from the action's Cargo.toml" "$(out good version)" "$version"
expect_eq "good download: installed from the release" "$(out good method)" release
expect_in "good download: checksum checked" "${scratch}/good/log" "checksum OK"
bin_dir="$(cat "${scratch}/good/path")"
expect_eq "good download: the binary's folder is put on PATH" "$("${bin_dir}/deploy-guard" --version)" "deploy-guard ${version}"

# 2. The run step with that binary on PATH, in a repository with a risky and a clean branch.
repo="${scratch}/repo"
new_repo "$repo"
run_step() {
  local name="$1"
  shift
  state="${scratch}/${name}"
  mkdir -p "${state}/tmp"
  : > "${state}/output"
  code=0
  (cd "$scratch" && env PATH="${bin_dir}:${PATH}" RUNNER_TEMP="${state}/tmp" \
    GITHUB_OUTPUT="${state}/output" INPUT_WORKING_DIRECTORY=repo "$@" \
    bash "${root}/scripts/action/run.sh" > "${state}/log" 2>&1) || code=$?
}
git -C "$repo" checkout -q risky
run_step blocked INPUT_ARGS="--base main --format human" INPUT_SARIF=reports/deploy-guard.sarif
expect_eq "risky change: the step fails with the gate's exit code" "$code" 1
expect_in "risky change: the finding is printed" "${scratch}/blocked/log" "cors/wildcard-origin"
expect_eq "risky change: output verdict" "$(out blocked verdict)" blocked
expect_eq "risky change: output errors" "$(out blocked errors)" 1
expect_eq "risky change: output warnings" "$(out blocked warnings)" 0
expect_eq "risky change: output exit-code" "$(out blocked exit-code)" 1
expect_eq "risky change: output sarif-file, from the workspace" "$(out blocked sarif-file)" repo/reports/deploy-guard.sarif
expect_in "risky change: the SARIF report is written" "${repo}/reports/deploy-guard.sarif" '"ruleId": "cors/wildcard-origin"'

git -C "$repo" checkout -q clean
run_step clear INPUT_ARGS="--base main"
expect_eq "clean change: the step passes" "$code" 0
expect_eq "clean change: output verdict" "$(out clear verdict)" clear
expect_eq "clean change: output errors" "$(out clear errors)" 0
expect_eq "clean change: no SARIF asked, none named" "$(out clear sarif-file)" ""

run_step unjudged INPUT_ARGS="--base no-such-revision"
expect_eq "unknown base: the step fails with exit 2" "$code" 2
expect_eq "unknown base: output verdict" "$(out unjudged verdict)" error
expect_eq "unknown base: no counts" "$(out unjudged errors)" ""

run_step nowhere INPUT_WORKING_DIRECTORY=no-such-dir
expect_eq "missing working-directory: exit 2" "$code" 2
expect_in "missing working-directory: says which" "${scratch}/nowhere/log" "no-such-dir"

# 3. A tampered archive (well-formed, its binary swapped for one that claims the same version)
# fails the step, and nothing is put on PATH.
tampered="${scratch}/tampered-releases"
cp -R "$good" "$tampered"
printf '#!/bin/sh\necho "deploy-guard %s"\n' "$version" > "${scratch}/impostor"
chmod +x "${scratch}/impostor"
"${root}/scripts/release/package.sh" "$version" "$target" "${scratch}/impostor" "${tampered}/v${version}" >/dev/null
run_install tampered release DG_RELEASES_URL="file://${tampered}"
expect_eq "tampered archive: the install step fails" "$code" 1
expect_in "tampered archive: says checksum mismatch" "${scratch}/tampered/log" "checksum mismatch for ${archive}"
expect_eq "tampered archive: nothing put on PATH" "$(cat "${scratch}/tampered/path")" ""

# 4. A release without SHA256SUMS, or whose SHA256SUMS does not list the archive: no unverified binary.
unsummed="${scratch}/unsummed-releases"
cp -R "$good" "$unsummed"
rm "${unsummed}/v${version}/SHA256SUMS"
run_install unsummed release DG_RELEASES_URL="file://${unsummed}"
expect_eq "no SHA256SUMS: the install step fails" "$code" 1
expect_in "no SHA256SUMS: says so" "${scratch}/unsummed/log" "no SHA256SUMS"
unlisted="${scratch}/unlisted-releases"
cp -R "$good" "$unlisted"
grep -vF "$archive" "${good}/v${version}/SHA256SUMS" > "${unlisted}/v${version}/SHA256SUMS" || true
run_install unlisted release DG_RELEASES_URL="file://${unlisted}"
expect_eq "unlisted archive: the install step fails" "$code" 1
expect_in "unlisted archive: says so" "${scratch}/unlisted/log" "does not list ${archive}"

# 5. No release of that version: the next step builds from source, cached by version and source.
run_install unreleased release DG_VERSION=v99.0.0
expect_eq "no such release: the install step succeeds" "$code" 0
expect_eq "no such release: asks for a source build" "$(out unreleased method)" source
expect_eq "no such release: version from the input, without the v" "$(out unreleased version)" 99.0.0
case "$(out unreleased cache-key)" in
  "deploy-guard-src-${runner_os}-${runner_arch}-99.0.0-"????????????????) ok "source cache key: version and source digest" ;;
  *) not_ok "source cache key: $(out unreleased cache-key)" ;;
esac
run_install asked release DG_FROM_SOURCE=true DG_RELEASES_URL="file://${scratch}/nothing-here"
expect_eq "build-from-source: asks for a source build without downloading" "$(out asked method)" source

run_install bad-version release DG_VERSION="../../x"
expect_eq "a version that is not X.Y.Z: the install step fails" "$code" 1

# 6. The source build: cargo install into the cached folder, once (a stand-in cargo records it).
stub="${scratch}/stub-cargo"
mkdir -p "$stub"
cat > "${stub}/cargo" << STUB
#!/usr/bin/env bash
echo "\$*" >> "${scratch}/cargo-calls"
root="\$(printf '%s\n' "\$@" | sed -n '/^--root$/{n;p;}')"
mkdir -p "\${root}/bin" && cp "${binary}" "\${root}/bin/deploy-guard"
STUB
chmod +x "${stub}/cargo"
run_install source1 source PATH="${stub}:${PATH}" DG_SOURCE_ROOT="${scratch}/source-root"
expect_eq "source build: succeeds" "$code" 0
expect_in "source build: cargo install --locked from the action's source" "${scratch}/cargo-calls" "install --locked --force --root ${scratch}/source-root --path ${root}"
expect_eq "source build: its bin folder is put on PATH" "$(cat "${scratch}/source1/path")" "${scratch}/source-root/bin"
run_install source2 source PATH="${stub}:${PATH}" DG_SOURCE_ROOT="${scratch}/source-root"
expect_eq "source build: a cached build is reused, cargo not run again" "$(wc -l < "${scratch}/cargo-calls" | tr -d ' ')" 1

finish
