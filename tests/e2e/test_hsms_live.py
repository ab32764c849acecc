#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""HSMS end to end with real peers: hsms-sim as host (network namespace A,
10.99.0.1) and equipment (namespace B, 10.99.0.2) over a veth pair; fabmon
captures live in namespace B. Every message either simulator sent must be in
fabmon's `hsms` records, in order, with the same header fields and the GEM
fields the simulator logged; the malformed session must raise exactly the
anomalies E37/E5 call for; the inventory must name the simulated equipment.

usage: test_hsms_live.py FABMON HSMS_SIM   (root)
"""
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from fabmon_test_util import Check, flows, hsms_stype_code, read_eve, run

FABMON, SIM = sys.argv[1], sys.argv[2]
PID = os.getpid()
NSA, NSB = f"fm-hsms-a-{PID}", f"fm-hsms-b-{PID}"
c = Check("hsms-live")


def ns(name, *cmd):
    return run(["ip", "netns", "exec", name] + list(cmd))


def setup():
    for cmd in (["ip", "netns", "add", NSA], ["ip", "netns", "add", NSB],
                ["ip", "link", "add", f"fha{PID % 10000}", "netns", NSA, "type", "veth", "peer",
                 "name", f"fhb{PID % 10000}", "netns", NSB]):
        p = run(cmd)
        if p.returncode:
            raise RuntimeError(f"{cmd}: {p.stderr}")
    for n, dev, addr in ((NSA, f"fha{PID % 10000}", "10.99.0.1/24"), (NSB, f"fhb{PID % 10000}", "10.99.0.2/24")):
        ns(n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        ns(n, "ip", "addr", "add", addr, "dev", dev)
        ns(n, "ip", "link", "set", dev, "up")
        ns(n, "ip", "link", "set", "lo", "up")


def teardown():
    run(["ip", "netns", "del", NSA])
    run(["ip", "netns", "del", NSB])


def session(tmp, port, host_args):
    eq_log, host_log = os.path.join(tmp, f"eq{port}.jsonl"), os.path.join(tmp, f"host{port}.jsonl")
    eq = subprocess.Popen(["ip", "netns", "exec", NSB, SIM, "equipment", "10.99.0.2", str(port), eq_log],
                          stdout=subprocess.PIPE, text=True)
    eq.stdout.readline()  # "listening"
    h = ns(NSA, SIM, "host", "10.99.0.2", str(port), host_log, *host_args)
    c.eq(f"port {port}: host simulator exit", h.returncode, 0)
    c.eq(f"port {port}: equipment simulator exit", eq.wait(timeout=30), 0)
    return ([json.loads(l) for l in open(host_log)], [json.loads(l) for l in open(eq_log)])


FIELDS = ("mdln", "softrev", "rcmd", "params", "ppid", "ppbody_length", "hcack", "eac", "ackc7",
          "ackc6", "mhead_sf", "ceid", "ecids")


def compare(port, sent, got, label):
    want = [m for m in sent if "raw" not in m]
    c.eq(f"{label}: number of messages", len(got), len(want))
    for i, (w, g) in enumerate(zip(want, got)):
        what = f"{label} #{i + 1}"
        c.eq(f"{what} header",
             (g["session_id"], hsms_stype_code(g), g.get("ptype", 0), g["system_bytes"], g["length"],
              g.get("stream"), g.get("function"), g.get("wbit")),
             (w["session_id"], w["stype"], w["ptype"], w["system"], w["length"],
              w.get("stream") if w["ptype"] == 0 else None, w.get("function") if w["ptype"] == 0 else None,
              w.get("wbit") if w["ptype"] == 0 else None))
        for k in FIELDS:
            if k in w:
                c.eq(f"{what} field {k}", g.get("fields", {}).get(k), w[k])


def main():
    if os.geteuid() != 0:
        print("test_hsms_live.py needs root")
        return 1
    tmp = tempfile.mkdtemp(prefix="fabmon-hsms-")
    setup()
    try:
        out = os.path.join(tmp, "out")
        fm = subprocess.Popen(["ip", "netns", "exec", NSB, FABMON, "-i", f"fhb{PID % 10000}", "-o", out,
                               "--hsms-records", "all"],  # every message, to compare with what was sent
                              stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(out, "eve.json")) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        normal = session(tmp, 5000, ["--session", "3", "--pp-size", "300000"])
        bad = session(tmp, 7777, ["--session", "3", "--malformed"])   # not an HSMS port: heuristic
        time.sleep(1.0)
        fm.send_signal(signal.SIGTERM)
        _, err = fm.communicate(timeout=30)
        c.eq("fabmon exit", fm.returncode, 0)
        recs = read_eve(os.path.join(out, "eve.json"))
        for port, (host_sent, eq_sent), label in ((5000, normal, "normal"), (7777, bad, "malformed")):
            fl = [r for r in flows(recs) if r.get("dest_port") == port]
            c.eq(f"{label}: one flow, app_proto hsms", [r["app_proto"] for r in fl], ["hsms"])
            msgs = [r for r in recs if r["event_type"] == "hsms" and r.get("dest_port") == port]
            compare(port, host_sent, [r["hsms"] for r in msgs if r["hsms"]["direction"] == "toserver"],
                    f"{label} host->equipment")
            compare(port, eq_sent, [r["hsms"] for r in msgs if r["hsms"]["direction"] == "toclient"],
                    f"{label} equipment->host")
            anomalies = collections.Counter(r["anomaly"]["event"] for r in recs
                                            if r["event_type"] == "anomaly" and r.get("dest_port") == port)
            if label == "normal":
                want = {"HSMS_UNANSWERED_AT_CLOSE": 1}  # S99F1 gets S9F3, not a reply
            else:
                want = {"HSMS_DATA_BEFORE_SELECT": 1, "HSMS_LINKTEST_BAD_SESSION": 1,
                        "HSMS_CONTROL_WITH_BODY": 1, "HSMS_UNKNOWN_STYPE": 1, "HSMS_UNKNOWN_PTYPE": 1,
                        "HSMS_REPLY_WITHOUT_PRIMARY": 1, "SECS_BAD_ELEMENT_SIZE": 1,
                        "SECS_DEPTH_EXCEEDED": 1, "HSMS_LENGTH_TOO_LARGE": 1, "HSMS_RESYNC": 1,
                        "HSMS_UNANSWERED_AT_CLOSE": 1}
            c.eq(f"{label}: anomalies", dict(anomalies), want)
            if fl:
                h = fl[0].get("hsms", {})
                c.eq(f"{label}: session ids", h.get("session_ids"), [3])
                c.eq(f"{label}: host is the client", h.get("host"), "client")
        summary = [r["asset"] for r in recs if r["event_type"] == "asset" and r["asset"]["change"] == "summary"]
        c.eq("inventory", [(a["ip"], a.get("model"), a.get("software_revision"), a["device_ids"], a["hosts"],
                            sorted(a["hsms_ports"])) for a in summary],
             [("10.99.0.2", "SIM-EQ", "1.2.3", [3], ["10.99.0.1"], [5000, 7777])])
        big = [r["hsms"] for r in recs if r["event_type"] == "hsms" and r["hsms"].get("sf") == "S7F3"]
        c.true("300 kB recipe crossed many segments and was decoded",
               big and big[0]["length"] > 300000 and big[0]["fields"]["ppbody_length"] == 300000)
    finally:
        teardown()
        if os.environ.get('KEEP'):
            print('kept', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
