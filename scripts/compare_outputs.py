#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Compare every output of two fabmon builds, byte for byte.

usage: compare_outputs.py --fabmon NEW (--base-fabmon OLD | --rev REV) [--keep DIR]

A refactoring must not change what fabmon writes. This runs both builds on
the same inputs, one after the other into the same output path, and compares
every file they write:

- `fabmon -r` on the demo capture (default options, a BPF filter, a small
  flow table, `--modbus-records all`) and on every capture of
  tests/captures/ (eve.json, evidence/*.pcap, report.html/json, inventory and
  matrix CSV, policy copy);
- `fabmon report` on the demo's output (report.html, report.json, CSVs);
- `fabmon handoff` on the demo's output: one alert, a rule and equipment as
  a tar, a time window as a directory.

Both builds run under faketime(1) with the wall clock frozen at one instant,
so what depends on the wall clock (run.started, report.generated, the
SHA-256 of an eve.json that holds them) is the same for both and nothing is
masked. A tar is compared member by member (name, mode, owner, mtime, type,
content), not by its header bytes: the header encoding is the archive
library's.

--rev REV builds fabmon at git revision REV (git archive into a temporary
directory; meson; ninja fabmon). Exit 0 when all outputs are identical, 1
with the first differences otherwise.
"""
import argparse
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def build_rev(rev, work):
    src = os.path.join(work, "src")
    os.makedirs(src)
    arch = subprocess.run(["git", "-C", ROOT, "archive", rev], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(arch.stdout)) as t:
        t.extractall(src)
    b = os.path.join(work, "build")
    subprocess.run(["meson", "setup", b, src], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", b, "fabmon"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(b, "fabmon")


def cases():
    demo = os.path.join(ROOT, "demo", "fab-demo.pcap")
    yield "demo", ["-r", demo]
    yield "demo-filtered", ["-r", demo, "-f", "tcp port 3389 or (vlan and tcp port 502)"]
    yield "demo-small-table", ["-r", demo, "--flows", "16", "--timeout", "tcp-established=20",
                               "--timeout", "tcp-closed=100000"]
    yield "demo-modbus-all", ["-r", demo, "--modbus-records", "all"]
    caps = os.path.join(ROOT, "tests", "captures")
    for d, _, files in sorted(os.walk(caps)):
        for f in sorted(files):
            if re.search(r"\.pcap(ng)?(\.gz|\.zst|\.xz)?$", f):
                rel = os.path.relpath(os.path.join(d, f), caps)
                yield "cap-" + rel.replace("/", "_"), ["-r", os.path.join(d, f)]


FROZEN = ["faketime", "-f", "2026-12-01 00:00:00"]  # -f: a frozen clock


def run_all(fabmon, out):
    """Run every case with FABMON into OUT/<case>/, the clock frozen."""
    fabmon = FROZEN + [fabmon]
    for name, args in cases():
        d = os.path.join(out, name)
        p = subprocess.run(fabmon + ["-q", "-o", d] + args, capture_output=True)
        with open(os.path.join(out, name + ".exit"), "w") as fh:
            fh.write(f"{p.returncode}\n{p.stderr.decode(errors='replace')}")
    demo = os.path.join(out, "demo")
    tools = [("report", ["report", demo, "-o", os.path.join(out, "report")])]
    alert = first_alert_id(os.path.join(demo, "eve.json"))
    tools += [("handoff-alert", ["handoff", demo, "--alert", alert,
                                 "-o", os.path.join(out, "handoff-alert")]),
              ("handoff-tar", ["handoff", demo, "--rule", "FAB-SMB-002", "--equipment",
                               "10.30.1.21", "--tar", "-o", os.path.join(out, "handoff-tar")]),
              ("handoff-window", ["handoff", demo, "--since", "2026-03-02T08:00:00Z", "--until",
                                  "2026-03-02T09:00:00Z", "--tlp", "RED", "--org", "Fab 3 FSIRT",
                                  "-o", os.path.join(out, "handoff-window")])]
    for name, args in tools:
        p = subprocess.run(fabmon + args, capture_output=True)
        with open(os.path.join(out, name + ".exit"), "w") as fh:
            fh.write(f"{p.returncode}\n{p.stderr.decode(errors='replace')}")


def first_alert_id(eve):
    import json
    with open(eve, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("event_type") == "alert":
                return rec["alert"]["id"]
    raise SystemExit(f"{eve}: no alert")


def tar_members(path):
    out = []
    with tarfile.open(path) as t:
        for m in t.getmembers():
            body = t.extractfile(m).read() if m.isfile() else b""
            out.append((m.name, m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime, m.type, body))
    return out


def compare(a, b):
    diffs = []
    files_a = {os.path.relpath(os.path.join(d, f), a) for d, _, fs in os.walk(a) for f in fs}
    files_b = {os.path.relpath(os.path.join(d, f), b) for d, _, fs in os.walk(b) for f in fs}
    for f in sorted(files_a ^ files_b):
        diffs.append(f"{f}: only in {'base' if f in files_a else 'new'}")
    for f in sorted(files_a & files_b):
        pa, pb = os.path.join(a, f), os.path.join(b, f)
        if f.endswith(".tar"):
            if tar_members(pa) != tar_members(pb):
                diffs.append(f"{f}: tar members differ")
            continue
        with open(pa, "rb") as fa, open(pb, "rb") as fb:
            da, db = fa.read(), fb.read()
        if da != db:
            la, lb = da.decode(errors="replace").splitlines(), db.decode(errors="replace").splitlines()
            d = list(difflib.unified_diff(la, lb, "base/" + f, "new/" + f, n=0, lineterm=""))[:8]
            diffs.append(f"{f}: differs\n    " + "\n    ".join(x[:300] for x in d))
    return diffs, len(files_a & files_b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fabmon", required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--base-fabmon")
    g.add_argument("--rev")
    ap.add_argument("--keep", help="keep both output trees in this directory")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="fabmon-compare-")
    try:
        base = a.base_fabmon or build_rev(a.rev, os.path.join(work, "base"))
        out = os.path.join(work, "out")
        run_all(os.path.abspath(base), out)
        os.rename(out, os.path.join(work, "a"))
        run_all(os.path.abspath(a.fabmon), out)
        os.rename(out, os.path.join(work, "b"))
        # both ran into the same path: paths inside the outputs are the same
        diffs, n = compare(os.path.join(work, "a"), os.path.join(work, "b"))
        if a.keep:
            shutil.rmtree(a.keep, ignore_errors=True)
            shutil.copytree(work, a.keep, symlinks=True,
                            ignore=shutil.ignore_patterns("src", "build"))
        for d in diffs:
            print(d)
        if diffs:
            print(f"compare_outputs: {len(diffs)} difference(s) in {n} files")
            return 1
        print(f"compare_outputs: {n} files identical")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
