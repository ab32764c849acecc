#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run fabmon on a generated capture and compare its records with the
capture's NAME.truth.json, written by gen_test_captures.py from what it put
in the capture (not from any decoder's output).

usage: check_truth.py FABMON CAPTURE   (CAPTURE.truth.json beside it)
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import Check, final_stats, flows, read_eve  # noqa: E402

FABMON, CAP = sys.argv[1], sys.argv[2]
T = json.load(open(CAP + ".truth.json"))
c = Check(os.path.basename(CAP))

with tempfile.TemporaryDirectory() as out:
    # every flow as a record, half-open ones too (they are summarised by
    # default), and every HSMS message (routine ones are counted by default)
    p = subprocess.run([FABMON, "-q", "-r", CAP, "-o", out, "--flow-records", "all",
                        "--hsms-records", "all"],
                       capture_output=True, text=True)
    c.eq("exit code", p.returncode, 4 if T.get("damaged") else 0)
    recs = read_eve(os.path.join(out, "eve.json"))

st = final_stats(recs)
c.eq("packets read", st["capture"]["packets"], T.get("readable_packets", T["packets"]))
for k, v in T.get("decoder", {}).items():
    c.eq(f"decoder.{k}", st["decoder"][k], v)
if "datagrams_reassembled" in T:
    c.eq("ipfrag.reassembled", st["decoder"]["ipfrag"]["reassembled"], T["datagrams_reassembled"])
if "fragment_overlaps" in T:
    c.eq("ipfrag.overlaps", st["decoder"]["ipfrag"]["overlaps"], T["fragment_overlaps"])
if "truncated_packets" in T:
    c.eq("payload_truncated", st["decoder"]["payload_truncated"], T["truncated_packets"])


if "anomalies" in T:
    import collections
    got_an = collections.Counter(r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly")
    c.eq("anomalies", dict(sorted(got_an.items())), dict(sorted(T["anomalies"].items())))
if "hsms_messages" in T:
    c.eq("hsms messages", sum(1 for r in recs if r["event_type"] == "hsms"), T["hsms_messages"])


def key(proto, cli, cport, srv, sport, vlan):
    return (proto, cli, cport, srv, sport, tuple(vlan or []))


got = {key(r["proto"], r["src_ip"], r.get("src_port"), r["dest_ip"], r.get("dest_port"), r.get("vlan")): r
       for r in flows(recs)}
if "flows" in T:
    c.eq("number of flows", len(got), len(T["flows"]))
for f in T.get("flows", []):
    k = key(f["proto"], f["client"], f.get("client_port"), f["server"], f.get("server_port"), f.get("vlan"))
    r = got.get(k)
    if r is None:
        c.true(f"flow {k} present", False, f"(have {sorted(got)})")
        continue
    c.eq(f"{k} pkts_toserver", r["flow"]["pkts_toserver"], f["pkts_toserver"])
    c.eq(f"{k} pkts_toclient", r["flow"]["pkts_toclient"], f["pkts_toclient"])
    ra = r.get("tcp", {}).get("reassembly", {})
    for field, rf in (("reassembled_bytes_toserver", "bytes_toserver"),
                      ("reassembled_bytes_toclient", "bytes_toclient"),
                      ("gaps_toserver", "gaps_toserver"), ("gaps_toclient", "gaps_toclient"),
                      ("gap_bytes_toserver", "gap_bytes_toserver"),
                      ("gap_bytes_toclient", "gap_bytes_toclient"),
                      ("out_of_order", "out_of_order"), ("retransmissions", "retransmissions"),
                      ("overlaps", "overlaps"), ("overlaps_differing", "overlaps_differing")):
        if field in f:
            c.eq(f"{k} {field}", ra.get(rf), f[field])
    if "midstream" in f:
        c.eq(f"{k} midstream", r["tcp"]["midstream"], f["midstream"])
    if "ndpi" in f:
        c.eq(f"{k} ndpi", r["ndpi"]["protocol"], f["ndpi"])
    if "hostname" in f:
        c.eq(f"{k} hostname", r["ndpi"].get("hostname"), f["hostname"])
sys.exit(c.done())
