#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Modbus/TCP end to end with real peers: a libmodbus server (namespace B,
10.99.1.2:502) and a libmodbus client running a scripted sequence
(namespace A) over a veth pair, then mbpoll (a second stack, itself on
libmodbus's command line) reading and writing; fabmon captures live in B.
fabmon must report exactly what the client did: every function, address,
quantity and value in order, every exception the server answered, the one
request that breaks the specification, and the server's identity.

usage: test_modbus_live.py FABMON MODBUS_PEERS   (root)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from fabmon_test_util import Check, modbus_pdus, read_eve, run

FABMON, PEERS = sys.argv[1], sys.argv[2]
PID = os.getpid()
NSA, NSB = f"fm-mb-a-{PID}", f"fm-mb-b-{PID}"
DA, DB = f"fma{PID % 10000}", f"fmb{PID % 10000}"
c = Check("modbus-live")


def ns(name, *cmd):
    return run(["ip", "netns", "exec", name] + list(cmd))


def setup():
    for cmd in (["ip", "netns", "add", NSA], ["ip", "netns", "add", NSB],
                ["ip", "link", "add", DA, "netns", NSA, "type", "veth", "peer", "name", DB, "netns", NSB]):
        p = run(cmd)
        if p.returncode:
            raise RuntimeError(f"{cmd}: {p.stderr}")
    for n, dev, addr in ((NSA, DA, "10.99.1.1/24"), (NSB, DB, "10.99.1.2/24")):
        ns(n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        ns(n, "ip", "addr", "add", addr, "dev", dev)
        ns(n, "ip", "link", "set", dev, "up")
        ns(n, "ip", "link", "set", "lo", "up")


def teardown():
    run(["ip", "netns", "del", NSA])
    run(["ip", "netns", "del", NSB])


def main():
    if os.geteuid() != 0:
        print("test_modbus_live.py needs root")
        return 1
    tmp = tempfile.mkdtemp(prefix="fabmon-modbus-")
    setup()
    try:
        out = os.path.join(tmp, "out")
        fm = subprocess.Popen(["ip", "netns", "exec", NSB, FABMON, "-i", DB, "-o", out, "--modbus-records", "all"],
                              stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while not os.path.exists(os.path.join(out, "eve.json")) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        srv = subprocess.Popen(["ip", "netns", "exec", NSB, PEERS, "server", "10.99.1.2", "502"],
                               stdout=subprocess.PIPE, text=True)
        srv.stdout.readline()
        log = os.path.join(tmp, "client.jsonl")
        p = ns(NSA, PEERS, "client", "10.99.1.2", "502", log)
        c.eq("libmodbus client exit", p.returncode, 0)
        time.sleep(0.3)
        # mbpoll: read 5 holding registers from 0, then write 42 to register 7
        p = ns(NSA, "mbpoll", "-m", "tcp", "-a", "1", "-t", "4", "-r", "0", "-c", "5", "-0", "-1", "10.99.1.2")
        c.eq("mbpoll read exit", p.returncode, 0)
        time.sleep(0.3)
        p = ns(NSA, "mbpoll", "-m", "tcp", "-a", "1", "-t", "4", "-r", "7", "-0", "10.99.1.2", "42")
        c.eq("mbpoll write exit", p.returncode, 0)
        time.sleep(1.0)
        srv.kill()
        srv.wait()
        fm.send_signal(signal.SIGTERM)
        fm.communicate(timeout=30)
        c.eq("fabmon exit", fm.returncode, 0)
        recs = read_eve(os.path.join(out, "eve.json"))
        sent = [json.loads(l) for l in open(log)]
        conns = sorted({(r["timestamp"], r["flow_id"]) for r in recs if r["event_type"] == "flow"
                        and r.get("dest_port") == 502})
        # the scripted client: one connection for the library calls, one per
        # raw request (6); then mbpoll's two
        c.eq("connections to port 502", len(conns), 9)
        c.true("all claimed as modbus", all(r["app_proto"] == "modbus" for r in recs
                                            if r["event_type"] == "flow" and r.get("dest_port") == 502))
        script = [fid for _, fid in conns[:7]]
        mbrecs = [r for r in recs if r["event_type"] == "modbus"]
        # one record per transaction: its request and response taken out as
        # PDUs, the requests in the order they were sent (connection, then
        # the transaction's number in it)
        pdus = [p for p in modbus_pdus(mbrecs) if p["flow_id"] in script]
        reqs = sorted((p for p in pdus if p["direction"] == "request"),
                      key=lambda p: (script.index(p["flow_id"]), p["id"]))
        rsps = {(p["flow_id"], p["id"]): p for p in pdus if p["direction"] == "response"}
        c.eq("requests", len(reqs), len(sent))
        c.eq("one record per transaction", len(mbrecs),
             len({(r["flow_id"], r["modbus"]["id"]) for r in mbrecs}))
        for i, (s, q) in enumerate(zip(sent, reqs)):
            what = f"#{i + 1} {s['what']}"
            c.eq(f"{what}: function", q["function"], s["function"])
            for k in ("address", "quantity", "values", "bits", "write_address", "write_quantity",
                      "subfunction", "mei_type", "and_mask", "or_mask"):
                if k in s:
                    c.eq(f"{what}: {k}", q.get(k), s[k])
        # every answered request has its response, with the exception the server sent
        c.eq("responses", len(rsps), sum(1 for s in sent if s["exception"] >= 0))
        for s, q in zip(sent, reqs):
            r = rsps.get((q["flow_id"], q["id"]))
            if s["exception"] < 0:
                c.true(f"{s['what']}: no response", r is None)
                c.eq(f"{s['what']}: state", q.get("state"), "unanswered")
                continue
            c.true(f"{s['what']}: response matched", r is not None and r["matched"] and q["matched"])
            if r:
                c.eq(f"{s['what']}: exception", r.get("exception", {}).get("code", 0), s["exception"])
                c.eq(f"{s['what']}: same transaction id", r["transaction_id"], q["transaction_id"])
                if "read" in s:
                    c.eq(f"{s['what']}: values read", r.get("values", r.get("bits")), s["read"])
        anomalies = [r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"]
        c.eq("anomalies", anomalies, ["MODBUS_INVALID_QUANTITY"])
        # mbpoll's two connections: a read of 5 registers, a write of 42 to register 7
        other = [p for _, fid in conns[7:] for p in modbus_pdus(mbrecs) if p["flow_id"] == fid]
        c.eq("mbpoll requests", [(m["function"], m.get("address"), m.get("quantity"), m.get("values"))
                                 for m in other if m["direction"] == "request"],
             [(3, 0, 5, None), (6, 7, None, [42])])
        # Suricata's names for them (sawp-modbus's, as suricata-verify's tests/modbus has them)
        c.eq("mbpoll requests in Suricata's names",
             [(r["modbus"]["request"]["function_code"], r["modbus"]["request"]["access_type"],
               r["modbus"]["request"].get("read"), r["modbus"]["request"].get("write"))
              for _, fid in conns[7:] for r in mbrecs if r["flow_id"] == fid],
             [("RdHoldRegs", "READ | HOLDING", {"address": 0, "quantity": 5}, None),
              ("WrSingleReg", "WRITE | HOLDING | SINGLE | WRITE_SINGLE", None, {"address": 7, "data": 42})])
        assets = [r["asset"] for r in recs if r["event_type"] == "asset" and r["asset"]["change"] == "summary"]
        c.eq("one server in the inventory", [a["ip"] for a in assets], ["10.99.1.2"])
        if assets:
            a = assets[0]
            c.true("server identified by FC 17 (libmodbus answers 'LMB' + its version)",
                   a.get("server_data", "").startswith("LMB"), json.dumps(a))
            c.eq("server's unit ids", a["unit_ids"], [1])
            c.eq("server's client", a["clients"], ["10.99.1.1"])
            c.true("writes counted", a["writes"] >= 7, json.dumps(a))
    finally:
        teardown()
        if os.environ.get('KEEP'):
            print('kept', tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
