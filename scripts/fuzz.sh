#!/usr/bin/env bash
# Runs every cargo-fuzz target for a set time (default 60 s each): scripts/fuzz.sh [SECONDS] [TARGET...]
# Needs a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz`). Without them it says so and exits 2, never pretending to have fuzzed.
# `scripts/fuzz.sh --check` only builds the targets (a quick check that they still compile).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly fuzz --help >/dev/null 2>&1; then
    echo "error: cargo-fuzz on a nightly toolchain is not available" >&2
    echo "  help: rustup toolchain install nightly && cargo install cargo-fuzz" >&2
    exit 2
fi

if [[ "${1:-}" == "--check" ]]; then
    exec cargo +nightly fuzz build --dev
fi

seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s"
    # -rss_limit_mb bounds memory; a crash leaves its input under fuzz/artifacts/$target/.
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash"
