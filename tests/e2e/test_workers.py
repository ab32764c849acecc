#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Worker threads (--workers 2 and 4) stop for a stats request and a policy reload
in the middle of a replay, and give the records one worker gives.

usage: test_workers.py FABMON SOURCE_ROOT

The demo capture is fed to `fabmon -r -` through a pipe: its first 100
packets, then (once fabmon has read them) SIGUSR1 and SIGHUP with the policy
file changed from the built-in default to zones/examples/fab-site.yaml, then
one packet (after which fabmon handles both: the workers finish what they
hold and wait, the policy is reloaded and every open flow checked again, a
stats record is written), then the rest. This runs with --workers 1, 2
and 4 (more threads than this machine's cores: frames wait in full rings and
batches). Each must write a mid-run stats record that counts exactly 101
packets, count one reload in the final stats, and write the same records
(the run and stats records aside; compared as sorted sets, since flows
ended at the same time may be written in another order).
"""
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
from fabmon_test_util import Check, final_stats, read_eve, run_record_written  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]
FIRST = 100


def packets(path):
    """(file header, [record bytes]) of a classic pcap."""
    with open(path, "rb") as f:
        buf = f.read()
    out, off = [], 24
    while off + 16 <= len(buf):
        incl = struct.unpack("<I", buf[off + 8:off + 12])[0]
        out.append(buf[off:off + 16 + incl])
        off += 16 + incl
    return buf[:24], out


def mid_stats(eve):
    """The non-final stats records written so far."""
    try:
        with open(eve, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        if '"event_type":"stats"' in line:
            r = json.loads(line)
            if not r["stats"].get("final"):
                out.append(r["stats"])
    return out


def run(workers, tmp, header, pkts):
    out = os.path.join(tmp, f"w{workers}")
    pol = os.path.join(tmp, f"policy-{workers}.yaml")
    shutil.copy(os.path.join(SRC, "zones", "default-fab.yaml"), pol)
    p = subprocess.Popen([FABMON, "-q", "-r", "-", "-o", out, "-c", pol, "--workers", str(workers)],
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(header + b"".join(pkts[:FIRST]))
    p.stdin.flush()
    # fabmon reads them all and waits for more. It reads the pipe as it
    # opens the capture, before its setup (nDPI, the policy, the tables:
    # seconds on a loaded machine, or under meson's MALLOC_PERTURB_); the run
    # record is written once the setup is done, right before the packets
    eve = os.path.join(out, "eve.json")
    deadline = time.time() + 30
    while time.time() < deadline and not run_record_written(eve):
        time.sleep(0.05)
    time.sleep(0.5)
    shutil.copy(os.path.join(SRC, "zones", "examples", "fab-site.yaml"), pol)
    p.send_signal(signal.SIGUSR1)
    p.send_signal(signal.SIGHUP)
    time.sleep(0.2)
    p.stdin.write(pkts[FIRST])
    p.stdin.flush()
    deadline = time.time() + 20
    while time.time() < deadline and not mid_stats(eve):
        time.sleep(0.1)
    mid = mid_stats(eve)
    p.stdin.write(b"".join(pkts[FIRST + 1:]))
    p.stdin.close()
    err = p.stderr.read().decode(errors="replace")
    p.wait(timeout=60)
    return p.returncode, err, mid, read_eve(eve)


def as_set(recs):
    """The records but run and stats, without the policy file's path (one
    per run)."""
    out = []
    for r in recs:
        if r.get("event_type") in ("run", "stats"):
            continue
        if r.get("event_type") == "policy":
            r = dict(r, policy={k: v for k, v in r["policy"].items() if k != "source"})
        out.append(json.dumps(r, sort_keys=True))
    return sorted(out)


def main():
    c = Check("workers")
    header, pkts = packets(os.path.join(SRC, "demo", "fab-demo.pcap"))
    tmp = tempfile.mkdtemp(prefix="fabmon-workers-")
    try:
        runs = {w: run(w, tmp, header, pkts) for w in (1, 2, 4)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for w, (rc, err, mid, recs) in runs.items():
        c.eq(f"--workers {w}: exit code", rc, 0, err[-300:])
        c.eq(f"--workers {w}: mid-run stats records", len(mid), 1)
        if mid:
            c.eq(f"--workers {w}: packets counted by the mid-run stats", mid[0]["capture"]["packets"],
                 FIRST + 1)
            d = mid[0]["decoder"]
            c.eq(f"--workers {w}: of them TCP, UDP or ICMP (counted by the workers: all done)",
                 d["tcp"] + d["udp"] + d["icmpv4"], FIRST + 1)
        fin = final_stats(recs)
        c.eq(f"--workers {w}: policy reloads", fin["alerts"]["policy_reloads"], 1)
        c.eq(f"--workers {w}: packets in all", fin["capture"]["packets"], len(pkts))
        c.true(f"--workers {w}: a policy record for the reload",
               any(r.get("event_type") == "policy" for r in recs))
    one = as_set(runs[1][3])
    for w in (2, 4):
        other = as_set(runs[w][3])
        c.true(f"the records of --workers {w} are those of --workers 1", one == other,
               f"({len(one)} and {len(other)} records; only with {w}: "
               f"{sorted(set(other) - set(one))[:2]}; only with 1: {sorted(set(one) - set(other))[:2]})")
    # the reload mattered: the example policy's zones name the demo's hosts otherwise
    alerts = [json.loads(r) for r in one if '"event_type": "alert"' in r]
    c.true("alerts were raised", len(alerts) > 0)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
