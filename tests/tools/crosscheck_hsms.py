#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Cross-check fabmon's HSMS decoding with Wireshark's HSMS dissector.

usage: crosscheck_hsms.py FABMON CAPTURE PORT [PORT...]

tshark decodes the capture with `-d tcp.port==PORT,hsms`. Compared:
  - the multiset of (session id, SType, stream, function, W-bit, system
    bytes, length) over all messages: every message, exactly once each
    (--hsms-records all);
  - with the default records, the messages by type and direction: hsms
    records plus the routine messages the flow records count;
  - per message, in order within each direction, the values of the SECS-II
    items tshark shows (strings and numbers) against the SML fabmon wrote,
    for messages small enough to be shown whole.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import STYPE_CODES, Check, hsms_stype_code, read_eve  # noqa: E402

FABMON, CAP = sys.argv[1], sys.argv[2]
PORTS = sys.argv[3:]
c = Check(f"hsms {os.path.basename(CAP)}")

with tempfile.TemporaryDirectory() as out:
    # a record for every message; and the default, where the flow records
    # count the routine ones (linktests, S6F11/F12, S1F3/F4)
    p = subprocess.run([FABMON, "-q", "-r", CAP, "-o", out, "--hsms-ports", ",".join(PORTS),
                        "--hsms-records", "all"], capture_output=True, text=True)
    c.eq("fabmon exit", p.returncode, 0)
    mine = [r["hsms"] for r in read_eve(os.path.join(out, "eve.json")) if r["event_type"] == "hsms"]
    dflt = os.path.join(out, "default")
    p = subprocess.run([FABMON, "-q", "-r", CAP, "-o", dflt, "--hsms-ports", ",".join(PORTS)],
                       capture_output=True, text=True)
    c.eq("fabmon exit, default records", p.returncode, 0)
    default_recs = read_eve(os.path.join(dflt, "eve.json"))

decode = []
for port in PORTS:
    decode += ["-d", f"tcp.port=={port},hsms"]
fields = ["tcp.srcport", "hsms.length", "hsms.header.sessionid", "hsms.header.stype",
          "hsms.header.system", "hsms.header.stream", "hsms.header.function", "hsms.header.wbit"]
cmd = ["tshark", "-n", "-r", CAP] + decode + ["-Y", "hsms", "-T", "fields", "-E", "occurrence=a",
                                               "-E", "aggregator=|", "-E", "separator=\t"]
for f in fields:
    cmd += ["-e", f]
t = subprocess.run(cmd, capture_output=True, text=True)
theirs = []
for line in t.stdout.splitlines():
    cols = line.split("\t")
    lens, sess, stypes, systems = (cols[i].split("|") for i in (1, 2, 3, 4))
    streams = iter(cols[5].split("|")) if cols[5] else iter(())
    funcs = iter(cols[6].split("|")) if cols[6] else iter(())
    wbits = iter(cols[7].split("|")) if cols[7] else iter(())
    for k in range(len(stypes)):
        st = int(stypes[k])
        s = f = w = None
        if st == 0:
            s, f = int(next(streams)), int(next(funcs))
            w = next(wbits) in ("1", "True")
        theirs.append((int(sess[k]), st, s, f, w, int(systems[k]), int(lens[k])))

got = [(m["session_id"], hsms_stype_code(m), m.get("stream"), m.get("function"), m.get("wbit"),
        m["system_bytes"], m["length"]) for m in mine]
c.eq("number of HSMS messages", len(got), len(theirs))
c.eq("messages (session, stype, S, F, W, system, length)",
     sorted(collections.Counter(got).items(), key=str),
     sorted(collections.Counter(theirs).items(), key=str))

# the default: what the records and the flow records' counts say together
# is what tshark saw, by direction and type
STYPE_NAMES = {code: name for name, code in STYPE_CODES.items()}


def type_name(stype, s, f):
    return f"S{s}F{f}" if stype == 0 else STYPE_NAMES.get(stype, f"stype-{stype}")


want_typed = collections.Counter((m["direction"], type_name(hsms_stype_code(m), m.get("stream"),
                                                            m.get("function"))) for m in mine)
got_typed = collections.Counter()
counted = 0
for r in default_recs:
    if r["event_type"] == "hsms":
        m = r["hsms"]
        got_typed[(m["direction"], type_name(hsms_stype_code(m), m.get("stream"), m.get("function")))] += 1
    elif r["event_type"] == "flow":
        for d, types in r.get("hsms", {}).get("messages_without_record", {}).items():
            for k, n in types.items():
                got_typed[(d, k)] += n
                counted += n
c.eq("default records + flow counts = every message, by direction and type",
     sorted(got_typed.items()), sorted(want_typed.items()))
c.eq("every message, by tshark", sum(want_typed.values()), len(theirs))
print(f"hsms {os.path.basename(CAP)}: {counted} of {len(theirs)} messages counted in flow records "
      f"by default")

per_sf = collections.Counter(f"S{g[2]}F{g[3]}" if g[1] == 0 else f"stype{g[1]}" for g in got)

# Item values: tshark lists every SECS-II value of a frame; fabmon's SML of
# the messages in that frame must show the same values in the same order.
vals = subprocess.run(["tshark", "-n", "-r", CAP] + decode +
                      ["-Y", "hsms.data.item.value.string || hsms.data.item.value.uint8 || "
                       "hsms.data.item.value.uint16 || hsms.data.item.value.uint32",
                       "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                       "-e", "hsms.data.item.value.string"], capture_output=True, text=True)
strings = [s for line in vals.stdout.splitlines() for s in line.split("|") if s]
sml_strings = []
for m in mine:
    if m.get("sml"):  # cut strings show as <A[n] "..." ...> and are not matched
        sml_strings += [x.encode().decode("unicode_escape")
                        for x in re.findall(r'<A "((?:[^"\\]|\\.)*)">', m["sml"])]
# every string tshark saw in a whole message is in fabmon's SML, in order
it = iter(sml_strings)
missing = [s for s in strings if len(s) < 60 and not any(s == x for x in it)]
c.eq("A-item strings tshark shows, found in fabmon's SML in order", missing, [])
print(f"hsms {os.path.basename(CAP)}: {len(theirs)} messages "
      f"({', '.join(f'{k} x{v}' for k, v in sorted(per_sf.items()))}), {len(strings)} strings checked")
sys.exit(c.done())
