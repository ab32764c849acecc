#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live capture equals offline reading of the same packets.

A network namespace made for this test holds a veth pair (tx0 <-> rx0);
fabmon captures on rx0 while tcpreplay sends a capture into tx0. Then fabmon
reads the same capture offline. Every flow must match: packets and bytes
each way, app_proto, nDPI label, Community ID, reassembled bytes and gaps.
Also checked: fabmon never transmits on the interface it listens on, the
kernel dropped nothing, SIGTERM flushes everything, and `-i any` (Linux
cooked capture) sees the same flows.

usage: test_live.py FABMON CAPTURE [CAPTURE...]   (root: network namespaces)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from fabmon_test_util import Check, final_stats, flow_facts, flow_key, flows, read_eve, run

FABMON = sys.argv[1]
CAPTURES = sys.argv[2:]
NS = f"fabmon-live-{os.getpid()}"
# long timeouts: replaying compresses capture time, so no flow may time out
# in one run and not in the other
TIMEOUTS = ["--timeout", "tcp-new=86400", "--timeout", "tcp-established=86400",
            "--timeout", "tcp-closed=86400", "--timeout", "udp=86400", "--timeout", "other=86400"]


def ns(*cmd, **kw):
    return run(["ip", "netns", "exec", NS] + list(cmd), **kw)


def tx_packets(dev):
    with open(f"/sys/class/net/{dev}/statistics/tx_packets") as f:
        return int(f.read())


def setup():
    for cmd in (["ip", "netns", "add", NS],
                ["ip", "-n", NS, "link", "add", "tx0", "type", "veth", "peer", "name", "rx0"]):
        p = run(cmd)
        if p.returncode:
            raise RuntimeError(f"{' '.join(cmd)}: {p.stderr}")
    # no IPv6 autoconfiguration or neighbour discovery noise on the pair
    ns("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
    ns("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
    for dev in ("tx0", "rx0", "lo"):
        run(["ip", "-n", NS, "link", "set", dev, "up"])


def teardown():
    run(["ip", "netns", "del", NS])


def capture_live(iface, capture, outdir, extra=(), pps=3000):
    proc = subprocess.Popen(["ip", "netns", "exec", NS, FABMON, "-i", iface, "-o", outdir,
                             "--stats-interval", "1"] + TIMEOUTS + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until the capture is open
    deadline = time.time() + 10
    while time.time() < deadline and not os.path.exists(os.path.join(outdir, "eve.json")):
        time.sleep(0.05)
    time.sleep(0.5)
    tx_before = int(ns("cat", f"/sys/class/net/{iface}/statistics/tx_packets").stdout or 0) \
        if iface != "any" else 0
    r = ns("tcpreplay", "-q", "-i", "tx0", f"--pps={pps}", capture)
    if r.returncode:
        raise RuntimeError(f"tcpreplay failed: {r.stderr}")
    time.sleep(1.5)
    tx_after = int(ns("cat", f"/sys/class/net/{iface}/statistics/tx_packets").stdout or 0) \
        if iface != "any" else 0
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, err, tx_after - tx_before


def app_facts(recs, kind):
    """What a record of kind says about the traffic, without times and ids."""
    drop = {"timestamp", "flow_id", "pcap_cnt", "host", "evidence", "first_seen", "last_seen",
            "ts", "time", "id", "messages", "flows", "in_iface", "pcap_filename",
            "latency_us"}

    def strip(x):
        if isinstance(x, str):  # "... 5.899 s after it was sent": replay time
            return re.sub(r"\d+\.\d+ s after", "<t> s after", x)
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in drop}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    return sorted(json.dumps(strip(r), sort_keys=True) for r in recs if r.get("event_type") == kind)


def check_live(c, name, outdir, cap, offline, offrecs, extra=(), pps=3000, says=None):
    """Capture cap live into outdir: the offline run's flows and records.
    Returns the packets fabmon counted."""
    rc, err, sent = capture_live("rx0", cap, outdir, extra, pps)
    c.eq(f"{name}: live exit", rc, 0, err[-400:])
    if says:
        c.true(f"{name}: says '{says}'", says in err, err[-400:])
    c.eq(f"{name}: fabmon transmitted nothing on rx0", sent, 0)
    recs = read_eve(f"{outdir}/eve.json")
    ended = any(r.get("event_type") == "stats" and r["stats"]["final"] for r in recs)
    c.true(f"{name}: a final stats record", ended, err[-600:])
    if not ended:
        return None
    st = final_stats(recs)
    c.eq(f"{name}: kernel drops (every socket)", st["capture"]["kernel_drops"], 0)
    c.true(f"{name}: periodic stats written (the workers paused for each)",
           any(r.get("event_type") == "stats" and not r["stats"]["final"] for r in recs))
    got = {flow_key(r): flow_facts(r) for r in flows(recs)}
    c.eq(f"{name}: flows (live vs offline)", sorted(got), sorted(offline))
    for k in sorted(offline):
        if k in got:
            c.eq(f"{name}: flow {k}", got[k], offline[k])
    for kind in ("alert", "hsms", "modbus", "asset"):
        c.eq(f"{name}: {kind} records (as a set, vs offline)",
             app_facts(recs, kind), app_facts(offrecs, kind))
    return st["capture"]["packets"]


def main():
    if os.geteuid() != 0:
        print("test_live.py needs root for network namespaces")
        return 1
    for tool in ("tcpreplay", "ip"):
        if not shutil.which(tool):
            print(f"{tool} is not installed")
            return 1
    c = Check("live")
    tmp = tempfile.mkdtemp(prefix="fabmon-live-")
    setup()
    try:
        for i, cap in enumerate(CAPTURES):
            name = os.path.basename(cap)
            off = os.path.join(tmp, f"off{i}")
            p = run([FABMON, "-q", "-r", cap, "-o", off] + TIMEOUTS)
            c.eq(f"{name}: offline exit", p.returncode, 0)
            offrecs = read_eve(f"{off}/eve.json")
            offline = {flow_key(r): flow_facts(r) for r in flows(offrecs)}
            c.true(f"{name}: at least one flow", len(offline) > 0)
            packets = check_live(c, name, os.path.join(tmp, f"live{i}"), cap, offline, offrecs)
            # two workers, each with an AF_PACKET socket of a PACKET_FANOUT
            # group: the same flows, alerts and application records. One
            # worker's frames may lag another's by a block timeout (10 ms):
            # what the rules infer across flows (an equipment's zone from
            # its HSMS session, used by a later RDP flow's check) needs the
            # frames that far apart, so this replay is slower (2 ms apart)
            wpackets = check_live(c, f"{name}: --workers 2", os.path.join(tmp, f"live{i}w2"), cap,
                                  offline, offrecs, ["--workers", "2"], pps=500,
                                  says="2 workers share 'rx0'")
            c.eq(f"{name}: --workers 2: packets", wpackets, packets)

        # -i any: Linux cooked capture sees each packet leave tx0 and enter rx0
        cap = CAPTURES[0]
        off = {flow_key(r): flow_facts(r)
               for r in flows(read_eve(os.path.join(tmp, "off0", "eve.json")))}
        anydir = os.path.join(tmp, "any")
        rc, err, _ = capture_live("any", cap, anydir)
        c.eq("any: exit", rc, 0)
        got = {flow_key(r): flow_facts(r) for r in flows(read_eve(f"{anydir}/eve.json"))}
        c.eq("any: same flows", sorted(got), sorted(off))
        for k in sorted(off):
            if k in got:
                c.eq(f"any: flow {k} packets twice (tx0 out, rx0 in)", got[k]["pkts"],
                     tuple(2 * x for x in off[k]["pkts"]))
                c.eq(f"any: flow {k} label", got[k]["ndpi"], off[k]["ndpi"])
    finally:
        teardown()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
