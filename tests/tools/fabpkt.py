# SPDX-License-Identifier: BSD-2-Clause
"""Building blocks for fabmon's generated captures (scapy; /usr/bin/python3).

- Capture: a list of (time, frame) with a running clock.
- TcpSession: a TCP connection with correct sequence and acknowledgement
  numbers, handshake, data in either direction (optionally split into
  several segments), and teardown.
- HSMS (SEMI E37) frames and SECS-II (SEMI E5) items, Modbus/TCP ADUs.
Everything is deterministic: no randomness, no wall-clock time.
"""
import struct

from scapy.all import IP, TCP, UDP, ICMP, Ether, Dot1Q, Raw, wrpcap  # noqa: F401
from scapy.utils import PcapWriter

T0 = 1772438400.0  # 2026-03-02T08:00:00Z


def mac_of(ip):
    """A stable locally administered MAC per IPv4 address."""
    a = [int(x) for x in ip.split(".")]
    return "02:%02x:%02x:%02x:%02x:%02x" % (0x10, a[0], a[1], a[2], a[3])


class Capture:
    def __init__(self, t0=T0):
        self.t = t0
        self.frames = []

    def add(self, frame, dt=0.0005):
        self.t += dt
        frame.time = self.t
        self.frames.append(frame)
        return frame

    def advance(self, seconds):
        self.t += seconds

    def write(self, path, linktype=None):
        w = PcapWriter(path, sync=True, linktype=linktype) if linktype else PcapWriter(path, sync=True)
        for f in sorted(self.frames, key=lambda f: float(f.time)):
            w.write(f)
        w.close()


def l2(src, dst, vlan=None):
    e = Ether(src=mac_of(src), dst=mac_of(dst))
    if vlan is not None:
        return e / Dot1Q(vlan=vlan)
    return e


class TcpSession:
    """One TCP connection; client = the side that sends the SYN."""

    def __init__(self, cap, cli, cport, srv, sport, isn_c=1000, isn_s=5000, vlan=None):
        self.cap, self.cli, self.cport, self.srv, self.sport = cap, cli, cport, srv, sport
        self.seq = {True: isn_c, False: isn_s}
        self.vlan = vlan
        self.ipid = {True: 100, False: 200}
        self.pkts = {True: 0, False: 0}      # frames sent by the client / server

    def _pkt(self, from_client, flags, payload=b"", dt=0.0005, seq=None):
        src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        sp, dp = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        self.ipid[from_client] += 1
        self.pkts[from_client] += 1
        s = self.seq[from_client] if seq is None else seq
        ack = self.seq[not from_client] if "A" in flags else 0
        p = l2(src, dst, self.vlan) / IP(src=src, dst=dst, id=self.ipid[from_client], flags="DF") / \
            TCP(sport=sp, dport=dp, seq=s, ack=ack, flags=flags, window=64240)
        if payload:
            p = p / Raw(payload)
        return self.cap.add(p, dt)

    def open(self, dt=0.001):
        self._pkt(True, "S", dt=dt)
        self.seq[True] += 1
        self._pkt(False, "SA", dt=0.0003)
        self.seq[False] += 1
        self._pkt(True, "A", dt=0.0002)

    def send(self, from_client, data, segments=1, dt=0.001, ack=True):
        """Send data, split into `segments` TCP segments, then an ACK back."""
        n = len(data)
        step = (n + segments - 1) // segments
        first = True
        for off in range(0, n, step):
            chunk = data[off:off + step]
            self._pkt(from_client, "PA", chunk, dt=dt if first else 0.0001)
            self.seq[from_client] += len(chunk)
            first = False
        if ack:
            self._pkt(not from_client, "A", dt=0.0002)

    def close(self, dt=0.001):
        self._pkt(True, "FA", dt=dt)
        self.seq[True] += 1
        self._pkt(False, "FA", dt=0.0003)
        self.seq[False] += 1
        self._pkt(True, "A", dt=0.0002)


def udp_exchange(cap, cli, cport, srv, sport, req, resp, vlan=None, dt=0.001):
    cap.add(l2(cli, srv, vlan) / IP(src=cli, dst=srv) / UDP(sport=cport, dport=sport) / Raw(req), dt)
    if resp is not None:
        cap.add(l2(srv, cli, vlan) / IP(src=srv, dst=cli) / UDP(sport=sport, dport=cport) / Raw(resp), 0.0005)


# ---------------------------------------------------------------- SECS-II (E5)
# format codes (octal in the standard)
L, B, BOOLEAN, A, J, I8, I1, I2, I4, F8, F4, U8, U1, U2, U4 = (
    0o00, 0o10, 0o11, 0o20, 0o21, 0o30, 0o31, 0o32, 0o34, 0o40, 0o44, 0o50, 0o51, 0o52, 0o54)
_FMT = {I8: ">q", I1: ">b", I2: ">h", I4: ">i", F8: ">d", F4: ">f", U8: ">Q", U1: ">B", U2: ">H",
        U4: ">I"}


def item(fmt, value, nlen=None):
    """One SECS-II item. value: list of items for L, bytes/str for B/A/J,
    list of numbers (or one number) for the numeric formats."""
    if fmt == L:
        body = b"".join(value)
        length = len(value)
    elif fmt in (A, J):
        body = value.encode("latin-1") if isinstance(value, str) else value
        length = len(body)
    elif fmt in (B, BOOLEAN):
        body = bytes(value) if not isinstance(value, (bytes, bytearray)) else bytes(value)
        length = len(body)
    else:
        vals = value if isinstance(value, (list, tuple)) else [value]
        body = b"".join(struct.pack(_FMT[fmt], v) for v in vals)
        length = len(body)
    if nlen is None:
        nlen = 1 if length < 0x100 else 2 if length < 0x10000 else 3
    return bytes([(fmt << 2) | nlen]) + length.to_bytes(nlen, "big") + body


def lst(*items):
    return item(L, list(items))


def ascii_(s):
    return item(A, s)


def u4(*v):
    return item(U4, list(v))


def u1(*v):
    return item(U1, list(v))


def binary(*v):
    return item(B, bytes(v))


# ---------------------------------------------------------------- HSMS (E37)
STYPE = {"data": 0, "select.req": 1, "select.rsp": 2, "deselect.req": 3, "deselect.rsp": 4,
         "linktest.req": 5, "linktest.rsp": 6, "reject.req": 7, "separate.req": 9}


def hsms_data(stream, function, system, body=b"", wbit=False, session=0):
    hdr = struct.pack(">HBBBBI", session, (0x80 if wbit else 0) | stream, function, 0, 0, system)
    return struct.pack(">I", len(hdr) + len(body)) + hdr + body


def hsms_control(stype, system, status=0, session=0xFFFF, byte2=0):
    hdr = struct.pack(">HBBBBI", session, byte2, status, 0, STYPE[stype], system)
    return struct.pack(">I", len(hdr)) + hdr


# ---------------------------------------------------------------- Modbus/TCP
def mbap(tid, unit, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu
