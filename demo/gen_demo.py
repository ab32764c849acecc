#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generate demo/fab-demo.pcap: two minutes on the mirror port of a small fab.

The zones follow the Purdue model of METI's OT security guideline for
semiconductor device factories (see README):
  fab equipment  10.30.0.0/16  etcher 10.30.1.21, CVD 10.30.1.22,
                               chiller PLC 10.30.50.5 (VLAN 30)
  fab system     10.20.0.0/16  equipment host / EAP 10.20.1.10, recipe server
                               10.20.1.20, SCADA 10.20.2.20, DNS 10.20.0.2,
                               NTP 10.20.0.3, file server 10.20.5.5
  IT/OT DMZ      10.10.0.0/16  jump host 10.10.0.5, patch server 10.10.0.8
  enterprise     192.168.0.0/16 office PC 192.168.10.50
  external       everything else (vendor update site 198.51.100.23)

What happens, normal and not:
  - HSMS (SEMI E37/E5/E30) EAP -> etcher :5000: select, S1F13/14, S1F1/2
    (MDLN "ETCH-3000", SOFTREV "4.2.1"), S2F41 START, S6F11 events, linktest,
    S7F3 recipe download in 3 segments, separate.
  - HSMS recipe upload S7F5/S7F6 from the office PC to the CVD (a violation).
  - Modbus/TCP SCADA -> chiller PLC :502 (VLAN 30): FC3, FC6, FC16, FC43/14,
    an exception; and an FC5 coil write from the office PC (a violation).
  - RDP to the etcher from the office PC (violation) and from the jump host.
  - SMBv1 negotiate etcher -> file server (WannaCry's way in), SMB2 from EAP.
  - TLS ClientHello with SNI from the CVD to a vendor update site.
  - VNC jump host -> chiller PLC; SSH jump host -> etcher; Telnet SCADA -> PLC.
  - HTTP GET etcher -> patch server; DNS (one query for a TeamViewer host);
    NTP; ICMP echo EAP -> etcher.
Deterministic: the same bytes on every run.

usage: gen_demo.py [OUT.pcap]
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
from fabpkt import (A, B, I4, U1, U4, L, Capture, ICMP, IP, TcpSession, ascii_, binary,  # noqa: E402
                    hsms_control, hsms_data, item, l2, lst, mbap, u1, u4, udp_exchange)

EAP, RECIPE, SCADA, DNS, NTP, FILESRV = "10.20.1.10", "10.20.1.20", "10.20.2.20", "10.20.0.2", "10.20.0.3", "10.20.5.5"
ETCH, CVD, PLC = "10.30.1.21", "10.30.1.22", "10.30.50.5"
JUMP, PATCH = "10.10.0.5", "10.10.0.8"
OFFICE = "192.168.10.50"
VENDOR = "198.51.100.23"


def hsms_gem_session(cap):
    s = TcpSession(cap, EAP, 40001, ETCH, 5000, isn_c=100000, isn_s=900000)
    s.open()
    s.send(True, hsms_control("select.req", 1))
    s.send(False, hsms_control("select.rsp", 1, status=0))
    s.send(True, hsms_data(1, 13, 2, lst(), wbit=True))
    s.send(False, hsms_data(1, 14, 2, lst(binary(0), lst(ascii_("ETCH-3000"), ascii_("4.2.1")))))
    s.send(True, hsms_data(1, 1, 3, b"", wbit=True))
    s.send(False, hsms_data(1, 2, 3, lst(ascii_("ETCH-3000"), ascii_("4.2.1"))))
    cap.advance(5)
    s.send(True, hsms_data(2, 41, 4, lst(ascii_("START"), lst(lst(ascii_("LOTID"), ascii_("LOT-0042")))),
                           wbit=True))
    s.send(False, hsms_data(2, 42, 4, lst(binary(0), lst())))
    for i in range(3):
        cap.advance(4)
        s.send(False, hsms_data(6, 11, 100 + i, lst(u4(1000 + i), u4(7 + i), lst(lst(u4(1), lst(ascii_("LOT-0042"), u4(25))))),
                                wbit=True))
        s.send(True, hsms_data(6, 12, 100 + i, binary(0)))
    cap.advance(10)
    s.send(True, hsms_control("linktest.req", 5))
    s.send(False, hsms_control("linktest.rsp", 5))
    cap.advance(3)
    ppbody = bytes((i * 37 + 11) & 0xFF for i in range(4096))
    s.send(True, hsms_data(7, 3, 6, lst(ascii_("RCP-ETCH-A"), item(B, ppbody)), wbit=True), segments=3)
    s.send(False, hsms_data(7, 4, 6, binary(0)))
    cap.advance(20)
    s.send(True, hsms_control("separate.req", 7))
    s.close()


def hsms_cvd_session(cap):
    """The EAP, the CVD's designated host, establishes communication with it."""
    s = TcpSession(cap, EAP, 40002, CVD, 5000, isn_c=110000, isn_s=910000)
    s.open()
    s.send(True, hsms_control("select.req", 1))
    s.send(False, hsms_control("select.rsp", 1, status=0))
    s.send(True, hsms_data(1, 13, 2, lst(), wbit=True))
    s.send(False, hsms_data(1, 14, 2, lst(binary(0), lst(ascii_("CVD-300"), ascii_("7.0.3")))))
    s.send(True, hsms_control("separate.req", 3))
    s.close()


def hsms_recipe_theft(cap):
    """The office PC asks the CVD for its recipe (S7F5) and gets it (S7F6)."""
    s = TcpSession(cap, OFFICE, 51515, CVD, 5000, isn_c=300000, isn_s=700000)
    s.open()
    s.send(True, hsms_control("select.req", 0x0A0B0C0D))
    s.send(False, hsms_control("select.rsp", 0x0A0B0C0D))
    s.send(True, hsms_data(7, 5, 0x0A0B0C0E, ascii_("RCP-CVD-OXIDE-7"), wbit=True))
    body = bytes((i * 13) & 0xFF for i in range(2000))
    s.send(False, hsms_data(7, 6, 0x0A0B0C0E, lst(ascii_("RCP-CVD-OXIDE-7"), item(B, body))), segments=2)
    s.send(True, hsms_control("separate.req", 0x0A0B0C0F))
    s.close()


def modbus_scada(cap):
    s = TcpSession(cap, SCADA, 50211, PLC, 502, isn_c=10, isn_s=20, vlan=30)
    s.open()
    s.send(True, mbap(1, 1, struct.pack(">BHH", 3, 0, 4)))               # read 4 holding regs
    s.send(False, mbap(1, 1, bytes([3, 8]) + struct.pack(">4H", 180, 185, 22, 1)))
    s.send(True, mbap(2, 1, struct.pack(">BHH", 6, 10, 175)))            # setpoint 17.5 C
    s.send(False, mbap(2, 1, struct.pack(">BHH", 6, 10, 175)))
    s.send(True, mbap(3, 1, struct.pack(">BHHB2H", 16, 20, 2, 4, 1, 0)))  # write 2 registers
    s.send(False, mbap(3, 1, struct.pack(">BHH", 16, 20, 2)))
    s.send(True, mbap(4, 1, bytes([0x2B, 0x0E, 0x01, 0x00])))           # read device id
    objs = b"".join(bytes([i, len(v)]) + v for i, v in enumerate([b"ChillCo", b"CH-200", b"1.07"]))
    s.send(False, mbap(4, 1, bytes([0x2B, 0x0E, 0x01, 0x01, 0x00, 0x00, 0x03]) + objs))
    s.send(True, mbap(5, 1, struct.pack(">BHH", 3, 9000, 2)))            # unmapped address
    s.send(False, mbap(5, 1, bytes([0x83, 0x02])))                      # illegal data address
    cap.advance(30)
    s.close()


def modbus_office(cap):
    s = TcpSession(cap, OFFICE, 51600, PLC, 502, isn_c=77, isn_s=88, vlan=30)
    s.open()
    s.send(True, mbap(0x10, 1, struct.pack(">BHH", 5, 3, 0x0000)))      # coil 3 OFF: stop pump
    s.send(False, mbap(0x10, 1, struct.pack(">BHH", 5, 3, 0x0000)))
    s.close()


def rdp(cap, cli, cport, srv):
    s = TcpSession(cap, cli, cport, srv, 3389, isn_c=4000, isn_s=8000)
    s.open()
    cookie = b"Cookie: mstshash=operator\r\n"
    neg = bytes([1, 0, 8, 0, 3, 0, 0, 0])
    x224 = bytes([0xE0, 0, 0, 0, 0, 0]) + cookie + neg
    tpkt = bytes([3, 0]) + struct.pack(">H", 4 + 1 + len(x224)) + bytes([len(x224)]) + x224
    s.send(True, tpkt)
    cc = bytes([0xD0, 0, 0, 0x12, 0x34, 0]) + bytes([2, 0, 8, 0, 2, 0, 0, 0])
    s.send(False, bytes([3, 0]) + struct.pack(">H", 4 + 1 + len(cc)) + bytes([len(cc)]) + cc)
    s.close()


def smb1(cap):
    s = TcpSession(cap, ETCH, 49200, FILESRV, 445, isn_c=111, isn_s=222)
    s.open()
    dialects = b"\x02PC NETWORK PROGRAM 1.0\x00\x02LANMAN1.0\x00\x02NT LM 0.12\x00"
    smb = b"\xffSMB" + bytes([0x72]) + bytes(4) + bytes([0x18]) + struct.pack("<H", 0xC853) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0001) + bytes([0]) + struct.pack("<H", len(dialects)) + dialects
    s.send(True, b"\x00" + len(smb).to_bytes(3, "big") + smb)
    resp = b"\xffSMB" + bytes([0x72]) + bytes(4) + bytes([0x98]) + struct.pack("<H", 0xC853) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0001) + bytes([17]) + struct.pack("<H", 2) + bytes(32) + struct.pack("<H", 0)
    s.send(False, b"\x00" + len(resp).to_bytes(3, "big") + resp)
    # Session Setup AndX (0x73): nDPI names SMBv1 on the first non-negotiate command
    setup = b"\xffSMB" + bytes([0x73]) + bytes(4) + bytes([0x18]) + struct.pack("<H", 0xC807) + bytes(12) + \
        struct.pack("<HHHH", 0, 0xFEFF, 0, 0x0002) + bytes([13]) + bytes([0xFF, 0]) + struct.pack("<H", 0) + \
        struct.pack("<HHHI", 4356, 10, 0, 0) + struct.pack("<HH", 0, 0) + bytes(4) + struct.pack("<I", 0xD4) + \
        struct.pack("<H", 12) + b"\x00\x00GUEST\x00\x00\x00"
    s.send(True, b"\x00" + len(setup).to_bytes(3, "big") + setup)
    s.close()


def smb2(cap):
    s = TcpSession(cap, EAP, 49300, FILESRV, 445, isn_c=333, isn_s=444)
    s.open()
    hdr = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ", 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) + bytes(16)
    neg = struct.pack("<HHHHI", 36, 2, 1, 0, 0x7F) + bytes(16) + struct.pack("<IHH", 0, 0, 0) + \
        struct.pack("<HH", 0x0202, 0x0210)
    msg = hdr + neg
    s.send(True, b"\x00" + len(msg).to_bytes(3, "big") + msg)
    s.close()


def tls(cap):
    s = TcpSession(cap, CVD, 49700, VENDOR, 443, isn_c=5555, isn_s=6666)
    s.open()
    sni = b"update.vendor-tools.example"
    ext_sni = struct.pack(">HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    ext_groups = struct.pack(">HHH", 10, 4, 2) + struct.pack(">H", 0x001d)
    ext_sig = struct.pack(">HHH", 13, 4, 2) + struct.pack(">H", 0x0403)
    ext_ver = struct.pack(">HHB", 43, 3, 2) + struct.pack(">H", 0x0304)
    exts = ext_sni + ext_groups + ext_sig + ext_ver
    ciphers = struct.pack(">HHHH", 6, 0x1301, 0x1302, 0xC02F)
    body = struct.pack(">H", 0x0303) + bytes(range(32)) + b"\x00" + ciphers + b"\x01\x00" + \
        struct.pack(">H", len(exts)) + exts
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    s.send(True, b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs)
    sbody = struct.pack(">H", 0x0303) + bytes(range(32, 64)) + b"\x00" + struct.pack(">H", 0xC02F) + b"\x00" + \
        struct.pack(">H", 0)
    shs = b"\x02" + len(sbody).to_bytes(3, "big") + sbody
    s.send(False, b"\x16\x03\x03" + struct.pack(">H", len(shs)) + shs)
    s.close()


def vnc(cap):
    s = TcpSession(cap, JUMP, 50900, PLC, 5900, isn_c=9, isn_s=19, vlan=30)
    s.open()
    s.send(False, b"RFB 003.008\n")
    s.send(True, b"RFB 003.008\n")
    s.send(False, b"\x01\x02")
    s.close()


def ssh(cap):
    s = TcpSession(cap, JUMP, 51000, ETCH, 22, isn_c=31, isn_s=41)
    s.open()
    s.send(False, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s.send(True, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s.close()


def telnet(cap):
    s = TcpSession(cap, SCADA, 51100, PLC, 23, isn_c=51, isn_s=61, vlan=30)
    s.open()
    s.send(False, bytes([0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFD, 0x23, 0xFF, 0xFD, 0x27]))
    s.send(True, bytes([0xFF, 0xFB, 0x18, 0xFF, 0xFB, 0x20, 0xFF, 0xFB, 0x23, 0xFF, 0xFB, 0x27]))
    s.send(False, b"\r\nCH-200 login: ")
    s.send(True, b"admin\r\n")
    s.close()


def http(cap):
    s = TcpSession(cap, ETCH, 49800, PATCH, 80, isn_c=71, isn_s=81)
    s.open()
    s.send(True, b"GET /updates/etch-3000/4.2.2.bin HTTP/1.1\r\nHost: patch.fab.local\r\n"
                 b"User-Agent: ToolUpdater/1.0\r\nAccept: */*\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 16\r\n\r\n"
                  b"\x7fELF0123456789ab")
    s.close()


def dns_query(name, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00\x00\x01\x00\x01"


def dns_answer(query, ip):
    a = query[:2] + b"\x81\x80" + query[4:6] + b"\x00\x01\x00\x00\x00\x00" + query[12:]
    return a + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04" + bytes(int(x) for x in ip.split("."))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "fab-demo.pcap")
    cap = Capture()
    q = dns_query("mes.fab.local", 0x1001)
    udp_exchange(cap, EAP, 53001, DNS, 53, q, dns_answer(q, "10.20.1.30"))
    ntp = bytes([0x23]) + bytes(47)
    udp_exchange(cap, EAP, 123, NTP, 123, ntp, bytes([0x24, 2, 6, 0xEC]) + bytes(44))
    hsms_gem_session(cap)
    hsms_cvd_session(cap)
    cap.advance(2)
    modbus_scada(cap)
    cap.advance(3)
    for i in range(3):
        cap.add(l2(EAP, ETCH) / IP(src=EAP, dst=ETCH) / ICMP(type=8, id=0x4242, seq=i) / (b"fabmon" * 8), 1.0)
        cap.add(l2(ETCH, EAP) / IP(src=ETCH, dst=EAP) / ICMP(type=0, id=0x4242, seq=i) / (b"fabmon" * 8), 0.0004)
    rdp(cap, JUMP, 50800, CVD)
    cap.advance(4)
    ssh(cap)
    http(cap)
    cap.advance(6)
    smb2(cap)
    smb1(cap)
    cap.advance(5)
    tls(cap)
    q = dns_query("router15.teamviewer.com", 0x1002)
    udp_exchange(cap, OFFICE, 53002, DNS, 53, q, dns_answer(q, "203.0.113.15"))
    cap.advance(3)
    rdp(cap, OFFICE, 50700, ETCH)
    cap.advance(2)
    vnc(cap)
    telnet(cap)
    cap.advance(4)
    modbus_office(cap)
    hsms_recipe_theft(cap)
    cap.write(out)
    print(f"{out}: {len(cap.frames)} packets")


if __name__ == "__main__":
    main()
