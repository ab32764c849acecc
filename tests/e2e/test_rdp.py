#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""RDP without Network Level Authentication (issue 19, SEMI E187): the RDP
security negotiation in flow records (dissectors/rdp.c, sensor/rdp_seen.c)
and in each server's exposure, on a generated capture with known truth,
cross-checked with tshark's RDP dissector as an independent decoder:

1. 10.20.1.10 -> 10.30.1.31:3389: asks for TLS or CredSSP, the server
   chooses CredSSP (NLA);
2. 10.20.1.11 -> 10.30.1.32:3389: asks for TLS or CredSSP, the server
   chooses TLS alone (no NLA);
3. 10.20.1.12 -> 10.30.1.32:3389: an old client (a cookie, no negotiation),
   the server answers with a bare Confirm: standard RDP security;
4. 10.20.1.13 -> 10.30.1.33:3389: asks for TLS, the server refuses
   (failure code 5, CredSSP required);
5. 10.20.1.10 -> 10.30.1.31:3390: the bytes of 2 on another port: not read.

Against zones/examples/fab-site.yaml (the servers in its fab-equipment
zone): the three servers' exposure records say which chose NLA.

usage: test_rdp.py FABMON SOURCE_ROOT
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from fabmon_test_util import Check, flows, read_eve, run  # noqa: E402
import fabpkt  # noqa: E402
import rdppkt as r  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]
TLS_OR_CREDSSP = r.PROTOCOL_SSL | r.PROTOCOL_HYBRID


def session(cap, cli, cport, srv, sport, request, confirm):
    t = fabpkt.TcpSession(cap, cli, cport, srv, sport)
    t.open()
    t.send(True, request)
    t.send(False, confirm)
    t.close()


def build(path):
    cap = fabpkt.Capture()
    session(cap, "10.20.1.10", 50001, "10.30.1.31", 3389, r.connection_request("op1", TLS_OR_CREDSSP),
            r.connection_confirm(r.PROTOCOL_HYBRID))
    session(cap, "10.20.1.11", 50002, "10.30.1.32", 3389, r.connection_request("op2", TLS_OR_CREDSSP),
            r.connection_confirm(r.PROTOCOL_SSL))
    session(cap, "10.20.1.12", 50003, "10.30.1.32", 3389, r.connection_request("op3", None),
            r.connection_confirm(None))
    session(cap, "10.20.1.13", 50004, "10.30.1.33", 3389, r.connection_request("op4", r.PROTOCOL_SSL),
            r.negotiation_failure(5))
    session(cap, "10.20.1.10", 50005, "10.30.1.31", 3390, r.connection_request("op5", TLS_OR_CREDSSP),
            r.connection_confirm(r.PROTOCOL_SSL))
    cap.write(path)


def tshark_rdp(path):
    """Per client port: what tshark's RDP dissector reads."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|",
                          "-e", "tcp.srcport", "-e", "tcp.dstport",
                          "-e", "rdp.negReq.requestedProtocols", "-e", "rdp.negReq.selectedProtocol",
                          "-e", "rdp.negFailure.failureCode"],
                         capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        sport, dport, req, sel, fail = (line.split("|") + [""] * 5)[:5]
        port = int(sport) if int(dport) in (3389, 3390) else int(dport)
        g = got.setdefault(port, {})
        if req:
            g["requested"] = int(req, 0)
        if sel:
            g["selected"] = int(sel, 0)
        if fail:
            g["failure"] = int(fail, 0)
    return got


NAMES = {0: "rdp", 1: "tls", 2: "hybrid", 4: "rdstls", 8: "hybrid-ex"}


def names(mask):
    return [NAMES[b] for b in (1, 2, 4, 8) if mask & b] or ["rdp"]


def main():
    c = Check("rdp")
    tmp = tempfile.mkdtemp(prefix="fabmon-rdp-")
    try:
        cap = os.path.join(tmp, "rdp.pcap")
        build(cap)
        # the example site's zones: 10.20/16 fab system, 10.30/16 fab equipment
        site = os.path.join(SRC, "zones", "examples", "fab-site.yaml")
        p = run([FABMON, "-q", "-r", cap, "-o", os.path.join(tmp, "out"), "-c", site, "--no-report"])
        c.eq("exit code", p.returncode, 0, p.stderr)
        recs = read_eve(os.path.join(tmp, "out", "eve.json"))
        by_port = {f["src_port"]: f.get("rdp") for f in flows(recs)}
        want = {
            50001: {"requested": ["tls", "hybrid"], "selected": "hybrid", "nla": True},
            50002: {"requested": ["tls", "hybrid"], "selected": "tls", "nla": False},
            50003: {"requested": ["rdp"], "selected": "rdp", "nla": False},
            50004: {"requested": ["tls"], "failure_code": 5},
            50005: None,
        }
        for port, w in want.items():
            c.eq(f"flow from port {port}: rdp", by_port.get(port, "no flow"), w)

        # tshark, an independent decoder, reads the same negotiation
        ts = tshark_rdp(cap)
        for port in (50001, 50002, 50004):
            mine, theirs = want[port], ts.get(port, {})
            c.eq(f"port {port}: requested as tshark reads it", names(theirs.get("requested", 0)),
                 mine["requested"])
            if "selected" in mine:
                c.eq(f"port {port}: selected as tshark reads it", NAMES.get(theirs.get("selected")),
                     mine["selected"])
            else:
                c.eq(f"port {port}: failure code as tshark reads it", theirs.get("failure"),
                     mine["failure_code"])

        # each server's exposure: the NLA server is not flagged, the other is
        exp = {x["exposure"]["ip"]: x["exposure"] for x in recs if x.get("event_type") == "exposure"}

        def service(ip, port):
            for s in exp.get(ip, {}).get("services", []):
                if s["port"] == port:
                    return s
            return {}
        s31, s32, s33 = service("10.30.1.31", 3389), service("10.30.1.32", 3389), service("10.30.1.33", 3389)
        c.eq("NLA server: rdp_nla", s31.get("rdp_nla"), True)
        c.true("NLA server: not flagged rdp-no-nla", "rdp-no-nla" not in s31.get("insecure", []), s31)
        c.eq("TLS-only and standard-security server: rdp_nla", s32.get("rdp_nla"), False)
        c.eq("TLS-only and standard-security server: flagged first",
             (s32.get("insecure") or [None])[0], "rdp-no-nla")
        c.eq("TLS-only and standard-security server: both connections", s32.get("flows"), 2)
        c.true("refusing server: no rdp_nla", "rdp_nla" not in s33 and s33 != {}, s33)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(c.done())


main()
