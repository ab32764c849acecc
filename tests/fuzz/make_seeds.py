#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed the HSMS fuzz corpora from real traffic (run by hand; the seeds are
committed): every TCP payload of an HSMS capture becomes a segment of one
fuzz-hsms input (direction alternates as in the capture's order, best
effort), and every HSMS message body a fuzz-secs2 input.

usage: make_seeds.py CAPTURE PORT OUTDIR
"""
import hashlib
import os
import struct
import sys

from scapy.all import TCP, rdpcap

cap, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SEP = b"\x01\xd5\xca\x7a"
segs = []
streams = {0: b"", 1: b""}
for p in rdpcap(cap):
    if TCP not in p or not bytes(p[TCP].payload):
        continue
    d = 0 if p[TCP].dport == port else 1
    data = bytes(p[TCP].payload)
    segs.append((d, data))
    streams[d] += data


def save(sub, blob):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, sub, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


# fuzz-hsms: alternate directions; insert empty segments to keep order
blob = b""
want = 0
for d, data in segs:
    if d != want:
        blob += b"\x00" + SEP
        want ^= 1
    blob += b"\x00" + data[:4096] + SEP
    want ^= 1
save("hsms", blob[:65536])
# fuzz-secs2: message bodies with their S/F
for d in (0, 1):
    s = streams[d]
    i = 0
    while i + 14 <= len(s):
        n = struct.unpack(">I", s[i:i + 4])[0]
        if n < 10:
            break
        hdr = s[i + 4:i + 14]
        body = s[i + 14:i + 4 + n]
        if hdr[5] == 0 and len(body) < 2048:
            save("secs2", bytes([hdr[2] & 0x7F, hdr[3], 0xFF]) + body)
        i += 4 + n
