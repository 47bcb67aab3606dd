#!/usr/bin/env python3
"""Real-history evaluation: run a deploy-guard binary over the recent history of public repositories.

Every commit C of the last N first-parent commits of each repository's default branch is judged
against its first parent, like a pull request that merged exactly C:

    deploy-guard check --base C^1 --head C --format json --fail-on never   (the findings)
    deploy-guard check --base C^1 --head C --format json                   (the exit code users see)

Merge commits are judged against their first parent (what the merge brought in). A root commit is
judged against an empty tree, through a synthetic parentless empty commit plus a copy of C on top of
it, both created only in the harness's own clone.

Usage
-----
1. Bring the repositories listed in scripts/real-history/repos.txt with the `fetch` tool; each lands
   in <mirrors>/<owner>+<name>/repo (a git directory without a work tree). The harness never writes
   there: it makes a local bare clone under <out>/repos/ (hard links, seconds).
2. Run a binary:
       scripts/real-history.py run --bin /tmp/deploy-guard-baseline --out /tmp/real-history-baseline
   Options: -n 150 (commits per repository), --repos FILE, --mirrors /work/.mirror, --jobs K,
   --timeout 120 (seconds per gate run), --only owner/name (repeatable), --labels FILE,
   --compare-with OLD_OUT (also write the comparison below).
3. Compare two runs (e.g. a newer build against the baseline):
       scripts/real-history.py run --bin target/release/deploy-guard --out /tmp/rh-new \
           --compare-with /tmp/real-history-baseline --labels /tmp/real-history-baseline/labels.tsv
       scripts/real-history.py compare /tmp/real-history-baseline /tmp/rh-new [--labels FILE]
   Both runs must use the same repos.txt heads (pinned with head=) and the same -n.
4. Look for misses (changes a reviewer would flag that the gate did not block):
       scripts/real-history.py misses --out /tmp/real-history-baseline
5. Re-render the summary (e.g. after editing labels):
       scripts/real-history.py summarize --out DIR [--labels FILE]

Outputs (in --out)
------------------
results.jsonl  one object per judged commit: repo, commit, parent, kind (normal|merge|root), subject,
               date, rc (the --fail-on never run), rc_default (the normal run), blocked (any
               unsuppressed error), blocked_rc (rc_default == 1), verdict, secs, findings (as the
               gate reports them), skipped, summary, stderr (when rc != 0 or stderr says more than the
               range line), error (harness-level: timeout, bad JSON).
meta.json      binary path, sha256 and --version, date, N, per-repository head and oldest commit.
summary.md     per repository: commits judged, block rate, exit-2 count, time percentiles; findings
               per rule; skipped reasons by kind, and the skipped files that look deployable (Helm
               template, compose, CloudFormation… guessed from path and content); exit-2 list; every
               blocking finding (with its label when a labels file is given).
compare.md     (compare) new blocks, gone blocks, blocking findings that appeared or disappeared.
misses.md/.jsonl (misses) added/removed lines matching the seed categories' shapes (MISS_PATTERNS)
               and odd or near-miss file names in the judged commits, with the strongest finding of
               that category the gate raised on that file (error / warning / none). A reading list,
               not a verdict: most candidates are harmless.

Requires python3 >= 3.9 and git; nothing else. The gate runs with CI variables removed (GITHUB_ACTIONS,
CI, GITLAB_CI…) so the explicit --base/--head decide the range.

Labels file (TSV, '#' comments): repo  commit-prefix  rule  path  line  label  cause
  label is 'true' or 'false'; '*' in rule/path/line matches anything. Labels are carried into
  summary.md and compare.md so a rerun says which gone blocks were true (regressions) or false
  (improvements).
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_REPOS = HERE / "real-history" / "repos.txt"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


# ---------------------------------------------------------------------------------------------- git
def git(gd, *args, check=True, text=True, input=None, env=None):
    r = subprocess.run(
        ["git", "--git-dir", str(gd), *args],
        capture_output=True, text=text, input=input, env=env,
        **({"errors": "replace"} if text else {}),
    )
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def parse_repos(path):
    repos = []
    for raw in Path(path).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        ent = {"repo": parts[0], "why": raw.split("#", 1)[1].strip() if "#" in raw else ""}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            ent[k] = v
        repos.append(ent)
    return repos


def prepare_clone(ent, mirrors, workdir):
    owner, name = ent["repo"].split("/", 1)
    src = Path(mirrors) / f"{owner}+{name}" / "repo"
    if not src.exists():
        raise RuntimeError(f"no mirror at {src} (bring it with the fetch tool)")
    dst = Path(workdir) / f"{owner}+{name}.git"
    if not dst.exists():
        subprocess.run(["git", "clone", "-q", "--bare", str(src), str(dst)], check=True)
    else:  # refresh from the mirror (it may have been fetched again)
        subprocess.run(["git", "--git-dir", str(dst), "fetch", "-q", str(src),
                        "+refs/heads/*:refs/heads/*", "+HEAD:refs/rh/mirror-head"], check=False)
    return dst


def resolve_head(gd, ent):
    if ent.get("head"):
        h = ent["head"]
        if git(gd, "cat-file", "-t", h, check=False).strip() == "commit":
            return h, "pinned"
        print(f"  {ent['repo']}: pinned head {h} not in the mirror; using the default branch",
              file=sys.stderr)
    ref = ent.get("branch") or "HEAD"
    return git(gd, "rev-parse", ref).strip(), ref


def empty_commit(gd):
    env = dict(os.environ, GIT_AUTHOR_NAME="rh", GIT_AUTHOR_EMAIL="rh@invalid",
               GIT_COMMITTER_NAME="rh", GIT_COMMITTER_EMAIL="rh@invalid",
               GIT_AUTHOR_DATE="1970-01-01T00:00:00Z", GIT_COMMITTER_DATE="1970-01-01T00:00:00Z")
    e = git(gd, "commit-tree", EMPTY_TREE, "-m", "empty (real-history root base)", env=env).strip()
    return e, env


# --------------------------------------------------------------------------------------------- run
GATE_ENV_DROP = ("GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_STEP_SUMMARY",
                 "GITLAB_CI", "CI", "CI_MERGE_REQUEST_IID")


def gate_env():
    env = {k: v for k, v in os.environ.items() if k not in GATE_ENV_DROP}
    env["NO_COLOR"] = "1"
    return env


def run_gate(binary, gd, base, head, extra, timeout):
    cmd = [binary, "check", "--base", base, "--head", head, "--format", "json", *extra]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=str(gd), capture_output=True, timeout=timeout, env=gate_env())
    except subprocess.TimeoutExpired:
        return None, time.monotonic() - t0, "", "", "timeout"
    dt = time.monotonic() - t0
    return (r.returncode, dt, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace"), None)


def judge(binary, gd, repo, c, timeout):
    """c: dict(commit, parents, subject, date, base, head) -> record."""
    rec = {"repo": repo, "commit": c["commit"], "parent": c["parents"][0] if c["parents"] else None,
           "kind": "root" if not c["parents"] else ("merge" if len(c["parents"]) > 1 else "normal"),
           "subject": c["subject"], "date": c["date"], "error": None, "stderr": None}
    rc, dt, out, err, why = run_gate(binary, gd, c["base"], c["head"], ["--fail-on", "never"], timeout)
    rec["rc"], rec["secs"] = rc, round(dt, 4)
    if why:
        rec["error"] = why
    rec["findings"], rec["skipped"], rec["summary"], rec["verdict"] = [], [], None, None
    if rc is not None and out.strip():
        try:
            doc = json.loads(out)
            rec["findings"] = doc.get("findings", [])
            rec["skipped"] = doc.get("skipped", [])
            rec["summary"] = doc.get("summary")
            rec["verdict"] = doc.get("verdict")
        except json.JSONDecodeError as e:
            rec["error"] = f"bad JSON: {e}"
            rec["stdout_head"] = out[:2000]
    extra_err = [l for l in err.splitlines() if l.strip() and not l.startswith("deploy-guard: checking")]
    if rc not in (0, 1) or extra_err:
        rec["stderr"] = err[-4000:]
    rec["blocked"] = any(f.get("severity") == "error" and not f.get("suppressed")
                         for f in rec["findings"])
    rc2, dt2, _, err2, why2 = run_gate(binary, gd, c["base"], c["head"], [], timeout)
    rec["rc_default"], rec["secs_default"] = rc2, round(dt2, 4)
    rec["blocked_rc"] = rc2 == 1
    if why2 and not rec["error"]:
        rec["error"] = f"default run: {why2}"
    if rc2 not in (0, 1) and rec["stderr"] is None:
        rec["stderr"] = err2[-4000:]
    if c["head"] != c["commit"]:
        rec["synthetic_head"] = c["head"]
    return rec


def list_commits(gd, head, n):
    fmt = "%H%x1f%P%x1f%cI%x1f%s%x1e"
    out = git(gd, "log", "--first-parent", f"-n{n}", f"--format={fmt}", head)
    commits = []
    for rec in out.split("\x1e"):
        rec = rec.strip("\n")
        if not rec:
            continue
        h, p, d, s = rec.split("\x1f", 3)
        commits.append({"commit": h, "parents": p.split(), "date": d, "subject": s})
    return commits


def binary_meta(binary):
    h = hashlib.sha256(Path(binary).read_bytes()).hexdigest()
    v = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return {"path": str(Path(binary).resolve()), "sha256": h, "version": v}


def cmd_run(a):
    binary = str(Path(a.bin).resolve())
    if not os.access(binary, os.X_OK):
        sys.exit(f"not an executable: {binary}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(a.workdir) if a.workdir else out / "repos"
    workdir.mkdir(parents=True, exist_ok=True)
    repos = parse_repos(a.repos)
    if a.only:
        repos = [r for r in repos if r["repo"] in a.only]
    meta = {"binary": binary_meta(binary), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "n": a.n, "repos_file": str(Path(a.repos).resolve()), "workdir": str(workdir.resolve()),
            "repos": []}
    tasks = []
    for ent in repos:
        try:
            gd = prepare_clone(ent, a.mirrors, workdir)
        except Exception as e:  # noqa: BLE001
            print(f"skip {ent['repo']}: {e}", file=sys.stderr)
            meta["repos"].append({"repo": ent["repo"], "error": str(e)})
            continue
        head, how = resolve_head(gd, ent)
        n = int(ent.get("n", a.n))
        commits = list_commits(gd, head, n)
        for c in commits:
            if c["parents"]:
                c["base"], c["head"] = c["parents"][0], c["commit"]
            else:
                e, env = empty_commit(gd)
                tree = git(gd, "rev-parse", f"{c['commit']}^{{tree}}").strip()
                c["base"] = e
                c["head"] = git(gd, "commit-tree", tree, "-p", e, "-m", "root copy", env=env).strip()
        meta["repos"].append({"repo": ent["repo"], "why": ent.get("why", ""), "head": head,
                              "head_from": how, "oldest": commits[-1]["commit"] if commits else None,
                              "oldest_date": commits[-1]["date"] if commits else None,
                              "head_date": commits[0]["date"] if commits else None,
                              "commits": len(commits)})
        for i, c in enumerate(commits):
            tasks.append((ent["repo"], i, gd, c))
    print(f"judging {len(tasks)} commits in {len(meta['repos'])} repositories with {binary}",
          file=sys.stderr)
    results = {}
    done = 0
    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(judge, binary, gd, repo, c, a.timeout): (repo, i)
                for repo, i, gd, c in tasks}
        for f in cf.as_completed(futs):
            results[futs[f]] = f.result()
            done += 1
            if done % 100 == 0:
                print(f"  {done}/{len(tasks)}", file=sys.stderr)
    order = {r["repo"]: k for k, r in enumerate(meta["repos"])}
    with open(out / "results.jsonl", "w") as fh:
        for key in sorted(results, key=lambda k: (order[k[0]], k[1])):
            fh.write(json.dumps(results[key], ensure_ascii=False) + "\n")
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    labels = load_labels(a.labels)
    (out / "summary.md").write_text(summarize(out, labels))
    print(f"wrote {out}/results.jsonl, meta.json, summary.md", file=sys.stderr)
    if a.compare_with:
        (out / "compare.md").write_text(compare(Path(a.compare_with), out, labels))
        print(f"wrote {out}/compare.md", file=sys.stderr)


# ------------------------------------------------------------------------------------------ labels
def load_labels(path):
    labels = []
    if not path:
        return labels
    for raw in Path(path).read_text().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cols = raw.split("\t")
        cols += [""] * (7 - len(cols))
        labels.append(dict(zip(("repo", "commit", "rule", "path", "line", "label", "cause"), cols)))
    return labels


def label_for(labels, repo, commit, f):
    for l in labels:
        if l["repo"] != repo or not commit.startswith(l["commit"]):
            continue
        if l["rule"] not in ("*", "") and l["rule"] != f.get("rule"):
            continue
        if l["path"] not in ("*", "") and l["path"] != f.get("path"):
            continue
        if l["line"] not in ("*", "") and l["line"] != str(f.get("line")):
            continue
        return l
    return None


# --------------------------------------------------------------------------------------- summarize
def load(out):
    recs = [json.loads(l) for l in open(Path(out) / "results.jsonl")]
    meta = json.loads((Path(out) / "meta.json").read_text())
    return recs, meta


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def md_cell(s, n=120):
    s = (s or "").replace("\n", " ").replace("|", "\\|").replace("`", "'")
    return s if len(s) <= n else s[: n - 1] + "…"


DEPLOY_EXT = (".yaml", ".yml", ".json", ".template", ".tf", ".env", ".toml", ".conf")


def clones_dir(out, meta, override=None):
    if override:
        return Path(override)
    return Path(meta.get("workdir") or Path(out) / "repos")


def deployable_kind(clones, rec, path):
    """A guess at what a skipped file deploys, or None for prose, images, editor config…"""
    low = path.lower()
    name = low.rsplit("/", 1)[-1]
    if low.endswith((".zip", ".jar", ".war")) and "gradle/wrapper" not in low:
        return "deploy artifact (binary)"
    if low.endswith((".bz2", ".gz", ".tgz")) and ("charts/" in low or "crd" in low):
        return "compressed chart/CRD file"
    if "dockerfile" in name:
        return "Dockerfile"
    if "/.github/workflows/" in "/" + low:
        return "CI workflow"
    if not low.endswith(DEPLOY_EXT) and name != ".env":
        return None
    if name.startswith(("tsconfig", ".eslintrc", "package", "renovate", ".prettierrc")):
        return None
    owner, repo = rec["repo"].split("/", 1)
    gd = clones / f"{owner}+{repo}.git"
    text = git(gd, "show", f"{rec['commit']}:{path}", check=False)
    if not text and rec.get("parent"):
        text = git(gd, "show", f"{rec['parent']}:{path}", check=False)
    head = text[:200000]
    if "{{" in head and ("/templates/" in "/" + low or "apiVersion" in head):
        return "Helm/Go template"
    if "AWS::" in head or "AWSTemplateFormatVersion" in head:
        return "CloudFormation template"
    if re.search(r"(?m)^services:\s*$", head) and "image:" in head:
        return "compose file"
    if re.search(r"(?m)^kind:\s*\w+", head) and "apiVersion:" in head:
        return "Kubernetes manifest"
    if low.endswith(".tf"):
        return "Terraform"
    if "compose" in name:
        return "compose file"
    return None


def reason_kind(reason):
    k = re.sub(r"\s*\(.*\)\s*$", " (…)", reason)
    return re.sub(r"\d+", "N", k)


def blocking(rec):
    return [f for f in rec["findings"] if f.get("severity") == "error" and not f.get("suppressed")]


def summarize(out, labels=()):
    recs, meta = load(out)
    L = []
    b = meta["binary"]
    L.append("# deploy-guard real-history evaluation\n")
    L.append(f"- binary: `{b['path']}` ({b['version']}, sha256 `{b['sha256'][:16]}…`)")
    L.append(f"- run: {meta['started']} → {meta.get('finished', '?')}; last {meta['n']} first-parent "
             "commits per repository, each judged against its first parent "
             "(`check --base C^1 --head C --format json --fail-on never`, plus a default run for the exit code)\n")
    L.append("## Per repository\n")
    L.append("| repository | head | oldest judged | commits | merges/roots | blocked | block rate | "
             "with findings | exit 2 | errors | p50 s | p90 s | p99 s | max s |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    byrepo = defaultdict(list)
    for r in recs:
        byrepo[r["repo"]].append(r)
    tot = Counter()
    all_secs = []
    for m in meta["repos"]:
        rs = byrepo.get(m["repo"], [])
        if not rs:
            L.append(f"| {m['repo']} | – | – | 0 | | | | | | {md_cell(m.get('error', ''))} | | | | |")
            continue
        secs = [r["secs"] for r in rs if r["secs"] is not None]
        all_secs += secs
        nb = sum(r["blocked"] for r in rs)
        c = Counter(n=len(rs), blocked=nb, merges=sum(r["kind"] == "merge" for r in rs),
                    roots=sum(r["kind"] == "root" for r in rs),
                    withf=sum(bool(r["findings"]) for r in rs),
                    exit2=sum(r["rc"] == 2 or r["rc_default"] == 2 for r in rs),
                    errors=sum(bool(r["error"]) for r in rs))
        tot.update(c)
        L.append(f"| {m['repo']} | `{m['head'][:12]}` {m['head_date'][:10]} | `{m['oldest'][:12]}` "
                 f"{m['oldest_date'][:10]} | {c['n']} | {c['merges']}/{c['roots']} | {nb} | "
                 f"{100 * nb / len(rs):.1f}% | {c['withf']} | {c['exit2']} | {c['errors']} | "
                 f"{pct(secs, 50):.3f} | {pct(secs, 90):.3f} | {pct(secs, 99):.3f} | {max(secs):.3f} |")
    if tot["n"]:
        L.append(f"| **all** | | | {tot['n']} | {tot['merges']}/{tot['roots']} | {tot['blocked']} | "
                 f"{100 * tot['blocked'] / tot['n']:.1f}% | {tot['withf']} | {tot['exit2']} | "
                 f"{tot['errors']} | {pct(all_secs, 50):.3f} | {pct(all_secs, 90):.3f} | "
                 f"{pct(all_secs, 99):.3f} | {max(all_secs):.3f} |")
    incons = [r for r in recs if r["rc_default"] in (0, 1) and r["blocked"] != r["blocked_rc"]]
    L.append(f"\nExit code of the default run disagrees with 'any unsuppressed error' in "
             f"{len(incons)} commit(s)" + (": " + ", ".join(f"{r['repo']}@{r['commit'][:12]}"
                                                           for r in incons[:20]) if incons else "."))

    L.append("\n## Findings per rule\n")
    L.append("| rule | severity | findings | unsuppressed | commits | repositories |")
    L.append("|---|---|---|---|---|---|")
    per = defaultdict(lambda: {"sev": "", "n": 0, "uns": 0, "commits": set(), "repos": Counter()})
    for r in recs:
        for f in r["findings"]:
            p = per[f["rule"]]
            p["sev"] = f.get("severity", "")
            p["n"] += 1
            p["uns"] += not f.get("suppressed")
            p["commits"].add((r["repo"], r["commit"]))
            p["repos"][r["repo"].split("/")[1]] += 1
    sev_order = {"error": 0, "warning": 1, "info": 2}
    for rule, p in sorted(per.items(), key=lambda kv: (sev_order.get(kv[1]["sev"], 3), -kv[1]["n"])):
        L.append(f"| `{rule}` | {p['sev']} | {p['n']} | {p['uns']} | {len(p['commits'])} | "
                 + ", ".join(f"{k} {v}" for k, v in p["repos"].most_common()) + " |")

    L.append("\n## Skipped (not checked) entries\n")
    L.append("Reasons are grouped by kind (the parser's detail in parentheses and numbers elided); "
             "examples keep the full reason.\n")
    L.append("| reason | entries | distinct paths | repositories | examples |")
    L.append("|---|---|---|---|---|")
    sk = defaultdict(lambda: {"n": 0, "paths": set(), "repos": Counter(), "ex": []})
    for r in recs:
        for s in r["skipped"]:
            e = sk[reason_kind(s.get("reason", "?"))]
            e["n"] += 1
            if (r["repo"], s["path"]) not in e["paths"] and len(e["ex"]) < 6:
                e["ex"].append(f"{r['repo'].split('/')[1]}@{r['commit'][:10]}:{s['path']} — {s.get('reason')}")
            e["paths"].add((r["repo"], s["path"]))
            e["repos"][r["repo"].split("/")[1]] += 1
    for reason, e in sorted(sk.items(), key=lambda kv: -kv[1]["n"]):
        L.append(f"| {md_cell(reason)} | {e['n']} | {len(e['paths'])} | "
                 + ", ".join(f"{k} {v}" for k, v in e["repos"].most_common())
                 + " | " + "<br>".join(md_cell(x, 200) for x in e["ex"]) + " |")
    exts = Counter()
    for r in recs:
        for s in r["skipped"]:
            exts[(reason_kind(s.get("reason", "?")), Path(s["path"]).suffix.lower() or Path(s["path"]).name)] += 1
    if exts:
        L.append("\nSkipped by reason and extension: " + ", ".join(
            f"{r}:{e} {n}" for (r, e), n in exts.most_common(40)))

    L.append("\n### Skipped files that look deployable\n")
    L.append("Guessed from the path and the head (or base) content: these changes were not fully "
             "judged, so a risk in them would pass unseen.\n")
    L.append("| what | reason | distinct paths | repositories | examples |")
    L.append("|---|---|---|---|---|")
    dep = defaultdict(lambda: {"paths": set(), "repos": Counter(), "ex": []})
    for r in recs:
        for s in r["skipped"]:
            kind = deployable_kind(clones_dir(out, meta), r, s["path"])
            if not kind:
                continue
            e = dep[(kind, reason_kind(s.get("reason", "?")))]
            if (r["repo"], s["path"]) in e["paths"]:
                continue
            e["paths"].add((r["repo"], s["path"]))
            e["repos"][r["repo"].split("/")[1]] += 1
            if len(e["ex"]) < 3:
                e["ex"].append(f"{r['repo'].split('/')[1]}@{r['commit'][:10]}:{s['path']}")
    for (kind, reason), e in sorted(dep.items(), key=lambda kv: -len(kv[1]["paths"])):
        L.append(f"| {kind} | {md_cell(reason)} | {len(e['paths'])} | "
                 + ", ".join(f"{k} {v}" for k, v in e["repos"].most_common()) + " | "
                 + "<br>".join(md_cell(x, 140) for x in e["ex"]) + " |")
    if not dep:
        L.append("| none | | | | |")

    L.append("\n## Exit 2, timeouts, harness errors\n")
    bad = [r for r in recs if r["rc"] not in (0, 1) or r["rc_default"] not in (0, 1) or r["error"]]
    if not bad:
        L.append("None.")
    for r in bad:
        first = (r.get("stderr") or "").strip().splitlines()
        first = [l for l in first if not l.startswith("deploy-guard: checking")]
        L.append(f"- {r['repo']}@`{r['commit'][:12]}` ({r['kind']}) rc={r['rc']}/{r['rc_default']} "
                 f"{r['error'] or ''}: {md_cell(' / '.join(first[:3]), 300)}")

    L.append("\n## Blocking findings (unsuppressed errors)\n")
    L.append("| # | repository | commit | kind | path | line | rule | snippet | label |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    k = 0
    for r in recs:
        for f in blocking(r):
            k += 1
            lab = label_for(labels, r["repo"], r["commit"], f) if labels else None
            lab_s = f"{lab['label']}: {lab['cause']}" if lab else ""
            side = " (base)" if f.get("side") == "base" else ""
            L.append(f"| {k} | {r['repo']} | `{r['commit'][:12]}` | {r['kind']} | `{md_cell(f['path'], 90)}` | "
                     f"{f.get('line') if f.get('line') is not None else '–'}{side} | `{f['rule']}` | "
                     f"`{md_cell(f.get('snippet'), 100)}` | {md_cell(lab_s, 80)} |")
    if k == 0:
        L.append("| | none | | | | | | | |")
    return "\n".join(L) + "\n"


def cmd_summarize(a):
    s = summarize(Path(a.out), load_labels(a.labels))
    (Path(a.out) / "summary.md").write_text(s)
    print(f"wrote {a.out}/summary.md", file=sys.stderr)


# ----------------------------------------------------------------------------------------- compare
def fkey(f):
    return (f["rule"], f["path"], f.get("line"), f.get("side"), (f.get("snippet") or "").strip())


def compare(old_dir, new_dir, labels=()):
    old, om = load(old_dir)
    new, nm = load(new_dir)
    O = {(r["repo"], r["commit"]): r for r in old}
    N = {(r["repo"], r["commit"]): r for r in new}
    both = [k for k in N if k in O]
    L = ["# deploy-guard real-history comparison\n",
         f"- old: `{om['binary']['path']}` ({om['binary']['version']}, `{om['binary']['sha256'][:12]}`) — {old_dir}",
         f"- new: `{nm['binary']['path']}` ({nm['binary']['version']}, `{nm['binary']['sha256'][:12]}`) — {new_dir}",
         f"- commits in both runs: {len(both)}; only old: {len(set(O) - set(N))}; only new: {len(set(N) - set(O))}\n"]
    nb_old = sum(O[k]["blocked"] for k in both)
    nb_new = sum(N[k]["blocked"] for k in both)
    L.append(f"Blocked commits: {nb_old} → {nb_new} (of {len(both)}).")
    ex_old = sum(O[k]["rc_default"] == 2 for k in both)
    ex_new = sum(N[k]["rc_default"] == 2 for k in both)
    L.append(f"Exit 2: {ex_old} → {ex_new}.")
    so = sorted(x for k in both for x in [O[k]["secs"]] if x is not None)
    sn = sorted(x for k in both for x in [N[k]["secs"]] if x is not None)
    L.append(f"Time p50/p99: {pct(so, 50):.3f}/{pct(so, 99):.3f} s → {pct(sn, 50):.3f}/{pct(sn, 99):.3f} s.\n")

    def lab(repo, commit, f):
        l = label_for(labels, repo, commit, f) if labels else None
        return f"{l['label']}: {l['cause']}" if l else "unlabelled"

    sections = [("New blocks (clear before, blocked now)", [k for k in both if N[k]["blocked"] and not O[k]["blocked"]], N),
                ("Gone blocks (blocked before, clear now)", [k for k in both if O[k]["blocked"] and not N[k]["blocked"]], O)]
    for title, keys, src in sections:
        L.append(f"## {title}: {len(keys)}\n")
        for k in keys:
            for f in blocking(src[k]):
                L.append(f"- {k[0]}@`{k[1][:12]}` `{f['path']}`:{f.get('line')} `{f['rule']}` "
                         f"`{md_cell(f.get('snippet'), 90)}` — {lab(k[0], k[1], f)}")
        L.append("")
    app, gone = [], []
    for k in both:
        a = {fkey(f): f for f in blocking(O[k])}
        b = {fkey(f): f for f in blocking(N[k])}
        app += [(k, b[x]) for x in b if x not in a]
        gone += [(k, a[x]) for x in a if x not in b]
    for title, items in (("Blocking findings that appeared", app), ("Blocking findings that disappeared", gone)):
        L.append(f"## {title}: {len(items)}\n")
        tally = Counter()
        for k, f in items:
            tally[lab(k[0], k[1], f).split(":")[0]] += 1
            L.append(f"- {k[0]}@`{k[1][:12]}` `{f['path']}`:{f.get('line')} `{f['rule']}` "
                     f"`{md_cell(f.get('snippet'), 90)}` — {lab(k[0], k[1], f)}")
        if items:
            L.append("\nBy label: " + ", ".join(f"{k} {v}" for k, v in tally.most_common()))
        L.append("")
    ro = Counter(f["rule"] for k in both for f in O[k]["findings"])
    rn = Counter(f["rule"] for k in both for f in N[k]["findings"])
    L.append("## Findings per rule (all severities)\n\n| rule | old | new |\n|---|---|---|")
    for rule in sorted(set(ro) | set(rn)):
        if ro[rule] != rn[rule]:
            L.append(f"| `{rule}` | {ro[rule]} | {rn[rule]} |")
    sko = Counter(reason_kind(s["reason"]) for k in both for s in O[k]["skipped"])
    skn = Counter(reason_kind(s["reason"]) for k in both for s in N[k]["skipped"])
    L.append("\n## Skipped reasons\n\n| reason | old | new |\n|---|---|---|")
    for reason in sorted(set(sko) | set(skn)):
        L.append(f"| {md_cell(reason)} | {sko[reason]} | {skn[reason]} |")
    return "\n".join(L) + "\n"


def cmd_compare(a):
    s = compare(Path(a.old), Path(a.new), load_labels(a.labels))
    dest = Path(a.new) / "compare.md"
    dest.write_text(s)
    print(s)
    print(f"wrote {dest}", file=sys.stderr)


# ------------------------------------------------------------------------------------------ misses
# (category, side, regex): lines a reviewer would look at twice against the five seeds.
MISS_PATTERNS = [
    ("image", "+", r"""(?i)\bimage["']?\s*[:=]\s*["']?[^\s"'#]+:latest\b"""),
    ("image", "+", r"""(?i)\bimage["']?\s*[:=]\s*["']?[a-z0-9][a-z0-9./_-]*["']?\s*(#.*)?$"""),
    ("image", "+", r"""(?i)\bimage["']?\s*[:=].*\$\{[^}]*:-latest\}"""),
    ("image", "+", r"""(?i)^\s*FROM\s+[^\s]+:latest\b"""),
    ("image", "+", r"""(?i)\b(tag|imageTag|image_tag|IMAGE_VERSION|version)["']?\s*[:=]\s*["']?latest["']?\s*$"""),
    ("image", "+", r"""(?i)(fromRegistry|ContainerImage\.from_registry|from_registry)\(\s*["'][^"':@]+(:latest)?["']"""),
    ("image", "+", r"""(?i)\bdocker\s+(run|pull)\b.*\s[a-z0-9./_-]+/[a-z0-9._-]+(:latest)?(\s|$)"""),
    ("cors", "+", r"""(?i)(allow_origins|Access-Control-Allow-Origin|AllowedOrigins|AllowOrigins|allowOrigins|allowedOrigins|CORS_ALLOWED_ORIGINS|CORS_ORIGIN|cors_allowed_origins|enable-cors|cors-allow-origin|AllowOrigin)"""),
    ("cors", "+", r"""(?i)origin\s*[:=]\s*["']\*["']|origin\s*:\s*true\b|cors\(\s*\)"""),
    ("cdn", "+", r"""(?i)(CDN_HOST|CDN_URL|ASSET_HOST|asset_host|assetPrefix|ASSET_PREFIX|publicPath|PUBLIC_URL|STATIC_URL|asset_url)"""),
    ("cdn", "+", r"""(?i)(aws_cloudfront_distribution|AWS::CloudFront::Distribution|cloudfront\.Distribution|CloudFrontWebDistribution|CachePolicy|ForwardedValues|allowed_methods|AllowedMethods)"""),
    ("infra", "-", r"""(?i)(resource\s+"(aws_lb|aws_alb|aws_elb|aws_lb_listener|aws_lb_target_group|aws_route53_record|aws_route53_zone|aws_cloudfront_distribution|google_compute_forwarding_rule|google_compute_global_forwarding_rule|google_dns_record_set)"|AWS::ElasticLoadBalancingV2::|AWS::ElasticLoadBalancing::|AWS::Route53::|AWS::CloudFront::Distribution)"""),
    ("infra", "-", r"""(?i)(ApplicationLoadBalancer|NetworkLoadBalancer|ApplicationLoadBalancedFargateService|ApplicationLoadBalancedEc2Service|ARecord|CnameRecord|HostedZone)\s*\("""),
    ("infra", "-", r"""(?i)^\s*(kind:\s*Ingress|type:\s*LoadBalancer)\s*$"""),
    ("rollout", "+", r"""(?i)(maxUnavailable\s*:\s*["']?100%|minimum_healthy_percent\s*=\s*0\b|MinimumHealthyPercent["']?\s*:\s*0\b|minHealthyPercent\s*:\s*0\b|type\s*:\s*Recreate|AllAtOnce)"""),
]
MISS_RE = [(c, s, re.compile(p)) for c, s, p in MISS_PATTERNS]


ODD_PATH = re.compile(r"(^|/)\s|\s($|/)|\s\.[A-Za-z0-9]+$|[\x00-\x1f\x7f\u00a0\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def norm_name(p):
    import unicodedata
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", p)).lower()


def name_status(gd, rec):
    """(status, old_path or None, new_path) for every changed file, exact bytes decoded."""
    if rec["kind"] == "root":
        args = ["show", "--root", "--format=", "-M", "--name-status", "-z", rec["commit"]]
    else:
        args = ["diff", "-M", "--name-status", "-z", rec["parent"], rec["commit"]]
    parts = git(gd, *args, check=False).split("\0")
    i = 0
    while i < len(parts) and parts[i]:
        st = parts[i]
        if st[:1] in "RC":
            yield st[:1], parts[i + 1], parts[i + 2]
            i += 3
        else:
            yield st[:1], None, parts[i + 1]
            i += 2


def commit_diff(gd, rec):
    if rec["kind"] == "root":
        args = ["show", "--root", "--format=", "-M", "-U0", "--no-color", "--no-ext-diff", rec["commit"]]
    else:
        args = ["diff", "-M", "-U0", "--no-color", "--no-ext-diff", rec["parent"], rec["commit"]]
    return git(gd, *args, check=False)


def parse_diff(text):
    """Yield (path, side, line_no, text) for +/- lines (paths as git prints them)."""
    path = old = None
    ln_new = ln_old = 0
    for l in text.splitlines():
        if l.startswith("diff --git "):
            path = old = None
        elif l.startswith("rename from "):
            old = l[len("rename from "):]
        elif l.startswith("--- "):
            old = old or (l[6:] if l.startswith("--- a/") else None)
        elif l.startswith("+++ "):
            path = l[6:].removesuffix("\t") if l.startswith("+++ b/") else old
        elif l.startswith("@@"):
            m = re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", l)
            if m:
                ln_old, ln_new = int(m.group(1)), int(m.group(2))
        elif l.startswith("+") and path:
            yield (path, "+", ln_new, l[1:])
            ln_new += 1
        elif l.startswith("-") and path:
            yield (path, "-", ln_old, l[1:])
            ln_old += 1


def cmd_misses(a):
    out = Path(a.out)
    recs, meta = load(out)
    workdir = clones_dir(out, meta, a.workdir)
    cands = []
    for r in recs:
        owner, name = r["repo"].split("/", 1)
        gd = workdir / f"{owner}+{name}.git"
        by_path = defaultdict(list)
        for f in r["findings"]:
            by_path[f["path"]].append(f)
        for status, old, new in name_status(gd, r):
            odd = ODD_PATH.search(new)
            near = old and old != new and norm_name(old) == norm_name(new)
            if odd or near:
                cands.append({"repo": r["repo"], "commit": r["commit"], "category": "filename",
                              "path": new, "side": status, "line": None,
                              "text": f"{old!r} -> {new!r}" if old else repr(new),
                              "gate": gate_on(by_path.get(new, []), "filename")})
        for path, side, ln, text in parse_diff(commit_diff(gd, r)):
            if len(text) > 400:
                continue
            for cat, s, rx in MISS_RE:
                if s == side and rx.search(text):
                    cands.append({"repo": r["repo"], "commit": r["commit"], "category": cat,
                                  "path": path, "side": side, "line": ln, "text": text.strip(),
                                  "gate": gate_on(by_path.get(path, []), cat)})
                    break
    with open(out / "misses.jsonl", "w") as fh:
        for c in cands:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    L = ["# Miss candidates\n",
         "Added (+) or removed (-) lines in the judged commits that match a seed category's shapes, "
         "and paths (status A/R/M…) with edge whitespace, control or invisible characters or a rename "
         "that only changes case/spacing. `gate` is the strongest unsuppressed finding of that "
         "category the gate reported on that file in that commit (`none` = silent). Read them: most "
         "are harmless.\n"]
    tally = Counter((c["category"], c["gate"]) for c in cands)
    L.append("| category | gate error | gate warning/info | gate silent |\n|---|---|---|---|")
    for cat in sorted({c for c, _ in tally}):
        L.append(f"| {cat} | {tally[(cat, 'error')]} | {tally[(cat, 'warning')] + tally[(cat, 'info')]} | {tally[(cat, 'none')]} |")
    for cat in sorted({c["category"] for c in cands}):
        L.append(f"\n## {cat}\n")
        seen = set()
        for c in cands:
            if c["category"] != cat or c["gate"] == "error":
                continue
            key = (c["repo"], c["path"], c["text"])
            if key in seen:
                continue
            seen.add(key)
            L.append(f"- [{c['gate']}] {c['repo']}@`{c['commit'][:12]}` `{md_cell(c['path'], 90)}`:"
                     f"{c['line'] or ''} {c['side']} `{md_cell(c['text'], 140)}`")
    (out / "misses.md").write_text("\n".join(L) + "\n")
    print(f"wrote {out}/misses.jsonl ({len(cands)} candidates), misses.md", file=sys.stderr)


def gate_on(findings, cat):
    best = "none"
    for f in findings:
        if f["rule"].split("/")[0] != cat or f.get("suppressed"):
            continue
        if f["severity"] == "error":
            return "error"
        if f["severity"] == "warning" or best == "none":
            best = f["severity"]
    return best


# -------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="judge the recent history of every repository with one binary")
    r.add_argument("--bin", required=True, help="deploy-guard binary to evaluate")
    r.add_argument("--out", required=True, help="output directory (results.jsonl, meta.json, summary.md)")
    r.add_argument("-n", type=int, default=150, help="first-parent commits per repository (default 150)")
    r.add_argument("--repos", default=str(DEFAULT_REPOS), help="repository list (default %(default)s)")
    r.add_argument("--mirrors", default="/work/.mirror", help="where fetch puts mirrors (default %(default)s)")
    r.add_argument("--workdir", help="where to keep the local bare clones (default OUT/repos)")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    r.add_argument("--timeout", type=float, default=120.0, help="seconds per gate run")
    r.add_argument("--only", action="append", help="only this owner/name (repeatable)")
    r.add_argument("--labels", help="labels TSV for blocking findings")
    r.add_argument("--compare-with", help="an earlier run's output directory: also write compare.md")
    r.set_defaults(fn=cmd_run)
    s = sub.add_parser("summarize", help="rewrite summary.md from results.jsonl")
    s.add_argument("--out", required=True)
    s.add_argument("--labels")
    s.set_defaults(fn=cmd_summarize)
    c = sub.add_parser("compare", help="new blocks / gone blocks between two runs")
    c.add_argument("old")
    c.add_argument("new")
    c.add_argument("--labels")
    c.set_defaults(fn=cmd_compare)
    m = sub.add_parser("misses", help="list seed-shaped changes the gate did not block")
    m.add_argument("--out", required=True)
    m.add_argument("--workdir")
    m.set_defaults(fn=cmd_misses)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
