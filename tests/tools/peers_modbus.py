#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Peers' Modbus test suites as fabmon's regression tests.

usage: peers_modbus.py FABMON CAPTURES_DIR PEERS_DIR CASE

Zeek's btests (testing/btest: the Modbus traces and the baselines of the
tests that read them), cisagov/icsnpp-modbus's test (modbus_example.pcap and
its baselines) and suricata-verify's tests/modbus (modbus.pcap and the checks
of its test.yaml) are kept in tests/captures and tests/peers with their
provenance (MANIFEST.tsv). Each CASE runs fabmon on one trace
(`-r TRACE -o DIR --modbus-records all`), renders fabmon's Modbus PDUs the way
the peer's test printed them (Zeek's event lines and modbus.log rows,
icsnpp's modbus_detailed rows, Suricata's alert counts) and compares them
with the peer's baseline. Where fabmon and the peer disagree, the difference
must be exactly the one documented, with its explanation, in
tests/peers/differences.json: a new difference, or a documented one that went
away or changed, fails the test.

Normalisations (applied to both sides, listed here because they are not
differences):
- Zeek's ModbusHeaders `len` (the MBAP length field) is masked: fabmon's
  records do not carry it.
- Zeek's read coils / discrete inputs response prints every bit of its
  byte_count bytes (it does not know the request's quantity); fabmon writes
  the `quantity` bits the request asked for. fabmon's bits are padded with
  F up to byte_count * 8, so a non-zero padding bit would show as a
  difference.
- The MEI `data` bytes Zeek prints are masked: fabmon decodes them into
  fields instead of writing the raw bytes.
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from fabmon_test_util import Check, read_eve  # noqa: E402


# ---------------------------------------------------------------------------
# fabmon's records -> per-PDU facts. The ONE place that knows the layout.

def _first(*vals):
    for v in vals:
        if v is not None:
            return v
    return None


def _pdu(base, tx, direction, p):
    exc = p.get("exception")
    exc_code = None if exc is None else exc.get("raw", exc.get("code"))
    if "function_raw" in p:  # Suricata's name: the function byte as sent
        fc = p["function_raw"] & 0x7F
    else:
        fc = p["function"]
    rd, wr = p.get("read") or {}, p.get("write") or {}
    both = bool(rd) and bool(wr)
    # Suricata (sawp) writes the quantity a FC 15/16 response echoes as write.data
    echoed_quantity = wr.get("data") if direction == "response" and fc in (15, 16) else None
    return dict(base, tx=tx, dir=direction, tid=p["transaction_id"], unit=p["unit_id"],
                pid=p.get("protocol_id", 0), fc=fc, exception=exc_code,
                address=_first(p.get("address"), rd.get("address"), wr.get("address")),
                quantity=_first(p.get("quantity"), rd.get("quantity"), wr.get("quantity"), echoed_quantity),
                write_address=_first(p.get("write_address"), wr.get("address") if both else None),
                write_quantity=_first(p.get("write_quantity"), wr.get("quantity") if both else None),
                values=p.get("values"), bits=p.get("bits"), byte_count=p.get("byte_count"),
                and_mask=_first(p.get("and_mask"), wr.get("and_mask")),
                or_mask=_first(p.get("or_mask"), wr.get("or_mask")),
                subfunction=_first(p.get("subfunction"), (p.get("diagnostic") or {}).get("raw")),
                mei_type=_first(p.get("mei_type"), (p.get("mei") or {}).get("raw")),
                record=p)


def modbus_pdus(records):
    """Every Modbus PDU fabmon wrote, as flat facts, whichever record layout:
    one `modbus` record per PDU (`direction` request/response, today) or one
    per transaction (`id`, `request`, `response`: Suricata's layout). `tx` is
    the transaction's number in its flow (the record's `id`; for per-PDU
    records, counted here: a request opens one, a matched response joins the
    oldest open request with its transaction id, any other response is one).
    `flow` is the record's (src_ip, src_port, dest_ip, dest_port)."""
    out = []
    last_tx = collections.defaultdict(int)
    open_req = collections.defaultdict(list)
    for r in records:
        if r.get("event_type") != "modbus":
            continue
        m = r["modbus"]
        fid = r["flow_id"]
        base = {"flow": (r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"]), "flow_id": fid}
        if "direction" in m:
            tx = None
            if m["direction"] == "request":
                last_tx[fid] += 1
                tx = last_tx[fid]
                open_req[fid].append((m["transaction_id"], tx))
            elif (m.get("transaction") or {}).get("matched"):
                for i, (tid, t) in enumerate(open_req[fid]):
                    if tid == m["transaction_id"]:
                        tx = t
                        del open_req[fid][i]
                        break
            if tx is None:
                last_tx[fid] += 1
                tx = last_tx[fid]
            out.append(_pdu(base, tx, m["direction"], m))
        else:
            for d in ("request", "response"):
                if d in m:
                    out.append(_pdu(base, m["id"], d, m[d]))
    return out


def transactions(pdus):
    """{(flow_id, tx): {"request": pdu, "response": pdu}} in first-seen order."""
    txs = {}
    for p in pdus:
        txs.setdefault((p["flow_id"], p["tx"]), {})[p["dir"]] = p
    return txs


# ---------------------------------------------------------------------------
# Zeek's view of a PDU

def zeek_tables(peers):
    text = open(os.path.join(peers, "zeek/scripts/base/protocols/modbus/consts.zeek")).read()
    funcs_part, exc_part = text.split("exception_codes", 1)
    pat = re.compile(r'\[0x([0-9A-Fa-f]+)\]\s*=\s*"(\w+)"')
    funcs = {int(k, 16): v for k, v in pat.findall(funcs_part)}
    excs = {int(k, 16): v for k, v in pat.findall(exc_part)}
    return funcs, excs


def raw_fc(p):
    return p["fc"] | (0x80 if p["exception"] is not None else 0)


def client_server(p):
    """The flow as (client ip, client port, server ip, server port): Zeek's
    conn_id when Zeek takes the Modbus client as the originator (it does in
    every trace here; where fabmon's flow record is oriented the other way,
    the flow-orientation comparison shows it). The server is the port-502
    side."""
    s_ip, s_port, d_ip, d_port = p["flow"]
    if s_port == 502 and d_port != 502:
        return (d_ip, d_port, s_ip, s_port)
    return p["flow"]


def from_orig(p):
    """Zeek's is_orig: the PDU came from the originator (the client)."""
    return p["dir"] == "request"


def build_func(funcs, fc):
    """Zeek's Modbus::build_func."""
    masked = fc & 0x7F
    if fc in funcs or masked not in funcs:
        return funcs.get(fc, f"unknown-{fc}")
    return funcs[masked] + ("_EXCEPTION" if fc & 0x80 else "")


def tf(v):
    return "T" if v else "F"


def zvec(vals, fmt=str, truncated=False):
    """A Zeek vector; past fabmon's MODBUS_MAX_VALUES (64) values, fabmon
    writes the first 64 and `values_truncated`: both sides compare the first
    64, then `...`."""
    s = ", ".join(fmt(v) for v in vals[:MAX_VALUES])
    return "[" + s + (", ...]" if truncated or len(vals) > MAX_VALUES else "]")


MAX_VALUES = 64


def zeek_cut_vectors(line):
    def cut(m):
        items = m.group(1).split(", ")
        return zvec(items) if len(items) > MAX_VALUES else m.group(0)
    return re.sub(r"\[([^\[\]=]*)\]", cut, line)


def zeek_event_lines(p, with_len_of_registers=False):
    s_ip, s_port, d_ip, d_port = client_server(p)
    cid = f"[orig_h={s_ip}, orig_p={s_port}/tcp, resp_h={d_ip}, resp_p={d_port}/tcp, proto=6, ctx=[]]"
    orig = from_orig(p)
    hdr = f"[tid={p['tid']}, pid={p['pid']}, uid={p['unit']}, function_code={raw_fc(p)}, len=XXX]"
    head = f"{cid}, {hdr}"
    lines = [f"modbus_message, {head}, {tf(orig)}"]
    fc, vals, bits = p["fc"], p["values"] or [], p["bits"] or []
    kind = "request" if orig else "response"
    names = {1: "read_coils", 2: "read_discrete_inputs", 3: "read_holding_registers",
             4: "read_input_registers", 5: "write_single_coil", 6: "write_single_register",
             15: "write_multiple_coils", 16: "write_multiple_registers",
             43: "encap_interface_transport"}
    if not orig and p["exception"] is not None:
        lines.append(f"modbus_exception, {head}, {p['exception']}")
        return lines
    if p["exception"] is not None or fc not in names:
        return lines
    ev = f"modbus_{names[fc]}_{kind}, {head}"
    if fc in (1, 2, 3, 4) and orig:
        ev += f", {p['address']}, {p['quantity']}"
    elif fc in (1, 2):
        padded = list(bits) + [0] * max(0, (p["byte_count"] or 0) * 8 - len(bits))
        ev += ", " + zvec(padded, tf)
    elif fc in (3, 4):
        trunc = bool(p["record"].get("values_truncated"))
        ev += ", " + zvec(vals, truncated=trunc)
        if with_len_of_registers:
            ev += f", {p['byte_count'] // 2 if trunc else len(vals)}"
    elif fc == 5:
        ev += f", {p['address']}, {tf(vals and vals[0] == 0xFF00)}"
    elif fc == 6:
        ev += f", {p['address']}, {vals[0] if vals else '-'}"
    elif fc in (15, 16) and orig:
        ev += f", {p['address']}, " + (zvec(bits, tf) if fc == 15 else zvec(vals))
    elif fc in (15, 16):
        ev += f", {p['address']}, {p['quantity']}"
    elif fc == 43:
        ev += f", {p['mei_type']}, DATA"
    lines.append(ev)
    return lines


def zeek_norm_event(line):
    line = zeek_cut_vectors(re.sub(r"len=\d+\]", "len=XXX]", line))
    # MEI data: Zeek prints the raw bytes, fabmon decodes them
    return re.sub(r"^((?:\d+ )?modbus_encap_interface_transport_\w+, .*?\], \d+), .*$", r"\1, DATA", line)


def zeek_log_rows(path):
    """A Zeek ASCII log as dicts (fields from its #fields line)."""
    fields, rows = None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line and not line.startswith("#"):
            rows.append(dict(zip(fields, line.split("\t"))))
    return rows


# ---------------------------------------------------------------------------
# comparisons: a Counter of what the peer printed against one of what fabmon's
# PDUs render to; the difference must be the documented one

def diff_counters(peer, mine):
    keys = sorted(set(peer) | set(mine))
    return [[k, peer.get(k, 0), mine.get(k, 0)] for k in keys if peer.get(k, 0) != mine.get(k, 0)]


COMPARED = set()


def check_same(c, what, peer, mine, documented):
    COMPARED.add(what)
    got = diff_counters(peer, mine)
    want = [[d["line"], d["peer"], d["fabmon"]] for d in documented.get(what, [])]
    c.true(f"{what}: the peer printed {sum(peer.values())} lines, fabmon renders {sum(mine.values())}; "
           "differences as documented", sorted(got) == sorted(want),
           "\n  got:      " + json.dumps(got, indent=None) + "\n  expected: " + json.dumps(want))
    print(f"{what}: {sum(peer.values())} peer lines, {sum(mine.values())} from fabmon, "
          f"{len(got)} documented differences")


def zeek_events_case(c, pdus, peers, btest, out_file, documented, only=None):
    base = os.path.join(peers, "zeek/testing/btest")
    script = open(os.path.join(base, "scripts/base/protocols/modbus", btest)).read()
    handlers = set(re.findall(r"^event (modbus_\w+)\(", script, re.M))
    counted = "uniq -c" in script
    masked = "tid=XXX" in script
    with_n = "|registers|" in script
    peer = collections.Counter()
    for line in open(os.path.join(base, out_file), encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("###"):
            continue
        if only and only not in line:
            continue
        n = 1
        if counted:
            n_str, line = line.split(" ", 1)
            n = int(n_str)
        if masked:  # events.zeek: `uniq -c` counts, then tid and function_code masked, uniq'd
            peer[zeek_norm_event(f"{n} {line}")] = 1
        else:
            peer[zeek_norm_event(line)] += n
    mine = collections.Counter()
    for p in pdus:
        if only and only not in str(p["flow"]):
            continue
        for line in zeek_event_lines(p, with_n):
            if line.split(",", 1)[0] in handlers:
                mine[line] += 1
    if masked:
        mine = collections.Counter({
            re.sub(r"function_code=\d+", "function_code=XXX", re.sub(r"tid=\d+", "tid=XXX", f"{n} {k}")): 1
            for k, n in mine.items()})
    check_same(c, out_file, peer, mine, documented)
    flow_orientation(c, pdus, peer, out_file, documented)


def zeek_modbus_log_case(c, pdus, peers, log, documented):
    funcs, excs = zeek_tables(peers)
    peer = collections.Counter()
    for r in zeek_log_rows(os.path.join(peers, "zeek/testing/btest", log)):
        peer["\t".join(r[k] for k in ("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "tid",
                                      "unit", "func", "pdu_type", "exception"))] += 1
    mine = collections.Counter()
    for p in pdus:
        orig, fc = from_orig(p), raw_fc(p)
        if orig and fc >= 0x80:
            continue  # Zeek logs an exception only from the response side
        exc = excs.get(p["exception"], f"unknown-{p['exception']}") if not orig and fc >= 0x80 else "-"
        mine["\t".join(str(v) for v in (*client_server(p), p["tid"], p["unit"], build_func(funcs, fc),
                                        "REQ" if orig else "RESP", exc))] += 1
    check_same(c, log, peer, mine, documented)
    flow_orientation(c, pdus, peer, log, documented)


def flow_orientation(c, pdus, peer_lines, what, documented):
    """Zeek's conn_id (originator first) of every connection the baseline
    shows, against fabmon's flow records (src first) of every flow with a
    Modbus PDU."""
    pat = re.compile(r"orig_h=([^,]+), orig_p=(\d+)/tcp, resp_h=([^,]+), resp_p=(\d+)/tcp")
    peer = collections.Counter()
    for line in peer_lines:
        m = pat.search(line)
        key = "\t".join(m.groups()) if m else "\t".join(line.split("\t")[:4])
        peer[key] = 1
    mine = collections.Counter({"\t".join(map(str, p["flow"])): 1 for p in pdus})
    check_same(c, what + " (flow orientation)", peer, mine, documented)


def zeek_conn_case(c, records, peers, log, documented):
    """Zeek's conn.log `service` modbus against fabmon's flows with app_proto modbus."""
    peer = collections.Counter()
    for r in zeek_log_rows(os.path.join(peers, "zeek/testing/btest", log)):
        svc = "modbus" if "modbus" in r["service"].split(",") else "not modbus"
        peer["\t".join((r["id.orig_h"], r["id.orig_p"], r["id.resp_h"], r["id.resp_p"], svc))] += 1
    mine = collections.Counter()
    for r in records:
        if r.get("event_type") == "flow" and r["proto"] == "TCP":
            svc = "modbus" if r.get("app_proto") == "modbus" else "not modbus"
            mine["\t".join(str(v) for v in (r["src_ip"], r["src_port"], r["dest_ip"], r["dest_port"],
                                            svc))] += 1
    check_same(c, log, peer, mine, documented)


# ---------------------------------------------------------------------------
# icsnpp-modbus

def icsnpp_case(c, pdus, peers, documented):
    funcs, excs = zeek_tables(peers)
    base = os.path.join(peers, "icsnpp-modbus/testing/baseline/analyzer.basic")

    # modbus.log: Zeek's modbus.log, REQ rows removed, tid/unit/pdu_type cut
    peer = collections.Counter()
    for line in open(os.path.join(base, "modbus.log"), encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            peer["\t".join(line.rstrip("\n").split("\t")[2:])] += 1
    mine = collections.Counter()
    for p in pdus:
        if from_orig(p):
            continue
        fc = raw_fc(p)
        exc = excs.get(p["exception"], "-") if fc >= 0x80 else "-"
        mine["\t".join(str(v) for v in (*client_server(p), build_func(funcs, fc), exc))] += 1
    check_same(c, "modbus.log", peer, mine, documented)

    # modbus_detailed.log: one row per transaction; the fields fabmon has
    cols = ("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "tid", "unit", "func", "address",
            "quantity", "request_values", "response_values", "exception_code")
    peer = collections.Counter("\t".join(r[k] for k in cols)
                               for r in zeek_log_rows(os.path.join(base, "modbus_detailed.log")))
    mine = collections.Counter()
    for t in transactions(pdus).values():
        req, rsp = t.get("request"), t.get("response")
        p = req or rsp
        fc = p["fc"]
        addr = qty = reqv = rspv = "-"
        if fc in (1, 2, 3, 4, 5, 6, 15, 16, 22, 24):
            addr = p["address"]
        if fc in (1, 2, 3, 4, 15, 16):
            qty = p["quantity"]
        if fc in (5, 6):
            qty = 1
        if fc == 24:
            qty = 0
        if fc in (20, 21):
            qty = 0
        if fc in (5, 6):
            v = [int(x == 0xFF00) if fc == 5 else x for x in (req["values"] or [])] if req else None
            reqv = ",".join(map(str, v)) if v else "-"
            w = [int(x == 0xFF00) if fc == 5 else x for x in (rsp["values"] or [])] if rsp else None
            rspv = ",".join(map(str, w)) if w else "-"
        if fc in (15, 16) and req:
            reqv = ",".join(map(str, req["bits"] if fc == 15 else req["values"]))
        if fc in (1, 2, 3, 4) and rsp and rsp["exception"] is None:
            rspv = ",".join(map(str, rsp["bits"] if fc in (1, 2) else rsp["values"]))
        exc = excs.get(rsp["exception"], "-") if rsp and rsp["exception"] is not None else "-"
        mine["\t".join(str(v) for v in (*client_server(p), p["tid"], p["unit"], build_func(funcs, fc), addr,
                                        qty, reqv, rspv, exc))] += 1
    check_same(c, "modbus_detailed.log", peer, mine, documented)

    # the per-PDU logs of mask write register and read/write multiple registers
    for log, fc, fields in (
            ("modbus_mask_write_register.log", 22, ("address", "and_mask", "or_mask")),
            ("modbus_read_write_multiple_registers.log", 23,
             ("write_start_address", "write_registers", "read_start_address", "read_quantity",
              "read_registers"))):
        peer = collections.Counter()
        for r in zeek_log_rows(os.path.join(base, log)):
            peer["\t".join([r["tid"], r["unit"], r["request_response"]] + [r[f] for f in fields])] += 1
        mine = collections.Counter()
        for p in pdus:
            if p["fc"] != fc:
                continue
            rr = "REQUEST" if p["dir"] == "request" else "RESPONSE"
            if fc == 22:
                vals = [p["address"], p["and_mask"], p["or_mask"]]
            elif p["dir"] == "request":
                vals = [p["write_address"], ",".join(map(str, p["values"] or [])) or "-",
                        p["address"], p["quantity"], "-"]
            else:
                vals = ["-", "-", "-", "-", ",".join(map(str, p["values"] or [])) or "-"]
            mine["\t".join(str(v) for v in [p["tid"], p["unit"], rr] + vals)] += 1
        check_same(c, log, peer, mine, documented)


# ---------------------------------------------------------------------------
# suricata-verify: test.yaml's checks, each a count of records (transactions)
# or alerts (one per transaction whose request, or response when it has no
# request, matches the rule), evaluated on fabmon's transactions with
# Suricata's classification (sawp-modbus: access type, category).

ACCESS = {1: "READ | COILS", 2: "READ | DISCRETES", 3: "READ | HOLDING", 4: "READ | INPUT",
          5: "WRITE | COILS | SINGLE", 6: "WRITE | HOLDING | SINGLE",
          15: "WRITE | COILS | MULTIPLE", 16: "WRITE | HOLDING | MULTIPLE",
          22: "WRITE | HOLDING", 23: "READ | WRITE | HOLDING | MULTIPLE"}
CODES = {1: "RdCoils", 2: "RdDiscreteInputs", 3: "RdHoldRegs", 4: "RdInputRegs", 5: "WrSingleCoil",
         6: "WrSingleReg", 8: "Diagnostic", 15: "WrMultCoils", 16: "WrMultRegs", 17: "ReportServerID",
         22: "MaskWrReg", 23: "RdWrMultRegs", 43: "MEI"}
PUBLIC_ASSIGNED = {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24, 43}


def suricata_facts(p):
    """Suricata's fields of one PDU: from the record when it has them (the
    per-transaction layout), else from sawp-modbus's tables."""
    rec = p["record"]
    return {"function_code": rec.get("function_code", CODES.get(p["fc"], "Unknown")),
            "access_type": rec.get("access_type", ACCESS.get(p["fc"], "")),
            "category": rec.get("category", "PUBLIC_ASSIGNED" if p["fc"] in PUBLIC_ASSIGNED else "")}


def addr_range(p):
    """sawp-modbus get_address_range: 1-based, inclusive."""
    if p["fc"] in (5, 6, 22):
        return (p["address"] + 1, p["address"] + 1)
    if p["quantity"]:
        return (p["address"] + 1, p["address"] + p["quantity"])
    return None


def suricata_case(c, pdus, peers, documented):
    import yaml
    test = yaml.safe_load(open(os.path.join(peers, "suricata-verify/tests/modbus/test.yaml")))
    rules = {}
    for line in open(os.path.join(peers, "suricata-verify/tests/modbus/test.rules")):
        m = re.search(r'modbus: ([^;]+);.*sid:(\d+);', line)
        if m:
            rules[int(m.group(2))] = m.group(1)
    txs = list(transactions(pdus).values())

    def inspected(t):  # Suricata's modbus_inspect: the request, else the response
        return t.get("request") or t.get("response")

    def rule_matches(sid, t):
        p = inspected(t)
        f = suricata_facts(p)
        rule = rules[sid]
        if rule == "function 1":
            return p["fc"] == 1
        if rule == "function 8":
            return p["fc"] == 8
        if rule == "function assigned":
            return f["category"] == "PUBLIC_ASSIGNED"
        if rule == "access read":
            return "READ" in f["access_type"].split(" | ")
        if rule == "access write":
            return "WRITE" in f["access_type"].split(" | ")
        if rule == "unit 10":
            return p["unit"] == 10
        if rule == "unit >9, access read coils, address 0<>2":
            acc = f["access_type"].split(" | ")
            r = addr_range(p) if "READ" in acc and "COILS" in acc else None
            return p["unit"] > 9 and r is not None and 0 < r[1] and r[0] < 2
        raise AssertionError(f"rule sid {sid} not translated: {rule}")

    COMPARED.add("test.yaml")
    results = collections.Counter()
    for n, chk in enumerate(test["checks"], 1):
        match = chk["filter"]["match"]
        want = chk["filter"]["count"]
        sid = match.get("alert.signature_id")
        got = 0
        for t in txs:
            if sid is not None and not rule_matches(sid, t):
                continue
            ok = True
            for key, val in match.items():
                if key in ("event_type", "alert.signature_id"):
                    continue
                if key == "modbus.id":
                    ok &= inspected(t)["tx"] == val
                    continue
                part, field = key.split(".")[1:]
                p = t.get(part)
                ok &= p is not None and suricata_facts(p)[field] == val
            got += ok
        what = f"check {n} " + json.dumps(match, sort_keys=True)
        results[what] = got
        print(f"suricata-verify {what}: test.yaml count {want}, fabmon {got}")
        doc = {d["line"]: d for d in documented.get("test.yaml", [])}
        if what in doc:
            c.eq(f"{what} (documented difference)", (want, got), (doc[what]["peer"], doc[what]["fabmon"]))
        else:
            c.eq(what, got, want)
    for line in documented.get("test.yaml", []):
        c.true(f"documented check exists: {line['line']}", line["line"] in results)


# ---------------------------------------------------------------------------

CASES = {
    "zeek-modbusSmall": ("modbus/zeek/modbusSmall.pcap", lambda c, recs, pdus, peers, doc: (
        zeek_events_case(c, pdus, peers, "coil_parsing_small.zeek",
                         "Baseline/scripts.base.protocols.modbus.coil_parsing_small/output", doc))),
    "zeek-modbusBig": ("modbus/zeek/modbusBig.pcap", lambda c, recs, pdus, peers, doc: (
        zeek_events_case(c, pdus, peers, "coil_parsing_big.zeek",
                         "Baseline/scripts.base.protocols.modbus.coil_parsing_big/output", doc))),
    "zeek-fuzz-1011": ("modbus/zeek/fuzz-1011.pcap", lambda c, recs, pdus, peers, doc: (
        zeek_modbus_log_case(c, pdus, peers, "Baseline/scripts.base.protocols.modbus.register_parsing/modbus.log", doc),
        zeek_events_case(c, pdus, peers, "register_parsing.zeek",
                         "Baseline/scripts.base.protocols.modbus.register_parsing/output", doc))),
    "zeek-fuzz-72": ("modbus/zeek/fuzz-72.pcap", lambda c, recs, pdus, peers, doc: (
        zeek_modbus_log_case(c, pdus, peers, "Baseline/scripts.base.protocols.modbus.exception_handling/modbus.log", doc))),
    "zeek-modbus-eit": ("modbus/zeek/modbus-eit.pcap", lambda c, recs, pdus, peers, doc: (
        zeek_events_case(c, pdus, peers, "events.zeek",
                         "Baseline/scripts.base.protocols.modbus.events/compressed-output", doc,
                         only="192.168.2.42"),
        zeek_conn_case(c, recs, peers, "Baseline/scripts.base.protocols.modbus.events/conn-second.log", doc))),
    "zeek-modbus-and-non-modbus-p502": ("modbus/zeek/modbus-and-non-modbus-p502.pcap",
                                        lambda c, recs, pdus, peers, doc: (
        zeek_modbus_log_case(c, pdus, peers,
                             "Baseline/scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502/modbus.log", doc),
        zeek_conn_case(c, recs, peers,
                       "Baseline/scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502/conn.log", doc))),
    "icsnpp-modbus": ("modbus/icsnpp/modbus_example.pcap", lambda c, recs, pdus, peers, doc: (
        icsnpp_case(c, pdus, peers, doc))),
    "suricata-verify-modbus": ("modbus/suricata-verify/modbus.pcap", lambda c, recs, pdus, peers, doc: (
        suricata_case(c, pdus, peers, doc))),
}


def main():
    fabmon, captures, peers, case = sys.argv[1:5]
    trace, run_case = CASES[case]
    all_doc = json.load(open(os.path.join(peers, "differences.json"), encoding="utf-8"))
    doc = {}
    for d in all_doc["differences"]:
        if d["case"] == case:
            doc.setdefault(d["baseline"], []).append(d)
    c = Check(f"peers {case}")
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([fabmon, "-q", "-r", os.path.join(captures, trace), "-o", out,
                            "--modbus-records", "all"], capture_output=True, text=True)
        c.true("fabmon exit", p.returncode in (0, 4), p.stderr)
        recs = read_eve(os.path.join(out, "eve.json"))
    pdus = modbus_pdus(recs)
    print(f"{case}: fabmon wrote {len(pdus)} Modbus PDUs in {len(transactions(pdus))} transactions")
    run_case(c, recs, pdus, peers, doc)
    for base in doc:
        c.true(f"documented baseline {base} was compared", base in COMPARED)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
