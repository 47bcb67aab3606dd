#!/usr/bin/env bash
# Benchmark: deploy-guard against `git diff` of the same range, side by side, on deterministic
# synthetic repositories (scripts/gen_monorepo.py). Prints Markdown tables (figures, issue #6
# targets met or not) on stdout; progress goes to stderr.
#
# Usage: scripts/bench.sh [OUT_DIR]            (default /tmp/dg-bench; reused when present)
# Environment:
#   ROUNDS     (default 5)   rounds; each round times every range once with hyperfine, so slow
#                            drifts in machine load spread over all commands instead of biasing one
#   RUNS_SMALL (default 15)  timed runs per command per round, PR-sized ranges
#   RUNS_LARGE (default 4)   timed runs per command per round, large ranges
#   WARMUP     (default 2)   warm-up runs per command per round
#   INSTRUCTIONS (default 1) also count instructions once per command with valgrind (callgrind):
#                            the figure that noise on a shared machine does not move; 0 skips it
#   DG_BIN=/path/to/deploy-guard  time this binary instead of building this checkout's release
#                            binary (e.g. another branch's build, to compare before and after)
#   SEMGREP=/path/to/semgrep  also time semgrep --baseline-commit with scripts/bench/semgrep-rules.yml
#                             (install: python3 -m venv /tmp/semgrep-venv &&
#                              /tmp/semgrep-venv/bin/pip install semgrep)
#   SEMGREP_TIMEOUT (default 900) seconds allowed per semgrep run
#
# Targets are reported, not asserted: the exit status is non-zero only when setup fails (missing
# tools, build or generation errors).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/dg-bench}
rounds=${ROUNDS:-5}
runs_small=${RUNS_SMALL:-15}
runs_large=${RUNS_LARGE:-4}
warmup=${WARMUP:-2}
instructions=${INSTRUCTIONS:-1}
semgrep_timeout=${SEMGREP_TIMEOUT:-900}

die() { echo "bench: $*" >&2; exit 2; }
command -v hyperfine >/dev/null ||
    die "hyperfine is missing; install it with: apt-get update && apt-get install -y hyperfine"
[ -x /usr/bin/time ] ||
    die "/usr/bin/time is missing (for peak memory); install it with: apt-get install -y time"
command -v python3 >/dev/null || die "python3 is missing (it runs the generator and the report)"
if [ "$instructions" != 0 ] && ! command -v valgrind >/dev/null; then
    die "valgrind is missing (for instruction counts); install it with: apt-get install -y valgrind, or set INSTRUCTIONS=0"
fi

if [ -n "${DG_BIN:-}" ]; then
    [ -x "$DG_BIN" ] || die "DG_BIN=$DG_BIN is not an executable"
    bin=$DG_BIN
else
    echo "== build: cargo build --release" >&2
    (cd "$root" && cargo build --release --quiet) || die "release build failed"
    bin="$root/target/release/deploy-guard"
fi

echo "== generate: scripts/gen_monorepo.py $out" >&2
python3 "$root/scripts/gen_monorepo.py" "$out" >&2 || die "repository generation failed"

results="$out/results"
rm -rf "$results"
mkdir -p "$results"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "deploy-guard: $bin ($("$bin" --version))"
    echo "bench scripts at: $(git -C "$root" rev-parse --short HEAD) ($(git -C "$root" rev-parse --abbrev-ref HEAD))"
    echo "cpu: $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "tools: $(git --version), $(hyperfine --version)"
} >"$results/machine.txt"

# name  repository  head  runs-per-round
cases=(
    "pr-100-files small pr $runs_small"
    "pr mono pr $runs_small"
    "large mono large $runs_large"
    "large2x mono large2x $runs_large"
)
dg_args() { echo "check --base main --head $1 --format json --fail-on never"; }

for round in $(seq "$rounds"); do
    for c in "${cases[@]}"; do
        read -r name repo head runs <<<"$c"
        echo "== time: round $round/$rounds, $name ($repo main...$head)" >&2
        # --output=pipe: both tools write into a pipe, as in CI, and neither can spot /dev/null.
        (cd "$out/$repo" && hyperfine -N --output=pipe --style=none --warmup "$warmup" \
            --runs "$runs" --export-json "$results/$name.round$round.json" \
            -n deploy-guard "$bin $(dg_args "$head")" \
            -n "git diff" "git diff main...$head") ||
            die "hyperfine failed on $name"
    done
done

echo "== peak memory" >&2
for head in large large2x; do
    for _ in 1 2 3; do
        # shellcheck disable=SC2046 # dg_args is split into words on purpose
        (cd "$out/mono" && /usr/bin/time -f %M -a -o "$results/$head.deploy-guard.mem" \
            "$bin" $(dg_args "$head") >/dev/null 2>&1)
        (cd "$out/mono" && /usr/bin/time -f %M -a -o "$results/$head.git.mem" \
            git diff "main...$head" >/dev/null)
    done
done

if [ "$instructions" != 0 ]; then
    for c in "${cases[@]}"; do
        read -r name repo head _ <<<"$c"
        echo "== instructions: $name" >&2
        # shellcheck disable=SC2046
        (cd "$out/$repo" &&
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" $(dg_args "$head") \
                2>&1 >/dev/null | sed -n 's/.*refs: *//p' | tr -d , >"$results/$name.deploy-guard.ir" &&
            valgrind --tool=callgrind --callgrind-out-file=/dev/null git diff "main...$head" \
                2>&1 >/dev/null | sed -n 's/.*refs: *//p' | tr -d , >"$results/$name.git.ir")
    done
fi

for c in "${cases[@]}"; do
    read -r name repo head _ <<<"$c"
    git -C "$out/$repo" diff --shortstat "main...$head" >"$results/$name.stat"
done

if [ -n "${SEMGREP:-}" ]; then
    [ -x "$SEMGREP" ] || die "SEMGREP=$SEMGREP is not an executable"
    export SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0
    "$SEMGREP" --version >"$results/semgrep.version"
    for head in pr large; do
        # semgrep scans a checked-out head, then re-scans the changed files at the baseline.
        wt="$out/mono-$head"
        [ -d "$wt" ] || git -C "$out/mono" worktree add -q -f "$wt" "$head" >&2 ||
            die "cannot check out $head into $wt"
        echo "== semgrep: mono main...$head (timeout ${semgrep_timeout}s)" >&2
        start=$(date +%s.%N)
        status=0
        (cd "$wt" && timeout "$semgrep_timeout" /usr/bin/time -f %M -o "$results/semgrep-$head.mem" \
            "$SEMGREP" scan --metrics=off --disable-version-check --baseline-commit main \
            --config "$root/scripts/bench/semgrep-rules.yml" --json --quiet \
            >"$results/semgrep-$head.out" 2>"$results/semgrep-$head.err") || status=$?
        end=$(date +%s.%N)
        echo "$start $end $status" >"$results/semgrep-$head.time"
    done
fi

python3 "$root/scripts/bench/report.py" "$results"
