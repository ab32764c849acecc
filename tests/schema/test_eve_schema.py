#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every record fabmon writes for the demo, the public captures
(tests/captures) and the generated captures, validated in full -- every
record, not one per shape -- against fabmon's schema (doc/eve-schema.json,
strictly) and Suricata's (tests/schema/suricata-schema.json, allowing only
additionalProperties errors). fabmon runs with what writes the most record
kinds: --modbus-records all, hsms records (the default), alerts (the
built-in policy, and the example site policy on the demo), a sensor name,
syslog (to a port on loopback where nothing listens: stats.syslog).

usage: test_eve_schema.py FABMON SOURCE_ROOT GEN_CAPTURES_DIR

Also checked:
 - the schemas themselves: fabmon's is a valid draft 2020-12 schema, every
   property in it has a description, every object of fabmon's own is
   closed (additionalProperties false), and where fabmon's schema and
   Suricata's describe the same member (the same path) the types agree
   (fabmon's type is one of Suricata's);
 - that the validation can fail: a record with an undocumented key, a
   wrong type, or the "+00:00" time of earlier fabmon versions is rejected
   with its file:line and JSON path.
Prints the counts: records per event_type, and how many pass Suricata's
schema as it is, with only additionalProperties errors, or not at all.
"""
import collections
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eve_schema  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import Check  # noqa: E402

FABMON, ROOT, GEN = sys.argv[1], sys.argv[2], sys.argv[3]
SITE = os.path.join(ROOT, "zones", "examples", "fab-site.yaml")
COMMON = ["-q", "--modbus-records", "all", "--no-report", "--sensor-name", "schema-test"]


def captures():
    """(name, path, extra options) of every capture to run."""
    demo = os.path.join(ROOT, "demo", "fab-demo.pcap")
    # the site policy (zones, hosts, baselines); alerts also to a syslog
    # receiver on loopback that is not there (stats.syslog, its drops)
    out = [("demo", demo, []), ("demo-site-policy", demo, ["-c", SITE]),
           ("demo-syslog", demo, ["--syslog", "udp://127.0.0.1:9"])]
    caps = os.path.join(ROOT, "tests", "captures")
    for d, _, files in sorted(os.walk(caps)):
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                out.append((os.path.relpath(os.path.join(d, f), caps), os.path.join(d, f), []))
    for f in sorted(os.listdir(GEN)):
        if f.endswith((".pcap", ".pcapng")):
            out.append(("gen/" + f, os.path.join(GEN, f), []))
    return out


def types_of(node):
    t = node.get("type") if isinstance(node, dict) else None
    if t is None:
        return None
    return set(t) if isinstance(t, list) else {t}


def resolve(node, root):
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def check_schema_texts(c, fab, suri):
    # every property described, every object of fabmon's closed
    undocumented, open_objects = [], []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if not (isinstance(sub, dict) and sub.get("description")):
                    undocumented.append(f"{path}.{name}")
            if node.get("type") == "object" and node.get("additionalProperties") is not False:
                open_objects.append(path)
            for k, v in node.items():
                if k != "if":  # a condition on event_type, not a member
                    walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
    walk(fab, "#")
    c.eq("fabmon's schema: properties without a description", undocumented, [])
    c.eq("fabmon's schema: objects not closed", open_objects, [])
    c.eq("fabmon's schema: draft 2020-12", fab.get("$schema"), "https://json-schema.org/draft/2020-12/schema")

    # the members both describe at the same path: fabmon's types within Suricata's
    checked, clashes = [], []

    def same(f, s, path):
        f, s = resolve(f, fab), resolve(s, suri)
        ft, st = types_of(f), types_of(s)
        if ft and st:
            widened = st | ({"integer"} if "number" in st else set())
            checked.append(path)
            if not ft <= widened:
                clashes.append(f"{path}: fabmon {sorted(ft)}, Suricata {sorted(st)}")
        for name, fsub in ((f or {}).get("properties") or {}).items():
            ssub = ((s or {}).get("properties") or {}).get(name)
            if ssub is not None:
                same(fsub, ssub, f"{path}.{name}")
        if isinstance(f, dict) and isinstance(s, dict) and "items" in f and isinstance(s.get("items"), dict):
            same(f["items"], s["items"], path + "[]")

    # the top-level members, and each event type's own objects where the
    # same name means different things (flow.policy is not policy records')
    same({k: v for k, v in fab.items() if k != "allOf"}, suri, "$")
    for branch in fab["allOf"]:
        for name, sub in branch["then"].get("properties", {}).items():
            if name in suri["properties"]:
                et = branch["if"]["properties"]["event_type"]["const"]
                same(sub, suri["properties"][name], f"$[{et}].{name}")
    c.eq("members described by both schemas with clashing types", clashes, [])
    c.true("members described by both schemas compared", len(checked) > 60, str(len(checked)))
    print(f"schema-eve: {len(checked)} members described by both schemas, types agree")


def check_it_fails(c, schemas, rec):
    def problems(r):
        return schemas.check(r, "probe.json:1")
    r = copy.deepcopy(rec)
    r["flow"]["undocumented"] = 1
    c.true("an undocumented key fails, with its path",
           any("probe.json:1: fabmon schema: $.flow:" in p and "undocumented" in p for p in problems(r)),
           problems(r))
    r = copy.deepcopy(rec)
    r["flow"]["pkts_toserver"] = "6"
    got = problems(r)
    c.true("a wrong type fails against both schemas",
           any("fabmon schema: $.flow.pkts_toserver" in p for p in got)
           and any("suricata schema: $.flow.pkts_toserver" in p for p in got), got)
    r = copy.deepcopy(rec)
    r["timestamp"] = r["timestamp"].replace("+0000", "+00:00")
    got = problems(r)
    c.true("the old +00:00 time fails against both schemas",
           any("fabmon schema: $.timestamp" in p for p in got)
           and any("suricata schema: $.timestamp" in p for p in got), got)


def main():
    c = Check("schema-eve")
    t0 = time.time()
    schemas = eve_schema.EveSchemas(full=True)
    check_schema_texts(c, json.load(open(eve_schema.FABMON_SCHEMA)), json.load(open(eve_schema.SURICATA_SCHEMA)))
    per_type = collections.Counter()
    suri = collections.Counter()
    failures = []
    first_flow = None
    tmp = tempfile.mkdtemp(prefix="fabmon-schema-")
    try:
        caps = captures()
        for i, (name, path, extra) in enumerate(caps):
            out = os.path.join(tmp, str(i))
            p = subprocess.run([FABMON, "-r", path, "-o", out] + COMMON + extra,
                               capture_output=True, text=True, timeout=300)
            c.true(f"{name}: fabmon exits 0 (4 for a damaged capture)", p.returncode in (0, 4), p.stderr[-300:])
            eve = os.path.join(out, "eve.json")
            if not os.path.exists(eve):
                continue
            with open(eve, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    rec = json.loads(line)
                    per_type[rec.get("event_type")] += 1
                    failures.extend(schemas.check(rec, f"{name}: eve.json:{n}"))
                    strict, ap_only = schemas.suricata_strictly(rec)
                    suri["as it is" if strict else "additionalProperties only" if ap_only else "other errors"] += 1
                    if first_flow is None and rec.get("event_type") == "flow":
                        first_flow = rec
        c.true("captures run", len(caps) >= 30, str(len(caps)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = sum(per_type.values())
    c.eq("schema failures", failures[:30], [])
    for et in ("run", "stats", "flow", "hsms", "modbus", "anomaly", "asset", "alert"):
        c.true(f"records of event_type {et} validated", per_type[et] > 0, str(dict(per_type)))
    c.eq("records that pass Suricata's schema (additionalProperties errors allowed)",
         suri["as it is"] + suri["additionalProperties only"], total)
    if first_flow:
        check_it_fails(c, schemas, first_flow)
        # by shape (as the pcap runner and read_eve validate): a record that
        # differs from a valid one only in a value a schema constrains is
        # validated again, and fails
        by_shape = eve_schema.EveSchemas(full=False)
        c.eq("by shape: a valid flow", by_shape.check(first_flow, "probe.json:1"), [])
        for path, value in ((("tcp", "tcp_flags"), "zz"), (("flow", "state"), "gone"),
                            (("flow", "pkts_toserver"), -1), (("timestamp",), "2026-03-02T08:00:00.000000+00:00"),
                            (("community_id",), "1:short")):
            r = copy.deepcopy(first_flow)
            o = r
            for k in path[:-1]:
                o = o[k]
            o[path[-1]] = value
            c.true(f"by shape: {'.'.join(path)} = {value!r} fails", by_shape.check(r, "probe.json:2") != [])
        c.eq("by shape: the same flow again is not validated again",
             (by_shape.check(copy.deepcopy(first_flow), "probe.json:3"), by_shape.counts["validated"]), ([], 6))
    print(f"schema-eve: {total} records from {len(caps)} runs validated in full against fabmon's "
          f"schema and Suricata's in {time.time() - t0:.1f} s; by event_type: "
          + ", ".join(f"{k} {v}" for k, v in sorted(per_type.items())))
    print(f"schema-eve: against Suricata's schema: {suri['as it is']} pass as it is, "
          f"{suri['additionalProperties only']} with additionalProperties errors only, "
          f"{suri['other errors']} with other errors")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
