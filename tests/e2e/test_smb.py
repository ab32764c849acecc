#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""SMB software hints in flow records (dissectors/smb.c, sensor/smb_seen.c),
on a generated capture with known truth, cross-checked with tshark's own
SMB and SMB2 dissectors as an independent decoder:

1. 10.30.1.50 -> 10.30.1.22:445: SMB1 negotiate (NT LM 0.12), session setup
   with extended security (WordCount 12 request, OEM strings; WordCount 4
   response, Unicode): both sides' NativeOS and NativeLanMan;
2. 10.30.1.51 -> 10.30.1.23:445: SMB2 negotiate, dialect 3.1.1, then an
   encrypted (SMB3 transform) message;
3. 10.30.1.52 -> 10.30.1.24:139: NBSS session request and positive response,
   then SMB1 session setup without extended security (WordCount 13 request
   and 3 response, Unicode and OEM: Samba's strings);
4. 10.30.1.53 -> 10.30.1.25:8445: the same bytes as 1 on another port: not
   read (no smb object);
5. 10.30.1.54 -> 10.30.1.26:445: the session setup response cut short by
   the snap length: what fits is kept.

usage: test_smb.py FABMON SOURCE_ROOT
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
import smbpkt as s  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]

SRV_OS, SRV_LM = "Windows Server 2003 3790 Service Pack 2", "Windows Server 2003 5.2"
CLI_OS, CLI_LM = "Windows 5.1", "Windows 2000 LAN Manager"


def smb1_session(cap, cli, srv, port, cport):
    t = fabpkt.TcpSession(cap, cli, cport, srv, port)
    t.open()
    t.send(True, s.smb1_negotiate_request())
    t.send(False, s.smb1_negotiate_response(1))
    t.send(True, s.smb1_session_setup(False, 12, False, (CLI_OS, CLI_LM), blob=b"NTLMSSP\0\1"))
    t.send(False, s.smb1_session_setup(True, 4, True, (SRV_OS, SRV_LM, "FAB"), blob=s.SPNEGO_ACCEPT))
    t.close()


def build(path):
    cap = fabpkt.Capture()
    smb1_session(cap, "10.30.1.50", "10.30.1.22", 445, 49001)
    t = fabpkt.TcpSession(cap, "10.30.1.51", 49002, "10.30.1.23", 445)
    t.open()
    t.send(True, s.smb2_negotiate_request())
    t.send(False, s.smb2_negotiate_response(0x0311))
    t.send(True, s.smb3_transform())
    t.close()
    t = fabpkt.TcpSession(cap, "10.30.1.52", 49003, "10.30.1.24", 139)
    t.open()
    called = b"\x20" + b"CKFDENECFDEFFCFGEFFCCACACACACACA" + b"\x00"  # *SMBSERVER, RFC 1001 encoded
    t.send(True, b"\x81\x00\x00\x44" + called + called)
    t.send(False, b"\x82\x00\x00\x00")
    t.send(True, s.smb1_session_setup(False, 13, True, ("operator", "FAB", "Windows 2000 2195",
                                                          "Windows 2000 5.0"), pw=(bytes(24), b"")))
    t.send(False, s.smb1_session_setup(True, 3, False, ("Unix", "Samba 3.0.37", "WORKGROUP")))
    t.close()
    smb1_session(cap, "10.30.1.53", "10.30.1.25", 8445, 49004)
    smb1_session(cap, "10.30.1.54", "10.30.1.26", 445, 49005)
    cap.write(path)


def cut(src, dst, snap):
    """The capture with every frame cut to snap bytes (editcap, Wireshark's)."""
    subprocess.run(["editcap", "-s", str(snap), src, dst], check=True)


def tshark_hints(path):
    """Per server (address, port): what tshark's dissectors read."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-d", "tcp.port==8445,nbss", "-T", "fields",
                          "-E", "separator=|", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst",
                          "-e", "tcp.dstport", "-e", "smb.native_os", "-e", "smb.native_lanman",
                          "-e", "smb2.dialect", "-e", "smb.flags.response"],
                         capture_output=True, text=True, check=True).stdout
    hints = {}
    for line in out.splitlines():
        src, sport, dst, dport, nos, nlm, dialect, resp = (line.split("|") + [""] * 8)[:8]
        server = (dst, int(dport)) if int(dport) in (445, 139, 8445) else (src, int(sport))
        h = hints.setdefault(server, {})
        side = "server" if server[0] == src else "client"
        if nos:
            h.setdefault(side, {})["native_os"] = nos
        if nlm:
            h.setdefault(side, {})["native_lanman"] = nlm
        if dialect and side == "server":
            h["dialect"] = dialect
    return hints


def smb_of(recs):
    return {(r["dest_ip"], r["dest_port"]): r.get("smb") for r in flows(recs)}


def main():
    c = Check("smb")
    tmp = tempfile.mkdtemp(prefix="fabmon-smb-")
    try:
        cap = os.path.join(tmp, "smb.pcap")
        build(cap)
        p = run([FABMON, "-q", "-r", cap, "-o", os.path.join(tmp, "out"), "--no-report"])
        c.eq("exit code", p.returncode, 0, p.stderr)
        got = smb_of(read_eve(os.path.join(tmp, "out", "eve.json")))
        c.eq("SMB1 with extended security", got.get(("10.30.1.22", 445)),
             {"smb1": True, "smb2": False,
              "client": {"native_os": CLI_OS, "native_lanman": CLI_LM},
              "server": {"native_os": SRV_OS, "native_lanman": SRV_LM}})
        c.eq("SMB2 negotiate and an encrypted message", got.get(("10.30.1.23", 445)),
             {"smb1": False, "smb2": True, "dialect": "3.1.1", "encrypted": True})
        c.eq("port 139 after the NBSS session request, without extended security",
             got.get(("10.30.1.24", 139)),
             {"smb1": True, "smb2": False,
              "client": {"native_os": "Windows 2000 2195", "native_lanman": "Windows 2000 5.0"},
              "server": {"native_os": "Unix", "native_lanman": "Samba 3.0.37"}})
        c.eq("another port: not read", got.get(("10.30.1.25", 8445), "no flow"), None)

        # tshark, an independent decoder, reads the same strings and dialect
        ts = tshark_hints(cap)
        for server in (("10.30.1.22", 445), ("10.30.1.23", 445), ("10.30.1.24", 139)):
            mine = got.get(server) or {}
            theirs = ts.get(server, {})
            for side in ("client", "server"):
                c.eq(f"{server}: {side} strings as tshark reads them", mine.get(side), theirs.get(side))
            if "dialect" in theirs:
                c.eq(f"{server}: dialect as tshark reads it", "0x%04x" % int(theirs["dialect"], 0),
                     {"3.1.1": "0x0311"}.get(mine.get("dialect")))
        c.true("tshark saw the port-8445 session too (decode-as)",
               ts.get(("10.30.1.25", 8445), {}).get("server", {}).get("native_os") == SRV_OS, ts)

        # cut frames: the Unicode NativeLanMan of the last session's response
        # is cut by the snap length; its NativeOS stays
        full = os.path.join(tmp, "cut.pcap")
        cut(cap, full, 54 + 4 + 32 + 1 + 8 + 2 + 10 + 1 + 2 * (len(SRV_OS) + 1) + 10)  # +1: the pad
        p = run([FABMON, "-q", "-r", full, "-o", os.path.join(tmp, "cut"), "--no-report"])
        c.eq("cut capture: exit code", p.returncode, 0, p.stderr)
        got = smb_of(read_eve(os.path.join(tmp, "cut", "eve.json")))
        srv = (got.get(("10.30.1.26", 445)) or {}).get("server", {})
        c.eq("cut capture: NativeOS kept", srv.get("native_os"), SRV_OS)
        c.eq("cut capture: NativeLanMan cut where the frame ends", srv.get("native_lanman"), "Windo")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(c.done())


main()
