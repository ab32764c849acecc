#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The zone-separation audit report (`fabmon report DIR`) end to end.

usage: test_report.py FABMON SOURCE_ROOT

1. The zone scenario (tests/tools/gen_zone_scenario.py) with its injected
   violations, against the example site policy plus one zone and one
   conduit that no traffic uses (the zone's name carries HTML-special
   characters): report.json's matrix (flows, bytes, apps, ports, conduits,
   verdicts, first/last seen per zone pair) equals the one computed here
   from eve.json's flow records; the rule counts equal the sum of the alert
   records' counts (and the final stats); the inventory has the three tools
   with their MDLN/SOFTREV; the unused zone is listed as not evidenced and
   the unused conduit as not observed; matrix.csv and inventory.csv say the
   same (RFC 4180).
2. report.html in headless Chromium: a screenshot (decoded here: not
   blank) and the DOM, whose matrix, rule, asset, zone and conduit rows
   carry the expected data-* values, with the SVG diagram.
3. The clean capture: no violating pair, no alert.
4. Strings from packets are escaped: an asset record whose model is markup
   stays text in the DOM, and survives CSV quoting.
5. Errors: no directory, no eve.json (exit 3), a line that is not JSON
   (exit 4, file:line, counted), a missing policy copy (report without the
   policy sections, said), an output that cannot be written (exit 5).
"""
import csv
import hashlib
import ipaddress
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve, final_stats  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
GEN = os.path.join(ROOT, "tests/tools/gen_zone_scenario.py")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

ODD_ZONE = "amhs<i>&\"x'"          # a zone no traffic reaches, named to need escaping
ODD_CONDUIT = "mcs-to-amhs"
TOOLS = {"10.30.1.21": ("ETCH-9000", "4.2.1"), "10.30.1.22": ("CVD-300", "7.0.3"),
         "10.30.1.23": ("LITHO-X1", "2.0")}

c = Check("report")
t0 = time.time()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def plus_policy(path):
    """The site policy with one more zone and one more conduit, both unused."""
    with open(SITE, encoding="utf-8") as f:
        s = f.read()
    q = json.dumps(ODD_ZONE)
    s = s.replace("\nhosts:\n", "  - {name: %s, purdue: 1, area: fab-area, sl_t: 2, "
                  "networks: [10.40.0.0/16]}\n\nhosts:\n" % q, 1)
    s += ("  - name: %s\n    from: fab-system\n    to: %s\n    allow:\n"
          "      - {app: any, ports: [9000]}\n" % (ODD_CONDUIT, q))
    with open(path, "w", encoding="utf-8") as f:
        f.write(s)


def expected_matrix(records):
    """The zone x zone matrix, from the flow records' policy verdicts."""
    m = {}
    for r in records:
        if r.get("event_type") != "flow" or "policy" not in r:
            continue
        p = r["policy"]
        k = (p["src_zone"], p["dest_zone"])
        e = m.setdefault(k, {"flows": 0, "bytes": 0, "apps": set(), "ports": set(),
                             "conduits": set(), "verdicts": set(), "first": None, "last": None})
        e["flows"] += 1
        e["bytes"] += r["flow"]["bytes_toserver"] + r["flow"]["bytes_toclient"]
        e["apps"].add(r["app_proto"])
        if "dest_port" in r:
            e["ports"].add(r["dest_port"])
        if p.get("conduit"):
            e["conduits"].add(p["conduit"])
        e["verdicts"].add(p["verdict"])
        st, en = r["flow"]["start"], r["flow"]["end"]
        e["first"] = st if e["first"] is None or st < e["first"] else e["first"]
        e["last"] = en if e["last"] is None or en > e["last"] else e["last"]
    out = {}
    for k, e in m.items():
        v = e["verdicts"]
        verdict = ("violating" if "violation" in v else "allowed" if "allowed" in v
                   else "intra-zone" if "intra-zone" in v else "unzoned")
        out[k] = {"flows": e["flows"], "bytes": e["bytes"], "apps": sorted(e["apps"]),
                  "ports": sorted(e["ports"]), "conduits": sorted(e["conduits"]),
                  "verdict": verdict, "first_seen": e["first"], "last_seen": e["last"]}
    return out


def report_matrix(rep):
    return {(x["src_zone"], x["dest_zone"]): {
        "flows": x["flows"], "bytes": x["bytes"], "apps": sorted(x["apps"]),
        "ports": sorted(x["ports"]), "conduits": sorted(x["conduits"]),
        "verdict": x["verdict"], "first_seen": x["first_seen"], "last_seen": x["last_seen"]}
        for x in rep["matrix"]}


def rule_sums(records):
    s = {}
    for r in records:
        if r.get("event_type") == "alert":
            s[r["alert"]["rule_id"]] = s.get(r["alert"]["rule_id"], 0) + r["alert"].get("count", 1)
    return s


def zones_seen(records):
    z = set()
    for r in records:
        if r.get("event_type") == "flow" and "policy" in r:
            z.add(r["policy"]["src_zone"])
            z.add(r["policy"]["dest_zone"])
    return z


# ------------------------------------------------------------ DOM and PNG

class Dom(HTMLParser):
    """Rows (by class) with their data-* attributes; svg and script tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = {}
        self.tags = {}
        self.edges = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for cls in (a.get("class") or "").split():
            if tag in ("tr", "g", "div", "td"):
                self.rows.setdefault(cls, []).append(a)


def dom_of(html_path, tmp):
    r = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--user-data-dir=" + os.path.join(tmp, "chrome"), "--dump-dom",
             "file://" + os.path.abspath(html_path)])
    c.eq("chromium --dump-dom exit", r.returncode, 0)
    d = Dom()
    d.feed(r.stdout)
    return r.stdout, d


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA PNG: (width, height, rows of bytes, bytes per pixel)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        typ, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, hdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        ft, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            cc = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - cc
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


def check_screenshot(html_path, tmp):
    shot = os.path.join(tmp, "shot.png")
    r = run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--user-data-dir=" + os.path.join(tmp, "chrome"), "--screenshot=" + shot,
             "--window-size=1400,2000", "file://" + os.path.abspath(html_path)])
    c.eq("chromium --screenshot exit", r.returncode, 0)
    c.true("screenshot written", os.path.exists(shot) and os.path.getsize(shot) > 1000)
    if not os.path.exists(shot):
        return
    w, h, rows, bpp = png_pixels(shot)
    c.eq("screenshot size", (w, h), (1400, 2000))
    colours, non_white, total = set(), 0, 0
    for y in range(0, h, 3):
        row = rows[y]
        for x in range(0, w * bpp, 3 * bpp):
            px = row[x:x + 3]
            colours.add(px)
            total += 1
            if px != b"\xff\xff\xff":
                non_white += 1
    c.true("screenshot has many colours", len(colours) > 100, f"({len(colours)})")
    c.true("screenshot is not blank", non_white > total // 5, f"({non_white} of {total})")


# ------------------------------------------------------------------ tests

def test_violations(tmp):
    plus = os.path.join(tmp, "site-plus.yaml")
    plus_policy(plus)
    out = os.path.join(tmp, "out")
    r = run([FABMON, "-q", "-r", os.path.join(tmp, "fab-violations.pcap"), "-o", out, "-c", plus])
    c.eq("fabmon -r exit", r.returncode, 0)
    # an offline run with -o ends with the report, built from the records as
    # it wrote them; `fabmon report` on the same directory afterwards reads
    # eve.json back and says the same (only the generation time differs, and
    # only the report that read the file has its SHA-256)
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        at_end = json.load(f)
    with open(os.path.join(out, "matrix.csv"), encoding="utf-8") as f:
        at_end_csv = f.read()
    with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
        at_end_html = f.read()
    c.true("report.html at the end of -r says it was built from the run",
           'data-key="built_from"' in at_end_html and 'data-key="eve_json_sha256"' not in at_end_html)
    r = run([FABMON, "report", out])
    c.eq("report exit", (r.returncode, r.stderr), (0, ""))
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        again = json.load(f)
    c.eq("built from: the run, then eve.json",
         (at_end["input"]["built_from"], at_end["input"]["sha256"], again["input"]["built_from"]),
         ("run", None, "eve.json"))
    c.eq("the sensor's eve.json: not hashed by the run, hashed when read",
         (at_end["sensors"][0]["sha256"], again["sensors"][0]["sha256"]),
         (None, hashlib.sha256(open(os.path.join(out, "eve.json"), "rb").read()).hexdigest()))
    for rr in (at_end, again):
        rr["report"].pop("generated", None)
        rr["input"].pop("built_from", None)
        rr["input"].pop("sha256", None)
        rr["sensors"][0].pop("sha256", None)
    c.eq("report at the end of -r equals fabmon report", at_end, again)
    with open(os.path.join(out, "matrix.csv"), encoding="utf-8") as f:
        c.eq("matrix.csv at the end of -r equals fabmon report's", at_end_csv, f.read())
    for name in ("report.json", "report.html", "matrix.csv", "inventory.csv"):
        c.true(f"{name} written", os.path.exists(os.path.join(out, name)))
    recs = read_eve(os.path.join(out, "eve.json"))
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)

    # the run header
    run_rec = recs[0]["run"]
    c.eq("run: version", rep["run"]["fabmon_version"], run_rec["fabmon_version"])
    c.eq("run: mode", rep["run"]["mode"], "read")
    c.eq("run: inputs", rep["run"]["inputs"], run_rec["inputs"])
    c.eq("policy: sha256", rep["policy"]["sha256"], run_rec["policy"]["sha256"])
    c.eq("policy: copy verified", (rep["policy"]["loaded"], rep["policy"]["copy_sha256_verified"]),
         (True, True))
    st = final_stats(recs)
    c.eq("packets", rep["run"]["capture"]["packets"], st["capture"]["packets"])
    c.eq("kernel drops", rep["run"]["capture"]["kernel_drops"], st["capture"]["kernel_drops"])
    flows = [x for x in recs if x.get("event_type") == "flow"]
    c.eq("window start", rep["run"]["first_flow_start"], min(x["flow"]["start"] for x in flows))
    c.eq("window end", rep["run"]["last_flow_end"], max(x["flow"]["end"] for x in flows))
    c.eq("bad lines", rep["input"]["bad_lines"], 0)
    c.eq("records", rep["input"]["records"], len(recs))
    with open(os.path.join(out, "eve.json"), "rb") as f:
        raw = f.read()
    c.eq("input: sha256 and size of eve.json", (rep["input"]["sha256"], rep["input"]["bytes"], rep["input"]["complete"]),
         (hashlib.sha256(raw).hexdigest(), len(raw), True))

    # the matrix, computed independently
    want = expected_matrix(recs)
    got = report_matrix(rep)
    c.eq("matrix pairs", sorted(got, key=str), sorted(want, key=str))
    for k in want:
        c.eq(f"matrix {k}", got.get(k), want[k])
    c.eq("enterprise -> fab-equipment violating", got.get(("enterprise", "fab-equipment"), {})
         .get("verdict"), "violating")
    c.true("some pair allowed", any(v["verdict"] == "allowed" for v in got.values()))

    # rules: the sum of the alert records' counts, and the final stats
    sums = rule_sums(recs)
    c.eq("rule counts", {x["rule"]: x["count"] for x in rep["rules"]}, sums)
    c.eq("rule counts = stats.by_rule", sums, st["alerts"]["by_rule"])
    c.eq("FAB-HSMS-008 count", sums.get("FAB-HSMS-008"), 2)
    c.eq("alerts listed", len(rep["alerts"]), sum(1 for x in recs if x.get("event_type") == "alert"))

    # the inventory
    inv = {a["ip"]: a for a in rep["assets"] if a["kind"] == "equipment"}
    for ip, (model, rev) in TOOLS.items():
        a = inv.get(ip, {})
        c.eq(f"inventory {ip}", (a.get("model"), a.get("revision"), a.get("zone"),
                                 a.get("baseline_match")), (model, rev, "fab-equipment", True))
    c.true("modbus device in the inventory",
           any(a["kind"] == "modbus-server" and a["ip"] == "10.30.50.5" for a in rep["assets"]))

    # zones: the unused one is not evidenced, the others are as seen
    seen = zones_seen(recs)
    c.eq("zones not evidenced", rep["zones_not_evidenced"],
         [z["name"] for z in rep["zones"] if z["name"] not in seen])
    c.eq("odd zone not evidenced", rep["zones_not_evidenced"], [ODD_ZONE])
    hosts = {h["ip"] for z in rep["zones"] for h in z["hosts"]}
    want_hosts = {x[k] for x in flows for k in ("src_ip", "dest_ip")}
    c.eq("hosts in zones", hosts, want_hosts)
    c.eq("unzoned hosts", rep["unzoned_hosts"], [])
    cond = {x["name"]: x for x in rep["conduits"]}
    c.eq("conduits", sorted(cond), sorted(["eap-to-equipment", "equipment-services",
                                           "scada-to-facility", "dmz-to-equipment",
                                           "enterprise-to-dmz", ODD_CONDUIT]))
    c.eq("unused conduit", (cond[ODD_CONDUIT]["observed"], cond[ODD_CONDUIT]["flows"]), (False, 0))
    per_conduit = {}
    for x in flows:
        if x["policy"].get("conduit"):
            per_conduit[x["policy"]["conduit"]] = per_conduit.get(x["policy"]["conduit"], 0) + 1
    c.eq("flows per conduit", {k: v["flows"] for k, v in cond.items() if v["flows"]}, per_conduit)
    # violating flows between a conduit's zones that it does not allow
    outside = {}
    for x in flows:
        vc = x["policy"].get("violated_conduit")
        if vc and x["policy"]["verdict"] == "violation":
            o = outside.setdefault(vc, {"flows": 0, "apps": set(), "ports": set(), "clients": set()})
            o["flows"] += 1
            o["apps"].add(x.get("app_proto") or "unknown")
            o["ports"].add(x["dest_port"])
            o["clients"].add(x["src_ip"])
    c.true("some flows violate a conduit of their zones", sum(o["flows"] for o in outside.values()) > 0,
           str(outside))
    c.eq("flows not allowed per conduit",
         {k: (v["flows_not_allowed"], v["ports_not_allowed"], v["clients_not_allowed"])
          for k, v in cond.items() if v["flows_not_allowed"]},
         {k: (o["flows"], sorted(o["ports"]), sorted(o["clients"], key=ipaddress.ip_address))
          for k, o in outside.items()})
    c.eq("eap-to-equipment allows hsms", [a["app"] for a in cond["eap-to-equipment"]["allow"]],
         ["hsms", "SSH"])

    # HSMS histogram: the hsms records, and the routine messages (linktests,
    # S6F11/F12, S1F3/F4) that flow records count instead (--hsms-records
    # non-routine, the default)
    hs = {}
    for x in recs:
        if x.get("event_type") == "hsms":
            key = x["hsms"].get("sf") or x["hsms"]["stype"]
            d = hs.setdefault((x["src_ip"], x["dest_ip"]), {})
            d[key] = d.get(key, 0) + 1
    counted = 0
    for x in flows:
        for side in x.get("hsms", {}).get("messages_without_record", {}).values():
            for key, n in side.items():
                d = hs.setdefault((x["src_ip"], x["dest_ip"]), {})
                d[key] = d.get(key, 0) + n
                counted += n
    c.true("routine HSMS messages are counted in flow records, not written", counted > 0)
    c.eq("no routine hsms record by default",
         [x["hsms"].get("sf") or x["hsms"]["stype"] for x in recs if x.get("event_type") == "hsms"
          and (x["hsms"].get("sf") in ("S6F11", "S6F12", "S1F3", "S1F4")
               or x["hsms"]["stype"].startswith("linktest"))
          and x["hsms"].get("session_state") in ("selected", "unknown")
          and "body_error" not in x["hsms"]
          and x["hsms"].get("transaction", {}).get("matched", True)], [])
    c.eq("hsms histogram", {(h["src_ip"], h["dest_ip"]): h["messages"] for h in rep["hsms"]}, hs)
    # with a record for every message the histogram is the same
    out_all = os.path.join(tmp, "out-hsms-all")
    r = run([FABMON, "-q", "-r", os.path.join(tmp, "fab-violations.pcap"), "-o", out_all, "-c", plus,
             "--hsms-records", "all"])
    c.eq("fabmon --hsms-records all exit", r.returncode, 0)
    with open(os.path.join(out_all, "report.json"), encoding="utf-8") as f:
        rep_all = json.load(f)
    recs_all = read_eve(os.path.join(out_all, "eve.json"))
    n_all = sum(1 for x in recs_all if x.get("event_type") == "hsms")
    n_default = sum(1 for x in recs if x.get("event_type") == "hsms")
    c.eq("hsms records: all = default + counted", n_all, n_default + counted)
    c.eq("hsms histogram, --hsms-records all",
         {(h["src_ip"], h["dest_ip"]): h["messages"] for h in rep_all["hsms"]}, hs)
    mb = {}
    for x in flows:
        for k, n in x.get("modbus", {}).get("requests_by_access", {}).items():
            d = mb.setdefault((x["src_ip"], x["dest_ip"]), {})
            d[k] = d.get(k, 0) + n
    c.eq("modbus access", {(m["client"], m["server"]): m["access"] for m in rep["modbus"]}, mb)

    # the CSV files say the same (RFC 4180: csv module, CRLF)
    with open(os.path.join(out, "matrix.csv"), newline="", encoding="utf-8") as f:
        raw = f.read()
    c.true("matrix.csv CRLF", raw.count("\r\n") == len(rep["matrix"]) + 1)
    rows = list(csv.DictReader(raw.splitlines()))
    c.eq("matrix.csv rows", len(rows), len(rep["matrix"]))
    csv_m = {(r["src_zone"], r["dest_zone"]): (r["verdict"], int(r["flows"]), int(r["bytes"]),
                                               r["apps"].split(";"),
                                               [int(p) for p in r["ports"].split(";") if p])
             for r in rows}
    c.eq("matrix.csv", csv_m, {(k[0] or "(none)", k[1] or "(none)"):
                               (v["verdict"], v["flows"], v["bytes"], v["apps"], v["ports"])
                               for k, v in want.items()})
    with open(os.path.join(out, "inventory.csv"), newline="", encoding="utf-8") as f:
        inv_rows = list(csv.DictReader(f))
    c.eq("inventory.csv tools", {r["ip"]: (r["model"], r["revision"]) for r in inv_rows
                                 if r["kind"] == "equipment"}, TOOLS)

    # the HTML in a browser
    html_path = os.path.join(out, "report.html")
    with open(html_path, encoding="utf-8") as f:
        html = f.read()
    # self-contained: no script, no stylesheet or image or font fetched
    for what, pat in (("script", r"<script"), ("link", r"<link"), ("import", r"@import"),
                      ("src", r"\ssrc\s*="), ("url", r"url\(\s*(?!['\"]?#)"),
                      ("href", r"href\s*=\s*(?!['\"]?#)")):
        c.eq(f"report.html self-contained ({what})", re.findall(pat, html), [])
    check_screenshot(html_path, tmp)
    text, dom = dom_of(html_path, tmp)
    c.true("DOM has the svg", "<svg" in text and dom.tags.get("svg", 0) == 1)
    m = re.search(r'data-key="eve_json_sha256"><th>[^<]*</th><td>([0-9a-f]{64})</td>', text)
    c.eq("DOM run header: eve.json SHA-256", m.group(1) if m else None, rep["input"]["sha256"])
    rows = {(a["data-src"], a["data-dst"]): a for a in dom.rows.get("matrix-row", [])}
    c.eq("DOM matrix rows", len(rows), len(want))
    for (s, d), v in want.items():
        a = rows.get((s or "(none)", d or "(none)"), {})
        c.eq(f"DOM matrix {s}->{d}", (a.get("data-verdict"), a.get("data-flows"), a.get("data-bytes")),
             (v["verdict"], str(v["flows"]), str(v["bytes"])))
    ent = rows.get(("enterprise", "fab-equipment"), {})
    c.eq("DOM enterprise -> fab-equipment", (ent.get("data-verdict"), ent.get("data-flows")),
         ("violating", str(want[("enterprise", "fab-equipment")]["flows"])))
    c.eq("DOM rule rows", {a["data-rule"]: int(a["data-count"]) for a in dom.rows.get("rule-row", [])},
         sums)
    assets = {a["data-ip"]: (a.get("data-model"), a.get("data-revision"))
              for a in dom.rows.get("asset-row", []) if a.get("data-kind") == "equipment"}
    c.eq("DOM asset rows", assets, TOOLS)
    zrows = {a["data-zone"]: a["data-evidenced"] for a in dom.rows.get("zone-row", [])}
    c.eq("DOM odd zone row (escaped name intact)", zrows.get(ODD_ZONE), "false")
    c.eq("DOM zones evidenced", sorted(z for z, e in zrows.items() if e == "true"), sorted(seen))
    boxes = {a["data-zone"]: a["data-evidenced"] for a in dom.rows.get("zone-box", [])}
    c.eq("SVG zone boxes", boxes, zrows)
    c.true("no element injected by the zone name", dom.tags.get("i", 0) == 0)
    crow = {a["data-conduit"]: a["data-observed"] for a in dom.rows.get("conduit-row", [])}
    c.eq("DOM conduit rows", crow, {k: "true" if v["observed"] else "false" for k, v in cond.items()})
    crow = {a["data-conduit"]: a["data-flows-not-allowed"] for a in dom.rows.get("conduit-row", [])}
    c.eq("DOM conduit rows: flows not allowed", crow, {k: str(v["flows_not_allowed"]) for k, v in cond.items()})
    edges = dom.rows.get("edge", [])
    c.true("SVG edge for the unused conduit, grey",
           any(e.get("data-conduit") == ODD_CONDUIT and "edge-unused" in e["class"] for e in edges))
    c.true("SVG green edge for eap-to-equipment",
           any(e.get("data-conduit") == "eap-to-equipment" and "edge-ok" in e["class"] for e in edges))
    viol = {(e["data-src"], e["data-dst"]) for e in edges if "edge-violating" in e["class"]}
    c.eq("SVG red edges", viol, {k for k, v in want.items() if v["verdict"] == "violating"
                                 and k[0] != k[1]})
    return out


def test_clean(tmp):
    out = os.path.join(tmp, "clean")
    r = run([FABMON, "-q", "-r", os.path.join(tmp, "fab-clean.pcap"), "-o", out, "-c", SITE,
             "--no-report"])
    c.eq("clean: fabmon -r exit", r.returncode, 0)
    c.eq("clean: --no-report writes no report",
         [n for n in ("report.json", "report.html", "matrix.csv", "inventory.csv")
          if os.path.exists(os.path.join(out, n))], [])
    r = run([FABMON, "report", out])
    c.eq("clean: report exit", r.returncode, 0)
    with open(os.path.join(out, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    recs = read_eve(os.path.join(out, "eve.json"))
    c.eq("clean: matrix", report_matrix(rep), expected_matrix(recs))
    c.eq("clean: violating pairs", [x for x in rep["matrix"] if x["verdict"] == "violating"], [])
    c.eq("clean: rules", rep["rules"], [])
    c.eq("clean: zones not evidenced", rep["zones_not_evidenced"],
         [z["name"] for z in rep["zones"] if z["name"] not in zones_seen(recs)])
    c.true("clean: the internet zone is not evidenced", "internet" in rep["zones_not_evidenced"])
    text, dom = dom_of(os.path.join(out, "report.html"), tmp)
    c.eq("clean: DOM violating rows",
         [a for a in dom.rows.get("matrix-row", []) if a["data-verdict"] == "violating"], [])


def test_escaping(tmp, out):
    """A model string with markup, commas and quotes (as a tool could send)."""
    d = os.path.join(tmp, "esc")
    shutil.copytree(out, d)
    evil = "<img src=x onerror=alert(1)>\"',=cmd|"
    rec = {"timestamp": "2026-03-02T08:01:30.000000+00:00", "event_type": "asset",
           "asset": {"change": "summary", "kind": "equipment", "protocol": "hsms",
                     "ip": "10.30.9.9", "model": evil, "software_revision": "1</td>",
                     "hsms_ports": [5000], "hosts": ["10.20.1.10"]}}
    # a control character (shown as \\xNN), quotes, and a cell a spreadsheet
    # would run as a formula
    odd = "=cmd\x01\"q\" & <marquee>"
    rec2 = json.loads(json.dumps(rec))
    rec2["asset"].update({"ip": "10.30.9.8", "model": odd, "software_revision": "2"})
    with open(os.path.join(d, "eve.json"), "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
        f.write(json.dumps(rec2) + "\n")
    r = run([FABMON, "report", d, "-o", os.path.join(d, "rep")])
    c.eq("escaping: report exit", r.returncode, 0)
    text, dom = dom_of(os.path.join(d, "rep", "report.html"), tmp)
    c.eq("escaping: no img element", dom.tags.get("img", 0), 0)
    a = [x for x in dom.rows.get("asset-row", []) if x["data-ip"] == "10.30.9.9"]
    c.eq("escaping: model kept as text", [(x["data-model"], x["data-revision"]) for x in a],
         [(evil, "1</td>")])
    with open(os.path.join(d, "rep", "inventory.csv"), newline="", encoding="utf-8") as f:
        rows = [x for x in csv.DictReader(f) if x["ip"] == "10.30.9.9"]
    c.eq("escaping: inventory.csv model", [x["model"] for x in rows], [evil])
    a = [x["data-model"] for x in dom.rows.get("asset-row", []) if x["data-ip"] == "10.30.9.8"]
    c.eq("escaping: control character and quotes in HTML", a, ["=cmd\\x01\"q\" & <marquee>"])
    c.eq("escaping: no marquee element", dom.tags.get("marquee", 0), 0)
    with open(os.path.join(d, "rep", "inventory.csv"), newline="", encoding="utf-8") as f:
        rows = [x for x in csv.DictReader(f) if x["ip"] == "10.30.9.8"]
    c.eq("escaping: inventory.csv formula, quotes", [x["model"] for x in rows], ["'" + odd])


def test_errors(tmp, out):
    r = run([FABMON, "report", os.path.join(tmp, "nonexistent")])
    c.eq("no directory: exit", r.returncode, 3)
    c.true("no directory: message", "nonexistent" in r.stderr, r.stderr)
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    r = run([FABMON, "report", empty])
    c.eq("no eve.json: exit", r.returncode, 3)
    c.true("no eve.json: message", "eve.json" in r.stderr and "No such file" in r.stderr, r.stderr)
    r = run([FABMON, "report"])
    c.eq("no argument: exit", r.returncode, 2)

    # a line that is not JSON: said with file:line, skipped, counted
    d = os.path.join(tmp, "bad")
    shutil.copytree(out, d)
    path = os.path.join(d, "eve.json")
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    lines.insert(5, '{"event_type":"flow", truncated\n')
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)
    r = run([FABMON, "report", d])
    c.eq("bad line: exit", r.returncode, 4)
    c.true("bad line: file:line", f"{path}:6:" in r.stderr, r.stderr)
    with open(os.path.join(d, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    c.eq("bad line: counted", rep["input"]["bad_lines"], 1)
    c.eq("bad line: the rest read", rep["input"]["records"], len(lines) - 1)
    with open(path, "rb") as f:
        c.eq("bad line: sha256 of the file as read", rep["input"]["sha256"], hashlib.sha256(f.read()).hexdigest())
    c.true("bad line: noted", any("not JSON" in n for n in rep["notes"]), rep["notes"])

    # the policy copy is gone: report without the policy sections, said so
    d = os.path.join(tmp, "nopolicy")
    shutil.copytree(out, d)
    for name in os.listdir(d):
        if name.startswith("policy-") and name.endswith(".yaml"):
            os.unlink(os.path.join(d, name))
    r = run([FABMON, "report", d])
    c.eq("no policy copy: exit", r.returncode, 0)
    c.true("no policy copy: warning", "policy copy" in r.stderr, r.stderr)
    with open(os.path.join(d, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    c.eq("no policy copy: not loaded, no conduits", (rep["policy"]["loaded"], rep["conduits"]),
         (False, []))
    c.true("no policy copy: noted", any("policy copy" in n for n in rep["notes"]), rep["notes"])
    recs = read_eve(os.path.join(d, "eve.json"))
    c.eq("no policy copy: matrix still there", report_matrix(rep), expected_matrix(recs))
    c.eq("no policy copy: zones from the flows",
         sorted(z["name"] for z in rep["zones"]), sorted(z for z in zones_seen(recs) if z))

    # an output that cannot be written
    r = run([FABMON, "report", out, "-o", os.path.join(out, "eve.json", "sub")])
    c.eq("unwritable output: exit", r.returncode, 5)
    c.true("unwritable output: message", "eve.json/sub" in r.stderr, r.stderr)


def main():
    with tempfile.TemporaryDirectory(prefix="fabmon-report-") as tmp:
        r = run(["/usr/bin/python3", GEN, tmp])
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            return 1
        out = test_violations(tmp)
        test_clean(tmp)
        test_escaping(tmp, out)
        test_errors(tmp, out)
    print(f"report: {time.time() - t0:.1f} s")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
