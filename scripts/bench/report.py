#!/usr/bin/env python3
"""Turns the files scripts/bench.sh leaves in RESULTS_DIR into Markdown tables.

Usage: scripts/bench/report.py RESULTS_DIR

Wall-clock figures pool the runs of every round (hyperfine JSON `times`) and take the median;
CPU figures are user + system time, averaged over runs; instruction counts come from one
callgrind run per command and do not move with machine load.
"""

import glob
import json
import os
import re
import statistics
import sys

CASES = [("pr-100-files", 100), ("pr", 20_000), ("large", 20_000), ("large2x", 20_000)]
TOOLS = ["deploy-guard", "git diff"]


def read(results, name):
    with open(os.path.join(results, name)) as f:
        return f.read()


def timings(results, case):
    """{tool: (median wall s, mean cpu s, runs)} pooled over rounds."""
    walls = {tool: [] for tool in TOOLS}
    cpus = {tool: [] for tool in TOOLS}
    for path in sorted(glob.glob(os.path.join(results, f"{case}.round*.json"))):
        with open(path) as f:
            for run in json.load(f)["results"]:
                walls[run["command"]] += run["times"]
                cpus[run["command"]] += [run["user"] + run["system"]] * len(run["times"])
    return {
        tool: (statistics.median(walls[tool]), statistics.mean(cpus[tool]), len(walls[tool]))
        for tool in TOOLS
    }


def shortstat(results, case):
    text = read(results, f"{case}.stat")
    nums = {k: int(v) for v, k in re.findall(r"(\d+) (file|insertion|deletion)", text)}
    return nums.get("file", 0), nums.get("insertion", 0) + nums.get("deletion", 0)


def optional_int(results, name):
    try:
        return int(read(results, name).split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def peak_mb(results, name):
    values = [int(v) for v in read(results, name).split()]
    return statistics.median(values) / 1024


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def millions(count):
    return "n/a" if count is None else f"{count / 1e6:.1f} M"


def main():
    results = sys.argv[1]
    print(read(results, "machine.txt").strip().replace("\n", "  \n"))
    print()
    print("| range | repo files | changed files | changed lines | runs | deploy-guard median ms | git diff median ms "
          "| wall ratio | CPU ms dg / git | CPU ratio | instructions dg / git | instr. ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    wall, ir = {}, {}
    for case, repo_files in CASES:
        t = timings(results, case)
        files, lines = shortstat(results, case)
        (dg_wall, dg_cpu, runs), (git_wall, git_cpu, _) = t["deploy-guard"], t["git diff"]
        wall[case] = (dg_wall, git_wall)
        ir[case] = (optional_int(results, f"{case}.deploy-guard.ir"), optional_int(results, f"{case}.git.ir"))
        ir_ratio = f"{ir[case][0] / ir[case][1]:.2f}×" if None not in ir[case] else "n/a"
        print(f"| {case} | {repo_files:,} | {files:,} | {lines:,} | {runs} | {ms(dg_wall)} | {ms(git_wall)} "
              f"| {dg_wall / git_wall:.2f}× | {ms(dg_cpu)} / {ms(git_cpu)} | {dg_cpu / git_cpu:.2f}× "
              f"| {millions(ir[case][0])} / {millions(ir[case][1])} | {ir_ratio} |")

    print()
    print("| peak memory (max RSS, median of 3) | deploy-guard MB | git diff MB |")
    print("|---|---|---|")
    for head in ["large", "large2x"]:
        print(f"| {head} | {peak_mb(results, head + '.deploy-guard.mem'):.1f} | {peak_mb(results, head + '.git.mem'):.1f} |")

    def ratio(values, a, b):
        if None in (values[a][0], values[b][0]):
            return None
        return values[a][0] / values[b][0]

    def versus_git(values, case):
        return None if None in values[case] else values[case][0] / values[case][1]

    def fmt(x):
        return "n/a" if x is None else f"{x:.2f}×"

    peak = peak_mb(results, "large.deploy-guard.mem")
    rows = [
        ("large range ≤ 1.5× git diff", versus_git(wall, "large"), versus_git(ir, "large"), lambda x: x <= 1.5),
        ("PR-sized range ≤ 3× git diff", versus_git(wall, "pr"), versus_git(ir, "pr"), lambda x: x <= 3),
        ("same 6-file change, 20,000 vs 100 files, within 20%", ratio(wall, "pr", "pr-100-files"),
         ratio(ir, "pr", "pr-100-files"), lambda x: abs(x - 1) <= 0.2),
        ("doubling the large range at most doubles the time", ratio(wall, "large2x", "large"),
         ratio(ir, "large2x", "large"), lambda x: x <= 2.0),
    ]
    print()
    print("| target (issue #6) | wall-clock median | verdict | instructions (noise-free) | verdict |")
    print("|---|---|---|---|---|")
    for label, by_wall, by_ir, ok in rows:
        print(f"| {label} | {fmt(by_wall)} | {'met' if ok(by_wall) else 'NOT met'} | {fmt(by_ir)} "
              f"| {'n/a' if by_ir is None else 'met' if ok(by_ir) else 'NOT met'} |")
    print(f"| peak memory on the large range ≤ 150 MB | {peak:.1f} MB | {'met' if peak <= 150 else 'NOT met'} | | |")

    semgrep = [h for h in ["pr", "large"] if os.path.exists(os.path.join(results, f"semgrep-{h}.time"))]
    if semgrep:
        print()
        print(f"semgrep {read(results, 'semgrep.version').strip()}, one run each:")
        print()
        print("| semgrep --baseline-commit main | wall s | exit | findings | peak MB | vs deploy-guard median |")
        print("|---|---|---|---|---|---|")
        for head in semgrep:
            start, end, status = read(results, f"semgrep-{head}.time").split()
            seconds = float(end) - float(start)
            try:
                found = str(len(json.loads(read(results, f"semgrep-{head}.out"))["results"]))
            except (ValueError, KeyError):
                found = "n/a"
            peak_kb = optional_int(results, f"semgrep-{head}.mem")
            peak_text = "n/a" if peak_kb is None else f"{peak_kb / 1024:.0f}"
            timed_out = " (timed out)" if status == "124" else ""
            print(f"| {head} | {seconds:.1f}{timed_out} | {status} | {found} | {peak_text} "
                  f"| {seconds / wall[head][0]:.0f}× |")


if __name__ == "__main__":
    main()
