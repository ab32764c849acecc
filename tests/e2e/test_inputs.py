#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Captures from anywhere (issue 13): standard input (pcap, pcapng, gzip),
gzip/zstd/xz files and directories, each giving the same records as the
plain file read with -r FILE; a truncated .gz/.zst and a corrupt .xz: exit 4,
a message naming the file and how far it got, and the records of the packets
before it; a pcapng whose interfaces have different link types, written here
and recorded by dumpcap on an Ethernet veth and on 'any' in network
namespaces this test creates, read as the same packets split per interface
by tshark.

usage: test_inputs.py FABMON SOURCE_ROOT GEN_CAPTURES_DIR   (root for dumpcap)
"""
import collections
import gzip
import hashlib
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from fabmon_test_util import Check, final_stats, flows, read_eve, run

FABMON, ROOT, GEN = sys.argv[1], sys.argv[2], sys.argv[3]
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")
c = Check("inputs")
tmp = tempfile.mkdtemp(prefix="fabmon-inputs-")
PID = os.getpid()


def t(name):
    return os.path.join(tmp, name)


def sh(cmd):
    """A shell pipeline (stdin variants); returns the CompletedProcess."""
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True)


def norm(records, keep_stats=True):
    """Records that must not depend on how the capture reached fabmon: no run
    record (its inputs name the file), no pcap_filename, no wall-clock uptime,
    no stats.evidence.read_back (true only for a plain file: its evidence is
    read back from it; the evidence files themselves are the same, which
    test_evidence.py checks)."""
    out = []
    for r in records:
        if r.get("event_type") == "run":
            continue
        if r.get("event_type") == "stats":
            if not keep_stats:
                continue
            r = json.loads(json.dumps(r))
            r["stats"].pop("uptime", None)
            r["stats"].get("evidence", {}).pop("read_back", None)
        r = {k: v for k, v in r.items() if k != "pcap_filename"}
        out.append(json.dumps(r, sort_keys=True))
    return out


def fabmon_read(args, out, stdin_cmd=None):
    argv = [FABMON] + args + ["-o", t(out), "--no-report"]
    if stdin_cmd:
        return sh(stdin_cmd + " | " + " ".join(argv))
    return run(argv)


def pcap_records(path):
    """(header, [record bytes]) of a little-endian classic pcap."""
    d = open(path, "rb").read()
    off, recs = 24, []
    while off < len(d):
        incl = struct.unpack("<I", d[off + 8:off + 12])[0]
        recs.append(d[off:off + 16 + incl])
        off += 16 + incl
    return d[:24], recs


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- the plain file, then every way of handing it over ----
p = fabmon_read(["-r", DEMO], "base")
c.eq("plain: exit", p.returncode, 0)
base = read_eve(t("base/eve.json"))
want = norm(base)
c.true("plain: flows", len(flows(base)) > 10, str(len(flows(base))))

shutil.copy(DEMO, t("demo.pcap"))
subprocess.run(["editcap", "-F", "pcapng", DEMO, t("demo.pcapng")], check=True)
for codec, tool in (("gz", "gzip"), ("zst", "zstd -q"), ("xz", "xz")):
    subprocess.run(["sh", "-c", f"{tool} -c {t('demo.pcap')} > {t('demo.pcap.' + codec)}"], check=True)
subprocess.run(["sh", "-c", f"zstd -q -c {t('demo.pcapng')} > {t('demo.pcapng.zst')}"], check=True)

variants = [
    ("gzip file", ["-r", t("demo.pcap.gz")], None, t("demo.pcap.gz")),
    ("zstd file", ["-r", t("demo.pcap.zst")], None, t("demo.pcap.zst")),
    ("xz file", ["-r", t("demo.pcap.xz")], None, t("demo.pcap.xz")),
    ("pcapng file", ["-r", t("demo.pcapng")], None, t("demo.pcapng")),
    ("zstd pcapng file", ["-r", t("demo.pcapng.zst")], None, t("demo.pcapng.zst")),
    ("stdin pcap", ["-r", "-"], f"cat {DEMO}", "-"),
    ("stdin pcapng", ["-r", "-"], f"cat {t('demo.pcapng')}", "-"),
    ("stdin zcat", ["-r", "-"], f"zcat {t('demo.pcap.gz')}", "-"),
    ("stdin gzip", ["-r", "-"], f"cat {t('demo.pcap.gz')}", "-"),
    ("stdin xz pcapng", ["-r", "-"], f"xz -c {t('demo.pcapng')}", "-"),
]
for i, (name, args, stdin_cmd, shown) in enumerate(variants):
    p = fabmon_read(args, f"v{i}", stdin_cmd)
    c.eq(f"{name}: exit", p.returncode, 0)
    if p.returncode != 0:
        print(p.stderr)
        continue
    recs = read_eve(t(f"v{i}/eve.json"))
    got = norm(recs)
    c.eq(f"{name}: records equal the plain file's", got == want, True)
    if got != want:
        diff = [x for x in got if x not in want][:2]
        print(f"{name}: first differing records: {diff}")
    inputs = recs[0]["run"]["inputs"]
    if shown == "-":
        c.eq(f"{name}: run record names stdin, not hashed", inputs,
             [{"file": "-", "sha256": None, "not_hashed": "not a regular file"}])
    else:
        c.eq(f"{name}: run record hashes the file as stored",
             (inputs[0]["file"], inputs[0]["sha256"]), (shown, sha256(shown)))

# generated captures (other link types, fragments, reassembly), each compressed
gen_names = ["link-sll.pcap", "link-sll2.pcap", "link-raw.pcap", "link-null.pcap",
             "link-ether.pcapng", "ipv4-frag.pcap", "ipv6-frag.pcap", "tcp-reassembly.pcap",
             "vlan-qinq.pcap", "snaplen-64.pcap"]
codecs = [("gz", "gzip"), ("zst", "zstd -q"), ("xz", "xz")]
for i, n in enumerate(gen_names):
    src = os.path.join(GEN, n)
    ext, tool = codecs[i % 3]
    comp = t(f"{n}.{ext}")
    subprocess.run(["sh", "-c", f"{tool} -c {src} > {comp}"], check=True)
    fabmon_read(["-r", src], f"g{i}")
    p = fabmon_read(["-r", comp], f"gz{i}")
    c.eq(f"{n}.{ext}: exit", p.returncode, 0)
    c.eq(f"{n}.{ext}: records equal the plain file's",
         norm(read_eve(t(f"gz{i}/eve.json"))) == norm(read_eve(t(f"g{i}/eve.json"))), True)
    p = fabmon_read(["-r", "-"], f"gs{i}", f"cat {comp}")
    c.eq(f"{n}.{ext} on stdin: records equal the plain file's",
         norm(read_eve(t(f"gs{i}/eve.json"))) == norm(read_eve(t(f"g{i}/eve.json"))), True)

# stdin once, beside a file; twice is a usage error
p = fabmon_read(["-r", "-", "-r", os.path.join(GEN, "link-sll.pcap")], "mix1", f"cat {DEMO}")
c.eq("stdin and a file: exit", p.returncode, 0)
recs = read_eve(t("mix1/eve.json"))
c.eq("stdin and a file: files read", final_stats(recs)["capture"]["files_read"], 2)
c.eq("stdin and a file: run inputs", [x["file"] for x in recs[0]["run"]["inputs"]],
     ["-", os.path.join(GEN, "link-sll.pcap")])
p = sh(f"cat {DEMO} | {FABMON} -r - -r -")
c.eq("stdin twice: exit", p.returncode, 2)
c.true("stdin twice: message", "only once" in p.stderr, p.stderr)
p = sh(f"echo 'not a capture' | {FABMON} -r -")
c.eq("stdin text: exit", p.returncode, 3)
c.true("stdin text: message", "standard input is not a pcap or pcapng capture" in p.stderr, p.stderr)

# a directory: compressed captures picked up, in time order; text skipped
os.makedirs(t("dir"))
shutil.copy(t("demo.pcap.xz"), t("dir/b-demo.pcap.xz"))
shutil.copy(t("link-sll.pcap.gz"), t("dir/a-sll.pcap.gz"))
subprocess.run(["sh", "-c", f"echo hello | gzip > {t('dir/notes.txt.gz')}"], check=True)
p = run([FABMON, "-v", "-r", t("dir"), "-o", t("dirout"), "--no-report"])
c.eq("directory: exit", p.returncode, 0)
c.true("directory: gzip of text skipped by name", "notes.txt.gz" in p.stderr, p.stderr)
st = final_stats(read_eve(t("dirout/eve.json")))
c.eq("directory: files read", st["capture"]["files_read"], 2)
c.eq("directory: files skipped", st["capture"]["files_skipped"], 1)
first = {}
for name, opener in (("b-demo.pcap.xz", lzma.open), ("a-sll.pcap.gz", gzip.open)):
    with opener(t("dir/" + name), "rb") as f:
        first[name] = struct.unpack("<II", f.read(32)[24:32])
order = [l for l in p.stderr.splitlines() if "reading '" in l]
want_order = sorted(first, key=lambda n: (first[n], n))  # same time: by name
c.true("directory: read in order of first packet",
       len(order) == 2 and want_order[0] in order[0] and want_order[1] in order[1], str(order))

# ---- truncated and corrupt compressed captures ----
# a capture big enough for zstd to emit several blocks: the demo packets
# 20 times, an hour apart (every flow ends between repetitions)
hdr, recs = pcap_records(DEMO)
with open(t("big.pcap"), "wb") as f:
    f.write(hdr)
    for rep in range(20):
        for r in recs:
            sec = struct.unpack("<I", r[:4])[0] + 3600 * rep
            f.write(struct.pack("<I", sec) + r[4:])
all_recs = [struct.pack("<I", struct.unpack("<I", r[:4])[0] + 3600 * rep) + r[4:]
            for rep in range(20) for r in recs]

for ext, tool in (("gz", "gzip"), ("zst", "zstd -q")):
    subprocess.run(["sh", "-c", f"{tool} -c {t('big.pcap')} > {t('big.pcap.' + ext)}"], check=True)
    data = open(t(f"big.pcap.{ext}"), "rb").read()
    cut = t(f"cut.pcap.{ext}")
    keep = len(data) * 9 // 10  # zstd blocks hold 128 KiB: cut inside the last ones
    with open(cut, "wb") as f:
        f.write(data[:keep])
    p = fabmon_read(["-r", cut], f"cut-{ext}")
    codec = {"gz": "gzip", "zst": "zstd"}[ext]
    c.eq(f"truncated .{ext}: exit", p.returncode, 4)
    m = re.search(r"damaged after packet (\d+) \(near byte (\d+) of the decompressed capture, "
                  r"(\d+) bytes of the (\w+) file read\)", p.stderr)
    c.true(f"truncated .{ext}: message names file, packet, bytes",
           m is not None and f"cut.pcap.{ext}" in p.stderr and
           f"the {codec} stream is truncated" in p.stderr, p.stderr)
    if not m:
        continue
    n = int(m.group(1))
    c.eq(f"truncated .{ext}: compressed bytes read", int(m.group(3)), keep)
    c.true(f"truncated .{ext}: packets before the cut", 0 < n < len(all_recs), str(n))
    c.eq(f"truncated .{ext}: near byte = where packet {n + 1} starts", int(m.group(2)),
         24 + sum(len(r) for r in all_recs[:n]))
    recs_cut = read_eve(t(f"cut-{ext}/eve.json"))
    st = final_stats(recs_cut)
    c.eq(f"truncated .{ext}: packets processed", st["capture"]["packets"], n)
    c.eq(f"truncated .{ext}: damaged file counted", st["capture"]["files_damaged"], 1)
    # the records of exactly those packets, as a plain file
    with open(t(f"prefix-{ext}.pcap"), "wb") as f:
        f.write(hdr + b"".join(all_recs[:n]))
    fabmon_read(["-r", t(f"prefix-{ext}.pcap")], f"prefix-{ext}")
    c.eq(f"truncated .{ext}: records equal those of the first {n} packets",
         norm(recs_cut, keep_stats=False) ==
         norm(read_eve(t(f"prefix-{ext}/eve.json")), keep_stats=False), True)

# corrupt xz: a byte of its index flipped; every packet was read first
subprocess.run(["sh", "-c", f"xz -c {t('big.pcap')} > {t('big.pcap.xz')}"], check=True)
data = bytearray(open(t("big.pcap.xz"), "rb").read())
data[-20] ^= 0xFF
open(t("bad.pcap.xz"), "wb").write(data)
p = fabmon_read(["-r", t("bad.pcap.xz")], "bad-xz")
c.eq("corrupt .xz: exit", p.returncode, 4)
c.true("corrupt .xz: message", "bad.pcap.xz" in p.stderr and "the xz data is corrupt" in p.stderr and
       f"after packet {len(all_recs)}" in p.stderr, p.stderr)
fabmon_read(["-r", t("big.pcap")], "big")
c.eq("corrupt .xz: records of every packet",
     norm(read_eve(t("bad-xz/eve.json")), False) == norm(read_eve(t("big/eve.json")), False), True)
# corrupt xz header: nothing readable, exit 3
data = bytearray(open(t("big.pcap.xz"), "rb").read())
data[8] ^= 0xFF
open(t("badhdr.pcap.xz"), "wb").write(data)
p = fabmon_read(["-r", t("badhdr.pcap.xz")], "badhdr-xz")
c.eq("corrupt .xz header: exit", p.returncode, 3)
c.true("corrupt .xz header: message", "badhdr.pcap.xz" in p.stderr and "xz" in p.stderr, p.stderr)


# ---- mixed link types ----
def idb_linktypes(path):
    """Link types of a little-endian pcapng's interfaces, in order."""
    d, off, out = open(path, "rb").read(), 0, []
    while off + 12 <= len(d):
        bt, bl = struct.unpack("<II", d[off:off + 8])
        if bt == 1:
            out.append(struct.unpack("<H", d[off + 8:off + 10])[0])
        off += bl
    return out


def tshark_split(mixed, n_if):
    parts = []
    for i in range(n_if):
        part = t(f"{os.path.basename(mixed)}.if{i}.pcapng")
        subprocess.run(["tshark", "-r", mixed, "-Y", f"frame.interface_id=={i}", "-w", part],
                       capture_output=True, check=True)
        parts.append(part)
    return parts


def tshark_count(path, flt=None):
    cmd = ["tshark", "-r", path, "-T", "fields", "-e", "frame.number"] + (["-Y", flt] if flt else [])
    return len(subprocess.run(cmd, capture_output=True, text=True).stdout.split())


def records_by_kind(records):
    """Flow and application records as multisets, without their policy
    verdicts: those, alerts, assets and stats depend on what else a run saw
    (zone roles are inferred from all the traffic)."""
    keep = ("flow", "hsms", "modbus", "dns", "smb")
    return collections.Counter(x for x in norm([{k: v for k, v in r.items() if k != "policy"}
                                                for r in records if r.get("event_type") in keep]))


def check_mixed(label, mixed, n_if):
    parts = tshark_split(mixed, n_if)
    total = tshark_count(mixed)
    c.eq(f"{label}: tshark's per-interface counts add up",
         sum(tshark_count(p) for p in parts), total)
    p = fabmon_read(["-r", mixed], f"{label}-mixed")
    c.eq(f"{label}: exit", p.returncode, 0)
    c.true(f"{label}: no damage reported", "damaged" not in p.stderr, p.stderr)
    mixed_recs = read_eve(t(f"{label}-mixed/eve.json"))
    c.eq(f"{label}: every packet read (tshark's count)",
         final_stats(mixed_recs)["capture"]["packets"], total)
    c.eq(f"{label}: no unsupported link", final_stats(mixed_recs)["decoder"]["unsupported_link"], 0)
    union = collections.Counter()
    for i, part in enumerate(parts):
        fabmon_read(["-r", part], f"{label}-part{i}")
        union += records_by_kind(read_eve(t(f"{label}-part{i}/eve.json")))
    got = records_by_kind(mixed_recs)
    c.eq(f"{label}: flow and application records equal the per-interface files'", got == union, True)
    if got != union:
        print(f"{label}: only in mixed: {list((got - union).elements())[:2]}")
        print(f"{label}: only in parts: {list((union - got).elements())[:2]}")
    return mixed_recs


# written here: the demo's HSMS packets on a Linux cooked interface, the rest
# on Ethernet (disjoint flows, so the split files hold whole flows)
def blk(bt, body):
    body += b"\0" * ((-len(body)) % 4)
    return struct.pack("<II", bt, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


ng = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ng += blk(1, struct.pack("<HHI", 1, 0, 262144))
ng += blk(1, struct.pack("<HHI", 113, 0, 262144) + struct.pack("<HHB3xI", 9, 1, 9, 0))
n_sll = 0
for r in recs:
    sec, usec, incl, orig = struct.unpack("<IIII", r[:16])
    frame = r[16:]
    ports = struct.unpack(">HH", frame[34:38]) if frame[12:14] == b"\x08\x00" and frame[23] == 6 else ()
    if 5000 in ports:
        n_sll += 1
        sll = struct.pack(">HHH8sH", 0, 1, 6, frame[6:12] + b"\0\0", struct.unpack(">H", frame[12:14])[0])
        frame, ts, iface = sll + frame[14:], sec * 10**9 + usec * 1000, 1
        orig += 2
    else:
        ts, iface = sec * 10**6 + usec, 0
    ng += blk(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(frame), orig) + frame)
open(t("written-mixed.pcapng"), "wb").write(ng)
c.eq("written mixed: interfaces Ethernet and Linux cooked", idb_linktypes(t("written-mixed.pcapng")), [1, 113])
c.true("written mixed: HSMS packets on the cooked interface", n_sll > 10, str(n_sll))
mixed_recs = check_mixed("written-mixed", t("written-mixed.pcapng"), 2)
c.eq("written mixed: as many flows as the demo", len(flows(mixed_recs)), len(flows(base)))
# -f compiled for each link type: tshark's count of the same filter
for flt, disp in (("udp port 53", "udp.port==53"), ("tcp port 5000", "tcp.port==5000")):
    p = fabmon_read(["-r", t("written-mixed.pcapng"), "-f", flt], "written-mixed-f")
    c.eq(f"written mixed -f '{flt}': packets = tshark's",
         final_stats(read_eve(t("written-mixed-f/eve.json")))["capture"]["packets"],
         tshark_count(t("written-mixed.pcapng"), disp))
# compressed and on stdin, the same
subprocess.run(["sh", "-c", f"zstd -q -c {t('written-mixed.pcapng')} > {t('written-mixed.pcapng.zst')}"], check=True)
p = fabmon_read(["-r", "-"], "written-mixed-stdin", f"cat {t('written-mixed.pcapng.zst')}")
c.eq("written mixed .zst on stdin: records equal",
     norm(read_eve(t("written-mixed-stdin/eve.json"))) == norm(mixed_recs), True)


# recorded by dumpcap: Ethernet veth and 'any' (Linux cooked) in one file
def dumpcap_mixed():
    if os.geteuid() != 0 or not shutil.which("dumpcap"):
        print("SKIP dumpcap recording: needs root and dumpcap")
        return None
    nsa, nsb = f"fm-in-a-{PID}", f"fm-in-b-{PID}"
    va, vb = f"fia{PID % 10000}", f"fib{PID % 10000}"
    try:
        for cmd in (["ip", "netns", "add", nsa], ["ip", "netns", "add", nsb],
                    ["ip", "link", "add", va, "netns", nsa, "type", "veth", "peer", "name", vb,
                     "netns", nsb],
                    ["ip", "-n", nsa, "addr", "add", "10.98.0.1/24", "dev", va],
                    ["ip", "-n", nsb, "addr", "add", "10.98.0.2/24", "dev", vb],
                    ["ip", "-n", nsa, "link", "set", va, "up"], ["ip", "-n", nsb, "link", "set", vb, "up"],
                    ["ip", "-n", nsa, "link", "set", "lo", "up"]):
            subprocess.run(cmd, check=True, capture_output=True)
        out = t("dumpcap-mixed.pcapng")
        dc = subprocess.Popen(["ip", "netns", "exec", nsa, "dumpcap", "-q", "-i", va, "-f", "udp port 9001",
                               "-i", "any", "-f", "udp port 9002", "-w", out],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        sender = ("import socket,time\n"
                  "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                  "for i in range(15):\n"
                  "    s.sendto(b'to-veth-%d' % i, ('10.98.0.1', 9001))\n"
                  "    s.sendto(b'to-any-%d-' % i + b'x' * i, ('10.98.0.1', 9002))\n"
                  "    time.sleep(0.02)\n")
        subprocess.run(["ip", "netns", "exec", nsb, "/usr/bin/python3", "-c", sender], check=True)
        time.sleep(1.0)
        dc.terminate()
        dc.wait(timeout=20)
        return out
    finally:
        subprocess.run(["ip", "netns", "del", nsa], capture_output=True)
        subprocess.run(["ip", "netns", "del", nsb], capture_output=True)


rec = dumpcap_mixed()
if rec:
    lts = idb_linktypes(rec)
    c.true("dumpcap: an Ethernet and a Linux cooked interface", len(lts) == 2 and lts[0] == 1 and
           lts[1] in (113, 276), str(lts))
    c.eq("dumpcap: tshark sees the 15 + 15 datagrams",
         (tshark_count(rec, "udp.dstport==9001"), tshark_count(rec, "udp.dstport==9002")), (15, 15))
    recs_d = check_mixed("dumpcap", rec, 2)
    by_port = {f.get("dest_port"): f["flow"]["pkts_toserver"] for f in flows(recs_d)}
    c.eq("dumpcap: a flow per port, every datagram in it", (by_port.get(9001), by_port.get(9002)), (15, 15))

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(c.done())
