#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Interleave a flood of spoofed TCP SYNs with a fab capture (issue 16 item 2).

Reads a classic pcap of link type Ethernet (the fab capture) and writes it
again with N SYNs mixed in: nine tenths in the minute before the fab
capture's first packet (the flood is under way when the fab traffic starts),
the rest spread evenly over the fab capture's own span. Every SYN has its
own source address, so every SYN is a flow of its own that never completes
its handshake (no SYN+ACK is written: the target does not answer, or its
answer is not mirrored):

  - 9/10 of the sources from 11.0.0.0/8 (outside every zone of a fab's
    policy, the internet of the built-in one), the rest from inside the fab's
    ranges, 10.30.64.0-10.30.255.255 and 10.20.64.0-10.20.255.255 (the demo's
    hosts are below 10.30.64.0 and 10.20.64.0), unique while N <= 10 x 98304;
  - to the demo's equipment 10.30.1.21 and 10.30.1.22 on HSMS port 5000, to
    the chiller PLC 10.30.50.5 on Modbus port 502, and to other ports (22,
    80, 443, 445, 3389, random high ports) of those hosts.

Records are packed with struct (no scapy): a million SYNs take seconds.
Deterministic: the same bytes on every run for the same arguments.

With --complete every flood source completes its handshake (SYN, SYN+ACK,
ACK: an attacker who owns the addresses or sits on the path) and then says
nothing: 3 packets per source.

usage: gen_syn_flood.py FAB.pcap OUT.pcap [N] [--complete]   (N default 1000000)
"""
import ipaddress
import struct
import sys

FLOOD_MAC = bytes.fromhex("02fe00000001")   # the router the spoofed SYNs come through
TARGETS = [
    ("10.30.1.21", bytes.fromhex("02100a1e0115"), 5000),
    ("10.30.1.22", bytes.fromhex("02100a1e0116"), 5000),
    ("10.30.50.5", bytes.fromhex("02100a1e3205"), 502),
]
OTHER_PORTS = [22, 80, 443, 445, 3389]
INSIDE_RANGES = [(0x0A1E4000, 0xC000), (0x0A144000, 0xC000)]  # 10.30.64.0+, 10.20.64.0+
OUTSIDE_BASE = 0x0B000000                                     # 11.0.0.0/8


def is_flood_source(ip):
    """Is the address (text) one this generator uses as a spoofed source?"""
    a = int(ipaddress.ip_address(ip)) if ip.count(".") == 3 else -1
    if a >> 24 == 0x0B:
        return True
    return any(base <= a < base + n for base, n in INSIDE_RANGES)


def source(i, n):
    """The i-th spoofed source (unique for i < n): every tenth from inside."""
    if i % 10 == 9 and i // 10 < sum(c for _, c in INSIDE_RANGES):
        k = (i // 10 * 40501) % (INSIDE_RANGES[0][1] + INSIDE_RANGES[1][1])
        for base, count in INSIDE_RANGES:
            if k < count:
                return base + k
            k -= count
    # odd multiplier: a bijection of 0..2^24-1, so every source differs
    return OUTSIDE_BASE + ((i * 2654435761) & 0xFFFFFF)


def syns_per_destination(n):
    """The truth of a flood of n sources: SYNs per destination address (text).
    flood_frames() sends source i to TARGETS[i % len(TARGETS)]."""
    return {ip: len(range(k, n, len(TARGETS))) for k, (ip, _, _) in enumerate(TARGETS)}


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def tcp_frame(src, dst, sport, dport, seq, ack, flags, ident, src_mac, dst_mac):
    # IPv4 header, checksum over its ten 16-bit words
    ip_words = (0x4500, 40, ident, 0x4000, 0x4006, 0, src >> 16, src & 0xFFFF, dst >> 16, dst & 0xFFFF)
    ip_sum = (~fold(sum(ip_words))) & 0xFFFF
    ip = struct.pack("!HHHHHHII", 0x4500, 40, ident, 0x4000, 0x4006, ip_sum, src, dst)
    # TCP header (window 64240, no options) with the pseudo-header sum
    off_flags = 0x5000 | flags
    tcp_words = (sport, dport, seq >> 16, seq & 0xFFFF, ack >> 16, ack & 0xFFFF, off_flags, 64240, 0, 0)
    pseudo = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + 20
    tcp_sum = (~fold(sum(tcp_words) + pseudo)) & 0xFFFF
    tcp = struct.pack("!HHIIHHHH", sport, dport, seq, ack, off_flags, 64240, tcp_sum, 0)
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


def flood_frames(i, n, prng, complete):
    """The frames of flood source i: a SYN, or a whole handshake."""
    src = source(i, n)
    dst_text, dst_mac, fab_port = TARGETS[i % len(TARGETS)]
    dst = int(ipaddress.ip_address(dst_text))
    r = prng(i)
    if i % 4 == 0:
        dport = OTHER_PORTS[(i // 4) % len(OTHER_PORTS)]
    elif i % 4 == 1:
        dport = 1024 + r % 60000
    else:
        dport = fab_port
    sport = 1024 + (r >> 16) % 64000
    seq = r & 0xFFFFFFFF
    ident = i & 0xFFFF
    syn = tcp_frame(src, dst, sport, dport, seq, 0, 0x02, ident, FLOOD_MAC, dst_mac)
    if not complete:
        return [syn]
    iss = prng(i + n) & 0xFFFFFFFF
    synack = tcp_frame(dst, src, dport, sport, iss, (seq + 1) & 0xFFFFFFFF, 0x12, ident, dst_mac,
                       FLOOD_MAC)
    ack = tcp_frame(src, dst, sport, dport, (seq + 1) & 0xFFFFFFFF, (iss + 1) & 0xFFFFFFFF, 0x10,
                    (ident + 1) & 0xFFFF, FLOOD_MAC, dst_mac)
    return [syn, synack, ack]


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"{path}: not a little-endian classic pcap")
    nano = magic == 0xA1B23C4D
    if struct.unpack("<I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: link type is not Ethernet")
    recs = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        usec = frac // 1000 if nano else frac
        recs.append((sec * 1000000 + usec, wirelen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return recs


def main():
    args = [a for a in sys.argv[1:] if a != "--complete"]
    complete = "--complete" in sys.argv[1:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    n = int(args[2]) if len(args) > 2 else 1000000
    fab = read_pcap(args[0])
    t0, t1 = fab[0][0], fab[-1][0]
    before = n * 9 // 10
    during = n - before

    def prng(i):  # a 32-bit mix of i: ports and sequence numbers
        x = (i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 29
        x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        return (x ^ (x >> 32)) & 0xFFFFFFFF

    def syn_at(i):
        if i < before:  # the minute before the fab traffic, evenly
            return t0 - 60000000 + i * 60000000 // max(before, 1)
        return t0 + (i - before) * max(t1 - t0, 1) // max(during, 1)

    out = open(args[1], "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    chunk = []
    fi = 0
    hdr = struct.Struct("<IIII")
    for i in range(n):
        ts = syn_at(i)
        while fi < len(fab) and fab[fi][0] <= ts:
            fts, wl, frame = fab[fi]
            chunk.append(hdr.pack(fts // 1000000, fts % 1000000, len(frame), wl) + frame)
            fi += 1
        for k, frame in enumerate(flood_frames(i, n, prng, complete)):
            t = ts + k  # a microsecond apart
            chunk.append(hdr.pack(t // 1000000, t % 1000000, 54, 54) + frame)
        if len(chunk) >= 65536:
            out.write(b"".join(chunk))
            chunk = []
    for fts, wl, frame in fab[fi:]:
        chunk.append(hdr.pack(fts // 1000000, fts % 1000000, len(frame), wl) + frame)
    out.write(b"".join(chunk))
    out.close()


if __name__ == "__main__":
    main()
