#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Seed the fuzz-rdp corpus (run by hand; the seeds are committed): RDP
Connection Requests with and without a negotiation, Confirms choosing
CredSSP, TLS and standard security, a bare Confirm and a negotiation
failure (tests/tools/rdppkt.py).

usage: make_rdp_seeds.py OUTDIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from seed_captures import save  # noqa: E402
import rdppkt as r  # noqa: E402

seeds = [
    r.connection_request("operator", r.PROTOCOL_SSL | r.PROTOCOL_HYBRID),
    r.connection_request("eng", None),
    r.connection_request(None, r.PROTOCOL_SSL | r.PROTOCOL_HYBRID | r.PROTOCOL_HYBRID_EX),
    r.connection_confirm(r.PROTOCOL_HYBRID),
    r.connection_confirm(r.PROTOCOL_SSL),
    r.connection_confirm(r.PROTOCOL_RDP),
    r.connection_confirm(None),
    r.negotiation_failure(5),
]
out = sys.argv[1]
for blob in seeds:
    save(out, "", blob)
print(f"{len(seeds)} seeds in {out}")
