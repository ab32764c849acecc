#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed the fuzz-smb corpus (run by hand; the seeds are committed): SMB1
session setups in their four forms (Unicode and OEM) and the negotiate
exchange, an SMB2 negotiate request and response, an SMB3 transform
header, an NBSS keep-alive (tests/tools/smbpkt.py).

usage: make_smb_seeds.py OUTDIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from seed_captures import save  # noqa: E402
import smbpkt as s  # noqa: E402

seeds = [
    s.smb1_session_setup(True, 4, True, ("Windows Server 2003 3790 Service Pack 2",
                                         "Windows Server 2003 5.2", "FAB"), blob=s.SPNEGO_ACCEPT),
    s.smb1_session_setup(True, 3, False, ("Unix", "Samba 3.0.37", "WORKGROUP")),
    s.smb1_session_setup(False, 13, True, ("operator", "FAB", "Windows 2000 2195", "Windows 2000 5.0"),
                         pw=(bytes(range(0xa0, 0xb8)), b"")),
    s.smb1_session_setup(False, 12, False, ("Windows 5.1", "Windows 2000 LAN Manager"), blob=b"NTLMS"),
    s.smb1_negotiate_request(),
    s.smb1_negotiate_response(1),
    s.smb2_negotiate_response(0x0311),
    s.smb2_negotiate_request(),
    s.smb3_transform(),
    s.NBSS_KEEPALIVE,
]
out = sys.argv[1]
for blob in seeds:
    save(out, "", blob)
print(f"{len(seeds)} seeds in {out}")
