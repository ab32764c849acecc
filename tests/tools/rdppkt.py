# SPDX-License-Identifier: BSD-2-Clause
"""RDP connection setup messages for fabmon's tests (the fuzz seeds, the e2e
rdp test): TPKT (RFC 1006) around an X.224 Connection Request or Confirm
(ISO 8073) with the RDP security negotiation of MS-RDPBCGR 2.2.1.1 and
2.2.1.2. Deterministic bytes, no scapy needed."""
import struct

PROTOCOL_RDP, PROTOCOL_SSL, PROTOCOL_HYBRID, PROTOCOL_RDSTLS, PROTOCOL_HYBRID_EX = 0, 1, 2, 4, 8


def _tpkt_x224(code, rest):
    tpdu = bytes([6 + len(rest), code]) + b"\0\0\0\0\0" + rest
    return struct.pack(">BBH", 3, 0, 4 + len(tpdu)) + tpdu


def connection_request(cookie="operator", requested=None):
    """X.224 CR with a cookie and, unless requested is None, RDP_NEG_REQ."""
    rest = f"Cookie: mstshash={cookie}\r\n".encode() if cookie else b""
    if requested is not None:
        rest += struct.pack("<BBHI", 1, 0, 8, requested)
    return _tpkt_x224(0xE0, rest)


def connection_confirm(selected=None, flags=0x1f):
    """X.224 CC with RDP_NEG_RSP choosing selected; None: a bare Confirm
    (a server that knows no negotiation: standard RDP security)."""
    rest = b"" if selected is None else struct.pack("<BBHI", 2, flags, 8, selected)
    return _tpkt_x224(0xD0, rest)


def negotiation_failure(code):
    return _tpkt_x224(0xD0, struct.pack("<BBHI", 3, 0, 8, code))
