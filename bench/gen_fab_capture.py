#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write a large, fab-like benchmark capture (classic pcap, Ethernet).

Mostly long-lived TCP sessions with small PDUs, as a fab's equipment network
carries: HSMS (SEMI E37) between equipment hosts and tools (linktests, S1F3
status polls, S6F11 event reports, and S7F3 recipe downloads of 20 kB over
many segments), Modbus/TCP polling of facility PLCs
(FC3 reads, some FC6/FC16 writes), plus DNS and NTP on UDP. Deterministic
for a given --seed. Packets are built with struct, not scapy, so half a
million packets take a few seconds.

With --profile modbus the sessions are all Modbus/TCP polling of PLCs
(facility systems: chillers, scrubbers, gas cabinets): 500 connections.

usage: gen_fab_capture.py OUT.pcap [--packets N] [--seed S] [--profile fab|modbus]
"""
import argparse
import random
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.n = 0
        self.t = 1772438400.0  # 2026-03-02T08:00:00Z

    def frame(self, src_mac, dst_mac, ip, dt):
        self.t += dt
        eth = dst_mac + src_mac + b"\x08\x00" + ip
        sec = int(self.t)
        usec = int(round((self.t - sec) * 1e6)) % 1000000
        self.f.write(struct.pack("<IIII", sec, usec, len(eth), len(eth)) + eth)
        self.n += 1


def ipv4(src, dst, proto, l4, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, 64, proto, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                       flags, 65535, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def mac(i):
    return bytes([0x02, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255])


class Session:
    """One TCP connection between a client and a server."""

    def __init__(self, w, cli, srv, cport, sport, rng):
        self.w, self.cli, self.srv, self.cport, self.sport = w, cli, srv, cport, sport
        self.cseq = rng.randrange(1 << 32)
        self.sseq = rng.randrange(1 << 32)
        self.ident = rng.randrange(1 << 16)
        self.cmac, self.smac = mac(cli[3] + 256 * cli[2]), mac(srv[3] + 256 * srv[2])

    def send(self, from_client, flags, payload=b"", dt=0.0002):
        self.ident += 1
        if from_client:
            seg = tcp(self.cport, self.sport, self.cseq, self.sseq, flags, payload)
            self.w.frame(self.cmac, self.smac, ipv4(self.cli, self.srv, 6, seg, self.ident), dt)
            self.cseq += len(payload) + (1 if flags & 0x03 else 0)
        else:
            seg = tcp(self.sport, self.cport, self.sseq, self.cseq, flags, payload)
            self.w.frame(self.smac, self.cmac, ipv4(self.srv, self.cli, 6, seg, self.ident), dt)
            self.sseq += len(payload) + (1 if flags & 0x03 else 0)

    def open(self):
        self.send(True, 0x02)
        self.send(False, 0x12)
        self.send(True, 0x10)

    def close(self):
        self.send(True, 0x11)
        self.send(False, 0x11)
        self.send(True, 0x10)


def hsms(stype, stream=0, function=0, wbit=False, system=1, body=b"", session=0):
    hdr = struct.pack("!HBBBBI", 0xFFFF if stype else session,
                      (0x80 if wbit else 0) | stream, function, 0, stype, system)
    return struct.pack("!I", len(hdr) + len(body)) + hdr + body


def secs_a(s):
    b = s.encode()
    return bytes([0x41, len(b)]) + b


def secs_u4(v):
    return b"\xb1\x04" + struct.pack("!I", v)


def secs_list(*items):
    return bytes([0x01, len(items)]) + b"".join(items)


def modbus(tid, unit, pdu):
    return struct.pack("!HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=500000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", choices=["fab", "modbus"], default="fab")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    w = Writer(a.out)

    hosts = [[10, 20, 1, 10 + i] for i in range(4)]            # equipment hosts (EAP)
    ntools, nplcs = (400, 100) if a.profile == "fab" else (0, 500)
    tools = [[10, 30, 1 + i // 200, i % 200 + 1] for i in range(ntools)]
    scada = [[10, 20, 2, 20 + i] for i in range(2)]
    plcs = [[10, 30, 50 + i // 200, 1 + i % 200] for i in range(nplcs)]
    dns = [10, 20, 0, 2]

    sessions = []
    for i, t in enumerate(tools):
        s = Session(w, hosts[i % 4], t, 40000 + i, 5000, rng)
        s.kind, s.system = "hsms", 1
        sessions.append(s)
    for i, p in enumerate(plcs):
        s = Session(w, scada[i % 2], p, 50000 + i, 502, rng)
        s.kind, s.tid = "modbus", 0
        sessions.append(s)
    for s in sessions:
        s.open()
        if s.kind == "hsms":
            s.send(True, 0x18, hsms(1, system=s.system))          # Select.req
            s.send(False, 0x18, hsms(2, system=s.system))         # Select.rsp
            s.system += 1

    budget = a.packets - w.n - 3 * len(sessions) - 200
    while budget > 0:
        s = rng.choice(sessions)
        r = rng.random()
        if s.kind == "hsms":
            if r < 0.45:   # S1F3 status poll and its S1F4
                s.send(True, 0x18, hsms(0, 1, 3, True, s.system, secs_list(secs_u4(1), secs_u4(2))))
                s.send(False, 0x18, hsms(0, 1, 4, False, s.system,
                                        secs_list(secs_u4(rng.randrange(1000)), secs_a("IDLE"))))
            elif r < 0.9:  # S6F11 event report and S6F12 ack
                s.send(False, 0x18, hsms(0, 6, 11, True, s.system,
                                        secs_list(secs_u4(s.system), secs_u4(rng.randrange(50)),
                                                  secs_list(secs_a("LOT-%05d" % rng.randrange(99999))))))
                s.send(True, 0x18, hsms(0, 6, 12, False, s.system, b"\x21\x01\x00"))
            elif r < 0.98:  # linktest
                s.send(True, 0x18, hsms(5, system=s.system))
                s.send(False, 0x18, hsms(6, system=s.system))
            else:          # recipe download: S7F3 with a 20 kB body over MSS-sized segments
                body = secs_list(secs_a("RCP-%04d" % rng.randrange(9999)),
                                 bytes([0x22]) + struct.pack("!H", 20000) + bytes(20000))
                msg = hsms(0, 7, 3, True, s.system, body)
                for off in range(0, len(msg), 1460):
                    s.send(True, 0x10 if off + 1460 < len(msg) else 0x18, msg[off:off + 1460], dt=0.00005)
                    budget -= 1
                s.send(False, 0x18, hsms(0, 7, 4, False, s.system, b"\x21\x01\x00"))
            s.send(True, 0x10, dt=0.0001)
            s.system += 1
            budget -= 3
        else:
            s.tid = (s.tid + 1) & 0xFFFF
            if r < 0.8:    # FC3 read 10 holding registers
                s.send(True, 0x18, modbus(s.tid, 1, struct.pack("!BHH", 3, 100, 10)))
                s.send(False, 0x18, modbus(s.tid, 1, bytes([3, 20]) + bytes(rng.randrange(256) for _ in range(20))))
            elif r < 0.95:  # FC6 write single register
                pdu = struct.pack("!BHH", 6, 200, rng.randrange(65536))
                s.send(True, 0x18, modbus(s.tid, 1, pdu))
                s.send(False, 0x18, modbus(s.tid, 1, pdu))
            else:          # FC16 write 4 registers
                s.send(True, 0x18, modbus(s.tid, 1, struct.pack("!BHHB", 16, 300, 4, 8) + bytes(8)))
                s.send(False, 0x18, modbus(s.tid, 1, struct.pack("!BHH", 16, 300, 4)))
            s.send(True, 0x10, dt=0.0001)
            budget -= 3
        if rng.random() < 0.01:  # DNS query and answer
            q = struct.pack("!HHHHHH", rng.randrange(65536), 0x0100, 1, 0, 0, 0) + b"\x03mes\x03fab\x05local\x00\x00\x01\x00\x01"
            h = rng.choice(hosts)
            sp = 30000 + rng.randrange(30000)
            w.frame(mac(1), mac(2), ipv4(h, dns, 17, udp(sp, 53, q), 1), 0.0001)
            w.frame(mac(2), mac(1), ipv4(dns, h, 17, udp(53, sp, q[:2] + b"\x81\x80" + q[4:]), 1), 0.0001)
            budget -= 2
    for s in sessions:
        if s.kind == "hsms":
            s.send(True, 0x18, hsms(9, system=s.system))  # Separate.req
        s.close()
    w.f.close()
    print(f"{a.out}: {w.n} packets, {len(sessions)} TCP sessions")


if __name__ == "__main__":
    main()
