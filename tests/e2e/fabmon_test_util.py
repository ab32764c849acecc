# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by fabmon's end-to-end tests (run with /usr/bin/python3)."""
import json
import os
import re
import shutil
import socket
import subprocess
import time


def comparable_report(out):
    """OUT/report.json without what depends on when and from which bytes it
    was made, to compare the reports of two forms of the same run."""
    with open(os.path.join(out, "report.json")) as f:
        r = json.load(f)
    r["report"].pop("generated")
    r["report"].pop("eve_json")
    r.pop("input", None)  # eve.json's name, size and SHA-256: the files differ by their bytes
    r["policy"]["copy_path"] = os.path.basename(r["policy"]["copy_path"])
    # the sensor, unnamed, is named by its directory: the forms are in two
    drop_sensors(r)
    return r


def drop_sensors(x):
    """x without its "sensors" members, at any depth."""
    if isinstance(x, dict):
        x.pop("sensors", None)
        for v in x.values():
            drop_sensors(v)
    elif isinstance(x, list):
        for v in x:
            drop_sensors(v)


def eve_variant(run_dir, dest, lines):
    """A copy of the output directory run_dir (without its report) whose
    eve.json holds lines: the same run written in another form."""
    shutil.copytree(run_dir, dest, ignore=shutil.ignore_patterns("report.*", "*.csv"))
    with open(os.path.join(dest, "eve.json"), "w") as f:
        f.writelines(lines)
    return dest


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def read_eve(path, validate=True):
    """All records of an eve.json; every line must parse, and every record
    must be valid against fabmon's schema and Suricata's (tests/schema/
    eve_schema.py; records of a shape already validated are not again)."""
    out = []
    bad = []
    schemas = _schemas() if validate else None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise AssertionError(f"{path}:{n}: not JSON: {e}: {line[:200]!r}")
            if schemas:
                bad.extend(schemas.check(rec, f"{path}:{n}"))
            out.append(rec)
    if bad:
        raise AssertionError(f"{len(bad)} schema failures:\n" + "\n".join(bad[:20]))
    return out


_validators = None


def _schemas():
    global _validators
    if _validators is None:
        import atexit
        import sys
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema"))
        import eve_schema
        _validators = eve_schema.shared()
        atexit.register(lambda: print("read_eve: " + _validators.summary()))
    return _validators


def flows(records):
    return [r for r in records if r.get("event_type") == "flow"]


def wait_for(cond, timeout=10.0, step=0.05):
    """Poll cond() until it holds or timeout seconds have passed; its last
    value."""
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


def run_record_written(eve):
    """Has fabmon written eve.json's first record (the run record, written
    once its setup is done, right before it reads the first packet)?"""
    try:
        with open(eve, encoding="utf-8") as f:
            return '"event_type":"run"' in f.readline()
    except FileNotFoundError:
        return False


def final_stats(records):
    st = [r for r in records if r.get("event_type") == "stats" and r["stats"].get("final")]
    assert st, "no final stats record"
    return st[-1]["stats"]


def flow_key(r):
    return (r["proto"], r["src_ip"], r.get("src_port"), r["dest_ip"], r.get("dest_port"),
            tuple(r.get("vlan", [])))


def flow_facts(r):
    """What must not depend on when or how the packets were captured."""
    tcp = r.get("tcp", {}).get("reassembly", {})
    return {
        "pkts": (r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"]),
        "bytes": (r["flow"]["bytes_toserver"], r["flow"]["bytes_toclient"]),
        "app_proto": r["app_proto"],
        "ndpi": r["ndpi"]["protocol"],
        "community_id": r["community_id"],
        "reassembled": (tcp.get("bytes_toserver"), tcp.get("bytes_toclient")),
        "gaps": (tcp.get("gaps_toserver"), tcp.get("gaps_toclient")),
    }


class Check:
    """Collects failures so one run reports all of them."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.count = 0

    def eq(self, what, got, want, detail=""):
        self.count += 1
        if got != want:
            self.failures.append(f"{what}: got {got!r}, expected {want!r} {detail}".rstrip())

    def true(self, what, cond, detail=""):
        self.count += 1
        if not cond:
            self.failures.append(f"{what} {detail}".strip())

    def done(self):
        for f in self.failures:
            print(f"FAIL {self.name}: {f}")
        print(f"{self.name}: {self.count} checks, {len(self.failures)} failed")
        return 1 if self.failures else 0


def test_captures_dir():
    """The public captures copied into the repository (tests/captures, see its MANIFEST.tsv)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "captures")


STYPE_CODES = {"data": 0, "select.req": 1, "select.rsp": 2, "deselect.req": 3, "deselect.rsp": 4,
               "linktest.req": 5, "linktest.rsp": 6, "reject.req": 7, "separate.req": 9}


def hsms_stype_code(h):
    """The SType of an `hsms` record (the code is written only for unknown ones)."""
    return h.get("stype_code", STYPE_CODES.get(h["stype"]))


# Where a modbus message keeps what fabmon's per-PDU records used to carry
# flat: (Suricata's object, its member) -> the flat name, by direction.
_MB_OBJECT_FIELDS = {
    ("read", "address"): "address", ("read", "quantity"): "quantity",
    ("diagnostic", "raw"): "subfunction", ("mei", "raw"): "mei_type",
    ("write", "and_mask"): "and_mask", ("write", "or_mask"): "or_mask",
}
_MB_FLAT = ("transaction_id", "protocol_id", "unit_id", "function_raw", "function_code", "access_type",
            "category", "error_flags", "function_name", "access", "anomaly", "address", "quantity",
            "byte_count", "values", "bits", "values_truncated", "objects", "server_id", "run_indicator",
            "server_data", "read_device_id_code", "object_id")


def modbus_pdu(m, direction):
    """One message of a modbus record (Suricata's layout plus fabmon's
    decode) as a flat per-PDU dict: function (the code, 0x80 cleared),
    direction, address, quantity, values/bits, write_address/write_quantity
    (FC 23), subfunction, mei_type, and_mask/or_mask, exception {code, name}."""
    p = {k: m[k] for k in _MB_FLAT if k in m}
    p["direction"] = direction
    p["function"] = m["function_raw"] & 0x7F
    for (obj, key), flat in _MB_OBJECT_FIELDS.items():
        if key in m.get(obj, {}):
            p[flat] = m[obj][key]
    w = m.get("write", {})
    if "address" in w:
        if "read" in m:  # FC 23: the write part
            p["write_address"], p["write_quantity"] = w["address"], w.get("quantity")
        else:
            p["address"] = w["address"]
            if "quantity" in w:
                p["quantity"] = w["quantity"]
            elif direction == "response" and p["function"] in (15, 16):
                p["quantity"] = w["data"]  # a write response echoes the quantity
    if "exception" in m:
        p["exception"] = {"code": m["exception"]["raw"], "name": m["exception"].get("name")}
    return p


def modbus_pdus(records):
    """Every Modbus PDU in the `modbus` records (one per transaction) and
    alerts among records, in record order, request before response: flat
    dicts (see modbus_pdu) with the record's flow_id, timestamp and event_type,
    the transaction's id and, when paired, its state/matched/latency_us."""
    out = []
    for r in records:
        mb = r.get("modbus")
        if not isinstance(mb, dict) or "id" not in mb or r.get("event_type") not in ("modbus", "alert"):
            continue
        tx = mb.get("transaction", {})
        for direction in ("request", "response"):
            if direction in mb:
                p = modbus_pdu(mb[direction], direction)
                p.update(flow_id=r.get("flow_id"), timestamp=r.get("timestamp"), event_type=r["event_type"],
                         id=mb["id"])
                p.update({k: tx[k] for k in ("state", "matched", "latency_us") if k in tx})
                out.append(p)
    return out


# ---- NATS servers on loopback (the publishing tests and bench/nats_fleet.py) ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, tries=200):
    """Until something accepts connections on loopback port (RuntimeError after tries)."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


def nats_node_conf(shipped, i, tmp, ports, routes, max_store):
    """Node i's shipped configuration (scripts/nats/fab-nats-N.conf) moved to
    loopback (client port ports[i], routes[]) and a store under tmp capped
    at max_store; the path of the file written."""
    with open(shipped, encoding="utf-8") as f:
        conf = f.read()
    conf = conf.replace("listen: 0.0.0.0:4222", f"listen: 127.0.0.1:{ports[i]}")
    conf = conf.replace("listen: 0.0.0.0:6222", f"listen: 127.0.0.1:{routes[i]}")
    conf = conf.replace("store_dir: /var/lib/nats/jetstream",
                        f"store_dir: {os.path.join(tmp, f'store-{i + 1}')}")
    conf = conf.replace("max_file_store: 200GB", f"max_file_store: {max_store}")
    conf = re.sub(r"nats-route://nats(\d)\.fab\.local:6222",
                  lambda m: f"nats-route://127.0.0.1:{routes[int(m.group(1)) - 1]}", conf)
    path = os.path.join(tmp, f"node-{i + 1}.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(conf)
    return path
