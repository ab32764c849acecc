#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check the house rules of fabmon's source tree (ARCHITECTURE.md).

usage: check_layout.py SOURCE_ROOT [BUILD_DIR]

1. Includes follow the data flow: util <- dissectors <- zones <- rules <- sensor;
   report/ and handoff/ use util, dissectors, zones and rules, never sensor; a
   file in util/ includes nothing of the project outside util/; only
   sensor/main.c, the command line, includes the tools' headers. Every
   `#include "..."` must name a file that exists.
2. No circle of includes between files, a header and its .c counted as one
   (summary.c reading pipeline.h while pipeline.h includes summary.h is a
   circle).
3. No circle of calls between files (with BUILD_DIR): every object file of
   the project's libraries is read with `nm`; file A calls file B when A
   uses a symbol that B defines; a strongly connected set of more than one
   file is a circle (two files that need each other cannot be read, tested or
   replaced alone).
4. No mutable process-wide state on the packet path (with BUILD_DIR): an
   object of the packet-path libraries (PACKET_PATH) defines no writable
   data -- `nm` classes b, B, d, D outside the sections the loader makes
   read-only (.rodata, .data.rel.ro*: `static const char *const names[]`
   under -fPIC), globals and function-local statics alike, thread-local
   ones too -- except the shared state named in SHARED_STATE. Every table
   (flows, reassembly, HSMS and Modbus peers, rule hosts, MACs, alert
   windows) belongs to an instance passed in.

Exit 0 when the tree keeps the rules, 1 with one line per breach otherwise.
"""
import os
import re
import subprocess
import sys

PARTS = ("util", "dissectors", "zones", "rules", "sensor", "report", "handoff")
# which parts each part may include (besides itself)
ALLOWED = {
    "util": set(),
    "dissectors": {"util"},
    "zones": {"util", "dissectors"},
    "rules": {"util", "dissectors", "zones"},
    # the run writes the audit report at its end (-r -o)
    "sensor": {"util", "dissectors", "zones", "rules", "report"},
    "report": {"util", "dissectors", "zones", "rules"},
    "handoff": {"util", "dissectors", "zones", "rules"},
}
# the command line dispatches to the tools: only fabmon's main() may include them
EXCEPTIONS = {("sensor/main.c", "handoff")}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for part in PARTS:
        top = os.path.join(root, part)
        for d, _, files in os.walk(top):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)


def include_graph(root, breaches):
    graph = {}
    for rel in sources(root):
        with open(os.path.join(root, rel), encoding="utf-8") as fh:
            text = fh.read()
        part = rel.split(os.sep)[0]
        deps = []
        for inc in INCLUDE.findall(text):
            # project includes are written from the source root
            target = inc if os.path.exists(os.path.join(root, inc)) else None
            if target is None:
                # a generated header (configure_file) lives in the build dir
                if inc in GENERATED:
                    target = inc
                else:
                    breaches.append(f"{rel}: includes \"{inc}\", which is not a file of the tree "
                                    "(project includes are written from the source root)")
                    continue
            tpart = target.split("/")[0]
            if tpart != part and tpart not in ALLOWED.get(part, set()) \
                    and (rel, tpart) not in EXCEPTIONS:
                breaches.append(f"{rel}: {part}/ may not include {tpart}/ (\"{inc}\")")
            deps.append(target)
        graph[rel] = deps
    return graph


GENERATED = {"util/version.h"}


def sccs(graph):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


OBJ = re.compile(r"^(?:lib)?(fabmon_\w+)\.a\.p$")


def library_objects(build):
    """object path -> (library, object name) for the project's libraries."""
    objs = {}
    for top, dirs, _ in os.walk(build):
        for d in sorted(dirs):
            m = OBJ.match(d)
            if not m:
                continue
            part = os.path.relpath(top, build)
            for f in sorted(os.listdir(os.path.join(top, d))):
                if f.endswith(".c.o"):
                    # meson names an object after its path from the meson.build, '/' as '_'
                    name = f[:-2] if part == "." else part.replace(os.sep, "_") + "_" + f[:-2]
                    objs[os.path.join(top, d, f)] = (m.group(1), name)
    return objs


def call_graph(build):
    """file -> files it calls, from the symbols of the libraries' objects."""
    objs = {path: name for path, (_, name) in library_objects(build).items()}
    defined, used = {}, {}
    for path, name in objs.items():
        src = source_of(name)
        nm = subprocess.run(["nm", "-g", path], capture_output=True, text=True, check=True)
        used[src] = set()
        for line in nm.stdout.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[1] in "TDBRC":
                defined[fields[2]] = src
            elif len(fields) == 2 and fields[0] == "U":
                used[src].add(fields[1])
    return {src: sorted({defined[s] for s in syms if s in defined and defined[s] != src})
            for src, syms in used.items()}


# The libraries a packet goes through: sensor (capture, flow, output, the
# run loop), dissectors (with the nDPI glue), zones, rules and util.
PACKET_PATH = {"fabmon_sensor", "fabmon_dissectors", "fabmon_zones", "fabmon_rules",
               "fabmon_util"}
# The process-wide state of the packet path, all of it, and why each is one
# per process rather than per instance: (source file, variable) -> reason.
SHARED_STATE = {
    ("sensor/run.c", "stop_requested"):
        "set by the SIGINT/SIGTERM handler: a signal is sent to the process",
    ("sensor/run.c", "reopen_requested"):
        "set by the SIGHUP handler (reload the policy, reopen the outputs)",
    ("sensor/run.c", "stats_requested"):
        "set by the SIGUSR1 handler (write the stats now)",
    ("sensor/output/nats_load.c", "lib"):
        "libnats loaded with dlopen (once, pthread_once) and its function pointers: "
        "one library per process, not the packet path",
    ("sensor/collect.c", "stop"):
        "set by the SIGINT/SIGTERM handler of `fabmon collect` (not the packet path)",
    ("sensor/run.c", "current_pcap"):
        "the live capture the signal handler breaks out of (pcap_breakloop)",
    ("util/log.c", "max_level"):
        "the log level: one stderr per process, set once from the command line",
    ("util/rfc3339.c", "cached"):
        "_Thread_local memo of the last second formatted: per thread, "
        "and no output depends on it",
    ("util/rfc3339.c", "cached_sec"):
        "the second that memo holds (_Thread_local)",
}
WRITABLE = set("bBdD")
# written only by the loader, then read-only (RELRO); or read-only outright
READ_ONLY_SECTIONS = (".rodata", ".data.rel.ro")
# what compilers and sanitizers add on their own: string literals, ASan/UBSan
# and coverage bookkeeping (clang's UBSan source locations are __unnamed_N)
TOOL_SYMBOLS = re.compile(
    r"^(\.L|\.str|_*asan|__odr_asan|__sancov|__ubsan|__unnamed_\d+$|__gcov|__llvm)")


def variable_name(sym):
    """A function-local static is named var.N by gcc, function.var by clang."""
    m = re.match(r"^(\w+)\.(\d+)$", sym)
    if m:
        return m.group(1)
    m = re.match(r"^\w+\.(\w+)$", sym)
    return m.group(1) if m else sym


def shared_state_breaches(build):
    """Writable data defined by objects of the packet-path libraries."""
    breaches = []
    seen = set()
    for path, (lib, name) in sorted(library_objects(build).items()):
        if lib not in PACKET_PATH:
            continue
        src = source_of(name)
        nm = subprocess.run(["nm", "--format=sysv", path], capture_output=True, text=True,
                            check=True)
        for line in nm.stdout.splitlines():
            fields = [f.strip() for f in line.split("|")]
            if len(fields) != 7 or fields[2] not in WRITABLE:
                continue
            sym, section = fields[0], fields[6]
            if section.startswith(READ_ONLY_SECTIONS) or TOOL_SYMBOLS.match(sym):
                continue
            var = variable_name(sym)
            if (src, var) in SHARED_STATE:
                seen.add((src, var))
                continue
            breaches.append(f"{src}: writable {'static' if fields[2].islower() else 'global'} "
                            f"'{var}' ({section}) on the packet path: give it to an instance "
                            "passed in, or name it in SHARED_STATE with the reason")
    for src, var in sorted(set(SHARED_STATE) - seen):
        breaches.append(f"scripts/check_layout.py: SHARED_STATE names {src}'s '{var}', "
                        "which no object defines any more: take it out")
    return breaches


SOURCE_INDEX = {}


def source_of(objname):
    return SOURCE_INDEX.get(objname, objname)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    breaches = []
    graph = include_graph(root, breaches)
    modules = {}
    for rel, deps in graph.items():
        mod = rel.rsplit(".", 1)[0]
        modules.setdefault(mod, set()).update(
            d.rsplit(".", 1)[0] for d in deps if d.rsplit(".", 1)[0] != mod)
    for comp in sccs({m: sorted(d) for m, d in modules.items()}):
        breaches.append("include circle: " + " <-> ".join(comp))
    for rel in graph:
        if rel.endswith(".c"):
            SOURCE_INDEX[rel.replace("/", "_")[:-2] + ".c"] = rel
            SOURCE_INDEX[rel.replace("/", "_")] = rel
    if len(sys.argv) == 3:
        calls = call_graph(sys.argv[2])
        if not calls:
            breaches.append(f"{sys.argv[2]}: no object files of the project's libraries found")
        for comp in sccs(calls):
            breaches.append("call circle: " + " <-> ".join(comp))
        breaches += shared_state_breaches(sys.argv[2])
    for b in breaches:
        print(b)
    if breaches:
        print(f"check_layout: {len(breaches)} breach(es) of the layout rules (ARCHITECTURE.md)")
        return 1
    print(f"check_layout: {len(graph)} files, includes and calls follow the layout rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
