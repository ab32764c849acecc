#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""`fabmon collect` (issue 18 item 3): the fab-wide eve.json from the stream
two sensors publish to, against a real nats-server with JetStream.

usage: test_collect.py FABMON NATS_STREAM_DUMP SOURCE_ROOT

1. Sensors s1 (the demo, whose Modbus device strings carry NUL
   characters) and s2 (a generated fab capture) publish; `fabmon collect`
   (given a list of two servers, one of them down) drains the stream: its eve.json holds exactly the union of the two sensors'
   records (each once, each sensor's in its own order, each with its
   sensor as host).
2. collect again: nothing new, eve.json unchanged.
3. A new consumer (another --durable) that is handed everything from the
   stream's start, as after a crash before acknowledging: every record is
   already written (collect.state) and skipped; eve.json unchanged.
4. `fabmon report` of the collected directory: the flows of both sensors.
5. --follow: a third sensor publishes while collect follows; its records
   arrive; SIGTERM ends collect with exit 0.
6. Two mirror ports that share a connection (the demo split as in
   test_report_merge.py) publish to another site; collected, `fabmon
   report` of the directory counts that connection once and gives the
   counts of the report merged from the two sensors' own directories
   (matrix, HSMS histogram, Modbus access, alerts by rule), one duplicate
   flow, the shared conduit seen by both sensors.
7. Errors: a URL that is not nats:// or no -o (exit 2), no server (exit 3).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_publish  # noqa: E402
from fabmon_test_util import Check  # noqa: E402
from test_publish import Server, eve_lines, fabmon, free_port  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[3]
_argv, sys.argv = sys.argv, [sys.argv[0], FABMON, SRC]
import test_report_merge as merge  # noqa: E402  (its split of the demo, its counts)
sys.argv = _argv
DEMO = os.path.join(SRC, "demo", "fab-demo.pcap")
GEN = os.path.join(SRC, "bench", "gen_fab_capture.py")
c = Check("collect")
test_publish.c = merge.c = c


def canon(rec):
    return json.dumps(rec, sort_keys=True)


def publish_mirror_ports(url, d, site):
    """The demo as two mirror ports that share one HSMS connection see it
    (test_report_merge.split), each a sensor publishing to url."""
    merge.split(d("eap.pcap"), d("core.pcap"))
    for name, cap in (("mirror-eap", d("eap.pcap")), ("mirror-core", d("core.pcap"))):
        r = fabmon("-q", "-r", cap, "-o", d(site, name), "--publish", url, "--site", site,
                   "--sensor-name", name, "--no-input-hash")
        c.eq(f"{site}: sensor {name}: exit code", r.returncode, 0, r.stderr[-300:])


def check_fab_wide(url, d, site):
    """fabmon collect of the site, then its fab-wide report: the report
    merged from the two sensors' own directories, the shared connection
    once, the shared conduit seen by both; the inventory's shared tool
    listing both sensors."""
    eap, core = d(site, "mirror-eap"), d(site, "mirror-core")
    out = d(site, "collected")
    r = fabmon("collect", url, "--site", site, "--durable", site, "-o", out)
    c.eq(f"collect --site {site}: exit code", r.returncode, 0, r.stderr[-300:])
    c.eq(f"collect --site {site}: exactly that site's records, each once",
         sorted(canon(x) for x in eve_lines(out)),
         sorted(canon(dict(x, host=h)) for h, dd in (("mirror-eap", eap), ("mirror-core", core))
                for x in eve_lines(dd)))
    r = fabmon("report", "-q", out)
    c.eq(f"{site}: report of the collected directory: exit code", r.returncode, 0,
         r.stderr[-300:])
    r = fabmon("report", "-q", eap, core, "-o", d(site, "merged"))
    c.eq(f"{site}: report of the two directories: exit code", r.returncode, 0, r.stderr[-300:])
    col = json.load(open(os.path.join(out, "report.json"), encoding="utf-8"))
    mer = json.load(open(d(site, "merged", "report.json"), encoding="utf-8"))
    c.eq(f"{site}: collected report: the counts of the merged directories", merge.counts(col),
         merge.counts(mer))
    c.eq(f"{site}: collected report: one duplicate flow", col["summary"]["duplicate_flows"], 1)
    c.eq(f"{site}: collected report: the sensors", sorted(x["name"] for x in col["sensors"]),
         ["mirror-core", "mirror-eap"])
    c.eq(f"{site}: collected report: the shared conduit seen by both",
         {x["name"]: x["sensors"] for x in col["conduits"] if x["observed"]},
         {"c1-eap-to-equipment": ["mirror-core", "mirror-eap"],
          "c9-scada-to-facility": ["mirror-core"]})
    tool = {a["ip"]: a for a in col["assets"]}.get("10.30.1.21", {})
    c.eq(f"{site}: collected report: the shared tool seen by both (inventory.json)",
         tool.get("sensors"), ["mirror-core", "mirror-eap"])


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-collect-")
    srv = Server(tmp)
    d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
    try:
        srv.start()
        r = subprocess.run(["/usr/bin/python3", GEN, d("fab.pcap"), "--packets", "3000"],
                           capture_output=True, text=True, timeout=120)
        c.eq("generated capture", r.returncode, 0, r.stderr[-200:])
        for name, cap in (("s1", DEMO), ("s2", d("fab.pcap"))):
            r = fabmon("-q", "-r", cap, "-o", d(name), "--publish", srv.url, "--sensor-name", name,
                       "--no-input-hash")
            c.eq(f"sensor {name}: exit code", r.returncode, 0, r.stderr[-300:])
        s1, s2 = eve_lines(d("s1")), eve_lines(d("s2"))

        # a list of servers, as the README gives them (one of them down)
        r = fabmon("collect", f"nats://127.0.0.1:{free_port()},{srv.url}", "-o", d("fab"))
        c.eq("collect: exit code", r.returncode, 0, r.stderr[-300:])
        got = eve_lines(d("fab"))
        c.eq("collect: every record of both sensors, each once",
             sorted(canon(x) for x in got), sorted(canon(x) for x in s1 + s2))
        c.true("collect: each sensor's records in its own order",
               [x for x in got if x.get("host") == "s1"] == s1 and
               [x for x in got if x.get("host") == "s2"] == s2)
        before = open(d("fab", "eve.json"), "rb").read()

        r = fabmon("collect", srv.url, "-o", d("fab"))
        c.eq("collect again: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("collect again: nothing new", open(d("fab", "eve.json"), "rb").read() == before)
        r = fabmon("collect", srv.url, "-o", d("fab"), "--durable", "another")
        c.eq("a consumer handed everything again: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("... every record skipped as written", f"{len(got)} redelivered ones skipped" in r.stdout,
               r.stdout)
        c.true("... eve.json unchanged", open(d("fab", "eve.json"), "rb").read() == before)

        r = fabmon("report", "-q", d("fab"))
        c.eq("fabmon report of the collected directory: exit code", r.returncode, 0, r.stderr[-300:])
        rep = json.load(open(d("fab", "report.json"), encoding="utf-8"))
        flows = sum(1 for x in s1 + s2 if x["event_type"] == "flow")
        c.eq("... the flows of both sensors", rep["flows"]["total"], flows)

        p = subprocess.Popen([FABMON, "collect", srv.url, "-o", d("fab"), "--follow"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        r = fabmon("-q", "-r", DEMO, "-o", d("s3"), "--publish", srv.url, "--sensor-name", "s3",
                   "--no-input-hash")
        s3 = eve_lines(d("s3"))
        for _ in range(100):
            if sum(1 for x in eve_lines(d("fab")) if x.get("host") == "s3") == len(s3):
                break
            time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        c.eq("--follow: exit code after SIGTERM", p.returncode, 0, err[-300:])
        c.true("--follow: the third sensor's records arrived, once",
               [x for x in eve_lines(d("fab")) if x.get("host") == "s3"] == s3)

        # 6. one connection seen by two mirror ports
        publish_mirror_ports(srv.url, d, "fab2")
        r = fabmon("collect", srv.url, "--site", "fab2", "-o", d("fab2-all"))
        c.eq("collect --site fab2 with the consumer of all sites: exit code", r.returncode, 3)
        c.true("... says to give another --durable", "another --durable" in r.stderr, r.stderr)
        check_fab_wide(srv.url, d, "fab2")

        r = fabmon("collect", "http://127.0.0.1:1", "-o", d("e"))
        c.eq("collect http://...: exit code", r.returncode, 2)
        r = fabmon("collect", srv.url)
        c.eq("collect without -o: exit code", r.returncode, 2)
        r = fabmon("collect", f"nats://127.0.0.1:{free_port()}", "-o", d("e"))
        c.eq("collect with no server: exit code", r.returncode, 3)
        c.true("... says so", "cannot reach" in r.stderr, r.stderr)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
