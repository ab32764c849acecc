#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The rule id of an alert record is alert.rule_id (issue 14).

usage: test_rule_id.py FABMON SOURCE_ROOT

In Suricata's EVE, alert.rule is the raw text of the signature that fired
(output-json-alert.c, only with metadata.rule.raw); fabmon's rules have no
signature text, so fabmon writes its rule id as alert.rule_id and never
writes alert.rule.

1. Written: every alert record of the demo has alert.rule_id and no
   alert.rule; the ids and their record counts are exactly the demo's;
   report.json's own "rule" keys (not EVE) count the same.
2. Read, both forms: the demo's eve.json rewritten in the form of earlier
   fabmon versions (the id as alert.rule), and a mix of both forms in one
   file (a site's eve.json appended to across an upgrade), give the same
   report.json and the same hand-off selections (--rule, --equipment) and
   bundles (every file byte for byte, but alerts.jsonl, which quotes the
   records verbatim, and the run directory's name) as the file fabmon
   writes now.
"""
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, comparable_report, eve_variant, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
DEMO = os.path.join(ROOT, "demo", "fab-demo.pcap")
# the demo's alert records by rule id
DEMO_RULES = {"FAB-CL-001": 1, "FAB-HSMS-007": 1, "FAB-HSMS-008": 1, "FAB-MB-001": 1,
              "FAB-RA-001": 5, "FAB-SMB-002": 1, "FAB-ZC-002": 1, "FAB-ZC-004": 1}
NEW_KEY, OLD_KEY = '"rule_id":"FAB-', '"rule":"FAB-'


def run(args):
    return subprocess.run([FABMON] + args, capture_output=True, text=True, timeout=300)


def bundle(out, args, dest):
    """exit code, and {file name: bytes} of the bundle (alerts.jsonl parsed,
    README.md with the run directory as DIR, SHA256SUMS without the lines of
    those two)."""
    p = run(["handoff", out, "-q", "-o", dest] + args)
    if p.returncode != 0:
        return p.returncode, p.stderr
    files = {}
    for d, _, names in os.walk(dest):
        for n in names:
            path = os.path.join(d, n)
            rel = os.path.relpath(path, dest)
            data = open(path, "rb").read()
            if rel == "alerts.jsonl":
                data = [json.loads(l) for l in data.decode().splitlines()]
            elif rel == "README.md":  # names the run directory in its command line
                data = data.replace(out.encode(), b"DIR")
            elif rel == "SHA256SUMS":
                data = [l for l in data.decode().splitlines() if not l.endswith(("alerts.jsonl", "README.md"))]
            files[rel] = data
    return 0, files


def main():
    c = Check("rule-id")
    tmp = tempfile.mkdtemp(prefix="fabmon-ruleid-")
    try:
        new = os.path.join(tmp, "new")
        p = run(["-q", "-r", DEMO, "-o", new])
        c.eq("fabmon -r demo: exit", p.returncode, 0, p.stderr)
        recs = read_eve(os.path.join(new, "eve.json"))
        alerts = [r for r in recs if r["event_type"] == "alert"]
        c.eq("no alert record has alert.rule", [r["alert"]["id"] for r in alerts if "rule" in r["alert"]], [])
        c.eq("alert records by alert.rule_id", dict(collections.Counter(r["alert"].get("rule_id") for r in alerts)),
             DEMO_RULES)
        rep = json.load(open(os.path.join(new, "report.json")))
        c.eq("report.json rules: records by its own 'rule' key",
             {x["rule"]: x["records"] for x in rep["rules"]}, DEMO_RULES)

        # the same run as an earlier fabmon wrote it, and half of each
        lines = open(os.path.join(new, "eve.json")).read().splitlines(keepends=True)
        c.eq("one rule id in each alert line, none elsewhere",
             [l.count(NEW_KEY) for l in lines],
             [int('"event_type":"alert"' in l) for l in lines])
        old_lines = [l.replace(NEW_KEY, OLD_KEY) for l in lines]
        c.eq("old form: alert.rule in every alert record",
             sum(1 for l in old_lines if OLD_KEY in l), len(alerts))
        c.eq("old form: no alert.rule_id left", sum(l.count('"rule_id"') for l in old_lines), 0)
        variants = {"old": old_lines,
                    "mixed": [o if i % 2 else l for i, (l, o) in enumerate(zip(lines, old_lines))]}
        c.true("mixed: both forms", any(NEW_KEY in l for l in variants["mixed"])
               and any(OLD_KEY in l for l in variants["mixed"]))

        want_rep = comparable_report(new)
        sel = [(["--rule", "FAB-RA-001"], "one rule", 5),
               (["--rule", "fab-hsms-007", "--rule", "FAB-MB-001", "--rule", "FAB-ZC-004"], "three rules", 3),
               (["--rule", "FAB-RA-001", "--equipment", "10.30.1.22"], "rule and equipment", None),
               (["--equipment", "10.30.1.22"], "equipment", None)]
        want_sel = {}
        for i, (args, what, n) in enumerate(sel):
            code, files = bundle(new, args, os.path.join(tmp, f"b-new-{i}"))
            if code:
                # a selection nothing matches: the same error expected of every form
                want_sel[what] = (code, files)
                c.true(f"handoff {what}: fails only where no rule count is asserted", n is None, files)
                continue
            want_sel[what] = (0, files)
            got = [a["alert"]["rule_id"] for a in files["alerts.jsonl"]]
            if n is not None:
                c.eq(f"handoff {what}: alerts selected", len(got), n)
            rules = {a.upper() for a in args[1::2]} if "--equipment" not in args else None
            if rules:
                c.eq(f"handoff {what}: only those rules", set(got), rules)
            c.true(f"handoff {what}: STIX names the rules",
                   all(r.encode() in files["stix-bundle.json"] for r in got))
        c.true("some equipment selection matches", any(v[0] == 0 for k, v in want_sel.items() if "equipment" in k))

        for name, vl in variants.items():
            d = eve_variant(new, os.path.join(tmp, name), vl)
            p = run(["report", "-q", d])
            c.eq(f"{name}: fabmon report exit", p.returncode, 0, p.stderr)
            if p.returncode == 0:
                got = comparable_report(d)
                for k in sorted(set(got) | set(want_rep)):
                    c.eq(f"{name}: report.json {k} as with alert.rule_id", got.get(k), want_rep.get(k))
            for i, (args, what, _) in enumerate(sel):
                code, files = bundle(d, args, os.path.join(tmp, f"b-{name}-{i}"))
                wcode, wfiles = want_sel[what]
                c.eq(f"{name}: handoff {what}: exit", code, wcode, files if code != wcode else "")
                if code or wcode:
                    continue
                # alerts.jsonl quotes the records as they are in eve.json
                norm = [{**a, "alert": {("rule_id" if k == "rule" else k): v for k, v in a["alert"].items()}}
                        for a in files["alerts.jsonl"]]
                c.eq(f"{name}: handoff {what}: the same alerts (rule as rule_id)", norm, wfiles["alerts.jsonl"])
                c.eq(f"{name}: handoff {what}: the same files", sorted(files), sorted(wfiles))
                for f in sorted(set(files) & set(wfiles)):
                    if f != "alerts.jsonl":
                        c.true(f"{name}: handoff {what}: {f} identical", files[f] == wfiles[f])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
