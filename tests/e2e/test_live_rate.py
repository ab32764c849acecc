#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The highest replay rate fabmon sustains live with no loss, and live alerts
equal offline alerts at every rate it sustains.

A network namespace made for this test holds a veth pair (tx0 <-> rx0), as in
test_live.py. The replayed capture is a fab background (bench/gen_fab_capture.py
--profile fab, 50000 packets by default: HSMS and Modbus/TCP sessions, many of
which break the site policy) followed by the violations scenario of
tests/tools/gen_zone_scenario.py, its timestamps shifted to start 2 s after the
background ends. fabmon reads that capture offline once, then captures it live
on rx0 while tcpreplay sends it into tx0 at each rate in increasing order
(--pps=N, or --topspeed for "top"). Policy zones/examples/fab-site.yaml,
--stats-interval 1, and long flow timeouts (replaying compresses time, so no
flow may time out in one run and not in the other).

Alerts and capture time. The rule engine aggregates repeats of an alert
(same rule, hosts and message) for the policy's alert window (60 s) and lets at
most the policy's rate (100) of new records per rule and minute through; both
use packet timestamps. Offline these are the capture's own times; live they are
the times the packets arrived, i.e. the capture compressed (or stretched) by
the replay rate, so the *records* legitimately differ between the runs: a
window that held two hits offline may hold one live, a minute boundary may fall
elsewhere. What does not depend on time when nothing is rate-suppressed:
  - the hits: for each (rule, src_ip, dest_ip, dest_port, severity) the sum of
    alert.count over its records (first records count 1, the "repeat" record
    of a window counts the hits aggregated in it);
  - the set of distinct such tuples;
  - stats.alerts.by_rule (hits per rule, counted before aggregation).
So the sweep runs fabmon (offline and live alike) with --alert-rate 1000000
(nothing suppressed; the window stays the policy's: --alert-window takes 1 s at
least) and requires these three to be equal. Whether the alert records
themselves are identical is reported ("records" column), not required. One
more run, at the lowest rate with the policy's own window and rate limit, shows
how far the records of a default configuration differ (reported only).

Loss: fabmon's kernel drops (kernel_drops + kernel_ifdrops of the final stats
record) and packets that never reached the capture socket (the veth pair drops
when the receive backlog overflows; counted as tcpreplay's successful packets
minus fabmon's stats.capture.packets). A rate is sustained when both are zero
and the alerts are equal.

Where the output goes matters: every alerting flow makes fabmon create an
evidence pcap (about a thousand here), in the capture loop. On a disk file
system each create can take a millisecond or more when the disk is busy, and
the capture ring fills meanwhile; so the work files (captures, eve.json,
evidence) go to /dev/shm by default, which measures fabmon rather than the
disk. --tmpdir /tmp (or any disk) measures the deployment-like case.

Fails when fabmon exits non-zero in any run, when the lowest rate loses a
packet or its alerts differ, or when any rate loses nothing yet its alerts
differ (the same packets in the same order must give the same hits). Higher
rates that lose packets are reported, not failures (that depends on the
machine).

usage: test_live_rate.py FABMON SOURCE_ROOT [--rates 5000,20000,...,top]
                         [--packets N] [--buffer-mib MIB] [--live-arg ARG ...]
                         [--tmpdir DIR] [--no-defaults-run]
       (root: network namespaces)
"""
import argparse
import collections
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check, final_stats, read_eve, run  # noqa: E402

NS = f"fabmon-rate-{os.getpid()}"
TIMEOUTS = ["--timeout", "tcp-new=86400", "--timeout", "tcp-established=86400",
            "--timeout", "tcp-closed=86400", "--timeout", "udp=86400", "--timeout", "other=86400"]
NO_SUPPRESSION = ["--alert-rate", "1000000"]
DEFAULT_RATES = "5000,20000,50000,100000,200000,top"


# ---------------------------------------------------------------- namespace
def ns(*cmd, **kw):
    return run(["ip", "netns", "exec", NS] + list(cmd), **kw)


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


def dev_stat(dev, name):
    p = ns("cat", f"/sys/class/net/{dev}/statistics/{name}")
    try:
        return int(p.stdout)
    except ValueError:
        return 0


def veth_drops():
    return dev_stat("rx0", "rx_dropped") + dev_stat("tx0", "tx_dropped")


# ---------------------------------------------------------------- captures
def read_pcap(path):
    """(header fields, [(sec, usec, caplen, origlen, data)]) of a classic microsecond pcap."""
    with open(path, "rb") as f:
        buf = f.read()
    magic, vmaj, vmin, zone, sigfigs, snap, link = struct.unpack("<IHHiIII", buf[:24])
    if magic != 0xA1B2C3D4:
        raise RuntimeError(f"{path}: not a little-endian microsecond pcap")
    recs, off = [], 24
    while off + 16 <= len(buf):
        sec, usec, incl, orig = struct.unpack("<IIII", buf[off:off + 16])
        recs.append((sec, usec, incl, orig, buf[off + 16:off + 16 + incl]))
        off += 16 + incl
    return (snap, link), recs


def concat_shifted(first, second, out, gap=2.0):
    """OUT = FIRST, then SECOND with its timestamps moved to start GAP s after FIRST ends."""
    (snap1, link1), r1 = read_pcap(first)
    (snap2, link2), r2 = read_pcap(second)
    if link1 != link2:
        raise RuntimeError(f"link types differ: {link1} {link2}")
    end1 = r1[-1][0] * 1000000 + r1[-1][1]
    start2 = r2[0][0] * 1000000 + r2[0][1]
    shift = end1 + int(gap * 1e6) - start2
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, max(snap1, snap2), link1))
        for sec, usec, incl, orig, data in r1:
            f.write(struct.pack("<IIII", sec, usec, incl, orig) + data)
        for sec, usec, incl, orig, data in r2:
            t = sec * 1000000 + usec + shift
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, incl, orig) + data)
    return len(r1) + len(r2)


# ---------------------------------------------------------------- alerts
def alert_tuple(r):
    port = r.get("dest_port")
    return (r["alert"]["rule_id"], r.get("src_ip", ""), r.get("dest_ip", ""),
            -1 if port is None else port, r["alert"]["severity"])


def alert_facts(recs):
    """What the alerts of a run are compared by (see the module comment)."""
    alerts = [r for r in recs if r.get("event_type") == "alert"]
    hits = collections.Counter()
    for r in alerts:
        hits[alert_tuple(r)] += r["alert"].get("count", 1)
    st = final_stats(recs)
    return {
        "records": sorted(alert_tuple(r) + (bool(r["alert"].get("repeat")),) for r in alerts),
        "records_by_rule": collections.Counter(r["alert"]["rule_id"] for r in alerts),
        "hits": hits,
        "set": sorted(hits),
        "by_rule": st.get("alerts", {}).get("by_rule", {}),
        "suppressed": st.get("alerts", {}).get("suppressed", 0),
    }


def alerts_equal(got, want):
    return got["hits"] == want["hits"] and got["set"] == want["set"] and got["by_rule"] == want["by_rule"]


def describe_diff(got, want, limit=12):
    """Lines that say how the alerts of a live run differ from the offline ones."""
    lines = []
    if got["by_rule"] != want["by_rule"]:
        rules = sorted(set(got["by_rule"]) | set(want["by_rule"]))
        lines.append("hits per rule (live/offline): " + ", ".join(
            f"{r} {got['by_rule'].get(r, 0)}/{want['by_rule'].get(r, 0)}" for r in rules
            if got["by_rule"].get(r, 0) != want["by_rule"].get(r, 0)))
    diff = sorted(set(got["hits"]) | set(want["hits"]))
    diff = [k for k in diff if got["hits"].get(k, 0) != want["hits"].get(k, 0)]
    for k in diff[:limit]:
        lines.append(f"  {k}: live {got['hits'].get(k, 0)} hits, offline {want['hits'].get(k, 0)}")
    if len(diff) > limit:
        lines.append(f"  ... {len(diff) - limit} {'more ' if limit else ''}tuples differ in hits")
    return lines


def describe_record_diff(got, want):
    rules = sorted(set(got["records_by_rule"]) | set(want["records_by_rule"]))
    return [f"  {r}: live {got['records_by_rule'].get(r, 0)} records, "
            f"offline {want['records_by_rule'].get(r, 0)}"
            for r in rules if got["records_by_rule"].get(r, 0) != want["records_by_rule"].get(r, 0)]


# ---------------------------------------------------------------- runs
def offline(fabmon, capture, outdir, opts):
    p = run([fabmon, "-q", "-r", capture, "-o", outdir] + opts)
    return p.returncode, p.stderr, read_eve(os.path.join(outdir, "eve.json")) if p.returncode == 0 else []


def parse_tcpreplay(out):
    """Successful packets, failed packets, achieved pps, seconds from tcpreplay's summary."""
    res = {"sent": 0, "failed": 0, "pps": 0.0, "secs": 0.0}
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("Successful packets:"):
            res["sent"] = int(s.split(":")[1])
        elif s.startswith("Failed packets:"):
            res["failed"] = int(s.split(":")[1])
        elif s.startswith("Rated:"):
            for part in s[len("Rated:"):].split(","):
                if part.strip().endswith("pps"):
                    res["pps"] = float(part.split()[0])
        elif s.startswith("Actual:") and "sent in" in s:
            res["secs"] = float(s.split("sent in")[1].split()[0])
    return res


class EveFollower:
    """Reads the stats records appended to a live eve.json since the last call."""

    def __init__(self, path):
        self.path, self.off = path, 0

    def stats(self):
        out = []
        try:
            with open(self.path, "rb") as f:
                f.seek(self.off)
                data = f.read()
        except FileNotFoundError:
            return out
        end = data.rfind(b"\n")
        if end < 0:
            return out
        self.off += end + 1
        for line in data[:end].split(b"\n"):
            if b'"event_type":"stats"' in line:
                out.append(json.loads(line)["stats"])
        return out


def replay(capture, rate, senders):
    """tcpreplay CAPTURE into tx0 at RATE (pps or 'top'), from `senders`
    processes at once, each sending the whole capture at its share of the
    rate: tcpreplay's summary, the packets summed."""
    speed = ["--topspeed"] if rate == "top" else [f"--pps={int(rate) // senders}"]
    procs = [subprocess.Popen(["ip", "netns", "exec", NS, "tcpreplay", "-i", "tx0", *speed, capture],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(senders)]
    res = {"sent": 0, "failed": 0, "pps": 0.0, "secs": 0.0}
    for p in procs:
        out, err = p.communicate()
        if p.returncode:
            raise RuntimeError(f"tcpreplay failed: {err}")
        r = parse_tcpreplay(out)
        res["sent"] += r["sent"]
        res["failed"] += r["failed"]
        res["pps"] += r["pps"]
        res["secs"] = max(res["secs"], r["secs"])
    return res


def live(fabmon, capture, outdir, opts, rate, buffer_mib, extra=(), senders=1):
    """Capture on rx0 while CAPTURE is replayed into tx0 at RATE (pps or 'top')
    by `senders` tcpreplay processes."""
    os.makedirs(outdir)
    eve = os.path.join(outdir, "eve.json")
    cmd = ["ip", "netns", "exec", NS, fabmon, "-q", "-i", "rx0", "-o", outdir, "--stats-interval", "1"]
    if buffer_mib:
        cmd += ["-B", str(buffer_mib)]
    cmd += list(extra)
    proc = subprocess.Popen(cmd + opts, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    res = {"rate": rate, "rc": None, "err": "", "recs": []}
    try:
        follow = EveFollower(eve)
        # the capture is open once the first periodic stats record is written
        deadline = time.time() + 10
        while time.time() < deadline and proc.poll() is None and not follow.stats():
            time.sleep(0.05)
        if proc.poll() is not None:
            out, err = proc.communicate()
            res.update(rc=proc.returncode, err=err)
            return res
        vdrops0 = veth_drops()
        t0 = time.time()
        res.update(replay(capture, rate, senders))
        res["replay_wall"] = time.time() - t0
        # wait until fabmon has taken every packet sent, or its count stops moving
        seen, last_change = -1, time.time()
        deadline = time.time() + 30
        while time.time() < deadline and proc.poll() is None:
            for st in follow.stats():
                n = st["capture"]["packets"]
                if n != seen:
                    seen, last_change = n, time.time()
            if seen >= res["sent"] or time.time() - last_change > 3:
                break
            time.sleep(0.2)
        res["veth_drops"] = veth_drops() - vdrops0
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        raise
    res.update(rc=proc.returncode, err=err)
    if os.path.exists(eve):
        res["recs"] = read_eve(eve)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fabmon")
    ap.add_argument("source_root")
    ap.add_argument("--rates", default=DEFAULT_RATES,
                    help=f"replay rates in pps, increasing; 'top' for --topspeed (default {DEFAULT_RATES})")
    ap.add_argument("--packets", type=int, default=50000, help="background packets (default 50000)")
    ap.add_argument("--buffer-mib", type=int, default=0, help="fabmon -B for the live runs (default: fabmon's)")
    ap.add_argument("--live-arg", action="append", default=[], metavar="ARG",
                    help="extra fabmon argument for the live runs only, e.g. --live-arg=-s --live-arg=2048")
    ap.add_argument("--tmpdir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                    help="where the work files go (default /dev/shm: tmpfs)")
    ap.add_argument("--no-defaults-run", action="store_true",
                    help="skip the informational run with the policy's alert window and rate limit")
    a = ap.parse_args()
    rates = [x.strip() for x in a.rates.split(",") if x.strip()]
    for x in rates:
        if x != "top" and not x.isdigit():
            ap.error(f"bad rate {x!r}")

    if os.geteuid() != 0:
        print("test_live_rate.py needs root for network namespaces")
        return 1
    for tool in ("tcpreplay", "ip"):
        if not shutil.which(tool):
            print(f"{tool} is not installed")
            return 1
    root = os.path.abspath(a.source_root)
    policy = os.path.join(root, "zones", "examples", "fab-site.yaml")
    c = Check("live-rate")
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="fabmon-rate-", dir=a.tmpdir)
    try:
        # a private copy: the build tree's binary may be relinked while this runs
        fabmon = os.path.join(tmp, "fabmon")
        shutil.copy2(a.fabmon, fabmon)

        caps = os.path.join(tmp, "caps")
        for cmd in ([sys.executable, os.path.join(root, "tests", "tools", "gen_zone_scenario.py"), caps],
                    [sys.executable, os.path.join(root, "bench", "gen_fab_capture.py"),
                     os.path.join(caps, "background.pcap"), "--packets", str(a.packets), "--profile", "fab"]):
            p = run(cmd)
            if p.returncode:
                print(f"FAIL: {' '.join(cmd)}: {p.stderr}")
                return 1
        capture = os.path.join(tmp, "replay.pcap")
        npkts = concat_shifted(os.path.join(caps, "background.pcap"),
                               os.path.join(caps, "fab-violations.pcap"), capture)
        print(f"capture: {npkts} packets (background {a.packets} requested + fab-violations)")

        base = ["-c", policy] + TIMEOUTS
        strict = base + NO_SUPPRESSION
        rc, err, recs = offline(fabmon, capture, os.path.join(tmp, "offline"), strict)
        c.eq("offline exit", rc, 0)
        if rc:
            print(err)
            return c.done()
        want = alert_facts(recs)
        c.eq("offline: packets read", final_stats(recs)["capture"]["packets"], npkts)
        c.eq("offline: nothing rate-suppressed", want["suppressed"], 0)
        c.true("offline: alerts raised", len(want["records"]) > 0)
        print(f"offline: {len(want['records'])} alert records, {sum(want['hits'].values())} hits, "
              f"{len(want['set'])} distinct (rule, src, dst, dport, severity)")

        setup()
        results = []
        for i, rate in enumerate(rates):
            res = live(fabmon, capture, os.path.join(tmp, f"live-{rate}"), strict, rate,
                       a.buffer_mib, a.live_arg)
            results.append(res)
            label = f"rate {rate}"
            c.eq(f"{label}: fabmon exit", res["rc"], 0)
            if res["rc"] != 0 or not res["recs"]:
                print(f"{label}: fabmon exited {res['rc']}: {res['err'].strip()[-500:]}")
                res["ok"] = False
                continue
            st = final_stats(res["recs"])["capture"]
            res["fab_pkts"] = st["packets"]
            res["kernel_pkts"] = st.get("kernel_packets", 0)
            res["drops"] = st.get("kernel_drops", 0) + st.get("kernel_ifdrops", 0)
            res["missing"] = res["sent"] - st["packets"]
            got = alert_facts(res["recs"])
            res["alerts_eq"] = alerts_equal(got, want)
            res["records_eq"] = got["records"] == want["records"]
            res["ok"] = res["drops"] == 0 and res["missing"] == 0 and res["failed"] == 0 and res["alerts_eq"]
            res["got"] = got
            res["recs"] = None
            shutil.rmtree(os.path.join(tmp, f"live-{rate}"), ignore_errors=True)
            if i == 0:
                c.eq(f"{label}: tcpreplay sent every packet", (res["sent"], res["failed"]), (npkts, 0))
                c.eq(f"{label}: kernel drops", res["drops"], 0)
                c.eq(f"{label}: packets fabmon counted", res["fab_pkts"], res["sent"])
                c.eq(f"{label}: nothing rate-suppressed", got["suppressed"], 0)
                c.eq(f"{label}: hits per rule (stats.alerts.by_rule)", got["by_rule"], want["by_rule"])
                c.eq(f"{label}: distinct alert tuples", got["set"], want["set"])
                c.true(f"{label}: hits per alert tuple", got["hits"] == want["hits"],
                       "\n" + "\n".join(describe_diff(got, want)))
            if res["rc"] == 0 and not res["alerts_eq"] and res["drops"] == 0 and res["missing"] == 0:
                # no packet lost, yet different alerts: that is a finding at any rate
                c.true(f"{label}: alerts equal without any loss", False,
                       "\n" + "\n".join(describe_diff(got, want)))

        defaults = None
        if not a.no_defaults_run and rates:
            rc, err, orecs = offline(fabmon, capture, os.path.join(tmp, "offline-defaults"), base)
            c.eq("offline (policy defaults) exit", rc, 0)
            res = live(fabmon, capture, os.path.join(tmp, "live-defaults"), base, rates[0],
                       a.buffer_mib, a.live_arg)
            c.eq(f"rate {rates[0]} (policy defaults): fabmon exit", res["rc"], 0)
            if rc == 0 and res["rc"] == 0 and res["recs"]:
                st = final_stats(res["recs"])["capture"]
                res["loss"] = (st.get("kernel_drops", 0) + st.get("kernel_ifdrops", 0),
                               res["sent"] - st["packets"])
                defaults = (alert_facts(res["recs"]), alert_facts(orecs), res)

        # ---------------------------------------------------------------- report
        print()
        hdr = (f"{'rate':>8} {'sent':>7} {'failed':>6} {'fabmon':>7} {'kernel':>7} {'drops':>6} "
               f"{'veth':>5} {'missing':>7} {'achieved pps':>12} {'alerts=':>7} {'records=':>8}  ok")
        print(hdr)
        print("-" * len(hdr))
        best = None
        for res in results:
            if res["rc"] != 0 or "fab_pkts" not in res:
                print(f"{res['rate']:>8}  fabmon exit {res['rc']}")
                continue
            yn = lambda b: "yes" if b else "no"  # noqa: E731
            print(f"{res['rate']:>8} {res['sent']:>7} {res['failed']:>6} {res['fab_pkts']:>7} "
                  f"{res['kernel_pkts']:>7} {res['drops']:>6} {res['veth_drops']:>5} {res['missing']:>7} "
                  f"{res['pps']:>12.0f} {yn(res['alerts_eq']):>7} {yn(res['records_eq']):>8}  {yn(res['ok'])}")
        for res in results:
            if res.get("ok"):
                best = res
            else:
                break
        print()
        print("columns: sent/failed = tcpreplay's successful/failed packets; fabmon = stats.capture.packets;")
        print("kernel = kernel_packets; drops = kernel_drops + kernel_ifdrops; veth = packets the veth pair")
        print("dropped (rx0 rx_dropped + tx0 tx_dropped); missing = sent - fabmon; alerts= hits per tuple,")
        print("distinct tuples and hits per rule equal offline; records= alert records identical to offline")
        if best:
            r = best["rate"]
            print(f"highest sustained rate (no loss, alerts equal, every lower rate too): "
                  f"{'topspeed' if r == 'top' else r + ' pps'} (achieved {best['pps']:.0f} pps)")
        else:
            print("highest sustained rate: none (the lowest rate already lost packets or alerts differ)")
        for res in results:
            if "got" in res and not res["alerts_eq"]:
                lossy = res["drops"] or res["missing"]
                print(f"rate {res['rate']}: alerts differ from offline"
                      f"{' (packets were lost)' if lossy else ''}:")
                for line in describe_diff(res["got"], want, limit=0 if lossy else 12):
                    print("  " + line)
        for res in results:
            if "got" in res and res["alerts_eq"] and not res["records_eq"]:
                print(f"rate {res['rate']}: same hits, different alert records (aggregation windows follow "
                      f"packet times, which the replay compresses):")
                for line in describe_record_diff(res["got"], want):
                    print("  " + line)
        if defaults:
            got, owant, res = defaults
            print()
            print(f"policy defaults (alert window 60 s, at most 100 new records per rule and minute), "
                  f"rate {res['rate']}, informational:")
            print(f"  live run: kernel drops {res['loss'][0]}, packets missing {res['loss'][1]}")
            print(f"  offline: {len(owant['records'])} records, {owant['suppressed']} hits suppressed; "
                  f"live: {len(got['records'])} records, {got['suppressed']} hits suppressed; "
                  f"records identical: {'yes' if got['records'] == owant['records'] else 'no'}")
            for line in describe_record_diff(got, owant):
                print("  " + line)
            missing = sorted(set(owant["set"]) - set(got["set"]))
            extra = sorted(set(got["set"]) - set(owant["set"]))
            for k in missing[:10]:
                print(f"  only offline: {k}")
            for k in extra[:10]:
                print(f"  only live:    {k}")
        print(f"work files in {a.tmpdir or tempfile.gettempdir()}; runtime {time.time() - t_start:.1f} s")
    finally:
        teardown()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
