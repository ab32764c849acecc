#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/run.py --profile live (issue 17 item 6): the highest rate at which
fabmon captures a fab capture live with nothing lost.

fabmon listens on one end of a veth pair in a network namespace made for the
run (tests/e2e/test_live_rate.py's, removed at the end); tcpreplay sends the
capture into the other end. One tcpreplay process tops out near 300,000
packets/s on the 2-core VM, so the sweep also runs several at once, each
sending the whole capture at its share of the rate: the packets then arrive
interleaved (the alerts are not compared here; test_live_rate.py does that
for one sender).

For each (senders, rate) it reports what tcpreplay achieved, what fabmon
took (stats.capture.packets), and the loss: the kernel's drops at fabmon's
socket plus what the veth pair dropped plus what never reached fabmon.
Each rate is run with one worker and with two (--workers 2: two AF_PACKET
sockets in a PACKET_FANOUT_HASH group, README "Worker threads"); the
highest rate with nothing lost is reported per worker count.
"""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import test_live_rate as lr  # noqa: E402
from fabmon_test_util import final_stats  # noqa: E402

RATES = ["100000", "200000", "300000", "400000", "top"]
EXTRA = []  # fabmon's defaults: the built-in policy, rules, evidence rings
SENDERS = [1, 2, 3]
WORKERS = [1, 2]


def one(fabmon, cap, work, senders, rate, workers):
    """fabmon -i rx0 --workers W while `senders` tcpreplay processes send cap
    into tx0 (test_live_rate.live)."""
    out = os.path.join(work, f"live-{senders}-{rate}-{workers}")
    r = lr.live(fabmon, cap, out, lr.TIMEOUTS + EXTRA + ["--workers", str(workers)], rate, 0,
                senders=senders)
    shutil.rmtree(out, ignore_errors=True)
    if r["rc"] != 0:
        raise RuntimeError(f"fabmon exited {r['rc']}: {r['err'][-300:]}")
    capst = final_stats(r["recs"])["capture"]
    took = capst["packets"]
    kdrops = capst["kernel_drops"] + capst["kernel_ifdrops"]
    wall = r["replay_wall"]
    return {"sent": r["sent"], "pps": r["sent"] / wall if wall else 0, "took": took,
            "kernel": kdrops, "veth": r["veth_drops"], "lost": max(r["sent"] - took, 0) + kdrops}


def main(fabmon, cap):
    if os.geteuid() != 0:
        sys.exit("bench live profile: needs root (a network namespace and a veth pair)")
    work = tempfile.mkdtemp(prefix="fabmon-bench-live-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    lr.setup()
    best = {w: {} for w in WORKERS}
    try:
        print(f"capture: {cap}; fabmon -i rx0 (defaults: built-in policy, rules, evidence), "
              f"tcpreplay into tx0")
        print(f"{'workers':>8}{'senders':>8}{'asked pps':>11}{'sent':>10}{'achieved pps':>14}"
              f"{'fabmon took':>13}{'kernel drops':>14}{'veth drops':>12}{'lost':>8}")
        for senders in SENDERS:
            for rate in RATES:
                for w in WORKERS:
                    r = one(fabmon, cap, work, senders, rate, w)
                    print(f"{w:>8}{senders:>8}{rate:>11}{r['sent']:>10}{r['pps']:>14.0f}"
                          f"{r['took']:>13}{r['kernel']:>14}{r['veth']:>12}{r['lost']:>8}",
                          flush=True)
                    if r["lost"] == 0 and r["pps"] > best[w].get("pps", 0):
                        best[w] = dict(r, senders=senders, rate=rate)
    finally:
        lr.teardown()
        shutil.rmtree(work, ignore_errors=True)
    for w in WORKERS:
        b = best[w]
        if b:
            print(f"--workers {w}: highest rate with nothing lost: {b['pps']:.0f} packets/s "
                  f"({b['senders']} tcpreplay, asked {b['rate']})")
        else:
            print(f"--workers {w}: every rate lost packets")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
