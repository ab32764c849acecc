#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The behaviour baseline (issue 19 item 2): learn on one half of a generated
fab capture, detect on the other.

usage: test_baseline.py FABMON SOURCE_ROOT

The capture (tests/tools/fabpkt.py, the example site policy's addresses):
  first half (learning), at T0:
    - the EAP 10.20.1.10 and the etcher 10.30.1.21 (HSMS): S1F13, S1F3,
      S2F41 RCMD START, S7F3 PPID ETCH-POLY-07, S2F15 ECIDs 1001 and 1002,
      S6F11 from the tool;
    - the SCADA 10.20.2.20 and the chiller PLC 10.30.50.5 (Modbus): FC3
      read 0-9, FC6 write 100, FC16 write 120-122;
    - the EAP's session again (S1F13, S1F3, S6F11);
    - an enterprise host 192.168.10.77 that breaks a conduit to reach the
      etcher, with S2F41 RCMD HACK and S7F3 PPID EVIL-RCP.
  second half (detection), 10 minutes later: the EAP's session again, with
  the known messages, START, ETCH-POLY-07 and ECID 1001 again, plus
  S2F41 RCMD PURGE and S7F3 PPID ETCH-NEW-01; the SCADA again with the
  known reads and writes plus FC16 write 150-151 (inside the conduit's
  0-199, outside the baseline).
Known truth:
  - `fabmon learn -c fab-site.yaml` on the first half writes the site
    policy plus a baseline of exactly the two pairs above (messages, RCMDs,
    PPIDs, ECIDs, functions, ranges; taken = the first and last learned
    message's time), and nothing of the enterprise host's flow (it broke a
    conduit); a draft learned without -c does list that host;
  - detection on the second half with that policy raises exactly three
    alerts: FAB-BL-001 new RCMD 'PURGE', FAB-BL-001 new PPID 'ETCH-NEW-01',
    FAB-BL-002 new register range written 150-151, each saying when the
    baseline was taken, in its reason and in alert.baseline {taken, new};
    nothing else;
  - the first half with its own baseline: no alert of either rule;
  - `fabmon learn -c` on a policy that has a baseline: exit 6, said;
  - a PPID with a byte that is not printable ASCII is kept as records show
    it (escaped) and matched again: no alert on the capture it came from.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from fabmon_test_util import Check, read_eve  # noqa: E402
from fabpkt import (A, Capture, TcpSession, ascii_, binary, hsms_control, hsms_data, item,  # noqa: E402
                    lst, mbap, u4)
import yaml  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
EAP, SCADA, ETCH, PLC, ROGUE = "10.20.1.10", "10.20.2.20", "10.30.1.21", "10.30.50.5", "192.168.10.77"
c = Check("baseline")


def tcp(cap, cli, cport, srv, sport):
    s = TcpSession(cap, cli, cport, srv, sport, isn_c=cport * 1000 + 1, isn_s=cport * 1000 + 500001)
    s.open()
    return s


def hsms(cap, cli, cport, rcmds, ppids, ecids, first_times):
    """An HSMS session from cli to the etcher: select, S1F13, S1F3, then per
    RCMD an S2F41, per PPID an S7F3, an S2F15 of the ECIDs, an S6F11."""
    s = tcp(cap, cli, cport, ETCH, 5000)
    s.send(True, hsms_control("select.req", 1))
    s.send(False, hsms_control("select.rsp", 1, status=0))
    sysb = 2
    first_times.append(cap.t)
    s.send(True, hsms_data(1, 13, sysb, lst(), wbit=True, session=1))
    s.send(False, hsms_data(1, 14, sysb, lst(binary(0), lst(ascii_("ETCH-9000"), ascii_("4.2.1"))),
                            session=1))
    sysb += 1
    s.send(True, hsms_data(1, 3, sysb, lst(u4(1)), wbit=True, session=1))
    s.send(False, hsms_data(1, 4, sysb, lst(u4(2)), session=1))
    for r in rcmds:
        sysb += 1
        s.send(True, hsms_data(2, 41, sysb, lst(ascii_(r), lst()), wbit=True, session=1))
        s.send(False, hsms_data(2, 42, sysb, lst(binary(0), lst()), session=1))
    for p in ppids:
        sysb += 1
        s.send(True, hsms_data(7, 3, sysb, lst(ascii_(p), binary(1, 2, 3)), wbit=True, session=1))
        s.send(False, hsms_data(7, 4, sysb, binary(0), session=1))
    if ecids:
        sysb += 1
        body = lst(*[lst(u4(e), u4(7)) for e in ecids])
        s.send(True, hsms_data(2, 15, sysb, body, wbit=True, session=1))
        s.send(False, hsms_data(2, 16, sysb, binary(0), session=1))
    sysb += 1
    s.send(False, hsms_data(6, 11, sysb, lst(u4(1), u4(1001), lst()), wbit=True, session=1))
    first_times.append(cap.t)
    s.send(True, hsms_data(6, 12, sysb, binary(0), session=1))
    s.send(True, hsms_control("separate.req", sysb + 1))
    s.close()


def modbus(cap, cport, writes16):
    s = tcp(cap, SCADA, cport, PLC, 502)
    s.send(True, mbap(1, 1, struct.pack(">BHH", 3, 0, 10)))
    s.send(False, mbap(1, 1, bytes([3, 20]) + bytes(20)))
    s.send(True, mbap(2, 1, struct.pack(">BHH", 6, 100, 250)))
    s.send(False, mbap(2, 1, struct.pack(">BHH", 6, 100, 250)))
    for tid, (addr, n) in enumerate(writes16, 3):
        vals = list(range(10, 10 + n))
        s.send(True, mbap(tid, 1, struct.pack(f">BHHB{n}H", 16, addr, n, 2 * n, *vals)))
        s.send(False, mbap(tid, 1, struct.pack(">BHH", 16, addr, n)))
    s.close()


def make(tmp):
    times = []
    cap = Capture()
    hsms(cap, EAP, 41001, ["START"], ["ETCH-POLY-07"], [1001, 1002], times)
    modbus(cap, 41002, [(120, 3)])
    # and the EAP again, so that the learned period ends with an HSMS message
    hsms(cap, EAP, 41004, [], [], [], times)
    learn_end = cap.t
    # a flow that breaks a conduit: the enterprise straight into the fab
    hsms(cap, ROGUE, 41003, ["HACK"], ["EVIL-RCP"], [], [])
    half1 = os.path.join(tmp, "half1.pcap")
    cap.write(half1)
    cap = Capture(t0=learn_end + 600)
    hsms(cap, EAP, 42001, ["START", "PURGE"], ["ETCH-POLY-07", "ETCH-NEW-01"], [1001], [])
    modbus(cap, 42002, [(120, 3), (150, 2)])
    half2 = os.path.join(tmp, "half2.pcap")
    cap.write(half2)
    return half1, half2


def run(*args):
    return subprocess.run([FABMON, *args], capture_output=True, text=True, timeout=120)


def alerts(out):
    return [r["alert"] for r in read_eve(os.path.join(out, "eve.json")) if r["event_type"] == "alert"]


def main():
    with tempfile.TemporaryDirectory(prefix="fabmon-baseline-") as tmp:
        half1, half2 = make(tmp)
        bl = os.path.join(tmp, "site-baseline.yaml")
        r = run("learn", "-c", SITE, "-r", half1, "-o", bl)
        c.eq("learn -c: exit", r.returncode, 0, r.stderr[-300:])
        with open(bl, encoding="utf-8") as f:
            text = f.read()
        with open(SITE, encoding="utf-8") as f:
            site = f.read()
        c.true("learn -c: the site policy, kept as it was", text.startswith(site))
        pol = yaml.safe_load(text)
        b = pol.get("baseline", {})
        c.eq("baseline: the EAP and the etcher", b.get("hsms"), [{
            "host": EAP, "equipment": ETCH,
            "messages": ["S1F3", "S1F13", "S2F15", "S2F41", "S6F11", "S7F3"],
            "rcmds": ["START"], "ppids": ["ETCH-POLY-07"], "ecids": ["1001", "1002"]}])
        c.eq("baseline: the SCADA and the PLC", b.get("modbus"), [{
            "client": SCADA, "server": PLC, "functions": [3, 6, 16], "reads": ["0-9"],
            "writes": ["100", "120-122"]}])
        c.true("baseline: nothing of the flow that broke a conduit",
               ROGUE not in text and "HACK" not in text and "EVIL-RCP" not in text)
        recs1 = read_eve_of(half1, tmp)
        # what is learned: primary data messages (odd function) and requests
        hs = [x for x in recs1 if x["event_type"] == "hsms" and ROGUE not in (x["src_ip"], x["dest_ip"])
              and x["hsms"].get("stype") == "data" and x["hsms"]["function"] % 2 == 1]
        # (the capture begins and ends its learned part with the EAP's sessions)
        first = min(x["timestamp"] for x in hs)
        last = max(x["timestamp"] for x in hs)
        c.eq("baseline: taken over the learned messages' times", b.get("taken"), f"{first} .. {last}")

        r = run("learn", "-r", half1)
        c.true("a draft learned without -c takes the enterprise host's flow too",
               r.returncode == 0 and ROGUE in r.stdout and "HACK" in r.stdout, r.stderr[-300:])

        # detection on the second half
        out = os.path.join(tmp, "detect")
        r = run("-q", "-r", half2, "-c", bl, "-o", out, "--no-report")
        c.eq("detect: exit", r.returncode, 0, r.stderr[-300:])
        got = alerts(out)
        c.eq("detect: exactly three alerts, of the baseline rules",
             sorted(a["rule_id"] for a in got), ["FAB-BL-001", "FAB-BL-001", "FAB-BL-002"])
        reasons = sorted(a["reason"] for a in got)
        for what, pat in (("the new RCMD", r"^S2F41 .*between host %s.* and equipment %s.*: "
                           r"new RCMD 'PURGE' \(baseline taken %s\)$"),
                          ("the new PPID", r"^S7F3 .*: new PPID 'ETCH-NEW-01' \(baseline taken %s\)$"),
                          ("the new range", r"^.*\(function 16\) from %s.* to %s.* unit 1: new register "
                           r"range written 150-151 \(baseline taken %s\)$")):
            args = {"the new RCMD": (re.escape(EAP), re.escape(ETCH), re.escape(b.get("taken", ""))),
                    "the new PPID": (re.escape(b.get("taken", "")),),
                    "the new range": (re.escape(SCADA), re.escape(PLC), re.escape(b.get("taken", "")))}[what]
            c.true(f"detect: {what}, with when the baseline was taken",
                   any(re.match(pat % args, x) for x in reasons), json.dumps(reasons))
        c.true("detect: category baseline, severity high",
               all(a["category"] == "baseline" and a["severity_name"] == "high" for a in got))
        c.eq("detect: alert.baseline says what was new and when the baseline was taken",
             sorted((a["rule_id"], json.dumps(a.get("baseline"), sort_keys=True)) for a in got),
             sorted((rule, json.dumps({"new": [new], "taken": b.get("taken")}, sort_keys=True))
                    for rule, new in (("FAB-BL-001", "new RCMD 'PURGE'"),
                                      ("FAB-BL-001", "new PPID 'ETCH-NEW-01'"),
                                      ("FAB-BL-002", "new register range written 150-151"))))

        # the learned half with its own baseline: nothing new
        out1 = os.path.join(tmp, "again")
        r = run("-q", "-r", half1, "-c", bl, "-o", out1, "--no-report")
        c.eq("the learned half: exit", r.returncode, 0, r.stderr[-300:])
        c.eq("the learned half: no baseline alert", [a for a in alerts(out1)
                                                      if a["rule_id"].startswith("FAB-BL")
                                                      and ROGUE not in (a.get("reason") or "")], [])

        # a PPID with bytes that are not printable ASCII ("R" 0xE9 "CIPE"):
        # records and rules see it escaped ("R\\xe9CIPE"), the baseline keeps
        # that text, and the policy read back matches it: no alert on the
        # capture it was learned from
        cap = Capture()
        s = tcp(cap, EAP, 43001, ETCH, 5000)
        s.send(True, hsms_control("select.req", 1))
        s.send(False, hsms_control("select.rsp", 1, status=0))
        s.send(True, hsms_data(7, 3, 2, lst(item(A, b"R\xe9CIPE"), binary(1)), wbit=True, session=1))
        s.send(False, hsms_data(7, 4, 2, binary(0), session=1))
        s.close()
        odd = os.path.join(tmp, "odd.pcap")
        cap.write(odd)
        oddp = os.path.join(tmp, "odd.yaml")
        r = run("learn", "-r", odd, "-o", oddp)
        c.eq("a PPID with a non-ASCII byte: learn exit", r.returncode, 0, r.stderr[-300:])
        with open(oddp, encoding="utf-8") as f:
            oddb = yaml.safe_load(f).get("baseline", {}).get("hsms", [{}])
        c.eq("... kept as records show it", oddb[0].get("ppids"), ["R\\xe9CIPE"])
        r = run("-q", "-r", odd, "-c", oddp, "-o", os.path.join(tmp, "odd-out"), "--no-report")
        c.eq("... and matched: no baseline alert on its own capture",
             [a["reason"] for a in alerts(os.path.join(tmp, "odd-out")) if a["rule_id"].startswith("FAB-BL")],
             [])

        # learning again onto a policy that has a baseline
        r = run("learn", "-c", bl, "-r", half1)
        c.eq("learn -c on a policy with a baseline: exit 6", r.returncode, 6)
        c.true("... said, with the section's line",
               re.search(r"site-baseline\.yaml:\d+: the policy has a baseline already", r.stderr)
               is not None, r.stderr[-300:])
    return c.done()


def read_eve_of(pcap, tmp):
    out = os.path.join(tmp, "plain-" + os.path.basename(pcap))
    r = run("-q", "-r", pcap, "-o", out, "--no-report", "-c", SITE, "--hsms-records", "all",
            "--modbus-records", "all")
    c.eq(f"plain run of {os.path.basename(pcap)}", r.returncode, 0, r.stderr[-300:])
    return read_eve(os.path.join(out, "eve.json"))


if __name__ == "__main__":
    sys.exit(main())
