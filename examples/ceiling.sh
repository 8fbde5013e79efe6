#!/usr/bin/env bash
# The mock's GET-by-filter throughput against its ceiling, in one run with one load tool.
#
#   examples/ceiling.sh [USERS] [SECONDS] [CONNECTIONS]      (defaults: 100000 10 32)
#
# BLINKSIM=path and CEILING=path use prebuilt binaries (e.g. to compare two builds) instead
# of building both in release.
# Starts `blinksim serve --users USERS`, captures one `GET /Users?filter=userName eq "..."`
# answer (body and headers), serves those exact bytes from examples/ceiling.rs (a bare hyper
# server), loads each with `blinksim load --raw` for SECONDS, twice, alternating, and prints
# the best of each and the ratio mock / ceiling. Loopback only; every process stops at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
seconds=${2:-10}
conns=${3:-32}
token=ceiling-token
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ -z "${BLINKSIM:-}" ] || [ -z "${CEILING:-}" ]; then
  cargo build --release --quiet --bin blinksim --example ceiling
fi
bin=${BLINKSIM:-target/release/blinksim}
ceiling_bin=${CEILING:-target/release/examples/ceiling}

"$bin" serve --addr 127.0.0.1:0 --token "$token" --users "$users" --seed 1 >"$work/serve.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 600); do grep -q "SCIM base URL" "$work/serve.log" && break; sleep 0.1; done
url=$(awk '/SCIM base URL/ {print $4}' "$work/serve.log")
[ -n "$url" ] || { cat "$work/serve.log"; exit 1; }

# One existing userName, then its filter answer exactly as the mock sends it.
user=$(curl -s -H "Authorization: Bearer $token" "$url/Users?count=1&attributes=userName" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Resources"][0]["userName"])')
query=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote("userName eq \"%s\"" % sys.argv[1]))' "$user")
curl -s -D "$work/headers.txt" -o "$work/body.json" -H "Authorization: Bearer $token" \
  "$url/Users?filter=$query"

"$ceiling_bin" --addr 127.0.0.1:18082 --body "$work/body.json" \
  --headers "$work/headers.txt" >"$work/ceiling.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do grep -q listening "$work/ceiling.log" && break; sleep 0.1; done

rate() { # URL -> requests/s
  "$bin" load --raw --target "$1" --token "$token" --user-name "$user" \
    --concurrency "$conns" --duration "${seconds}s" --json \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["requests_per_sec"])'
}
best() { python3 -c 'import sys; print(max(float(a) for a in sys.argv[1:]))' "$@"; }
m1=$(rate "$url"); c1=$(rate "http://127.0.0.1:18082/scim")
m2=$(rate "$url"); c2=$(rate "http://127.0.0.1:18082/scim")
mock=$(best "$m1" "$m2"); ceiling=$(best "$c1" "$c2")
echo "body: $(wc -c <"$work/body.json") bytes; $conns connections; ${seconds}s x2 each, alternating"
printf 'mock    %10.0f requests/s  (runs: %.0f, %.0f)\n' "$mock" "$m1" "$m2"
printf 'ceiling %10.0f requests/s  (runs: %.0f, %.0f)\n' "$ceiling" "$c1" "$c2"
python3 -c 'import sys; print("ratio   %.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$mock" "$ceiling"
