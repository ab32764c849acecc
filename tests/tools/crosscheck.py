#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Cross-check fabmon against independent decoders on the same capture.

  crosscheck.py tshark FABMON CAPTURE
      tshark's conversation table (-z conv,tcp -z conv,udp): the same
      TCP/UDP conversations, the same frames each way; and tshark's Community
      ID (Wireshark's communityid dissector) for every packet: the same set
      of IDs as fabmon's flows.
  crosscheck.py ndpi FABMON CAPTURE
      ndpiReader (nDPI 4.2) -v 2: the same flows, and for each the same
      protocol label as fabmon's ndpi.protocol.

Known differences, by design, and how they are handled here:
  - tshark's table does not split conversations by VLAN: fabmon flows with
    the same 5-tuple on several VLANs are summed before comparing.
  - tshark counts a frame in a conversation even when the frame is
    malformed; fabmon makes no flow from packets it finds invalid. Do not
    cross-check captures of malformed packets with tshark.
  - ndpiReader 4.2 reads neither 802.1ad/QinQ tags, nor Linux cooked v2,
    nor IP fragments: do not cross-check such captures with ndpiReader.
"""
import collections
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import Check, flows, read_eve  # noqa: E402


def fabmon_flows(fabmon, cap):
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([fabmon, "-q", "-r", cap, "-o", out], capture_output=True, text=True)
        if p.returncode not in (0, 4):
            raise SystemExit(f"fabmon failed ({p.returncode}): {p.stderr}")
        return flows(read_eve(os.path.join(out, "eve.json")))


def endpoint(s):
    """'10.0.0.1:502' or '2001:db8::1:502' -> (addr, port)."""
    addr, port = s.rsplit(":", 1)
    return addr.strip("[]"), int(port)


def tshark_conversations(cap):
    p = subprocess.run(["tshark", "-n", "-r", cap, "-q", "-z", "conv,tcp", "-z", "conv,udp"],
                       capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"tshark failed: {p.stderr}")
    convs = {}
    proto = None
    for line in p.stdout.splitlines():
        if line.startswith("TCP Conversations"):
            proto = "TCP"
        elif line.startswith("UDP Conversations"):
            proto = "UDP"
        elif "<->" in line and proto:
            left, right = line.split("<->")
            a = endpoint(left.strip())
            cols = right.split()
            b = endpoint(cols[0])
            # columns: B, frames B->A, bytes, unit, frames A->B, bytes, unit, ...
            f_ba, f_ab = int(cols[1].replace(",", "")), int(cols[4].replace(",", ""))
            convs[(proto,) + tuple(sorted([a, b]))] = {a: f_ab, b: f_ba}
    return convs


def check_tshark(fabmon, cap):
    c = Check(f"tshark {os.path.basename(cap)}")
    fl = fabmon_flows(fabmon, cap)
    mine = collections.defaultdict(lambda: collections.Counter())
    for r in fl:
        if r["proto"] not in ("TCP", "UDP"):
            continue
        a, b = (r["src_ip"], r["src_port"]), (r["dest_ip"], r["dest_port"])
        k = (r["proto"],) + tuple(sorted([a, b]))
        mine[k][a] += r["flow"]["pkts_toserver"]
        mine[k][b] += r["flow"]["pkts_toclient"]
    theirs = tshark_conversations(cap)
    c.eq("conversations (TCP/UDP)", sorted(mine), sorted(theirs))
    for k in sorted(set(mine) & set(theirs)):
        got = {ep: mine[k][ep] for ep in theirs[k]}
        c.eq(f"frames each way {k}", got, theirs[k])

    # Community ID: Wireshark's implementation, per packet
    # (only frames with a transport header: tshark also hashes bare IP
    # fragments, without ports, which are not flows)
    p = subprocess.run(["tshark", "-n", "-r", cap, "--enable-protocol", "communityid", "-T", "fields",
                        "-Y", "tcp or udp or sctp or icmp or icmpv6", "-e", "communityid"],
                       capture_output=True, text=True)
    ids = {l.strip() for l in p.stdout.splitlines() if l.strip()}
    mine_ids = {r["community_id"] for r in fl if r["proto"] in ("TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP")}
    c.eq("community IDs", sorted(mine_ids), sorted(ids))
    print(f"tshark {os.path.basename(cap)}: {len(theirs)} conversations, {len(ids)} community IDs")
    return c.done()


def ndpi_flows(cap):
    p = subprocess.run(["ndpiReader", "-i", cap, "-v", "2", "-q"], capture_output=True, text=True)
    out = {}
    for line in p.stdout.splitlines():
        parts = line.strip().split(None, 1)
        # two-way flows print "<->", one-way flows "->"
        if len(parts) != 2 or not parts[0].isdigit() or not (" <-> " in parts[1] or " -> " in parts[1]):
            continue
        rest = parts[1]
        proto, rest = rest.split(" ", 1)
        left, rest = rest.split(" <-> " if " <-> " in rest else " -> ", 1)
        right, rest = rest.split(" ", 1)
        vlan = ()
        if rest.startswith("[VLAN: "):
            vlan = (int(rest[7:rest.index("]")]),)
        label = rest[rest.index("[proto: ") + 8:].split("]", 1)[0].split("/", 1)[1]
        a, b = endpoint(left), endpoint(right)
        if proto not in ("TCP", "UDP"):
            a, b = (a[0], None), (b[0], None)
        out[(proto, vlan) + tuple(sorted([a, b], key=str))] = label
    return out


def check_ndpi(fabmon, cap):
    c = Check(f"ndpiReader {os.path.basename(cap)}")
    mine = {}
    for r in fabmon_flows(fabmon, cap):
        proto = {"IPv6-ICMP": "ICMPV6"}.get(r["proto"], r["proto"])
        a, b = (r["src_ip"], r.get("src_port")), (r["dest_ip"], r.get("dest_port"))
        vlan = tuple(r.get("vlan", [])[:1])
        mine[(proto, vlan) + tuple(sorted([a, b], key=str))] = r["ndpi"]["protocol"]
    theirs = ndpi_flows(cap)
    c.eq("flows", sorted(mine, key=str), sorted(theirs, key=str))
    for k in sorted(set(mine) & set(theirs), key=str):
        c.eq(f"label {k}", mine[k], theirs[k])
    print(f"ndpiReader {os.path.basename(cap)}: {len(theirs)} flows, "
          f"{sum(1 for k in theirs if mine.get(k) == theirs[k])} with the same label")
    return c.done()


if __name__ == "__main__":
    mode, fabmon, cap = sys.argv[1:4]
    sys.exit(check_tshark(fabmon, cap) if mode == "tshark" else check_ndpi(fabmon, cap))
