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
A live interface is read by one worker (README "Worker threads"), so the
table has one row per rate, not per worker count.
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


def one(fabmon, cap, work, senders, rate):
    """fabmon -i rx0 while `senders` tcpreplay processes send cap into tx0
    (test_live_rate.live)."""
    out = os.path.join(work, f"live-{senders}-{rate}")
    r = lr.live(fabmon, cap, out, lr.TIMEOUTS + EXTRA, rate, 0, senders=senders)
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
    best = {}
    try:
        print(f"capture: {cap}; fabmon -i rx0 (defaults: built-in policy, rules, evidence; "
              f"one worker), tcpreplay into tx0")
        print(f"{'senders':>8}{'asked pps':>11}{'sent':>10}{'achieved pps':>14}{'fabmon took':>13}"
              f"{'kernel drops':>14}{'veth drops':>12}{'lost':>8}")
        for senders in SENDERS:
            for rate in RATES:
                r = one(fabmon, cap, work, senders, rate)
                print(f"{senders:>8}{rate:>11}{r['sent']:>10}{r['pps']:>14.0f}{r['took']:>13}"
                      f"{r['kernel']:>14}{r['veth']:>12}{r['lost']:>8}", flush=True)
                if r["lost"] == 0 and r["pps"] > best.get("pps", 0):
                    best = dict(r, senders=senders, rate=rate)
    finally:
        lr.teardown()
        shutil.rmtree(work, ignore_errors=True)
    if best:
        print(f"highest rate with nothing lost: {best['pps']:.0f} packets/s "
              f"({best['senders']} tcpreplay, asked {best['rate']})")
    else:
        print("every rate lost packets")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
