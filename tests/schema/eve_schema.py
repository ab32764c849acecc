# SPDX-License-Identifier: BSD-2-Clause
"""Validation of eve.json records against fabmon's schema (doc/eve-schema.json,
strictly) and Suricata's (tests/schema/suricata-schema.json, where only
additionalProperties errors are allowed: fabmon's own event types and its
additions to Suricata's objects; anything else -- a wrong type, a timestamp
that does not match Suricata's pattern -- is a failure).

Used by the pcap runner (every record of every capture it runs), by
tests/e2e/fabmon_test_util.read_eve (every record an e2e test reads) and by
tests/schema/test_eve_schema.py (everything, in full, with counts).
Debian's python3-jsonschema (4.10) is pure Python and slow (about 0.35 ms a
record for the two validations); records of the same *shape* are validated
once: the shape keeps every key and every type, booleans, the strings of
the members a schema constrains by an enum (or const, length, format), of
those it constrains by a pattern which patterns they match, and of numbers
their type and a range class (sign, 0/1, 8/16/32/48/53-bit); so a record
that differs from one already validated only in its counters, ports, ids,
addresses, times or free texts needs no second validation.
Set FABMON_SCHEMA_FULL=1 to validate every record in full.
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
FABMON_SCHEMA = os.path.join(ROOT, "doc", "eve-schema.json")
SURICATA_SCHEMA = os.path.join(HERE, "suricata-schema.json")


def _open_everything(node):
    """Suricata's schema with every object open: what fails against it is
    then not an additionalProperties error (also inside oneOf/anyOf, where
    jsonschema would report the branch, not the keyword)."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "additionalProperties" and v is False:
                out[k] = True
            elif k in ("properties", "patternProperties", "$defs", "definitions"):
                out[k] = {pk: _open_everything(pv) for pk, pv in v.items()}
            else:
                out[k] = _open_everything(v)
        return out
    if isinstance(node, list):
        return [_open_everything(x) for x in node]
    return node


def _num_class(v):
    # ports, ids, octets, 16- and 32-bit fields, and the rest
    if v < 0:
        return "neg"
    for lim in (1, 2, 256, 65536, 1 << 32, 1 << 48, 1 << 53):
        if v < lim:
            return lim
    return "big"


def constrained_names(*schemas):
    """Property names whose string values a schema constrains beyond their
    type, wherever they appear: name -> the patterns they must match, or
    None when a value itself matters (an enum, a const, a length). Strings
    of other names are not part of a record's shape."""
    names = {}

    def resolve(node, root):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if ref and ref.startswith("#/"):
            for part in ref[2:].split("/"):
                root = root[part]
            return root
        return node

    def rules(name, node, root, depth=0):
        node = resolve(node, root)
        if not isinstance(node, dict) or depth > 4:
            return
        if any(k in node for k in ("enum", "const", "format", "minLength", "maxLength")):
            names[name] = None
        elif "pattern" in node and names.get(name, ()) is not None:
            names[name] = tuple(sorted(set(names.get(name, ())) | {node["pattern"]}))
        subs = [node.get("items")] + node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", [])
        for x in subs:
            if x is not None:
                rules(name, x, root, depth + 1)

    def walk(node, root):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                rules(name, sub, root)
            for v in node.values():
                walk(v, root)
        elif isinstance(node, list):
            for v in node:
                walk(v, root)

    for s in schemas:
        walk(s, s)
    return {k: v if v is None else [re.compile(p) for p in v] for k, v in names.items()}


def shape(v, keep, key=None):
    """What of a record the schemas can tell apart (see the module doc):
    keep is constrained_names()."""
    if isinstance(v, dict):
        return tuple((k, shape(x, keep, k)) for k, x in v.items())
    if isinstance(v, list):
        return ("[",) + tuple(shape(x, keep, key) for x in v)
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return ("i", _num_class(v))
    if isinstance(v, float):
        return ("f", v.is_integer(), _num_class(v))
    if key not in keep:
        return ("s", v == "")
    patterns = keep[key]
    if patterns is None:
        return v
    return ("s", v == "") + tuple(bool(p.search(v)) for p in patterns)


def json_path(error):
    p = "$"
    for k in error.absolute_path:
        p += f"[{k}]" if isinstance(k, int) else f".{k}"
    return p


class EveSchemas:
    """Both validators, built once; check() a record, or a file."""

    def __init__(self, full=None):
        t0 = time.process_time()
        import jsonschema  # Debian: python3-jsonschema
        self.full = os.environ.get("FABMON_SCHEMA_FULL") == "1" if full is None else full
        with open(FABMON_SCHEMA, encoding="utf-8") as f:
            fab = json.load(f)
        with open(SURICATA_SCHEMA, encoding="utf-8") as f:
            suri = json.load(f)
        cls = jsonschema.validators.validator_for(fab)
        if self.full:  # the schema's own validity: once, in schema-eve (50 ms)
            cls.check_schema(fab)
        self.fabmon = cls(fab, format_checker=None)
        scls = jsonschema.Draft202012Validator  # Suricata's names no $schema
        self.suricata_strict = scls(suri)
        self.suricata = scls(_open_everything(suri))
        self.keep = constrained_names(fab, suri)
        self.seen = {}  # shape -> problems of its first record
        self.counts = {"records": 0, "validated": 0, "cpu_s": time.process_time() - t0}

    def problems(self, rec):
        """Every failure of one record: (schema, JSON path, message)."""
        out = []
        for e in sorted(self.fabmon.iter_errors(rec), key=lambda e: list(map(str, e.absolute_path))):
            out.append(("fabmon", json_path(e), e.message))
        for e in self.suricata.iter_errors(rec):
            out.append(("suricata", json_path(e), e.message))
        return out

    def check(self, rec, where):
        """Problems of rec as 'where: schema schema: $.path: message' lines."""
        t0 = time.process_time()
        try:
            return self._check(rec, where)
        finally:
            self.counts["cpu_s"] += time.process_time() - t0

    def _check(self, rec, where):
        self.counts["records"] += 1
        key = None
        if not self.full:
            key = shape(rec, self.keep)
            if key in self.seen:
                return self.seen[key] and [f"{where}: {m}" for m in self.seen[key]]
        self.counts["validated"] += 1
        msgs = [f"{s} schema: {p}: {m[:300]}" for s, p, m in self.problems(rec)]
        if key is not None:
            self.seen[key] = msgs
        return [f"{where}: {m}" for m in msgs]

    def summary(self):
        c = self.counts
        return (f"{c['records']} records valid against fabmon's and Suricata's schemas "
                f"({c['validated']} validated, the rest of a shape already seen; {c['cpu_s']:.2f} s CPU)")

    def suricata_strictly(self, rec):
        """Suricata's schema as it is: (passes, additionalProperties-only)."""
        errs = list(self.suricata_strict.iter_errors(rec))
        if not errs:
            return True, True
        return False, all(e.validator == "additionalProperties" for e in errs)


_shared = None


def shared():
    """One EveSchemas per process (building them costs ~0.5 s)."""
    global _shared
    if _shared is None:
        _shared = EveSchemas()
    return _shared


def check_file(path, schemas=None):
    """Problems of every record of an eve.json (file:line: ...)."""
    s = schemas or shared()
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            out.extend(s.check(json.loads(line), f"{path}:{n}"))
    return out


if __name__ == "__main__":
    # eve_schema.py EVE.json...: validate files, print problems
    bad = []
    for p in sys.argv[1:]:
        bad.extend(check_file(p))
    for b in bad[:100]:
        print(b)
    print(f"{len(bad)} problems; {shared().summary()}")
    sys.exit(1 if bad else 0)
