#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""fabmon's benchmark (not a timed test): the same capture through

  - a bare libpcap read loop (the floor: reading, nothing else),
  - fabmon (decode, flows, TCP reassembly, nDPI, dissectors, EVE output;
    an hsms record for every message that is not routine),
  - fabmon --hsms-records all (a record for every HSMS message),
  - fabmon --no-hsms-records (HSMS decoded, no per-message records),
  - fabmon --no-hsms (the same without HSMS/SECS-II decoding),
  - fabmon --no-alerts (no zone/conduit rule engine: what the rules cost),
  - fabmon + audit report (the report.html/json/csv written at the end of -r;
    every other fabmon row runs with --no-report),
  - fabmon + capture SHA-256 (the run record's hash of the capture, one more
    read of the file; every other fabmon row runs with --no-input-hash, so
    the rows compare the packet path),
  - ndpiReader (nDPI 4.2's own reader: decode, flows, nDPI),
  - tshark -z io,phs (Wireshark's full dissection, HSMS decoded on port
    5000, no output but the protocol hierarchy),

each run --runs times in rounds (every tool once a round: paired runs); the
median wall time is reported with packets per second, CPU time, peak RSS,
and the ratio to fabmon. Virtual CPUs need not be equal (on the development
VM one is 40% slower than the other): the benchmark first times fabmon on
each CPU, then runs every tool's packet thread on the fastest (fabmon with
--cpus, its second worker on the next; the others pinned whole), and says
what two workers could give on those two CPUs at best, and what a cache
line costs to move between them (bench/core_pingpong.c). --no-pin runs every
tool where the kernel puts it.

--profile flood (issue 17 item 4) measures memory under flow floods
instead: the demo capture with 1,000,000 handshakes that complete and go
quiet (a million concurrent TCP flows, --flows 1200000), and with 5,000,000
spoofed SYNs (default flow table); peak RSS, time, the flow table's
figures, and whether the demo's HSMS session inside the flood still gives
the records and alerts it gives alone.

With --instructions, every tool instead runs once under valgrind's
callgrind, which counts instructions: the same count on every run whatever
else the machine does (wall times on a shared VM vary by tens of percent).

--profile live (root) captures a fab capture live on a veth pair while
tcpreplay (one process or several) sends it, and reports the highest rate
with nothing lost (bench/live.py).

--profile fleet (issue 18) measures publishing to NATS JetStream against
nats-server processes started on loopback (bench/nats_fleet.py): one
sensor's records/s with acknowledgements, the cost of --publish on the
packet path (the benchmark capture, paired runs; sharing the cores with
nats-server, and with the capture thread on a core of its own), and
--sensors sensors of
--sensor-packets packets each publishing at once into the three-node
cluster of scripts/nats/ while `fabmon collect --follow` gathers them.

usage: bench/run.py [--packets N] [--runs R] [--capture FILE] [--builddir DIR] [--instructions]
                    [--no-pin]
       bench/run.py --profile flood [--builddir DIR]
       bench/run.py --profile live [--packets N] [--builddir DIR]
       bench/run.py --profile fleet [--packets N] [--runs R] [--sensors S] [--sensor-packets N]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def measure(cmd, cpu=None):
    """Run cmd (on CPU cpu alone, if given); return (wall seconds, cpu
    seconds, peak RSS MiB)."""
    t0 = time.perf_counter()
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu is not None else None
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=pin)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{cmd[0]} exited {code}: {err[-500:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def instructions(cmd):
    """Instructions executed by cmd, counted by callgrind."""
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                       capture_output=True, text=True)
    for line in p.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1])
    raise RuntimeError(f"callgrind gave no count for {cmd[0]}: {p.stderr[-300:]}")


def eve_figures(out):
    """What a flood must not take away: the hsms records, the alerts by
    (rule, source, destination) with their counts, and the flow table's
    final figures."""
    hsms, alerts, flow = 0, {}, {}
    with open(os.path.join(out, "eve.json"), encoding="utf-8") as f:
        for line in f:
            if '"event_type":"hsms"' in line:
                hsms += 1
            elif '"event_type":"alert"' in line:
                r = json.loads(line)
                k = (r["alert"].get("rule_id"), r.get("src_ip"), r.get("dest_ip"))
                alerts[k] = alerts.get(k, 0) + r["alert"].get("count", 1)
            elif '"event_type":"stats"' in line:
                flow = json.loads(line)["stats"]["flow"]
    return hsms, alerts, flow


def cpu_speeds(cmd, runs=3):
    """{cpu: median wall seconds} of cmd (fabmon's packet path) pinned to
    each CPU this process may use in turn, paired round by round. A VM's
    virtual CPUs need not be equal: on the development VM one ran fabmon
    0.62 s and the other 0.88 s (its host shares that core), so which CPU
    a tool lands on moved its time by 40%."""
    cpus = sorted(os.sched_getaffinity(0))
    times = {c: [] for c in cpus}
    for _ in range(runs):
        for c in cpus:
            times[c].append(measure(cmd + ["--cpus", str(c)])[0])
    return {c: statistics.median(t) for c, t in times.items()}


def packets(loop, cap):
    """The capture's packets, counted by the bare libpcap read loop."""
    return int(subprocess.run([loop, cap], capture_output=True, text=True, check=True)
               .stdout.split()[0])


def flood(fabmon, loop):
    """--profile flood: peak RSS and time of fabmon on the demo inside flow
    floods (tests/tools/gen_syn_flood.py), one run each."""
    demo = os.path.join(ROOT, "demo", "fab-demo.pcap")
    gen = os.path.join(ROOT, "tests", "tools", "gen_syn_flood.py")
    work = os.path.join(HERE, "work")
    os.makedirs(work, exist_ok=True)
    cases = [
        ("demo alone", demo, []),
        # a table that holds them all below its emergency mode (15/16 full)
        ("1M concurrent flows", os.path.join(work, "flood-1000000-complete.pcap"),
         ["--flows", "1200000"]),
        ("5M SYNs", os.path.join(work, "flood-5000000-syn.pcap"), []),
    ]
    for name, cap, _ in cases:
        if not os.path.exists(cap):
            n = "1000000" if "complete" in cap else "5000000"
            extra = ["--complete"] if "complete" in cap else []
            subprocess.run([sys.executable, gen, demo, cap, n] + extra, check=True)
    print(f"{'case':<22}{'packets':>10}{'wall s':>9}{'peak RSS MiB':>14}{'flows peak':>12}"
          f"{'evicted':>10}  demo's hsms records / alerts")
    base = None
    for name, cap, opts in cases:
        out = tempfile.mkdtemp(prefix="fabmon-bench-flood-")
        wall, _, rss = measure([fabmon, "-q", "-r", cap, "-o", out, "--no-report",
                                "--no-input-hash"] + opts)
        hsms, alerts, fl = eve_figures(out)
        shutil.rmtree(out, ignore_errors=True)
        if base is None:
            base = (hsms, alerts)
        # every alert of the demo alone, with its count (the flood adds its own)
        lost = [k for k, n in base[1].items() if alerts.get(k) != n]
        same = "all kept" if hsms == base[0] and not lost else \
            f"LOST: {base[0] - hsms} hsms records, alerts {lost}"
        npk = packets(loop, cap)
        print(f"{name:<22}{npk:>10}{wall:>9.2f}{rss:>14.1f}{fl.get('active_peak', 0):>12}"
              f"{fl.get('evicted', 0):>10}  {hsms} / {sum(base[1].values())} ({same})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--packets", type=int, default=500000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--capture")
    ap.add_argument("--builddir", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--instructions", action="store_true")
    ap.add_argument("--no-pin", action="store_true",
                    help="run every tool where the kernel puts it, instead of the packet thread "
                         "of each on the fastest CPU (and fabmon's second worker on the next)")
    ap.add_argument("--profile", choices=["fab", "modbus", "flood", "live", "fleet"],
                    default="fab",
                    help="fab: HSMS-heavy equipment network; modbus: PLC polling only; "
                         "flood: memory under a million concurrent flows and 5 million SYNs; "
                         "live: the highest rate captured live without loss (root); "
                         "fleet: publishing to NATS JetStream, one sensor and many")
    ap.add_argument("--sensors", type=int, default=20, help="fleet: sensors at once")
    ap.add_argument("--sensor-packets", type=int, default=20000,
                    help="fleet: packets of each sensor's capture")
    a = ap.parse_args()

    if not os.path.exists(os.path.join(a.builddir, "build.ninja")):
        subprocess.run(["meson", "setup", a.builddir, "--buildtype=release"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", a.builddir], check=True, stdout=subprocess.DEVNULL)
    fabmon = os.path.join(a.builddir, "fabmon")
    loop = os.path.join(a.builddir, "bench", "pcap-read-loop")
    if a.profile == "flood":
        flood(fabmon, loop)
        return
    if a.profile == "live":
        # a fab capture of --packets (200,000 unless given), sent by tcpreplay (bench/live.py)
        n = a.packets if a.packets != 500000 else 200000
        cap = a.capture or os.path.join(HERE, "work", f"fab-live-{n}.pcap")
        if not os.path.exists(cap):
            os.makedirs(os.path.dirname(cap), exist_ok=True)
            subprocess.run([sys.executable, os.path.join(HERE, "gen_fab_capture.py"), cap,
                            "--packets", str(n), "--profile", "fab"], check=True)
        import live  # bench/live.py
        live.main(fabmon, cap)
        return

    cap = a.capture
    if not cap:
        os.makedirs(os.path.join(HERE, "work"), exist_ok=True)
        kind = "fab" if a.profile == "fleet" else a.profile
        cap = os.path.join(HERE, "work", f"{kind}-bench-{a.packets}.pcap")
        if not os.path.exists(cap):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_fab_capture.py"), cap,
                            "--packets", str(a.packets), "--profile", kind], check=True)
    if a.profile == "fleet":
        # the benchmark capture for one sensor; small generated ones for the fleet
        import nats_fleet  # bench/nats_fleet.py
        nats_fleet.main(fabmon, os.path.join(a.builddir, "tests", "nats-stream-dump"), cap,
                        runs=a.runs, sensors=a.sensors, packets=a.sensor_packets)
        return
    npk = packets(loop, cap)

    out = tempfile.mkdtemp(prefix="fabmon-bench-")
    fm = [fabmon, "-q", "-r", cap, "-o", out, "--no-report", "--no-input-hash"]
    tools = [
        ("libpcap read loop", [loop, cap]),
        ("fabmon", fm),
        ("fabmon --hsms-records all", fm + ["--hsms-records", "all"]),
        ("fabmon --no-hsms-records", fm + ["--no-hsms-records"]),
        ("fabmon --no-hsms", fm + ["--no-hsms"]),
        ("fabmon --no-alerts", fm + ["--no-alerts"]),
        ("fabmon --workers 2", fm + ["--workers", "2"]),
        ("fabmon --modbus-records all", fm + ["--modbus-records", "all"]),
        ("fabmon --no-modbus-records", fm + ["--no-modbus-records"]),
        ("fabmon + audit report", [x for x in fm if x != "--no-report"]),
        ("fabmon + capture SHA-256", [x for x in fm if x != "--no-input-hash"]),
        # what a user runs: -r -o, the report and the capture's SHA-256
        ("fabmon defaults", fm[:6]),
        ("fabmon defaults --workers 2", fm[:6] + ["--workers", "2"]),
        ("ndpiReader", ["ndpiReader", "-q", "-i", cap]),
        ("tshark -z io,phs", ["tshark", "-n", "-q", "-r", cap, "-z", "io,phs",
                              "-d", "tcp.port==5000,hsms"]),
    ]
    if a.instructions:
        counts = {}
        for name, cmd in tools:
            if name.startswith("tshark"):
                continue  # minutes under valgrind; its wall time says enough
            if "--workers" in cmd:
                continue  # valgrind runs one thread at a time: waiting threads spin
            counts[name] = instructions(cmd)
        shutil.rmtree(out, ignore_errors=True)
        base = counts["fabmon"]
        print(f"capture: {cap} ({npk} packets), instructions counted by callgrind")
        print(f"{'tool':<26}{'instructions':>16}{'per packet':>12}{'vs fabmon':>11}")
        for name, n in counts.items():
            print(f"{name:<26}{n:>16}{n / npk:>12.0f}{n / base:>10.2f}x")
        off = counts["fabmon --no-hsms"]
        if a.profile == "fab":
            print(f"HSMS/SECS-II decoding: {counts['fabmon --no-hsms-records'] / off:.2f}x the instructions "
                  f"without it (target: within 2x); with the default records: {base / off:.2f}x; "
                  f"with a record for every message: {counts['fabmon --hsms-records all'] / off:.2f}x")
        print(f"ndpiReader needs {counts['ndpiReader'] / base:.2f}x fabmon's instructions")
        rules = base - counts["fabmon --no-alerts"]
        print(f"rule engine (zones, conduits, alerts): {100 * rules / base:.1f}% of fabmon's instructions "
              f"(target: below 20%)")
        print(f"audit report at the end of the run: "
              f"{100 * (counts['fabmon + audit report'] - base) / base:.1f}% more instructions")
        print(f"capture SHA-256: {100 * (counts['fabmon + capture SHA-256'] - base) / base:.1f}% more instructions "
              f"(valgrind hides the CPU's SHA extensions: natively far less, see the wall times)")
        return

    results = {}
    present = []
    for name, cmd in tools:
        if not shutil.which(cmd[0]) and not os.path.exists(cmd[0]):
            print(f"{name}: not installed, skipped")
            continue
        present.append((name, cmd))
    # Every tool's packet thread on the same, fastest CPU: fabmon's with
    # --cpus (its other threads stay free), the others' whole process; a
    # second fabmon worker on the next fastest.
    speeds = {} if a.no_pin else cpu_speeds(fm)
    fast = sorted(speeds, key=speeds.get)
    pinned = []
    for name, cmd in present:
        if not fast:
            pinned.append((name, cmd, None))
        elif cmd[0] == fabmon:
            two = "--workers" in cmd and cmd[cmd.index("--workers") + 1] == "2" and len(fast) > 1
            pinned.append((name, cmd + ["--cpus", ",".join(map(str, fast[:2] if two else fast[:1]))],
                           None))
        else:
            pinned.append((name, cmd, fast[0]))
    # paired runs: round after round, every tool once, so that a slow spell
    # of the machine weighs on every tool alike
    runs = {name: [] for name, _ in present}
    for _ in range(a.runs):
        for name, cmd, cpu in pinned:
            runs[name].append(measure(cmd, cpu))
    for name, _ in present:
        wall = statistics.median(r[0] for r in runs[name])
        cpu = statistics.median(r[1] for r in runs[name])
        rss = max(r[2] for r in runs[name])
        results[name] = (wall, cpu, rss)
    shutil.rmtree(out, ignore_errors=True)

    size = os.path.getsize(cap) / 1e6
    print(f"capture: {cap} ({npk} packets, {size:.1f} MB), median of {a.runs} runs, "
          f"{os.cpu_count()} CPUs")
    if speeds:
        f0 = speeds[fast[0]]
        print("CPUs, fabmon's packet path pinned to each (median of 3): " +
              ", ".join(f"CPU {c} {speeds[c]:.3f} s ({f0 / speeds[c]:.2f}x CPU {fast[0]}'s speed)"
                        for c in fast))
        print(f"every tool's packet thread ran on CPU {fast[0]}"
              + (f", fabmon's second worker on CPU {fast[1]}" if len(fast) > 1 else ""))
        if len(fast) > 1:
            r = f0 / speeds[fast[1]]
            print(f"two workers on CPUs {fast[0]} and {fast[1]} can give at most {1 + r:.2f}x the "
                  f"throughput of one on CPU {fast[0]} (each core's work in proportion to its "
                  f"speed), {2 * r:.2f}x with the flows shared out evenly (--workers shares them "
                  f"by address pair)")
            pp = os.path.join(a.builddir, "bench", "core-pingpong")
            rt = subprocess.run([pp, str(fast[0]), str(fast[1])], capture_output=True, text=True)
            if rt.returncode == 0:
                print(f"a cache line's round trip between CPUs {fast[0]} and {fast[1]}: "
                      f"{rt.stdout.strip()} ns (bench/core_pingpong.c; fabmon takes "
                      f"{1e9 * speeds[fast[0]] / npk:.0f} ns a frame on CPU {fast[0]}, and with "
                      f"two workers the turn moves such lines for most frames)")
    print(f"{'tool':<22}{'wall s':>9}{'cpu s':>9}{'kpkt/s':>10}{'peak RSS MiB':>14}"
          f"{'time vs fabmon':>16}")
    base = results.get("fabmon", (None,))[0]
    for name, (wall, cpu, rss) in results.items():
        ratio = f"{wall / base:.2f}x" if base else "-"
        print(f"{name:<22}{wall:>9.3f}{cpu:>9.3f}{npk / wall / 1000:>10.0f}{rss:>14.1f}{ratio:>16}")
    if "fabmon --no-hsms" in results and "fabmon --no-hsms-records" in results:
        off = results["fabmon --no-hsms"][0]
        dec = results["fabmon --no-hsms-records"][0]
        print(f"HSMS/SECS-II decoding (framing, SECS-II validation, GEM fields, transactions): "
              f"{dec / off:.2f}x fabmon's time without it (target: within 2x)")
        print(f"with the default 'hsms' records as well: {base / off:.2f}x")
        if "fabmon --hsms-records all" in results:
            print(f"with a record for every message: {results['fabmon --hsms-records all'][0] / off:.2f}x")
    if base and "fabmon --no-alerts" in results:
        print(f"rule engine (zones, conduits, alerts): "
              f"{100 * (base - results['fabmon --no-alerts'][0]) / base:.1f}% of fabmon's time "
              f"(target: below 20%)")
    if base and "fabmon + audit report" in results:
        print(f"audit report at the end of the run: "
              f"{100 * (results['fabmon + audit report'][0] - base) / base:.1f}% more time")
    if base and "fabmon + capture SHA-256" in results:
        print(f"capture SHA-256 for the run record: "
              f"{100 * (results['fabmon + capture SHA-256'][0] - base) / base:.1f}% more time")
    if base and "fabmon --workers 2" in results:
        print(f"two worker threads: {base / results['fabmon --workers 2'][0]:.2f}x the throughput of one "
              f"(target: 1.7x)")
    nd = results.get("ndpiReader")
    for name in ("fabmon defaults", "fabmon defaults --workers 2"):
        if nd and name in results:
            wall, cpu, rss = results[name]
            print(f"{name}: {wall / nd[0]:.2f}x ndpiReader's time (target: 1.0x with 2 workers), "
                  f"{cpu / nd[1]:.2f}x its CPU time (target: 2x), {rss / nd[2]:.2f}x its peak RSS "
                  f"(target: 1.0x)")
    if base and "ndpiReader" in results:
        verdict = "faster than" if base < results["ndpiReader"][0] else "SLOWER than"
        print(f"fabmon is {verdict} ndpiReader on this capture "
              f"({results['ndpiReader'][0] / base:.2f}x ndpiReader's time)")


if __name__ == "__main__":
    main()
