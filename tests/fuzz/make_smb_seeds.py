#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed the fuzz-smb corpus (run by hand; the seeds are committed): the
messages of tests/unit/test-smb.c — SMB1 session setups in their four forms
(Unicode and OEM), an SMB2 negotiate request and response, an SMB3
transform header, an NBSS keep-alive.

usage: make_smb_seeds.py OUTDIR
"""
import hashlib
import os
import struct
import sys


def nbss(body):
    return struct.pack(">I", len(body)) + body


def smb1_header(cmd, reply, wide):
    flags2 = 0x4801 | (0x8000 if wide else 0)
    return (b"\xffSMB" + bytes([cmd]) + b"\0\0\0\0" + bytes([0x98 if reply else 0x18])
            + struct.pack("<HH", flags2, 0) + b"\0" * 8 + struct.pack("<HHHHH", 0, 0xffff, 0xfeff, 0, 1))


def s(text, wide, at):
    """A NUL-terminated string at offset at (from the SMB header)."""
    if wide:
        pad = b"\0" if at % 2 else b""
        return pad + text.encode("utf-16-le") + b"\0\0"
    return text.encode() + b"\0"


def strings(start, items, wide):
    out = b""
    for t in items:
        out += s(t, wide, start + len(out))
    return out


def ssx(reply, wc, wide, blob=b"", pw=(b"", b""), names=()):
    h = smb1_header(0x73, reply, wide)
    if reply and wc == 3:
        words = b"\xff\0\0\0" + struct.pack("<H", 0)
    elif reply and wc == 4:
        words = b"\xff\0\0\0" + struct.pack("<HH", 0, len(blob))
    elif wc == 12:
        words = b"\xff\0\0\0" + struct.pack("<HHHIHII", 4356, 10, 0, 0, len(blob), 0, 0x800000d4)
    else:
        words = b"\xff\0\0\0" + struct.pack("<HHHIHHII", 4356, 10, 0, 0, len(pw[0]), len(pw[1]), 0, 0xd4)
    head = h + bytes([wc]) + words
    lead = blob + pw[0] + pw[1]
    tail = strings(len(head) + 2 + len(lead), names, wide)
    data = lead + tail
    return nbss(head + struct.pack("<H", len(data)) + data)


def smb2(cmd, reply, body):
    h = (b"\xfeSMB" + struct.pack("<HHIHHII", 64, 0, 0, cmd, 1, 1 if reply else 0, 0)
         + b"\0" * 40)
    return nbss(h + body)


seeds = [
    ssx(True, 4, True, blob=b"\xa1\x08\x30\x06\xa0\x04\x0a\x02\x00\x00",
        names=("Windows Server 2003 3790 Service Pack 2", "Windows Server 2003 5.2", "FAB")),
    ssx(True, 3, False, names=("Unix", "Samba 3.0.37", "WORKGROUP")),
    ssx(False, 13, True, pw=(bytes(range(0xa0, 0xb8)), b""),
        names=("operator", "FAB", "Windows 2000 2195", "Windows 2000 5.0")),
    ssx(False, 12, False, blob=b"NTLMS", names=("Windows 5.1", "Windows 2000 LAN Manager")),
    smb2(0, True, struct.pack("<HHHH", 65, 1, 0x0311, 0) + b"\0" * 56),
    smb2(0, False, struct.pack("<HHHHI", 36, 2, 1, 0, 0) + b"\0" * 16 + struct.pack("<HH", 0x0202, 0x0311)),
    nbss(b"\xfdSMB" + b"\x55" * 48),
    b"\x85\0\0\0",
]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for blob in seeds:
    with open(os.path.join(out, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)
print(f"{len(seeds)} seeds in {out}")
