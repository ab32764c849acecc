#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The fab-wide report of several sensors (`fabmon report DIR1 DIR2 -o OUT`,
issue 18 item 4) against the report of one sensor that saw everything.

usage: test_report_merge.py FABMON SOURCE_ROOT

The demo capture is split between two mirror ports: `mirror-eap` sees every
frame to or from the two tools (10.30.1.21, 10.30.1.22), `mirror-core` every
other frame and also the EAP's HSMS connection to tool 10.30.1.21 (conduit
c1-eap-to-equipment), so that one connection is seen by both. Frames
without IPv4 (ARP) go to both. Each is run with its own --sensor-name; the
whole demo is run as one sensor. Known truth:

1. merged (eap, core): every flow once: flow totals, the zone x zone matrix
   (flows, bytes, verdicts, conduits, applications, ports per cell), the
   HSMS S/F histogram per host pair, the Modbus access and the alerts by
   rule equal the one-sensor report; mirror-core's one duplicate flow (the
   shared HSMS connection) and its records are counted as duplicates;
   c1-eap-to-equipment is listed as seen by both sensors, c9 by mirror-core
   only; the equipment zone by both; report.html (its DOM as headless
   Chromium parses it) lists both sensors and the sensors that saw each
   conduit.
2. merged the other way round (core, eap): the same counts.
3. mirror-core's clock 1.5 s ahead: the same; 60 s ahead, so that its view of
   the shared 50 s connection begins after the other's ended (beyond the 2 s
   allowed): two connections (one flow more, no duplicate).
4. Errors: two directories without -o, -o one of them (exit 2), a missing
   directory (exit 3).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]
DEMO = os.path.join(SRC, "demo", "fab-demo.pcap")
TOOLS = {"10.30.1.21", "10.30.1.22"}
SHARED = ({"10.20.1.10", "10.30.1.21"}, 5000)  # the EAP's HSMS connection to one tool
c = Check("report-merge")


def ipv4_of(frame):
    """(src, dst, sport, dport) of an Ethernet frame with IPv4 (VLAN tags
    skipped), or None."""
    off, et = 12, struct.unpack(">H", frame[12:14])[0]
    while et in (0x8100, 0x88A8) and len(frame) >= off + 6:
        off += 4
        et = struct.unpack(">H", frame[off:off + 2])[0]
    ip = off + 2
    if et != 0x0800 or len(frame) < ip + 20:
        return None
    ihl = (frame[ip] & 0x0F) * 4
    src = ".".join(str(b) for b in frame[ip + 12:ip + 16])
    dst = ".".join(str(b) for b in frame[ip + 16:ip + 20])
    sport = dport = None
    if frame[ip + 9] in (6, 17) and len(frame) >= ip + ihl + 4:
        sport, dport = struct.unpack(">HH", frame[ip + ihl:ip + ihl + 4])
    return src, dst, sport, dport


def split(eap_path, core_path, core_shift_s=0.0):
    """The demo as the two mirror ports see it; mirror-core's clock
    core_shift_s ahead."""
    with open(DEMO, "rb") as f:
        buf = f.read()
    head, off = buf[:24], 24
    assert struct.unpack("<I", head[:4])[0] == 0xA1B2C3D4, "the demo is a microsecond pcap"
    eap, core = [head], [head]
    counts = {"eap": 0, "core": 0, "both": 0}
    while off + 16 <= len(buf):
        sec, usec, incl, orig = struct.unpack("<IIII", buf[off:off + 16])
        frame = buf[off + 16:off + 16 + incl]
        off += 16 + incl
        a = ipv4_of(frame)
        to_eap = a is None or a[0] in TOOLS or a[1] in TOOLS
        to_core = a is None or not to_eap or (
            {a[0], a[1]} == SHARED[0] and SHARED[1] in (a[2], a[3]))
        if to_eap:
            eap.append(struct.pack("<IIII", sec, usec, incl, orig) + frame)
        if to_core:
            t = sec * 1_000_000 + usec + int(core_shift_s * 1e6)
            core.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, incl, orig) + frame)
        counts["both" if to_eap and to_core else "eap" if to_eap else "core"] += 1
    for path, parts in ((eap_path, eap), (core_path, core)):
        with open(path, "wb") as f:
            f.write(b"".join(parts))
    return counts


def fabmon(*args):
    return subprocess.run([FABMON, *args], capture_output=True, text=True, timeout=120)


def sensor_run(capture, out, name=None):
    args = ["-q", "-r", capture, "-o", out, "--no-input-hash"]
    if name:
        args += ["--sensor-name", name]
    r = fabmon(*args)
    c.true(f"fabmon -r {os.path.basename(capture)} exits 0", r.returncode == 0, r.stderr[-300:])


def report(dirs, out):
    r = fabmon("report", "-q", *dirs, "-o", out)
    c.eq(f"fabmon report {' '.join(os.path.basename(d) for d in dirs)}: exit code", r.returncode, 0,
         r.stderr[-300:])
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        return json.load(f)


def matrix(rep):
    return {(m["src_zone"], m["dest_zone"]): (m["flows"], m["bytes"], m["flows_by_verdict"],
                                              m["conduits"], m["apps"], m["ports"])
            for m in rep["matrix"]}


def counts(rep):
    """What must not depend on how many sensors saw the traffic."""
    return {
        "flows": rep["flows"]["total"],
        "by_verdict": rep["flows"]["by_verdict"],
        "matrix": matrix(rep),
        "hsms": {(h["src_ip"], h["dest_ip"]): (h["total"], h["messages"]) for h in rep["hsms"]},
        "modbus": json.dumps(rep["modbus"], sort_keys=True),
        "rules": {r["rule"]: r["count"] for r in rep["rules"]},
        "hosts": rep["summary"]["hosts"],
        "conduit_flows": {x["name"]: x["flows"] for x in rep["conduits"]},
    }


class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sensor_rows, self.conduit_sensors = [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and a.get("class") == "sensor-row":
            self.sensor_rows.append((a.get("data-sensor"), a.get("data-duplicate-flows")))
        if tag == "tr" and a.get("class") == "conduit-row" and "data-sensors" in a:
            self.conduit_sensors[a.get("data-conduit")] = [x for x in a["data-sensors"].split(",") if x]


def check_merged(name, rep, one, core_first):
    c.eq(f"{name}: the same counts as one sensor that saw everything", counts(rep), counts(one))
    c.eq(f"{name}: two sensors", [s["name"] for s in rep["sensors"]],
         ["mirror-core", "mirror-eap"] if core_first else ["mirror-eap", "mirror-core"])
    later = rep["sensors"][1]
    c.eq(f"{name}: the later sensor's duplicate flows (the shared HSMS connection)",
         later["duplicate_flows"], 1)
    c.true(f"{name}: and its records of that connection are duplicates",
           later["duplicate_records"] > 0, str(later))
    c.eq(f"{name}: summary.duplicate_flows", rep["summary"]["duplicate_flows"], 1)
    cond = {x["name"]: x["sensors"] for x in rep["conduits"] if x["observed"]}
    c.eq(f"{name}: which sensor saw which conduit", cond,
         {"c1-eap-to-equipment": ["mirror-core", "mirror-eap"],
          "c9-scada-to-facility": ["mirror-core"]})
    zones = {z["name"]: z["sensors"] for z in rep["zones"]}
    c.eq(f"{name}: the equipment zone seen by both sensors", zones.get("fab-equipment"),
         ["mirror-core", "mirror-eap"])
    c.eq(f"{name}: input names no single eve.json", rep["input"]["file"], None)


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-merge-")
    try:
        d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
        n = split(d("eap.pcap"), d("core.pcap"))
        c.true("the split gives each port frames and shares the HSMS connection",
               n["eap"] > 0 and n["core"] > 0 and n["both"] > 0, str(n))
        sensor_run(DEMO, d("one"), "fab-all")
        sensor_run(d("eap.pcap"), d("eap"), "mirror-eap")
        sensor_run(d("core.pcap"), d("core"), "mirror-core")
        with open(d("one", "report.json"), encoding="utf-8") as f:
            one = json.load(f)
        c.eq("one sensor: its report names it", [s["name"] for s in one["sensors"]], ["fab-all"])

        rep = report([d("eap"), d("core")], d("merged"))
        check_merged("merged eap, core", rep, one, core_first=False)
        # report.html as headless Chromium parses it
        dom = subprocess.run([shutil.which("chromium") or "/usr/bin/chromium", "--headless",
                              "--no-sandbox", "--disable-gpu", "--user-data-dir=" + d("chrome"),
                              "--dump-dom", "file://" + d("merged", "report.html")],
                             capture_output=True, text=True, timeout=120)
        c.eq("chromium --dump-dom of the fab-wide report.html: exit code", dom.returncode, 0)
        rows = Rows()
        rows.feed(dom.stdout)
        c.eq("report.html: the sensors merged", rows.sensor_rows,
             [("mirror-eap", "0"), ("mirror-core", "1")])
        c.eq("report.html: the sensors that saw each observed conduit",
             {k: v for k, v in rows.conduit_sensors.items() if v},
             {"c1-eap-to-equipment": ["mirror-core", "mirror-eap"],
              "c9-scada-to-facility": ["mirror-core"]})
        check_merged("merged core, eap", report([d("core"), d("eap")], d("merged2")), one,
                     core_first=True)

        # sensors' clocks: 1.5 s apart, the same connection; 60 s apart, the
        # 50 s connection seen by one ends 8 s before the other's begins: two
        for shift, extra in ((1.5, 0), (60.0, 1)):
            split(d("eap.pcap"), d("core-shift.pcap"), shift)
            shutil.rmtree(d("core-shift"), ignore_errors=True)
            sensor_run(d("core-shift.pcap"), d("core-shift"), "mirror-core")
            rep = report([d("eap"), d("core-shift")], d("merged-shift"))
            c.eq(f"mirror-core's clock {shift} s ahead: flows", rep["flows"]["total"],
                 one["flows"]["total"] + extra)
            c.eq(f"mirror-core's clock {shift} s ahead: duplicate flows",
                 rep["summary"]["duplicate_flows"], 1 - extra)

        r = fabmon("report", d("eap"), d("core"))
        c.eq("two directories without -o: exit code", r.returncode, 2)
        c.true("... and says to give -o", "-o OUTDIR" in r.stderr, r.stderr)
        r = fabmon("report", d("eap"), d("core"), "-o", d("core") + "/")
        c.eq("-o one of the sensors' directories: exit code", r.returncode, 2)
        c.true("... and says why", "one of the sensors' directories" in r.stderr, r.stderr)
        r = fabmon("report", d("eap"), d("nowhere"), "-o", d("merged3"))
        c.eq("a missing directory: exit code", r.returncode, 3)
        c.true("... named", "nowhere" in r.stderr, r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
