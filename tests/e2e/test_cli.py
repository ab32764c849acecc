#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""fabmon's behaviour on bad input and bad output: the message names the
offending file or interface, the exit code is the documented one, and what
was readable is processed and written.

usage: test_cli.py FABMON SHARED_CAPTURES_DIR
"""
import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

from fabmon_test_util import Check, final_stats, flows, read_eve, run

FABMON, CAPS = sys.argv[1], sys.argv[2]
GEM = os.path.join(CAPS, "hsms/secsgem/secsgem_gem_session_p5000.pcap")
ITI = os.path.join(CAPS, "modbus/iti/ModbusTCP.pcap")
c = Check("cli")
tmp = tempfile.mkdtemp(prefix="fabmon-cli-")


def t(name):
    return os.path.join(tmp, name)


# usage errors
p = run([FABMON])
c.eq("no input: exit", p.returncode, 2)
c.true("no input: message", "nothing to read" in p.stderr, p.stderr)
p = run([FABMON, "-r", GEM, "-i", "lo"])
c.eq("-r with -i: exit", p.returncode, 2)
p = run([FABMON, "--flows", "abc", "-r", GEM])
c.eq("bad number: exit", p.returncode, 2)
c.true("bad number: names the value", "'abc'" in p.stderr, p.stderr)
for opt, good in (("--hsms-records", "all, non-routine or none"), ("--modbus-records", "all, non-read or none"),
                  ("--flow-records", "connections or all")):
    p = run([FABMON, opt, "routine", "-r", GEM])
    c.eq(f"{opt} routine: exit", p.returncode, 2)
    c.true(f"{opt} routine: says what it takes", good in p.stderr, p.stderr)
p = run([FABMON, "--help"])
c.eq("--help exit", p.returncode, 0)
c.true("--help documents exit codes", "Exit codes" in p.stdout)

# no -o: the summary on stdout lists the alerts, by severity and rule
DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "demo", "fab-demo.pcap")
p = run([FABMON, "-r", DEMO])
c.eq("summary: exit", p.returncode, 0)
alerts = p.stdout[p.stdout.find("  alerts "):].splitlines()
c.eq("summary: the demo's alerts", alerts, [
    "  alerts    12 (critical 2, high 9, medium 1); -o DIR writes them with their evidence",
    "    (severity, rule, hits, the first: client -> server)",
    "    critical  FAB-SMB-002        1  10.30.1.21 -> 10.20.5.5:445 (NetBIOS.SMBv1)",
    "    critical  FAB-ZC-004         1  10.30.1.22 -> 198.51.100.23:443 (TLS)",
    "    high      FAB-HSMS-007       1  192.168.10.50 -> 10.30.1.22:5000 (hsms)",
    "    high      FAB-HSMS-008       1  192.168.10.50 -> 10.30.1.22:5000 (hsms)",
    "    high      FAB-MB-001         1  192.168.10.50 -> 10.30.50.5:502 (modbus)",
    "    high      FAB-RA-001         5  10.10.0.5 -> 10.30.1.22:3389 (RDP)",
    "    high      FAB-ZC-002         1  10.20.2.20 -> 10.30.50.5:23 (Telnet)",
    "    medium    FAB-CL-001         1  10.20.2.20 -> 10.30.50.5:23 (Telnet)"])
p = run([FABMON, "-r", DEMO, "--no-alerts"])
c.true("summary, --no-alerts: no alert lines", "alerts" not in p.stdout, p.stdout)

# missing file
p = run([FABMON, "-r", t("nope.pcap"), "-o", t("o1")])
c.eq("missing file: exit", p.returncode, 3)
c.true("missing file: message", "nope.pcap" in p.stderr and "No such file" in p.stderr, p.stderr)
c.true("missing file: no output left behind", not os.path.exists(t("o1")))

# a --user that does not exist: exit 2 before any output (directory, eve.json,
# pid file) exists, reading a file or capturing live
for mode in (["-r", GEM], ["-i", "lo"]):
    p = run([FABMON] + mode + ["-o", t("o-user/out"), "--user", "fabmon-no-such-user",
                               "--pidfile", t("o-user.pid")])
    c.eq(f"unknown --user ({mode[0]}): exit", p.returncode, 2)
    c.true(f"unknown --user ({mode[0]}): message", "unknown user 'fabmon-no-such-user'" in p.stderr, p.stderr)
    c.eq(f"unknown --user ({mode[0]}): nothing created",
         [x for x in (t("o-user"), t("o-user.pid")) if os.path.exists(x)], [])

# not a capture
with open(t("notes.pcap"), "w") as f:
    f.write("this is a text file, not a capture\n")
p = run([FABMON, "-r", t("notes.pcap")])
c.eq("not a capture: exit", p.returncode, 3)
c.true("not a capture: message", "notes.pcap" in p.stderr and "not a pcap or pcapng" in p.stderr, p.stderr)
open(t("empty.pcap"), "w").close()
p = run([FABMON, "-r", t("empty.pcap")])
c.eq("empty file: exit", p.returncode, 3)
c.true("empty file: message", "empty" in p.stderr, p.stderr)

# a bad BPF filter
p = run([FABMON, "-r", GEM, "-f", "tcp port nonsense"])
c.eq("bad filter: exit", p.returncode, 2)
c.true("bad filter: message", "bad filter" in p.stderr, p.stderr)

# truncated capture: processed up to the damage, told where
data = open(GEM, "rb").read()
# find the byte offset of packet 51's record and cut inside its data
off, n = 24, 0
while n < 50:
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    off += 16 + incl
    n += 1
with open(t("cut.pcap"), "wb") as f:
    f.write(data[:off + 16 + 10])
p = run([FABMON, "-r", t("cut.pcap"), "-o", t("o2")])
c.eq("truncated: exit", p.returncode, 4)
c.true("truncated: message names file and packet",
       "cut.pcap" in p.stderr and "after packet 50" in p.stderr, p.stderr)
recs = read_eve(t("o2/eve.json"))
c.eq("truncated: packets processed", final_stats(recs)["capture"]["packets"], 50)
c.eq("truncated: flow record written", len(flows(recs)), 1)
c.eq("truncated: damaged file counted", final_stats(recs)["capture"]["files_damaged"], 1)

# a directory: captures read in time order, non-captures skipped with a warning
os.makedirs(t("dir"))
shutil.copy(ITI, t("dir/b-early.pcap"))      # 2016 capture
shutil.copy(GEM, t("dir/a-late.pcap"))       # 2026 capture
shutil.copy(t("notes.pcap"), t("dir/README.txt"))
p = run([FABMON, "-v", "-r", t("dir"), "-o", t("o3")])
c.eq("directory: exit", p.returncode, 0)
c.true("directory: skipped file named", "README.txt" in p.stderr, p.stderr)
order = [l for l in p.stderr.splitlines() if "reading '" in l]
c.true("directory: read in timestamp order",
       len(order) == 2 and "b-early" in order[0] and "a-late" in order[1], str(order))
st = final_stats(read_eve(t("o3/eve.json")))
c.eq("directory: files read", st["capture"]["files_read"], 2)
c.eq("directory: files skipped", st["capture"]["files_skipped"], 1)

# unwritable output
p = run([FABMON, "-r", GEM, "-o", "/proc/fabmon-out"])
c.eq("unwritable output: exit", p.returncode, 5)
c.true("unwritable output: message", "/proc/fabmon-out" in p.stderr, p.stderr)

# unknown interface; no permission (as an unprivileged user)
p = run([FABMON, "-i", "fabmon-no-such0"])
c.eq("unknown interface: exit", p.returncode, 3)
c.true("unknown interface: message", "fabmon-no-such0" in p.stderr, p.stderr)
if os.geteuid() == 0 and shutil.which("setpriv"):
    p = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
             FABMON, "-i", "lo"])
    c.eq("no permission: exit", p.returncode, 3)
    c.true("no permission: message", "no permission" in p.stderr and "'lo'" in p.stderr, p.stderr)

# a capture the user may not read
if os.geteuid() == 0 and shutil.which("setpriv"):
    shutil.copy(GEM, t("secret.pcap"))
    os.chmod(t("secret.pcap"), 0o600)
    os.chmod(tmp, 0o755)
    p = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", FABMON, "-r", t("secret.pcap")])
    c.eq("unreadable file: exit", p.returncode, 3)
    c.true("unreadable file: message", "secret.pcap" in p.stderr and "Permission denied" in p.stderr, p.stderr)

# full disk: an 8 KiB tmpfs in a private mount namespace
if os.geteuid() == 0 and shutil.which("unshare"):
    os.makedirs(t("small"))
    script = (f"mount -t tmpfs -o size=8k fabmon-test {t('small')} && "
              f"{FABMON} -r {ITI} -r {GEM} -o {t('small')}/out --flows 16; echo rc=$?")
    p = run(["unshare", "-m", "sh", "-c", script])
    c.true("full disk: exit 5", "rc=5" in p.stdout, p.stdout + p.stderr)
    c.true("full disk: error names file and reason",
           "eve.json" in p.stderr and "No space left on device" in p.stderr, p.stderr)
    c.true("full disk: tells how many records were lost", "could not be written" in p.stderr, p.stderr)

# SIGTERM while reading: fed through a FIFO, so exactly the packets written
# before the signal exist; all of them end up in flow records, exit 0
fifo = t("live.fifo")
os.mkfifo(fifo)
proc = subprocess.Popen([FABMON, "-r", fifo, "-o", t("o4")], stderr=subprocess.PIPE, text=True)
src = open(ITI, "rb").read()
writer = open(fifo, "wb")
off, n = 24, 0
while n < 1000:                    # header + the first 1000 records
    off += 16 + struct.unpack("<I", src[off + 8:off + 12])[0]
    n += 1
writer.write(src[:off])
writer.flush()
# ready once the run record is out (a loaded machine may take seconds to
# start nDPI and the policy); then the 1000 records take milliseconds
deadline = time.time() + 60
while time.time() < deadline and not (os.path.exists(t("o4/eve.json"))
                                      and os.path.getsize(t("o4/eve.json")) > 0):
    time.sleep(0.05)
time.sleep(1.0)
proc.send_signal(signal.SIGTERM)
_, err = proc.communicate(timeout=60)
writer.close()
c.eq("SIGTERM: exit", proc.returncode, 0)
c.true("SIGTERM: says it flushes", "stopping" in err, err)
recs = read_eve(t("o4/eve.json"))
st = final_stats(recs)
c.eq("SIGTERM: packets read before the signal", st["capture"]["packets"], 1000)
c.eq("SIGTERM: every started flow has its record", len(flows(recs)), st["flow"]["created"])
c.eq("SIGTERM: no flow left open", st["flow"]["active"], 0)
c.eq("SIGTERM: packets in flow records", 
     sum(r["flow"]["pkts_toserver"] + r["flow"]["pkts_toclient"] for r in flows(recs)), 1000)
c.true("SIGTERM: shutdown reason", all(r["flow"]["reason"] == "shutdown" for r in flows(recs)))
c.eq("FIFO input: not hashed, said why", recs[0]["run"]["inputs"],
     [{"file": fifo, "sha256": None, "not_hashed": "not a regular file"}])

# the run record's SHA-256 of each capture, and --no-input-hash
with open(GEM, "rb") as f:
    gem_sha = hashlib.sha256(f.read()).hexdigest()
p = run([FABMON, "-r", GEM, "-r", ITI, "-o", t("o5"), "--no-report"])
c.eq("hashed inputs: exit", p.returncode, 0)
c.eq("hashed inputs: sha256 and size", [(x["file"], x["sha256"], x["bytes"]) for x in read_eve(t("o5/eve.json"))[0]["run"]["inputs"]],
     [(GEM, gem_sha, os.path.getsize(GEM)), (ITI, hashlib.sha256(src).hexdigest(), len(src))])
p = run([FABMON, "-r", GEM, "-o", t("o6"), "--no-input-hash"])
c.eq("--no-input-hash: exit", p.returncode, 0)
c.eq("--no-input-hash: run record", read_eve(t("o6/eve.json"))[0]["run"]["inputs"],
     [{"file": GEM, "sha256": None, "not_hashed": "--no-input-hash"}])
with open(t("o6/report.html"), encoding="utf-8") as f:
    c.true("--no-input-hash: the report says so", "not hashed (--no-input-hash)" in f.read())

# SIGINT while the capture is still being hashed (a thread of its own): the
# hash is given up, not read to the end first. A 4 GiB sparse file of
# zero-length packets: the hash would take seconds, the stop takes less.
big = t("big.pcap")
with open(GEM, "rb") as f:
    header = f.read(24)
with open(big, "wb") as f:
    f.write(header)
    f.truncate(4 << 30)
proc = subprocess.Popen([FABMON, "-r", big, "-o", t("o7"), "--no-report"], stderr=subprocess.PIPE,
                        text=True)
time.sleep(1.0)
t0 = time.time()
proc.send_signal(signal.SIGINT)
err = proc.communicate(timeout=60)[1]
took = time.time() - t0
c.eq("SIGINT while hashing: exit", proc.returncode, 0, err[-300:])
c.true("SIGINT while hashing: stops at once, not after the hash", took < 3, f"{took:.2f} s")
c.eq("SIGINT while hashing: the run record says so", read_eve(t("o7/eve.json"))[0]["run"]["inputs"],
     [{"file": big, "sha256": None, "not_hashed": "interrupted"}])
os.unlink(big)

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(c.done())
