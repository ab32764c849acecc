#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The audit report's guideline evidence table (issue 19 item 3), row by row.

usage: test_report_guideline.py FABMON SOURCE_ROOT

Known truth: each row is computed here from eve.json (flow, hsms, modbus,
asset and alert records) and the policy file's zones and areas, by the
rules README "Guideline evidence" states:
  - its rules: the alert records' hits of the rules named for the clause;
  - its basis: zone-separation counts flows between two zones;
    internet-egress flows leaving a zone of the fab area or fab system
    area; dmz-only-way-in flows into such a zone from any other (or none);
    insecure-protocols flows with an end in the fab area; equipment-control
    SECS-II commands (S1F15 S1F17 S2F15 S2F21 S2F37 S2F41 S2F49 S5F3 S7F3
    S7F5 S7F17 S7F23 S7F25) and Modbus write requests; asset-inventory
    the assets identified; monitoring-coverage the policy's zones seen;
  - status: broken when a rule of it alerted (the inventory: also a host
    in no zone), observed when its basis is not zero (coverage: every zone
    seen), else not observed.
Captures: the demo with the built-in default (zones/default-fab.yaml), and
the zone scenario's clean and violating captures with the example site
policy (tests/tools/gen_zone_scenario.py). Each: report.json's rows,
guideline.csv (RFC 4180) and, for the violating one, the rows of
report.html in headless Chromium.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
DEFAULT = os.path.join(ROOT, "zones/default-fab.yaml")
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")
GEN = os.path.join(ROOT, "tests/tools/gen_zone_scenario.py")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

CLAUSES = [
    ("zone-separation", ["FAB-ZC-001", "FAB-ZC-002", "FAB-HSMS-009", "FAB-HSMS-010", "FAB-MB-004"]),
    ("internet-egress", ["FAB-ZC-004", "FAB-ZC-005"]),
    ("dmz-only-way-in", ["FAB-ZC-003", "FAB-RA-001"]),
    ("insecure-protocols", ["FAB-SMB-001", "FAB-SMB-002", "FAB-CL-001", "FAB-EXP-001"]),
    ("equipment-control", ["FAB-HSMS-00%d" % i for i in range(1, 9)]
     + ["FAB-MB-001", "FAB-MB-002", "FAB-MB-003"]),
    ("asset-inventory", ["FAB-INV-001", "FAB-INV-003"]),
    ("monitoring-coverage", []),
]
COMMANDS = {"S1F15", "S1F17", "S2F15", "S2F21", "S2F37", "S2F41", "S2F49", "S5F3", "S7F3",
            "S7F5", "S7F17", "S7F23", "S7F25"}
FAB_AREAS = ("fab-area", "fab-system-area")

c = Check("report-guideline")


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def policy_zones(path):
    """name -> area of the policy file's zones; the rules it switches off."""
    with open(path, encoding="utf-8") as f:
        pol = yaml.safe_load(f)
    zones = {z["name"]: z.get("area") for z in pol["zones"]}
    off = [r["id"] for r in pol.get("rules") or [] if r.get("enabled") is False]
    return zones, off


def expected(recs, zones, off):
    flows = [r["policy"] for r in recs if r.get("event_type") == "flow" and "policy" in r]

    def fab(z):
        return zones.get(z) in FAB_AREAS

    def fab_area(z):
        return zones.get(z) == "fab-area"

    hits = {}
    for r in recs:
        if r.get("event_type") == "alert":
            hits[r["alert"]["rule_id"]] = hits.get(r["alert"]["rule_id"], 0) + r["alert"].get("count", 1)
    commands = sum(1 for r in recs if r.get("event_type") == "hsms"
                   and r["hsms"].get("stype") == "data" and r["hsms"].get("sf") in COMMANDS)
    writes = sum(r["modbus"].get("requests_by_access", {}).get("write", 0) for r in recs
                 if r.get("event_type") == "flow" and "modbus" in r)
    assets = {r["asset"]["ip"] for r in recs if r.get("event_type") == "asset"}
    hosts = {}
    for r in recs:
        if r.get("event_type") == "flow" and "policy" in r:
            hosts.setdefault(r["src_ip"], r["policy"]["src_zone"])
            hosts.setdefault(r["dest_ip"], r["policy"]["dest_zone"])
    unzoned = sum(1 for z in hosts.values() if z is None)
    seen = {z for p in flows for z in (p["src_zone"], p["dest_zone"]) if z}
    basis = {
        "zone-separation": sum(1 for p in flows if p["src_zone"] and p["dest_zone"]
                               and p["src_zone"] != p["dest_zone"]),
        "internet-egress": sum(1 for p in flows if fab(p["src_zone"])),
        "dmz-only-way-in": sum(1 for p in flows if fab(p["dest_zone"]) and not fab(p["src_zone"])),
        "insecure-protocols": sum(1 for p in flows if fab_area(p["src_zone"]) or fab_area(p["dest_zone"])),
        "equipment-control": commands + writes,
        "asset-inventory": len(assets),
        "monitoring-coverage": len([z for z in zones if z in seen]),
    }
    rows = {}
    for clause, rules in CLAUSES:
        h = sum(hits.get(x, 0) for x in rules)
        extra = unzoned if clause == "asset-inventory" else 0
        if clause == "monitoring-coverage":
            status = "observed" if basis[clause] == len(zones) else "not observed"
        else:
            status = "broken" if h or extra else "observed" if basis[clause] else "not observed"
        rows[clause] = {"status": status, "observed_count": basis[clause], "alert_hits": h,
                        "broken_by": sorted(x for x in rules if hits.get(x)),
                        "rules_disabled": [x for x in off if x in rules]}
        if clause == "asset-inventory":
            rows[clause]["hosts_in_no_zone"] = unzoned
        if clause == "monitoring-coverage":
            rows[clause]["not_seen"] = [z for z in zones if z not in seen]
    return rows


def got_rows(rep):
    out = {}
    for x in rep["guideline_evidence"]:
        out[x["clause"]] = {"status": x["status"], "observed_count": x["observed_count"],
                            "alert_hits": x["alert_hits"],
                            "broken_by": sorted(b["rule"] for b in x["broken_by"]),
                            "rules_disabled": x["rules_disabled"]}
        if "hosts_in_no_zone" in x:
            out[x["clause"]]["hosts_in_no_zone"] = x["hosts_in_no_zone"]
        if "not_seen" in x:
            out[x["clause"]]["not_seen"] = x["not_seen"]
    return out


def check(label, pcap, policy, tmp, want_status, dom=False):
    out = os.path.join(tmp, label)
    args = [FABMON, "-q", "-r", pcap, "-o", out] + (["-c", policy] if policy != DEFAULT else [])
    r = run(args)
    c.eq(f"{label}: fabmon exit", r.returncode, 0, r.stderr[-300:])
    recs = read_eve(os.path.join(out, "eve.json"))
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    zones, off = policy_zones(policy)
    want = expected(recs, zones, off)
    got = got_rows(rep)
    c.eq(f"{label}: the clauses, in order", [x["clause"] for x in rep["guideline_evidence"]],
         [k for k, _ in CLAUSES])
    for clause, _ in CLAUSES:
        c.eq(f"{label}: {clause}", got.get(clause), want[clause])
    c.eq(f"{label}: the statuses", {k: v["status"] for k, v in got.items()}, want_status)
    period = {json.dumps(x["period"], sort_keys=True) for x in rep["guideline_evidence"]}
    c.eq(f"{label}: every row rests on the capture period", period,
         {json.dumps({"from": rep["run"]["first_flow_start"], "to": rep["run"]["last_flow_end"]},
                     sort_keys=True)})
    for x in rep["guideline_evidence"]:
        ex = x["examples"]
        c.true(f"{label}: {x['clause']} examples are alerts of its rules",
               len(ex) <= 3 and all(e["rule"] in x["rules"] for e in ex)
               and (len(ex) > 0) == (x["alert_hits"] > 0), json.dumps(ex)[:300])
        c.true(f"{label}: {x['clause']} cites counterparts",
               len(x["counterparts"]) > 0 and not any(k.startswith("METI:") for k in x["counterparts"]))
    # fabmon report on the directory says the same
    r = run([FABMON, "report", out, "-q"])
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        again = json.load(f)
    c.eq(f"{label}: fabmon report gives the same table", again["guideline_evidence"],
         rep["guideline_evidence"])
    with open(os.path.join(out, "guideline.csv"), newline="", encoding="utf-8") as f:
        raw = f.read()
    c.true(f"{label}: guideline.csv CRLF", raw.count("\r\n") == len(CLAUSES) + 1)
    rows = list(csv.DictReader(raw.splitlines()))
    c.eq(f"{label}: guideline.csv rows",
         {x["clause"]: (x["status"], int(x["observed_count"]), int(x["alert_hits"])) for x in rows},
         {k: (v["status"], v["observed_count"], v["alert_hits"]) for k, v in want.items()})
    if dom:
        r = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                 "--user-data-dir=" + os.path.join(tmp, "chrome"), "--dump-dom",
                 "file://" + os.path.abspath(os.path.join(out, "report.html"))])
        c.eq(f"{label}: chromium --dump-dom exit", r.returncode, 0)
        from html.parser import HTMLParser

        class Rows(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.rows = []

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "tr" and "clause-row" in (a.get("class") or ""):
                    self.rows.append(a)
        p = Rows()
        p.feed(r.stdout)
        c.eq(f"{label}: DOM clause rows",
             [(a["data-clause"], a["data-status"], a["data-observed"], a["data-hits"]) for a in p.rows],
             [(k, want[k]["status"], str(want[k]["observed_count"]), str(want[k]["alert_hits"]))
              for k, _ in CLAUSES])
    return want


def main():
    with tempfile.TemporaryDirectory(prefix="fabmon-guideline-") as tmp:
        r = run(["/usr/bin/python3", GEN, tmp])
        c.eq("zone scenario generated", r.returncode, 0, r.stderr[-300:])
        broken = {k: "broken" for k, _ in CLAUSES}
        # the demo: every kind of breach it was made for; three zones unseen
        check("demo", DEMO, DEFAULT, tmp, dict(broken, **{"monitoring-coverage": "not observed"}))
        # the clean fab: nothing broken; what it has no traffic for is not observed
        want = check("clean", os.path.join(tmp, "fab-clean.pcap"), SITE, tmp,
                     {"zone-separation": "observed", "internet-egress": "observed",
                      "dmz-only-way-in": "observed", "insecure-protocols": "observed",
                      "equipment-control": "observed", "asset-inventory": "observed",
                      "monitoring-coverage": "not observed"})
        c.true("clean: the internet zone is the one unseen",
               "internet" in want["monitoring-coverage"]["not_seen"])
        # the injected violations (gen_zone_scenario.py): V3 is internet -> etcher
        # (inbound: breaks the DMZ clause, not egress, and makes the internet
        # zone seen); V2's unknown host is in the fab system's range
        check("violations", os.path.join(tmp, "fab-violations.pcap"), SITE, tmp,
              dict(broken, **{"internet-egress": "observed", "asset-inventory": "observed",
                              "monitoring-coverage": "observed"}), dom=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
