#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""SIGHUP re-reads the policy in live mode; a broken file keeps the old one.

usage: test_reload.py FABMON

fabmon captures on loopback (the only traffic is the test's own, between
127.0.0.1 and 127.0.1.1, ports 18081-18083). Policy A puts the two addresses
in two zones with no conduit: an HTTP exchange between them is FAB-ZC-001.
A broken file then SIGHUP: fabmon says why and keeps A (the next exchange
still alerts). Policy B adds the conduit, SIGHUP: the next exchange is
allowed. SIGTERM: the final stats count one reload and one failed reload.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve, final_stats, wait_for  # noqa: E402

FABMON = sys.argv[1]

ZONES = ("zones:\n"
         "  - {name: left, purdue: 3, area: fab-system-area, networks: [127.0.0.0/24]}\n"
         "  - {name: right, purdue: 2, area: fab-area, networks: [127.0.1.0/24]}\n")
POLICY_A = ZONES
POLICY_B = ZONES + ("conduits:\n  - name: left-to-right\n    from: left\n    to: right\n"
                    "    allow: [{app: HTTP, ports: [18081, 18082, 18083]}]\n")
BROKEN = ZONES + "conduits:\n  - {name: x, from: left, to: nowhere, allow: [{app: HTTP}]}\n"


def serve(port, ready):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.1.1", port))
    s.listen(1)
    ready.set()
    conn, _ = s.accept()
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
    conn.close()
    s.close()


def exchange(port):
    ready = threading.Event()
    t = threading.Thread(target=serve, args=(port, ready))
    t.start()
    ready.wait(5)
    c = socket.create_connection(("127.0.1.1", port), source_address=("127.0.0.1", 0), timeout=5)
    c.sendall(b"GET /status HTTP/1.1\r\nHost: plc.fab.local\r\nUser-Agent: fabmon-test\r\n\r\n")
    c.recv(4096)
    c.close()
    t.join(5)


def zc001_ports(eve):
    if not os.path.exists(eve):
        return []
    return sorted(r["dest_port"] for r in read_eve(eve)
                  if r.get("event_type") == "alert" and r["alert"]["rule_id"] == "FAB-ZC-001")


def main():
    c = Check("reload")
    with tempfile.TemporaryDirectory(prefix="fabmon-reload-") as tmp:
        pol = os.path.join(tmp, "policy.yaml")
        out = os.path.join(tmp, "out")
        eve = os.path.join(out, "eve.json")
        with open(pol, "w") as f:
            f.write(POLICY_A)
        errlog = open(os.path.join(tmp, "stderr"), "w+")
        p = subprocess.Popen([FABMON, "-i", "lo", "-f", "tcp portrange 18081-18083", "-o", out,
                              "-c", pol, "--timeout", "tcp-closed=1", "--stats-interval", "1"],
                             stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            c.true("fabmon started", wait_for(lambda: os.path.exists(eve)))
            time.sleep(0.5)
            exchange(18081)
            c.true("policy A: the exchange alerts",
                   wait_for(lambda: zc001_ports(eve) == [18081]), str(zc001_ports(eve)))
            with open(pol, "w") as f:
                f.write(BROKEN)
            p.send_signal(signal.SIGHUP)
            time.sleep(1)
            exchange(18082)
            c.true("broken policy: the old one still alerts",
                   wait_for(lambda: zc001_ports(eve) == [18081, 18082]), str(zc001_ports(eve)))
            errlog.seek(0)
            log = errlog.read()
            c.true("broken policy: fabmon says why",
                   f"policy not reloaded, keeping the previous one: {pol}:5:31: conduit 'x': unknown zone "
                   "'nowhere' in 'to' (zones: left, right)" in log, log)
            with open(pol, "w") as f:
                f.write(POLICY_B)
            p.send_signal(signal.SIGHUP)
            time.sleep(1)
            exchange(18083)
            time.sleep(3)  # the flow ends (tcp-closed=1) and is checked
            c.eq("policy B: the exchange is allowed", zc001_ports(eve), [18081, 18082])
            errlog.seek(0)
            c.true("policy B: reloaded", f"policy reloaded from '{pol}'" in errlog.read())
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = -1
        c.eq("exit after SIGTERM", rc, 0)
        recs = read_eve(eve)
        st = final_stats(recs)["alerts"]
        c.eq("stats: policy reloads", st["policy_reloads"], 1)
        c.eq("stats: failed reloads", st["policy_reload_failures"], 1)
        flows = [r for r in recs if r["event_type"] == "flow" and r["dest_ip"] == "127.0.1.1"]
        c.eq("three HTTP flows seen", sorted((r["dest_port"], r["app_proto"]) for r in flows),
             [(18081, "HTTP"), (18082, "HTTP"), (18083, "HTTP")])
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
