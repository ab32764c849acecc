#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The fab-wide inventory in JetStream's key-value store (issue 18 item 2),
against a real nats-server.

usage: test_asset_kv.py FABMON NATS_STREAM_DUMP SOURCE_ROOT KV_RACE

1. The demo split between two mirror ports (test_report_merge.py's split:
   both see the EAP's HSMS connection to 10.30.1.21) publishes, one sensor
   after the other: bucket fabmon_assets holds one entry per asset
   (<site>.<ip>), each exactly the merge of every asset record of both
   sensors by the documented rules (computed here from their eve.json);
   the shared tool's entry lists both sensors and each one's own counts;
   `fabmon collect --site` writes the site's entries to inventory.json,
   and `fabmon report` of that directory shows each asset as the
   inventory has it (sensors, ports, revision); a cut inventory.json is a
   note, not an error.
2. The same two in the other order (another site): the same entries.
3. Six sensors publishing one generated fab capture at once (another
   site; 500 assets, 1,000 asset records each): they write the same
   entries at the same time; compare-and-set keeps every sensor's part:
   each entry lists all six and equals the merge (normal build only).
4. A race made on purpose (kv_race.c: six threads, each a sensor with a
   connection of its own, merging 200 records each into the same four
   entries as fast as they can, with fabmon's asset_kv_put): every entry
   lists every sensor and every port, the writes lost to another's
   counted. (With a plain put in place of compare-and-set this part fails:
   checked when it was written.)
5. The same capture read again into the same directory and everything
   published again (publish.state set back): no entry changes.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_publish  # noqa: E402
from fabmon_test_util import Check  # noqa: E402
from test_publish import Server, eve_lines, fabmon  # noqa: E402

FABMON, DUMP, SRC, RACE = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
_argv, sys.argv = sys.argv, [sys.argv[0], FABMON, SRC]
import test_report_merge as merge  # noqa: E402  (its split of the demo)
sys.argv = _argv
GEN = os.path.join(SRC, "bench", "gen_fab_capture.py")
BUCKET = "fabmon_assets"
PER_SENSOR = ("messages", "requests", "writes")
c = Check("asset-kv")
# tests/meson.build: the sanitizer build leaves out the six-sensor scale check
SANITIZED = os.environ.get("FABMON_SANITIZED", "none") not in ("", "none")
test_publish.c = merge.c = c


def sort_key(v):
    return (0, v, "") if isinstance(v, int) else (1, 0, json.dumps(v, sort_keys=True))


def merge_asset(out, asset, site, sensor):
    """README "Many sensors", the inventory: what an entry should be."""
    last, out_last = asset.get("last_seen"), out.get("last_seen")
    newer = out_last is None or (last is not None and last >= out_last)
    mine = out.setdefault("by_sensor", {}).setdefault(sensor, {})
    for k, v in asset.items():
        if k == "change":
            continue
        if k in PER_SENSOR and isinstance(v, int):
            mine[k] = max(mine.get(k, v), v)
        elif k in ("first_seen", "last_seen"):
            pick = min if k == "first_seen" else max
            out[k] = pick(out.get(k, v), v)
            mine[k] = pick(mine.get(k, v), v)
        elif isinstance(v, list):
            have = out.setdefault(k, [])
            have.extend(x for x in v if x not in have)
            have.sort(key=sort_key)
        elif newer or k not in out:
            out[k] = v
    out["sensors"] = sorted(set(out.get("sensors", [])) | {sensor})
    out["site"] = site


def expected(site, sensor_dirs):
    """{key: entry} from the sensors' asset records, folded in the order given."""
    entries = {}
    for sensor, d in sensor_dirs:
        for r in eve_lines(d):
            if r["event_type"] == "asset" and "ip" in r.get("asset", {}):
                key = f"{site}.{r['asset']['ip'].replace(':', '_')}"
                merge_asset(entries.setdefault(key, {}), r["asset"], site, sensor)
    return entries


def bucket(srv, site):
    """{key: the entry's last value} of the bucket, for one site."""
    r = subprocess.run([DUMP, srv.url, f"KV_{BUCKET}"], capture_output=True, text=True, timeout=60)
    c.eq("the bucket's stream can be read", r.returncode, 0, r.stderr)
    out = {}
    for line in r.stdout.splitlines():
        m = json.loads(line)
        key = m["subject"][len(f"$KV.{BUCKET}."):]
        if key.startswith(site + "."):
            out[key] = m["data"]
    return out


def publish(capture, out, srv, site, sensor, wait=True):
    args = [FABMON, "-q", "-r", capture, "-o", out, "--publish", srv.url, "--site", site,
            "--sensor-name", sensor, "--no-input-hash", "--no-report"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.communicate(timeout=120) + (p.returncode,) if wait else p


def check_site(what, srv, site, sensor_dirs):
    want = expected(site, sensor_dirs)
    got = bucket(srv, site)
    c.eq(f"{what}: one entry per asset", sorted(got), sorted(want))
    for k in sorted(want):
        c.eq(f"{what}: entry {k}", got.get(k), want[k])
    return got


def six_at_once(srv, d):
    """Six sensors publish the same generated capture at once: every entry
    lists the six and equals the merge of their eve.json."""
    r = subprocess.run(["/usr/bin/python3", GEN, d("fab.pcap"), "--packets", "20000"],
                       capture_output=True, text=True, timeout=120)
    c.eq("generated capture", r.returncode, 0, r.stderr[-200:])
    names = [f"c{i}" for i in range(1, 7)]
    procs = [publish(d("fab.pcap"), d("c", n), srv, "fab4", n, wait=False) for n in names]
    for n, p in zip(names, procs):
        _, err = p.communicate(timeout=240)
        c.eq(f"at once, {n}: exit code", p.returncode, 0, err[-300:])
    got6 = check_site("six at once", srv, "fab4", [(n, d("c", n)) for n in names])
    c.true("six at once: hundreds of entries", len(got6) >= 100, str(len(got6)))
    c.true("six at once: every entry lists the six sensors",
           got6 and all(v["sensors"] == names for v in got6.values()))


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-asset-kv-")
    srv = Server(tmp)
    d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
    try:
        srv.start()
        merge.split(d("eap.pcap"), d("core.pcap"))
        # 1. one mirror port after the other
        for sensor, cap in (("mirror-eap", "eap.pcap"), ("mirror-core", "core.pcap")):
            _, err, rc = publish(d(cap), d("a", sensor), srv, "fab3", sensor)
            c.eq(f"{sensor}: exit code", rc, 0, err[-300:])
        dirs = [("mirror-eap", d("a", "mirror-eap")), ("mirror-core", d("a", "mirror-core"))]
        got = check_site("two mirror ports", srv, "fab3", dirs)
        tool = got.get("fab3.10.30.1.21", {})
        c.eq("the shared tool: both sensors", tool.get("sensors"), ["mirror-core", "mirror-eap"])
        c.true("the shared tool: each sensor's own message count",
               all(tool.get("by_sensor", {}).get(s, {}).get("messages", 0) > 0
                   for s in ("mirror-core", "mirror-eap")), json.dumps(tool))
        c.eq("the shared tool: its model (from the HSMS identification)", tool.get("model"),
             "ETCH-3000")
        # fabmon collect writes the site's inventory beside the fab-wide eve.json
        r = fabmon("collect", srv.url, "--site", "fab3", "--durable", "fab3", "-o", d("fab3"))
        c.eq("collect --site fab3: exit code", r.returncode, 0, r.stderr[-300:])
        with open(d("fab3", "inventory.json"), encoding="utf-8") as f:
            inv = json.load(f)
        c.eq("inventory.json: the bucket", inv.get("bucket"), BUCKET)
        c.eq("inventory.json: the site's entries, by key, as the bucket has them",
             [(a["key"], a["value"]) for a in inv.get("assets", [])], sorted(got.items()))
        c.true("inventory.json: each entry's revision",
               all(isinstance(a.get("revision"), int) and a["revision"] > 0
                   for a in inv.get("assets", [])))
        # the fab-wide report of the collected directory takes the inventory's view
        r = fabmon("report", "-q", d("fab3"))
        c.eq("report of the collected directory: exit code", r.returncode, 0, r.stderr[-300:])
        with open(d("fab3", "report.json"), encoding="utf-8") as f:
            rep = json.load(f)
        kv = {a["value"]["ip"]: a for a in inv["assets"]}
        assets = {a["ip"]: a for a in rep["assets"]}
        c.true("report: assets with an inventory entry", set(kv) & set(assets), str(sorted(assets)))
        for ip in sorted(set(kv) & set(assets)):
            v = kv[ip]["value"]
            c.eq(f"report: {ip} seen by", assets[ip]["sensors"], v["sensors"])
            c.eq(f"report: {ip} inventory revision", assets[ip]["inventory_revision"],
                 kv[ip]["revision"])
            c.eq(f"report: {ip} ports, every sensor's", assets[ip]["ports"],
                 v.get("hsms_ports", v.get("ports")))
        with open(d("fab3", "report.html"), encoding="utf-8") as f:
            c.true("report.html: the shared tool seen by both sensors",
                   "seen by mirror-core, mirror-eap" in f.read())
        with open(d("fab3", "inventory.json"), "w", encoding="utf-8") as f:
            f.write('{"bucket": "fabmon_assets", "assets": [')
        r = fabmon("report", "-q", d("fab3"))
        c.eq("report with a cut inventory.json: exit code", r.returncode, 0, r.stderr[-300:])
        with open(d("fab3", "report.json"), encoding="utf-8") as f:
            rep = json.load(f)
        c.true("report with a cut inventory.json: a note names it and where",
               any("inventory.json not used: line" in n for n in rep.get("notes", [])),
               str(rep.get("notes")))
        c.true("report with a cut inventory.json: assets without an inventory view",
               all(a["sensors"] is None for a in rep["assets"]))

        # 2. the other order: the same entries
        for sensor, cap in (("mirror-core", "core.pcap"), ("mirror-eap", "eap.pcap")):
            _, err, rc = publish(d(cap), d("b", sensor), srv, "fab5", sensor)
            c.eq(f"other order, {sensor}: exit code", rc, 0, err[-300:])
        other = bucket(srv, "fab5")
        c.eq("other order: the same entries",
             {k[len("fab5."):]: dict(v, site="-") for k, v in other.items()},
             {k[len("fab3."):]: dict(v, site="-") for k, v in got.items()})

        # 3. six sensors at once, the same assets (a scale check: normal build
        # only; the merge under the sanitizers is parts 1, 2 and 4)
        if not SANITIZED:
            six_at_once(srv, d)

        # 4. a race on purpose
        r = subprocess.run([RACE, srv.url, "6", "200"], capture_output=True, text=True,
                           timeout=120)
        c.eq("race: exit code", r.returncode, 0, r.stderr[-300:])
        conflicts = json.loads(r.stdout or "{}").get("conflicts", 0)
        race = bucket(srv, "race")
        c.eq("race: four entries", sorted(race), [f"race.10.99.0.{i}" for i in range(1, 5)])
        sensors = [f"t{i}" for i in range(1, 7)]
        for i in range(1, 5):
            e = race.get(f"race.10.99.0.{i}", {})
            c.eq(f"race: 10.99.0.{i} lists every sensor", e.get("sensors"), sensors)
            c.eq(f"race: 10.99.0.{i} has every port",
                 e.get("ports"), [1000 + r for r in range(200) if r % 4 + 1 == i])
            c.eq(f"race: 10.99.0.{i} each sensor's count", sorted(
                v.get("messages") for v in e.get("by_sensor", {}).values()),
                [max(r + 1 for r in range(200) if r % 4 + 1 == i)] * 6)
        c.true("race: writes were lost to others and merged again", conflicts > 0, str(conflicts))
        print(f"race: {conflicts} writes lost to another sensor's and merged again")

        # 5. everything sent again: no entry changes
        before = bucket(srv, "fab3")
        st = test_publish.state(d("a", "mirror-eap"))
        st.update(offset=0, seq=0)
        with open(d("a", "mirror-eap", "publish.state"), "w", encoding="utf-8") as f:
            json.dump(st, f)
        r = fabmon("-q", "-r", d("eap.pcap"), "-o", d("a", "mirror-eap"), "--append", "--publish",
                   srv.url, "--site", "fab3", "--sensor-name", "mirror-eap", "--no-input-hash",
                   "--no-report")
        c.eq("sent again: exit code", r.returncode, 0, r.stderr[-300:])
        after = bucket(srv, "fab3")
        c.eq("sent again: the same entries", after, before)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
