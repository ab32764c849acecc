#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generate a fab zone scenario in two variants: OUTDIR/fab-clean.pcap and
OUTDIR/fab-violations.pcap.

Zones (Purdue model, as in demo/gen_demo.py):
  fab equipment  10.30.0.0/16   etcher 10.30.1.21, CVD 10.30.1.22, litho 10.30.1.23,
                                chiller PLC 10.30.50.5
  fab system     10.20.0.0/16   EAP 10.20.1.10, recipe server 10.20.1.20, SCADA 10.20.2.20,
                                engineering workstation 10.20.3.30, DNS 10.20.0.2,
                                NTP 10.20.0.3, file server 10.20.5.5
  IT/OT DMZ      10.10.0.0/16   jump host 10.10.0.5, patch server 10.10.0.8
  enterprise     192.168.0.0/16 office PC 192.168.10.50
  external       everything else

Clean traffic (all legitimate; in both captures, same timestamps):
  1. EAP -> etcher :5000 HSMS: select, S1F13/14 (MDLN "ETCH-9000", SOFTREV "4.2.1"),
     S1F3/4, S2F41 START with parameters / S2F42 HCACK 0, two S6F11/S6F12,
     S5F1/S5F2, linktest, separate.
  2. EAP -> CVD :5000 HSMS: select, S1F13/14 (MDLN "CVD-300", SOFTREV "7.0.3"),
     S7F3 download of "CVD-OX-12" (200-byte PPBODY) / S7F4 ACKC7 0,
     S7F5 / S7F6 upload of "CVD-OX-12" to the EAP, separate.
  3. EAP -> litho :5000 HSMS: select, S1F13/14 (MDLN "LITHO-X1", SOFTREV "2.0"),
     S1F1/2, separate.
  4. SCADA -> PLC :502 Modbus/TCP unit 1: FC3 (0, 10), FC4 (0, 4), FC6 100=250,
     FC16 120 x3.
  5. engineering WS -> PLC :502: FC5 coil 10 ON.
  6. jump host -> etcher :3389 RDP.
  7. engineering WS -> etcher :22 SSH.
  8. patch server -> etcher :8530 HTTP GET of a WSUS content path, 200.
  9. etcher -> DNS :53 "recipe.fab.local"; etcher -> NTP :123 (NTPv4, 48 bytes).
 10. office PC -> jump host :3389 RDP.
 11. office PC -> 192.168.1.5 :445 SMB2 negotiate (enterprise-internal).

Injected violations (fab-violations.pcap only, after the clean traffic, each its
own connection):
  V1. enterprise 192.168.10.77 -> etcher :5000 HSMS S7F3 "ETCH-POLY-07" / S7F4.
  V2. unknown 10.20.9.99 -> CVD :5000 HSMS S7F5 / S7F6 "CVD-OX-12" (300-byte PPBODY).
  V3. internet 203.0.113.50 -> etcher :3389 RDP.
  V4. CVD -> file server :445 SMBv1 negotiate (+ session setup).
  V5. EAP -> PLC :502 FC6 100=999 (writer is not the SCADA or the engineering WS).
  V6. SCADA -> PLC :502 FC16 5000 x2 (outside the allowed address range).
  V7. EAP -> litho :5000 HSMS select, then an S1F1 whose length field says 8
      (shorter than the 10-byte header), then FIN.

Every TCP connection has its own client port, a full handshake and a FIN
teardown. Deterministic: the same bytes on every run.

usage: gen_zone_scenario.py OUTDIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabpkt import (B, Capture, TcpSession, ascii_, binary, hsms_control, hsms_data,  # noqa: E402
                    item, lst, mbap, u4, udp_exchange)

# ---------------------------------------------------------------- address plan
EAP, RECIPE, SCADA, ENGWS = "10.20.1.10", "10.20.1.20", "10.20.2.20", "10.20.3.30"
DNS, NTP, FILESRV = "10.20.0.2", "10.20.0.3", "10.20.5.5"
JUMP, PATCH = "10.10.0.5", "10.10.0.8"
ETCH, CVD, LITHO, PLC = "10.30.1.21", "10.30.1.22", "10.30.1.23", "10.30.50.5"
OFFICE, ENT_FILESRV = "192.168.10.50", "192.168.1.5"
ENT_ROGUE, UNKNOWN, INTERNET = "192.168.10.77", "10.20.9.99", "203.0.113.50"

DEVID = 1          # HSMS session id (device id) of data messages
UNIT = 1           # Modbus unit id
NTP_EPOCH = 2208988800


def tcp(cap, cli, cport, srv, sport):
    """An opened TcpSession with initial sequence numbers derived from the ports."""
    s = TcpSession(cap, cli, cport, srv, sport, isn_c=cport * 1000 + 1, isn_s=cport * 1000 + 500001)
    s.open()
    return s


# ---------------------------------------------------------------- payload builders
def ppbody(n, seed):
    return bytes((i * 37 + seed) & 0xFF for i in range(n))


def hsms_select(s, system):
    s.send(True, hsms_control("select.req", system))
    s.send(False, hsms_control("select.rsp", system, status=0))


def hsms_establish(s, system, mdln, softrev):
    """Select, then S1F13 / S1F14 (COMMACK 0, MDLN, SOFTREV)."""
    hsms_select(s, system)
    s.send(True, hsms_data(1, 13, system + 1, lst(), wbit=True, session=DEVID))
    s.send(False, hsms_data(1, 14, system + 1, lst(binary(0), lst(ascii_(mdln), ascii_(softrev))),
                            session=DEVID))


def rdp_session(cap, cli, cport, srv):
    """X.224 Connection Request with mstshash cookie and RDP negotiation, and the Confirm."""
    s = tcp(cap, cli, cport, srv, 3389)
    cookie = b"Cookie: mstshash=operator\r\n"
    neg = bytes([1, 0, 8, 0, 3, 0, 0, 0])
    x224 = bytes([0xE0, 0, 0, 0, 0, 0]) + cookie + neg
    s.send(True, bytes([3, 0]) + struct.pack(">H", 4 + 1 + len(x224)) + bytes([len(x224)]) + x224)
    cc = bytes([0xD0, 0, 0, 0x12, 0x34, 0]) + bytes([2, 0, 8, 0, 2, 0, 0, 0])
    s.send(False, bytes([3, 0]) + struct.pack(">H", 4 + 1 + len(cc)) + bytes([len(cc)]) + cc)
    s.close()


def nbss(msg):
    """NetBIOS session service framing for SMB over TCP/445."""
    return b"\x00" + len(msg).to_bytes(3, "big") + msg


def dns_query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00\x00\x01\x00\x01"


def dns_answer(query, ip):
    a = query[:2] + b"\x81\x80" + query[4:6] + b"\x00\x01\x00\x00\x00\x00" + query[12:]
    return a + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04" + bytes(int(x) for x in ip.split("."))


def ntp_ts(t):
    sec = int(t)
    return struct.pack(">II", sec + NTP_EPOCH, int((t - sec) * (1 << 32)))


# ---------------------------------------------------------------- clean flows
def hsms_etcher(cap):
    """1. EAP -> etcher: GEM session with remote command, events, alarm."""
    s = tcp(cap, EAP, 40101, ETCH, 5000)
    hsms_establish(s, 1, "ETCH-9000", "4.2.1")
    s.send(True, hsms_data(1, 3, 3, lst(u4(1), u4(2), u4(3)), wbit=True, session=DEVID))
    s.send(False, hsms_data(1, 4, 3, lst(u4(2), ascii_("IDLE"), u4(65)), session=DEVID))
    cap.advance(3)
    params = lst(lst(ascii_("LOTID"), ascii_("LOT-0042")), lst(ascii_("PPID"), ascii_("ETCH-POLY-07")),
                 lst(ascii_("WAFERS"), u4(25)))
    s.send(True, hsms_data(2, 41, 4, lst(ascii_("START"), params), wbit=True, session=DEVID))
    s.send(False, hsms_data(2, 42, 4, lst(binary(0), lst()), session=DEVID))
    for i, ceid in enumerate((1001, 1002)):
        cap.advance(4)
        report = lst(u4(500 + i), u4(ceid), lst(lst(u4(1), lst(ascii_("LOT-0042"), u4(25)))))
        s.send(False, hsms_data(6, 11, 5 + i, report, wbit=True, session=DEVID))
        s.send(True, hsms_data(6, 12, 5 + i, binary(0), session=DEVID))
    cap.advance(2)
    s.send(False, hsms_data(5, 1, 7, lst(binary(0x84), u4(4001), ascii_("CHAMBER PRESSURE HIGH")),
                            wbit=True, session=DEVID))
    s.send(True, hsms_data(5, 2, 7, binary(0), session=DEVID))
    cap.advance(5)
    s.send(True, hsms_control("linktest.req", 8))
    s.send(False, hsms_control("linktest.rsp", 8))
    cap.advance(2)
    s.send(True, hsms_control("separate.req", 9))
    s.close()


def hsms_cvd(cap):
    """2. EAP -> CVD: recipe download (S7F3) and upload to the EAP (S7F5/F6)."""
    s = tcp(cap, EAP, 40102, CVD, 5000)
    hsms_establish(s, 1, "CVD-300", "7.0.3")
    body = ppbody(200, 11)
    s.send(True, hsms_data(7, 3, 3, lst(ascii_("CVD-OX-12"), item(B, body)), wbit=True, session=DEVID))
    s.send(False, hsms_data(7, 4, 3, binary(0), session=DEVID))
    cap.advance(2)
    s.send(True, hsms_data(7, 5, 4, ascii_("CVD-OX-12"), wbit=True, session=DEVID))
    s.send(False, hsms_data(7, 6, 4, lst(ascii_("CVD-OX-12"), item(B, body)), session=DEVID))
    cap.advance(1)
    s.send(True, hsms_control("separate.req", 5))
    s.close()


def hsms_litho(cap):
    """3. EAP -> litho: establish, are-you-there."""
    s = tcp(cap, EAP, 40103, LITHO, 5000)
    hsms_establish(s, 1, "LITHO-X1", "2.0")
    s.send(True, hsms_data(1, 1, 3, b"", wbit=True, session=DEVID))
    s.send(False, hsms_data(1, 2, 3, lst(ascii_("LITHO-X1"), ascii_("2.0")), session=DEVID))
    cap.advance(1)
    s.send(True, hsms_control("separate.req", 4))
    s.close()


def modbus_scada(cap):
    """4. SCADA -> PLC: reads and writes inside the allowed range."""
    s = tcp(cap, SCADA, 40201, PLC, 502)
    s.send(True, mbap(1, UNIT, struct.pack(">BHH", 3, 0, 10)))
    s.send(False, mbap(1, UNIT, bytes([3, 20]) + struct.pack(">10H", *range(180, 190))))
    s.send(True, mbap(2, UNIT, struct.pack(">BHH", 4, 0, 4)))
    s.send(False, mbap(2, UNIT, bytes([4, 8]) + struct.pack(">4H", 221, 219, 45, 1)))
    s.send(True, mbap(3, UNIT, struct.pack(">BHH", 6, 100, 250)))
    s.send(False, mbap(3, UNIT, struct.pack(">BHH", 6, 100, 250)))
    s.send(True, mbap(4, UNIT, struct.pack(">BHHB3H", 16, 120, 3, 6, 10, 20, 30)))
    s.send(False, mbap(4, UNIT, struct.pack(">BHH", 16, 120, 3)))
    s.close()


def modbus_engws(cap):
    """5. engineering WS -> PLC: FC5 coil 10 ON."""
    s = tcp(cap, ENGWS, 40202, PLC, 502)
    s.send(True, mbap(1, UNIT, struct.pack(">BHH", 5, 10, 0xFF00)))
    s.send(False, mbap(1, UNIT, struct.pack(">BHH", 5, 10, 0xFF00)))
    s.close()


def rdp_jump_etcher(cap):
    """6. jump host -> etcher RDP."""
    rdp_session(cap, JUMP, 40301, ETCH)


def ssh_engws_etcher(cap):
    """7. engineering WS -> etcher SSH banners."""
    s = tcp(cap, ENGWS, 40302, ETCH, 22)
    s.send(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s.send(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s.close()


def http_patch(cap):
    """8. patch server -> etcher :8530 HTTP GET of a WSUS content path."""
    s = tcp(cap, PATCH, 40303, ETCH, 8530)
    s.send(True, b"GET /Content/3A/5F0B2C9D41E7A86B0C3D2E1F4A5B6C7D8E9F0A3A.cab HTTP/1.1\r\n"
                 b"Host: 10.30.1.21:8530\r\nUser-Agent: Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50\r\n"
                 b"Accept: */*\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.ms-cab-compressed\r\nContent-Length: 16\r\n"
                  b"Server: Microsoft-IIS/10.0\r\n\r\nMSCF\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00")
    s.close()


def dns_ntp_etcher(cap):
    """9. etcher -> DNS and NTP."""
    q = dns_query("recipe.fab.local", 0x2001)
    udp_exchange(cap, ETCH, 40401, DNS, 53, q, dns_answer(q, RECIPE))
    cap.advance(1)
    req = bytes([0x23, 0, 6, 0xEC]) + bytes(36) + ntp_ts(cap.t)
    resp = bytes([0x24, 2, 6, 0xEC]) + struct.pack(">II", 0x10, 0x20) + b"GPS\x00" + ntp_ts(cap.t - 16) + \
        ntp_ts(cap.t) + ntp_ts(cap.t + 0.0002) + ntp_ts(cap.t + 0.0003)
    udp_exchange(cap, ETCH, 123, NTP, 123, req, resp)


def rdp_office_jump(cap):
    """10. office PC -> jump host RDP."""
    rdp_session(cap, OFFICE, 40501, JUMP)


def smb2_office(cap):
    """11. office PC -> enterprise file server SMB2 negotiate."""
    s = tcp(cap, OFFICE, 40502, ENT_FILESRV, 445)
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) + bytes(16)
    neg = struct.pack("<HHHHI", 36, 2, 1, 0, 0x7F) + bytes(16) + struct.pack("<IHH", 0, 0, 0) + \
        struct.pack("<HH", 0x0202, 0x0210)
    s.send(True, nbss(hdr + neg))
    rhdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0) + bytes(16)
    rneg = struct.pack("<HHHH", 65, 1, 0x0210, 0) + bytes(range(16)) + \
        struct.pack("<IIII", 0x7, 65536, 65536, 65536) + bytes(16) + struct.pack("<HHI", 128, 0, 0)
    s.send(False, nbss(rhdr + rneg))
    s.close()


def clean(cap):
    dns_ntp_etcher(cap)
    cap.advance(1)
    hsms_etcher(cap)
    cap.advance(2)
    hsms_cvd(cap)
    cap.advance(2)
    hsms_litho(cap)
    cap.advance(2)
    modbus_scada(cap)
    cap.advance(1)
    modbus_engws(cap)
    cap.advance(2)
    rdp_jump_etcher(cap)
    cap.advance(1)
    ssh_engws_etcher(cap)
    cap.advance(1)
    http_patch(cap)
    cap.advance(2)
    rdp_office_jump(cap)
    cap.advance(1)
    smb2_office(cap)


# ---------------------------------------------------------------- violations
def v1_enterprise_recipe_download(cap):
    s = tcp(cap, ENT_ROGUE, 41001, ETCH, 5000)
    hsms_select(s, 1)
    s.send(True, hsms_data(7, 3, 2, lst(ascii_("ETCH-POLY-07"), item(B, ppbody(256, 91))), wbit=True,
                           session=DEVID))
    s.send(False, hsms_data(7, 4, 2, binary(0), session=DEVID))
    s.send(True, hsms_control("separate.req", 3))
    s.close()


def v2_recipe_upload_unknown(cap):
    s = tcp(cap, UNKNOWN, 41002, CVD, 5000)
    hsms_select(s, 1)
    s.send(True, hsms_data(7, 5, 2, ascii_("CVD-OX-12"), wbit=True, session=DEVID))
    s.send(False, hsms_data(7, 6, 2, lst(ascii_("CVD-OX-12"), item(B, ppbody(300, 11))), session=DEVID))
    s.send(True, hsms_control("separate.req", 3))
    s.close()


def v3_rdp_internet(cap):
    rdp_session(cap, INTERNET, 41003, ETCH)


def v4_smb1_equipment(cap):
    """SMBv1 negotiate and response, then a Session Setup AndX (nDPI names SMBv1 on it)."""
    s = tcp(cap, CVD, 41004, FILESRV, 445)
    dialects = b"\x02PC NETWORK PROGRAM 1.0\x00\x02LANMAN1.0\x00\x02NT LM 0.12\x00"
    smb = b"\xffSMB" + bytes([0x72]) + bytes(4) + bytes([0x18]) + struct.pack("<H", 0xC853) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0001) + bytes([0]) + struct.pack("<H", len(dialects)) + dialects
    s.send(True, nbss(smb))
    resp = b"\xffSMB" + bytes([0x72]) + bytes(4) + bytes([0x98]) + struct.pack("<H", 0xC853) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0001) + bytes([17]) + struct.pack("<H", 2) + bytes(32) + \
        struct.pack("<H", 0)
    s.send(False, nbss(resp))
    # no passwords; a pad byte aligns the Unicode strings (the byte block starts at odd offset 61)
    strings = b"\x00" + b"".join((x + "\0").encode("utf-16-le")
                                 for x in ("GUEST", "", "Windows 2000 2195", "Windows 2000 5.0"))
    setup = b"\xffSMB" + bytes([0x73]) + bytes(4) + bytes([0x18]) + struct.pack("<H", 0xC807) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0002) + bytes([13]) + bytes([0xFF, 0]) + struct.pack("<H", 0) + \
        struct.pack("<HHHI", 4356, 10, 0, 0) + struct.pack("<HH", 0, 0) + bytes(4) + struct.pack("<I", 0xD4) + \
        struct.pack("<H", len(strings)) + strings
    s.send(True, nbss(setup))
    s.close()


def v5_modbus_write_eap(cap):
    s = tcp(cap, EAP, 41005, PLC, 502)
    s.send(True, mbap(1, UNIT, struct.pack(">BHH", 6, 100, 999)))
    s.send(False, mbap(1, UNIT, struct.pack(">BHH", 6, 100, 999)))
    s.close()


def v6_modbus_write_range(cap):
    s = tcp(cap, SCADA, 41006, PLC, 502)
    s.send(True, mbap(1, UNIT, struct.pack(">BHHB2H", 16, 5000, 2, 4, 0xDEAD, 0xBEEF)))
    s.send(False, mbap(1, UNIT, struct.pack(">BHH", 16, 5000, 2)))
    s.close()


def v7_malformed_hsms(cap):
    """S1F1 whose length field (8) is shorter than the 10-byte HSMS header."""
    s = tcp(cap, EAP, 41007, LITHO, 5000)
    hsms_select(s, 1)
    full = hsms_data(1, 1, 2, b"", wbit=True, session=DEVID)
    s.send(True, struct.pack(">I", 8) + full[4:12])
    s.close()


def violations(cap):
    for v in (v1_enterprise_recipe_download, v2_recipe_upload_unknown, v3_rdp_internet, v4_smb1_equipment,
              v5_modbus_write_eap, v6_modbus_write_range, v7_malformed_hsms):
        cap.advance(2)
        v(cap)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_zone_scenario.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    cap = Capture()
    clean(cap)
    path = os.path.join(out, "fab-clean.pcap")
    cap.write(path)
    print(f"{path}: {len(cap.frames)} packets")

    cap = Capture()
    clean(cap)
    cap.advance(30)
    violations(cap)
    path = os.path.join(out, "fab-violations.pcap")
    cap.write(path)
    print(f"{path}: {len(cap.frames)} packets")


if __name__ == "__main__":
    main()
