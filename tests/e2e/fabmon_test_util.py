# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by fabmon's end-to-end tests (run with /usr/bin/python3)."""
import json
import os
import subprocess


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
