#!/usr/bin/env python3
"""Issue 15 D3, measured (not a test): while the worst ~1 MiB PATCH runs against
`blinksim serve`, how long do /_admin/health and a GET by filter take?

    python3 tests/measure/patch_stall.py target/release/blinksim [old|new]

`old` sends the issue's PATCH (9,000 value-filter operations, ~870 KB); `rewrite` and `filters`
the worst the bounded server accepts (99 long emails, then 1,000 operations each rewriting all of
them, or each testing a 40-clause filter on all of them, ~1 MiB).
Loopback only; bounded (every request times out after 60 s).
"""
import http.client, json, subprocess, sys, threading, time

binary, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "filters")
proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--token", "T",
                         "--users", "1000"], stdout=subprocess.PIPE, text=True)
try:
    base = ""
    for line in proc.stdout:
        if line.startswith("SCIM base URL"):
            base = line.split()[3]
            break
    host, port = base.removeprefix("http://").removesuffix("/scim").split(":")
    port = int(port)

    def call(method, path, body=None, token="T"):
        c = http.client.HTTPConnection(host, port, timeout=60)
        c.request(method, path, body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    status, data = call("POST", "/scim/Users", json.dumps({"userName": "target@x"}))
    uid = json.loads(data)["id"]
    if mode == "old":
        ops = [{"op": "add", "path": f'emails[type eq "home" and value eq "f{i}@x"].primary',
                "value": True} for i in range(9000)]
    else:
        call("PATCH", f"/scim/Users/{uid}", json.dumps({"Operations": [{"op": "add",
             "path": "emails", "value": [{"value": f"e{i}@x" * 20} for i in range(99)]}]}))
        if mode == "rewrite":
            pad = "x" * 950
            ops = [{"op": "replace", "path": 'emails[value co "@"].display',
                    "value": f"{i}{pad}"} for i in range(1000)]
        else:  # "filters": 1,000 operations, each a 40-clause filter over all 99 values
            ops = [{"op": "replace", "value": "a", "path": "emails[" + " or ".join(
                f'value co "q{j}.{i}"' for i in range(39)) + ' or value co "@"].display'} for j in range(1000)]
    body = json.dumps({"Operations": ops})
    print(f"mode {mode}: PATCH of {len(ops)} operations, {len(body)} bytes")
    result = {}

    def patch():
        t = time.monotonic()
        s, d = call("PATCH", f"/scim/Users/{uid}", body)
        result["patch"] = (s, time.monotonic() - t, d[:120])

    th = threading.Thread(target=patch)
    th.start()
    time.sleep(0.05)
    worst = {"health": 0.0, "filter": 0.0}
    probes = 0
    while th.is_alive() and probes < 2000:
        for name, path, tok in [("health", "/_admin/health", "blinksim-admin-token"),
                                ("filter", "/scim/Users?filter=userName%20eq%20%22target%40x%22", "T")]:
            t = time.monotonic()
            call("GET", path, token=tok)
            worst[name] = max(worst[name], time.monotonic() - t)
        probes += 1
        time.sleep(0.01)
    th.join(timeout=120)
    s, secs, head = result.get("patch", (None, None, b""))
    print(f"PATCH answered {s} in {secs:.2f} s: {head!r}")
    print(f"{probes} probe rounds during it; slowest /_admin/health {worst['health']*1000:.1f} ms, "
          f"slowest GET by filter {worst['filter']*1000:.1f} ms")
finally:
    proc.terminate()
    proc.wait(timeout=10)
