#!/usr/bin/env bash
# Runs Microsoft's reference Postman collection (.ci/postman/) with newman against
# `blinksim serve --profile generic` and checks that exactly the expected assertions fail.
# Needs target/release/blinksim, node and npm (newman is installed into target/ci-node).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.ci/postman
node_dir=target/ci-node
if [ ! -x "$node_dir/node_modules/.bin/newman" ]; then
  mkdir -p "$node_dir"
  npm install --prefix "$node_dir" --silent --no-audit --no-fund newman@6 >/dev/null
fi
log=target/ci-postman-serve.log
target/release/blinksim serve --profile generic --addr 127.0.0.1:0 --token postman-token >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "SCIM base URL" "$log" && break; sleep 0.2; done
url=$(awk '/SCIM base URL/ {print $4}' "$log")
hostport=${url#http://}; hostport=${hostport%%/*}
# The token goes in as iteration data, which outranks the environment variable the
# collection's own "Get Token" request overwrites (its /Token endpoint is not SCIM).
data=target/ci-postman-data.json
echo '[{"token": "postman-token"}]' >"$data"
report=target/ci-postman.json
"$node_dir/node_modules/.bin/newman" run "$dir/PostmanCollection.json" \
  --env-var Protocol=http --env-var Server="${hostport%:*}" --env-var Port=":${hostport##*:}" \
  --env-var Api=scim -d "$data" --reporters json --reporter-json-export "$report" >/dev/null || true
python3 - "$report" "$dir/expected-failures.txt" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["run"]
got = sorted(f"{f['source']['name']} | {f['error'].get('test')}" for f in run["failures"])
want = sorted(" | ".join(l.split(" | ")[:2]) for l in open(sys.argv[2])
              if l.strip() and not l.startswith("#"))
total = run["stats"]["assertions"]["total"]
if got != want:
    print("unexpected:", sorted(set(got) - set(want)), "\nno longer failing:", sorted(set(want) - set(got)))
    sys.exit(1)
print(f"postman: {total - len(got)} of {total} assertions passed; the {len(got)} failures are the expected ones")
PY
