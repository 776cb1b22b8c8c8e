#!/usr/bin/env bash
# Side-by-side benchmark of `forge build` against Packer 1.6.6 on the peer `local` scenario, and
# the wall time and memory of N parallel shell-local builds that each sleep 1 s.
#
# Usage: bench/build.sh   (installs hyperfine and packer with apt when missing; needs ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
shared=$here/../shared
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need packer packer
command -v /usr/bin/time >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet
forge=${CARGO_TARGET_DIR:-$here/target}/release/forge

cp "$shared/bench/peer/scenarios/local/local.json" "$shared/bench/peer/scenarios/local/local.pkr.hcl" "$work/"
cd "$work"
mkdir -p out
echo "## local scenario (sleep 0), whole process"
hyperfine -N --warmup 2 --runs "${RUNS:-10}" --export-json result.json \
  "packer build -color=false -force -var sleep=0 local.pkr.hcl" \
  "$forge build -color=false -force -var sleep=0 local.pkr.hcl" \
  "packer build -color=false -force -var sleep=0 local.json" \
  "$forge build -color=false -force -var sleep=0 local.json" >/dev/null
python3 "$here/bench/summary.py" result.json "packer, HCL" "forge, HCL" "packer, JSON" "forge, JSON"

echo
echo "## N parallel shell-local builds, each sleeping 1 s"
echo "| N | wall time | max RSS |"
echo "| --- | --- | --- |"
for n in 1 10 25 50; do
  {
    for i in $(seq 1 "$n"); do echo "source \"null\" \"b$i\" { communicator = \"none\" }"; done
    printf 'build {\n  sources = ['
    for i in $(seq 1 "$n"); do printf '"source.null.b%s",' "$i"; done
    printf ']\n  provisioner "shell-local" { inline = ["sleep 1"] }\n}\n'
  } > "sleep$n.pkr.hcl"
  /usr/bin/time -f "%e %M" -o time.txt "$forge" build -color=false "sleep$n.pkr.hcl" >/dev/null
  read -r wall rss < time.txt
  echo "| $n | ${wall} s | $((rss / 1024)) MiB |"
done
