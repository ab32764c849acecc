#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""fabmon as the service scripts/fabmon@.service.in runs it.

usage: test_service.py FABMON PCAP_READ_LOOP SOURCE_ROOT   (root)

The unit file is checked by `systemd-analyze verify` (as the instance
fabmon@rx0), and its ExecStart is run as written, with the interface, paths
and user swapped for the test's: a veth pair in a network namespace made for
the test, a temporary output directory, the example site policy, and the
user `nobody`. While tcpreplay sends the fab scenario into the pair: fabmon
must run as nobody with no capability and no way back (NoNewPrivs), write
its pid file, write a stats record on SIGUSR1, refuse a broken policy on
SIGHUP (and say why), take a good one, and reopen eve.json after logrotate
(scripts/fabmon.logrotate, run for real) rotated it, and on SIGTERM flush
everything: the flows and alerts of the live run (both files) equal those of
reading the capture offline, the final stats are written, and every
evidence file is a complete pcap.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve  # noqa: E402

FABMON, LOOP, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
UNIT = os.path.join(ROOT, "scripts/fabmon@.service.in")
LOGROTATE = os.path.join(ROOT, "scripts/fabmon.logrotate")
NS = f"fabmon-svc-{os.getpid()}"
LONG = ["--timeout", "tcp-new=86400", "--timeout", "tcp-established=86400",
        "--timeout", "tcp-closed=86400", "--timeout", "udp=86400", "--timeout", "other=86400"]


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def ns(*cmd):
    return sh(["ip", "netns", "exec", NS] + list(cmd))


def exec_start(tmp):
    """The unit's ExecStart, for this test."""
    text = open(UNIT).read()
    line = next(x for x in text.splitlines() if x.startswith("ExecStart="))
    args = shlex.split(line[len("ExecStart="):])
    swap = {"@BINDIR@/fabmon": FABMON, "%i": "rx0", "/var/lib/fabmon/%i": os.path.join(tmp, "lib"),
            "@SYSCONFDIR@/fabmon/policy.yaml": os.path.join(tmp, "policy.yaml"), "fabmon": "nobody",
            "/run/fabmon/%i/fabmon.pid": os.path.join(tmp, "run", "fabmon.pid"), "%H": "fab-sensor-1"}
    # $FABMON_OPTIONS: unset here (no /etc/default/fabmon), so no argument
    return [swap.get(a, a) for a in args if a != "$FABMON_OPTIONS"]


def logrotate_conf(tmp, pid):
    """scripts/fabmon.logrotate for this test's directory, user and process."""
    text = open(LOGROTATE).read()
    text = text.replace("/var/lib/fabmon/*/eve.json", os.path.join(tmp, "lib", "eve.json"))
    text = text.replace("fabmon fabmon", "nobody nogroup")
    text = re.sub(r"systemctl kill .*fabmon@\*\.service'", f"kill -HUP {pid}", text)
    conf = os.path.join(tmp, "logrotate.conf")
    with open(conf, "w") as f:
        f.write(text)
    os.chmod(conf, 0o644)
    return conf


def status(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def alerts(recs):
    """First records (a reload checks open flows again: their hits become repeats)."""
    return sorted((a["alert"]["rule_id"], a["src_ip"], a["dest_ip"], a.get("dest_port"), a["alert"]["count"])
                  for a in recs if a["event_type"] == "alert" and not a["alert"].get("repeat"))


def flowset(recs):
    return sorted((r["src_ip"], r.get("src_port"), r["dest_ip"], r.get("dest_port"), r["app_proto"],
                   r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"])
                  for r in recs if r["event_type"] == "flow")


def wait(cond, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end and not cond():
        time.sleep(0.1)
    return cond()


def main():
    c = Check("service")
    with tempfile.TemporaryDirectory(prefix="fabmon-service-") as tmp:
        os.chmod(tmp, 0o755)
        unit = os.path.join(tmp, "fabmon@rx0.service")
        with open(unit, "w") as f:
            f.write(open(UNIT).read().replace("@BINDIR@", os.path.dirname(os.path.abspath(FABMON)))
                    .replace("@SYSCONFDIR@", "/etc").replace("@DOCDIR@", "/usr/share/doc/fabmon"))
        # (the man page is not installed here: test_package checks it)
        p = sh(["systemd-analyze", "verify", "--man=no", unit])
        c.eq("systemd-analyze verify fabmon@rx0.service", (p.returncode, p.stderr.strip()), (0, ""))

        sh(["/usr/bin/python3", os.path.join(ROOT, "tests/tools/gen_zone_scenario.py"), tmp])
        cap = os.path.join(tmp, "fab-violations.pcap")
        pol = os.path.join(tmp, "policy.yaml")
        site = open(os.path.join(ROOT, "zones/examples/fab-site.yaml")).read()
        with open(pol, "w") as f:
            f.write(site)
        os.chmod(pol, 0o644)
        os.makedirs(os.path.join(tmp, "run"))
        offline = os.path.join(tmp, "offline")
        p = sh([FABMON, "-q", "-r", cap, "-o", offline, "-c", pol] + LONG)
        c.eq("offline run", p.returncode, 0)
        want = read_eve(os.path.join(offline, "eve.json"))

        for cmd in (["ip", "netns", "add", NS], ["ip", "-n", NS, "link", "add", "tx0", "type", "veth",
                                                  "peer", "name", "rx0"]):
            sh(cmd, check=True)
        ns("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        ns("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        for dev in ("tx0", "rx0", "lo"):
            sh(["ip", "-n", NS, "link", "set", dev, "up"])
        lib = os.path.join(tmp, "lib")
        eve = os.path.join(lib, "eve.json")
        errlog = open(os.path.join(tmp, "stderr"), "w+")
        proc = None
        try:
            cmd = ["ip", "netns", "exec", NS] + exec_start(tmp) + LONG + ["--stats-interval", "3600"]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errlog)
            pidf = os.path.join(tmp, "run", "fabmon.pid")
            c.true("started: pid file and eve.json", wait(lambda: os.path.exists(pidf) and os.path.exists(eve)))
            time.sleep(0.5)
            pid = int(open(pidf).read())
            c.eq("pid file holds fabmon's pid", pid, proc.pid)
            st = status(pid)
            nobody = sh(["id", "-u", "nobody"]).stdout.strip()
            c.eq("runs as nobody (real, effective, saved, fs uid)", st["Uid"].split(), [nobody] * 4)
            c.eq("no capabilities left", (st["CapEff"], st["CapPrm"], st["CapInh"]), ("0" * 16,) * 3)
            c.eq("no way back", st["NoNewPrivs"], "1")
            c.eq("no supplementary groups", st["Groups"], "")
            c.eq("output directory given to nobody", os.stat(lib).st_uid, int(nobody))

            r = ns("tcpreplay", "-q", "-i", "tx0", "--pps=2000", cap)
            c.eq("tcpreplay", r.returncode, 0)
            time.sleep(1.0)

            def stats_records():
                return len([r for r in read_eve(eve) if r["event_type"] == "stats"])
            before = stats_records()
            proc.send_signal(signal.SIGUSR1)
            c.true("SIGUSR1 writes a stats record", wait(lambda: stats_records() == before + 1))

            with open(pol, "w") as f:
                f.write(site.replace("area: fab-area, sl_t: 4", "area: fab-areaa, sl_t: 4"))
            proc.send_signal(signal.SIGHUP)
            errlog.flush()
            c.true("broken policy refused, with why",
                   wait(lambda: "policy not reloaded, keeping the previous one" in open(errlog.name).read()
                        and "unknown area 'fab-areaa'" in open(errlog.name).read()), open(errlog.name).read())
            with open(pol, "w") as f:
                f.write(site.replace("example fab, building 1", "example fab, building 1 (rev 2)"))
            p = sh(["logrotate", "-f", "-s", os.path.join(tmp, "logrotate.state"), logrotate_conf(tmp, pid)])
            c.eq("logrotate", (p.returncode, p.stderr), (0, ""))
            c.true("good policy reloaded", wait(lambda: f"policy reloaded from '{pol}'" in open(errlog.name).read()))
            c.true("rotated: eve.json.1 is the old file", os.path.exists(eve + ".1"))
            proc.send_signal(signal.SIGUSR1)  # written to the reopened file, not to eve.json.1
            c.true("eve.json reopened after the rotation",
                   wait(lambda: os.path.exists(eve) and any(r["event_type"] == "stats" for r in read_eve(eve))))
            if os.path.exists(eve):
                c.eq("the new eve.json belongs to nobody", os.stat(eve).st_uid, int(nobody))
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = None
            c.eq("exit 0 after SIGTERM", rc, 0)
        finally:
            if proc and proc.poll() is None:
                proc.kill()
            sh(["ip", "netns", "del", NS])
        got = read_eve(eve + ".1") + (read_eve(eve) if os.path.exists(eve) else [])
        c.eq("flows of the live run = offline", flowset(got), flowset(want))
        c.eq("alerts of the live run = offline", alerts(got), alerts(want))
        pol_recs = [r for r in got if r["event_type"] == "policy"]
        c.eq("one policy record for the reload", [r["policy"].get("name") for r in pol_recs],
             ["example fab, building 1 (rev 2)"])
        final = [r for r in got if r["event_type"] == "stats" and r["stats"]["final"]]
        c.eq("final stats written", len(final), 1)
        if final:
            a = final[0]["stats"]["alerts"]
            c.eq("reloads counted", (a["policy_reloads"], a["policy_reload_failures"]), (1, 1))
            c.eq("no kernel drops", final[0]["stats"]["capture"]["kernel_drops"], 0)
        evfiles = sorted({a["alert"]["evidence"]["file"] for a in got
                          if a["event_type"] == "alert" and "evidence" in a["alert"]})
        c.eq("every alert has evidence", len(evfiles), len({a["flow_id"] for a in got if a["event_type"] == "alert"}))
        for f in evfiles:
            path = os.path.join(lib, f)
            p = sh([LOOP, path])
            c.true(f"{f}: a complete pcap", p.returncode == 0 and int(p.stdout.split()[0]) > 0, p.stderr)
            c.eq(f"{f}: belongs to nobody", os.stat(path).st_uid, int(nobody))
        c.true("the log says it dropped root", re.search(r"running as user 'nobody' \(uid \d+\)",
                                                          open(errlog.name).read()) is not None)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
