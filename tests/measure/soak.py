#!/usr/bin/env python3
"""Issue 15, the soak (measured, not a test): a bounded mixed load of every SCIM and admin
operation against `blinksim serve` for SECONDS, sampling the server's resident memory.

    python3 tests/measure/soak.py target/release/blinksim [SECONDS] [CLIENTS] [serve flags...]

Each client loops over a user's whole life: POST, GET by id, GET by userName and by
externalId filter, a page of the list, PATCH (both dialects' shapes), PUT, If-Match on a
stale version (412 expected), a duplicate POST (409 expected), DELETE, GET 404; every tenth
round also reads /_admin/requests, /_admin/stats and /_admin/health, and adds then removes a
fault rule that answers 503 to one user. Any other status is an error. The population stays
bounded (each client deletes what it created), so a flat RSS is the expected shape.
Loopback only; prints one line per sample and a summary; exits 1 on any error.
"""
import http.client, json, os, subprocess, sys, threading, time

binary = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
clients = int(sys.argv[3]) if len(sys.argv) > 3 else 8
extra = sys.argv[4:]
TOKEN, ADMIN = "soak-token", "soak-admin"
proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--token", TOKEN,
                         "--admin-token", ADMIN, "--users", "10000", "--seed", "7", *extra],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
base = ""
for line in proc.stdout:
    if line.startswith("SCIM base URL"):
        base = line.split()[3]
        break
host, port = base.removeprefix("http://").removesuffix("/scim").split(":")
stop = time.monotonic() + seconds
lock = threading.Lock()
counts = {"requests": 0, "errors": 0}
errors = []


def rss_mib():
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Client:
    def __init__(self, n):
        self.n, self.round = n, 0
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)

    def call(self, method, path, body=None, expect=(200,), headers=None, admin=False):
        h = {"Authorization": f"Bearer {ADMIN if admin else TOKEN}"}
        if body is not None:
            h["Content-Type"] = "application/scim+json"
        h.update(headers or {})
        data = json.dumps(body) if body is not None else None
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            text = r.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
            return self.fail(method, path, f"transport: {e}")
        with lock:
            counts["requests"] += 1
        if r.status not in expect:
            return self.fail(method, path, f"{r.status} {text[:200]!r}")
        return json.loads(text) if text else None, r.getheader("ETag")

    def fail(self, method, path, why):
        with lock:
            counts["errors"] += 1
            if len(errors) < 20:
                errors.append(f"{method} {path}: {why}")
        return None, None

    def life(self):
        self.round += 1
        name = f"soak{self.n}-{self.round}@contoso.example"
        user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name,
                "externalId": f"ext-{self.n}-{self.round}", "active": True,
                "name": {"givenName": "Soak", "familyName": f"Client{self.n}"},
                "emails": [{"type": "work", "primary": True, "value": name}]}
        created, etag = self.call("POST", "/scim/Users", user, expect=(201,))
        if not created:
            return
        uid = created["id"]
        self.call("GET", f"/scim/Users/{uid}")
        self.call("GET", f'/scim/Users?filter=userName%20eq%20%22{name}%22')
        self.call("GET", f'/scim/Users?filter=externalId%20eq%20%22ext-{self.n}-{self.round}%22')
        self.call("GET", f"/scim/Users?startIndex={1 + self.round % 9000}&count=50")
        legacy = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                  "Operations": [{"op": "Replace", "path": "title", "value": "Engineer"},
                                 {"op": "Replace", "path": "active", "value": "False"}]}
        self.call("PATCH", f"/scim/Users/{uid}", legacy, expect=(200, 204))
        compliant = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                     "Operations": [{"op": "replace", "value": {"displayName": "Soak", "active": True}}]}
        self.call("PATCH", f"/scim/Users/{uid}", compliant, expect=(200, 204))
        put = dict(user, displayName="Soak Put")
        self.call("PUT", f"/scim/Users/{uid}", put)
        if etag:
            self.call("PATCH", f"/scim/Users/{uid}", legacy, expect=(412,), headers={"If-Match": etag})
        self.call("POST", "/scim/Users", user, expect=(409,))
        if self.round % 10 == 0:
            self.admin(name)
        self.call("DELETE", f"/scim/Users/{uid}", expect=(204,))
        self.call("GET", f"/scim/Users/{uid}", expect=(404,))

    def admin(self, name):
        self.call("GET", "/_admin/requests?limit=50", admin=True)
        self.call("GET", "/_admin/stats", admin=True)
        self.call("GET", "/_admin/health", admin=True)
        rule_name = f"soak-{self.n}-{self.round}"
        rule = {"name": rule_name, "operation": "get", "user_name": f"nobody-{name}",
                "effect": {"kind": "status", "status": 503}}
        self.call("POST", "/_admin/faults", rule, expect=(200, 201), admin=True)
        self.call("DELETE", f"/_admin/faults/{rule_name}", expect=(200, 204), admin=True)

    def run(self):
        while time.monotonic() < stop:
            self.life()


threads = [threading.Thread(target=Client(n).run, daemon=True) for n in range(clients)]
started = time.monotonic()
for t in threads:
    t.start()
samples = []
try:
    while any(t.is_alive() for t in threads):
        time.sleep(min(30.0, max(0.1, stop - time.monotonic())))
        rss = rss_mib()
        elapsed = time.monotonic() - started
        samples.append(rss)
        with lock:
            print(f"{elapsed:7.0f} s  rss {rss:7.1f} MiB  requests {counts['requests']:>9}  "
                  f"errors {counts['errors']}", flush=True)
        if time.monotonic() >= stop:
            break
    for t in threads:
        t.join(timeout=35)
finally:
    proc.terminate()
    proc.wait(timeout=10)
elapsed = time.monotonic() - started
first, last = samples[0], samples[-1]
print(f"soak: {elapsed:.0f} s, {clients} clients, {counts['requests']} requests "
      f"({counts['requests'] / elapsed:.0f}/s), {counts['errors']} errors; "
      f"RSS first sample {first:.1f} MiB, last {last:.1f} MiB, max {max(samples):.1f} MiB")
for e in errors:
    print("  error:", e)
sys.exit(1 if counts["errors"] else 0)
