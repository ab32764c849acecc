#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--cpus pins each worker thread to a CPU, and only the worker threads.

usage: test_cpus.py FABMON SOURCE_ROOT

With the first two CPUs this process may use, A and B, the kernel's own
view (/proc/PID/task/TID/status, Cpus_allowed_list) must show, while
fabmon runs:
  - a replay from a pipe, --workers 2 --cpus B,A: the main thread (worker 0)
    on B alone, the thread named fabmon-w1 on A alone, and every other
    thread (the audit report's, the capture hash's) on all of this
    process's CPUs; the records are those of a run without --cpus;
  - a live capture on loopback inside a network namespace this test
    creates, --workers 3 --cpus A: the list repeats, so the main thread and
    fabmon-w1 and fabmon-w2 (one AF_PACKET socket each) are all on A;
  - bad lists (a CPU this process may not use, a backwards range, a word)
    end fabmon with exit code 2 and a message that says why.
Needs two CPUs (skipped, exit 77, with fewer) and root for the namespace.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check, read_eve, run_record_written, wait_for  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]
DEMO = os.path.join(SRC, "demo", "fab-demo.pcap")
NS = f"fabmon-cpus-{os.getpid()}"


def cpu_list(cpus):
    return ",".join(str(c) for c in sorted(cpus))


def kernel_list(text):
    """The CPUs of a Cpus_allowed_list value ("0-1,3")."""
    out = set()
    for item in text.split(","):
        lo, _, hi = item.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def threads(pid):
    """{tid: (name, CPUs)} of process pid, as the kernel says."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                allowed = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("Cpus_allowed_list:"))
        except (OSError, StopIteration):
            continue  # a thread that ended meanwhile
        out[int(tid)] = (name, kernel_list(allowed))
    return out


def as_set(recs):
    return sorted(json.dumps(r, sort_keys=True) for r in recs
                  if r.get("event_type") not in ("run", "stats"))


def replay(c, tmp, a, b, allowed):
    with open(DEMO, "rb") as f:
        demo = f.read()
    out = os.path.join(tmp, "pinned")
    p = subprocess.Popen([FABMON, "-q", "-r", "-", "-o", out, "--workers", "2",
                          "--cpus", f"{b},{a}"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    # the capture's first half, then fabmon waits for more, reading
    p.stdin.write(demo[:len(demo) // 2])
    p.stdin.flush()
    eve = os.path.join(out, "eve.json")
    c.true("replay: the run record written", wait_for(lambda: run_record_written(eve), 30))
    # worker 1's thread exists once the reading starts
    c.true("replay: a thread named fabmon-w1",
           wait_for(lambda: any(n == "fabmon-w1" for n, _ in threads(p.pid).values()), 10))
    t = threads(p.pid)
    c.eq("replay: the main thread (worker 0, reading) runs on", t[p.pid][1], {b})
    w1 = [cpus for n, cpus in t.values() if n == "fabmon-w1"]
    c.eq("replay: fabmon-w1 runs on", w1, [{a}])
    others = {tid: v for tid, v in t.items() if tid != p.pid and v[0] != "fabmon-w1"}
    c.true("replay: other threads (the report's, the capture hash's) are there", len(others) >= 1,
           f"threads: {t}")
    for tid, (name, cpus) in others.items():
        c.eq(f"replay: thread {tid} ({name}) runs on", cpus, allowed)
    p.stdin.write(demo[len(demo) // 2:])
    p.stdin.close()
    err = p.stderr.read().decode(errors="replace")
    p.wait(timeout=60)
    c.eq("replay: exit code", p.returncode, 0, err[-300:])
    free = os.path.join(tmp, "free")
    with open(DEMO, "rb") as f:  # from a pipe too: the records name the input '-'
        r = subprocess.run([FABMON, "-q", "-r", "-", "-o", free, "--workers", "2"], stdin=f,
                           capture_output=True, text=True, timeout=60)
    c.eq("replay without --cpus: exit code", r.returncode, 0, r.stderr[-300:])
    pinned, unpinned = as_set(read_eve(eve)), as_set(read_eve(os.path.join(free, "eve.json")))
    c.true("replay: the records are those of a run without --cpus", pinned == unpinned,
           f"({len(pinned)} and {len(unpinned)} records)")


def live(c, tmp, a):
    if os.geteuid() != 0:
        print("live part skipped: needs root for a network namespace")
        return
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"], check=True)
        out = os.path.join(tmp, "live")
        p = subprocess.Popen(["ip", "netns", "exec", NS, FABMON, "-i", "lo", "-o", out,
                              "--workers", "3", "--cpus", str(a), "-v"],
                             stderr=subprocess.PIPE, text=True)
        try:
            # ip netns exec runs fabmon in its own process (exec): its pid is p.pid
            ok = wait_for(lambda: sum(n.startswith("fabmon-w") for n, _ in
                                      threads(p.pid).values()) == 2, 30)
            t = threads(p.pid)
            c.true("live: threads fabmon-w1 and fabmon-w2", ok, f"threads: {t}")
            names = {n: cpus for tid, (n, cpus) in t.items() if n.startswith("fabmon-w")}
            c.eq("live: the main thread (worker 0) runs on", t.get(p.pid, ("", None))[1], {a})
            c.eq("live: fabmon-w1 runs on (the list repeats)", names.get("fabmon-w1"), {a})
            c.eq("live: fabmon-w2 runs on", names.get("fabmon-w2"), {a})
        finally:
            p.send_signal(signal.SIGTERM)
            err = p.stderr.read()
            p.wait(timeout=60)
        c.eq("live: exit code after SIGTERM", p.returncode, 0, err[-300:])
        c.true("live: the workers share the interface", "3 workers share 'lo'" in err, err[-300:])
    finally:
        subprocess.run(["ip", "netns", "del", NS])


def refused(c, allowed):
    beyond = max(allowed) + 1
    cases = [
        (str(beyond), f"--cpus: fabmon may not run on CPU {beyond} (it may on"),
        ("1-0", "--cpus: the range '1-0' runs backwards"),
        ("all", "--cpus: 'all' is not a CPU number (0..1023)"),
        ("0,", "--cpus: the list ends with a comma"),
    ]
    for arg, want in cases:
        r = subprocess.run([FABMON, "-r", DEMO, "--cpus", arg], capture_output=True, text=True,
                           timeout=60)
        c.eq(f"--cpus {arg}: exit code", r.returncode, 2, r.stderr[-200:])
        c.true(f"--cpus {arg}: says why", want in r.stderr, repr(r.stderr[-200:]))


def main():
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        print(f"skipped: this process may run on {len(allowed)} CPU ({cpu_list(allowed)})")
        return 77
    a, b = sorted(allowed)[:2]
    c = Check("cpus")
    tmp = tempfile.mkdtemp(prefix="fabmon-cpus-")
    try:
        replay(c, tmp, a, b, allowed)
        live(c, tmp, a)
        refused(c, allowed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
