#!/usr/bin/env bash
# Points the major tag (v0 for v0.1.0, v1 for v1.4.2) at a release tag's commit and pushes it,
# so `uses: deploy-guard/deploy-guard@v0` and `rev: v0` follow the newest release of that major.
#
#   scripts/release/move-major-tag.sh TAG [REMOTE]     (REMOTE defaults to origin)
#
# Run from a clone whose REMOTE can be pushed to (the release workflow's checkout; .ci/run uses
# a local bare repository). With DRY_RUN=1 it says what it would do and changes nothing.
set -euo pipefail

tag="${1:?usage: $0 TAG [REMOTE]}"
remote="${2:-origin}"
if ! [[ "$tag" =~ ^v([0-9]+)\.[0-9]+\.[0-9]+$ ]]; then
  echo "error: '${tag}' is not a release tag (vX.Y.Z); the major tag moves only for releases" >&2
  exit 2
fi
major="v${BASH_REMATCH[1]}"
commit="$(git rev-parse --verify -q "refs/tags/${tag}^{commit}")" || {
  echo "error: no tag ${tag} in this clone" >&2
  exit 2
}
if [ "${DRY_RUN:-}" = 1 ]; then
  echo "would point ${major} at ${tag} (${commit}) and push it to ${remote}"
  exit 0
fi
git tag -f "$major" "$commit"
git push --force "$remote" "refs/tags/${major}"
echo "${major} -> ${tag} (${commit})"
