#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/run.py --profile fleet (issue 18): what publishing to NATS
JetStream costs and how far it goes, on this machine, against real
nats-server processes on loopback (stores under /dev/shm).

1. One sensor's publishing rate. `fabmon -r CAPTURE --publish URL
   --hsms-records all` (a record for every HSMS message) against one
   nats-server with JetStream; the stream is polled with
   tests/e2e/nats_stream_dump.c (`nats-stream-dump URL FABMON info`, its
   "messages") from the run's start until it holds every record of the
   run's eve.json: records/s = records / those seconds (also after the
   first record was in: without connecting and making the stream). Each
   record waits for its acknowledgement (js_PublishMsg), one round trip
   each. With fabmon's CPU time and the nats-server's meanwhile (/proc).
2. The cost on the packet path. `fabmon -r CAPTURE --no-report
   --no-input-hash` (default records) with and without `--publish`, paired
   runs (one of each a round), median of --runs. Two times a run: until
   the capture was read (fabmon's "publish: waiting up to ... to
   acknowledge" line on stderr, said when the input is done and records
   are still unacknowledged; without it, the exit) and until exit (with
   --publish: after the last acknowledgement); plus CPU time (user +
   system, the publishing threads' included). The packet-path cost is the
   first; the issue's target is at most 10%. Twice: (a) everything
   sharing the machine's cores, the nats-server too; (b) as on a sensor
   whose server runs on a host of its own: fabmon's capture thread alone
   on CPU 0, its publishing threads (nats.c's included) and nats-server on
   CPU 1 (fabmon starts on CPU 1, so the threads it starts stay there,
   and its main thread is moved to CPU 0 once the publishing thread has
   started; the run without --publish is pinned the same way). (b) needs
   two CPUs.
3. A fab-sized simulation. A three-node cluster from the shipped
   scripts/nats/fab-nats-{1,2,3}.conf (moved to loopback ports and temp
   stores, as tests/e2e/test_publish_cluster.py does). First one sensor
   alone into it, measured as in 1 (3a: the stream has three replicas);
   then (3b) --sensors fabmon
   processes at once, each replaying its own generated capture
   (bench/gen_fab_capture.py --seed N) with --publish to all three URLs,
   --site fab1 --sensor-name sNN, while one `fabmon collect --follow`
   writes the fab-wide eve.json (started once the stream is there, given
   one URL: see fleet()). Reported: records in total, end to end
   records/s (first sensor start until the collector has written every
   record), the collector's lag behind the last sensor's exit, and the
   check that nothing was lost or doubled: per sensor, the collector's
   count equals the sensor's eve.json, and the multiset of records (each
   with its sensor as host, keys sorted) is the union of the sensors'.
   And the CPU time the three nats-server processes used meanwhile.

Every process started here is ended (SIGKILL for stragglers) and every
directory removed, also on Ctrl-C, SIGTERM or an error.
"""
import collections
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN = os.path.join(HERE, "gen_fab_capture.py")
CONF = [os.path.join(ROOT, "scripts", "nats", f"fab-nats-{i}.conf") for i in (1, 2, 3)]
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from fabmon_test_util import free_port, nats_node_conf, wait_port  # noqa: E402
PY = "/usr/bin/python3"
DRAIN = "3600"  # --publish-drain: a run ends when everything is acknowledged
POLL = 0.05     # seconds between looks at the stream / the collector's eve.json

PROCS = []      # every process started here, ended in cleanup()


# ---------------------------------------------------------------- processes

def spawn(cmd, **kw):
    """Popen, remembered for cleanup()."""
    p = subprocess.Popen(cmd, stdout=kw.pop("stdout", subprocess.DEVNULL),
                         stderr=kw.pop("stderr", subprocess.PIPE), **kw)
    PROCS.append(p)
    return p


def end(p, sig=signal.SIGTERM, timeout=30):
    """Stop p with sig, SIGKILL when it does not go in time."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def cleanup():
    """Every process started here ended: SIGTERM, SIGKILL after 5 s."""
    for p in PROCS:
        if p.poll() is None:
            p.terminate()
    for p in PROCS:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if p.stderr:
            p.stderr.close()
    PROCS.clear()


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def check_exit(p, what):
    if p.returncode != 0:
        err = p.stderr.read() if p.stderr and not p.stderr.closed else ""
        if isinstance(err, bytes):
            err = err.decode(errors="replace")
        raise RuntimeError(f"{what} exited {p.returncode}: {err[-400:]}")


# ---------------------------------------------------------------- NATS

class Stream:
    """The stream FABMON as nats-stream-dump sees it from one URL; servers:
    the pids of the nats-server processes behind it (for their CPU time)."""

    def __init__(self, dump, url, servers=()):
        self.dump, self.url, self.servers = dump, url, list(servers)

    def info(self):
        """(exit code, the info line as a dict or None)."""
        r = subprocess.run([self.dump, self.url, "FABMON", "info"], capture_output=True,
                           text=True, timeout=30)
        return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else None)

    def messages(self):
        rc, i = self.info()
        return i["messages"] if i else (0 if rc == 2 else -1)

    def delete(self):
        subprocess.run([self.dump, self.url, "FABMON", "delete"], capture_output=True, timeout=30)

    def wait_ready(self, timeout=60):
        """JetStream answers (the stream is there or 'not found', not an error)."""
        end_t = time.time() + timeout
        while time.time() < end_t:
            if self.info()[0] in (0, 2):
                return
            time.sleep(0.5)
        raise RuntimeError(f"JetStream at {self.url} does not answer")


def proc_cpu(pids):
    """CPU seconds (user + system) the processes pids have used so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def single_server(tmp):
    """One nats-server with JetStream on loopback; returns its URL and pid."""
    port = free_port()
    p = spawn(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port),
           "-sd", os.path.join(tmp, "store"), "-l", os.path.join(tmp, "nats.log")])
    wait_port(port, "nats-server")
    return f"nats://127.0.0.1:{port}", p.pid


def cluster(tmp):
    """The three shipped nodes on loopback; returns their URLs and pids."""
    ports = [free_port() for _ in range(3)]
    routes = [free_port() for _ in range(3)]
    pids = []
    for i in range(3):
        conf = nats_node_conf(CONF[i], i, tmp, ports, routes, "4GB")
        pids.append(spawn(["nats-server", "-c", conf, "-l",
                           os.path.join(tmp, f"node-{i + 1}.log")]).pid)
    for i, port in enumerate(ports):
        wait_port(port, f"nats node {i + 1}")
    return [f"nats://127.0.0.1:{p}" for p in ports], pids


# ---------------------------------------------------------------- fabmon runs

def lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def rusage_wait(p):
    """Wait for p; (exit time, CPU seconds)."""
    _, status, ru = os.wait4(p.pid, 0)
    t = time.time()
    p.returncode = os.waitstatus_to_exitcode(status)
    return t, ru.ru_utime + ru.ru_stime


def publish_rate(fabmon, stream, urls, cap, out):
    """Part 1: one sensor publishing to urls, into an empty stream: seconds
    from its start until the stream holds all of the run's records (polled);
    returns (records, seconds, seconds until exit, seconds until the first
    record was in the stream (connecting, making the stream), fabmon's CPU
    seconds, the nats-server processes' CPU seconds meanwhile)."""
    stream.delete()
    srv = proc_cpu(stream.servers)
    t0 = time.time()
    p = spawn([fabmon, "-q", "-r", cap, "-o", out, "--publish", ",".join(urls), "--hsms-records", "all",
               "--no-report", "--no-input-hash", "--publish-drain", DRAIN])
    seen = []  # (time, messages in the stream)
    while os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        seen.append((time.time(), stream.messages()))
        time.sleep(POLL)
    t_exit, cpu = rusage_wait(p)
    check_exit(p, "fabmon --publish")
    n = lines(os.path.join(out, "eve.json"))
    for _ in range(200):  # fabmon exits after the last acknowledgement: at once
        seen.append((time.time(), stream.messages()))
        if seen[-1][1] >= n:
            break
        time.sleep(POLL)
    t_all = next((t for t, m in seen if m >= n), None)
    if t_all is None:
        raise RuntimeError(f"the stream holds {seen[-1][1]} of the run's {n} records")
    t_first = next(t for t, m in seen if m > 0)
    return n, t_all - t0, t_exit - t0, t_first - t0, cpu, proc_cpu(stream.servers) - srv


def pin_threads(pid, cpus):
    """Every thread of process pid to cpus (a thread that is gone is skipped)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass


def timed_run(fabmon, stream, cap, out, extra, own_core):
    """Part 2, one run: (seconds until the capture was read, until exit,
    fabmon's CPU s, nats-server's CPU s meanwhile, records). own_core: the
    capture thread alone on CPU 0, the rest (fabmon's other threads,
    nats-server) on CPU 1."""
    for pid in stream.servers:
        pin_threads(pid, {1} if own_core else set(range(os.cpu_count())))
    srv = proc_cpu(stream.servers)
    t0 = time.time()
    p = spawn([fabmon, "-r", cap, "-o", out, "--no-report", "--no-input-hash"] + extra,
              stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
              preexec_fn=(lambda: os.sched_setaffinity(0, {1})) if own_core else None)
    if own_core:
        # threads started from here on inherit CPU 1: wait for the publishing one
        want = 2 if extra else 1
        while len(os.listdir(f"/proc/{p.pid}/task")) < want and p.poll() is None:
            time.sleep(0.0005)
        try:
            os.sched_setaffinity(p.pid, {0})
        except OSError:
            pass
    t_read, errors = None, []
    for line in p.stderr:
        if "publish: waiting up to" in line and t_read is None:
            t_read = time.time()
        elif "fabmon:" in line:
            errors.append(line)
    t_exit, cpu = rusage_wait(p)
    check_exit(p, "fabmon" + "".join(errors))
    eve = os.path.join(out, "eve.json")
    return ((t_read or t_exit) - t0, t_exit - t0, cpu, proc_cpu(stream.servers) - srv,
            lines(eve))


def packet_path(fabmon, stream, cap, work, runs):
    """Part 2: paired runs without and with --publish, sharing the cores and
    (two CPUs or more) with the capture thread on a core of its own;
    medians per variant."""
    variants = {("without --publish", False): [], ("with --publish", False): []}
    if os.cpu_count() >= 2:
        variants.update({("without --publish", True): [], ("with --publish", True): []})
    for r in range(runs):
        for k, ((name, own_core), res) in enumerate(variants.items()):
            out = os.path.join(work, f"pp-{r}-{k}")
            extra = []
            if name == "with --publish":
                stream.delete()
                extra = ["--publish", stream.url, "--publish-drain", DRAIN]
            res.append(timed_run(fabmon, stream, cap, out, extra, own_core))
            shutil.rmtree(out, ignore_errors=True)
    for pid in stream.servers:
        pin_threads(pid, set(range(os.cpu_count())))
    return {key: tuple(statistics.median(x[k] for x in res) for k in range(5))
            for key, res in variants.items()}


# ---------------------------------------------------------------- the fleet

class Collector:
    """`fabmon collect --follow` (started by start()) and the count of what
    it has written."""

    def __init__(self, fabmon, urls, out):
        self.cmd = [fabmon, "collect", ",".join(urls), "-o", out, "--follow", "-q"]
        self.eve = os.path.join(out, "eve.json")
        self.p, self.f, self.count = None, None, 0

    def start(self):
        self.p = spawn(self.cmd)

    def written(self):
        """Records written so far (lines), read on from where the last look ended."""
        if self.f is None:
            if not os.path.exists(self.eve):
                return 0
            self.f = open(self.eve, "rb")
        self.count += self.f.read().count(b"\n")
        return self.count

    def stop(self):
        if self.f:
            self.f.close()
        end(self.p)
        check_exit(self.p, "fabmon collect")


def gen_captures(work, sensors, packets):
    caps = []
    for i in range(1, sensors + 1):
        cap = os.path.join(work, f"s{i:02d}.pcap")
        subprocess.run([PY, GEN, cap, "--packets", str(packets), "--seed", str(i)], check=True,
                       stdout=subprocess.DEVNULL)
        caps.append(cap)
    return caps


def start_sensors(fabmon, urls, caps, work, records):
    """Every sensor at once: {name: (Popen, out dir)}."""
    extra = ["--hsms-records", "all"] if records == "all" else []
    sensors = {}
    for i, cap in enumerate(caps, 1):
        name, out = f"s{i:02d}", os.path.join(work, f"s{i:02d}")
        p = spawn([fabmon, "-q", "-r", cap, "-o", out, "--publish", ",".join(urls),
                   "--site", "fab1", "--sensor-name", name, "--no-report", "--no-input-hash",
                   "--publish-drain", DRAIN] + extra)
        sensors[name] = (p, out)
    return sensors


def follow(sensors, stream, col, timeout):
    """Until every sensor has exited and the collector has written all their
    records: (time of the last sensor's exit, time the collector had all,
    total records). The collector starts once the first sensor made the
    stream (collect needs it)."""
    exits, total, t_all = {}, None, None
    end_t = time.time() + timeout
    while time.time() < end_t:
        for name, (p, out) in sensors.items():
            if name not in exits and p.poll() is not None:
                exits[name] = time.time()
                check_exit(p, f"sensor {name}")
        if col.p is None and stream.info()[0] == 0:
            col.start()
        if col.p is not None and col.p.poll() is not None:
            check_exit(col.p, "fabmon collect")
            raise RuntimeError("fabmon collect --follow ended by itself")
        if total is None and len(exits) == len(sensors):
            total = sum(lines(os.path.join(out, "eve.json")) for _, out in sensors.values())
        if col.p is not None and total is not None and col.written() >= total:
            t_all = time.time()
            break
        time.sleep(POLL)
    if t_all is None:
        raise RuntimeError(f"the collector has {col.written()} of {total} records after {timeout} s")
    return max(exits.values()), t_all, total


def canon(rec, host):
    if "host" not in rec:
        rec["host"] = host
    return json.dumps(rec, sort_keys=True, separators=(",", ":"))


def verify(sensors, fab_eve):
    """Per sensor (its count in eve.json, in the collector's), and whether the
    collector's records are exactly the union of the sensors' (multiset)."""
    want, counts = collections.Counter(), {}
    for name, (_, out) in sensors.items():
        with open(os.path.join(out, "eve.json"), encoding="utf-8") as f:
            for line in f:
                want[canon(json.loads(line), name)] += 1
        counts[name] = [lines(os.path.join(out, "eve.json")), 0]
    got = collections.Counter()
    with open(fab_eve, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            counts.setdefault(rec.get("host"), [0, 0])[1] += 1
            got[canon(rec, None)] += 1
    return counts, got == want, sum((got - want).values()), sum((want - got).values())


def fleet(fabmon, dump, work, sensors, packets, records):
    """Part 3: the cluster, the sensors, the collector; a dict of figures."""
    urls, pids = cluster(work)
    stream = Stream(dump, urls[1], pids)
    for u in urls:
        Stream(dump, u).wait_ready()
    caps = gen_captures(work, sensors, packets)
    print_rate("3a. one sensor alone, the 3-node cluster (R3)", caps[0],
               *publish_rate(fabmon, stream, urls, caps[0], os.path.join(work, "alone")))
    shutil.rmtree(os.path.join(work, "alone"))
    stream.delete()
    # one URL: collect given the list (as README shows) cannot connect with
    # libnats 3.4 ("No server available for connection"; it passes the list
    # to natsOptions_SetURL, where the publisher uses natsOptions_SetServers)
    col = Collector(fabmon, urls[:1], os.path.join(work, "fab"))
    srv = proc_cpu(pids)
    t0 = time.time()
    running = start_sensors(fabmon, urls, caps, work, records)
    t_last_exit, t_all, total = follow(running, stream, col, timeout=1800)
    srv = proc_cpu(pids) - srv
    col.stop()
    counts, same, extra, missing = verify(running, col.eve)
    info = stream.info()[1] or {}
    return {"sensors": sensors, "packets": packets, "records": total,
            "stream": info.get("messages"), "replicas": info.get("replicas"),
            "seconds": t_all - t0, "nats_cpu": srv, "rate": total / (t_all - t0), "lag": t_all - t_last_exit,
            "last_exit": t_last_exit - t0, "counts": counts, "same": same,
            "extra": extra, "missing": missing}


# ---------------------------------------------------------------- report

def print_rate(what, cap, n, secs, exit_secs, first_secs, cpu, srv):
    print(f"{what}, --hsms-records all, {cap}")
    print(f"   {'records':>9}{'s to all in stream':>20}{'records/s':>11}{'s to exit':>11}"
          f"{'s to 1st':>10}{'records/s after 1st':>21}{'fabmon CPU s':>14}{'nats CPU s':>12}")
    print(f"   {n:>9}{secs:>20.2f}{n / secs:>11.0f}{exit_secs:>11.2f}{first_secs:>10.2f}"
          f"{n / (secs - first_secs):>21.0f}{cpu:>14.2f}{srv:>12.2f}", flush=True)


def print_packet_path(cap, runs, med):
    print(f"2. packet path, {cap}, default records, median of {runs} paired runs")
    print(f"   {'':<20}{'cores':<34}{'records':>9}{'s capture read':>16}{'s to exit':>11}"
          f"{'CPU s':>8}{'nats-server CPU s':>19}")
    for (name, own_core), (read, wall, cpu, srv, n) in med.items():
        where = ("capture thread alone on CPU 0" if own_core else "all share every CPU")
        print(f"   {name:<20}{where:<34}{n:>9.0f}{read:>16.3f}{wall:>11.3f}{cpu:>8.3f}{srv:>19.2f}")
    for own_core in (False, True):
        if (("without --publish", own_core)) not in med:
            continue
        r0, w0, c0, _, _ = med[("without --publish", own_core)]
        r1, w1, c1, _, _ = med[("with --publish", own_core)]
        where = ("the capture thread on a core of its own (server elsewhere)" if own_core
                 else "everything on the same cores")
        print(f"   {where}: publishing costs {100 * (r1 - r0) / r0:+.1f}% on the packet path "
              f"(time until the capture was read; target <= 10%), {100 * (w1 - w0) / w0:+.1f}% "
              f"until exit (draining), {100 * (c1 - c0) / c0:+.1f}% CPU", flush=True)


def print_fleet(f, records):
    print(f"3b. {f['sensors']} sensors x {f['packets']} packets ({records} hsms records), "
          f"3-node cluster (stream R{f['replicas']}), one fabmon collect --follow")
    print(f"   {'records':>9}{'in stream':>11}{'s end to end':>14}{'records/s':>11}"
          f"{'last sensor exit s':>20}{'collector lag s':>17}{'nats CPU s':>12}")
    print(f"   {f['records']:>9}{f['stream']:>11}{f['seconds']:>14.2f}{f['rate']:>11.0f}"
          f"{f['last_exit']:>20.2f}{f['lag']:>17.2f}{f['nats_cpu']:>12.1f}")
    bad = {k: v for k, v in f["counts"].items() if v[0] != v[1]}
    per = [v[0] for v in f["counts"].values()]
    print(f"   per sensor {min(per)}..{max(per)} records; counts "
          f"{'equal for every sensor' if not bad else f'DIFFER: {bad}'}; collector's records "
          + ("exactly the union of the sensors' (nothing lost, nothing doubled)" if f["same"] else
             f"NOT the union: {f['extra']} extra, {f['missing']} missing"))


def main(fabmon, dump, cap, runs=5, sensors=20, packets=20000, records="all", parts="123"):
    signal.signal(signal.SIGTERM, on_sigterm)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    work = tempfile.mkdtemp(prefix="fabmon-bench-fleet-", dir=shm)
    print(f"{os.cpu_count()} CPUs; nats-server and every fabmon on this machine, "
          f"stores and outputs in {os.path.dirname(work)}", flush=True)
    try:
        if "1" in parts or "2" in parts:
            one = os.path.join(work, "single")
            os.makedirs(one)
            url, pid = single_server(one)
            stream = Stream(dump, url, [pid])
            stream.wait_ready()
            if "1" in parts:
                print_rate("1. one sensor, one nats-server (JetStream, R1)", cap,
                           *publish_rate(fabmon, stream, [stream.url], cap,
                                         os.path.join(one, "rate")))
                shutil.rmtree(os.path.join(one, "rate"), ignore_errors=True)
            if "2" in parts:
                print_packet_path(cap, runs, packet_path(fabmon, stream, cap, one, runs))
            cleanup()
            sys.stdout.flush()
        if "3" in parts:
            print_fleet(fleet(fabmon, dump, work, sensors, packets, records), records)
    finally:
        cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    # bench/nats_fleet.py FABMON NATS_STREAM_DUMP CAPTURE [SENSORS PACKETS PARTS]
    a = sys.argv[1:]
    main(a[0], a[1], a[2], sensors=int(a[3]) if len(a) > 3 else 20,
         packets=int(a[4]) if len(a) > 4 else 20000, parts=a[5] if len(a) > 5 else "123")
