#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""An attacker cannot blind fabmon with junk or a malformed PDU (issue 16
item 1): a clean attack session and the same session behind each kind of
junk or malformed prefix, or with a malformed PDU in the middle.

Modbus: replayed over TCP against a real libmodbus server (modbus-peers, in
a network namespace, over a veth pair; captured with dumpcap, then read by
fabmon one connection at a time). After each connection a checker reads the
server's registers and coils back, so the test knows which of the writes the
server executed, and then restores them. For every variant fabmon must:
- report the clean session's command records (function, address, values)
  and no other request without an anomaly;
- raise the same alerts (rule ids, anomalies aside) as for the clean
  session, plus the anomalies the variant calls for;
- never report a write as executed (answered without exception) that the
  server did not execute.

HSMS: generated captures (tests/tools/fabpkt.py) of a host selecting an
equipment, sending an S2F41 remote command and an S7F3 recipe download,
behind each prefix: the same S2F41/S7F3 records and alerts as the clean
session, plus the exact anomalies.

usage: test_resync.py FABMON MODBUS_PEERS   (root, for the Modbus part)
"""
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from fabmon_test_util import Check, modbus_pdus, read_eve, run  # noqa: E402
import fabpkt  # noqa: E402

FABMON, PEERS = sys.argv[1], sys.argv[2]
PID = os.getpid()
NSA, NSB = f"fm-rs-a-{PID}", f"fm-rs-b-{PID}"
DA, DB = f"fra{PID % 10000}", f"frb{PID % 10000}"
SRV = "10.99.3.2"
c = Check("resync")


def mbap(tid, pdu, proto=0, unit=1, length=None):
    return struct.pack(">HHHB", tid, proto, len(pdu) + 1 if length is None else length, unit) + pdu


# The attack: two register writes and two coil writes (FC 6, 16, 5, 5).
SESSION = [
    mbap(1, bytes.fromhex("0600100064")),              # register 16 := 100 (was 160)
    mbap(2, bytes.fromhex("100020000204000a000b")),    # registers 32, 33 := 10, 11 (were 320, 330)
    mbap(3, bytes.fromhex("0500060000")),              # coil 6 := off (was on)
    mbap(4, bytes.fromhex("05000aff00")),              # coil 10 := on (was off)
    # diagnostics, restart communications: FAB-MB-002 for a host without the
    # engineering role (libmodbus answers "illegal function"; last, since
    # libmodbus does not frame FC 8)
    mbap(5, bytes.fromhex("0800010000")),
]
WRITES = [(6, 16, (100,)), (16, 32, (10, 11)), (5, 6, (0,)), (5, 10, (1,))]

# (name, where, bytes, anomalies fabmon must raise for the attacker)
# where: "start" (before the first ADU), "middle" (after it), "end" (after the last, then FIN).
# Prefixes of 8 bytes with function code 0x41 are whole requests by
# libmodbus's framing (it reads a header and a function code, then as many
# bytes as the function code calls for, 0 for codes above 23 it does not
# know; it ignores the MBAP length and, on a request, the protocol id): the
# server answers "illegal function" and stays in step. The others make
# libmodbus lose step for good: it then executes none of the writes.
J = "MODBUS_JUNK_BEFORE_FIRST_ADU"
MODBUS_VARIANTS = [
    ("junk byte", "start", b"\xff", ["MODBUS_INVALID_PROTOCOL_ID", J]),
    ("3 junk bytes", "start", b"\xde\xad\xbe", ["MODBUS_INVALID_PROTOCOL_ID", J]),
    ("7 junk bytes (a fake MBAP)", "start", bytes.fromhex("deadbeefcafe01"), ["MODBUS_INVALID_PROTOCOL_ID", J]),
    ("HTTP request", "start", b"GET / HTTP/1.0\r\n\r\n", ["MODBUS_INVALID_PROTOCOL_ID", J]),
    ("MBAP length 0", "start", mbap(0x63, b"\x41", length=0), ["MODBUS_INVALID_LENGTH", J]),
    ("MBAP length 1", "start", mbap(0x63, b"\x41", length=1), ["MODBUS_INVALID_LENGTH", J]),
    ("MBAP length 255", "start", mbap(0x63, b"\x41", length=255), ["MODBUS_INVALID_LENGTH", J]),
    ("MBAP length 0x8804", "start", bytes.fromhex("0001000088040507"), ["MODBUS_INVALID_LENGTH", J]),
    ("protocol id 1", "start", mbap(0x63, b"\x41", proto=1), ["MODBUS_INVALID_PROTOCOL_ID", J]),
    ("MBAP length 0 in the middle", "middle", mbap(0x63, b"\x41", length=0),
     ["MODBUS_INVALID_LENGTH", "MODBUS_RESYNC"]),
    ("MBAP length 0x8804 in the middle", "middle", bytes.fromhex("0001000088040507"),
     ["MODBUS_INVALID_LENGTH", "MODBUS_RESYNC"]),
    ("protocol id 16 read in the middle", "middle", mbap(0x63, bytes.fromhex("0100010003"), proto=16),
     ["MODBUS_INVALID_PROTOCOL_ID", "MODBUS_RESYNC"]),
    ("junk byte in the middle", "middle", b"\xff", ["MODBUS_INVALID_PROTOCOL_ID", "MODBUS_RESYNC"]),
    ("truncated ADU, then FIN", "end", mbap(0x63, bytes.fromhex("0600050007"))[:9], []),
]

CLIENT = r'''
import json, socket, struct, sys, time
spec = json.load(open(sys.argv[1]))
out = []

def exchange(port, payload, close_early=False):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.connect((spec["server"], 502))
    got = b""
    for chunk in payload:
        s.sendall(bytes.fromhex(chunk))
        # as an attacker would: let the server answer (libmodbus answers an
        # unknown function after its response timeout, 0.5 s, then flushes
        # what it has received)
        time.sleep(0.8 if len(payload) > 1 else 0.05)
    s.settimeout(0.4)
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except socket.timeout:
        pass
    s.close()
    return got

def rtu(tid, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, 1) + pdu

for v in spec["variants"]:
    replies = exchange(v["port"], v["chunks"])
    time.sleep(0.1)
    # the checker: read back, then restore the initial values
    rd = exchange(v["port"] + 1000, [rtu(1, bytes.fromhex("0300100012")).hex(),
                                     rtu(2, bytes.fromhex("0100000010")).hex()])
    regs = list(struct.unpack(">18H", rd[9:9 + 36]))
    coils = rd[9 + 36 + 9:9 + 36 + 9 + 2]
    bits = [(coils[i // 8] >> (i % 8)) & 1 for i in range(16)]
    init_regs = b"".join(struct.pack(">H", (16 + i) * 10) for i in range(18))
    init_bits = sum(1 << i for i in range(16) if i % 3 == 0)
    exchange(v["port"] + 2000, [rtu(3, bytes.fromhex("1000100012") + bytes([36]) + init_regs).hex(),
                                rtu(4, bytes.fromhex("0f0000001002") + struct.pack("<H", init_bits)).hex()])
    out.append({"name": v["name"], "replies": replies.hex(), "regs": regs, "bits": bits})
    time.sleep(0.1)
json.dump(out, open(sys.argv[2], "w"))
'''


def ns(name, *cmd):
    return run(["ip", "netns", "exec", name] + list(cmd))


def setup():
    for cmd in (["ip", "netns", "add", NSA], ["ip", "netns", "add", NSB],
                ["ip", "link", "add", DA, "netns", NSA, "type", "veth", "peer", "name", DB, "netns", NSB]):
        p = run(cmd)
        if p.returncode:
            raise RuntimeError(f"{cmd}: {p.stderr}")
    for n, dev, addr in ((NSA, DA, "10.99.3.1/24"), (NSB, DB, SRV + "/24")):
        ns(n, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        ns(n, "ip", "addr", "add", addr, "dev", dev)
        ns(n, "ip", "link", "set", dev, "up")
        ns(n, "ip", "link", "set", "lo", "up")


def teardown():
    run(["ip", "netns", "del", NSA])
    run(["ip", "netns", "del", NSB])


def fabmon_read(pcap, out, bpf=None):
    cmd = [FABMON, "-r", pcap, "-o", out, "--modbus-records", "all"]
    if bpf:
        cmd += ["-f", bpf]
    p = run(cmd)
    c.eq(f"fabmon -r {os.path.basename(pcap)} {bpf or ''} exit", p.returncode, 0, p.stderr[-500:])
    return read_eve(os.path.join(out, "eve.json"))


def anomalies(recs):
    return [r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"]


def alert_rules(recs):
    """Alerts other than protocol anomalies: rule id, source, target."""
    return sorted({(r["alert"]["rule_id"], r["alert"]["source"]["ip"], r["alert"].get("target", {}).get("ip"))
                   for r in recs if r["event_type"] == "alert" and r["alert"]["category"] != "protocol-anomaly"})


def command(p):
    return (p["function"], p.get("address"), p.get("quantity"), p.get("values"), p.get("bits"))


def executed(state):
    """The session's writes the server executed, by what it read back."""
    regs, bits = state["regs"], state["bits"]
    return [regs[0] == 100, regs[16] == 10 and regs[17] == 11, bits[6] == 0, bits[10] == 1]


def modbus_part(tmp):
    setup()
    try:
        cap = os.path.join(tmp, "modbus.pcapng")
        dc = subprocess.Popen(["ip", "netns", "exec", NSB, "dumpcap", "-q", "-i", DB, "-w", cap],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while not os.path.exists(cap) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        srv = subprocess.Popen(["ip", "netns", "exec", NSB, PEERS, "server", SRV, "502"],
                               stdout=subprocess.PIPE, text=True)
        srv.stdout.readline()
        variants = [("clean", "start", b"", [])] + MODBUS_VARIANTS
        spec = {"server": SRV, "variants": []}
        for i, (name, where, junk, _) in enumerate(variants):
            if where == "start":
                chunks = ([junk] if junk else []) + [b"".join(SESSION)]
            elif where == "middle":
                chunks = [SESSION[0], junk + b"".join(SESSION[1:])]
            else:
                chunks = [b"".join(SESSION), junk]
            spec["variants"].append({"name": name, "port": 41000 + i, "chunks": [x.hex() for x in chunks]})
        specf, outf, clientf = (os.path.join(tmp, n) for n in ("spec.json", "client-out.json", "client.py"))
        json.dump(spec, open(specf, "w"))
        open(clientf, "w").write(CLIENT)
        p = ns(NSA, "/usr/bin/python3", clientf, specf, outf)
        c.eq("client exit", p.returncode, 0, p.stderr[-2000:])
        time.sleep(0.5)
        srv.kill()
        srv.wait()
        dc.send_signal(signal.SIGINT)
        dc.wait(timeout=30)
        states = json.load(open(outf))
    finally:
        teardown()
    clean = None
    for i, ((name, where, junk, want_anoms), st) in enumerate(zip([("clean", "start", b"", [])] + MODBUS_VARIANTS,
                                                                   states)):
        recs = fabmon_read(cap, os.path.join(tmp, f"mb{i}"), f"tcp port {41000 + i}")
        flowrecs = [r for r in recs if r["event_type"] == "flow" and r.get("dest_port") == 502]
        c.eq(f"{name}: one flow, claimed as modbus", [r.get("app_proto") for r in flowrecs], ["modbus"])
        pdus = modbus_pdus([r for r in recs if r["event_type"] == "modbus"])
        reqs = [p for p in pdus if p["direction"] == "request"]
        cmds = [command(p) for p in reqs if not p.get("anomaly")]
        ran = executed(st)
        res = {"cmds": cmds, "alerts": alert_rules(recs), "anomalies": anomalies(recs)}
        if clean is None:
            clean = res
            c.eq("clean: the server executed every write", ran, [True] * 4)
            c.eq("clean: the four writes and the diagnostics", [(f, a) for f, a, *_ in cmds],
                 [(f, a) for f, a, _ in WRITES] + [(8, None)])
            c.eq("clean: no anomaly", res["anomalies"], [])
            c.true("clean: the diagnostics raise an alert",
                   any(a[0] == "FAB-MB-002" for a in res["alerts"]), json.dumps(res["alerts"]))
            continue
        c.eq(f"{name}: same commands as the clean session", cmds, clean["cmds"])
        # the flow may be checked before its first request (the server
        # answered the junk first): once the request shows the roles, an
        # unzoned check is done again (rl_recheck_unzoned), so FAB-MB-004
        # (FC 8 not allowed by the conduit) is not lost
        c.eq(f"{name}: same alerts as the clean session", res["alerts"], clean["alerts"])
        got = res["anomalies"]
        c.eq(f"{name}: the anomalies, in order, from the attacker",
             [a for a in got if a in want_anoms][:len(want_anoms)], want_anoms, json.dumps(got))
        # anything else is about the server's answers to junk, never a command
        c.true(f"{name}: other anomalies are about the server's answers",
               all(a in want_anoms or a == "MODBUS_UNSOLICITED_RESPONSE" for a in got), json.dumps(got))
        # no false commands: a write fabmon reports as answered without
        # exception is one the server executed
        for p in reqs:
            if p.get("anomaly") or p["function"] not in (5, 6, 15, 16):
                continue
            k = [(f, a) for f, a, _ in WRITES].index((p["function"], p.get("address")))
            rsp = [q for q in pdus if q["direction"] == "response" and q["id"] == p["id"]]
            ok = bool(rsp) and p.get("matched") and not rsp[0].get("exception")
            if ok:
                c.true(f"{name}: write FC {p['function']} to {p.get('address')} reported as executed, "
                       f"and the server did execute it", ran[k])
        extra = [command(p) for p in reqs if p.get("anomaly")]
        c.true(f"{name}: requests with an anomaly are answered by an exception or not at all",
               all(not any(q["direction"] == "response" and q["id"] == p["id"] and not q.get("exception")
                           for q in pdus) for p in reqs if p.get("anomaly")), json.dumps(extra))
        print(f"  {name}: server executed {sum(ran)}/4 writes; anomalies {got}")


# ------------------------------------------------------------------ HSMS
H, E, EAP = "10.40.1.10", "10.50.1.20", "10.40.1.5"   # attacker, equipment, the equipment's host

S2F41 = fabpkt.lst(fabpkt.ascii_("START"), fabpkt.lst(fabpkt.lst(fabpkt.ascii_("LOT"), fabpkt.ascii_("L1"))))
S7F3 = fabpkt.lst(fabpkt.ascii_("RECIPE-1"), fabpkt.binary(*b"SET POWER 900"))
JH = "HSMS_JUNK_BEFORE_FIRST_MESSAGE"
HSMS_VARIANTS = [
    ("junk byte ff", "start", b"\xff", ["HSMS_LENGTH_TOO_LARGE", JH]),
    ("junk byte 00", "start", b"\x00", ["HSMS_LENGTH_TOO_SMALL", JH]),
    ("7 junk bytes", "start", bytes.fromhex("deadbeefcafe01"), ["HSMS_LENGTH_TOO_LARGE", JH]),
    ("TLS client hello start", "start", bytes.fromhex("16030100a5010000a10303"), ["HSMS_LENGTH_TOO_LARGE", JH]),
    ("length 0", "start", b"\x00\x00\x00\x00", ["HSMS_LENGTH_TOO_SMALL", JH]),
    ("length 5", "start", b"\x00\x00\x00\x05hello", ["HSMS_LENGTH_TOO_SMALL", JH]),
    ("length 2 GB", "start", bytes.fromhex("7f000000ffff00000001000000aa"), ["HSMS_LENGTH_TOO_LARGE", JH]),
    ("select.req PType 1", "start", bytes.fromhex("0000000affff00000101000000aa"), ["HSMS_UNKNOWN_PTYPE"]),
    ("S0F0", "start", fabpkt.hsms_data(0, 0, 0xab), ["HSMS_DATA_STREAM_ZERO"]),
    ("length 5 in the middle", "middle", b"\x00\x00\x00\x05hello", ["HSMS_LENGTH_TOO_SMALL", "HSMS_RESYNC"]),
    ("junk byte in the middle", "middle", b"\xff", ["HSMS_LENGTH_TOO_LARGE", "HSMS_RESYNC"]),
    ("S0F0 in the middle", "middle", fabpkt.hsms_data(0, 0, 0xab), ["HSMS_DATA_STREAM_ZERO"]),
    ("select.req PType 1 in the middle", "middle", bytes.fromhex("0000000affff00000101000000aa"),
     ["HSMS_UNKNOWN_PTYPE"]),
]


def hsms_capture(path, where, junk, segments):
    cap = fabpkt.Capture()
    # the equipment's own host holds it selected; then the attacker connects
    eap = fabpkt.TcpSession(cap, EAP, 40000, E, 5000)
    eap.open()
    eap.send(True, fabpkt.hsms_control("select.req", 100))
    eap.send(False, fabpkt.hsms_control("select.rsp", 100))
    eap.send(True, fabpkt.hsms_data(1, 1, 101, wbit=True))
    eap.send(False, fabpkt.hsms_data(1, 2, 101, fabpkt.lst()))
    s = fabpkt.TcpSession(cap, H, 40100, E, 5000)
    s.open()
    first = (junk if where == "start" else b"") + fabpkt.hsms_control("select.req", 1)
    s.send(True, first, segments=segments)
    if junk[8:10] == b"\x01\x01" and where == "start":
        s.send(False, fabpkt.hsms_control("reject.req", 0xaa, status=2, byte2=1))  # E37: PType not supported
    s.send(False, fabpkt.hsms_control("select.rsp", 1))
    rest = (junk if where == "middle" else b"") + fabpkt.hsms_data(2, 41, 2, S2F41, wbit=True)
    s.send(True, rest, segments=segments)
    if junk[8:10] == b"\x01\x01" and where == "middle":
        s.send(False, fabpkt.hsms_control("reject.req", 0xaa, status=2, byte2=1))
    s.send(False, fabpkt.hsms_data(2, 42, 2, fabpkt.lst(fabpkt.binary(0), fabpkt.lst()), wbit=False))
    s.send(True, fabpkt.hsms_data(7, 3, 3, S7F3, wbit=True), segments=segments)
    s.send(False, fabpkt.hsms_data(7, 4, 3, fabpkt.binary(0)))
    s.close()
    cap.write(path)


def hsms_part(tmp):
    clean = None
    for segments in (1, 3):
        for i, (name, where, junk, want) in enumerate([("clean", "start", b"", [])] + HSMS_VARIANTS):
            pcap = os.path.join(tmp, f"hsms{segments}-{i}.pcap")
            hsms_capture(pcap, where, junk, segments)
            recs = [r for r in fabmon_read(pcap, os.path.join(tmp, f"hs{segments}-{i}"))
                    if 40100 in (r.get("src_port"), r.get("dest_port"))
                    or (r["event_type"] == "alert" and r["alert"]["source"].get("port") == 40100)]
            data = [(r["hsms"].get("stream"), r["hsms"].get("function"), r["hsms"].get("sender"))
                    for r in recs if r["event_type"] == "hsms" and r["hsms"].get("stype") == "data"
                    and r["hsms"].get("stream")]
            res = {"data": data, "alerts": alert_rules(recs), "anomalies": anomalies(recs)}
            label = f"hsms {name} ({segments} segments)"
            if clean is None:
                clean = res
                c.eq("hsms clean: S2F41, S2F42, S7F3, S7F4",
                     [(s, f) for s, f, _ in data], [(2, 41), (2, 42), (7, 3), (7, 4)])
                c.eq("hsms clean: the attacker's select is the one anomaly", res["anomalies"],
                     ["HSMS_SECOND_HOST_SELECT"])
                c.true("hsms clean: the remote command and recipe download raise alerts", len(res["alerts"]) > 0)
                continue
            c.eq(f"{label}: same messages as the clean session", data, clean["data"])
            c.eq(f"{label}: same alerts as the clean session", res["alerts"], clean["alerts"])
            extra = ["HSMS_DATA_BEFORE_SELECT", "HSMS_REPLY_WITHOUT_PRIMARY", "HSMS_REJECT"]
            got = list(res["anomalies"])
            for a in clean["anomalies"]:
                if a in got:
                    got.remove(a)
            c.eq(f"{label}: anomalies besides the clean session's", [a for a in got if a not in extra], want,
                 json.dumps(res["anomalies"]))


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-resync-")
    try:
        hsms_part(tmp)
        if os.geteuid() != 0:
            print("test_resync.py: the Modbus part needs root (network namespaces)")
            return 1
        modbus_part(tmp)
    finally:
        if os.environ.get("KEEP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
