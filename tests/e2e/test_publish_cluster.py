#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Publishing to a three-node NATS JetStream cluster with a node killed
(issue 18): nothing lost, nothing doubled.

usage: test_publish_cluster.py FABMON NATS_STREAM_DUMP SOURCE_ROOT

The cluster runs the repository's own node configurations
(scripts/nats/fab-nats-{1,2,3}.conf), first checked by `nats-server -t`,
then moved to loopback (their ports, store directories and routes
replaced): three nats-server processes, own ports and stores, clustered.
fabmon publishes a generated 20,000-packet fab capture with a record for
every HSMS message (about 10,900 records) to all three URLs; while it
publishes, the node it is most likely connected to (the first URL) is
killed with SIGKILL and restarted two seconds later. Known truth: the
stream FABMON is made with 3 replicas; it ends with exactly eve.json's
records, in order, each once, read from each of the three nodes.

Then the fab-wide view through the cluster: the demo as two mirror ports
that share one HSMS connection see it (two sensors, one conduit seen by
both) publish to the three URLs; `fabmon collect` (given the three URLs)
writes exactly the union of their records, each once, and its fab-wide
report equals the report merged from the two sensors' own directories
(test_collect.check_fab_wide), the shared tool's inventory entry listing
both sensors (normal build only).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check, nats_node_conf  # noqa: E402
import test_publish  # noqa: E402
from test_publish import check_exactly, free_port, stream, wait_port  # noqa: E402
import test_collect  # noqa: E402  (the fab-wide checks; same arguments)

FABMON, DUMP, SRC = sys.argv[1], sys.argv[2], sys.argv[3]
CONF = [os.path.join(SRC, "scripts", "nats", f"fab-nats-{i}.conf") for i in (1, 2, 3)]
GEN = os.path.join(SRC, "bench", "gen_fab_capture.py")
c = Check("publish-cluster")
test_publish.c = test_collect.c = test_collect.merge.c = c  # their checks count here


class Node:
    def __init__(self, i, tmp, ports, routes):
        self.i, self.port = i, ports[i]
        self.conf = nats_node_conf(CONF[i], i, tmp, ports, routes, "1GB")
        self.log = os.path.join(tmp, f"node-{i + 1}.log")
        self.proc = None

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(["nats-server", "-c", self.conf, "-l", self.log])
        wait_port(self.port, f"node {self.i + 1}")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


def messages(node):
    """How many messages the stream holds, as node says (-1: no answer)."""
    r = subprocess.run([DUMP, node.url, "FABMON", "info"], capture_output=True, text=True,
                       timeout=30)
    m = re.search(r'"messages":(\d+)', r.stdout)
    return int(m.group(1)) if r.returncode == 0 and m else -1


def jetstream_ready(node, timeout=60):
    """The cluster's JetStream answers (a meta leader is elected): the
    stream is then either there or 'not found' (exit 2), not an error."""
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run([DUMP, node.url, "FABMON", "info"], capture_output=True, text=True,
                           timeout=30)
        if r.returncode in (0, 2):
            return True
        time.sleep(0.5)
    return False


def main():
    for conf in CONF:
        r = subprocess.run(["nats-server", "-t", "-c", conf], capture_output=True, text=True,
                           timeout=30)
        c.eq(f"nats-server -t {os.path.relpath(conf, SRC)}", r.returncode, 0, r.stdout + r.stderr)
    tmp = tempfile.mkdtemp(prefix="fabmon-cluster-")
    ports = [free_port() for _ in range(3)]
    routes = [free_port() for _ in range(3)]
    nodes = [Node(i, tmp, ports, routes) for i in range(3)]
    d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
    try:
        for n in nodes:
            n.start()
        c.true("the cluster's JetStream is up", all(jetstream_ready(n) for n in nodes))
        r = subprocess.run(["/usr/bin/python3", GEN, d("fab.pcap"), "--packets", "20000"],
                           capture_output=True, text=True, timeout=120)
        c.eq("generated capture", r.returncode, 0, r.stderr[-200:])
        urls = ",".join(n.url for n in nodes)
        p = subprocess.Popen([FABMON, "-r", d("fab.pcap"), "-o", d("out"), "--publish", urls,
                              "--site", "fab1", "--sensor-name", "s1", "--no-input-hash",
                              "--hsms-records", "all", "--publish-drain", "120"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        killed = False
        for _ in range(600):
            time.sleep(0.05)
            if messages(nodes[1]) > 200:
                nodes[0].kill()
                killed = True
                break
        c.true("a node killed (SIGKILL) while fabmon publishes", killed)
        time.sleep(2)
        nodes[0].start()
        err = p.communicate(timeout=300)[1]
        c.eq("fabmon exit code", p.returncode, 0, err[-400:])
        lines = sum(1 for _ in open(d("out", "eve.json"), encoding="utf-8"))
        c.true("several thousand records", lines > 2000, str(lines))
        c.true("everything acknowledged before the end", "not yet acknowledged" not in err,
               err[-400:])
        c.true("the restarted node is back in JetStream", jetstream_ready(nodes[0]))
        info = subprocess.run([DUMP, nodes[2].url, "FABMON", "info"], capture_output=True,
                              text=True, timeout=30)
        c.true("stream FABMON has 3 replicas", '"replicas":3' in info.stdout,
               info.stdout + info.stderr)
        for n in nodes:
            # the restarted node catches up from the others
            for _ in range(120):
                if messages(n) == lines:
                    break
                time.sleep(0.5)
            check_exactly(f"read from node {n.i + 1}", stream(n), d("out"), "fab1", "s1")

        # the fab-wide view through the cluster (normal build only: under the
        # sanitizers the same code is checked by the collect test)
        if os.environ.get("FABMON_SANITIZED", "none") in ("", "none"):
            test_collect.publish_mirror_ports(urls, d, "fab2")
            test_collect.check_fab_wide(urls, d, "fab2")
    finally:
        for n in nodes:
            n.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
