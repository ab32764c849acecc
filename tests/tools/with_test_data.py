#!/usr/bin/python3
"""Run a test once the generated test captures exist.

    with_test_data.py GEN_DIR -- COMMAND [ARGS...]

The captures of tests/tools/gen_test_captures.py (python3-scapy, a test-only
package) are test data, not part of the build: `ninja -C build` must build
fabmon on a machine without scapy. The first test that needs them generates
them (under a lock, into a temporary folder renamed into place); the others
wait for it; later runs reuse them until the generator changes."""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
SOURCES = ["gen_test_captures.py", "fabpkt.py"]


def generator_digest():
    h = hashlib.sha256()
    for name in SOURCES:
        with open(os.path.join(TOOLS, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def ensure(gen_dir):
    digest = generator_digest()
    stamp = os.path.join(gen_dir, ".generated-by")
    os.makedirs(os.path.dirname(os.path.abspath(gen_dir)), exist_ok=True)
    with open(os.path.abspath(gen_dir) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp) as f:
                if f.read().strip() == digest:
                    return
        except OSError:
            pass
        tmp = os.path.abspath(gen_dir) + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        r = subprocess.run([sys.executable, os.path.join(TOOLS, "gen_test_captures.py"), tmp],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout)
            sys.exit(f"with_test_data: generating the test captures failed (exit {r.returncode}); "
                     "they need python3-scapy: sh scripts/deps.sh test")
        with open(os.path.join(tmp, ".generated-by"), "w") as f:
            f.write(digest + "\n")
        shutil.rmtree(gen_dir, ignore_errors=True)
        os.rename(tmp, gen_dir)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    ensure(sys.argv[1])
    os.execvp(sys.argv[3], sys.argv[3:])


if __name__ == "__main__":
    main()
