#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--fail-on: a replay as a CI gate for a PSIRT's or an auditor's pipeline.

fabmon exits 7 when an alert at or above the severity was raised and 0 when
none was; a run that failed (damaged input, bad policy) keeps its own code;
check-policy --fail-on warning exits 7 on a valid policy with warnings.
The number of hits fabmon reports is checked against the alert records'
counts in eve.json (the sum of `count` is the number of hits).

usage: test_fail_on.py FABMON SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

from fabmon_test_util import Check, read_eve, run

FABMON, ROOT = sys.argv[1], sys.argv[2]
DEMO = os.path.join(ROOT, "demo", "fab-demo.pcap")
DEFAULT_POLICY = os.path.join(ROOT, "zones", "default-fab.yaml")
SEV = {"critical": 1, "high": 2, "medium": 3, "low": 4}
c = Check("fail-on")
tmp = tempfile.mkdtemp(prefix="fabmon-fail-on-")


def t(name):
    return os.path.join(tmp, name)


def hits_at_or_above(eve, threshold):
    return sum(r["alert"]["count"] for r in eve
               if r["event_type"] == "alert" and r["alert"]["severity"] <= SEV[threshold])


def reported_hits(stderr):
    m = re.search(r"--fail-on \w+: (\d+) alert hits at or above", stderr)
    return int(m.group(1)) if m else None


# the demo raises critical, high and medium alerts
p = run([FABMON, "-r", DEMO, "-o", t("plain"), "--no-report"])
c.eq("no --fail-on: exit", p.returncode, 0)
eve = read_eve(t("plain/eve.json"))
c.true("demo has critical alerts", hits_at_or_above(eve, "critical") > 0)
for threshold in ("critical", "high", "medium", "low"):
    out = t("demo-" + threshold)
    p = run([FABMON, "-r", DEMO, "-o", out, "--no-report", "--fail-on", threshold])
    c.eq(f"demo --fail-on {threshold}: exit", p.returncode, 7)
    want = hits_at_or_above(read_eve(os.path.join(out, "eve.json")), threshold)
    c.eq(f"demo --fail-on {threshold}: hits reported = sum of alert counts in eve.json",
         reported_hits(p.stderr), want)
    c.true(f"demo --fail-on {threshold}: the outputs are complete (final stats written)",
           any(r["event_type"] == "stats" and r["stats"].get("final") for r in read_eve(os.path.join(out, "eve.json"))))
c.true("more hits at or above low than critical",
       hits_at_or_above(eve, "low") > hits_at_or_above(eve, "critical"))

# a policy that makes every rule 'low': the gate at medium passes, at low it trips
rule_ids = [l.split()[0] for l in run([FABMON, "rules"]).stdout.splitlines() if l.startswith("FAB-")]
c.true("rules listed", len(rule_ids) > 20, rule_ids)
with open(DEFAULT_POLICY) as f:
    policy = f.read()
overrides = "".join(f"  - {{id: {r}, severity: low}}\n" for r in rule_ids if r != "FAB-INV-001")
policy = policy.replace("rules:\n", "rules:\n" + overrides, 1)
with open(t("all-low.yaml"), "w") as f:
    f.write(policy)
p = run([FABMON, "check-policy", "-q", t("all-low.yaml")])
c.eq("all-low policy is valid", p.returncode, 0, p.stdout + p.stderr)
p = run([FABMON, "-r", DEMO, "-c", t("all-low.yaml"), "-o", t("low-medium"), "--no-report",
         "--fail-on", "medium"])
c.eq("only low alerts, --fail-on medium: exit", p.returncode, 0, p.stderr)
low_eve = read_eve(t("low-medium/eve.json"))
c.true("only low alerts: there are alerts",
       sum(1 for r in low_eve if r["event_type"] == "alert") > 0)
c.true("only low alerts: all of them low",
       all(r["alert"]["severity"] == 4 for r in low_eve if r["event_type"] == "alert"))
p = run([FABMON, "-r", DEMO, "-c", t("all-low.yaml"), "-o", t("low-low"), "--no-report",
         "--fail-on", "low"])
c.eq("only low alerts, --fail-on low: exit", p.returncode, 7)
c.eq("only low alerts, --fail-on low: hits", reported_hits(p.stderr),
     hits_at_or_above(read_eve(t("low-low/eve.json")), "low"))

# no -o: the summary run gates the same way
p = run([FABMON, "-r", DEMO, "--fail-on", "critical"])
c.eq("no -o, --fail-on critical: exit", p.returncode, 7)
c.eq("no -o: same hits as with -o", reported_hits(p.stderr), hits_at_or_above(eve, "critical"))

# rate-limited and aggregated hits count: one alert per minute at most
p = run([FABMON, "-r", DEMO, "-o", t("rate"), "--no-report", "--alert-rate", "1",
         "--fail-on", "low"])
c.eq("--alert-rate 1: exit", p.returncode, 7)
stats = [r for r in read_eve(t("rate/eve.json")) if r["event_type"] == "stats" and r["stats"].get("final")]
c.eq("--alert-rate 1: hits reported = stats.alerts.hits", reported_hits(p.stderr),
     stats[0]["stats"]["alerts"]["hits"] if stats else None)

# a run that failed keeps its code: a damaged capture with alerts before the damage
with open(DEMO, "rb") as f:
    data = f.read()
with open(t("cut.pcap"), "wb") as f:
    f.write(data[:len(data) - 7])
p = run([FABMON, "-r", t("cut.pcap"), "-o", t("cut"), "--no-report", "--fail-on", "low"])
c.eq("damaged capture with alerts, --fail-on low: exit 4, not 7", p.returncode, 4, p.stderr)
c.true("damaged capture: alerts before the damage kept",
       hits_at_or_above(read_eve(t("cut/eve.json")), "low") > 0)
c.true("damaged capture: the verdict says the run failed", "but the run failed" in p.stderr, p.stderr)

# usage errors
p = run([FABMON, "-r", DEMO, "--fail-on", "severe"])
c.eq("--fail-on severe: exit", p.returncode, 2)
c.true("--fail-on severe: message", "critical, high, medium or low" in p.stderr, p.stderr)
p = run([FABMON, "-r", DEMO, "--fail-on", "high", "--no-alerts"])
c.eq("--fail-on with --no-alerts: exit", p.returncode, 2)
p = run([FABMON, "--help"])
c.true("--help documents --fail-on and exit 7", "--fail-on SEVERITY" in p.stdout and "7 --fail-on" in p.stdout)

# check-policy: warnings gate only with --fail-on warning; errors are 6 either way
p = run([FABMON, "check-policy", "-q", "--fail-on", "warning", "--builtin"])
c.eq("check-policy --builtin --fail-on warning (no warnings): exit", p.returncode, 0, p.stdout)
warned = policy.replace("conduits:\n", """conduits:
  - name: office-straight-to-tools
    from: enterprise
    to: fab-equipment
    allow:
      - {app: RDP, ports: [3389]}
""", 1)
with open(t("warned.yaml"), "w") as f:
    f.write(warned)
p = run([FABMON, "check-policy", "-q", t("warned.yaml")])
c.eq("policy with a warning: exit without --fail-on", p.returncode, 0, p.stdout + p.stderr)
c.true("policy with a warning: the warning is printed", "bypassing the IT/OT DMZ" in p.stdout, p.stdout)
p = run([FABMON, "check-policy", "-q", "--fail-on", "warning", t("warned.yaml")])
c.eq("policy with a warning, --fail-on warning: exit", p.returncode, 7, p.stdout + p.stderr)
p = run([FABMON, "check-policy", "-q", "--fail-on", "error", t("warned.yaml")])
c.eq("policy with a warning, --fail-on error: exit", p.returncode, 0)
with open(t("broken.yaml"), "w") as f:
    f.write("version: 1\nzones: [\n")
p = run([FABMON, "check-policy", "-q", "--fail-on", "warning", t("broken.yaml")])
c.eq("broken policy, --fail-on warning: exit 6", p.returncode, 6)
p = run([FABMON, "check-policy", "--fail-on", "often", "--builtin"])
c.eq("check-policy --fail-on often: exit", p.returncode, 2)

sys.exit(c.done())
