#!/usr/bin/env bash
# Side-by-side benchmark of `forge fmt -write=false` against `packer fmt -write=false` (Packer
# 1.6.6), whole process, on a small file and on a generated 500-source file, and forge on the
# whole corpus: medians and min-max of RUNS runs after a warm-up; any failed run is an error.
# Usage: bench/fmt.sh   (installs hyperfine and packer with apt when missing; needs ../shared)
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
cp "$shared/bench/peer/scenarios/local/local.pkr.hcl" "$work/small.pkr.hcl"
python3 "$shared/bench/peer/scenarios/speed/gen.py" 500 500 all "$work/large" >/dev/null
cp "$(ls "$work"/large/*-unformatted.pkr.hcl | head -1)" "$work/large.pkr.hcl"
mkdir -p "$work/corpus" && cp "$shared"/corpus/fmt_input/* "$work/corpus/"
for f in "$work"/corpus/*; do case "$f" in *.pkr.hcl|*.pkrvars.hcl) ;; *) mv "$f" "$f.pkr.hcl" ;; esac; done
cd "$work"
# -write=false formats and prints (exit 0), the same work as -check without its exit 3.
hyperfine -N --warmup 2 --runs "${RUNS:-20}" --export-json result.json \
  "packer fmt -write=false small.pkr.hcl" "$forge fmt -write=false small.pkr.hcl" \
  "packer fmt -write=false large.pkr.hcl" "$forge fmt -write=false large.pkr.hcl" \
  "$forge fmt -write=false corpus" >/dev/null
python3 "$here/bench/summary.py" result.json "packer, small file" "forge, small file" "packer, 500-source file" "forge, 500-source file" "forge, whole corpus"
echo "corpus: $(ls corpus | wc -l) files in one forge process"
