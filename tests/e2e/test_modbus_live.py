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

from fabmon_test_util import Check, read_eve, run

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
        mb = [r["modbus"] for fid in script for r in recs if r["event_type"] == "modbus" and r["flow_id"] == fid]
        reqs = [m for m in mb if m["direction"] == "request"]
        rsps = {(script.index(r["flow_id"]), r["modbus"]["transaction_id"]): r["modbus"] for r in recs
                if r["event_type"] == "modbus" and r["flow_id"] in script and r["modbus"]["direction"] == "response"}
        c.eq("requests", len(reqs), len(sent))
        for i, (s, q) in enumerate(zip(sent, reqs)):
            what = f"#{i + 1} {s['what']}"
            c.eq(f"{what}: function", q["function"], s["function"])
            for k in ("address", "quantity", "values", "bits", "write_address", "write_quantity",
                      "subfunction", "mei_type", "and_mask", "or_mask"):
                if k in s:
                    c.eq(f"{what}: {k}", q.get(k), s[k])
        # every answered request has its response, with the exception the server sent
        c.eq("responses", len(rsps), sum(1 for s in sent if s["exception"] >= 0))
        reqs_at = [(script.index(r["flow_id"]), r["modbus"]["transaction_id"]) for r in recs
                   if r["event_type"] == "modbus" and r["flow_id"] in script and r["modbus"]["direction"] == "request"]
        for s, key in zip(sent, reqs_at):
            r = rsps.get(key)
            if s["exception"] < 0:
                c.true(f"{s['what']}: no response", r is None)
                continue
            c.true(f"{s['what']}: response matched", r is not None and r["transaction"]["matched"])
            if r:
                c.eq(f"{s['what']}: exception", r.get("exception", {}).get("code", 0), s["exception"])
                if "read" in s:
                    c.eq(f"{s['what']}: values read", r.get("values", r.get("bits")), s["read"])
        anomalies = [r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"]
        c.eq("anomalies", anomalies, ["MODBUS_INVALID_QUANTITY"])
        # mbpoll's two connections: a read of 5 registers, a write of 42 to register 7
        other = [r["modbus"] for _, fid in conns[7:] for r in recs
                 if r["event_type"] == "modbus" and r["flow_id"] == fid]
        c.eq("mbpoll requests", [(m["function"], m.get("address"), m.get("quantity"), m.get("values"))
                                 for m in other if m["direction"] == "request"],
             [(3, 0, 5, None), (6, 7, None, [42])])
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
