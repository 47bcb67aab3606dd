#!/usr/bin/env bash
# Writes DIR/SHA256SUMS: one `sha256sum` line for every file a release publishes in DIR (the
# archives, the wheels and the source distribution), sorted by name. Users check a download with
# `sha256sum --ignore-missing -c SHA256SUMS`; the action checks its archive against it.
#
#   scripts/release/checksums.sh DIR
set -euo pipefail
# shellcheck source=../lib/sha256.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sha256.sh"

if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
cd "$1"
shopt -s nullglob
files=(*.tar.gz *.zip *.whl)
if [ "${#files[@]}" -eq 0 ]; then
  echo "error: nothing to checksum in $1" >&2
  exit 2
fi
mapfile -t sorted < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)
sha256 "${sorted[@]}" > SHA256SUMS
cat SHA256SUMS
