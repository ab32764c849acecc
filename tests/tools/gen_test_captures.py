#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generate the decoder/flow/reassembly regression captures into OUTDIR,
byte-for-byte the same on every run, each with NAME.truth.json: what a
correct sensor must report, known by construction (checked against fabmon
by tests/tools/check_truth.py, and against tshark by crosscheck_tshark.py).

usage: gen_test_captures.py OUTDIR
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabpkt import (T0, Capture, TcpSession, ascii_, hsms_control, hsms_data, l2, lst,  # noqa: E402
                    mac_of, u4, udp_exchange)
from scapy.all import (ICMP, IP, TCP, UDP, CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q,  # noqa: E402
                       Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, ICMPv6EchoReply, ICMPv6EchoRequest, Raw, GRE, SCTP)
from scapy.utils import PcapNgWriter, PcapWriter  # noqa: E402

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def write(name, frames, linktype=1, snaplen=65535, ng=False):
    path = os.path.join(OUT, name)
    w = PcapNgWriter(path) if ng else PcapWriter(path, linktype=linktype, snaplen=snaplen, sync=True)
    for f in frames:
        w.write(f)
    w.close()
    return path


def truth(name, **kw):
    with open(os.path.join(OUT, name + ".truth.json"), "w") as f:
        json.dump(dict(capture=name, **kw), f, indent=1, sort_keys=True)


def flowtruth(proto, cli, cport, srv, sport, pts, ptc, vlan=None, **kw):
    d = dict(proto=proto, client=cli, client_port=cport, server=srv, server_port=sport,
             pkts_toserver=pts, pkts_toclient=ptc)
    if vlan:
        d["vlan"] = vlan
    d.update(kw)
    return d


def short_tcp(cap, cli, cport, srv, sport, vlan=None):
    """3WHS, request, response, teardown: 6 packets to the server, 4 back."""
    s = TcpSession(cap, cli, cport, srv, sport, vlan=vlan)
    s.open()
    s.send(True, b"REQUEST 1\r\n")
    s.send(False, b"RESPONSE 1\r\n")
    s.close()
    return s


# ---------------------------------------------------------------- VLANs
def vlan_qinq():
    cap = Capture()
    tagged = [short_tcp(cap, "10.1.0.1", 40000, "10.1.0.2", 8000, vlan=vlan) for vlan in (10, 20)]
    # QinQ: outer 802.1ad 100, inner 802.1Q 200
    s = TcpSession(cap, "10.1.0.1", 40000, "10.1.0.2", 8000)
    frames = []
    sub = Capture(cap.t)
    s.cap = sub
    s.open()
    s.send(True, b"REQUEST 1\r\n")
    s.send(False, b"RESPONSE 1\r\n")
    s.close()
    for f in sub.frames:
        eth = f[Ether]
        q = Ether(src=eth.src, dst=eth.dst, type=0x88A8) / Dot1AD(vlan=100, type=0x8100) / \
            Dot1Q(vlan=200) / f[IP]
        q.time = f.time
        frames.append(q)
    udp_exchange(cap, "10.1.0.1", 5353, "10.1.0.2", 53, b"\x12\x34query", b"\x12\x34answer", vlan=10)
    write("vlan-qinq.pcap", sorted(cap.frames + frames, key=lambda f: float(f.time)))
    flows = [flowtruth("TCP", "10.1.0.1", 40000, "10.1.0.2", 8000, t.pkts[True], t.pkts[False], vlan=[v],
                       reassembled_bytes_toserver=11, reassembled_bytes_toclient=12)
             for v, t in zip((10, 20), tagged)]
    flows.append(flowtruth("TCP", "10.1.0.1", 40000, "10.1.0.2", 8000, s.pkts[True], s.pkts[False],
                           vlan=[100, 200], reassembled_bytes_toserver=11, reassembled_bytes_toclient=12))
    flows.append(flowtruth("UDP", "10.1.0.1", 5353, "10.1.0.2", 53, 1, 1, vlan=[10]))
    truth("vlan-qinq.pcap", packets=len(cap.frames) + len(frames), flows=flows,
          notes="same 5-tuple on VLAN 10, VLAN 20 and QinQ 100/200: three flows")


# ---------------------------------------------------------------- IPv6
def ipv6_ext():
    frames = []
    t = T0
    a, b = "2001:db8:30::21", "2001:db8:20::10"

    def add(p):
        nonlocal t
        t += 0.001
        p.time = t
        frames.append(p)

    seq = {a: 1000, b: 9000}

    def tcp6(src, dst, sp, dp, flags, data=b""):
        p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IPv6(src=src, dst=dst) / \
            IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
            TCP(sport=sp, dport=dp, flags=flags, seq=seq[src],
                ack=seq[dst] if "A" in flags else 0)
        if data:
            p = p / Raw(data)
        add(p)
        seq[src] += len(data) + (1 if ("S" in flags or "F" in flags) else 0)

    tcp6(b, a, 40010, 5000, "S")
    tcp6(a, b, 5000, 40010, "SA")
    tcp6(b, a, 40010, 5000, "A")
    tcp6(b, a, 40010, 5000, "PA", b"hello over ipv6")
    tcp6(a, b, 5000, 40010, "A")
    tcp6(b, a, 40010, 5000, "FA")
    tcp6(a, b, 5000, 40010, "FA")
    tcp6(b, a, 40010, 5000, "A")
    for src, dst, sp, dp, data in ((b, a, 5300, 53, b"\x00\x01q"), (a, b, 53, 5300, b"\x00\x01r")):
        add(Ether() / IPv6(src=src, dst=dst) / IPv6ExtHdrRouting(type=0, addresses=[]) /
            UDP(sport=sp, dport=dp) / Raw(data))
    for i in range(2):
        add(Ether() / IPv6(src=b, dst=a) / ICMPv6EchoRequest(id=0x77, seq=i))
        add(Ether() / IPv6(src=a, dst=b) / ICMPv6EchoReply(id=0x77, seq=i))
    write("ipv6-ext.pcap", frames)
    truth("ipv6-ext.pcap", packets=len(frames), flows=[
        flowtruth("TCP", b, 40010, a, 5000, 5, 3, reassembled_bytes_toserver=15,
                  reassembled_bytes_toclient=0),
        flowtruth("UDP", b, 5300, a, 53, 1, 1),
        flowtruth("IPv6-ICMP", b, None, a, None, 2, 2)])


# ---------------------------------------------------------------- fragments
def frag_payload(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def ipv4_frag():
    frames = []
    t = T0

    def add(p):
        nonlocal t
        t += 0.001
        p.time = t
        frames.append(p)

    def fragments(ident, sport, n=3000):
        whole = IP(src="10.2.0.1", dst="10.2.0.2", id=ident, proto=17) / \
            UDP(sport=sport, dport=9999) / Raw(frag_payload(n))
        raw = bytes(whole)
        ihl = 20
        data = raw[ihl:]
        out = []
        for off in range(0, len(data), 1480):
            chunk = data[off:off + 1480]
            more = off + 1480 < len(data)
            out.append(IP(src="10.2.0.1", dst="10.2.0.2", id=ident, proto=17,
                          flags="MF" if more else 0, frag=off // 8) / Raw(chunk))
        return [Ether() / f for f in out]

    for f in fragments(0x1111, 7001):            # in order
        add(f)
    for f in reversed(fragments(0x2222, 7002)):  # last first
        add(f)
    fr = fragments(0x3333, 7003)                 # with an overlapping duplicate of the middle
    add(fr[0])
    add(fr[1])
    dup = fr[1].copy()
    add(dup)
    add(fr[2])
    add(Ether() / IP(src="10.2.0.1", dst="10.2.0.2") / UDP(sport=7004, dport=9999) / Raw(b"small"))
    write("ipv4-frag.pcap", frames)
    truth("ipv4-frag.pcap", packets=len(frames), datagrams_reassembled=3, fragment_overlaps=1,
          flows=[flowtruth("UDP", "10.2.0.1", p, "10.2.0.2", 9999, 1, 0) for p in (7001, 7002, 7003, 7004)],
          notes="a datagram rebuilt from fragments counts as one packet of its flow")


def ipv6_frag():
    frames = []
    t = T0
    a, b = "2001:db8::a", "2001:db8::b"
    whole = UDP(sport=7101, dport=9999) / Raw(frag_payload(3000))
    raw = bytes(IPv6(src=a, dst=b) / whole)[40:]   # UDP header with checksum + payload
    parts = []
    for off in range(0, len(raw), 1448):
        chunk = raw[off:off + 1448]
        more = off + 1448 < len(raw)
        parts.append(Ether() / IPv6(src=a, dst=b) / IPv6ExtHdrDestOpt() /
                     IPv6ExtHdrFragment(nh=17, offset=off // 8, m=1 if more else 0, id=0xABCD) /
                     Raw(chunk))
    for p in parts[1:] + parts[:1]:              # first fragment last
        t += 0.001
        p.time = t
        frames.append(p)
    write("ipv6-frag.pcap", frames)
    truth("ipv6-frag.pcap", packets=len(frames), datagrams_reassembled=1,
          flows=[flowtruth("UDP", a, 7101, b, 9999, 1, 0)])


# ---------------------------------------------------------------- link types
def conversation():
    """A short Modbus exchange; returns its frames and the session."""
    cap = Capture()
    s = TcpSession(cap, "192.168.5.1", 45000, "192.168.5.2", 502)
    s.open()
    s.send(True, b"\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x02")
    s.send(False, b"\x00\x01\x00\x00\x00\x07\x01\x03\x04\x00\x0a\x00\x0b")
    s.close()
    return cap.frames, s


def link_types():
    conv, s = conversation()
    n = len(conv)
    conv_truth = [flowtruth("TCP", "192.168.5.1", 45000, "192.168.5.2", 502, s.pkts[True], s.pkts[False],
                            reassembled_bytes_toserver=12, reassembled_bytes_toclient=13, ndpi="Modbus")]
    write("link-ether.pcap", conv)
    truth("link-ether.pcap", packets=n, flows=conv_truth)
    write("link-ether.pcapng", conv, ng=True)
    truth("link-ether.pcapng", packets=n, flows=conv_truth)

    def rewrap(fn):
        out = []
        for f in conv:
            g = fn(f)
            g.time = f.time
            out.append(g)
        return out

    write("link-sll.pcap", rewrap(lambda f: CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6,
                                                         src=bytes.fromhex(f.src.replace(":", "")) + b"\0\0",
                                                         proto=0x0800) / f[IP]), linktype=113)
    truth("link-sll.pcap", packets=n, flows=conv_truth)
    write("link-sll2.pcap", rewrap(lambda f: CookedLinuxV2(proto=0x0800, ifindex=3, lladdrtype=1,
                                                           pkttype=0, lladdrlen=6,
                                                           src=bytes.fromhex(f.src.replace(":", "")) + b"\0\0") /
                                   f[IP]), linktype=276)
    truth("link-sll2.pcap", packets=n, flows=conv_truth)
    write("link-raw.pcap", rewrap(lambda f: f[IP]), linktype=101)
    truth("link-raw.pcap", packets=n, flows=conv_truth)
    # BSD loopback: DLT_NULL in the writer's (little-endian) order, DLT_LOOP big-endian
    null = rewrap(lambda f: Raw(struct.pack("<I", 2) + bytes(f[IP])))
    a, b = "fd00::1", "fd00::2"
    v6 = [Raw(struct.pack("<I", 24) + bytes(IPv6(src=a, dst=b) / UDP(sport=6000, dport=6001) / Raw(b"v6 over null"))),
          Raw(struct.pack("<I", 30) + bytes(IPv6(src=b, dst=a) / UDP(sport=6001, dport=6000) / Raw(b"reply")))]
    for i, p in enumerate(v6):
        p.time = T0 + 10 + i
    write("link-null.pcap", null + v6, linktype=0)
    truth("link-null.pcap", packets=n + 2, flows=conv_truth + [flowtruth("UDP", a, 6000, b, 6001, 1, 1)],
          notes="IPv6 with the BSD AF values 24 (NetBSD/OpenBSD) and 30 (macOS)")
    write("link-loop.pcap", rewrap(lambda f: Raw(struct.pack(">I", 2) + bytes(f[IP]))), linktype=108)
    truth("link-loop.pcap", packets=n, flows=conv_truth)


# ---------------------------------------------------------------- TCP reassembly
def tcp_reassembly():
    cap = Capture()
    flows = []
    # (a) in order
    s = TcpSession(cap, "10.3.0.1", 41001, "10.3.0.2", 6001)
    s.open()
    s.send(True, b"A" * 100, segments=4)
    s.send(False, b"B" * 50)
    s.close()
    flows.append(flowtruth("TCP", "10.3.0.1", 41001, "10.3.0.2", 6001, s.pkts[True], s.pkts[False],
                           reassembled_bytes_toserver=100, reassembled_bytes_toclient=50,
                           gaps_toserver=0, gaps_toclient=0, midstream=False))

    # (b) out of order: segment 3 before segment 2
    s = TcpSession(cap, "10.3.0.1", 41002, "10.3.0.2", 6001)
    s.open()
    base = s.seq[True]
    segs = [b"1111", b"2222", b"3333", b"4444"]
    order = [0, 2, 1, 3]
    for i in order:
        s._pkt(True, "PA", segs[i], seq=base + 4 * i)
    s.seq[True] = base + 16
    s._pkt(False, "A")
    s.close()
    flows.append(flowtruth("TCP", "10.3.0.1", 41002, "10.3.0.2", 6001, s.pkts[True], s.pkts[False],
                           reassembled_bytes_toserver=16, reassembled_bytes_toclient=0,
                           gaps_toserver=0, gaps_toclient=0, out_of_order=1, midstream=False))

    # (c) a retransmission and (d) an overlap with the same bytes
    s = TcpSession(cap, "10.3.0.1", 41003, "10.3.0.2", 6001)
    s.open()
    base = s.seq[True]
    s._pkt(True, "PA", b"abcdefgh", seq=base)
    s._pkt(True, "PA", b"abcdefgh", seq=base)          # retransmission
    s._pkt(True, "PA", b"efghijkl", seq=base + 4)      # overlap, same bytes
    s.seq[True] = base + 12
    s._pkt(False, "A")
    s.close()
    flows.append(flowtruth("TCP", "10.3.0.1", 41003, "10.3.0.2", 6001, s.pkts[True], s.pkts[False],
                           reassembled_bytes_toserver=12, reassembled_bytes_toclient=0,
                           gaps_toserver=0, gaps_toclient=0, retransmissions=1, overlaps=1,
                           overlaps_differing=0, midstream=False))

    # (e) a segment never captured: one gap of 10 bytes client -> server
    s = TcpSession(cap, "10.3.0.1", 41004, "10.3.0.2", 6001)
    s.open()
    base = s.seq[True]
    s._pkt(True, "PA", b"0123456789", seq=base)
    s._pkt(True, "PA", b"KLMNOPQRST", seq=base + 20)   # base+10..+20 missing
    s.seq[True] = base + 30
    s._pkt(False, "A")                                  # acks all 30: the hole is lost
    s.send(False, b"reply")
    s.close()
    flows.append(flowtruth("TCP", "10.3.0.1", 41004, "10.3.0.2", 6001, s.pkts[True], s.pkts[False],
                           reassembled_bytes_toserver=20, reassembled_bytes_toclient=5,
                           gaps_toserver=1, gap_bytes_toserver=10, gaps_toclient=0, midstream=False))

    # (f) mid-stream pickup: no handshake in the capture
    s = TcpSession(cap, "10.3.0.1", 41005, "10.3.0.2", 6001, isn_c=777777, isn_s=888888)
    s.send(True, b"status?")
    s.send(False, b"status: RUNNING")
    s.close()
    flows.append(flowtruth("TCP", "10.3.0.1", 41005, "10.3.0.2", 6001, s.pkts[True], s.pkts[False],
                           reassembled_bytes_toserver=7, reassembled_bytes_toclient=15,
                           gaps_toserver=0, gaps_toclient=0, midstream=True))
    write("tcp-reassembly.pcap", cap.frames)
    truth("tcp-reassembly.pcap", packets=len(cap.frames), flows=flows)


# ---------------------------------------------------------------- snaplen
def snaplen_64():
    cap = Capture()
    s = TcpSession(cap, "10.4.0.1", 42001, "10.4.0.2", 5000)
    s.open()
    s.send(True, bytes(200))
    s.send(False, bytes(1400))
    s.send(True, b"tiny")
    s.close()
    frames = cap.frames
    path = os.path.join(OUT, "snaplen-64.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 64, 1))
        for fr in frames:
            raw = bytes(fr)
            t = float(fr.time)
            cut = raw[:64]
            f.write(struct.pack("<IIII", int(t), int(round((t - int(t)) * 1e6)), len(cut), len(raw)) + cut)
    # headers: 14 + 20 + 20 = 54 bytes, so 10 payload bytes of each big segment survive
    truth("snaplen-64.pcap", packets=len(frames), truncated_packets=2, flows=[
        flowtruth("TCP", "10.4.0.1", 42001, "10.4.0.2", 5000, s.pkts[True], s.pkts[False],
                  reassembled_bytes_toserver=10 + 4, reassembled_bytes_toclient=10,
                  gaps_toserver=1, gap_bytes_toserver=190, gaps_toclient=1, gap_bytes_toclient=1390)])


# ---------------------------------------------------------------- malformed
def malformed():
    good_ip = bytes(IP(src="10.5.0.1", dst="10.5.0.2") / TCP(sport=1, dport=2, flags="S"))
    eth = bytes.fromhex("020000000002020000000001")
    frames = []

    def raw(b, why, expect):
        frames.append((b, why, expect))

    ip = bytearray(good_ip)
    ip[0] = 0x43
    raw(eth + b"\x08\x00" + ip, "ipv4 ihl 3", "invalid")
    ip = bytearray(good_ip)
    ip[2:4] = struct.pack(">H", 200)
    raw(eth + b"\x08\x00" + ip, "ipv4 total length beyond frame", "invalid")
    ip = bytearray(good_ip)
    ip[20 + 12] = 0x20
    raw(eth + b"\x08\x00" + ip, "tcp data offset 2", "invalid")
    u = bytearray(bytes(IP(src="10.5.0.1", dst="10.5.0.2") / UDP(sport=3, dport=4) / Raw(b"xyz")))
    u[20 + 4:20 + 6] = struct.pack(">H", 100)
    raw(eth + b"\x08\x00" + u, "udp length beyond ip payload", "invalid")
    raw(eth[:10], "10-byte ethernet frame", "invalid")
    raw(eth + b"\x08\x00" + good_ip[:12], "ipv4 header cut at 12 bytes", "invalid")
    v6 = IPv6(src="fd00::1", dst="fd00::2")
    p = v6
    for _ in range(9):
        p = p / IPv6ExtHdrDestOpt()
    raw(eth + b"\x86\xdd" + bytes(p / UDP()), "9 destination-options headers", "invalid")
    raw(bytes(Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff", type=0x0806) / Raw(bytes(28))),
        "arp", "not_ip")
    raw(bytes.fromhex("0180c200000e020000000001" + "88cc") + bytes(30), "lldp", "not_ip")
    raw(eth + b"\x81\x00", "802.1q tag with nothing after it", "invalid")
    raw(eth + b"\x08\x00" + good_ip, "valid tcp syn", "ok")
    path = os.path.join(OUT, "malformed.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (b, _, _) in enumerate(frames):
            f.write(struct.pack("<IIII", int(T0) + i, 0, len(b), len(b)) + b)
    truth("malformed.pcap", packets=len(frames),
          frames=[dict(index=i + 1, why=w, expect=e) for i, (_, w, e) in enumerate(frames)],
          decoder=dict(invalid=sum(1 for _, _, e in frames if e == "invalid"),
                       not_ip=sum(1 for _, _, e in frames if e == "not_ip"), truncated=0),
          flows=[flowtruth("TCP", "10.5.0.1", 1, "10.5.0.2", 2, 1, 0)])


# ---------------------------------------------------------------- scans and floods
def scan_flood():
    """Into the fab-equipment zone of tests/pcap/scan-policy.yaml (syn_flood 40,
    port_scan 20, host_sweep 10, interval 60): a SYN flood of 60 spoofed
    sources to one tool (each SYN answered by a SYN-ACK, never acknowledged),
    a SYN scan of 30 ports of another tool (refused by RST), a sweep of 15
    tools (unanswered), and one real connection. Expected: one alert each,
    no per-flow record of the 105 half-open flows but a flow_attempts summary.
    The flood's last 20 sources are on the internet: past the threshold, their
    level-skipping alerts are folded into the flood's. A packet 150 s later
    ends the half-open flows by timeout, in the order they were made."""
    cap = Capture()
    flood, scan, sweep = [], [], []
    for i in range(60):       # 10.30.200.1-40, 198.51.100.41-60 -> 10.30.1.21:5000
        src = f"10.30.200.{i + 1}" if i < 40 else f"198.51.100.{i + 1}"
        cap.add(l2(src, "10.30.1.21") / IP(src=src, dst="10.30.1.21") /
                TCP(sport=20000 + i, dport=5000, seq=1000 + i, flags="S", window=64240), dt=0.01)
        cap.add(l2("10.30.1.21", src) / IP(src="10.30.1.21", dst=src) /
                TCP(sport=5000, dport=20000 + i, seq=9000, ack=1001 + i, flags="SA", window=64240),
                dt=0.0002)
        flood.append(src)
    for port in range(1, 31):               # 10.30.1.99 -> 10.30.1.22:1-30, refused
        cap.add(l2("10.30.1.99", "10.30.1.22") / IP(src="10.30.1.99", dst="10.30.1.22") /
                TCP(sport=41000, dport=port, seq=500, flags="S", window=1024), dt=0.02)
        cap.add(l2("10.30.1.22", "10.30.1.99") / IP(src="10.30.1.22", dst="10.30.1.99") /
                TCP(sport=port, dport=41000, seq=0, ack=501, flags="RA", window=0), dt=0.0002)
        scan.append(port)
    for h in range(1, 16):                   # 10.30.1.98 -> 10.30.2.1-15:502, unanswered
        cap.add(l2("10.30.1.98", f"10.30.2.{h}") / IP(src="10.30.1.98", dst=f"10.30.2.{h}") /
                TCP(sport=42000 + h, dport=502, seq=700, flags="S", window=1024), dt=0.02)
        sweep.append(f"10.30.2.{h}")
    short_tcp(cap, "10.30.1.50", 43000, "10.30.1.21", 8080)   # a connection: its flow record
    cap.advance(150)
    udp_exchange(cap, "10.30.1.50", 43001, "10.30.1.21", 9999, b"ping", b"pong")
    cap.write(os.path.join(OUT, "scan-flood.pcap"))
    truth("scan-flood.pcap", packets=len(cap.frames), half_open=len(flood) + len(scan) + len(sweep),
          alerts={"FAB-SCAN-001": 1, "FAB-SCAN-002": 1, "FAB-SCAN-003": 1},
          flows=[flowtruth("TCP", "10.30.1.50", 43000, "10.30.1.21", 8080, 6, 4),
                 flowtruth("UDP", "10.30.1.50", 43001, "10.30.1.21", 9999, 1, 1)])


# ---------------------------------------------------------------- ICMP & others
def icmp_other():
    cap = Capture()
    for i in range(3):
        cap.add(Ether() / IP(src="10.6.0.1", dst="10.6.0.2") / ICMP(type=8, id=0x1234, seq=i))
        cap.add(Ether() / IP(src="10.6.0.2", dst="10.6.0.1") / ICMP(type=0, id=0x1234, seq=i))
    cap.add(Ether() / IP(src="10.6.0.9", dst="10.6.0.1") / ICMP(type=3, code=3) /
            IP(src="10.6.0.1", dst="10.6.0.9") / UDP(sport=5000, dport=161))
    cap.add(Ether() / IP(src="10.6.0.1", dst="10.6.0.3") / GRE() / IP(src="1.1.1.1", dst="2.2.2.2"))
    cap.add(Ether() / IP(src="10.6.0.1", dst="10.6.0.4") / SCTP(sport=2905, dport=2905))
    write("icmp-other.pcap", cap.frames)
    truth("icmp-other.pcap", packets=len(cap.frames), flows=[
        flowtruth("ICMP", "10.6.0.1", None, "10.6.0.2", None, 3, 3),
        flowtruth("ICMP", "10.6.0.9", None, "10.6.0.1", None, 1, 0),
        flowtruth("GRE", "10.6.0.1", None, "10.6.0.3", None, 1, 0),
        flowtruth("SCTP", "10.6.0.1", 2905, "10.6.0.4", 2905, 1, 0)])


def hostile_strings():
    """Bytes that must not break a JSON line: quotes, backslashes, control
    characters, invalid UTF-8 in an HTTP Host and a DNS name nDPI reports."""
    cap = Capture()
    s = TcpSession(cap, "10.7.0.1", 43001, "10.7.0.2", 80)
    s.open()
    s.send(True, b"GET / HTTP/1.1\r\nHost: ev\"il\\\x01\x7f\xff\xfe.example\r\nUser-Agent: x\r\n\r\n")
    s.send(False, b"HTTP/1.1 204 No Content\r\n\r\n")
    s.close()
    q = struct.pack(">HHHHHH", 0x77, 0x0100, 1, 0, 0, 0) + b"\x05a\"\\\x00\xc3\x03fab\x00\x00\x01\x00\x01"
    udp_exchange(cap, "10.7.0.1", 5301, "10.7.0.3", 53, q, None)
    write("hostile-strings.pcap", cap.frames)
    truth("hostile-strings.pcap", packets=len(cap.frames), flows=[
        flowtruth("TCP", "10.7.0.1", 43001, "10.7.0.2", 80, s.pkts[True], s.pkts[False], ndpi="HTTP",
                  hostname='ev"il\\\x01\x7f\ufffd\ufffd.example'),
        flowtruth("UDP", "10.7.0.1", 5301, "10.7.0.3", 53, 1, 0)],
        notes="every eve.json line must still parse; hostnames arrive escaped")


def hsms_anomalies():
    """HSMS that breaks SEMI E37, offline: what fabmon must flag, known by
    construction. Equipment 10.30.9.9:5000, hosts .1 and .2."""
    cap = Capture()
    eq = "10.30.9.9"
    # host A selects the equipment and keeps it
    a = TcpSession(cap, "10.20.9.1", 41000, eq, 5000, isn_c=100, isn_s=200)
    a.open()
    a.send(True, hsms_control("select.req", 1))
    a.send(False, hsms_control("select.rsp", 1))
    a.send(True, hsms_data(1, 1, 2, b"", wbit=True))
    a.send(False, hsms_data(1, 2, 2, lst(ascii_("TOOL"), ascii_("9.9"))))
    # host B selects the same equipment: refused, flagged
    b = TcpSession(cap, "10.20.9.2", 42000, eq, 5000, isn_c=300, isn_s=400)
    b.open()
    b.send(True, hsms_control("select.req", 7))
    b.send(False, hsms_control("select.rsp", 7, status=1))
    b.send(True, hsms_data(1, 3, 8, lst(u4(1)), wbit=True))       # data while not selected
    b.close()
    # back on A: a reply to nothing, a bad linktest, an undefined SType
    a.send(False, hsms_data(2, 42, 0x99, lst()))
    a.send(True, hsms_control("linktest.req", 3, session=5))
    a.send(False, hsms_control("linktest.rsp", 3))
    a.send(True, hsms_control("select.req", 4, session=0xFFFF)[:9] + b"\x08" + b"\x00\x00\x00\x04")
    # a primary never answered: T3 (45 s) passes by capture time
    a.send(True, hsms_data(2, 41, 5, lst(ascii_("STOP"), lst()), wbit=True))
    cap.advance(50)
    # a message whose second segment the capture lost: a gap, then resync
    msg = hsms_data(6, 11, 6, lst(u4(1), u4(2), lst()), wbit=True)
    base = a.seq[False]
    a._pkt(False, "PA", msg[:10], seq=base)
    a.seq[False] = base + len(msg)              # msg[10:] never captured
    a._pkt(True, "A")                           # the host acked it all
    a.send(False, hsms_data(5, 1, 7, lst(item_b(0x82), u4(1001), ascii_("OVERTEMP")), wbit=False))
    # a length no one should trust, then a linktest
    a.send(True, b"\x7f\x00\x00\x00" + bytes(10) + hsms_control("linktest.req", 8))
    a.send(False, hsms_control("linktest.rsp", 8))
    a.send(True, hsms_control("separate.req", 9))
    a.close()
    write("hsms-anomalies.pcap", cap.frames)
    truth("hsms-anomalies.pcap", packets=len(cap.frames), anomalies={
        "HSMS_SECOND_HOST_SELECT": 1, "HSMS_SELECT_REFUSED": 1, "HSMS_DATA_BEFORE_SELECT": 1,
        "HSMS_REPLY_WITHOUT_PRIMARY": 1, "HSMS_LINKTEST_BAD_SESSION": 1, "HSMS_UNKNOWN_STYPE": 1,
        "HSMS_T3_TIMEOUT": 1, "HSMS_RESYNC": 1, "HSMS_LENGTH_TOO_LARGE": 1,
        "HSMS_UNANSWERED_AT_CLOSE": 1},
        hsms_messages=16,
        flows=[flowtruth("TCP", "10.20.9.1", 41000, eq, 5000, a.pkts[True], a.pkts[False],
                         gaps_toclient=1),
               flowtruth("TCP", "10.20.9.2", 42000, eq, 5000, b.pkts[True], b.pkts[False])],
        notes="host B's S1F3 W is unanswered at its close; the gap swallows S6F11 W")


def item_b(v):
    return bytes([0x21, 1, v])


def truncated_file():
    src = os.path.join(OUT, "link-ether.pcap")
    data = open(src, "rb").read()
    off = 24
    for _ in range(4):
        off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
    with open(os.path.join(OUT, "truncated-file.pcap"), "wb") as f:
        f.write(data[:off + 16 + 20])   # the 5th record's header and 20 of its bytes
    truth("truncated-file.pcap", packets=4, readable_packets=4, damaged=True)


vlan_qinq()
ipv6_ext()
ipv4_frag()
ipv6_frag()
link_types()
tcp_reassembly()
snaplen_64()
malformed()
icmp_other()
hostile_strings()
hsms_anomalies()
scan_flood()
truncated_file()
print(f"captures written to {OUT}")
