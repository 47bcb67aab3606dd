#!/usr/bin/env bash
# Packs one built deploy-guard binary as a release archive:
#   deploy-guard-<version>-<target>.tar.gz   (.zip for Windows targets)
# holding a folder of the same name with the binary, the README and both licences.
#
#   scripts/release/package.sh VERSION TARGET BINARY OUT_DIR
#
# VERSION is `0.1.0` or `v0.1.0`; BINARY the built executable. Prints the archive's path.
# The release workflow packs every target with it, and .ci/run packs the binary it built, so the
# archive the action's tests download is made the way a release's is.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 VERSION TARGET BINARY OUT_DIR" >&2
  exit 2
fi
version="${1#v}"
target="$2"
binary="$3"
out="$4"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [ ! -f "$binary" ]; then
  echo "error: no binary at ${binary}" >&2
  exit 2
fi
name="deploy-guard-${version}-${target}"
exe=deploy-guard
case "$target" in *windows*) exe=deploy-guard.exe ;; esac

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "${stage}/${name}"
cp "$binary" "${stage}/${name}/${exe}"
chmod 755 "${stage}/${name}/${exe}"
cp "${root}/README.md" "${root}/LICENSE-MIT" "${root}/LICENSE-APACHE" "${stage}/${name}/"

cd "$stage"
case "$target" in
  *windows*)
    archive="${out}/${name}.zip"
    rm -f "$archive"
    if command -v 7z >/dev/null 2>&1; then
      7z a -tzip "$archive" "$name" >/dev/null
    elif command -v zip >/dev/null 2>&1; then
      zip -qr "$archive" "$name"
    else
      python3 -m zipfile -c "$archive" "$name"
    fi
    ;;
  *)
    archive="${out}/${name}.tar.gz"
    tar -czf "$archive" "$name"
    ;;
esac
echo "$archive"
