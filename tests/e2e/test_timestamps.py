#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Times as fabmon writes and reads them (issue 14).

usage: test_timestamps.py FABMON SOURCE_ROOT

1. Written: every time in every record of the demo's eve.json (and the
   report's report.json) is exactly Suricata's EVE form,
   2026-03-02T08:00:07.123456+0000, and the same instant as the packet's
   time (the first flow's start is the capture's first packet); the hand-off
   bundle's STIX times are RFC 3339 with Z (STIX 2.1 requires it).
2. Read, both forms: the same eve.json rewritten in the "+00:00" form of
   earlier fabmon versions, and a mix of both forms in one file (a site's
   eve.json appended to across an upgrade), give the same audit report
   (report.json) and the same hand-off selections and bundle
   (--since/--until, given as RFC 3339 with Z, with an offset, or in the EVE
   form) as the file fabmon writes now.
"""
import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, comparable_report, eve_variant, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
DEMO = os.path.join(ROOT, "demo", "fab-demo.pcap")
EVE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+0000$")
ANY_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
# the times in a record written by an earlier fabmon
OLD_FORM = re.compile(r'("\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\+00:00"')
OLD = re.compile(r'("\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\+0000"')


def run(args):
    return subprocess.run([FABMON] + args, capture_output=True, text=True, timeout=300)


def times(v, path=""):
    """(path, string) of every string in v that starts like a time."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield from times(x, f"{path}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from times(x, f"{path}[{i}]")
    elif isinstance(v, str) and ANY_TIME.match(v):
        yield path, v


def first_packet_time(pcap):
    with open(pcap, "rb") as f:
        hdr = f.read(24)
        assert struct.unpack("<I", hdr[:4])[0] == 0xA1B2C3D4, "the demo is a little-endian µs pcap"
        sec, usec = struct.unpack("<II", f.read(8))
    return sec, usec


def report_json(out):
    r = comparable_report(out)
    # an asset's last record is quoted as it was written; every time the
    # report states itself is in the EVE form
    for a in r.get("assets", []):
        a["last_record"] = json.loads(OLD_FORM.sub(r'\1+0000"', json.dumps(a["last_record"])))
    return r


def bundle(out, args, dest):
    p = run(["handoff", out, "-q", "-o", dest] + args)
    if p.returncode != 0:
        return p.returncode, p.stderr, None
    stix = json.load(open(os.path.join(dest, "stix-bundle.json")))
    ids = [json.loads(l)["alert"]["id"] for l in open(os.path.join(dest, "alerts.jsonl"))]
    return 0, ids, stix


def main():
    c = Check("timestamps")
    tmp = tempfile.mkdtemp(prefix="fabmon-ts-")
    try:
        new = os.path.join(tmp, "new")
        p = run(["-q", "-r", DEMO, "-o", new])
        c.eq("fabmon -r demo: exit", p.returncode, 0, p.stderr)
        recs = read_eve(os.path.join(new, "eve.json"))
        seen = 0
        for n, r in enumerate(recs, 1):
            for path, t in times(r):
                seen += 1
                c.true(f"eve.json:{n}{path} {t!r} in the EVE form", EVE_TIME.match(t))
        c.true("times in the demo's eve.json", seen > 150, str(seen))
        sec, usec = first_packet_time(DEMO)
        first = min(r["flow"]["start"] for r in recs if r["event_type"] == "flow")
        want = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%S") + f".{usec:06d}+0000"
        c.eq("first flow start is the first packet's time, %z form", first, want)
        rep = json.load(open(os.path.join(new, "report.json")))
        for path, t in times(rep):
            c.true(f"report.json{path} {t!r} in the EVE form", EVE_TIME.match(t))

        # the same run as an earlier fabmon wrote it, and half of each
        lines = open(os.path.join(new, "eve.json")).read().splitlines(keepends=True)
        old_lines = [OLD.sub(r'\1+00:00"', l) for l in lines]
        c.true("the old form differs", old_lines != lines)
        c.eq("nothing in the EVE form left in the old copy",
             sum(len(OLD.findall(l)) for l in old_lines), 0)
        variants = {"old": old_lines,
                    "mixed": [o if i % 2 else l for i, (l, o) in enumerate(zip(lines, old_lines))]}
        want_rep = report_json(new)
        # the demo's alerts are at 08:01:28.056698 .. 08:01:52.118194; bounds are inclusive
        sel = [(["--since", "2026-03-02T08:01:40Z"], "Z", 9),
               (["--since", "2026-03-02T17:01:35+09:00", "--until", "2026-03-02T08:01:47.000000+0000"],
                "offset and EVE form", 3),
               (["--since", "2026-03-02T08:01:52.115794+0000"], "EVE form, to the microsecond", 2),
               (["--until", "2026-03-02T08:01:28.056698+00:00"], "old form, to the microsecond", 1)]
        want_sel = {}
        for args, what, n in sel:
            code, ids, stix = bundle(new, args, os.path.join(tmp, "b-new-" + str(len(want_sel))))
            c.eq(f"handoff {what}: exit", code, 0, ids if code else "")
            c.eq(f"handoff {what}: alerts selected", len(ids) if stix else None, n)
            want_sel[what] = (ids, stix)
            if stix:
                st = [(p_, t) for p_, t in times(stix)]
                c.true(f"handoff {what}: STIX has times", len(st) > 3, str(len(st)))
                for p_, t in st:
                    c.true(f"STIX{p_} {t!r} is RFC 3339 with Z",
                           re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$", t))
        for name, vl in variants.items():
            d = eve_variant(new, os.path.join(tmp, name), vl)
            p = run(["report", "-q", d])
            c.eq(f"{name}: fabmon report exit", p.returncode, 0, p.stderr)
            if p.returncode == 0:
                got = report_json(d)
                for k in sorted(set(got) | set(want_rep)):
                    c.eq(f"{name}: report.json {k} as with eve.json in the EVE form",
                         got.get(k), want_rep.get(k))
            for i, (args, what, _) in enumerate(sel):
                code, ids, stix = bundle(d, args, os.path.join(tmp, f"b-{name}-{i}"))
                c.eq(f"{name}: handoff {what}: exit", code, 0, ids if code else "")
                c.eq(f"{name}: handoff {what}: the same alerts", ids, want_sel[what][0])
                if stix and want_sel[what][1]:
                    strip = lambda s: [{k: v for k, v in o.items() if k not in ("id", "created", "modified")}
                                       for o in s["objects"] if o["type"] not in ("identity",)]
                    c.eq(f"{name}: handoff {what}: the same STIX objects (ids aside)",
                         sorted(json.dumps(o, sort_keys=True) for o in strip(stix)),
                         sorted(json.dumps(o, sort_keys=True) for o in strip(want_sel[what][1])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
