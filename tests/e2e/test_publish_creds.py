#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""--nats-creds against a real login: a nats-server in operator (JWT) mode,
started here on loopback, and a user .creds file made by this test.

usage: test_publish_creds.py FABMON SOURCE_ROOT

No nsc, nk or nacl is needed: the NKeys (operator, account, system
account, user) are Ed25519 keys (python3-cryptography) encoded as
nats-io/nkeys does (base32 without padding of a type byte, the 32-byte
key and a CRC16/XMODEM, little-endian; a seed has the two bytes of 'S'
and the type first), the JWTs are made as nats-io/jwt v2 makes them
(header typ JWT, alg ed25519-nkey; jti the base32 of the SHA-512/256 of
the claims without jti; base64url without padding; the signature by the
issuer's key over "header.payload"). The operator signs the account (with
JetStream: mem_storage, disk_storage, streams, consumer -1) and the
system account; the account signs the user (default permissions: publish
and subscribe to everything). The server knows the accounts from
resolver_preload (resolver MEMORY). The system account is needed:
without one nats-server 2.9.10 in operator mode does not start
JetStream ("system account not setup").

Known truth, checked:
1. The keys are well formed: each decodes back to its type byte, key and
   CRC; the user's public key is the one derived from its seed.
2. fabmon --publish URL --nats-creds user.creds on the demo: exit 0; its
   last eve.json record is the final stats record, stats.publish says
   connected and counts every record before it as published, nothing
   waiting; `fabmon collect URL --nats-creds user.creds` exits 0 and its
   eve.json holds exactly the sensor's records (each once, in order).
3. Refused logins: without --nats-creds, and with a .creds of a user
   signed by an account key the server does not know, the capture goes
   on (exit 0, eve.json ends with its stats record), nothing is published
   and the warning at the end says the bytes are not yet acknowledged with
   the server's reason, "Authorization Violation". `fabmon collect`
   without credentials, or with the unknown account's, exits 3 saying so.
   A .creds whose seed's checksum is wrong (its form right, so accepted
   at start): likewise nothing published, "invalid checksum" said.
   The stream still holds only the first run's records (collected again
   with user.creds by another consumer, --durable).
4. A sensor refused (its account unknown: nats.c closes the connection
   for good after two refusals) keeps capturing from a FIFO; the server
   is restarted knowing that account: the sensor logs in by itself ("…
   acknowledges records again") and its final stats record counts every
   record before it as published, nothing waiting.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fabmon_test_util import Check, free_port, read_eve, wait_port  # noqa: E402

FABMON, SRC = sys.argv[1], sys.argv[2]
DEMO = os.path.join(SRC, "demo", "fab-demo.pcap")
c = Check("publish-creds")

# ---- NKeys (nats-io/nkeys strkey.go) ----

PREFIX_SEED = 18 << 3      # 'S'
PREFIX_OPERATOR = 14 << 3  # 'O'
PREFIX_ACCOUNT = 0         # 'A'
PREFIX_USER = 20 << 3      # 'U'
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def crc16(data):
    """CRC16/XMODEM (polynomial 0x1021, initial 0), as nkeys' crc16.go."""
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def b32(data):
    return base64.b32encode(data).decode("ascii").rstrip("=")


def unb32(text):
    return base64.b32decode(text + "=" * (-len(text) % 8))


def with_crc(raw):
    return raw + crc16(raw).to_bytes(2, "little")


class NKey:
    """An Ed25519 key pair of one NATS type (operator, account, user)."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.raw_seed = os.urandom(32)
        self.key = Ed25519PrivateKey.from_private_bytes(self.raw_seed)
        self.raw_public = self.key.public_key().public_bytes(*RAW)

    @property
    def public(self):
        return b32(with_crc(bytes([self.prefix]) + self.raw_public))

    @property
    def seed(self):
        head = bytes([PREFIX_SEED | (self.prefix >> 5), (self.prefix & 31) << 3])
        return b32(with_crc(head + self.raw_seed))

    def sign(self, data):
        return self.key.sign(data)


def decode_key(text):
    """(type byte, 32 key bytes) of an encoded public key or seed; None when
    its CRC or length is wrong."""
    raw = unb32(text)
    body, crc = raw[:-2], int.from_bytes(raw[-2:], "little")
    if crc16(body) != crc:
        return None
    if (body[0] & 0xF8) == PREFIX_SEED and len(body) == 34:
        return ((body[0] & 7) << 5) | (body[1] >> 3), body[2:]
    return (body[0], body[1:]) if len(body) == 33 else None


# ---- JWTs (nats-io/jwt v2 claims.go) ----

def b64url(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def make_jwt(issuer, subject, name, nats):
    """A JWT of subject (an encoded public key) signed by issuer (an NKey)."""
    # jwt's ClaimsData in its field order, jti left out: what its hash() sees
    data = {"iat": int(time.time()), "iss": issuer.public, "name": name, "sub": subject}
    jti = b32(hashlib.new("sha512_256", compact(data).encode()).digest())
    claims = {"jti": jti, **data, "nats": nats}
    head = b64url(compact({"typ": "JWT", "alg": "ed25519-nkey"}).encode())
    body = b64url(compact(claims).encode())
    signed = f"{head}.{body}"
    return f"{signed}.{b64url(issuer.sign(signed.encode('ascii')))}"


def jwt_ok(token, key):
    """Whether token's signature is key's (an NKey's public key)."""
    head, body, sig = token.split(".")
    try:
        Ed25519PublicKey.from_public_bytes(key.raw_public).verify(
            base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), f"{head}.{body}".encode())
        return True
    except Exception:
        return False


UNLIMITED = {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
             "wildcards": True, "conn": -1, "leaf": -1}


def account_jwt(operator, account, name, jetstream):
    limits = dict(UNLIMITED)
    if jetstream:
        limits.update({"mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1})
    return make_jwt(operator, account.public, name, {
        "limits": limits, "default_permissions": {"pub": {}, "sub": {}},
        "type": "account", "version": 2})


def user_jwt(account, user, name):
    return make_jwt(account, user.public, name, {
        "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
        "type": "user", "version": 2})


def write_creds(path, jwt, seed):
    """A .creds file as nsc generate creds writes it (and nats.c reads it)."""
    with open(path, "w", encoding="ascii") as f:
        f.write(f"""-----BEGIN NATS USER JWT-----
{jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
{seed}
------END USER NKEY SEED------

*************************************************************
""")
    os.chmod(path, 0o600)


# ---- the server ----

def start_server(d, keys=None, port=None, more=()):
    """nats-server in operator mode with JetStream: (process, URL, keys).
    Again with keys and port: the same server, knowing the accounts more
    (public key, JWT) too."""
    if keys is None:
        operator = NKey(PREFIX_OPERATOR)
        account, system = NKey(PREFIX_ACCOUNT), NKey(PREFIX_ACCOUNT)
        keys = {"operator": operator, "account": account, "system": system}
        op_jwt = make_jwt(operator, operator.public, "fabmon-test-operator", {
            "system_account": system.public, "type": "operator", "version": 2})
        with open(d("operator.jwt"), "w", encoding="ascii") as f:
            f.write(op_jwt + "\n")
        keys["jwts"] = {"operator": op_jwt,
                        "account": account_jwt(operator, account, "FAB", True),
                        "system": account_jwt(operator, system, "SYS", False)}
    account, system = keys["account"], keys["system"]
    port = port or free_port()
    preload = "".join(f'  {pub}: "{jwt}"\n' for pub, jwt in more)
    with open(d("server.conf"), "w", encoding="ascii") as f:
        f.write(f"""listen: 127.0.0.1:{port}
operator: "{d('operator.jwt')}"
system_account: {system.public}
resolver: MEMORY
resolver_preload: {{
  {account.public}: "{keys['jwts']['account']}"
  {system.public}: "{keys['jwts']['system']}"
{preload}}}
jetstream: {{
  store_dir: "{d('store')}"
}}
""")
    proc = subprocess.Popen(["nats-server", "-c", d("server.conf"), "-l", d("nats.log")])
    try:
        wait_port(port, "nats-server (operator mode)")
    except RuntimeError:
        proc.kill()
        proc.wait(timeout=30)
        raise
    return proc, f"nats://127.0.0.1:{port}", keys


def fabmon(*args, timeout=120):
    return subprocess.run([FABMON, *args], capture_output=True, text=True, timeout=timeout)


def eve(out):
    return read_eve(os.path.join(out, "eve.json"))


def check_keys(keys, user):
    for name, key, letter in (("operator", keys["operator"], "O"), ("account", keys["account"], "A"),
                              ("user", user, "U")):
        c.eq(f"{name} public key decodes to its type and key", decode_key(key.public),
             (key.prefix, key.raw_public), key.public)
        c.eq(f"{name} seed decodes to its type and seed", decode_key(key.seed),
             (key.prefix, key.raw_seed))
        c.true(f"{name} keys begin {letter} and S{letter}",
               key.public.startswith(letter) and key.seed.startswith("S" + letter)
               and len(key.public) == 56 and len(key.seed) == 58, f"{key.public} {key.seed}")
    c.true("account JWT signed by the operator, user JWT by the account",
           jwt_ok(keys["jwts"]["account"], keys["operator"]) and jwt_ok(keys["user_jwt"], keys["account"]))


def refused_run(d, url, what, out, *extra, reason="Authorization Violation"):
    """A run whose login fails: the capture goes on, nothing is published,
    the reason is said. (--publish-drain 2: the run ends well after nats.c's
    first retry, 1 s after the start, has failed and closed the connection;
    with 1 s, twice in some 500 runs, the last warning came without its
    reason: a race with that retry, see the report of this test's commit.)"""
    t = time.time()
    r = fabmon("-r", DEMO, "-o", out, "--publish", url, *extra, "--site", "fab1",
               "--sensor-name", "creds2", "--no-input-hash", "--publish-drain", "2")
    c.eq(f"{what}: the capture goes on (exit code)", r.returncode, 0, r.stderr[-400:])
    c.true(f"{what}: not blocked", time.time() - t < 60, f"{time.time() - t:.1f} s")
    recs = eve(out)
    c.eq(f"{what}: eve.json complete (last record stats)", recs[-1]["event_type"], "stats")
    ps = recs[-1]["stats"].get("publish", {})
    c.eq(f"{what}: nothing published", ps.get("published"), 0, str(ps))
    c.true(f"{what}: said, with the reason ({reason})",
           re.search(r"not yet acknowledged by " + re.escape(url) + r" \([^)]*" + reason,
                     r.stderr) is not None, r.stderr[-600:])


def account_added_while_running(d, proc, url, keys):
    """4. A sensor whose login is refused (its account unknown) keeps
    capturing; the account is added on the server (restarted with it):
    the sensor logs in by itself and publishes everything, without a
    restart. Returns the server's process."""
    late_account, late = NKey(PREFIX_ACCOUNT), NKey(PREFIX_USER)
    write_creds(d("late.creds"), user_jwt(late_account, late, "late"), late.seed)
    out, fifo = d("late"), d("late.fifo")
    os.mkfifo(fifo)
    p = subprocess.Popen([FABMON, "-r", fifo, "-o", out, "--no-input-hash", "--publish", url,
                          "--nats-creds", d("late.creds"), "--site", "fab1", "--sensor-name",
                          "creds3", "--publish-drain", "30"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = []
    reader = threading.Thread(target=lambda: [err.append(line) for line in p.stderr], daemon=True)
    reader.start()

    def wait_for(text, timeout):
        end = time.time() + timeout
        while time.time() < end and not any(text in line for line in err):
            time.sleep(0.05)
        return any(text in line for line in err)

    with open(fifo, "wb") as f, open(DEMO, "rb") as pcap:
        f.write(pcap.read())
        f.flush()
        c.true("late account: refused at first, said",
               wait_for("cannot reach", 20) and "Authorization Violation" in "".join(err),
               "".join(err)[-400:])
        time.sleep(2)  # nats.c has given up on the connection by now (two refusals)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        port = int(url.rsplit(":", 1)[1])
        proc = start_server(d, keys, port, [(late_account.public,
                                             account_jwt(keys["operator"], late_account, "LATE",
                                                         True))])[0]
        c.true("late account: the sensor logs in by itself and publishes",
               wait_for("acknowledges records again", 30), "".join(err)[-600:])
    p.wait(timeout=60)
    reader.join(timeout=10)
    os.unlink(fifo)
    c.eq("late account: exit code", p.returncode, 0, "".join(err)[-400:])
    recs = eve(out)
    ps = recs[-1]["stats"].get("publish", {})
    c.eq("late account: every record before the final stats published", ps.get("published"),
         len(recs) - 1, str(ps))
    c.eq("late account: nothing waiting", ps.get("backlog_bytes"), 0, str(ps))
    return proc


def collect(url, out, *extra):
    return subprocess.run([FABMON, "collect", url, "-o", out, *extra], capture_output=True,
                          text=True, timeout=120)


def main():
    tmp = tempfile.mkdtemp(prefix="fabmon-creds-")
    d = lambda *p: os.path.join(tmp, *p)  # noqa: E731
    proc = None
    try:
        proc, url, keys = start_server(d)
        user = NKey(PREFIX_USER)
        keys["user_jwt"] = user_jwt(keys["account"], user, "sensor")
        write_creds(d("user.creds"), keys["user_jwt"], user.seed)
        check_keys(keys, user)

        # 2. a real login
        r = fabmon("-r", DEMO, "-o", d("a"), "--publish", url, "--nats-creds", d("user.creds"),
                   "--site", "fab1", "--sensor-name", "creds1", "--no-input-hash")
        c.eq("with user.creds: exit code", r.returncode, 0, r.stderr[-600:])
        recs = eve(d("a"))
        last = recs[-1]
        c.eq("with user.creds: the last record is stats", last["event_type"], "stats")
        ps = last.get("stats", {}).get("publish", {})
        c.eq("with user.creds: connected", ps.get("connected"), True, str(ps))
        c.eq("with user.creds: every record before the final stats published", ps.get("published"),
             len(recs) - 1, str(ps))
        c.eq("with user.creds: nothing waiting", ps.get("backlog_bytes"), 0, str(ps))
        c.true("with user.creds: no warning", "not yet acknowledged" not in r.stderr and
               "Authorization" not in r.stderr, r.stderr[-600:])
        r = collect(url, d("col"), "--nats-creds", d("user.creds"))
        c.eq("collect --nats-creds user.creds: exit code", r.returncode, 0, r.stderr[-600:])
        got = eve(d("col")) if os.path.exists(d("col", "eve.json")) else []
        c.eq("collect: as many records as the sensor wrote", len(got), len(recs))
        c.true("collect: exactly the sensor's records, in order", got == recs,
               f"{len(got)} vs {len(recs)}")

        # 3. refused logins
        refused_run(d, url, "without --nats-creds", d("n"))
        rogue_account, rogue = NKey(PREFIX_ACCOUNT), NKey(PREFIX_USER)
        write_creds(d("rogue.creds"), user_jwt(rogue_account, rogue, "rogue"), rogue.seed)
        refused_run(d, url, "a user of an account the server does not know", d("r"),
                    "--nats-creds", d("rogue.creds"))
        # the file's form is right, its seed does not decode: said when connecting
        bad = user.seed[:20] + ("A" if user.seed[20] != "A" else "B") + user.seed[21:]
        c.true("a seed with a wrong checksum does not decode", decode_key(bad) is None, bad)
        write_creds(d("bad-seed.creds"), keys["user_jwt"], bad)
        refused_run(d, url, "a seed whose checksum is wrong", d("b"),
                    "--nats-creds", d("bad-seed.creds"), reason="invalid checksum")
        for what, extra in (("without --nats-creds", []),
                            ("with the unknown account's user", ["--nats-creds", d("rogue.creds")])):
            r = collect(url, d("col-" + what[:4]), *extra)
            c.eq(f"collect {what}: exit 3", r.returncode, 3, r.stderr[-400:])
            c.true(f"collect {what}: says why (Authorization Violation)",
                   "Authorization Violation" in r.stderr, r.stderr[-400:])
        r = collect(url, d("col2"), "--nats-creds", d("user.creds"), "--durable", "again")
        c.eq("collect again with user.creds (another consumer): exit code", r.returncode, 0, r.stderr[-600:])
        c.eq("... the stream holds only the run that logged in",
             len(eve(d("col2"))) if os.path.exists(d("col2", "eve.json")) else 0, len(recs))
        proc = account_added_while_running(d, proc, url, keys)
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        if c.failures and os.path.exists(d("nats.log")):
            with open(d("nats.log"), encoding="utf-8", errors="replace") as f:
                print("nats-server log (end):\n" + "".join(f.readlines()[-30:]))
        shutil.rmtree(tmp, ignore_errors=True)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
