#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed the fuzz corpora from the test captures (run by campaign.sh; the
seeds go to the campaign's build directory, not into git).

usage: seed_captures.py OUTDIR MAX_LEN CAPTURE...

  decode/         each packet, behind the link-type selector byte
  pipeline/, eve-output/, learn-yaml/
                  runs of consecutive packets joined by the frame separator
                  (frames.h), each input at most MAX_LEN bytes
  capture/, evidence-pcap/
                  the first packets of each capture as a pcap of at most
                  MAX_LEN bytes, and the same cut inside its last record
Classic pcap only (what the test captures are); others are skipped.
"""
import hashlib
import os
import struct
import sys

SEP = b"\x01\xd5\xca\x7a"
SELECTOR = {1: 0, 113: 1, 276: 2, 101: 3, 12: 3, 0: 4, 108: 5}
PER_CAPTURE = 64   # inputs of each kind at most, per capture


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    pkts, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        if off + 16 + incl > len(data):
            break
        pkts.append((data[off:off + 16], data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return data[:24], linktype, pkts


def save(out, target, blob):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


def main():
    out, max_len, caps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    for cap in caps:
        r = read_pcap(cap)
        if not r:
            print("%s: not a classic pcap, skipped" % cap, file=sys.stderr)
            continue
        hdr, lt, pkts = r
        sel = bytes([SELECTOR.get(lt, 0)])
        seen = set()
        for _, p in pkts:
            if p not in seen and len(seen) < PER_CAPTURE * 4:
                seen.add(p)
                save(out, "decode", sel + p[:max_len - 1])
        # runs of packets: start a new input when the next would not fit
        runs, cur = [], b""
        for _, p in pkts:
            frame = sel + p
            if len(frame) > max_len:
                continue
            if cur and len(cur) + 4 + len(frame) > max_len:
                runs.append(cur)
                cur = b""
            cur = cur + SEP + frame if cur else frame
        if cur:
            runs.append(cur)
        step = max(1, len(runs) // PER_CAPTURE)
        for blob in runs[::step][:PER_CAPTURE]:
            for t in ("pipeline", "eve-output", "learn-yaml"):
                save(out, t, blob)
        # the first packets as a small pcap, whole and cut
        blob = hdr
        for ph, p in pkts:
            if len(blob) + 16 + len(p) > max_len:
                break
            blob += ph + p
        for t in ("capture", "evidence-pcap"):
            save(out, t, blob)
            if len(blob) > 40:
                save(out, t, blob[:-7])


if __name__ == "__main__":
    main()
