#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""fabmon installed like a real tool: `meson install` and the Debian package.

usage: test_package.py FABMON SOURCE_ROOT BUILD_ROOT   (root)

1. The manual page fabmon(8) renders with `man -l` without a warning, has
   every section, and names every option that `fabmon --help` and each
   command's --help print.
2. `meson install --destdir` of the build puts exactly the expected files
   under the build's prefix, the unit's ExecStart names the installed binary.
3. The tracked source tree, copied to a temporary directory, builds a .deb
   with `dpkg-buildpackage -b -us -uc` (DEB_BUILD_OPTIONS=nocheck, parallel) and
   lintian reports no error; the .deb holds exactly the expected files.
4. The .deb is installed with dpkg into a fresh root without touching the
   host: a private mount namespace, an overlay over / whose upper layer is a
   tmpfs, chroot. There: the fabmon user exists; `fabmon -r` on the
   installed demo capture exits 0 with the same alerts (rule, source,
   destination) as the build tree's fabmon on demo/fab-demo.pcap; `man -l`
   renders the installed page; `systemd-analyze verify` accepts the
   installed unit as fabmon@eth1 (it also runs `man fabmon`); logrotate
   parses the installed file; the unit's ExecStart (installed policy and
   user) captures on lo and stops on SIGTERM with exit 0, its output owned
   by fabmon; reinstalling keeps an edited /etc/fabmon/policy.yaml; removing
   the package removes the binary and keeps the edited conffile.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from fabmon_test_util import Check, read_eve  # noqa: E402

FABMON, ROOT, BUILD = sys.argv[1], sys.argv[2], sys.argv[3]
VERSION = "0.1.0-1"
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "SIGNALS", "FILES",
            "EXAMPLES", "SEE ALSO"]
# what the package installs (dpkg -c, directories left out)
DEB_FILES = [
    "/etc/default/fabmon", "/etc/default/fabmon-collect", "/etc/fabmon/policy.yaml",
    "/etc/logrotate.d/fabmon", "/lib/systemd/system/fabmon-collect.service",
    "/lib/systemd/system/fabmon@.service", "/usr/bin/fabmon", "/usr/lib/sysusers.d/fabmon.conf",
    "/usr/share/doc/fabmon/README.md", "/usr/share/doc/fabmon/changelog.Debian.gz",
    "/usr/share/doc/fabmon/copyright", "/usr/share/fabmon/default-fab.yaml", "/usr/share/fabmon/eve-schema.json",
    "/usr/share/fabmon/examples/fab-site.yaml", "/usr/share/fabmon/fab-demo.pcap",
    "/usr/share/lintian/overrides/fabmon", "/usr/share/man/man8/fabmon.8.gz",
]


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def alerts(recs):
    return sorted((a["alert"]["rule_id"], a["src_ip"], a["dest_ip"]) for a in recs
                  if a["event_type"] == "alert" and not a["alert"].get("repeat"))


def help_options():
    """Every long option the --help texts print."""
    text = sh([FABMON, "--help"]).stdout
    for cmd in ("check-policy", "learn", "report", "handoff"):
        text += sh([FABMON, cmd, "--help"]).stdout
    return sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", text)))


def check_man(c, path, label):
    p = sh(["man", "--warnings", "-l", path], env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
    c.eq(f"{label}: man -l renders without warnings", (p.returncode, p.stderr), (0, ""))
    # one line per entry, no hyphenation, no bold/underline overstrikes
    text = re.sub(r".\x08", "", p.stdout).replace("\u2010", "-")
    for s in SECTIONS:
        c.true(f"{label}: section {s}", re.search(rf"^{s}$", text, re.M) is not None)
    return text


def meson_install(c, tmp):
    opts = {o["name"]: o["value"] for o in json.loads(sh(["meson", "introspect", "--buildoptions", BUILD]).stdout)}
    prefix = opts["prefix"]

    def at(dirname, *rest):
        return os.path.join(prefix, opts[dirname], *rest)  # an absolute option wins
    unitdir = opts["systemdunitdir"] or os.path.join(prefix, "lib/systemd/system")
    want = sorted([
        at("bindir", "fabmon"), at("mandir", "man8", "fabmon.8"),
        os.path.join(unitdir, "fabmon@.service"), os.path.join(unitdir, "fabmon-collect.service"),
        at("sysconfdir", "logrotate.d", "fabmon"), at("sysconfdir", "default", "fabmon-collect"),
        os.path.join(prefix, "lib/sysusers.d/fabmon.conf"),
        at("sysconfdir", "fabmon", "policy.yaml"), at("sysconfdir", "default", "fabmon"),
        at("datadir", "fabmon", "default-fab.yaml"), at("datadir", "fabmon", "examples", "fab-site.yaml"),
        at("datadir", "fabmon", "eve-schema.json"),
        at("datadir", "fabmon", "fab-demo.pcap"), at("datadir", "doc", "fabmon", "README.md"),
    ])
    dest = os.path.join(tmp, "destdir")
    p = sh(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest])
    c.eq("meson install --destdir", (p.returncode, p.stderr), (0, ""))
    got = sorted("/" + os.path.relpath(os.path.join(d, f), dest) for d, _, fs in os.walk(dest) for f in fs)
    c.eq("meson install: every file where expected", got, want)
    unit = dest + os.path.join(unitdir, "fabmon@.service")
    if os.path.exists(unit):
        line = next(x for x in open(unit) if x.startswith("ExecStart="))
        c.eq("meson install: ExecStart runs the installed fabmon", shlex.split(line[10:])[0], at("bindir", "fabmon"))
        c.true("meson install: the unit names the installed policy",
               f"-c {at('sysconfdir', 'fabmon', 'policy.yaml')} " in line, line)
    unit = dest + os.path.join(unitdir, "fabmon-collect.service")
    if os.path.exists(unit):
        line = next(x for x in open(unit) if x.startswith("ExecStart="))
        c.eq("meson install: the collector's ExecStart runs the installed fabmon collect",
             shlex.split(line[10:])[:2], [at("bindir", "fabmon"), "collect"])
    pol = dest + at("sysconfdir", "fabmon", "policy.yaml")
    if os.path.exists(pol):
        c.eq("meson install: /etc/fabmon/policy.yaml is the built-in policy",
             open(pol).read(), open(os.path.join(ROOT, "zones/default-fab.yaml")).read())
        # a second install keeps the administrator's policy
        with open(pol, "a") as f:
            f.write("# edited\n")
        p = sh(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", dest])
        c.true("meson install again: the edited policy is kept",
               p.returncode == 0 and open(pol).read().endswith("# edited\n"), p.stdout + p.stderr)


def build_deb(c, tmp):
    src = os.path.join(tmp, "fabmon")
    p = sh(["git", "-C", ROOT, "ls-files", "-z", "-c", "-o", "--exclude-standard"])
    if p.returncode == 0:
        files = p.stdout.split("\0")
    else:  # not a git checkout: everything but build directories
        files = [os.path.relpath(os.path.join(d, f), ROOT) for d, ds, fs in os.walk(ROOT) for f in fs
                 if not re.match(r"(build|obj-|\.git)", os.path.relpath(os.path.join(d, f), ROOT))]
    for rel in filter(None, files):
        s = os.path.join(ROOT, rel)
        if os.path.isfile(s):  # (a tracked file deleted in the work tree is left out)
            os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
            shutil.copy2(s, os.path.join(src, rel))
    t0 = time.time()
    p = sh(["dpkg-buildpackage", "-b", "-us", "-uc"], cwd=src,
           env=dict(os.environ, DEB_BUILD_OPTIONS=f"nocheck parallel={os.cpu_count() or 1}"))
    took = time.time() - t0
    c.true("dpkg-buildpackage -b -us -uc", p.returncode == 0, (p.stdout + p.stderr)[-3000:])
    print(f"dpkg-buildpackage: {took:.0f} s")
    deb = os.path.join(tmp, f"fabmon_{VERSION}_amd64.deb")
    changes = os.path.join(tmp, f"fabmon_{VERSION}_amd64.changes")
    if p.returncode != 0 or not os.path.exists(deb):
        return None
    p = sh(["lintian", "--fail-on", "error", changes])
    tags = [x for x in p.stdout.splitlines() if re.match(r"^[EWI]: ", x)]
    print("lintian:", *tags, sep="\n  ")
    c.eq("lintian: no errors", [x for x in tags if x.startswith("E: ")], [])
    c.eq("lintian exit", p.returncode, 0)
    listing = sh(["dpkg-deb", "-c", deb]).stdout.splitlines()
    got = sorted(x.split()[5][1:] for x in listing if not x.startswith("d"))
    c.eq("the .deb holds exactly the expected files", got, DEB_FILES)
    return deb


# runs in the chroot; writes what the test checks to /res
IN_ROOT = r"""
exec >/res/log 2>&1
set -x
cd /
dpkg -i /res/fabmon.deb; echo $? >/res/dpkg-rc
getent passwd fabmon >/res/passwd
fabmon -q -r /usr/share/fabmon/fab-demo.pcap -o /tmp/out; echo $? >/res/fabmon-rc
cp /tmp/out/eve.json /res/eve.json
MANWIDTH=80 man --warnings -l /usr/share/man/man8/fabmon.8.gz >/res/man.txt 2>/res/man.err; echo $? >/res/man-rc
systemd-analyze verify fabmon@eth1.service >/res/verify.out 2>&1; echo $? >/res/verify-rc
logrotate -d /etc/logrotate.d/fabmon >/res/logrotate.out 2>&1; echo $? >/res/logrotate-rc
# the unit's ExecStart as systemd runs it for fabmon@lo (RuntimeDirectory made)
mkdir -p /run/fabmon/lo
cmd=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/fabmon@.service | sed 's/%i/lo/g; s/%H/pkg-test/; s/\$FABMON_OPTIONS//')
echo "$cmd" >/res/execstart
timeout --preserve-status -s TERM 3 $cmd 2>/res/service.err; echo $? >/res/service-rc
stat -c %U /var/lib/fabmon/lo /var/lib/fabmon/lo/eve.json >/res/service-owner
cp /var/lib/fabmon/lo/eve.json /res/service-eve.json
echo "# edited by the site" >>/etc/fabmon/policy.yaml
dpkg -i /res/fabmon.deb; echo $? >/res/reinstall-rc
tail -n 1 /etc/fabmon/policy.yaml >/res/policy-tail
dpkg -r fabmon; echo $? >/res/remove-rc
ls /usr/bin/fabmon /etc/fabmon/policy.yaml >/res/after-remove 2>&1 || true
"""


def install_in_fresh_root(c, tmp, deb, want_alerts):
    res = os.path.join(tmp, "res")
    os.makedirs(res)
    shutil.copy(deb, os.path.join(res, "fabmon.deb"))
    with open(os.path.join(res, "in-root.sh"), "w") as f:
        f.write(IN_ROOT)
    ovl, root = os.path.join(tmp, "ovl"), os.path.join(tmp, "root")
    os.makedirs(ovl)
    os.makedirs(root)
    setup = (f"set -e; mount -t tmpfs fabmon-pkg {ovl}; mkdir {ovl}/upper {ovl}/work; "
             f"mount -t overlay fabmon-pkg -o lowerdir=/,upperdir={ovl}/upper,workdir={ovl}/work {root}; "
             f"mount -t proc proc {root}/proc; mount --rbind /dev {root}/dev; "
             f"mount -t tmpfs tmpfs {root}/tmp; mount -t tmpfs tmpfs {root}/run; "
             f"mkdir -p {root}/res; mount --bind {res} {root}/res; "
             f"chroot {root} /bin/sh /res/in-root.sh")
    def host():
        return (open("/var/lib/dpkg/status", "rb").read(), os.path.exists("/usr/bin/fabmon"),
                os.path.exists("/etc/fabmon"), sh(["getent", "passwd", "fabmon"]).stdout)
    before = host()
    p = sh(["unshare", "-m", "--propagation", "private", "sh", "-c", setup], timeout=300)
    c.eq("the fresh root was set up", (p.returncode, p.stderr), (0, ""))
    c.true("the host is untouched (dpkg status, /usr/bin/fabmon, /etc/fabmon, user)", host() == before)

    def get(name):
        path = os.path.join(res, name)
        return open(path).read().strip() if os.path.exists(path) else None
    log = get("log") or ""
    c.eq("dpkg -i", get("dpkg-rc"), "0")
    c.true("the fabmon user exists, without a shell", (get("passwd") or "").startswith("fabmon:")
           and (get("passwd") or "").endswith(":/var/lib/fabmon:/usr/sbin/nologin"), get("passwd"))
    c.eq("fabmon -r /usr/share/fabmon/fab-demo.pcap: exit", get("fabmon-rc"), "0")
    if os.path.exists(os.path.join(res, "eve.json")):
        c.eq("installed fabmon: the alerts of the build tree's", alerts(read_eve(os.path.join(res, "eve.json"))),
             want_alerts)
    c.eq("installed man page: man -l", (get("man-rc"), get("man.err")), ("0", ""))
    man = get("man.txt") or ""
    for s in SECTIONS:
        c.true(f"installed man page: section {s}", re.search(rf"^{s}$", man, re.M) is not None)
    c.eq("systemd-analyze verify fabmon@eth1.service (installed)", (get("verify-rc"), get("verify.out")), ("0", ""))
    c.eq("logrotate -d /etc/logrotate.d/fabmon", get("logrotate-rc"), "0")
    c.true("the unit's ExecStart: /usr/bin/fabmon, the installed policy, the fabmon user",
           (get("execstart") or "").startswith("/usr/bin/fabmon -i lo -o /var/lib/fabmon/lo "
                                                 "-c /etc/fabmon/policy.yaml --user fabmon "), get("execstart"))
    c.eq("the service command: exit 0 on SIGTERM", get("service-rc"), "0")
    c.true("the service command: dropped to fabmon", "running as user 'fabmon'" in (get("service.err") or ""),
           get("service.err"))
    c.eq("the service's output belongs to fabmon", (get("service-owner") or "").split(), ["fabmon", "fabmon"])
    if os.path.exists(os.path.join(res, "service-eve.json")):
        recs = read_eve(os.path.join(res, "service-eve.json"))
        c.eq("the service ran with /etc/fabmon/policy.yaml",
             [(r["run"]["policy"]["source"], r["run"]["policy"]["builtin"]) for r in recs if r["event_type"] == "run"],
             [("/etc/fabmon/policy.yaml", False)])
        c.true("the service wrote its final stats",
               any(r["event_type"] == "stats" and r["stats"]["final"] for r in recs))
    c.eq("reinstall", get("reinstall-rc"), "0")
    c.eq("reinstall keeps the edited policy", get("policy-tail"), "# edited by the site")
    c.eq("dpkg -r", get("remove-rc"), "0")
    after = get("after-remove") or ""
    c.true("removed: no binary, the edited conffile kept",
           "cannot access '/usr/bin/fabmon'" in after and "/etc/fabmon/policy.yaml" in after
           and "cannot access '/etc/fabmon/policy.yaml'" not in after, after)
    if c.failures:
        print(log[-4000:])


def main():
    c = Check("package")
    for tool in ("dpkg-buildpackage", "lintian", "dh", "scdoc", "man", "unshare", "logrotate", "systemd-analyze"):
        c.true(f"{tool} is installed (scripts/deps.sh test)", shutil.which(tool) is not None)
    if c.failures:
        return c.done()
    # the man page of the build tree against the --help texts
    man = check_man(c, os.path.join(BUILD, "doc", "fabmon.8"), "fabmon.8")
    c.eq("fabmon(8) names every option of --help", [o for o in help_options() if o not in man], [])

    with tempfile.TemporaryDirectory(prefix="fabmon-package-") as tmp:
        os.chmod(tmp, 0o755)
        p = sh([FABMON, "-q", "-r", os.path.join(ROOT, "demo/fab-demo.pcap"), "-o", os.path.join(tmp, "want")])
        c.eq("build tree fabmon on the demo capture", p.returncode, 0)
        want = alerts(read_eve(os.path.join(tmp, "want", "eve.json")))
        c.true("the demo capture raises alerts", len(want) > 0, want)
        meson_install(c, tmp)
        deb = build_deb(c, tmp)
        if deb:
            install_in_fresh_root(c, tmp, deb, want)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
