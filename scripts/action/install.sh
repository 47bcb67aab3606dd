#!/usr/bin/env bash
# The GitHub Action's install steps (action.yml runs them; .ci/run tests them against a release
# folder built on disk).
#
#   install.sh release   Resolve the version, then download that release's archive for this runner,
#                        check it against the release's SHA256SUMS and put the binary on PATH.
#                        When the release has no archive for this runner, or a source build was
#                        asked for, print `method=source` (and the source cache key) instead.
#   install.sh source    Build deploy-guard from the action's own source with cargo into
#                        DG_SOURCE_ROOT (the action caches that folder), unless a build is there
#                        already, and put it on PATH.
#   install.sh target    Print the release target this runner downloads (empty: none).
#
# A checksum that does not match, a release without SHA256SUMS, or an archive SHA256SUMS does not
# list fails the step: the action never falls back from a tampered download to anything else.
#
# Environment (action.yml sets it from the inputs):
#   DG_VERSION        release to install (`0.1.0` or `v0.1.0`); empty: the action's own version,
#                     the one in its Cargo.toml
#   DG_FROM_SOURCE    `true`: build from source without trying a download
#   DG_ACTION_PATH    the action's files (GITHUB_ACTION_PATH)
#   DG_REPOSITORY     owner/name whose releases to use; default deploy-guard/deploy-guard
#   DG_RELEASES_URL   base of the downloads, `<base>/v<version>/<file>`; default
#                     ${GITHUB_SERVER_URL}/${DG_REPOSITORY}/releases/download (tests use file://)
#   DG_SOURCE_ROOT    where `install.sh source` installs; default ~/.deploy-guard/source
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH as GitHub Actions sets them.
# Outputs: version, method (release|source), cache-key (for a source build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/sha256.sh
. "${here}/../lib/sha256.sh"

action_path="${DG_ACTION_PATH:-$(cd "${here}/../.." && pwd)}"
source_root="${DG_SOURCE_ROOT:-${HOME}/.deploy-guard/source}"

fail() {
  echo "::error title=deploy-guard install::$*" >&2
  exit 1
}

output() {
  echo "$1=$2" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# Appends a folder to PATH for the following steps (GITHUB_PATH wants a native path; Windows
# runners run this under Git Bash).
add_to_path() {
  local dir="$1"
  if command -v cygpath >/dev/null 2>&1; then dir="$(cygpath -w "$dir")"; fi
  echo "$dir" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
}

# The version in the action's Cargo.toml: the release its own source belongs to.
own_version() {
  sed -n 's/^version = "\([^"]*\)"$/\1/p' "${action_path}/Cargo.toml" | head -n 1
}

# The release target built for this runner, or nothing.
runner_target() {
  case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
    Linux-X64) echo x86_64-unknown-linux-musl ;;
    Linux-ARM64) echo aarch64-unknown-linux-musl ;;
    macOS-X64) echo x86_64-apple-darwin ;;
    macOS-ARM64) echo aarch64-apple-darwin ;;
    Windows-X64) echo x86_64-pc-windows-msvc ;;
  esac
}

# A digest of the action's Rust source, so a cached source build is reused only for the very
# same source (two commits of one version are two builds).
source_digest() {
  (
    cd "$action_path"
    find Cargo.toml Cargo.lock build.rs src rules -type f | LC_ALL=C sort | while IFS= read -r f; do
      sha256 "$f"
    done
  ) | sha256 | cut -c1-16
}

ask_for_source_build() {
  echo "::notice title=deploy-guard install::$1; building deploy-guard ${version} from the action's source"
  output method source
  output cache-key "deploy-guard-src-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-${version}-$(source_digest)"
}

# fetch URL FILE: downloads; returns 0, or 4 when there is no such file, or fails the step.
fetch() {
  local code=0
  curl --proto '=https,file' --proto-redir '=https' -fsSL --retry 3 -o "$2" "$1" || code=$?
  case "$code" in
    0) return 0 ;;
    22 | 37) return 4 ;; # HTTP 404 and the like; file:// without the file
    *) fail "could not download $1 (curl exit ${code})" ;;
  esac
}

release() {
  version="${DG_VERSION:-}"
  version="${version#v}"
  if [ -z "$version" ]; then version="$(own_version)"; fi
  if [ -z "$version" ]; then fail "no version given and none in ${action_path}/Cargo.toml"; fi
  if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
    fail "version '${version}' is not a release version such as 0.1.0"
  fi
  output version "$version"
  if [ "${DG_FROM_SOURCE:-false}" = true ]; then
    ask_for_source_build "build-from-source is true"
    return
  fi
  local target
  target="$(runner_target)"
  if [ -z "$target" ]; then
    ask_for_source_build "no prebuilt deploy-guard for ${RUNNER_OS:-?}-${RUNNER_ARCH:-?}"
    return
  fi
  local ext=tar.gz exe=deploy-guard
  case "$target" in *windows*) ext=zip exe=deploy-guard.exe ;; esac
  local name="deploy-guard-${version}-${target}"
  local archive="${name}.${ext}"
  local repository="${DG_REPOSITORY:-deploy-guard/deploy-guard}"
  local base="${DG_RELEASES_URL:-${GITHUB_SERVER_URL:-https://github.com}/${repository}/releases/download}"
  base="${base%/}/v${version}"
  local dir="${RUNNER_TEMP:?RUNNER_TEMP is not set}/deploy-guard-${version}"
  rm -rf "$dir"
  mkdir -p "$dir"
  cd "$dir"

  local got=0
  fetch "${base}/${archive}" "$archive" || got=$?
  if [ "$got" -ne 0 ]; then
    ask_for_source_build "release v${version} has no ${archive}"
    return
  fi
  got=0
  fetch "${base}/SHA256SUMS" SHA256SUMS || got=$?
  if [ "$got" -ne 0 ]; then
    fail "release v${version} has ${archive} but no SHA256SUMS to check it against; refusing an unverified binary"
  fi
  local expected actual
  expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print tolower($1); exit }' SHA256SUMS)"
  if [ -z "$expected" ]; then
    fail "SHA256SUMS of release v${version} does not list ${archive}; refusing an unverified binary"
  fi
  actual="$(sha256 "$archive" | cut -d' ' -f1)"
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for ${archive} from ${base}: SHA256SUMS says ${expected}, the download is ${actual}. The file was altered or corrupted; nothing was installed"
  fi
  echo "${archive}: checksum OK (${actual})"

  if [ "$ext" != zip ]; then
    tar -xzf "$archive"
  elif command -v unzip >/dev/null 2>&1; then
    unzip -oq "$archive"
  else
    7z x -y "$archive" >/dev/null
  fi
  local bin="${dir}/${name}"
  local said
  said="$("${bin}/${exe}" --version)" || fail "the downloaded ${exe} does not run on this runner"
  if [ "$said" != "deploy-guard ${version}" ]; then
    fail "the binary in ${archive} says '${said}', not 'deploy-guard ${version}'"
  fi
  echo "installed ${said} (${target}) from ${base}"
  add_to_path "$bin"
  output method release
}

source_build() {
  local bin="${source_root}/bin"
  if [ -x "${bin}/deploy-guard" ] || [ -x "${bin}/deploy-guard.exe" ]; then
    echo "deploy-guard built from source found in the cache: ${bin}"
  else
    if ! command -v cargo >/dev/null 2>&1; then
      fail "building deploy-guard from source needs a Rust toolchain (cargo), and this runner has none: use a runner with Rust, or a version that has a release"
    fi
    cargo install --locked --force --root "$source_root" --path "$action_path"
  fi
  "${bin}/deploy-guard" --version
  add_to_path "$bin"
}

case "${1:-}" in
  release) release ;;
  source) source_build ;;
  target) runner_target ;;
  *)
    echo "usage: $0 release|source|target" >&2
    exit 2
    ;;
esac
