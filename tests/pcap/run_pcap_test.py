#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""pcap regression test: run fabmon on a capture and compare every record of
its eve.json with the expected JSON Lines file, field by field.

usage: run_pcap_test.py FABMON NAME CAPTURE EXPECTED [-- fabmon args...]

Records are compared whole, except what depends on the machine, not on the
packets: stats.uptime, and pcap_filename (reduced to the file's base name).
In the options, @SRC@ stands for the source tree. Set UPDATE=1 to (re)write EXPECTED from the current output; review the diff
before committing it.

The run is made with --workers 1 (records in their order) and again with
--workers 2, whose eve.json must hold the same records (compared as sorted
sets without the run and stats records; issue 17 item 3), except where the
options size per-worker tables (PER_WORKER_LIMITS).

Every record is also validated, as written, against fabmon's schema
(doc/eve-schema.json, strictly) and Suricata's (additionalProperties errors
only): tests/schema/eve_schema.py.

The audit report the run wrote from its own aggregates (issue 17) must be
the report `fabmon report` makes by reading eve.json back: report.json is
compared whole, except input.sha256 and input.built_from (only a report
that read the file can hash it) and report.generated (the wall clock).
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema"))
import eve_schema  # noqa: E402


def normalise(rec):
    if "pcap_filename" in rec:
        rec["pcap_filename"] = os.path.basename(rec["pcap_filename"])
    if rec.get("event_type") == "stats":
        rec["stats"].pop("uptime", None)
        alerts = rec["stats"].get("alerts", {})
        if isinstance(alerts.get("policy"), str) and alerts["policy"].startswith("/"):
            alerts["policy"] = os.path.basename(alerts["policy"])  # a path of this machine
    if rec.get("event_type") == "run":  # wall-clock start, paths of this machine
        rec.pop("timestamp", None)
        rec["run"].pop("started", None)
        for i in rec["run"].get("inputs", []):
            i["file"] = os.path.basename(i["file"])
    if rec.get("event_type") in ("run", "policy") and rec.get("run", rec).get("policy"):
        rec.get("run", rec)["policy"].pop("source", None)
    return rec


def diff(path, a, b, out):
    if type(a) != type(b):
        out.append(f"  {path}: {json.dumps(a)} != expected {json.dumps(b)}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"  {path}.{k}: missing (expected {json.dumps(b[k])})")
            elif k not in b:
                out.append(f"  {path}.{k}: unexpected {json.dumps(a[k])}")
            else:
                diff(f"{path}.{k}", a[k], b[k], out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"  {path}: {json.dumps(a)} != expected {json.dumps(b)}")
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                diff(f"{path}[{i}]", x, y, out)
    elif a != b:
        out.append(f"  {path}: {json.dumps(a)} != expected {json.dumps(b)}")


def report_of_run_vs_file(fabmon, name, out):
    """The run's report.json against `fabmon report`'s of the same output:
    a list of differences (empty: identical)."""
    path = os.path.join(out, "report.json")
    if not os.path.exists(path):
        return []  # no report (fabmon learn, --no-report, an interrupted run)
    rebuilt = os.path.join(out, "rebuilt")
    p = subprocess.run([fabmon, "report", "-q", out, "-o", rebuilt], capture_output=True, text=True)
    if p.returncode != 0:
        return [f"  fabmon report exited {p.returncode}: {p.stderr}"]
    reports = []
    for d in (out, rebuilt):
        with open(os.path.join(d, "report.json"), encoding="utf-8") as f:
            reports.append(json.load(f))
    run, read = reports
    problems = []
    if run["input"].pop("built_from", None) != "run" or read["input"].pop("built_from", None) != "eve.json":
        problems.append("  input.built_from is not 'run' and 'eve.json'")
    if run["input"].pop("sha256", 0) is not None or len(read["input"].pop("sha256", "") or "") != 64:
        problems.append("  input.sha256 is not null (run) and a SHA-256 (read)")
    for a, b in zip(run.get("sensors", []), read.get("sensors", [])):
        if a.pop("sha256", 0) is not None or len(b.pop("sha256", "") or "") != 64:
            problems.append("  sensors[].sha256 is not null (run) and a SHA-256 (read)")
    for r in reports:
        r["report"].pop("generated", None)
    diff("report.json", run, read, problems)
    return problems


def run(fabmon, name, capture, extra, out, schemas):
    """fabmon on capture into out: (exit code, records normalised, schema
    failures, report problems) or an error message."""
    cmd = [fabmon, "-q", "-r", capture, "-o", out] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 4):
        return f"{name}: fabmon {' '.join(extra)} exited {p.returncode}: {p.stderr}"
    got = []
    invalid = []
    with open(os.path.join(out, "eve.json"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                return f"{name}: eve.json line {n} is not JSON: {e}"
            invalid.extend(schemas.check(rec, f"{name}: eve.json:{n}"))
            got.append(normalise(rec))
    return p.returncode, got, invalid, report_of_run_vs_file(fabmon, name, out)


# Options that size per-worker tables: a worker has 1/N of them, so with N
# workers the table fills (and evicts) otherwise than with one, by design.
PER_WORKER_LIMITS = ("--flows", "--frag-max", "--reassembly-memcap", "--app-memcap")


def as_set(records):
    """The records of a run as a sorted list, without those that describe the
    run rather than the packets (run, stats) (issue 17 item 3)."""
    return sorted(json.dumps(r, sort_keys=True) for r in records
                  if r.get("event_type") not in ("run", "stats"))


def workers_differ(one, many):
    """What --workers 2 wrote that --workers 1 did not, and the reverse."""
    a, b = as_set(one), as_set(many)
    if a == b:
        return []
    out = [f"  --workers 1: {len(a)} records, --workers 2: {len(b)}"]
    sa, sb = set(a), set(b)
    out += [f"  only with 1: {r[:300]}" for r in sorted(sa - sb)[:5]]
    out += [f"  only with 2: {r[:300]}" for r in sorted(sb - sa)[:5]]
    return out


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
        if len(extra) == 1:  # the TESTLIST's option column, as one string
            extra = shlex.split(extra[0])
        # @SRC@: the source tree (a policy file of a test, say)
        src = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
        extra = [a.replace("@SRC@", src) for a in extra]
    fabmon, name, capture, expected = argv
    schemas = eve_schema.shared()
    with tempfile.TemporaryDirectory(prefix=f"fabmon-{name}-") as out:
        # one worker: the records in the order expected; then two worker
        # threads must write the same records (in another order where flows
        # end in the same second on different workers)
        one = run(fabmon, name, capture, ["--workers", "1"] + extra, os.path.join(out, "1"), schemas)
        if isinstance(one, str):
            print(one)
            return 1
        code, got, invalid, report_problems = one
        many_problems = []
        if not any(a.split("=")[0] in PER_WORKER_LIMITS for a in extra):
            many = run(fabmon, name, capture, ["--workers", "2"] + extra, os.path.join(out, "2"), schemas)
            if isinstance(many, str):
                print(many)
                return 1
            if many[0] != code:
                many_problems.append(f"  exit code {many[0]} with --workers 2, {code} with 1")
            many_problems += workers_differ(got, many[1])
            invalid += many[2]
            report_problems += many[3]
    if report_problems:
        print(f"{name}: the run's report.json differs from fabmon report's (run != read):")
        print("\n".join(report_problems[:40]))
        return 1
    if invalid:
        print(f"{name}: {len(invalid)} schema failures:")
        print("\n".join(invalid[:40]))
        return 1
    if many_problems:
        print(f"{name}: --workers 2 wrote other records than --workers 1:")
        print("\n".join(many_problems[:40]))
        return 1
    got.append({"exit_code": code})
    if os.environ.get("UPDATE") == "1":
        with open(expected, "w", encoding="utf-8") as f:
            for r in got:
                f.write(json.dumps(r, sort_keys=True) + "\n")
        print(f"{name}: wrote {len(got)} records to {expected}")
        return 0
    try:
        with open(expected, encoding="utf-8") as f:
            want = [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        print(f"{name}: no expected output {expected}; run with UPDATE=1 and review it")
        return 1
    problems = []
    if len(got) != len(want):
        problems.append(f"  {len(got)} records, expected {len(want)}")
    for i, (a, b) in enumerate(zip(got, want)):
        d = []
        diff(f"record {i + 1} ({b.get('event_type', 'exit')})", a, b, d)
        problems.extend(d)
    if problems:
        print(f"{name}: output differs from {expected}:")
        print("\n".join(problems[:60]))
        if len(problems) > 60:
            print(f"  ... {len(problems) - 60} more")
        return 1
    flows = sum(1 for r in got if r.get("event_type") == "flow")
    print(f"{name}: {len(got) - 1} records ({flows} flows) match, the same with --workers 2; "
          f"{schemas.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
