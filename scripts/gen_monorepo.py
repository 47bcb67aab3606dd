#!/usr/bin/env python3
"""Deterministic synthetic monorepos for benchmarking deploy-guard against `git diff`.

Usage: scripts/gen_monorepo.py [OUT_DIR]     (default /tmp/dg-bench)

Writes two repositories, each built with one `git fast-import` stream (fixed seeds, fixed
author dates, so commit ids are identical run to run):

  OUT_DIR/mono   20,000 files under services/svc-000 .. svc-199 (JS, TS, Python, Go, Java,
                 k8s / compose / CloudFormation YAML, Dockerfiles, Terraform, templates,
                 Markdown), branch `main` plus three heads forked from it:
                   pr       6 files, a few dozen changed lines, some risky
                   large    2,000 files (1,800 modified, 200 added), ~200,000 changed lines,
                            risky lines (image: app:latest, origin: '*', CDN_HOST=) sprinkled in
                   large2x  `large` plus as much again: ~4,000 files, ~400,000 changed lines
  OUT_DIR/small  the first 100 files of mono (services/svc-000, byte-identical), branch
                 `main` and the same `pr` change.

If OUT_DIR/<repo>/.git/dg-bench-stamp matches this generator's version, the repository is
reused. Prints one line per repository with its branches and their commit ids.
"""

import os
import random
import subprocess
import sys

VERSION = "dg-bench-3"  # bump when the generated content changes
SEED = 20261122
FILES = 20_000
PER_SERVICE = 100
SMALL_FILES = 100
LARGE_MODIFIED = 1_800
LARGE_ADDED = 200
REPLACED_LINES = 57  # per modified file: 57 removed + 57 added (git aligns ~11% of them)
ADDED_FILE_LINES = 100
RISKY_EVERY = 400  # about one risky line per this many generated head lines
DATE = "1700000000 +0000"

# One service's composition (100 slots), shuffled once with a fixed seed, so every service has
# the same mix and the small repository (one service) is representative.
MIX = (
    ["js"] * 18 + ["ts"] * 18 + ["py"] * 15 + ["go"] * 12 + ["java"] * 10
    + ["k8s"] * 6 + ["compose"] * 2 + ["cfn"] * 2 + ["docker"] * 3 + ["tf"] * 5
    + ["tmpl"] * 4 + ["md"] * 5
)
assert len(MIX) == PER_SERVICE
random.Random(SEED).shuffle(MIX)

WORDS = (
    "user order account invoice payment session token cart item price stock report event "
    "queue worker cache config route handler client server request response limit retry "
    "timeout region bucket metric trace span batch record schema field index shard"
).split()
HOSTS = ["app.example.com", "admin.example.com", "api.example.org", "static.example.net"]

# Line templates per kind. {w}/{W} are words (lower/Capitalised), {n} numbers, {h} hosts.
TEMPLATES = {
    "js": [
        "const {w}{n} = await fetch{W}(req.params.{w});",
        "  if (!{w}) {{ throw new Error('missing {w} {n}'); }}",
        "export function {w}{W}{n}({w}, {w}Id) {{",
        "  return {w}.map((x) => x.{w} * {n});",
        "}}",
        "// {w} {w} {w}: see ticket {n}",
        "app.get('/{w}/:{w}Id', {w}Handler{n});",
        "app.use(cors({{ origin: ['https://{h}'] }}));",
        "  logger.info(`{w} ${{{w}.id}} took ${{ms}}ms`);",
        "module.exports.{w}{n} = {w}{W};",
    ],
    "ts": [
        "export interface {W}{n} {{ {w}: string; {w}Id: number }}",
        "  private readonly {w}{n}: Map<string, {W}> = new Map();",
        "import {{ {W}Service }} from '../{w}/{w}.service';",
        "  async {w}{W}({w}: {W}): Promise<{W} | undefined> {{",
        "    return this.{w}Repo.findOne({{ where: {{ id: {w}.id }} }});",
        "  }}",
        "const {w}Url = `https://{h}/{w}/${{id}}`;",
        "// TODO({w}): remove after migration {n}",
        "export const {W}_LIMIT = {n};",
    ],
    "py": [
        "def {w}_{w}{n}({w}, {w}_id=None):",
        "    if {w} is None:",
        "        raise ValueError(\"missing {w} {n}\")",
        "    return [{w}.{w} for {w} in {w}s if {w}.id > {n}]",
        "from .{w} import {W}{W}",
        "class {W}{n}({W}Base):",
        "    {w}_limit = settings.get(\"{w}_limit\", {n})",
        "# {w} {w}: keep in sync with {w}.py",
        "    logger.debug(\"{w} %s\", {w}.id)",
        "CORS_ALLOWED_ORIGINS = [\"https://{h}\"]",
    ],
    "go": [
        "func ({w} *{W}) {W}{n}(ctx context.Context, id string) error {{",
        "\tif err != nil {{ return fmt.Errorf(\"{w} %s: %w\", id, err) }}",
        "\t{w}{n} := make(map[string]{W}, {n})",
        "}}",
        "\treturn s.{w}Store.Put(ctx, {w})",
        "// {W} handles {w} for {w} {n}.",
        "import \"example.com/{w}/{w}\"",
        "\tdefer {w}.Close()",
    ],
    "java": [
        "public class {W}{n}Controller extends Base{W} {{",
        "    private final {W}Repository {w}Repository;",
        "    @GetMapping(\"/{w}/{{id}}\")",
        "    public ResponseEntity<{W}> get{W}(@PathVariable long id) {{",
        "        return {w}Repository.findById(id).map(ResponseEntity::ok).orElseThrow();",
        "    }}",
        "import com.example.{w}.{W}{n};",
        "    // {w}: {n} retries then give up",
        "        registry.addMapping(\"/api/**\").allowedOrigins(\"https://{h}\");",
    ],
    "k8s": [
        "  {w}: \"{w}-{n}\"",
        "        - name: {w}-{n}",
        "          image: registry.example.com/{w}:1.{n}.0",
        "          ports:",
        "            - containerPort: {n}",
        "      labels:",
        "        app: {w}",
        "          env:",
        "            - name: {W}_LIMIT",
        "              value: \"{n}\"",
    ],
    "compose": [
        "  {w}{n}:",
        "    image: registry.example.com/{w}:2.{n}.1",
        "    environment:",
        "      - {W}_URL=http://{w}:{n}",
        "    depends_on: [{w}]",
        "    ports: [\"{n}:{n}\"]",
    ],
    "cfn": [
        "  {W}{n}Bucket:",
        "    Type: AWS::S3::Bucket",
        "    Properties:",
        "      BucketName: !Sub \"${{AWS::StackName}}-{w}-{n}\"",
        "        AllowedOrigins: [\"https://{h}\"]",
        "      Tags: [{{ Key: {w}, Value: \"{n}\" }}]",
    ],
    "docker": [
        "RUN apt-get update && apt-get install -y --no-install-recommends {w}{n}",
        "COPY {w}/ /srv/{w}/",
        "ENV {W}_LIMIT={n}",
        "RUN pip install --no-cache-dir {w}=={n}.0",
        "WORKDIR /srv/{w}",
        "# {w}: pinned for {n}",
    ],
    "tf": [
        "resource \"aws_s3_bucket\" \"{w}_{n}\" {{",
        "  bucket = \"{w}-{n}\"",
        "}}",
        "variable \"{w}_{w}\" {{ default = {n} }}",
        "  tags = {{ service = \"{w}\", shard = \"{n}\" }}",
        "  allowed_origins = [\"https://{h}\"]",
        "module \"{w}\" {{ source = \"../modules/{w}\" }}",
    ],
    "tmpl": [
        "<div class=\"{w}-{n}\">{{{{ {w}.{w} }}}}</div>",
        "{{% if {w} %}}<a href=\"https://{h}/{w}\">{W}</a>{{% endif %}}",
        "<script src=\"https://{h}/{w}.{n}.js\"></script>",
        "{{% for {w} in {w}s %}}<li>{{{{ {w}.id }}}}</li>{{% endfor %}}",
        "<!-- {w} {n} -->",
    ],
    "md": [
        "The {w} service sends {w} events to the {w} queue ({n} per second at peak).",
        "## {W} {n}",
        "- `{w}`: the {w} limit, default {n}",
        "Set `origin` to your app's host, e.g. `https://{h}`.",
        "",
        "See [{w}](../{w}/README.md) for {w} details.",
    ],
}

# File heads that make each kind look like what it is.
HEADERS = {
    "js": ["'use strict';", "const express = require('express');"],
    "ts": ["import {{ Injectable }} from '@nestjs/common';"],
    "py": ["import logging", "logger = logging.getLogger(__name__)"],
    "go": ["package {w}", ""],
    "java": ["package com.example.{w};", ""],
    "k8s": ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: {w}-{n}", "spec:"],
    "compose": ["services:"],
    "cfn": ["AWSTemplateFormatVersion: '2010-09-09'", "Resources:"],
    "docker": ["FROM python:3.12.{n}-slim"],
    "tf": ["terraform {{ required_version = \">= 1.6\" }}"],
    "tmpl": ["{{% extends \"base.html\" %}}"],
    "md": ["# {W} service", ""],
}

# Risky lines the gate must flag, per kind (kinds without one get none).
RISKY = {
    "js": ["app.use(cors({{ origin: '*' }}));  // {w} {n}"],
    "ts": ["const corsOptions = {{ origin: '*', maxAge: {n} }};"],
    "py": ["app.add_middleware(CORSMiddleware, allow_origins=[\"*\"])  # {w}"],
    "k8s": ["          image: app:latest"],
    "compose": ["    image: app:latest", "      - CDN_HOST=https://d{n}.cloudfront.net"],
    "cfn": ["        AllowedOrigins: ['*']"],
    "docker": ["ENV CDN_HOST=https://d{n}.cloudfront.net", "FROM app:latest"],
}

EXT = {
    "js": "js", "ts": "ts", "py": "py", "go": "go", "java": "java", "k8s": "yaml",
    "compose": "yml", "cfn": "yaml", "tf": "tf", "tmpl": "html", "md": "md",
}
DIRS = {
    "js": "web/src", "ts": "api/src", "py": "worker", "go": "cmd", "java": "src/main/java",
    "k8s": "deploy/k8s", "compose": "deploy", "cfn": "deploy/cfn", "docker": "",
    "tf": "infra", "tmpl": "templates", "md": "docs",
}


def kind_of(index):
    return MIX[index % PER_SERVICE]


def path_of(index):
    kind = kind_of(index)
    service = f"services/svc-{index // PER_SERVICE:03d}"
    if kind == "docker":
        return f"{service}/Dockerfile.{index % PER_SERVICE:02d}"
    if kind == "compose":
        return f"{service}/deploy/docker-compose.{index % PER_SERVICE:02d}.yml"
    name = f"{WORDS[index % len(WORDS)]}_{index}"
    return f"{service}/{DIRS[kind]}/{name}.{EXT[kind]}"


def fill(rng, template):
    w = WORDS[rng.randrange(len(WORDS))]
    return template.format(
        w=w, W=w.capitalize(), n=rng.randrange(1, 9999), h=HOSTS[rng.randrange(len(HOSTS))]
    )


def body_lines(rng, kind, count, risky):
    """`count` lines of `kind`; with `risky`, about one in RISKY_EVERY is a risky line."""
    templates = TEMPLATES[kind]
    risky_templates = RISKY.get(kind) if risky else None
    out = []
    for _ in range(count):
        if risky_templates and rng.randrange(RISKY_EVERY) == 0:
            out.append(fill(rng, risky_templates[rng.randrange(len(risky_templates))]))
        else:
            out.append(fill(rng, templates[rng.randrange(len(templates))]))
    return out


def base_lines(index):
    rng = random.Random(SEED * 1_000_003 + index)
    kind = kind_of(index)
    head = [fill(rng, t) for t in HEADERS[kind]]
    return head + body_lines(rng, kind, rng.randrange(60, 121), risky=False)


def as_blob(lines):
    return ("\n".join(lines) + "\n").encode()


def replaced(index, salt):
    """File `index` with a block of REPLACED_LINES lines replaced by new, sometimes risky, ones."""
    lines = base_lines(index)
    rng = random.Random(SEED * 7_919 + salt * 104_729 + index)
    start = rng.randrange(len(HEADERS[kind_of(index)]), len(lines) - REPLACED_LINES + 1)
    new = body_lines(rng, kind_of(index), REPLACED_LINES, risky=True)
    return lines[:start] + new + lines[start + REPLACED_LINES:]


def added_file(number):
    rng = random.Random(SEED * 31 + number)
    kind = MIX[number % PER_SERVICE]
    service = f"services/svc-{number % (FILES // PER_SERVICE):03d}"
    if kind == "docker":
        path = f"{service}/new/Dockerfile.new{number}"
    else:
        path = f"{service}/new/{DIRS[kind] or 'x'}/new_{number}.{EXT.get(kind, 'txt')}"
    head = [fill(rng, t) for t in HEADERS[kind]]
    return path, as_blob(head + body_lines(rng, kind, ADDED_FILE_LINES - len(head), risky=True))


# The pull-request-sized change: six files of service 0 (present in both repositories), each
# with a handful of inserted lines, some risky.
PR_EDITS = {
    "js": ["", "// allow the partner widget to call us", "app.use(cors({ origin: '*' }));",
           "app.get('/partner/status', statusHandler);", "app.get('/partner/ping', (req, res) => res.send('ok'));",
           "module.exports.partner = true;"],
    "k8s": ["        - name: sidecar", "          image: app:latest", "          ports:",
            "            - containerPort: 9090", "          env:", "            - name: MODE",
            "              value: \"sidecar\""],
    "docker": ["ENV CDN_HOST=https://d1234abcd.cloudfront.net", "ENV ASSET_PREFIX=/static",
               "RUN pip install --no-cache-dir whitenoise==6.6.0"],
    "py": ["def partner_status(request):", "    \"\"\"Report the partner integration state.\"\"\"",
           "    state = settings.get(\"partner_state\", \"off\")", "    logger.info(\"partner %s\", state)",
           "    return {\"state\": state}", ""],
    "tf": ["resource \"aws_s3_bucket\" \"partner_assets\" {", "  bucket = \"partner-assets\"",
           "  tags = { service = \"partner\" }", "}"],
    "md": ["## Partner widget", "", "The partner widget calls `/partner/status` from the browser,",
           "so the API allows cross-origin requests (see server setup).", ""],
}


def pr_changes():
    changes = []
    for kind, extra in PR_EDITS.items():
        index = next(i for i in range(SMALL_FILES) if kind_of(i) == kind)
        lines = base_lines(index)
        at = len(lines) // 2
        changes.append((path_of(index), as_blob(lines[:at] + extra + lines[at:])))
    return changes


def large_changes(scale):
    """`scale` = 1 for `large`, 2 for `large2x` (a superset of `large` with the same edits)."""
    rng = random.Random(SEED + 17)
    pool = list(range(SMALL_FILES, FILES))
    rng.shuffle(pool)
    changes = [(path_of(i), as_blob(replaced(i, 1))) for i in pool[: LARGE_MODIFIED * scale]]
    changes += [added_file(n) for n in range(LARGE_ADDED * scale)]
    return changes


class FastImport:
    """Streams blobs and commits into `git fast-import`."""

    def __init__(self, repo):
        self.proc = subprocess.Popen(
            ["git", "-C", repo, "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
        )
        self.out = self.proc.stdin

    def commit(self, branch, mark, parent, message, files):
        msg = message.encode()
        self.out.write(
            f"commit refs/heads/{branch}\nmark :{mark}\n"
            f"author Bench <bench@example.com> {DATE}\n"
            f"committer Bench <bench@example.com> {DATE}\n"
            f"data {len(msg)}\n".encode() + msg + b"\n"
        )
        if parent:
            self.out.write(f"from :{parent}\n".encode())
        for path, blob in files:
            self.out.write(f"M 100644 inline {path}\ndata {len(blob)}\n".encode())
            self.out.write(blob)
            self.out.write(b"\n")
        self.out.write(b"\n")

    def finish(self):
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            sys.exit("gen_monorepo: git fast-import failed")


def build(repo, file_count, heads):
    stamp = os.path.join(repo, ".git", "dg-bench-stamp")
    wanted = f"{VERSION} files={file_count} heads={','.join(name for name, _ in heads)}\n"
    if os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    if os.path.exists(repo):
        subprocess.run(["rm", "-rf", "--", repo], check=True)
    os.makedirs(repo)
    git = ["git", "-C", repo]
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    imp = FastImport(repo)
    base = ((path_of(i), as_blob(base_lines(i))) for i in range(file_count))
    imp.commit("main", 1, None, "base: synthetic monorepo\n", base)
    for mark, (name, make) in enumerate(heads, start=2):
        imp.commit(name, mark, 1, f"{name}: synthetic change\n", make())
    imp.finish()
    # A working tree like CI's checkout; the ranges are read from objects either way.
    subprocess.run(git + ["checkout", "-q", "-f", "main"], check=True)
    with open(stamp, "w") as f:
        f.write(wanted)


def describe(repo):
    refs = subprocess.run(
        ["git", "-C", repo, "for-each-ref", "--format=%(refname:short)=%(objectname)", "refs/heads"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    print(f"{repo}: " + " ".join(refs))


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dg-bench")
    os.makedirs(out, exist_ok=True)
    small, mono = os.path.join(out, "small"), os.path.join(out, "mono")
    build(small, SMALL_FILES, [("pr", pr_changes)])
    build(
        mono,
        FILES,
        [("pr", pr_changes), ("large", lambda: large_changes(1)), ("large2x", lambda: large_changes(2))],
    )
    describe(small)
    describe(mono)


if __name__ == "__main__":
    main()
