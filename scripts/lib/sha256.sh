# shellcheck shell=bash
# sha256 FILE...: prints "<hex>  <file>" lines like sha256sum, on Linux (sha256sum), macOS
# (shasum) and Windows runners (Git Bash has sha256sum). Sourced by the release and action scripts.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}
