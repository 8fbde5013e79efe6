#!/usr/bin/env python3
"""Issue 15 D6, measured (not a test): N connections each sending a request body at one byte
per second, and meanwhile a normal client's GET latency against `blinksim serve`.

    python3 tests/measure/slow_bodies.py target/release/blinksim [N] [SECONDS] [serve flags...]

Loopback only; bounded (SECONDS, default 40, then everything is closed).
"""
import http.client, socket, subprocess, sys, time

binary = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
duration = float(sys.argv[3]) if len(sys.argv) > 3 else 40.0
extra = sys.argv[4:]
proc = subprocess.Popen([binary, "serve", "--addr", "127.0.0.1:0", "--token", "T", *extra],
                        stdout=subprocess.PIPE, text=True)
slow = []
try:
    base = ""
    for line in proc.stdout:
        if line.startswith("SCIM base URL"):
            base = line.split()[3]
            break
    host, port = base.removeprefix("http://").removesuffix("/scim").split(":")
    port = int(port)
    head = (f"POST /scim/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer T\r\n"
            f"Content-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n").encode()
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(head)
        s.setblocking(False)
        slow.append(s)
    print(f"{n} slow connections open")
    latencies, failures, start, last_drip = [], 0, time.monotonic(), 0.0
    open_slow = n
    while time.monotonic() - start < duration:
        now = time.monotonic()
        if now - last_drip >= 1.0:
            last_drip = now
            still = 0
            for s in slow:
                try:
                    s.send(b"{")
                    still += 1
                except OSError:
                    pass
            open_slow = still
        t = time.monotonic()
        try:
            c = http.client.HTTPConnection(host, port, timeout=5)
            c.request("GET", "/scim/Users?count=1", headers={"Authorization": "Bearer T"})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status != 200:
                failures += 1
            latencies.append(time.monotonic() - t)
        except OSError:
            failures += 1
        time.sleep(0.2)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else float("nan")
    worst = latencies[-1] if latencies else float("nan")
    print(f"normal client: {len(latencies)} answers, {failures} failures/non-200, "
          f"median {p50*1000:.1f} ms, slowest {worst*1000:.1f} ms; "
          f"slow connections still writable at the end: {open_slow}")
finally:
    for s in slow:
        s.close()
    proc.terminate()
    proc.wait(timeout=10)
