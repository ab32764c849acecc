#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Zones, conduits and rules end to end.

usage: test_zones.py FABMON SOURCE_ROOT

1. A fab scenario (tests/tools/gen_zone_scenario.py), clean and with seven
   injected violations, against the example site policy
   (zones/examples/fab-site.yaml): the clean capture raises no alert, the
   violations raise exactly the expected alerts, each with its context.
2. The same violations with the built-in default (roles inferred).
3. `fabmon learn` on the clean capture, then enforcing the draft: no alert
   on the clean capture, every injected violation caught.
4. check-policy and -c on good and broken files: exit codes and messages.
"""
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, final_stats, modbus_pdus, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
GEN = os.path.join(ROOT, "tests/tools/gen_zone_scenario.py")

# (rule, severity, src, dest, dest_port) in the order fabmon raises them
SITE_VIOLATIONS = [
    # V1: enterprise host downloads a recipe to the etcher
    ("FAB-ZC-003", 1, "192.168.10.77", "10.30.1.21", 5000),
    ("FAB-HSMS-008", 2, "192.168.10.77", "10.30.1.21", 5000),
    ("FAB-HSMS-002", 1, "192.168.10.77", "10.30.1.21", 5000),
    # V2: recipe upload to an unknown host of the fab system zone
    ("FAB-INV-002", 3, "10.20.9.99", "10.30.1.22", 5000),
    ("FAB-ZC-002", 2, "10.20.9.99", "10.30.1.22", 5000),
    ("FAB-HSMS-008", 2, "10.20.9.99", "10.30.1.22", 5000),
    ("FAB-HSMS-007", 2, "10.20.9.99", "10.30.1.22", 5000),
    # V3: RDP from the internet to the etcher's equipment PC
    ("FAB-ZC-003", 1, "203.0.113.50", "10.30.1.21", 3389),
    ("FAB-RA-001", 2, "203.0.113.50", "10.30.1.21", 3389),
    # V4: SMBv1 from the CVD
    ("FAB-ZC-002", 2, "10.30.1.22", "10.20.5.5", 445),
    ("FAB-SMB-002", 1, "10.30.1.22", "10.20.5.5", 445),
    # V5: Modbus write from the EAP (not SCADA, not an engineering workstation)
    ("FAB-ZC-002", 2, "10.20.1.10", "10.30.50.5", 502),
    ("FAB-MB-001", 2, "10.20.1.10", "10.30.50.5", 502),
    # V6: SCADA writes outside its address range
    ("FAB-MB-003", 2, "10.20.2.20", "10.30.50.5", 502),
    # V7: malformed HSMS
    ("FAB-AN-HSMS", 2, "10.20.1.10", "10.30.1.23", 5000),
]

# The built-in default has no addressing: zones come from inferred roles.
# The jump host and the engineering workstation cannot be told from their
# behaviour, so their remote access and the EWS's Modbus write (the SCADA
# is the PLC's first client) are reported; V4/V6 need site knowledge.
BUILTIN_VIOLATIONS = [
    ("FAB-MB-001", 2, "10.20.3.30", "10.30.50.5", 502),
    ("FAB-RA-001", 2, "10.10.0.5", "10.30.1.21", 3389),
    ("FAB-RA-001", 2, "10.20.3.30", "10.30.1.21", 22),
    ("FAB-HSMS-008", 2, "192.168.10.77", "10.30.1.21", 5000),
    ("FAB-HSMS-002", 1, "192.168.10.77", "10.30.1.21", 5000),
    ("FAB-HSMS-008", 2, "10.20.9.99", "10.30.1.22", 5000),
    ("FAB-HSMS-007", 2, "10.20.9.99", "10.30.1.22", 5000),
    ("FAB-ZC-003", 1, "203.0.113.50", "10.30.1.21", 3389),
    ("FAB-RA-001", 2, "203.0.113.50", "10.30.1.21", 3389),
    ("FAB-SMB-002", 1, "10.30.1.22", "10.20.5.5", 445),
    ("FAB-ZC-002", 2, "10.20.1.10", "10.30.50.5", 502),
    ("FAB-MB-001", 2, "10.20.1.10", "10.30.50.5", 502),
    ("FAB-AN-HSMS", 2, "10.20.1.10", "10.30.1.23", 5000),
]

# the injected flows: (src, dest, dest_port)
INJECTED = {(s, d, p) for _, _, s, d, p in SITE_VIOLATIONS}


def run(args, **kw):
    return subprocess.run([FABMON] + args, capture_output=True, text=True, **kw)


def summary(recs):
    return [(a["alert"]["rule_id"], a["alert"]["severity"], a["src_ip"], a["dest_ip"], a.get("dest_port"))
            for a in recs]


def sensor(c, tmp, name, capture, policy=None):
    out = os.path.join(tmp, name)
    args = ["-q", "-r", capture, "-o", out] + (["-c", policy] if policy else [])
    p = run(args)
    c.eq(f"{name}: exit", p.returncode, 0)
    return read_eve(os.path.join(out, "eve.json"))


def check_site(c, tmp, clean, viol):
    recs = sensor(c, tmp, "site-clean", clean, SITE)
    c.eq("site policy, clean capture: alerts", summary([r for r in recs if r["event_type"] == "alert"]), [])
    c.eq("site policy, clean: alerts.hits", final_stats(recs)["alerts"]["hits"], 0)

    recs = sensor(c, tmp, "site-viol", viol, SITE)
    al = [r for r in recs if r["event_type"] == "alert"]
    c.eq("site policy, violations: alerts", summary(al), SITE_VIOLATIONS)
    st = final_stats(recs)["alerts"]
    c.eq("stats alerts.hits", st["hits"], len(SITE_VIOLATIONS))
    c.eq("stats alerts.records", st["records"], len(SITE_VIOLATIONS))
    c.eq("stats alerts.by_rule FAB-HSMS-008", st["by_rule"].get("FAB-HSMS-008"), 2)
    c.eq("stats alerts.policy", st["policy"], SITE)
    flows = {(r["src_ip"], r["dest_ip"], r.get("dest_port")): r for r in recs if r["event_type"] == "flow"}
    # the flow record names the conduit that allowed it, or the one between
    # the zones that did not (the auditor's "which conduit was broken")
    pol = {(r["policy"]["src_zone"], r["policy"]["dest_zone"], r["policy"]["verdict"],
            r["policy"].get("conduit"), r["policy"].get("violated_conduit"))
           for r in flows.values() if "policy" in r}
    c.true("flow policy: an allowed flow names its conduit",
           ("fab-system", "fab-equipment", "allowed", "eap-to-equipment", None) in pol, str(pol))
    c.true("flow policy: a violating flow names the conduit it broke",
           ("fab-system", "facility", "violation", None, "scada-to-facility") in pol, str(pol))
    c.true("flow policy: a violating flow with no conduit for its zones names none",
           ("internet", "fab-equipment", "violation", None, None) in pol, str(pol))
    c.eq("flow policy: conduit and violated_conduit never both",
         [x for x in pol if x[3] and x[4]], [])

    def find(rule, src):
        return next((a for a in al if a["alert"]["rule_id"] == rule and a["src_ip"] == src), None)

    a = find("FAB-HSMS-002", "192.168.10.77")
    if a:
        al_ = a["alert"]
        c.eq("V1 signature_id", al_["signature_id"], 9100402)
        c.eq("V1 category", al_["category"], "recipe-tampering")
        c.eq("V1 severity_name", al_["severity_name"], "critical")
        c.eq("V1 action", al_["action"], "allowed")
        c.true("V1 references", "62443-3-3:SR2.1" in al_["references"] and "METI:FA" in al_["references"],
               str(al_["references"]))
        c.eq("V1 source", {k: al_["source"].get(k) for k in ("ip", "zone", "purdue", "area", "roles")},
             {"ip": "192.168.10.77", "zone": "enterprise", "purdue": 4, "area": "enterprise", "roles": []})
        c.eq("V1 target", {k: al_["target"].get(k) for k in ("zone", "host", "roles", "area")},
             {"zone": "fab-equipment", "host": "etcher-01", "roles": ["equipment"], "area": "fab-area"})
        c.eq("V1 hsms", {k: a["hsms"].get(k) for k in ("sf", "direction", "ppid", "category", "wbit")},
             {"sf": "S7F3", "direction": "H>E", "ppid": "ETCH-POLY-07", "category": "recipe-download",
              "wbit": True})
        c.true("V1 SML excerpt", a["hsms"].get("sml", "").startswith("S7F3 W"), a["hsms"].get("sml", ""))
        c.eq("V1 count", al_["count"], 1)
        f = flows.get(("192.168.10.77", "10.30.1.21", 5000))
        c.true("V1 community_id of its flow", f is not None and f["community_id"] == a["community_id"])
        c.eq("V1 flow_id of its flow", a["flow_id"], f["flow_id"] if f else None)
    else:
        c.true("V1 FAB-HSMS-002 alert present", False)
    a = find("FAB-HSMS-007", "10.20.9.99")
    if a:
        c.eq("V2 hsms", (a["hsms"]["sf"], a["hsms"]["ppid"]), ("S7F5", "CVD-OX-12"))
        c.eq("V2 dmz roles/zone", (a["alert"]["source"]["zone"], a["alert"]["source"].get("host")),
             ("fab-system", None))
    a = find("FAB-MB-003", "10.20.2.20")
    if a:
        q, = modbus_pdus([a])
        c.eq("V6 modbus", {k: q.get(k) for k in ("function", "address", "quantity", "access", "unit_id")},
             {"function": 16, "address": 5000, "quantity": 2, "access": "write", "unit_id": 1})
        c.eq("V6 modbus in Suricata's names", {k: a["modbus"]["request"].get(k) for k in
                                               ("function_code", "access_type", "write")},
             {"function_code": "WrMultRegs", "access_type": "WRITE | HOLDING | MULTIPLE | WRITE_MULTIPLE",
              "write": {"address": 5000, "quantity": 2}})
        c.eq("V6 conduit", a["alert"]["conduit"], "scada-to-facility")
        c.eq("V6 target zone (longest prefix)", a["alert"]["target"]["zone"], "facility")
    a = find("FAB-MB-001", "10.20.1.10")
    if a:
        q, = modbus_pdus([a])
        c.eq("V5 values", (q["function"], q["address"], q["values"]), (6, 100, [999]))
    a = find("FAB-AN-HSMS", "10.20.1.10")
    if a:
        c.eq("V7 anomaly", a["anomaly"]["name"], "HSMS_LENGTH_TOO_SMALL")
    a = find("FAB-SMB-002", "10.30.1.22")
    if a:
        c.eq("V4 app_proto", a["app_proto"], "NetBIOS.SMBv1")
        c.eq("V4 source host", a["alert"]["source"]["host"], "cvd-01")


def check_builtin(c, tmp, viol):
    recs = sensor(c, tmp, "builtin-viol", viol)
    al = [r for r in recs if r["event_type"] == "alert"]
    c.eq("built-in default, violations: alerts", summary(al), BUILTIN_VIOLATIONS)
    a = next((a for a in al if a["alert"]["rule_id"] == "FAB-HSMS-008"), None)
    if a:
        c.eq("built-in: inferred roles of the EAP-less selector", a["alert"]["source"]["roles"], [])
        c.eq("built-in: the etcher's inferred role", a["alert"]["target"]["roles"], ["equipment"])
        c.eq("built-in: roles_inferred", a["alert"]["target"]["roles_inferred"], True)
        c.eq("built-in: zone by role", a["alert"]["target"]["zone"], "fab-equipment")
    # the built-in policy's copy beside eve.json is zones/default-fab.yaml byte
    # for byte, so its SHA-256 (in the run record) is the repository file's
    want = hashlib.sha256(open(os.path.join(ROOT, "zones/default-fab.yaml"), "rb").read()).hexdigest()
    pol = recs[0]["run"]["policy"] if recs and recs[0]["event_type"] == "run" else {}
    c.eq("built-in: run record's policy sha256 = zones/default-fab.yaml's", pol.get("sha256"), want)
    c.eq("built-in: policy copy name", pol.get("copy"), f"policy-{want[:12]}.yaml")
    copy = os.path.join(tmp, "builtin-viol", f"policy-{want[:12]}.yaml")
    got = hashlib.sha256(open(copy, "rb").read()).hexdigest() if os.path.exists(copy) else None
    c.eq("built-in: the policy copy's sha256", got, want)


def check_learn(c, tmp, clean, viol):
    draft = os.path.join(tmp, "learned.yaml")
    p = run(["learn", "-r", clean, "-o", draft])
    c.eq("learn: exit", p.returncode, 0)
    c.true("learn: says what it wrote", "draft policy written to" in p.stderr, p.stderr)
    p = run(["check-policy", "-q", draft])
    c.eq("learned policy is valid", p.returncode, 0)
    text = open(draft).read() if os.path.exists(draft) else ""
    for want in ("networks: [\"10.30.0.0/16\"]", "roles: [equipment-host]", "model: \"ETCH-9000\"",
                 "messages: [S1, S2, S5, S6, S7]", "addresses: [100, \"120-122\"]"):
        c.true("learned policy has " + want, want in text)
    recs = sensor(c, tmp, "learned-clean", clean, draft)
    c.eq("learned policy, clean capture: alerts", summary([r for r in recs if r["event_type"] == "alert"]), [])
    al = [r for r in sensor(c, tmp, "learned-viol", viol, draft) if r["event_type"] == "alert"]
    hit = {(a["src_ip"], a["dest_ip"], a.get("dest_port")) for a in al}
    for v in sorted(INJECTED):
        c.true(f"learned policy catches violation {v}", v in hit)
    c.eq("learned policy: alerts only on injected flows", sorted(hit - INJECTED), [])


def check_cli(c, tmp):
    p = run(["check-policy", SITE])
    c.eq("check-policy site: exit", p.returncode, 0)
    c.true("check-policy prints the zone table",
           "fab-equipment          2      fab-area         4    closed    10.30.0.0/16" in p.stdout, p.stdout[:400])
    c.true("check-policy prints conduits", "eap-to-equipment: fab-system -> fab-equipment" in p.stdout)
    c.true("check-policy verdict",
           p.stdout.rstrip().endswith("fab-site.yaml: valid (6 zones, 13 hosts, 5 conduits, 0 warnings)"),
           p.stdout[-200:])
    p = run(["check-policy", "--builtin"])
    c.eq("check-policy --builtin: exit", p.returncode, 0)
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write("zones:\n  - {name: a, purdue: 2, area: fab-area}\nconduits:\n"
                "  - {name: c, from: a, to: b, allow: [{app: hsms}]}\n")
    p = run(["check-policy", bad])
    c.eq("check-policy broken: exit", p.returncode, 6)
    c.eq("check-policy broken: message", p.stderr.strip(),
         f"fabmon: error: {bad}:4:28: conduit 'c': unknown zone 'b' in 'to' (zones: a)")
    out = os.path.join(tmp, "bad-run")
    p = run(["-r", os.path.join(tmp, "fab-clean.pcap"), "-o", out, "-c", bad])
    c.eq("-c broken policy: exit", p.returncode, 6)
    c.true("-c broken policy: message", f"{bad}:4:28: conduit 'c'" in p.stderr, p.stderr)
    c.true("-c broken policy: no output written", not os.path.exists(os.path.join(out, "eve.json")))
    p = run(["-r", os.path.join(tmp, "fab-clean.pcap"), "-o", out, "-c", os.path.join(tmp, "missing.yaml")])
    c.eq("-c missing policy: exit", p.returncode, 6)
    c.true("-c missing policy: message", "missing.yaml: cannot open the policy: No such file or directory"
           in p.stderr, p.stderr)
    p = run(["rules"])
    c.true("rules lists every rule", p.stdout.count("references:") == 35 and "FAB-HSMS-002" in p.stdout
           and "FAB-SCAN-001" in p.stdout and "FAB-EXP-001" in p.stdout)


def main():
    c = Check("zones")
    with tempfile.TemporaryDirectory(prefix="fabmon-zones-") as tmp:
        g = subprocess.run(["/usr/bin/python3", GEN, tmp], capture_output=True, text=True)
        if g.returncode:
            print(g.stdout, g.stderr)
            return 1
        clean, viol = os.path.join(tmp, "fab-clean.pcap"), os.path.join(tmp, "fab-violations.pcap")
        check_site(c, tmp, clean, viol)
        check_builtin(c, tmp, viol)
        check_learn(c, tmp, clean, viol)
        check_cli(c, tmp)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
