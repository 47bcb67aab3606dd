#!/usr/bin/env bash
# Tests the release workflow's scripts that .ci/run does not already exercise through the
# action's tests: the version check against a tag, and moving the major tag, pushed for real
# into a local bare repository (the workflow pushes to GitHub; that push is the dry-run part).
#
#   scripts/ci/test-release.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "${root}/scripts/ci/lib.sh"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

version="$("${root}/scripts/release/check-version.sh")"
ok "every file names version ${version}"
code=0
"${root}/scripts/release/check-version.sh" "v${version}" > /dev/null || code=$?
expect_eq "check-version: the matching tag passes" "$code" 0
code=0
"${root}/scripts/release/check-version.sh" "v${version}9" > "${scratch}/wrong-tag.log" 2>&1 || code=$?
expect_eq "check-version: another tag fails" "$code" 1
expect_in "check-version: says why" "${scratch}/wrong-tag.log" "is not v${version}"

remote="${scratch}/remote.git"
git init -q --bare "$remote"
new_repo "${scratch}/work"
cd "${scratch}/work"
git remote add origin "$remote"
git push -q origin main
git tag v0.1.0 main
git tag -a -m "annotated" v0.1.1 clean
mover="${root}/scripts/release/move-major-tag.sh"

DRY_RUN=1 "$mover" v0.1.0 > "${scratch}/dry.log"
expect_in "major tag, dry run: says what it would do" "${scratch}/dry.log" "would point v0 at v0.1.0"
expect_eq "major tag, dry run: pushes nothing" "$(git -C "$remote" tag)" ""

"$mover" v0.1.0 > /dev/null 2>&1
expect_eq "major tag: v0 created at v0.1.0" "$(git -C "$remote" rev-parse v0)" "$(git rev-parse v0.1.0)"
"$mover" v0.1.1 > /dev/null 2>&1
expect_eq "major tag: v0 moved to v0.1.1 (an annotated tag's commit)" \
  "$(git -C "$remote" rev-parse 'v0^{commit}')" "$(git rev-parse 'v0.1.1^{commit}')"

code=0
"$mover" v0 > "${scratch}/not-release.log" 2>&1 || code=$?
expect_eq "major tag: a tag that is not vX.Y.Z is refused" "$code" 2

finish
