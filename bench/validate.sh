#!/usr/bin/env bash
# Side-by-side benchmark of `forge validate` against Packer 1.6.6's `packer validate`, whole process.
#
# Usage: bench/validate.sh            (builds forge in release mode; installs hyperfine and packer if missing)
# Prints a table of mean wall times. Needs ../shared (the peer scenarios) beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
shared=$here/../shared
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need packer packer
cargo build --release --quiet
forge=${CARGO_TARGET_DIR:-$here/target}/release/forge

# A typical template (the peer `local` scenario) and a generated 500-source x 500-provisioner one.
cp "$shared/bench/peer/scenarios/local/local.json" "$shared/bench/peer/scenarios/local/local.pkr.hcl" "$work/"
python3 "$shared/bench/peer/scenarios/speed/gen.py" 500 500 all "$work/large" >/dev/null
python3 "$shared/bench/peer/scenarios/speed/gen.py" 500 500 only "$work/large-only" >/dev/null
large_json=$(ls "$work"/large/*.json | head -1)
large_hcl=$(ls "$work"/large/*.pkr.hcl | head -1)

run() { # name, command...
  local name=$1; shift
  # A failed run stops the benchmark: it is an error, not a timed sample.
  hyperfine -N --warmup 2 --runs "${RUNS:-20}" --export-json "$work/r.json" "$*" >/dev/null 2>&1 || { echo "$name: failed" >&2; exit 1; }
  python3 -c "import json,statistics; t=[x*1000 for x in json.load(open('$work/r.json'))['results'][0]['times']]; print('| $name | %.2f ms (%.2f-%.2f) |' % (statistics.median(t), min(t), max(t)))"
}

echo "| command | median wall time (min-max) |"
echo "| --- | --- |"
cd "$work"
run "packer validate -syntax-only local.json" packer validate -syntax-only local.json
run "forge validate -syntax-only local.json" "$forge" validate -syntax-only local.json
run "packer validate -syntax-only local.pkr.hcl" packer validate -syntax-only local.pkr.hcl
run "forge validate -syntax-only local.pkr.hcl" "$forge" validate -syntax-only local.pkr.hcl
run "forge validate local.pkr.hcl (structural checks)" "$forge" validate local.pkr.hcl
run "forge inspect local.pkr.hcl" "$forge" inspect local.pkr.hcl
run "packer inspect local.pkr.hcl" packer inspect local.pkr.hcl
RUNS=5 run "packer validate -syntax-only 500x500 (HCL)" packer validate -syntax-only "$large_hcl"
run "forge validate -syntax-only 500x500 (HCL)" "$forge" validate -syntax-only "$large_hcl"
run "forge validate 500x500 all (HCL, 250,000 provisioner instances)" "$forge" validate "$large_hcl"
# A chain of 500 locals, each using the one before: evaluation must stay linear.
{
  echo 'locals {'
  echo '  l0 = "x"'
  for i in $(seq 1 500); do echo "  l$i = \"\${local.l$((i - 1))}-$i\""; done
  echo '}'
  echo 'source "null" "a" { communicator = "none" }'
  echo 'build { sources = ["source.null.a"] }'
} > "$work/chain.pkr.hcl"
run "forge validate 500-local chain" "$forge" validate "$work/chain.pkr.hcl"
run "forge validate 500x500 only (HCL)" "$forge" validate "$(ls "$work"/large-only/*.pkr.hcl | head -1)"
RUNS=5 run "packer validate 500x500 only (JSON, 500 provisioner instances)" packer validate "$(ls "$work"/large-only/*.json | head -1)"
run "forge validate 500x500 only (JSON)" "$forge" validate "$(ls "$work"/large-only/*.json | head -1)"
RUNS=5 run "packer validate -syntax-only 500x500 (JSON)" packer validate -syntax-only "$large_json"
run "forge validate -syntax-only 500x500 (JSON)" "$forge" validate -syntax-only "$large_json"
