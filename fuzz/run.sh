#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]
# Runs every fuzz target (or those named) for SECONDS each (default 10), one after another, and prints per
# target the executions, the corpus size and whether it crashed. Needs `cargo +nightly` and
# cargo-fuzz. New corpus entries stay in corpus/<target>/ (only seed-* files are committed);
# crashes go to artifacts/<target>/. Extra libFuzzer flags: FUZZ_FLAGS, e.g.
# FUZZ_FLAGS="-fork=1 -ignore_crashes=1" to keep going past a crash.
#
# -timeout makes "a bounded input runs in bounded time" an invariant: an input of at most
# -max_len bytes that runs longer than that many seconds is reported as a crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
mkdir -p target
crashed=()
printf '%-14s %12s %8s %10s  %s\n' target executions files bytes result
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log="target/run-$target.log"
  result=ok
  mkdir -p "artifacts/$target"
  found_before=$(find "artifacts/$target" -type f | wc -l)
  # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -max_len=8192 -rss_limit_mb=2048 \
      -print_final_stats=1 ${FUZZ_FLAGS:-} >"$log" 2>&1; then
    result="CRASH (see $log, artifacts/$target/)"
    crashed+=("$target")
  elif [ "$(find "artifacts/$target" -type f | wc -l)" -gt "$found_before" ]; then
    # -ignore_crashes keeps fork mode going; what it found is still a failure.
    result="CRASH (kept going; see artifacts/$target/)"
    crashed+=("$target")
  fi
  # Fork mode prints no final stats: its last `#N` status line counts the executions.
  execs=$(awk '/stat::number_of_executed_units/ {n += $2}
    /^#[0-9]+/ {last = substr($1, 2)} END {print (n > 0 ? n : last + 0)}' "$log")
  files=$(find "corpus/$target" -type f | wc -l)
  bytes=$(du -sb "corpus/$target" | cut -f1)
  printf '%-14s %12s %8s %10s  %s\n' "$target" "$execs" "$files" "$bytes" "$result"
done
if [ ${#crashed[@]} -gt 0 ]; then
  echo "crashed: ${crashed[*]}"
  exit 1
fi
