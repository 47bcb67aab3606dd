#!/usr/bin/env bash
# Checks that every place naming deploy-guard's version names the same one, and, given a tag,
# that the tag is that version:
#   Cargo.toml                         version = "X.Y.Z"   (the crate, the binary, the wheel)
#   pyproject.toml                     version = "X.Y.Z", dependencies = ["deploy-guard==X.Y.Z"]
#   templates/deploy-guard.gitlab-ci.yml   DEPLOY_GUARD_VERSION: "X.Y.Z"
#
#   scripts/release/check-version.sh [vX.Y.Z]
# Prints the version. The release workflow runs it on the pushed tag; .ci/run runs it too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

first() { sed -n "$1" "$2" | head -n 1; }
cargo="$(first 's/^version = "\([^"]*\)"$/\1/p' Cargo.toml)"
shim="$(first 's/^version = "\([^"]*\)"$/\1/p' pyproject.toml)"
pin="$(first 's/^dependencies = \["deploy-guard==\([^"]*\)"\]$/\1/p' pyproject.toml)"
gitlab="$(first 's/^ *DEPLOY_GUARD_VERSION: "\([^"]*\)".*$/\1/p' templates/deploy-guard.gitlab-ci.yml)"

status=0
if ! [[ "$cargo" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "error: Cargo.toml's version '${cargo}' is not X.Y.Z" >&2
  status=1
fi
for pair in "pyproject.toml version:${shim}" "pyproject.toml deploy-guard pin:${pin}" \
  "templates/deploy-guard.gitlab-ci.yml DEPLOY_GUARD_VERSION:${gitlab}"; do
  if [ "${pair##*:}" != "$cargo" ]; then
    echo "error: ${pair%:*} is '${pair##*:}', Cargo.toml says '${cargo}'" >&2
    status=1
  fi
done
if [ "$#" -ge 1 ] && [ "$1" != "v${cargo}" ]; then
  echo "error: tag '$1' is not v${cargo}, the version in Cargo.toml" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then exit "$status"; fi
echo "$cargo"
