#!/usr/bin/env bash
# Benchmark: deploy-guard against `git diff` of the same range, side by side in one hyperfine
# run per range, on deterministic synthetic repositories (scripts/gen_monorepo.py).
#
# Usage: scripts/bench.sh [OUT_DIR]            (default /tmp/dg-bench; reused when present)
# Environment:
#   RUNS_SMALL (default 60)  timed runs per command for the PR-sized ranges
#   RUNS_LARGE (default 20)  timed runs per command for the large ranges
#   WARMUP     (default 3)   warm-up runs per command
#   SEMGREP=/path/to/semgrep  also time semgrep --baseline-commit with scripts/bench/semgrep-rules.yml
#                             (install: python3 -m venv /tmp/semgrep-venv &&
#                              /tmp/semgrep-venv/bin/pip install semgrep)
#   SEMGREP_TIMEOUT (default 900) seconds allowed per semgrep run
#
# Targets (issue #6) are reported, not asserted: the exit status is non-zero only when setup
# fails (missing tools, build or generation errors).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/dg-bench}
runs_small=${RUNS_SMALL:-60}
runs_large=${RUNS_LARGE:-20}
warmup=${WARMUP:-3}
semgrep_timeout=${SEMGREP_TIMEOUT:-900}

die() { echo "bench: $*" >&2; exit 2; }
command -v hyperfine >/dev/null ||
    die "hyperfine is missing; install it with: apt-get update && apt-get install -y hyperfine"
[ -x /usr/bin/time ] ||
    die "/usr/bin/time is missing (for peak memory); install it with: apt-get install -y time"
command -v python3 >/dev/null || die "python3 is missing (it runs the repository generator)"

echo "== build: cargo build --release" >&2
(cd "$root" && cargo build --release --quiet) || die "release build failed"
bin="$root/target/release/deploy-guard"

echo "== generate: scripts/gen_monorepo.py $out" >&2
python3 "$root/scripts/gen_monorepo.py" "$out" >&2 || die "repository generation failed"

results="$out/results"
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.mem

# name  repository  head  timed-runs
cases=(
    "pr-100-files small pr $runs_small"
    "pr mono pr $runs_small"
    "large mono large $runs_large"
    "large2x mono large2x $runs_large"
)

for c in "${cases[@]}"; do
    read -r name repo head runs <<<"$c"
    dir="$out/$repo"
    echo "== time: $name ($repo main...$head)" >&2
    # --output=pipe: both tools write into a pipe, as in CI, and neither can spot /dev/null.
    (cd "$dir" && hyperfine -N --output=pipe --style=basic --warmup "$warmup" --runs "$runs" \
        --export-json "$results/$name.json" \
        -n deploy-guard "$bin check --base main --head $head --format json --fail-on never" \
        -n "git diff" "git diff main...$head") >&2 ||
        die "hyperfine failed on $name"
done

# Peak memory (maximum resident set size) on the large ranges, median of three runs.
for head in large large2x; do
    for tool in deploy-guard git; do
        for _ in 1 2 3; do
            if [ "$tool" = git ]; then
                /usr/bin/time -f %M -o "$results/mem.tmp" git -C "$out/mono" diff "main...$head" >/dev/null
            else
                (cd "$out/mono" && /usr/bin/time -f %M -o "$results/mem.tmp" "$bin" check \
                    --base main --head "$head" --format json --fail-on never >/dev/null 2>&1)
            fi
            cat "$results/mem.tmp" >>"$results/$head-$tool.mem"
        done
    done
done
rm -f "$results/mem.tmp"

# Line and file counts of each range, for the table.
for c in "${cases[@]}"; do
    read -r name repo head _ <<<"$c"
    git -C "$out/$repo" diff --shortstat "main...$head" >"$results/$name.stat"
done

if [ -n "${SEMGREP:-}" ]; then
    [ -x "$SEMGREP" ] || die "SEMGREP=$SEMGREP is not an executable"
    export SEMGREP_SEND_METRICS=off SEMGREP_ENABLE_VERSION_CHECK=0
    for head in pr large; do
        # semgrep scans a checked-out head and re-scans the baseline for the files that changed.
        wt="$out/mono-$head"
        [ -d "$wt" ] || git -C "$out/mono" worktree add -q -f "$wt" "$head" || die "worktree $head"
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

python3 - "$results" <<'EOF'
import json, os, re, statistics, sys

results = sys.argv[1]

def timing(name):
    with open(os.path.join(results, name + ".json")) as f:
        runs = {r["command"]: r for r in json.load(f)["results"]}
    return runs["deploy-guard"], runs["git diff"]

def stat(name):
    text = open(os.path.join(results, name + ".stat")).read()
    nums = {k: int(v) for v, k in re.findall(r"(\d+) (file|insertion|deletion)", text)}
    return nums.get("file", 0), nums.get("insertion", 0) + nums.get("deletion", 0)

def mem(name):
    with open(os.path.join(results, name + ".mem")) as f:
        return statistics.median(int(x) for x in f.read().split()) / 1024

def ms(seconds):
    return f"{seconds * 1000:.1f}"

print()
print("| range | repo files | changed files | changed lines | deploy-guard median ms (mean ± sd) | git diff median ms (mean ± sd) | ratio |")
print("|---|---|---|---|---|---|---|")
medians = {}
for name, repo_files in [("pr-100-files", 100), ("pr", 20000), ("large", 20000), ("large2x", 20000)]:
    dg, git = timing(name)
    files, lines = stat(name)
    medians[name] = (dg["median"], git["median"])
    print(f"| {name} | {repo_files} | {files} | {lines} | {ms(dg['median'])} ({ms(dg['mean'])} ± {ms(dg['stddev'])}) "
          f"| {ms(git['median'])} ({ms(git['mean'])} ± {ms(git['stddev'])}) | {dg['median'] / git['median']:.2f}× |")

print()
print("| peak memory (max RSS, median of 3) | deploy-guard MB | git diff MB |")
print("|---|---|---|")
for head in ["large", "large2x"]:
    print(f"| {head} | {mem(head + '-deploy-guard'):.1f} | {mem(head + '-git'):.1f} |")

def verdict(ok):
    return "met" if ok else "NOT met"

large_ratio = medians["large"][0] / medians["large"][1]
pr_ratio = medians["pr"][0] / medians["pr"][1]
untouched = medians["pr"][0] / medians["pr-100-files"][0]
doubling = medians["large2x"][0] / medians["large"][0]
doubling_git = medians["large2x"][1] / medians["large"][1]
peak = mem("large-deploy-guard")
print()
print("| target (issue #6) | measured | verdict |")
print("|---|---|---|")
print(f"| large range ≤ 1.5× git diff | {large_ratio:.2f}× | {verdict(large_ratio <= 1.5)} |")
print(f"| PR-sized range ≤ 3× git diff | {pr_ratio:.2f}× | {verdict(pr_ratio <= 3)} |")
print(f"| peak memory on large range ≤ 150 MB | {peak:.1f} MB | {verdict(peak <= 150)} |")
print(f"| same 6-file change, 20,000 vs 100 files, within 20% | {untouched:.2f}× | {verdict(abs(untouched - 1) <= 0.2)} |")
print(f"| doubling the large range at most doubles the time | {doubling:.2f}× (git diff: {doubling_git:.2f}×) | {verdict(doubling <= 2.0)} |")

semgrep = [h for h in ["pr", "large"] if os.path.exists(os.path.join(results, f"semgrep-{h}.time"))]
if semgrep:
    print()
    print("| semgrep --baseline-commit (one run) | wall s | exit | findings | peak MB | vs deploy-guard median |")
    print("|---|---|---|---|---|---|")
    for h in semgrep:
        start, end, status = open(os.path.join(results, f"semgrep-{h}.time")).read().split()
        wall = float(end) - float(start)
        try:
            found = str(len(json.load(open(os.path.join(results, f"semgrep-{h}.out")))["results"]))
        except (ValueError, KeyError):
            found = "n/a"
        try:
            peak_mb = f"{int(open(os.path.join(results, f'semgrep-{h}.mem')).read().split()[-1]) / 1024:.0f}"
        except (ValueError, IndexError):
            peak_mb = "n/a"
        note = " (timed out)" if status == "124" else ""
        print(f"| {h} | {wall:.1f}{note} | {status} | {found} | {peak_mb} | {wall / medians[h][0]:.0f}× |")
EOF
