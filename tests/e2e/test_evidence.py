#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Evidence pcaps: each alert's file holds exactly the alerting flow's packets.

usage: test_evidence.py FABMON PCAP_READ_LOOP SOURCE_ROOT

The fab scenario with seven injected violations is read with the example
site policy. Every alert must name an evidence file; re-read with libpcap
(bench/pcap_read_loop.c) and with scapy, each file must hold the packets of
the alert's flow from the original capture, byte for byte and with their
timestamps, in order (the ring of 16 and the 32 after cover these short
flows whole), and the alert's packet range must lie inside the file. Then
the directory cap: evidence of an earlier run that pushes the directory
over --evidence-max-mb is deleted first and counted; and --evidence-packets
0 writes none.
"""
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve, final_stats  # noqa: E402
from scapy.all import IP, TCP, UDP, rdpcap, wrpcap  # noqa: E402

FABMON, LOOP, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")


def five_tuple(pkt):
    ip = pkt[IP]
    l4 = pkt[TCP] if TCP in pkt else pkt[UDP] if UDP in pkt else None
    ports = (l4.sport, l4.dport) if l4 is not None else (0, 0)
    a, b = (ip.src, ports[0]), (ip.dst, ports[1])
    return (ip.proto,) + tuple(sorted([a, b]))


def run(args):
    return subprocess.run([FABMON] + args, capture_output=True, text=True)


def main():
    c = Check("evidence")
    with tempfile.TemporaryDirectory(prefix="fabmon-evidence-") as tmp:
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/tools/gen_zone_scenario.py"), tmp],
                       check=True, capture_output=True)
        cap = os.path.join(tmp, "fab-violations.pcap")
        out = os.path.join(tmp, "out")
        old_umask = os.umask(0o022)   # a permissive umask: fabmon still keeps others out
        p = run(["-q", "-r", cap, "-o", out, "-c", SITE])
        os.umask(old_umask)
        c.eq("fabmon exit", p.returncode, 0)
        open_to_others = []
        for d, dirs, names in os.walk(out):
            for n in dirs + names:
                if os.stat(os.path.join(d, n)).st_mode & 0o007:
                    open_to_others.append(os.path.relpath(os.path.join(d, n), out))
        c.eq("no output file or directory is open to others (packets, recipes, topology)",
             open_to_others, [])
        c.true("outputs checked for their mode include evidence, the policy copy and the report",
               any(n.endswith(".pcap") for n in os.listdir(os.path.join(out, "evidence")))
               and any(n.startswith("policy-") for n in os.listdir(out))
               and os.path.exists(os.path.join(out, "report.html")))
        recs = read_eve(os.path.join(out, "eve.json"))
        alerts = [r for r in recs if r["event_type"] == "alert"]
        c.eq("alerts", len(alerts), 15)
        original = rdpcap(cap)
        by_flow = {}
        for pkt in original:
            by_flow.setdefault(five_tuple(pkt), []).append(pkt)
        files = set()
        for a in alerts:
            ev = a["alert"].get("evidence")
            what = f"{a['alert']['rule_id']} {a['src_ip']}->{a['dest_ip']}:{a['dest_port']}"
            c.true(f"{what}: has evidence", ev is not None)
            if not ev:
                continue
            path = os.path.join(out, ev["file"])
            c.true(f"{what}: file exists", os.path.exists(path), path)
            if not os.path.exists(path):
                continue
            files.add(ev["file"])
            n = int(subprocess.run([LOOP, path], capture_output=True, text=True, check=True).stdout.split()[0])
            got = rdpcap(path)
            c.eq(f"{what}: libpcap and scapy read the same packets", n, len(got))
            key = (6 if a["proto"] == "TCP" else 17, *sorted([(a["src_ip"], a["src_port"]),
                                                              (a["dest_ip"], a["dest_port"])]))
            want = by_flow.get(key, [])
            c.eq(f"{what}: the flow's packets", [bytes(x) for x in got], [bytes(x) for x in want])
            c.eq(f"{what}: their timestamps", [float(x.time) for x in got], [float(x.time) for x in want])
            c.true(f"{what}: packet range inside the file",
                   1 <= ev["first_packet"] <= ev["last_packet"] <= len(got), str(ev))
            # the alerting packet is the range's last: it belongs to the alert's time
            if ev["last_packet"] <= len(got):
                t = float(got[ev["last_packet"] - 1].time)
                c.true(f"{what}: last packet of the range is not after the alert",
                       t <= _ts(a["alert"]["first_seen"]) + 1e-6, f"{t} {a['alert']['first_seen']}")
        st = final_stats(recs)["evidence"]
        c.eq("a plain capture file: the packets read back (stats.evidence.read_back)", st["read_back"], True)
        c.eq("stats evidence.files", st["files"], len(files))
        c.eq("stats: every flow's packets written once", st["packets"],
             sum(len(rdpcap(os.path.join(out, f))) for f in files))
        c.eq("stats: nothing rotated", st["rotated_files"], 0)
        c.eq("stats: every alert has evidence", st["alerts_without_evidence"], 0)

        # an earlier run left 2 MB of evidence; the cap is 1 MB: it goes first
        out2 = os.path.join(tmp, "out2")
        os.makedirs(os.path.join(out2, "evidence"))
        old = os.path.join(out2, "evidence", "20200101T000000Z-flow1.pcap")
        with open(old, "wb") as f:
            f.write(b"\0" * (2 << 20))
        p = run(["-q", "-r", cap, "-o", out2, "-c", SITE, "--evidence-max-mb", "1"])
        c.eq("cap run exit", p.returncode, 0)
        c.true("old evidence deleted", not os.path.exists(old))
        st = final_stats(read_eve(os.path.join(out2, "eve.json")))["evidence"]
        c.eq("rotated_files", st["rotated_files"], 1)
        c.eq("rotated_bytes", st["rotated_bytes"], 2 << 20)
        c.eq("this run's files kept", len(os.listdir(os.path.join(out2, "evidence"))), len(files))

        # Read from plain files, the rings keep where each frame is and an
        # alert reads the frames back (evidence.c, "reread"); from a
        # compressed file or standard input they keep the bytes. Both must
        # write the same files, byte for byte: one input, the capture cut in
        # two files (flows whose packets are in both), and two workers.
        half = len(original) // 2
        parts = [os.path.join(tmp, "part1.pcap"), os.path.join(tmp, "part2.pcap")]
        wrpcap(parts[0], original[:half])
        wrpcap(parts[1], original[half:])
        for part in parts:
            with open(part, "rb") as src, gzip.open(part + ".gz", "wb") as dst:
                dst.write(src.read())
        with open(cap, "rb") as src, gzip.open(cap + ".gz", "wb") as dst:
            dst.write(src.read())
        want = evidence_files(out)
        cases = [
            ("gzip-compressed capture (bytes kept)", ["-r", cap + ".gz"], None),
            ("standard input (bytes kept)", ["-r", "-"], cap),
            ("two workers (frames read back)", ["-r", cap, "--workers", "2"], None),
        ]
        for what, args, stdin in cases:
            o = os.path.join(tmp, "same-" + str(len(os.listdir(tmp))))
            with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fin:
                p = subprocess.run([FABMON, "-q", "-o", o, "-c", SITE] + args, stdin=fin,
                                   capture_output=True)
            c.eq(f"{what}: exit", p.returncode, 0, p.stderr.decode()[-300:])
            c.eq(f"{what}: the same evidence files, byte for byte", evidence_files(o), want)
            st = final_stats(read_eve(os.path.join(o, "eve.json")))["evidence"]
            c.eq(f"{what}: stats.evidence.read_back", st["read_back"], "workers" in what)
        split = {}
        for what, args in [("two files (frames read back from both)", ["-r", parts[0], "-r", parts[1]]),
                           ("two compressed files (bytes kept)", ["-r", parts[0] + ".gz", "-r", parts[1] + ".gz"])]:
            o = os.path.join(tmp, "split-" + str(len(split)))
            p = run(["-q", "-o", o, "-c", SITE] + args)
            c.eq(f"{what}: exit", p.returncode, 0, p.stderr[-300:])
            split[what] = evidence_files(o)
            c.eq(f"{what}: stats.evidence.read_back", final_stats(read_eve(os.path.join(o, "eve.json")))
                 ["evidence"]["read_back"], "plain" in what or "read back" in what)
        a, b = split.values()
        c.true("two files: alerts with evidence", len(a) >= len(want) - 2, str(len(a)))
        c.eq("two files: plain and compressed give the same evidence", a, b)

        out3 = os.path.join(tmp, "out3")
        p = run(["-q", "-r", cap, "-o", out3, "-c", SITE, "--evidence-packets", "0"])
        recs = read_eve(os.path.join(out3, "eve.json"))
        c.true("--evidence-packets 0: no evidence field",
               all("evidence" not in r["alert"] for r in recs if r["event_type"] == "alert"))
        c.true("--evidence-packets 0: no directory", not os.path.exists(os.path.join(out3, "evidence")))
    return c.done()


def evidence_files(out):
    """Every evidence pcap of a run: name -> its size and SHA-256."""
    d = os.path.join(out, "evidence")
    if not os.path.isdir(d):
        return {}
    files = {}
    for n in sorted(os.listdir(d)):
        with open(os.path.join(d, n), "rb") as f:
            data = f.read()
        files[n] = f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"
    return files


def _ts(s):
    from datetime import datetime
    return datetime.fromisoformat(s).timestamp()


if __name__ == "__main__":
    sys.exit(main())
