#!/usr/bin/python3
"""tests/captures/MANIFEST.tsv against the files: every capture listed with its
source, commit, licence and the right size and SHA-256; every licence text it
names present; no capture without a row. With --all-files DIR, the same for
DIR/MANIFEST.tsv (the peers' baselines in tests/peers), where every file but
the manifest, README.md and differences.json needs a row.
Usage: check_manifest.py CAPTURES_DIR [--all-files DIR]"""
import csv
import hashlib
import os
import sys

REQUIRED = ["local_file", "source_repository", "source_path", "commit", "licence",
            "licence_text", "copyright", "bytes", "sha256"]
CAPTURE_EXT = (".pcap", ".pcapng", ".cap")


# written here, not copied from a peer
OWN_FILES = ("MANIFEST.tsv", "README.md", "differences.json")


def check(root, all_files, failures):
    with open(os.path.join(root, "MANIFEST.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    listed = set()
    for n, row in enumerate(rows, start=2):
        where = f"{os.path.basename(root)}/MANIFEST.tsv:{n}"
        for col in REQUIRED:
            if not (row.get(col) or "").strip():
                failures.append(f"{where}: empty {col}")
        path = os.path.join(root, row["local_file"])
        listed.add(os.path.normpath(path))
        if not os.path.isfile(path):
            failures.append(f"{where}: {row['local_file']} missing")
            continue
        data = open(path, "rb").read()
        if len(data) != int(row["bytes"]):
            failures.append(f"{where}: {row['local_file']} has {len(data)} bytes, manifest {row['bytes']}")
        digest = hashlib.sha256(data).hexdigest()
        if digest != row["sha256"]:
            failures.append(f"{where}: {row['local_file']} sha256 {digest}, manifest {row['sha256']}")
        if not os.path.isfile(os.path.normpath(os.path.join(root, row["licence_text"]))):
            failures.append(f"{where}: licence text {row['licence_text']} missing")
    for dirpath, _, files in os.walk(root):
        for name in files:
            full = os.path.normpath(os.path.join(dirpath, name))
            rel = os.path.relpath(full, root)
            wanted = rel not in OWN_FILES if all_files else name.endswith(CAPTURE_EXT)
            if wanted and full not in listed:
                failures.append(f"{os.path.basename(root)}/{rel}: not in MANIFEST.tsv")
    return len(rows)


def main():
    failures = []
    n = check(os.path.abspath(sys.argv[1]), False, failures)
    m = 0
    if len(sys.argv) == 4 and sys.argv[2] == "--all-files":
        m = check(os.path.abspath(sys.argv[3]), True, failures)
    for f in failures:
        print("FAIL", f)
    print(f"captures-manifest: {n} captures, {m} peers' files, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
