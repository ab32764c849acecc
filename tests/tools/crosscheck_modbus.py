#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Cross-check fabmon's Modbus/TCP decoding with Wireshark's mbtcp/modbus
dissectors on the same capture.

usage: crosscheck_modbus.py FABMON CAPTURE [--modbus-ports LIST]

Compared: the number of PDUs of each function code (exceptions counted
under their function), and the number of exceptions of each exception code.
fabmon's PDUs are the requests and responses of its modbus records (one
per transaction), taken out by fabmon_test_util.modbus_pdus.
tshark decodes Modbus/TCP on port 502 (and on any --modbus-ports given, with
-d tcp.port==P,mbtcp).
"""
import collections
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import Check, modbus_pdus, read_eve  # noqa: E402

FABMON, CAP = sys.argv[1], sys.argv[2]
extra = sys.argv[3:]
c = Check(f"modbus {os.path.basename(CAP)}")

with tempfile.TemporaryDirectory() as out:
    # every PDU, not only the non-read ones fabmon writes by default
    p = subprocess.run([FABMON, "-q", "-r", CAP, "-o", out, "--modbus-records", "all"] + extra,
                       capture_output=True, text=True)
    c.true("fabmon exit", p.returncode in (0, 4), p.stderr)
    recs = read_eve(os.path.join(out, "eve.json"))
mine = modbus_pdus([r for r in recs if r["event_type"] == "modbus"])
fc_mine = collections.Counter(m["function"] for m in mine)
ex_mine = collections.Counter(m["exception"]["code"] for m in mine if "exception" in m)

decode = []
if "--modbus-ports" in extra:
    for port in extra[extra.index("--modbus-ports") + 1].split(","):
        decode += ["-d", f"tcp.port=={port},mbtcp"]
t = subprocess.run(["tshark", "-n", "-r", CAP] + decode +
                   ["-Y", "modbus", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
                    "-e", "modbus.func_code", "-e", "modbus.exception_code"], capture_output=True, text=True)
fc_t, ex_t = collections.Counter(), collections.Counter()
for line in t.stdout.splitlines():
    cols = line.split("\t")
    for f in filter(None, cols[0].split(",")):
        fc_t[int(f) & 0x7F] += 1
    if len(cols) > 1:
        for e in filter(None, cols[1].split(",")):
            ex_t[int(e)] += 1
c.eq("PDUs per function code", dict(sorted(fc_mine.items())), dict(sorted(fc_t.items())))
c.eq("exceptions per code", dict(sorted(ex_mine.items())), dict(sorted(ex_t.items())))
print(f"modbus {os.path.basename(CAP)}: {sum(fc_t.values())} PDUs, {len(fc_t)} function codes, "
      f"{sum(ex_t.values())} exceptions")
sys.exit(c.done())
