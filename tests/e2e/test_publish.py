#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Publishing to NATS JetStream (--publish, issue 18 item 1) against a real
nats-server with JetStream, started here on loopback (own port, own store).

usage: test_publish.py FABMON NATS_STREAM_DUMP

1. A run of the demo: the stream FABMON holds exactly eve.json's records,
   in order, each once, on fabmon.<site>.<sensor>.<event_type>, with
   Nats-Msg-Id <sensor>.<run>.<n>; publish.state ends at eve.json's size;
   the final stats record counts every record before it as published.
2. The server down for a whole run: the run ends as usual (capture never
   waits for the network), says what is left, publishes nothing; the server
   back, the next run of that sensor (--append) sends both runs' records:
   the stream then holds that eve.json exactly, each record once.
3. A sensor that lost its place (publish.state as if saved before anything
   was acknowledged, as after a crash between publishing and saving): it
   sends everything again and the server drops every resent record (its
   Nats-Msg-Id was seen): still each record once.
4. kill -9 in the middle of publishing a long run, then a restart: each
   record once, none lost.
5. Bad input: a URL that is not nats://, --publish without -o (exit 2); no
   server at the port, a server that does not speak NATS, a publish.state
   that is not one: the capture goes on (exit 0, eve.json complete), a
   clear message.
6. Acknowledgements lost (publish.state set back), then more than the
   stream's duplicate window (100 ms here) passes: the next run skips the
   records the stream has instead of sending them again.
7. A stream FABMON with settings fabmon cannot use (other subjects, work
   queue retention): said once, nothing published, the capture goes on;
   the stream deleted, the next run makes it and sends everything.
8. A full stream (max 20 records, discard new): said once with the
   server's error, publish.state at the last acknowledged record; the
   limit raised, the next run sends the rest, each record once.
9. The server down for part of a run (a capture fed through a FIFO
   goes on and its records are written: SIGUSR1 flushes them), then
   started: they arrive; the server killed (kill -9) and restarted while
   the run goes on, the rest of the capture fed: every record once, in
   order.
10. --publish-types alert,asset,run,stats: the stream holds exactly those
    records of eve.json, in order, each once; an unknown type, or the
    option without --publish: exit 2 with the reason.
11. TLS (certificates made with openssl): a server that speaks only TLS,
    tls:// with --nats-tls-ca: every record once, read back over TLS and
    by `fabmon collect --nats-tls-ca`; another CA, or a nats:// URL to it:
    nothing sent, the handshake's reason said, the capture goes on
    (collect: exit 3, said). A CA or credentials file that cannot serve
    (missing, not a certificate, not a .creds): exit 2, said, for the
    sensor and for collect.
12. libnats is loaded only when NATS is used (the dynamic loader's own
    log, LD_DEBUG=files): not by a run without --publish, by one with it.
    A libnats that cannot be loaded (a mount namespace puts an empty file
    in its place): --publish and collect exit 2 saying so, a run without
    --publish is not affected.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check, free_port, read_eve, wait_port  # noqa: E402

FABMON, DUMP = sys.argv[1], sys.argv[2]
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(SRC, "demo", "fab-demo.pcap")
GEN = os.path.join(SRC, "bench", "gen_fab_capture.py")
c = Check("publish")


class Server:
    """nats-server with JetStream on loopback, its store in a directory of the test."""

    def __init__(self, tmp):
        self.port = free_port()
        self.store = os.path.join(tmp, "nats-store")
        self.log = os.path.join(tmp, "nats.log")
        self.proc = None

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.port),
                                      "-sd", self.store, "-l", self.log])
        wait_port(self.port, "nats-server")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
            self.proc = None


def fabmon(*args, timeout=120):
    return subprocess.run([FABMON, *args], capture_output=True, text=True, timeout=timeout)


def stream(server):
    r = subprocess.run([DUMP, server.url, "FABMON"], capture_output=True, text=True, timeout=60)
    if r.returncode == 2:
        return []
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines()]


def eve_lines(out):
    """out/eve.json's records; a line cut by a kill -9 (not one JSON object) is
    not a record: the publisher skips it too."""
    recs = []
    with open(os.path.join(out, "eve.json"), encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass
    return recs


def is_json(line):
    try:
        json.loads(line)
        return True
    except ValueError:
        return False


def of_sensor(msgs, sensor):
    return [m for m in msgs if m["subject"].split(".")[2] == sensor]


def check_exactly(what, msgs, out, site, sensor):
    """The sensor's messages are out/eve.json's records, in order, each once."""
    recs = eve_lines(out)
    mine = of_sensor(msgs, sensor)
    c.eq(f"{what}: messages of {sensor}", len(mine), len(recs))
    c.true(f"{what}: each record once, in order", [m["data"] for m in mine] == recs)
    c.true(f"{what}: subjects fabmon.{site}.{sensor}.<event_type>",
           all(m["subject"] == f"fabmon.{site}.{sensor}.{m['data']['event_type']}" for m in mine))
    ids = [m["msg_id"] for m in mine]
    c.true(f"{what}: Nats-Msg-Id unique, {sensor}.<run>.<n>",
           len(set(ids)) == len(ids) and all(i and i.startswith(sensor + ".") for i in ids))


def state(out):
    with open(os.path.join(out, "publish.state"), encoding="utf-8") as f:
        return json.load(f)


def helper(server, *args):
    """nats-stream-dump URL FABMON ARGS...: the stream's info, or made, changed, deleted."""
    r = subprocess.run([DUMP, server.url, "FABMON", *args], capture_output=True, text=True,
                       timeout=60)
    if r.returncode not in (0, 2):
        raise RuntimeError(r.stderr)
    return r.stdout


def fresh_stream(server, *keys):
    """FABMON made anew, with the settings of keys (KEY=VALUE, see nats_stream_dump.c)."""
    helper(server, "delete")
    helper(server, "create", *keys)


def fabmon_fed(out, *args, until, timeout=20):
    """fabmon -r FIFO -o out: the demo fed through a FIFO held open until
    fabmon's stderr says until, so that the run lasts until the publisher
    has had its say and its final stats record shows it. (exit code, stderr)"""
    fifo = out + ".fifo"
    os.mkfifo(fifo)
    p = subprocess.Popen([FABMON, "-r", fifo, "-o", out, "--no-input-hash", *args],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = []
    reader = threading.Thread(target=lambda: [err.append(line) for line in p.stderr], daemon=True)
    reader.start()
    with open(fifo, "wb") as f, open(DEMO, "rb") as pcap:
        f.write(pcap.read())
        f.flush()
        end = time.time() + timeout
        while time.time() < end and not any(until in line for line in err):
            time.sleep(0.05)
    p.wait(timeout=60)
    reader.join(timeout=10)
    os.unlink(fifo)
    return p.returncode, "".join(err)


def final_publish_stats(out):
    return [x for x in read_eve(os.path.join(out, "eve.json"))
            if x["event_type"] == "stats"][-1]["stats"]["publish"]


def rewind_state(out, n):
    """publish.state as if only the first n records of the run had been
    acknowledged (the acknowledgements of the rest lost)."""
    with open(os.path.join(out, "eve.json"), "rb") as f:
        lines = f.readlines()
    st = state(out)
    st.update(offset=sum(len(x) for x in lines[:n]), seq=n)
    with open(os.path.join(out, "publish.state"), "w", encoding="utf-8") as f:
        json.dump(st, f)
    return len(lines) - n


def past_window(srv, d):
    """6. Acknowledgements lost, then an outage longer than the duplicate
    window: the server would store a resent record again, so the records it
    has are skipped."""
    fresh_stream(srv, "duplicates_ms=100")
    c.eq("a stream with a 100 ms duplicate window", json.loads(helper(srv, "info"))["duplicates_ms"], 100)
    pub = ["--publish", srv.url, "--site", "fab1", "--sensor-name", "s5"]
    r = fabmon("-q", "-r", DEMO, "-o", d("w"), "--no-input-hash", *pub)
    c.eq("acks lost: first run", r.returncode, 0, r.stderr[-300:])
    lost = rewind_state(d("w"), 5)
    time.sleep(0.3)  # the window passes
    code, err = fabmon_fed(d("w"), "--append", *pub, until="not sent again")
    c.eq("past the window: next run", code, 0, err[-300:])
    c.true("... says it skips what the stream has", f"the stream has {lost} records of run" in err
           and "not sent again" in err, err[-600:])
    check_exactly("past the window", stream(srv), d("w"), "fab1", "s5")
    ps = final_publish_stats(d("w"))
    c.eq("... stats.publish.skipped_stored counts them", ps["skipped_stored"], lost, str(ps))
    c.eq("... none resent", ps["duplicates"], 0)


def stream_unfit(srv, d):
    """7. A stream FABMON made by someone else, with settings fabmon cannot
    use: said once, nothing published, the records wait in eve.json; the
    stream deleted, the next run makes it and sends them."""
    fresh_stream(srv, "subjects=other.>", "retention=workqueue")
    pub = ["--publish", srv.url, "--site", "fab1", "--sensor-name", "s6"]
    code, err = fabmon_fed(d("u"), "--publish-drain", "1", *pub, until="not one fabmon can")
    c.eq("a stream with other settings: exit code", code, 0, err[-300:])
    c.true("... said once: the stream, what differs, what fabmon needs",
           err.count("is not one fabmon can publish to") == 1 and "stream FABMON" in err and
           "its subjects (other.>) do not take fabmon.fab1.s6.>" in err and
           "work queue retention" in err and "needs subjects taking fabmon.>" in err and
           "limits retention, file storage" in err,
           err[-800:])
    c.true("... eve.json complete", eve_lines(d("u"))[-1]["event_type"] == "stats")
    ps = final_publish_stats(d("u"))
    c.true("... stats.publish: stream_errors, nothing published",
           ps["stream_errors"] >= 1 and ps["published"] == 0, str(ps))
    c.eq("... nothing put in that stream", json.loads(helper(srv, "info"))["messages"], 0)
    helper(srv, "delete")
    r = fabmon("-q", "-r", DEMO, "-o", d("u"), "--no-input-hash", "--append", *pub)
    c.eq("... the stream deleted: next run", r.returncode, 0, r.stderr[-300:])
    check_exactly("a stream made anew", stream(srv), d("u"), "fab1", "s6")


def stream_full(srv, d):
    """8. A full stream (20 records at most, new ones discarded): said once
    with the server's error, the capture goes on, publish.state stays at
    the last record acknowledged, the next run's stats count the refusals;
    the limit raised, the next run sends the rest, each record once."""
    fresh_stream(srv, "max_msgs=20", "discard=new")
    pub = ["--publish", srv.url, "--site", "fab1", "--sensor-name", "s7", "--publish-drain", "1"]
    r = fabmon("-r", DEMO, "-o", d("f"), "--no-input-hash", *pub)
    c.eq("a full stream: exit code", r.returncode, 0, r.stderr[-300:])
    c.true("... said once, with the server's error",
           r.stderr.count("stream full") == 1 and "stream FABMON refuses records: maximum messages "
           "exceeded (JetStream error 10077)" in r.stderr, r.stderr[-800:])
    c.true("... eve.json complete", eve_lines(d("f"))[-1]["event_type"] == "stats")
    with open(d("f", "eve.json"), "rb") as f:
        first = sum(len(x) for x in f.readlines()[:20])
    c.eq("... publish.state at the 20th record", (state(d("f"))["offset"], state(d("f"))["seq"]),
         (first, 20))
    c.true("... the stream has the first 20",
           [m["data"] for m in of_sensor(stream(srv), "s7")] == eve_lines(d("f"))[:20])
    # the next run begins with the records that wait: its stats show the refusals
    code, err = fabmon_fed(d("f"), "--append", *pub, until="stream full")
    c.eq("... next run, still full: exit code", code, 0, err[-300:])
    ps = final_publish_stats(d("f"))
    c.true("... stats.publish counts the refusals (rejected, errors), nothing published",
           ps["published"] == 0 and ps["rejected"] >= 1 and ps["errors"] >= ps["rejected"], str(ps))
    c.eq("... publish.state still at the 20th record", state(d("f"))["offset"], first)
    helper(srv, "update", "max_msgs=-1")
    r = fabmon("-q", "-r", DEMO, "-o", d("f"), "--no-input-hash", "--append", *pub[:-2])
    c.eq("... the limit raised: next run", r.returncode, 0, r.stderr[-300:])
    check_exactly("a full stream with room again", stream(srv), d("f"), "fab1", "s7")


def pcap_halves(path):
    """The capture's header with its first half of packets, and the rest."""
    with open(path, "rb") as f:
        buf = f.read()
    off, starts = 24, []
    while off + 16 <= len(buf):
        starts.append(off)
        off += 16 + int.from_bytes(buf[off + 8:off + 12], "little")
    mid = starts[len(starts) // 2]
    return buf[:mid], buf[mid:]


def wait_stream(srv, sensor, n, timeout=20):
    """Until the stream has n records of sensor (or timeout); how many it has."""
    end, got = time.time() + timeout, 0
    while time.time() < end:
        got = len(of_sensor(stream(srv), sensor))
        if got >= n:
            break
        time.sleep(0.2)
    return got


def server_down_mid_run(srv, d):
    out = d("m")
    os.makedirs(out)
    fifo = d("m.fifo")
    os.mkfifo(fifo)
    # section 4's 60,000-packet capture: a half is more than the reader's
    # buffer, so it is read while the FIFO stays open
    first, rest = pcap_halves(d("big.pcap"))
    srv.stop()
    p = subprocess.Popen([FABMON, "-q", "-r", fifo, "-o", out, "--publish", srv.url, "--site",
                          "fab1", "--sensor-name", "s9", "--no-input-hash"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with open(fifo, "wb") as f:
        f.write(first)
        f.flush()
        time.sleep(0.5)
        p.send_signal(signal.SIGUSR1)  # the records so far to eve.json
        time.sleep(1.5)                # the publisher cannot reach the server
        written = len(eve_lines(out))
        c.true("server down mid-run: records written meanwhile", written > 10, str(written))
        srv.start()
        got = wait_stream(srv, "s9", written)
        c.eq("server started mid-run: what waited arrives", got, written)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(timeout=30)
        srv.proc = None
        srv.start()
        f.write(rest)
        f.flush()
        time.sleep(0.5)
        p.send_signal(signal.SIGUSR1)
    _, err = p.communicate(timeout=60)
    os.unlink(fifo)
    c.eq("server down, up, killed, up during a run: exit code", p.returncode, 0, err[-300:])
    c.true("... eve.json complete", eve_lines(out)[-1]["event_type"] == "stats")
    check_exactly("server down, up, killed and restarted during a run", stream(srv), out, "fab1",
                  "s9")


def selected_types(srv, d):
    out = d("t")
    r = fabmon("-q", "-r", DEMO, "-o", out, "--publish", srv.url, "--site", "fab1",
               "--sensor-name", "s10", "--no-input-hash", "--publish-types", "alert,asset,run,stats")
    c.eq("--publish-types: exit code", r.returncode, 0, r.stderr[-300:])
    want = [x for x in eve_lines(out) if x["event_type"] in ("alert", "asset", "run", "stats")]
    mine = of_sensor(stream(srv), "s10")
    c.true("--publish-types: exactly those records, in order, each once",
           [m["data"] for m in mine] == want and len(want) > 20, f"{len(mine)} vs {len(want)}")
    r = fabmon("-q", "-r", DEMO, "-o", d("t2"), "--publish", srv.url, "--publish-types", "alerts")
    c.eq("--publish-types alerts: exit code", r.returncode, 2)
    c.true("... says what the types are", "not an event type" in r.stderr and "alert" in r.stderr,
           r.stderr)
    r = fabmon("-q", "-r", DEMO, "-o", d("t3"), "--publish-types", "alert")
    c.eq("--publish-types without --publish: exit code", r.returncode, 2)


def not_nats_server():
    """A TCP server that answers every connection with something else."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)

    def serve():
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            try:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                conn.close()
            except OSError:
                pass
    threading.Thread(target=serve, daemon=True).start()
    return s


def make_certs(d):
    """A CA, a server certificate it signs for 127.0.0.1, and a second CA
    that signed nothing of this server's (openssl, as an admin would)."""
    def ossl(*args):
        r = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"openssl {args[0]}: {r.stderr[-300:]}")
    for ca in ("ca", "other-ca"):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             f"/CN=fabmon test {ca}", "-keyout", d(f"{ca}.key"), "-out", d(f"{ca}.pem"))
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", d("srv.key"), "-out", d("srv.csr"))
    with open(d("srv.ext"), "w", encoding="ascii") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", d("srv.csr"), "-CA", d("ca.pem"), "-CAkey", d("ca.key"),
         "-CAcreateserial", "-days", "2", "-extfile", d("srv.ext"), "-out", d("srv.pem"))


def tls_server(d):
    """11. A server that speaks only TLS: with --nats-tls-ca (its CA) every
    record arrives once, read back over TLS; with another CA nothing is
    sent, the run goes on and says why; a nats:// URL to it fails likewise."""
    make_certs(d)
    port = free_port()
    proc = subprocess.Popen(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port),
                             "-sd", d("tls-store"), "-l", d("tls-nats.log"), "--tls",
                             "--tlscert", d("srv.pem"), "--tlskey", d("srv.key")])
    try:
        wait_port(port, "nats-server (TLS)")
        url = f"tls://127.0.0.1:{port}"
        r = fabmon("-r", DEMO, "-o", d("t1"), "--publish", url, "--nats-tls-ca", d("ca.pem"),
                   "--site", "fab1", "--sensor-name", "tls1", "--no-input-hash")
        c.eq("TLS: exit code", r.returncode, 0, r.stderr[-300:])
        fin = final_publish_stats(d("t1"))
        n = len(eve_lines(d("t1")))
        c.eq("TLS: every record before the final one acknowledged", fin["published"], n - 1)
        c.eq("TLS: connected", fin["connected"], True)
        env = dict(os.environ, NATS_TLS_CA=d("ca.pem"))
        rd = subprocess.run([DUMP, url, "FABMON"], capture_output=True, text=True, timeout=60,
                            env=env)
        c.eq("TLS: the stream read back over TLS", rd.returncode, 0, rd.stderr[-300:])
        check_exactly("TLS", [json.loads(x) for x in rd.stdout.splitlines()], d("t1"), "fab1",
                      "tls1")

        for name, args in (("another CA", ["--publish", url, "--nats-tls-ca", d("other-ca.pem")]),
                           ("no TLS asked", ["--publish", f"nats://127.0.0.1:{port}"])):
            t = time.time()
            r = fabmon("-r", DEMO, "-o", d("t2", name.replace(" ", "-")), *args,
                       "--site", "fab1", "--sensor-name", "tls2", "--no-input-hash",
                       "--publish-drain", "1")
            c.eq(f"TLS, {name}: the capture goes on (exit code)", r.returncode, 0, r.stderr[-300:])
            c.true(f"TLS, {name}: not blocked", time.time() - t < 30, f"{time.time() - t:.1f} s")
            c.true(f"TLS, {name}: eve.json complete",
                   eve_lines(d("t2", name.replace(" ", "-")))[-1]["event_type"] == "stats")
            c.true(f"TLS, {name}: said, with the handshake's reason",
                   re.search(r"not yet acknowledged by \S+ \(SSL handshake error: .*unable to get "
                             r"local issuer certificate", r.stderr) is not None, r.stderr[-400:])
            c.eq(f"TLS, {name}: nothing published",
                 final_publish_stats(d("t2", name.replace(" ", "-")))["published"], 0)
        rd = subprocess.run([DUMP, url, "FABMON"], capture_output=True, text=True, timeout=60,
                            env=env)
        # the fab-wide view over TLS
        r = subprocess.run([FABMON, "collect", url, "-o", d("tcol"), "--nats-tls-ca", d("ca.pem")],
                           capture_output=True, text=True, timeout=120)
        c.eq("TLS: fabmon collect --nats-tls-ca, exit code", r.returncode, 0, r.stderr[-300:])
        c.eq("TLS: ... collects every record", len(eve_lines(d("tcol"))), n)
        r = subprocess.run([FABMON, "collect", url, "-o", d("tcol2"), "--nats-tls-ca",
                            d("other-ca.pem")], capture_output=True, text=True, timeout=120)
        c.eq("TLS: collect trusting another CA: exit 3", r.returncode, 3, r.stderr[-300:])
        c.true("TLS: ... says why", "unable to get local issuer certificate" in r.stderr,
               r.stderr[-300:])
        # files that cannot serve: exit 2 before anything is read
        with open(d("not.creds"), "w", encoding="ascii") as f:
            f.write("user = me\n")
        for args, want in ((["--nats-tls-ca", d("none.pem")], "--nats-tls-ca .*none.pem: No such file"),
                           (["--nats-tls-ca", d("srv.key")], "--nats-tls-ca .*srv.key: .*no certificate"),
                           (["--nats-creds", d("none.creds")], "--nats-creds .*none.creds: No such file"),
                           (["--nats-creds", d("not.creds")],
                            "--nats-creds .*not.creds: not a NATS credentials file")):
            r = fabmon("-r", DEMO, "-o", d("t3"), "--publish", url, *args)
            c.eq(f"{' '.join(args[:1])} {os.path.basename(args[1])}: exit 2", r.returncode, 2,
                 r.stderr[-300:])
            c.true(f"{' '.join(args[:1])} {os.path.basename(args[1])}: said",
                   re.search(want, r.stderr) is not None, r.stderr[-300:])
            r = subprocess.run([FABMON, "collect", url, "-o", d("tcol3"), *args],
                               capture_output=True, text=True, timeout=60)
            c.true(f"collect {' '.join(args[:1])} {os.path.basename(args[1])}: exit 2, said",
                   r.returncode == 2 and re.search(want, r.stderr) is not None, r.stderr[-300:])
        c.true("... nothing written", not os.path.exists(d("t3", "eve.json")))
        r = fabmon("-r", DEMO, "-o", d("t4"), "--nats-tls-ca", d("ca.pem"))
        c.eq("--nats-tls-ca without --publish: exit 2", r.returncode, 2, r.stderr[-300:])
        c.eq("TLS: the stream holds only tls1's records",
             sorted({m["subject"].split(".")[2] for m in map(json.loads, rd.stdout.splitlines())}),
             ["tls1"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def loaded_libs(*args):
    """The shared objects the dynamic loader opened for fabmon ARGS, and its
    exit code."""
    env = dict(os.environ, LD_DEBUG="files")
    r = subprocess.run([FABMON, *args], capture_output=True, text=True, timeout=120, env=env)
    return set(re.findall(r"file=(\S+?)\s+\[0\];\s+(?:needed|dynamically loaded)", r.stderr)), r


def lazy_libnats(srv, d):
    libs, r = loaded_libs("-q", "-r", DEMO, "-o", d("l1"), "--no-input-hash")
    c.eq("no --publish: exit", r.returncode, 0, r.stderr[-300:])
    c.true("no --publish: the loader's log lists libraries", "libpcap.so.0.8" in libs, str(libs))
    c.true("no --publish: libnats, libssl, libcrypto not loaded",
           not {x for x in libs if re.match(r"lib(nats|ssl|crypto)\.so", x)}, str(sorted(libs)))
    libs, r = loaded_libs("-q", "-r", DEMO, "-o", d("l2"), "--publish", srv.url, "--site", "fab1",
                          "--sensor-name", "lazy", "--no-input-hash")
    c.eq("--publish: exit", r.returncode, 0, r.stderr[-300:])
    c.true("--publish: libnats loaded when used", "libnats.so.3.4" in libs, str(sorted(libs)))
    check_exactly("--publish with libnats loaded on use", stream(srv), d("l2"), "fab1", "lazy")
    # libnats unloadable: an empty file bound over it, in a mount namespace of this test's own
    lib = None
    for cand in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"):
        path = os.path.join(cand, "libnats.so.3.4")
        if os.path.exists(path):
            lib = os.path.realpath(path)
            break
    if lib is None or os.geteuid() != 0 or not shutil.which("unshare"):
        c.true("libnats unloadable: needs root, unshare and libnats.so.3.4", False, str(lib))
        return
    empty = d("empty.so")
    open(empty, "w").close()
    script = (f"mount --bind {empty} {lib} || exit 99; "
              f"{FABMON} -r {DEMO} -o {d('l3')} --publish {srv.url} --no-input-hash; echo rc=$?; "
              f"{FABMON} collect {srv.url} -o {d('l4')}; echo rc=$?; "
              f"{FABMON} -q -r {DEMO} -o {d('l5')} --no-input-hash; echo rc=$?")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                       timeout=120)
    rcs = re.findall(r"rc=(\d+)", r.stdout)
    c.eq("libnats unloadable: exit codes of --publish, collect, a run without", rcs,
         ["2", "2", "0"], r.stdout + r.stderr[-600:])
    c.eq("... --publish and collect say why",
         len(re.findall(r"error: (?:collect: )?NATS: cannot load libnats\.so\.3\.4: .*", r.stderr)),
         2, r.stderr[-600:])
    c.true("... the run without --publish wrote its records",
           os.path.exists(d("l5", "eve.json")) and eve_lines(d("l5"))[-1]["event_type"] == "stats")


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-publish-")
    srv = Server(tmp)
    d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
    try:
        srv.start()
        # 1. one run
        r = fabmon("-q", "-r", DEMO, "-o", d("a"), "--publish", srv.url, "--site", "fab1",
                   "--sensor-name", "s1", "--no-input-hash")
        c.eq("run with --publish: exit code", r.returncode, 0, r.stderr[-300:])
        check_exactly("one run", stream(srv), d("a"), "fab1", "s1")
        c.eq("publish.state at the end of eve.json", state(d("a"))["offset"],
             os.path.getsize(d("a", "eve.json")))
        # every record valid against fabmon's schema and Suricata's, stats.publish too
        fin = [x for x in read_eve(d("a", "eve.json")) if x["event_type"] == "stats"][-1]["stats"]
        c.true("stats.publish names the target", fin.get("publish", {}).get("target") == srv.url,
               str(fin.get("publish")))
        n = len(eve_lines(d("a")))
        c.eq("the final stats record counts every record before it as published",
             fin["publish"]["published"], n - 1)
        c.eq("... with nothing waiting", fin["publish"]["backlog_bytes"], 0)

        # 2. the server away for a whole run, then back
        srv.stop()
        t = time.time()
        r = fabmon("-r", DEMO, "-o", d("b"), "--publish", srv.url, "--site", "fab1",
                   "--sensor-name", "s2", "--no-input-hash", "--publish-drain", "1")
        c.eq("server down: the run still ends normally", r.returncode, 0, r.stderr[-300:])
        c.true("... within its drain time, not blocked", time.time() - t < 30, f"{time.time() - t:.1f} s")
        c.true("... and says what waits", "not yet acknowledged" in r.stderr, r.stderr[-400:])
        c.true("... and that it waits for it, once the capture is read",
               re.search(r"publish: waiting up to 1 s for nats://\S+ to acknowledge the last "
                         r"[1-9][0-9]* bytes of eve\.json", r.stderr) is not None, r.stderr[-400:])
        c.true("... its eve.json complete", eve_lines(d("b"))[-1]["event_type"] == "stats")
        srv.start()
        c.eq("server back: nothing of s2 yet", len(of_sensor(stream(srv), "s2")), 0)
        r = fabmon("-q", "-r", DEMO, "-o", d("b"), "--append", "--publish", srv.url, "--site",
                   "fab1", "--sensor-name", "s2", "--no-input-hash")
        c.eq("next run of s2: exit code", r.returncode, 0, r.stderr[-300:])
        check_exactly("after the outage", stream(srv), d("b"), "fab1", "s2")

        # 3. the place lost: everything resent, the server drops the duplicates
        st = state(d("b"))
        st.update(offset=0, run="none", seq=0)
        with open(d("b", "publish.state"), "w", encoding="utf-8") as f:
            json.dump(st, f)
        r = fabmon("-q", "-r", DEMO, "-o", d("b"), "--append", "--publish", srv.url, "--site",
                   "fab1", "--sensor-name", "s2", "--no-input-hash")
        c.eq("resend after a lost place: exit code", r.returncode, 0, r.stderr[-300:])
        check_exactly("resent", stream(srv), d("b"), "fab1", "s2")

        # 4. kill -9 while publishing, then a restart
        r = subprocess.run(["/usr/bin/python3", GEN, d("big.pcap"), "--packets", "60000"],
                           capture_output=True, text=True, timeout=120)
        c.eq("generated capture", r.returncode, 0, r.stderr[-200:])
        p = subprocess.Popen([FABMON, "-q", "-r", d("big.pcap"), "-o", d("k"), "--publish", srv.url,
                              "--site", "fab1", "--sensor-name", "s3", "--no-input-hash",
                              "--hsms-records", "all"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed_at = None
        for _ in range(400):
            time.sleep(0.05)
            n = len(of_sensor(stream(srv), "s3")) if os.path.exists(d("k", "eve.json")) else 0
            if n > 100:
                p.send_signal(signal.SIGKILL)
                killed_at = n
                break
        p.wait(timeout=60)
        c.true("killed while publishing", killed_at is not None and
               killed_at < len(open(d("k", "eve.json")).read().splitlines()), str(killed_at))
        # A kill -9 in the middle of write(2) leaves half a record at the end;
        # most kills land between writes. The cut is made here when the kill
        # did not make it, so that the path is tested every time.
        with open(d("k", "eve.json"), "rb") as f:
            raw = f.read()
        if raw.endswith(b"\n"):
            last = raw[:-1].rsplit(b"\n", 1)[-1]
            with open(d("k", "eve.json"), "ab") as f:
                f.write(last[:len(last) // 2])
        # the run is repeated into the same directory (its eve.json, cut where
        # the kill left it, stays: --append)
        r = fabmon("-r", DEMO, "-o", d("k"), "--append", "--publish", srv.url, "--site",
                   "fab1", "--sensor-name", "s3", "--no-input-hash", timeout=300)
        c.eq("restart after kill -9: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("restart says eve.json ended in the middle of a record",
               "ended in the middle of a record" in r.stderr, r.stderr[-600:])
        with open(d("k", "eve.json"), "rb") as f:
            cut = [ln for ln in f.read().split(b"\n") if ln and not is_json(ln)]
        c.eq("one cut line, left as it was", len(cut), 1)
        check_exactly("after kill -9", stream(srv), d("k"), "fab1", "s3")

        # 5. bad input
        r = fabmon("-q", "-r", DEMO, "-o", d("e1"), "--publish", "http://127.0.0.1:1")
        c.eq("--publish http://...: exit code", r.returncode, 2)
        c.true("... says what it takes", "nats://" in r.stderr, r.stderr)
        r = fabmon("-q", "-r", DEMO, "--publish", srv.url)
        c.eq("--publish without -o: exit code", r.returncode, 2)
        c.true("... says why", "needs -o" in r.stderr, r.stderr)
        r = fabmon("-r", DEMO, "-o", d("e2"), "--publish", f"nats://127.0.0.1:{free_port()}",
                   "--publish-drain", "1")
        c.eq("no server at the port: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("... eve.json complete", eve_lines(d("e2"))[-1]["event_type"] == "stats")
        c.true("... said", "not yet acknowledged" in r.stderr, r.stderr[-300:])
        os.makedirs(d("e4"))
        with open(d("e4", "publish.state"), "w") as f:
            f.write("garbage\n")
        r = fabmon("-r", DEMO, "-o", d("e4"), "--publish", srv.url)
        c.eq("a publish.state that is not one: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("... named, with what to do", "publish.state is not fabmon's publish state" in r.stderr
               and "remove it" in r.stderr, r.stderr[-300:])
        c.true("... the capture goes on", eve_lines(d("e4"))[-1]["event_type"] == "stats")
        bogus = not_nats_server()
        r = fabmon("-r", DEMO, "-o", d("e3"), "--publish",
                   f"nats://127.0.0.1:{bogus.getsockname()[1]}", "--publish-drain", "1")
        bogus.close()
        c.eq("a server that is not NATS: exit code", r.returncode, 0, r.stderr[-300:])
        c.true("... eve.json complete", eve_lines(d("e3"))[-1]["event_type"] == "stats")
        c.true("... said", "not yet acknowledged" in r.stderr, r.stderr[-300:])

        past_window(srv, d)
        stream_unfit(srv, d)
        stream_full(srv, d)
        server_down_mid_run(srv, d)
        selected_types(srv, d)
        tls_server(d)
        lazy_libnats(srv, d)
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
