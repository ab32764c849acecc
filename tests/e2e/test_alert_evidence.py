#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Every alert record keeps its evidence (issue 16, item 5).

usage: test_alert_evidence.py FABMON SOURCE_ROOT

fabmon reads the demo (with the example site policy) and a generated fab
capture whose alerts aggregate into a repeat record: a PLC written by the
EAP (FAB-MB-001) 30 times on one connection (more writes than the evidence
file takes after the first alert: its file is closed before the last
hits), then once each on three new connections within the window (flows
that had no evidence file yet). For every alert record, first or repeat:
alert.evidence names a pcap (file, first_packet, last_packet), the file has
at least last_packet packets, and `fabmon handoff DIR --alert ID` bundles it
with at least one packet of the alert's flow (its 5-tuple, read back with
scapy). The repeat record names the file of its last hit's flow (not the
first record's). Then the same capture with a ring larger than the
evidence memcap: every record says evidence.none "memcap", counted in
stats.evidence.alerts_without_evidence, and the hand-off still works (read
from standard input: from a plain file the rings keep only where the
packets are, a few bytes each, and fit).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
from fabpkt import Capture, TcpSession, mbap  # noqa: E402
from scapy.all import IP, TCP, UDP, rdpcap  # noqa: E402

SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")
EAP, PLC, SCADA = "10.20.1.10", "10.30.50.5", "10.20.2.20"
WRITE = struct.pack(">BHH", 6, 100, 999)  # FC6 register 100 = 999


def gen_repeats(path):
    cap = Capture()
    s = TcpSession(cap, SCADA, 40000, PLC, 502)  # the PLC's usual master
    s.open()
    s.send(True, mbap(1, 1, struct.pack(">BHH", 3, 0, 10)))
    s.send(False, mbap(1, 1, b"\x03\x14" + bytes(20)))
    s.close()
    s = TcpSession(cap, EAP, 41000, PLC, 502)
    s.open()
    for i in range(30):
        s.send(True, mbap(i, 1, WRITE), dt=0.5)
        s.send(False, mbap(i, 1, WRITE))
    s.close()
    for k in range(3):
        s = TcpSession(cap, EAP, 41001 + k, PLC, 502)
        s.open()
        s.send(True, mbap(1, 1, WRITE), dt=1.0)
        s.send(False, mbap(1, 1, WRITE))
        s.close()
    cap.write(path)


def run(args):
    return subprocess.run([FABMON] + args, capture_output=True, text=True)


def five_tuple(p):
    if IP not in p:
        return None
    l4 = TCP if TCP in p else UDP if UDP in p else None
    if l4 is None:
        return (p[IP].src, None, p[IP].dst, None)
    return (p[IP].src, p[l4].sport, p[IP].dst, p[l4].dport)


def check_run(c, what, out, tmp):
    recs = read_eve(os.path.join(out, "eve.json"))
    alerts = [r for r in recs if r["event_type"] == "alert"]
    c.true(f"{what}: alerts", alerts)
    for n, a in enumerate(alerts):
        al = a["alert"]
        tag = f"{what}: alert {al['id']} {al['rule_id']}{' repeat' if al.get('repeat') else ''}"
        ev = al.get("evidence") or {}
        c.true(f"{tag}: names an evidence pcap", ev.get("file"), json.dumps(ev))
        if not ev.get("file"):
            continue
        pkts = rdpcap(os.path.join(out, ev["file"]))
        c.true(f"{tag}: file holds packets 1..{ev['last_packet']}",
               ev["first_packet"] == 1 and len(pkts) >= ev["last_packet"], f"{len(pkts)} packets")
        bundle = os.path.join(tmp, f"{what}-{n}")
        p = run(["handoff", out, "--alert", al["id"], "-o", bundle, "-q"])
        c.eq(f"{tag}: handoff exit", p.returncode, 0, p.stderr)
        bp = os.path.join(bundle, ev["file"])
        c.true(f"{tag}: handoff bundles its evidence", os.path.isfile(bp), bp)
        if not os.path.isfile(bp):
            continue
        want = {(a["src_ip"], a.get("src_port"), a["dest_ip"], a.get("dest_port")),
                (a["dest_ip"], a.get("dest_port"), a["src_ip"], a.get("src_port"))}
        match = [q for q in rdpcap(bp) if five_tuple(q) in want]
        c.true(f"{tag}: the bundle's pcap holds packets of the alert's flow", match,
               f"{sorted(want, key=str)}")
    return recs, alerts


def main():
    c = Check("alert-evidence")
    with tempfile.TemporaryDirectory() as tmp:
        # the demo
        out = os.path.join(tmp, "demo")
        p = run(["-q", "-r", DEMO, "-o", out, "-c", SITE])
        c.eq("demo: exit", p.returncode, 0, p.stderr)
        check_run(c, "demo", out, tmp)

        # a fab capture with a repeat record
        cap = os.path.join(tmp, "repeats.pcap")
        gen_repeats(cap)
        out = os.path.join(tmp, "repeats")
        p = run(["-q", "-r", cap, "-o", out])
        c.eq("repeats: exit", p.returncode, 0, p.stderr)
        _, alerts = check_run(c, "repeats", out, tmp)
        mb = [a for a in alerts if a["alert"]["rule_id"] == "FAB-MB-001"]
        c.eq("repeats: FAB-MB-001 first and repeat records",
             [(a["alert"].get("repeat", False), a["alert"]["count"], a.get("src_port")) for a in mb],
             [(False, 1, 41000), (True, 32, 41003)])
        if len(mb) == 2:
            files = [m["alert"].get("evidence", {}).get("file", "") for m in mb]
            c.true("repeats: the repeat names its last hit's flow's file, not the first record's",
                   files[1] and files[1] != files[0] and f"flow{mb[1]['flow_id']}" in files[1],
                   json.dumps(files))

        # no ring for any flow (a ring of 600 x 2048 bytes > 1 MiB): why none, counted
        out = os.path.join(tmp, "memcap")
        # from standard input, so that the rings keep the packets' bytes
        # (601 x 2048 > 1 MiB); read from the file they would keep only
        # where the packets are, and fit
        with open(cap, "rb") as fin:
            p = subprocess.run([FABMON, "-q", "-r", "-", "-o", out, "--evidence-memcap-mb", "1",
                                "--evidence-packets", "600"], stdin=fin, capture_output=True, text=True)
        c.eq("memcap: exit", p.returncode, 0, p.stderr)
        recs = read_eve(os.path.join(out, "eve.json"))
        alerts = [r for r in recs if r["event_type"] == "alert"]
        c.true("memcap: alerts, a repeat among them", any(a["alert"].get("repeat") for a in alerts))
        for a in alerts:
            c.eq(f"memcap: {a['alert']['id']} evidence", a["alert"].get("evidence"), {"none": "memcap"})
        stats = [r for r in recs if r["event_type"] == "stats"]
        c.eq("memcap: stats.evidence.alerts_without_evidence",
             stats[-1]["stats"]["evidence"]["alerts_without_evidence"] if stats else None, len(alerts))
        p = run(["handoff", out, "--alert", alerts[0]["alert"]["id"], "-o", os.path.join(tmp, "h-memcap"),
                 "-q"]) if alerts else None
        c.eq("memcap: handoff exit", p.returncode if p else None, 0, p.stderr if p else "")
        readme = os.path.join(tmp, "h-memcap", "README.md")
        text = open(readme, encoding="utf-8").read() if os.path.exists(readme) else ""
        c.true("memcap: the bundle's README says why there is no evidence",
               "- evidence: none recorded for this alert: the sensor's evidence memory cap was "
               "reached when its flow began (no packet ring) (`memcap`)" in text, readme)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
