#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Embed zones/default-fab.yaml in the binary as a C string (build step)."""
import sys

src, out = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
lines = ['/* generated from %s by zones/embed_policy.py: do not edit */' % "zones/default-fab.yaml",
         "const char policy_builtin_yaml[];", "const char policy_builtin_yaml[] ="]
# Byte for byte: the policy copy beside eve.json must hash like the repository
# file (split keeping each line's own newline; no newline added at the end).
for line in data.splitlines(keepends=True) or [b""]:
    esc = "".join(c if 32 <= ord(c) < 127 and c not in '"\\?' else "\\%03o" % ord(c)
                  for c in line.decode("latin-1"))
    lines.append('\t"%s"' % esc)
lines[-1] += ";"
open(out, "w").write("\n".join(lines) + "\n")
