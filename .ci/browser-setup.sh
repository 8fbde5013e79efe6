#!/usr/bin/env bash
# Installs what the browser tests need, once: Debian's chromium (apt) and playwright-core
# (npm) in target/ci-browser. Every browser step of .ci/run calls this; the tests load
# playwright-core with createRequire("target/ci-browser/package.json").
# Exit 0: ready. Exit 3: chromium could not be installed (the caller skips, saying so).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
if ! [ -x /usr/bin/chromium ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    >target/ci-chromium-install.log 2>&1 || true
fi
if ! [ -x /usr/bin/chromium ]; then
  echo "chromium could not be installed (see target/ci-chromium-install.log)" >&2
  exit 3
fi
browser_dir=target/ci-browser
mkdir -p "$browser_dir"
[ -f "$browser_dir/package.json" ] || echo '{"private": true}' >"$browser_dir/package.json"
[ -d "$browser_dir/node_modules/playwright-core" ] \
  || (cd "$browser_dir" && npm install --no-audit --no-fund --silent playwright-core)
