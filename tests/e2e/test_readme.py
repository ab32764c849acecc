#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""The README tells the truth: its commands run and its examples are real.

usage: test_readme.py FABMON SOURCE_ROOT SHARED_CAPTURES_DIR GENERATED_CAPTURES_DIR

1. Every command of the README's ```sh blocks runs, in README order, in a
   temporary directory where the build's fabmon is first in PATH, the demo
   capture is at demo/fab-demo.pcap, out/demo/ holds what scripts/demo.sh
   writes, and the example inputs the README names exist (FIXTURES: the demo
   capture under those names, zones/examples/fab-site.yaml as site.yaml,
   and the source tree's files the README names).
   Each must exit 0 (or N when it ends with the comment "# exits N"); a jq
   command must print something. Not run (SKIP, the
   README's "Tests" section says so): live capture (-i), syslog to a
   receiver (--syslog), the scripts that install packages or run the whole
   suite (scripts/), the benchmark.
2. Every ```json block is compared with the records fabmon writes for the
   demo (built-in policy; or for the generated or shared capture its
   pcap_filename names): each field shown must exist with the same value
   in one real record of the same event_type; a block that starts with
   "name": is a member, compared with that member wherever it occurs. An
   elision is written `...` (members left out) or as a string ending in `…`
   (the value starts with what comes before; `"…"` alone: any value, for
   what depends on the wall clock).
3. Every key fabmon writes (demo, generated and shared captures, every
   Modbus record) is named in the README, in `backticks` or as a JSON
   key of an example; every --option the README names is in a --help.
4. `fabmon learn`: the zone names the README gives are those learn writes
   (the zone scenario's clean capture, and the demo), and the draft learned
   from the demo, enforced on it, raises only what the README says.
5. The policy core shown in "The policy file" is a valid policy.
"""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve  # noqa: E402

FABMON, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SHARED_CAPS, GEN_DIR = sys.argv[3], sys.argv[4]
README = os.path.join(ROOT, "README.md")
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")

# README path -> the source tree's file the test puts there (a directory
# holding it when the name ends in /).
DEMO_REL, SITE_REL = "demo/fab-demo.pcap", "zones/examples/fab-site.yaml"
FIXTURES = {
    "capture.pcap": DEMO_REL, "capture.pcapng": DEMO_REL, "day1.pcap": DEMO_REL, "day2.pcap": DEMO_REL,
    "site-capture.pcapng": DEMO_REL, "site-week.pcapng": DEMO_REL,
    "capture.pcap.zst": DEMO_REL, "x.pcap.gz": DEMO_REL, "week1/": DEMO_REL, "week2.pcapng": DEMO_REL,
    "/evidence/site-a/": DEMO_REL, "site.yaml": SITE_REL,
    DEMO_REL: DEMO_REL, SITE_REL: SITE_REL, "zones/default-fab.yaml": "zones/default-fab.yaml",
    "/usr/share/fabmon/eve-schema.json": "doc/eve-schema.json",
}
# Commands that cannot run here, by what they need.
SKIP = [
    (re.compile(r"(^|\s)(-i|--interface)\s"), "live capture"),
    (re.compile(r"--syslog\s"), "sends to a syslog receiver"),
    (re.compile(r"(^|\s)(sh\s+)?scripts/"), "installs packages / runs the whole suite"),
    (re.compile(r"bench/run\.py"), "the benchmark (minutes)"),
    (re.compile(r"(^|\s)(sudo|apt|apt-get|dpkg|dpkg-buildpackage|systemctl|systemd-sysusers|install|useradd)(\s|$)"),
     "needs root"),
    (re.compile(r"^(meson|ninja|git)\s"), "builds or installs from the source tree (test_package checks it)"),
    (re.compile(r"(^|\s)journalctl\s|\s/(etc/fabmon|run/fabmon|var/lib/fabmon)\b"),
     "the installed service's files (test_package checks them in an installed root)"),
]
ELLIPSIS = "\u2026"


def blocks(text):
    """(language, first line number, body) of every fenced code block."""
    out, lang, start, body = [], None, 0, []
    for n, line in enumerate(text.split("\n"), 1):
        if lang is None:
            m = re.match(r"^```(\w*)\s*$", line)
            if m:
                lang, start, body = m.group(1), n + 1, []
        elif line.startswith("```"):
            out.append((lang, start, "\n".join(body)))
            lang = None
        else:
            body.append(line)
    return out


def commands(body, start):
    """The commands of a sh block: continuation lines joined, comments and
    blank lines dropped."""
    out, cur, first = [], "", 0
    for n, line in enumerate(body.split("\n"), start):
        if not cur:
            first = n
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        stripped = cur.strip()
        if stripped and not stripped.startswith("#"):
            out.append((first, stripped))
        cur = ""
    return out


def skip_reason(cmd):
    for rx, why in SKIP:
        if rx.search(cmd):
            return why
    return None


def make_fixtures(tmp):
    for name, src in FIXTURES.items():
        path = os.path.join(tmp, name.lstrip("/"))
        if name.endswith("/"):
            os.makedirs(path, exist_ok=True)
            path = os.path.join(path, os.path.basename(src))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        compressor = {".gz": "gzip", ".zst": "zstd", ".xz": "xz"}.get(os.path.splitext(name)[1])
        if compressor:  # a compressed capture: the source compressed by Debian's tool
            with open(os.path.join(ROOT, src), "rb") as fin, open(path, "wb") as fout:
                subprocess.run([compressor, "-c"], stdin=fin, stdout=fout, check=True)
        else:
            shutil.copy(os.path.join(ROOT, src), path)


def run_commands(c, tmp, text):
    env = dict(os.environ, PATH=os.path.dirname(FABMON) + os.pathsep + os.environ.get("PATH", ""))
    ran = skipped = 0
    for lang, start, body in blocks(text):
        if lang != "sh":
            continue
        for line, cmd in commands(body, start):
            why = skip_reason(cmd)
            if why:
                skipped += 1
                continue
            for name in FIXTURES:  # absolute example paths live in the temp dir
                if name.startswith("/"):
                    cmd = cmd.replace(name, tmp + name)
            p = subprocess.run(["sh", "-c", cmd], cwd=tmp, env=env, capture_output=True, text=True,
                               timeout=120)
            ran += 1
            m = re.search(r"#.*\bexits (\d+)\b", cmd)
            c.eq(f"README.md:{line}: `{cmd}`: exit (stderr: {p.stderr.strip()[-300:]})", p.returncode,
                 int(m.group(1)) if m else 0)
            if cmd.startswith("jq "):
                c.true(f"README.md:{line}: `{cmd}` prints something", p.stdout.strip() != "")
    print(f"readme: {ran} commands run, {skipped} not run offline")
    c.true("the README's commands ran", ran >= 15, f"only {ran}")


# ---- JSON examples ----

def parse_example(body):
    """The example as a dict, with `...` members removed. A block that starts
    with "name": is one member, wrapped in braces."""
    t = body.strip()
    t = re.sub(r",\s*\.\.\.\s*(?=[,}\]])", "", t)
    t = re.sub(r"([{\[])\s*\.\.\.\s*,", r"\1", t)
    if t.startswith('"'):
        t = "{" + t + "}"
    return json.loads(t)


def mismatches(ex, real, path=""):
    """The fields of ex that real does not have with the same value."""
    if isinstance(ex, dict):
        if not isinstance(real, dict):
            return [f"{path or '.'}: not an object"]
        out = []
        for k, v in ex.items():
            if k not in real:
                out.append(f"{path}.{k}: not written")
            else:
                out += mismatches(v, real[k], f"{path}.{k}")
        return out
    if isinstance(ex, list):
        if not isinstance(real, list) or len(real) != len(ex):
            return [f"{path}: {json.dumps(real)[:120]} (README: {json.dumps(ex)[:120]})"]
        out = []
        for i, (a, b) in enumerate(zip(ex, real)):
            out += mismatches(a, b, f"{path}[{i}]")
        return out
    if ex == ELLIPSIS:
        return []
    if isinstance(ex, str) and ex.endswith(ELLIPSIS):
        if isinstance(real, str) and real.startswith(ex[:-1]):
            return []
        return [f"{path}: {json.dumps(real)[:120]} (README: {json.dumps(ex)})"]
    if ex != real or type(ex) is not type(real):
        return [f"{path}: {json.dumps(real)[:120]} (README: {json.dumps(ex)[:120]})"]
    return []


def members(obj, name):
    """Every value of a member `name` in obj, at any depth."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == name:
                yield v
            yield from members(v, name)
    elif isinstance(obj, list):
        for v in obj:
            yield from members(v, name)


# An example written for a capture read with a policy of the source tree
# says so on the line before its block:
#   <!-- example: scan-flood.pcap -c tests/pcap/scan-policy.yaml -->
# (for records that name no capture: an alert on many flows has no
# pcap_filename). The options' paths are relative to the source tree.
EXAMPLE_SOURCE = re.compile(r"^<!-- example: (\S+)((?: \S+)*) -->$")


def example_source(lines, start):
    """(capture, fabmon options) the comment before the block at `start`
    names, or None."""
    m = EXAMPLE_SOURCE.match(lines[start - 3]) if start >= 3 else None
    if not m:
        return None
    opts = m.group(2).split()
    return m.group(1), [os.path.join(ROOT, o) if o.startswith("tests/") else o for o in opts]


def capture_records(tmp, name, cache, opts=()):
    """The records fabmon writes for a capture the README names by its
    pcap_filename (run from its directory, so that the name is the same)."""
    key = (name, tuple(opts)) if opts else name
    if key in cache:
        return cache[key]
    if opts:
        found = glob.glob(os.path.join(GEN_DIR, name)) + \
            glob.glob(os.path.join(SHARED_CAPS, "**", name), recursive=True)
        recs = []
        if found:
            out = os.path.join(tmp, "example-opts-" + name)
            subprocess.run([FABMON, "-q", "-r", name, "-o", out, "--no-report"] + list(opts),
                           cwd=os.path.dirname(found[0]), capture_output=True)
            if os.path.exists(os.path.join(out, "eve.json")):
                recs = read_eve(os.path.join(out, "eve.json"))
        cache[key] = recs
        return recs
    found = [p for p in glob.glob(os.path.join(GEN_DIR, name)) +
             glob.glob(os.path.join(SHARED_CAPS, "**", name), recursive=True)]
    recs = []
    if found:
        out = os.path.join(tmp, "example-" + name)
        subprocess.run([FABMON, "-q", "-r", name, "-o", out, "--no-report"], cwd=os.path.dirname(found[0]),
                       capture_output=True)
        if os.path.exists(os.path.join(out, "eve.json")):
            recs = read_eve(os.path.join(out, "eve.json"))
    cache[name] = recs
    return recs


def check_examples(c, tmp, text, demo_recs):
    n = 0
    cache = {DEMO_REL: demo_recs}
    lines = text.split("\n")
    for lang, start, body in blocks(text):
        if lang != "json":
            continue
        n += 1
        where = f"README.md:{start}"
        try:
            ex = parse_example(body)
        except json.JSONDecodeError as e:
            c.true(f"{where}: the example parses as JSON", False, str(e))
            continue
        src = example_source(lines, start)
        if src:
            recs = capture_records(tmp, src[0], cache, src[1])
        else:
            recs = capture_records(tmp, ex.get("pcap_filename", DEMO_REL), cache)
        if "event_type" in ex:
            cands = [r for r in recs if r.get("event_type") == ex["event_type"]]
            what = f"a {ex['event_type']} record"
            pairs = [(ex, r) for r in cands]
        else:
            (name, val), = ex.items() if len(ex) == 1 else ((None, None),)
            c.true(f"{where}: a member example has exactly one member", name is not None)
            what = f"a '{name}' member"
            pairs = [({name: val}, {name: m}) for r in recs for m in members(r, name)]
        best = min((mismatches(e, r) for e, r in pairs), key=len, default=["no such record"])
        c.true(f"{where}: the example is {what} fabmon writes for the demo", not best,
               "; closest record differs: " + "; ".join(best[:8]))
    c.true("the README has JSON examples", n >= 8, str(n))


# ---- every key written is documented ----

# containers whose keys are data (rule ids, reasons, access classes, names)
DATA_KEYS = {"by_rule", "suppressed_by_rule", "errors", "requests_by_access", "objects",
             "messages_without_record"}


def key_paths(obj, path, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.setdefault(f"{path}.{k}", k)
            if k not in DATA_KEYS:
                key_paths(v, f"{path}.{k}", out)
    elif isinstance(obj, list):
        for v in obj:
            key_paths(v, path + "[]", out)


def documented_names(text):
    names = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    for lang, _, body in blocks(text):
        if lang == "json":
            names.update(re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:', body))
    return names


def check_keys_documented(c, tmp, text):
    caps = [DEMO] + sorted(glob.glob(os.path.join(SHARED_CAPS, "**", "*.pcap"), recursive=True) +
                           glob.glob(os.path.join(SHARED_CAPS, "**", "*.pcapng"), recursive=True))
    caps += sorted(glob.glob(os.path.join(GEN_DIR, "*.pcap")) + glob.glob(os.path.join(GEN_DIR, "*.pcapng")))
    paths, where = {}, {}
    for i, cap in enumerate(caps):
        out = os.path.join(tmp, f"keys-{i}")
        subprocess.run([FABMON, "-q", "-r", cap, "-o", out, "--no-report", "--no-input-hash",
                        "--modbus-records", "all"], capture_output=True)
        eve = os.path.join(out, "eve.json")
        if not os.path.exists(eve):
            continue
        for r in read_eve(eve):
            p = {}
            key_paths(r, r["event_type"], p)
            for k, leaf in p.items():
                if k not in paths:
                    paths[k], where[k] = leaf, os.path.basename(cap)
        shutil.rmtree(out)
    names = documented_names(text)
    missing = sorted(f"{k} ({where[k]})" for k, leaf in paths.items() if leaf not in names)
    c.eq(f"every key fabmon writes ({len(paths)} paths, {len(caps)} captures) is named in the README",
         missing, [])


def fabmon_text(text):
    """The README without the sections and command lines about other
    programs' options (the benchmark's, meson's, systemctl's)."""
    text = "\n".join(l for l in text.split("\n") if not l.startswith("systemctl "))
    for sec in ("## Performance", "## Tests", "## Install"):
        a = text.find("\n" + sec + "\n")
        if a >= 0:
            b = text.find("\n## ", a + 4)
            text = text[:a] + (text[b:] if b >= 0 else "")
    return text


def check_help(c, text):
    helps = subprocess.run([FABMON, "--help"], capture_output=True, text=True).stdout
    main_help = helps
    for sub in ("report", "collect", "handoff", "learn", "check-policy", "rules"):
        p = subprocess.run([FABMON, sub, "--help"], capture_output=True, text=True)
        helps += p.stdout + p.stderr
        c.true(f"--help names the '{sub}' command", f"fabmon {sub}" in main_help)
    for opt in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", fabmon_text(text)))):
        c.true(f"{opt} (in the README) is in a --help", opt in helps)
    # one option's text is not split by another's
    m = re.search(r"--no-report .*?\n(?=\s+--)", main_help, re.S)
    c.true("--help: the --no-report text is whole", m is not None and "fabmon report DIR" in m.group(0),
           m.group(0) if m else main_help[:200])


# ---- fabmon learn ----

def zone_names(policy_path):
    names, in_zones = [], False
    for line in open(policy_path):
        if line.startswith("zones:"):
            in_zones = True
        elif re.match(r"^\S", line):
            in_zones = False
        m = re.match(r"^  - name: (\S+)", line)
        if in_zones and m:
            names.append(m.group(1))
    return names


def learn_section(text):
    a = text.index("### Learning a draft: `fabmon learn`")
    return text[a:text.index("\n### ", a + 10)]


def check_learn(c, tmp, text):
    section = learn_section(text)
    shown = set(re.findall(r"`((?:fab-area|fab-system|it-ot-dmz|enterprise|external)[-0-9]*)`", section))
    learned = set()
    gen = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/tools/gen_zone_scenario.py"), tmp],
                         capture_output=True, text=True)
    c.eq("zone scenario generated", gen.returncode, 0)
    for name, cap in (("clean", os.path.join(tmp, "fab-clean.pcap")), ("demo", DEMO)):
        draft = os.path.join(tmp, f"learned-{name}.yaml")
        p = subprocess.run([FABMON, "learn", "-r", cap, "-o", draft], capture_output=True, text=True)
        c.eq(f"learn ({name}): exit", p.returncode, 0)
        zones = zone_names(draft) if os.path.exists(draft) else []
        learned.update(zones)
        c.eq(f"learn ({name}): its zones are named in the README's learn section",
             sorted(set(zones) - shown), [])
    c.eq("the README's learn section names no zone learn does not write", sorted(shown - learned), [])
    # enforced on the demo it was learned from: only the rules no conduit
    # can allow (the README lists them)
    out = os.path.join(tmp, "learned-demo-run")
    p = subprocess.run([FABMON, "-q", "-r", DEMO, "-o", out, "--no-report", "-c",
                        os.path.join(tmp, "learned-demo.yaml")], capture_output=True, text=True)
    rules = sorted({r["alert"]["rule_id"] for r in read_eve(os.path.join(out, "eve.json"))
                    if r["event_type"] == "alert"}) if p.returncode == 0 else ["exit %d" % p.returncode]
    c.eq("the draft learned from the demo, enforced on it: alerts", rules, ["FAB-SMB-002"])
    c.true("the README says which alert that is", "FAB-SMB-002" in section)


def check_policy_core(c, tmp, text):
    a = text.index("### The policy file")
    yaml = next(body for lang, start, body in blocks(text[a:]) if lang == "yaml")
    path = os.path.join(tmp, "core.yaml")
    with open(path, "w") as f:
        f.write(yaml + "\n")
    p = subprocess.run([FABMON, "check-policy", "-q", path], capture_output=True, text=True)
    c.eq(f"the policy file's core is a valid policy ({p.stderr.strip()})", p.returncode, 0)


def self_check(c):
    """The extraction itself, on a made-up block."""
    c.eq("sh block parsing", commands("a \\\n  b\n# note\n\nfabmon x   # exits 6", 1),
         [(1, "a    b"), (5, "fabmon x   # exits 6")])
    c.eq("skip rule", [skip_reason(x) for x in ("fabmon -i eth1", "fabmon -r a.pcap", "sudo apt-get install ./f.deb")],
         ["live capture", None, "needs root"])
    c.eq("elisions", parse_example('"a":{"b":1, ..., "c":"x\u2026"}'), {"a": {"b": 1, "c": "x\u2026"}})
    c.eq("prefix match", mismatches({"c": "x\u2026"}, {"c": "xyz"}), [])
    c.true("stale value caught", mismatches({"c": 1}, {"c": 2}) != [])


def check_demo_table(c, text, alerts):
    """The Quick start's table of the demo's alerts is every alert the demo
    raises (severity, rule, client, server and port), each once."""
    qs = text[text.find("## Quick start"):text.find("\n## ", text.find("## Quick start") + 4)]
    rows = re.findall(r"^\| (critical|high|medium|low) \| (FAB-[A-Z0-9-]+) \| (\S+) \u2192 (\S+):(\d+) \|",
                      qs, re.M)
    table = sorted((sev, rule, src, dst, int(port)) for sev, rule, src, dst, port in rows)
    real = sorted((a["alert"]["severity_name"], a["alert"]["rule_id"], a["src_ip"], a["dest_ip"], a["dest_port"])
                  for a in alerts)
    c.eq("the Quick start's table lists every demo alert", table, real)
    c.true("the Quick start says how many alerts the demo raises",
           f"the demo raises {len(real)} alerts" in " ".join(qs.split()))


def main():
    c = Check("readme")
    self_check(c)
    text = open(README, encoding="utf-8").read()
    with tempfile.TemporaryDirectory(prefix="fabmon-readme-") as tmp:
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        make_fixtures(work)
        # what scripts/demo.sh runs
        p = subprocess.run([FABMON, "-r", "demo/fab-demo.pcap", "-o", "out/demo"], cwd=work,
                           capture_output=True, text=True)
        c.eq("the demo run: exit", p.returncode, 0)
        demo_recs = read_eve(os.path.join(work, "out/demo/eve.json"))
        # the hand-off the README (and scripts/demo.sh) suggests: the most
        # severe alert, the first of them in the file
        alerts = [r for r in demo_recs if r["event_type"] == "alert" and not r["alert"].get("repeat")]
        top = min(enumerate(alerts), key=lambda ia: (ia[1]["alert"]["severity"], ia[0]))[1] if alerts else None
        c.true("the README hands off the demo's most severe alert",
               top is not None and f"fabmon handoff out/demo --alert {top['alert']['id']}" in text,
               top["alert"]["id"] if top else "no alert")
        check_demo_table(c, text, alerts)
        check_examples(c, tmp, text, demo_recs)
        run_commands(c, work, text)
        check_help(c, text)
        check_keys_documented(c, tmp, text)
        check_learn(c, tmp, text)
        check_policy_core(c, tmp, text)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
