#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Exposure per equipment (issue 19 item 1): the `exposure` records and
FAB-EXP-001 on a generated capture with known truth.

usage: test_exposure.py FABMON SOURCE_ROOT

The capture (tests/tools/fabpkt.py; the example site policy's addresses,
zones/examples/fab-site.yaml, with a `services:` section added by the test):
  1. the CVD 10.30.1.22 opens FTP to the etcher 10.30.1.21 (tcp/21), before
     the etcher has said what it is;
  2. the EAP 10.20.1.10 opens HSMS to the etcher: S1F13/S1F14 reports
     MDLN ETCH-9000, SOFTREV 4.2.1;
  3. the litho 10.30.1.23 reaches the etcher's HTTP on tcp/8080;
  4. the etcher opens SMBv1 to the litho (tcp/445: negotiate of NT LM 0.12,
     session setup with each side's NativeOS and NativeLanMan) and Telnet
     (tcp/23);
  5. the etcher opens TLS 1.0 to the CVD (tcp/443), the server choosing
     TLS_RSA_WITH_3DES_EDE_CBC_SHA;
  6. NTP from the etcher to the litho, answered (udp/123), and to the CVD,
     not answered; a SYN from the etcher to the litho's tcp/9999 refused
     with a RST;
  7. the litho renews its DHCP lease (vendor class "LITHO-X1 PXE") with the
     fab system's server 10.20.0.2, which acks.
The policy's services: the model ETCH-9000 may offer tcp/5000 hsms and
tcp/22; the CVD (by address) tcp/443 TLS; the litho is not covered.
Known truth:
  - exposure records for exactly the DHCP server, the etcher, the CVD and
    the litho, with
    exactly the services, flows, clients, client zones, times, insecure
    reasons (smbv1, telnet, ftp, tls-obsolete-version, tls-weak-cipher as
    nDPI 4.2 flags them), TLS version and cipher, allowed flags, and the
    software hints (the litho's User-Agent as an HTTP client and its DHCP
    vendor class, each side's SMB NativeOS and NativeLanMan) below;
    the unanswered NTP and the refused SYN offer nothing;
  - alerts, exactly: FAB-CL-001 (FTP), FAB-EXP-001 for the etcher's FTP
    (raised when the etcher identified itself: no evidence pcap),
    FAB-EXP-001 for its HTTP on tcp/8080 (with its flow's evidence),
    FAB-SMB-002, FAB-RA-001 and FAB-CL-001 (Telnet), FAB-ZC-002 (DHCP
    across zones with no conduit for it); nothing for the litho (no services
    entry covers it) or for the CVD's TLS (allowed);
  - without the services: section: the same exposure records without
    "allowed", and no FAB-EXP-001;
  - the report: report.json's exposure section and exposure.csv, the same
    from the run and from `fabmon report`.
"""
import csv
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from fabmon_test_util import Check, comparable_report, read_eve  # noqa: E402
import smbpkt  # noqa: E402
from fabpkt import (IP, TCP, Capture, TcpSession, ascii_, binary, hsms_control, hsms_data,  # noqa: E402
                    l2, lst, mac_of, u4, udp_exchange)

FABMON, ROOT = sys.argv[1], sys.argv[2]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
EAP, ETCH, CVD, LITHO = "10.20.1.10", "10.30.1.21", "10.30.1.22", "10.30.1.23"
DHCPSRV = "10.20.0.2"
SERVICES = """
services:
  - model: ETCH-9000
    allow: [tcp/5000 hsms, tcp/22]
  - host: 10.30.1.22
    allow: [tcp/443 TLS]
"""
c = Check("exposure")


def tcp(cap, cli, cport, srv, sport):
    s = TcpSession(cap, cli, cport, srv, sport, isn_c=cport * 1000 + 1, isn_s=cport * 1000 + 500001)
    s.open()
    return s


def ftp(cap):
    s = tcp(cap, CVD, 40021, ETCH, 21)
    s.send(False, b"220 ETCH-9000 FTP server ready\r\n")
    s.send(True, b"USER service\r\n")
    s.send(False, b"331 Password required for service\r\n")
    s.send(True, b"PASS etch123\r\n")
    s.send(False, b"230 User service logged in\r\n")
    s.close()


def hsms(cap):
    s = tcp(cap, EAP, 40500, ETCH, 5000)
    s.send(True, hsms_control("select.req", 1))
    s.send(False, hsms_control("select.rsp", 1, status=0))
    s.send(True, hsms_data(1, 13, 2, lst(), wbit=True, session=1))
    s.send(False, hsms_data(1, 14, 2, lst(binary(0), lst(ascii_("ETCH-9000"), ascii_("4.2.1"))),
                            session=1))
    s.send(True, hsms_data(1, 3, 3, lst(u4(1)), wbit=True, session=1))
    s.send(False, hsms_data(1, 4, 3, lst(u4(2)), session=1))
    s.close()


def http(cap):
    s = tcp(cap, LITHO, 40800, ETCH, 8080)
    s.send(True, b"GET /status HTTP/1.1\r\nHost: 10.30.1.21:8080\r\nUser-Agent: litho-agent/2.0\r\n\r\n")
    s.send(False, b"HTTP/1.1 200 OK\r\nServer: EtchWeb/1.1\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: 2\r\n\r\nok")
    s.close()


def smb1(cap):
    """SMBv1 (tests/tools/smbpkt.py): negotiate of NT LM 0.12, the etcher's
    session setup (NativeOS "Windows 2000 2195", NativeLanMan "Windows 2000
    5.0") and the litho's answer ("Windows 5.1", "Windows 2000 LAN Manager")."""
    s = tcp(cap, ETCH, 40445, LITHO, 445)
    s.send(True, smbpkt.smb1_negotiate_request())
    s.send(False, smbpkt.smb1_negotiate_response(1))
    s.send(True, smbpkt.smb1_session_setup(False, 13, True, ("service", "FAB", "Windows 2000 2195",
                                                              "Windows 2000 5.0")))
    s.send(False, smbpkt.smb1_session_setup(True, 3, False, ("Windows 5.1", "Windows 2000 LAN Manager",
                                                             "FAB")))
    s.close()


def telnet(cap):
    s = tcp(cap, ETCH, 40023, LITHO, 23)
    s.send(False, bytes([0xFF, 0xFD, 0x18, 0xFF, 0xFD, 0x20, 0xFF, 0xFD, 0x23, 0xFF, 0xFD, 0x27]))
    s.send(True, bytes([0xFF, 0xFB, 0x18, 0xFF, 0xFB, 0x20, 0xFF, 0xFB, 0x23, 0xFF, 0xFB, 0x27]))
    s.send(False, b"\r\nLITHO-X1 login: ")
    s.send(True, b"admin\r\n")
    s.close()


def tls10(cap):
    """A TLS 1.0 handshake: ClientHello offering 3DES-SHA and AES128-SHA, the
    ServerHello choosing TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000a, which nDPI
    4.2 calls weak; it flags no RC4 suite), ServerHelloDone."""
    s = tcp(cap, ETCH, 40443, CVD, 443)
    ciphers = struct.pack(">HHH", 4, 0x000A, 0x002F)
    body = struct.pack(">H", 0x0301) + bytes(range(32)) + b"\x00" + ciphers + b"\x01\x00"
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    s.send(True, b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs)
    sbody = struct.pack(">H", 0x0301) + bytes(range(32, 64)) + b"\x00" + struct.pack(">H", 0x000A) + b"\x00"
    shs = b"\x02" + len(sbody).to_bytes(3, "big") + sbody
    done = b"\x0e\x00\x00\x00"
    flight = shs + done
    s.send(False, b"\x16\x03\x01" + struct.pack(">H", len(flight)) + flight)
    s.close()


def ntp(cap):
    req = bytes([0x1B]) + bytes(47)
    resp = bytes([0x1C, 2, 6, 0xEC]) + bytes(44)
    udp_exchange(cap, ETCH, 40123, LITHO, 123, req, resp)
    udp_exchange(cap, ETCH, 40124, CVD, 123, req, None)


def dhcp(cap):
    """The litho renews its lease with the fab system's DHCP server (its
    address as the source, vendor class "LITHO-X1 PXE"); the server acks."""
    from scapy.all import BOOTP, DHCP
    mac = bytes.fromhex(mac_of(LITHO).replace(":", ""))
    req = BOOTP(op=1, ciaddr=LITHO, chaddr=mac, xid=0x1234) / DHCP(options=[
        ("message-type", "request"), ("vendor_class_id", b"LITHO-X1 PXE"), "end"])
    ack = BOOTP(op=2, ciaddr=LITHO, yiaddr=LITHO, chaddr=mac, xid=0x1234) / DHCP(options=[
        ("message-type", "ack"), ("server_id", DHCPSRV), ("lease_time", 86400), "end"])
    udp_exchange(cap, LITHO, 68, DHCPSRV, 67, bytes(req), bytes(ack))


def refused(cap):
    cap.add(l2(ETCH, LITHO) / IP(src=ETCH, dst=LITHO) / TCP(sport=40139, dport=9999, flags="S", seq=7))
    cap.add(l2(LITHO, ETCH) / IP(src=LITHO, dst=ETCH) / TCP(sport=9999, dport=40139, flags="RA", seq=0,
                                                           ack=8), 0.0003)


def make(path):
    cap = Capture()
    for f in (ftp, hsms, http, smb1, telnet, tls10, ntp, refused, dhcp):
        f(cap)
        cap.advance(1.0)
    cap.write(path)


def t(sec, usec):
    """A time of the capture, as EVE writes it (T0 = 2026-03-02T08:00:00Z)."""
    return "2026-03-02T08:00:%02d.%06d+0000" % (sec, usec)


def svc(proto, port, app, client, zone, first, last, insecure=None, risks=None, tls=None, allowed=None):
    s = {"proto": proto, "port": port, "app_proto": app, "flows": 1, "clients": [client],
         "client_zones": [zone], "first_seen": first, "last_seen": last}
    if insecure:
        s["insecure"] = insecure
    if risks:
        s["risks"] = risks
    if tls:
        s["tls"] = tls
    if allowed is not None:
        s["allowed"] = allowed
    return s


def expected(with_services):
    a = (lambda v: v) if with_services else (lambda v: None)
    etch = {"ip": ETCH, "zone": "fab-equipment", "model": "ETCH-9000", "softrev": "4.2.1",
            "services_offered": 3, "insecure_services": 2, "not_allowed_services": 2 if with_services else 0,
            "software": [{"source": "smb-native-os", "value": "Windows 2000 2195"},
                         {"source": "smb-native-lanman", "value": "Windows 2000 5.0"}],
            "services": [
                svc("TCP", 21, "FTP_CONTROL", CVD, "fab-equipment", t(0, 1000), t(0, 9000),
                    ["clear-text-credentials", "unsafe-protocol", "ftp"],
                    ["Unsafe Protocol", "Clear-Text Credentials"], allowed=a(False)),
                svc("TCP", 5000, "hsms", EAP, "fab-system", t(1, 10000), t(1, 19199), allowed=a(True)),
                svc("TCP", 8080, "HTTP", LITHO, "fab-equipment", t(2, 20199), t(2, 24599),
                    ["non-standard-port"], ["Known Protocol on Non Standard Port", "HTTP Numeric IP Address"],
                    allowed=a(False)),
            ]}
    cvd = {"ip": CVD, "zone": "fab-equipment", "services_offered": 1, "insecure_services": 1,
           "not_allowed_services": 0,
           "services": [svc("TCP", 443, "TLS", ETCH, "fab-equipment", t(5, 41198), t(5, 45598),
                            ["tls-obsolete-version", "tls-weak-cipher"],
                            ["Obsolete TLS Version (1.1 or older)", "Weak TLS Cipher"],
                            {"version": "TLSv1", "cipher": "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, a(True))]}
    litho = {"ip": LITHO, "zone": "fab-equipment", "services_offered": 3, "insecure_services": 2,
             "not_allowed_services": 0,
             "software": [{"source": "http-user-agent", "value": "litho-agent/2.0"},
                          {"source": "smb-native-os", "value": "Windows 5.1"},
                          {"source": "smb-native-lanman", "value": "Windows 2000 LAN Manager"},
                          # nDPI 4.2 keeps 9 of the 12 bytes of option 60 (ndpiReader shows the same)
                          {"source": "dhcp-vendor-class", "value": "LITHO-X1 "}],
             "services": [
                 svc("TCP", 445, "NetBIOS.SMBv1", ETCH, "fab-equipment", t(3, 25599), t(3, 32398),
                     ["smbv1", "unsafe-protocol", "non-standard-port"],
                     ["Known Protocol on Non Standard Port", "SMB Insecure Version", "Unsafe Protocol"]),
                 svc("TCP", 23, "Telnet", ETCH, "fab-equipment", t(4, 33398), t(4, 40198),
                     ["unsafe-protocol", "telnet"], ["Unsafe Protocol"]),
                 svc("UDP", 123, "NTP", ETCH, "fab-equipment", t(6, 46598), t(6, 47098)),
             ]}
    dhcpsrv = {"ip": DHCPSRV, "zone": "fab-system", "services_offered": 1, "insecure_services": 0,
               "not_allowed_services": 0,
               "services": [svc("UDP", 67, "DHCP", LITHO, "fab-equipment", t(8, 49897), t(8, 50397))]}
    return [(t(8, 50397), dhcpsrv), (t(2, 24599), etch), (t(5, 45598), cvd), (t(6, 47098), litho)]


def alert_list(recs):
    return [(r["alert"]["rule_id"], r.get("src_ip"), r.get("dest_ip"), r.get("dest_port"))
            for r in recs if r["event_type"] == "alert"]


def run(pcap, out, policy):
    p = subprocess.run([FABMON, "-r", pcap, "-c", policy, "-o", out], capture_output=True, text=True)
    c.eq(f"{os.path.basename(policy)}: exit status", p.returncode, 0, p.stderr)
    return read_eve(os.path.join(out, "eve.json"))


def check_run(recs, with_services, what):
    got = [(r["timestamp"], r["exposure"]) for r in recs if r["event_type"] == "exposure"]
    want = expected(with_services)
    c.eq(f"{what}: hosts with an exposure record", [g[1]["ip"] for g in got], [w[1]["ip"] for w in want])
    for g, w in zip(got, want):
        c.eq(f"{what}: exposure record of {w[1]['ip']}", g, w)
    alerts = alert_list(recs)
    base = [("FAB-CL-001", CVD, ETCH, 21)]
    if with_services:
        base += [("FAB-EXP-001", CVD, ETCH, 21), ("FAB-EXP-001", LITHO, ETCH, 8080)]
    # in the order written: Telnet, named by its port only, when its flow ends
    base += [("FAB-SMB-002", ETCH, LITHO, 445), ("FAB-ZC-002", LITHO, DHCPSRV, 67),
             ("FAB-RA-001", ETCH, LITHO, 23), ("FAB-CL-001", ETCH, LITHO, 23)]
    c.eq(f"{what}: the alerts, exactly", alerts, base)
    return [r for r in recs if r["event_type"] == "alert" and r["alert"]["rule_id"] == "FAB-EXP-001"]


def check_report(out, tmp):
    """report.json's exposure, exposure.csv and report.html's section, the
    same from the run and from `fabmon report`."""
    want = [w[1] for w in expected(True)]
    rep = json.load(open(os.path.join(out, "report.json")))
    x = rep.get("exposure", {})
    c.eq("report.json: exposure hosts, as the records", x.get("hosts"), want)
    c.eq("report.json: exposure counts",
         [x.get(k) for k in ("host_count", "services", "insecure_services", "not_allowed_services")],
         [4, 8, 5, 2])
    # the guideline evidence table: an undeclared service breaks the row of
    # insecure and legacy services on equipment, with its two hits
    row = {g["clause"]: g for g in rep.get("guideline_evidence", [])}.get("insecure-protocols", {})
    c.eq("guideline evidence: FAB-EXP-001 among what broke insecure-protocols",
         [(b["rule"], b["count"]) for b in row.get("broken_by", []) if b["rule"] == "FAB-EXP-001"],
         [("FAB-EXP-001", 2)])
    with open(os.path.join(out, "exposure.csv"), newline="", encoding="utf-8") as f:
        raw = f.read()
    c.true("exposure.csv: CRLF lines", raw.count("\r\n") == 9, repr(raw[:200]))
    rows = list(csv.DictReader(raw.splitlines()))
    c.eq("exposure.csv: one row per host and service",
         [(r["ip"], r["proto"], r["port"], r["app_proto"]) for r in rows],
         [(DHCPSRV, "UDP", "67", "DHCP"), (ETCH, "TCP", "21", "FTP_CONTROL"), (ETCH, "TCP", "5000", "hsms"), (ETCH, "TCP", "8080", "HTTP"),
          (CVD, "TCP", "443", "TLS"), (LITHO, "TCP", "445", "NetBIOS.SMBv1"), (LITHO, "TCP", "23", "Telnet"),
          (LITHO, "UDP", "123", "NTP")])
    if len(rows) == 8:
        c.eq("exposure.csv: the TLS server's row", rows[4],
             {"ip": CVD, "zone": "fab-equipment", "model": "", "softrev": "", "proto": "TCP", "port": "443",
              "app_proto": "TLS", "flows": "1", "clients": ETCH, "client_zones": "fab-equipment",
              "first_seen": t(5, 41198), "last_seen": t(5, 45598),
              "insecure": "tls-obsolete-version;tls-weak-cipher",
              "risks": "Obsolete TLS Version (1.1 or older);Weak TLS Cipher", "tls_version": "TLSv1",
              "tls_cipher": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "allowed": "true"})
        c.eq("exposure.csv: allowed, as the policy says", [r["allowed"] for r in rows],
             ["", "false", "true", "false", "true", "", "", ""])
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    c.true("report.html: the exposure section", '<section id="exposure">' in html)
    c.eq("report.html: a row per service", html.count('<tr class="exposure-row"'), 8)
    c.eq("report.html: two services not allowed", html.count('data-allowed="false"'), 2)
    # fabmon report reads eve.json back: the same report.json, the same CSV
    again = os.path.join(tmp, "again")
    p = subprocess.run([FABMON, "report", out, "-o", again], capture_output=True, text=True)
    c.eq("fabmon report: exit status", p.returncode, 0, p.stderr)
    c.eq("fabmon report: report.json as the run's", comparable_report(again), comparable_report(out))
    with open(os.path.join(again, "exposure.csv"), "rb") as a, open(os.path.join(out, "exposure.csv"), "rb") as b:
        c.eq("fabmon report: exposure.csv as the run's", a.read(), b.read())
    # in Japanese: the section's heading
    ja = os.path.join(tmp, "ja")
    subprocess.run([FABMON, "report", out, "-o", ja, "--lang", "ja", "-q"], capture_output=True)
    html = open(os.path.join(ja, "report.html"), encoding="utf-8").read()
    c.true("report.html in Japanese: 9. エクスポージャ: 提供サービス", "9. エクスポージャ: 提供サービス" in html)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "exposure.pcap")
        make(pcap)
        site = os.path.join(tmp, "site.yaml")
        with open(SITE) as f, open(site, "w") as o:
            o.write(f.read() + SERVICES)
        p = subprocess.run([FABMON, "check-policy", site], capture_output=True, text=True)
        c.eq("check-policy: exit status", p.returncode, 0, p.stderr)
        c.true("check-policy lists the services", "SERVICES (anything else offered: FAB-EXP-001)\n"
               "  model ETCH-9000: tcp/5000 hsms, tcp/22\n  host 10.30.1.22/32: tcp/443 TLS\n" in p.stdout,
               p.stdout[-600:])
        out = os.path.join(tmp, "out")
        exp = check_run(run(pcap, out, site), True, "with services:")
        if len(exp) == 2:
            ftp_a, http_a = exp[0]["alert"], exp[1]["alert"]
            # raised when the etcher said what it is (its S1F14): the FTP flow
            # was checked before; no flow, no evidence
            c.eq("FTP's FAB-EXP-001: when", exp[0]["timestamp"], "2026-03-02T08:00:01.015099+0000")
            c.true("FTP's FAB-EXP-001: no flow", "flow_id" not in exp[0], json.dumps(exp[0]))
            c.eq("FTP's FAB-EXP-001: no evidence", ftp_a.get("evidence"), {"none": "no_flow"})
            c.eq("FTP's FAB-EXP-001: reason", ftp_a["reason"],
                 "10.30.1.21 'etcher-01' (zone fab-equipment, roles equipment) model ETCH-9000 offers "
                 "tcp/21 (FTP_CONTROL), which its services (policy line 76) do not allow")
            c.eq("HTTP's FAB-EXP-001: reason", http_a["reason"],
                 "10.30.1.21 'etcher-01' (zone fab-equipment, roles equipment) model ETCH-9000 offers "
                 "tcp/8080 (HTTP), which its services (policy line 76) do not allow")
            c.true("HTTP's FAB-EXP-001: its flow's evidence pcap",
                   os.path.exists(os.path.join(out, http_a.get("evidence", {}).get("file", "-"))),
                   json.dumps(http_a.get("evidence")))
            for x in (ftp_a, http_a):
                c.eq("FAB-EXP-001: sid, category, severity", (x["signature_id"], x["category"], x["severity"]),
                     (9101001, "exposure", 2))
                c.eq("FAB-EXP-001: references", [r["id"] if isinstance(r, dict) else r
                                                 for r in x.get("references", [])],
                     ["E187:NW", "62443-3-3:SR7.7", "METI:FA", "CSF:ID.AM-02"])
        check_report(out, tmp)
        # the same capture, no services: declared: the same exposure, no
        # "allowed", no FAB-EXP-001
        check_run(run(pcap, os.path.join(tmp, "plain"), SITE), False, "without services:")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
