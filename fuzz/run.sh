#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each with libFuzzer through cargo-fuzz, on
# the nightly toolchain. Seeds: the saved corpus fuzz/corpus/<target> (committed, made from
# forge's own fixtures), forge's fixtures and examples, and ../shared/corpus when present (read
# only: neither it nor what libFuzzer derives from it is written into the repository). Any crash, timeout over 1 s or out-of-memory fails the run; the input is left in
# fuzz/artifacts/<target>/ to become a fixture.
#   fuzz/run.sh SECONDS [TARGET...]        e.g. fuzz/run.sh 3600 hcl
# Installs cargo-fuzz when missing. RUNS=N stops each target after N executions instead of a
# time, and SEED=N fixes libFuzzer's random seed: with both, a run is repeatable (the CI smoke
# run uses RUNS and SEED, so it explores exactly what was explored before it landed).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(hcl json toml gotmpl eval fmt)
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-/var/tmp/forge-fuzz-target}
for t in "${targets[@]}"; do
  cargo +nightly fuzz build --release --debug-assertions "$t" 2>&1 | grep -Ev "^ *(Compiling|Finished|Building)" || true
done
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
gather() { # target -> a folder of seed inputs in its syntax
  local dir=$seeds/$1 pattern
  mkdir -p "$dir"
  case $1 in
    hcl|fmt|eval) pattern='*.hcl' ;;
    json) pattern='*.json' ;;
    toml) pattern='*.toml' ;;
    gotmpl) pattern='*.json' ;;
  esac
  find ../fixtures ../examples -name "$pattern" -type f -exec cp {} "$dir/" \; 2>/dev/null || true
  if [ -d ../../shared/corpus ]; then
    find ../../shared/corpus/hcl ../../shared/corpus/json ../../shared/corpus/tf -name "$pattern" -type f -exec cp {} "$dir/" \; 2>/dev/null || true
  fi
  echo "$dir"
}
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  limit=(-max_total_time="$seconds")
  [ -n "${RUNS:-}" ] && limit=(-runs="$RUNS")
  [ -n "${SEED:-}" ] && limit+=(-seed="$SEED")
  log=$(mktemp)
  found=$(mktemp -d)  # new inputs of this run: kept out of the repository (they may derive from ../shared)
  if cargo +nightly fuzz run --release --debug-assertions "$t" "$found" "corpus/$t" "$(gather "$t")" -- \
      "${limit[@]}" -timeout=1 -rss_limit_mb=2048 -dict="dict/$t.dict" -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
      >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $t: ${execs} executions, no crash"
  else
    echo "fuzz $t: FAILED"; tail -40 "$log"; failed=1
  fi
  rm -rf "$log" "$found"
done
exit $failed
