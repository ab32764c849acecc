#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Alerts to a real rsyslog: each alert arrives once and intact.

usage: test_syslog.py FABMON SOURCE_ROOT   (root: a network namespace;
exit 77 when rsyslogd is not installed)

The test runs its own rsyslogd (no system configuration; its own work
directory) listening with imudp and imtcp (octet-counted framing) on
127.0.0.1. An omfile action writes one JSON line a message: rsyslog's
parse of the RFC 5424 header (PRI, facility, severity, version, hostname,
APP-NAME, PROCID, MSGID, structured data), the input module, the raw
message and MSG, each escaped by rsyslog's jsonf format, so MSG comes back
byte for byte (rsyslog drops the one SP before MSG, escapes nothing else
in valid JSON; maxMessageSize is 64k).

The known truth is fabmon's own eve.json of the same run: its alert
records, as written, are what syslog_out.c must deliver.

1. Offline over TCP (the fab demo capture, the example site policy):
   the MSGs received are exactly the eve.json alert lines, byte for byte,
   each once, in eve order, nothing else; every MSG parses to the eve
   record; stats.syslog says sent == alerts, dropped == 0. Header: PRI =
   local0 (16) * 8 + the syslog severity mapped from the alert's (fabmon
   1 critical .. 4 low to crit(2) .. notice(5): severity + 1), version 1,
   TIMESTAMP the alert's first_seen (capture time, UTC, microseconds),
   HOSTNAME this host's name, APP-NAME fabmon, PROCID fabmon's pid, MSGID
   the rule id, no structured data; rsyslog's own parse agrees.
2. The same over UDP (one datagram an alert).
3. --syslog-facility local3: PRI facility 19.
4. Receiver outage, live. A network namespace holds a veth pair and
   rsyslog (on the namespace's 127.0.0.1); fabmon captures on rx0 while
   tcpreplay sends the demo capture into tx0 in three parts, cut where
   the offline alerts fall. Part 1 is delivered; rsyslog is stopped
   (SIGTERM); part 2 arrives while the receiver is down (fabmon must keep
   capturing, find the connection closed and count refused reconnects);
   rsyslog is restarted on the same port, appending to the same file;
   part 3; once the queue has drained, SIGTERM (the alerts of flows ended
   at exit go out in the exit flush). SIGUSR1 stats records synchronise
   the steps (packets seen, syslog counters). Checked: fabmon exits 0,
   its final stats count every packet fed and no kernel drop, the live
   alerts are the offline ones, every received MSG is an eve alert line
   byte for byte, none twice, and received + stats.syslog.dropped ==
   eve alerts. With the default queue nothing is dropped; with
   --syslog-queue 2 exactly the alerts of the outage beyond the first 2
   are dropped (the newest go), and just those are missing.
"""
import collections
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, final_stats, read_eve  # noqa: E402

FABMON, ROOT = sys.argv[1], sys.argv[2]
DEMO = os.path.join(ROOT, "demo/fab-demo.pcap")
SITE = os.path.join(ROOT, "zones/examples/fab-site.yaml")
RSYSLOGD = shutil.which("rsyslogd") or ("/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None)
NS = f"fabmon-syslog-{os.getpid()}"
NS_PORT = 10514  # the namespace is new: nothing else listens there
LONG = ["--timeout", "tcp-new=86400", "--timeout", "tcp-established=86400",
        "--timeout", "tcp-closed=86400", "--timeout", "udp=86400", "--timeout", "other=86400"]
HEADER = re.compile(r"<(\d+)>(\d+) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) (.*)\Z", re.S)

CONF = """\
global(workDirectory="{work}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
template(name="rec" type="list") {{
  constant(value="{{")
  property(outname="pri" name="pri" format="jsonf") constant(value=",")
  property(outname="facility" name="syslogfacility" format="jsonf") constant(value=",")
  property(outname="severity" name="syslogseverity" format="jsonf") constant(value=",")
  property(outname="version" name="protocol-version" format="jsonf") constant(value=",")
  property(outname="hostname" name="hostname" format="jsonf") constant(value=",")
  property(outname="app" name="app-name" format="jsonf") constant(value=",")
  property(outname="procid" name="procid" format="jsonf") constant(value=",")
  property(outname="msgid" name="msgid" format="jsonf") constant(value=",")
  property(outname="sd" name="structured-data" format="jsonf") constant(value=",")
  property(outname="input" name="inputname" format="jsonf") constant(value=",")
  property(outname="raw" name="rawmsg" format="jsonf") constant(value=",")
  property(outname="msg" name="msg" format="jsonf")
  constant(value="}}\\n")
}}
ruleset(name="remote") {{
  action(type="omfile" file="{out}" template="rec")
}}
input(type="imudp" address="127.0.0.1" port="{port}" ruleset="remote")
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="remote")
"""


def complete_lines(path):
    """The lines of a file being written, without a last unfinished one."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text.split("\n")[:-1]


def wait(cond, timeout=10.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


class Rsyslog:
    """An rsyslogd of the test's own: -n, its config only, imudp + imtcp on
    127.0.0.1:port, every message to one JSON-lines file (appended to)."""

    def __init__(self, tmp, name, port, netns=None):
        self.dir = os.path.join(tmp, name)
        os.makedirs(os.path.join(self.dir, "work"), exist_ok=True)
        self.port = port
        self.netns = netns
        self.out = os.path.join(self.dir, "received.jsonl")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        with open(self.conf, "w") as f:
            f.write(CONF.format(work=os.path.join(self.dir, "work"), out=self.out, port=port))
        self.proc = None
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "a")

    def _listening(self):
        """Both sockets bound, as seen in rsyslogd's own network namespace."""
        want = f"0100007F:{self.port:04X}"
        try:
            tcp = open(f"/proc/{self.proc.pid}/net/tcp").read().split("\n")[1:]
            udp = open(f"/proc/{self.proc.pid}/net/udp").read().split("\n")[1:]
        except OSError:
            return False
        t = any(len(x.split()) > 3 and x.split()[1] == want and x.split()[3] == "0A" for x in tcp)
        u = any(len(x.split()) > 1 and x.split()[1] == want for x in udp)
        return t and u

    def start(self):
        pre = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.proc = subprocess.Popen(pre + [RSYSLOGD, "-n", "-f", self.conf, "-i",
                                            os.path.join(self.dir, "rsyslogd.pid")],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        if not wait(lambda: self.proc.poll() is not None or self._listening(), 10, 0.05) \
                or self.proc.poll() is not None:
            raise RuntimeError(f"rsyslogd did not start: {open(self.log.name).read()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def records(self):
        return [json.loads(x) for x in complete_lines(self.out)]


def free_port():
    """A port free for both TCP and UDP on 127.0.0.1."""
    for _ in range(50):
        t = socket.socket()
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise RuntimeError("no free port")


def eve_alert_lines(path):
    """The alert records of eve.json, as the text written (no newline)."""
    return [x for x in complete_lines(path) if json.loads(x).get("event_type") == "alert"]


def hostname():
    h = socket.gethostname()
    return "".join(ch if 32 < ord(ch) < 127 else "-" for ch in h) or "-"


def check_messages(c, what, recs, facility, pid, inputname):
    """The RFC 5424 header of each received message (raw and as rsyslog
    parsed it) against the alert it carries."""
    bad = []
    for r in recs:
        m = HEADER.match(r["raw"])
        if not m:
            bad.append(f"not RFC 5424: {r['raw'][:120]!r}")
            continue
        pri, ver, ts, host, app, procid, msgid, sd, msg = m.groups()
        try:
            a = json.loads(r["msg"])
        except json.JSONDecodeError as e:
            bad.append(f"MSG not JSON: {e}")
            continue
        sev = a["alert"]["severity"] + 1  # 1 critical .. 4 low -> crit(2) .. notice(5)
        # the JSON's times are Suricata's (+0000), the RFC 5424 header's RFC 3339 (Z)
        seen = a["alert"]["last_seen"] if a["alert"].get("repeat") else a["alert"]["first_seen"]
        want = {"pri": facility * 8 + sev, "version": "1", "timestamp": seen.replace("+0000", "Z"),
                "hostname": hostname(), "app": "fabmon", "procid": str(pid), "msgid": a["alert"]["rule_id"],
                "sd": "-", "msg": r["msg"]}
        got = {"pri": int(pri), "version": ver, "timestamp": ts, "hostname": host, "app": app,
               "procid": procid, "msgid": msgid, "sd": sd, "msg": msg}
        parsed = {"pri": int(r["pri"]), "facility": int(r["facility"]), "severity": int(r["severity"]),
                  "version": r["version"], "hostname": r["hostname"], "app": r["app"],
                  "procid": r["procid"], "msgid": r["msgid"], "sd": r["sd"], "input": r["input"]}
        want_parsed = {"pri": facility * 8 + sev, "facility": facility, "severity": sev, "version": "1",
                       "hostname": hostname(), "app": "fabmon", "procid": str(pid),
                       "msgid": a["alert"]["rule_id"], "sd": "-", "input": inputname}
        if got != want:
            bad.append(f"{a['alert']['rule_id']}: header {got | {'msg': '...'}} != {want | {'msg': '...'}}"
                       if got["msg"] == want["msg"] else f"{a['alert']['rule_id']}: MSG differs from raw")
        if parsed != want_parsed:
            bad.append(f"{a['alert']['rule_id']}: rsyslog parsed {parsed}, expected {want_parsed}")
    c.eq(f"{what}: RFC 5424 header of every message (facility {facility})", bad, [])
    sevs = sorted({json.loads(r["msg"])["alert"]["severity"] for r in recs})
    c.true(f"{what}: more than one severity mapped", len(sevs) > 1, str(sevs))


def offline(c, tmp, what, rs, target, extra, facility):
    """fabmon -r over the demo capture to rs; returns the number of alerts."""
    out = os.path.join(tmp, what)
    before = len(rs.records())
    p = subprocess.Popen([FABMON, "-q", "-r", DEMO, "-c", SITE, "-o", out, "--syslog", target] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = p.communicate(timeout=60)
    c.eq(f"{what}: fabmon exit", (p.returncode, err), (0, ""))
    eve = os.path.join(out, "eve.json")
    lines = eve_alert_lines(eve)
    recs = read_eve(eve)
    alerts = [r for r in recs if r["event_type"] == "alert"]
    c.true(f"{what}: the demo raises 15+ alerts", len(lines) >= 15, str(len(lines)))
    # everything sent is on the wire: wait for rsyslog to write it, then
    # a moment more to see that nothing else comes
    wait(lambda: len(rs.records()) - before >= len(lines), 10)
    time.sleep(0.3)
    got = rs.records()[before:]
    msgs = [r["msg"] for r in got]
    c.eq(f"{what}: messages received", len(msgs), len(lines))
    c.eq(f"{what}: each eve alert line received once, byte for byte, nothing else",
         collections.Counter(msgs), collections.Counter(lines))
    if target.startswith("tcp"):
        c.eq(f"{what}: in eve order (one TCP connection)", msgs, lines)
    parsed = []
    for m in msgs:
        try:
            parsed.append(json.loads(m))
        except json.JSONDecodeError:
            parsed.append(None)
    c.true(f"{what}: every MSG parses to an eve alert record", all(x in alerts for x in parsed))
    st = final_stats(recs)["syslog"]
    c.eq(f"{what}: stats.syslog", {k: st[k] for k in ("target", "sent", "dropped", "queued", "connects",
                                                      "disconnects", "connect_failures")},
         {"target": target, "sent": len(lines), "dropped": 0, "queued": 0, "connects": 1,
          "disconnects": 0, "connect_failures": 0})
    check_messages(c, what, got, facility, p.pid, "imtcp" if target.startswith("tcp") else "imudp")
    return len(lines)


def read_pcap(path):
    data = open(path, "rb").read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    hdr, off, pkts = data[:24], 24, []
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkts.append((sec + usec / 1e6, data[off:off + 16 + caplen]))
        off += 16 + caplen
    return hdr, pkts


def split_demo(tmp, offline_eve):
    """Three pcaps: cut where a third and two thirds of the offline alerts'
    packets are (an alert's timestamp is its packet's)."""
    hdr, pkts = read_pcap(DEMO)
    times = [t for t, _ in pkts]
    trig = []
    for r in read_eve(offline_eve):
        if r["event_type"] == "alert":
            t = _ts(r["alert"]["first_seen"])
            trig.append(min(range(len(times)), key=lambda i: abs(times[i] - t)))
    trig.sort()
    cuts = [0, trig[len(trig) // 3], trig[2 * len(trig) // 3], len(pkts)]
    parts = []
    for i in range(3):
        path = os.path.join(tmp, f"part{i + 1}.pcap")
        with open(path, "wb") as f:
            f.write(hdr)
            for _, raw in pkts[cuts[i]:cuts[i + 1]]:
                f.write(raw)
        parts.append((path, cuts[i + 1] - cuts[i]))
    return parts


def _ts(s):
    from datetime import datetime
    return datetime.fromisoformat(s).timestamp()


def alert_keys(lines):
    return sorted((a["alert"]["rule_id"], a["src_ip"], a["dest_ip"], a.get("dest_port"))
                  for a in map(json.loads, lines))


class Live:
    """fabmon capturing on rx0 in the namespace, synchronised by SIGUSR1."""

    def __init__(self, tmp, name, extra):
        self.out = os.path.join(tmp, name)
        self.eve = os.path.join(self.out, "eve.json")
        self.errlog = open(os.path.join(tmp, name + ".stderr"), "w+")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS, FABMON, "-i", "rx0", "-o", self.out, "-c", SITE,
             "--syslog", f"tcp://127.0.0.1:{NS_PORT}", "--stats-interval", "3600"] + LONG + extra,
            stdout=subprocess.DEVNULL, stderr=self.errlog)
        if not wait(lambda: os.path.exists(self.eve) or self.proc.poll() is not None) \
                or self.proc.poll() is not None:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            raise RuntimeError("fabmon did not start")
        time.sleep(0.5)

    def stats(self):
        """A fresh stats record (SIGUSR1; eve.json is flushed each second)."""
        def records():
            return [json.loads(x)["stats"] for x in complete_lines(self.eve)
                    if json.loads(x).get("event_type") == "stats"]
        n = len(records())
        self.proc.send_signal(signal.SIGUSR1)
        if not wait(lambda: len(records()) > n, 5, 0.05):
            raise RuntimeError("no stats record after SIGUSR1")
        return records()[-1]

    def until(self, cond, timeout=10.0):
        """Stats records until cond(stats) holds; the last one."""
        end = time.time() + timeout
        st = self.stats()
        while not cond(st) and time.time() < end:
            time.sleep(0.2)
            st = self.stats()
        return st

    def alerts(self):
        return eve_alert_lines(self.eve)


def replay(path):
    r = subprocess.run(["ip", "netns", "exec", NS, "tcpreplay", "-q", "-i", "tx0", "--pps=2000", path],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"tcpreplay: {r.stderr}")


def outage(c, tmp, name, parts, queue, offline_keys):
    """Part 1, receiver down, part 2, receiver back, part 3, SIGTERM."""
    what = f"outage (queue {queue or 'default 10000'})"
    qmax = queue or 10000
    rs = Rsyslog(tmp, "rs-" + name, NS_PORT, NS)
    rs.start()
    fm = None
    try:
        fm = Live(tmp, name, ["--syslog-queue", str(queue)] if queue else [])
        fed = 0
        # part 1: delivered as it comes
        replay(parts[0][0])
        fed += parts[0][1]
        st = fm.until(lambda s: s["capture"]["packets"] >= fed)
        a1 = len(fm.alerts())
        c.true(f"{what}: part 1 raises alerts", a1 > 0)
        st = fm.until(lambda s: s["syslog"]["sent"] >= a1)
        c.true(f"{what}: part 1 delivered", wait(lambda: len(rs.records()) >= a1, 10), f"{len(rs.records())}/{a1}")
        c.eq(f"{what}: part 1 stats.syslog sent", st["syslog"]["sent"], a1)
        rs.stop()
        # nothing queued: the loss is still seen (an idle look each second)
        st = fm.until(lambda s: not s["syslog"]["connected"], 5)
        c.eq(f"{what}: receiver loss seen while idle (connected, disconnects, queued)",
             (st["syslog"]["connected"], st["syslog"]["disconnects"], st["syslog"]["queued"]), (False, 1, 0))

        # part 2 while the receiver is down
        replay(parts[1][0])
        fed += parts[1][1]
        st = fm.until(lambda s: s["capture"]["packets"] >= fed and s["syslog"]["connect_failures"] >= 1)
        c.eq(f"{what}: keeps capturing while the receiver is down", st["capture"]["packets"], fed)
        a2 = len(fm.alerts()) - a1
        c.true(f"{what}: part 2 raises more alerts than the queue holds" if queue else
               f"{what}: part 2 raises alerts", a2 > (queue or 0), f"{a2}")
        s = st["syslog"]
        c.eq(f"{what}: while down: connection loss seen, reconnects refused, queued, dropped",
             (s["connected"], s["disconnects"], s["connect_failures"] >= 1, s["sent"], s["queued"], s["dropped"]),
             (False, 1, True, a1, min(a2, qmax), max(0, a2 - qmax)))
        c.eq(f"{what}: nothing received while down", len(rs.records()), a1)

        # receiver back on the same port, the same file: fabmon reconnects
        # at its next backoff slot and sends what it queued; then part 3
        rs.start()
        st = fm.until(lambda s: s["syslog"]["connected"] and s["syslog"]["queued"] == 0, 20)
        c.eq(f"{what}: reconnected, the queue sent", (st["syslog"]["connected"], st["syslog"]["queued"],
                                                     st["syslog"]["sent"]), (True, 0, a1 + min(a2, qmax)))
        c.true(f"{what}: the queued alerts received after the restart",
               wait(lambda: len(rs.records()) >= a1 + min(a2, qmax), 10), f"{len(rs.records())}")
        replay(parts[2][0])
        fed += parts[2][1]
        st = fm.until(lambda s: s["capture"]["packets"] >= fed and s["syslog"]["queued"] == 0
                      and s["syslog"]["connected"], 20)
        c.true(f"{what}: reconnected and queue drained", st["syslog"]["queued"] == 0 and st["syslog"]["connected"],
               str(st["syslog"]))
        before_exit = st["syslog"]["sent"]
        wait(lambda: len(rs.records()) >= before_exit, 10)

        fm.proc.send_signal(signal.SIGTERM)
        try:
            rc = fm.proc.wait(30)
        except subprocess.TimeoutExpired:
            fm.proc.kill()
            rc = None
        c.eq(f"{what}: fabmon exit after SIGTERM", rc, 0)
        recs = read_eve(fm.eve)
        fin = final_stats(recs)
        s = fin["syslog"]
        wait(lambda: len(rs.records()) >= s["sent"], 10)
        time.sleep(0.3)
    finally:
        rs.stop()
        if fm and fm.proc.poll() is None:
            fm.proc.kill()
            fm.proc.wait()
    lines = fm.alerts()
    got = [r["msg"] for r in rs.records()]
    total = len(lines)
    c.eq(f"{what}: final stats count every packet fed", fin["capture"]["packets"], fed)
    c.eq(f"{what}: no kernel drops", fin["capture"]["kernel_drops"], 0)
    c.eq(f"{what}: live alerts = offline alerts", alert_keys(lines), offline_keys)
    counts = collections.Counter(got)
    c.eq(f"{what}: no message received twice", [m[:80] for m, n in counts.items() if n > 1], [])
    c.eq(f"{what}: every message received is an eve alert line, byte for byte",
         [m[:80] for m in got if m not in set(lines)], [])
    c.eq(f"{what}: received + stats.syslog.dropped = eve alerts", len(counts) + s["dropped"], total)
    c.eq(f"{what}: received = stats.syslog.sent", len(got), s["sent"])
    dropped_want = max(0, a2 - qmax)
    c.eq(f"{what}: dropped = the outage's alerts beyond the queue", s["dropped"], dropped_want)
    # the queue keeps the oldest: the outage's alerts after the first qmax are missing
    def ids(ls):
        return [json.loads(m)["alert"]["id"] for m in ls]
    c.eq(f"{what}: the missing alerts (ids) are the newest of the outage",
         ids(m for m in lines if m not in counts), ids(lines[a1 + min(a2, qmax):a1 + a2]))
    c.eq(f"{what}: connections", (s["connects"], s["disconnects"], s["queued"]), (2, 1, 0))
    fm.errlog.seek(0)
    log = fm.errlog.read()
    c.true(f"{what}: the log says the receiver closed and came back",
           "connection closed by the receiver" in log and "connected; sending" in log, log)
    after = len(got) - a1
    print(f"{what}: {total} alerts ({a1} before the outage, {a2} during it, {total - a1 - a2} after); "
          f"{len(got)} delivered ({after} after the restart), {s['dropped']} dropped; "
          f"{s['connect_failures']} reconnects refused")


def main():
    if not RSYSLOGD:
        print("rsyslogd is not installed: skipped")
        return 77
    if os.geteuid() != 0:
        print("test_syslog.py needs root for a network namespace")
        return 1
    for tool in ("tcpreplay", "ip"):
        if not shutil.which(tool):
            print(f"{tool} is not installed")
            return 1
    c = Check("syslog")
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix="fabmon-syslog-")
    rs = None
    try:
        port = free_port()
        rs = Rsyslog(tmp, "rs", port)
        rs.start()
        offline(c, tmp, "tcp", rs, f"tcp://127.0.0.1:{port}", [], 16)
        offline(c, tmp, "udp", rs, f"udp://127.0.0.1:{port}", [], 16)
        offline(c, tmp, "tcp-local3", rs, f"tcp://127.0.0.1:{port}", ["--syslog-facility", "local3"], 19)
        rs.stop()

        off = os.path.join(tmp, "offline-long")
        p = subprocess.run([FABMON, "-q", "-r", DEMO, "-c", SITE, "-o", off] + LONG, capture_output=True)
        c.eq("offline run for the cuts", p.returncode, 0)
        offline_keys = alert_keys(eve_alert_lines(os.path.join(off, "eve.json")))
        parts = split_demo(tmp, os.path.join(off, "eve.json"))

        for cmd in (["ip", "netns", "add", NS],
                    ["ip", "-n", NS, "link", "add", "tx0", "type", "veth", "peer", "name", "rx0"]):
            subprocess.run(cmd, check=True, capture_output=True)
        try:
            subprocess.run(["ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"])
            subprocess.run(["ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"])
            for dev in ("tx0", "rx0", "lo"):
                subprocess.run(["ip", "-n", NS, "link", "set", dev, "up"], check=True)
            outage(c, tmp, "live", parts, None, offline_keys)
            outage(c, tmp, "live-q2", parts, 2, offline_keys)
        finally:
            subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    finally:
        if rs:
            rs.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"syslog: {time.time() - t0:.1f} s")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
