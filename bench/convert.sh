#!/usr/bin/env bash
# Side by side with `packer hcl2_upgrade` (Packer 1.6.6) on every legacy JSON template of the
# corpus (../shared/corpus/json): how many each tool upgrades, how many of its outputs its own
# `validate -syntax-only` accepts, and whether Packer 1.6.6 parses forge's output wherever it
# parses its own. forge must be at least as good on every file; a file where it is not, or a
# tool that cannot run, fails the script.
#
# Usage: bench/convert.sh   (FORGE_PROFILE=debug uses the test build; installs packer with apt when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpus/json
[ -d "$corpus" ] || { echo "bench/convert.sh: $corpus is missing" >&2; exit 1; }
command -v packer >/dev/null || { sudo apt-get install -y packer >/dev/null; }
packer version | grep -q 'v1.6.6' || { echo "bench/convert.sh: needs Packer 1.6.6" >&2; exit 1; }
profile=${FORGE_PROFILE:-release}
target=${CARGO_TARGET_DIR:-target}
if [ "$profile" = release ]; then cargo build --release -q; else cargo build -q; fi
forge=$(realpath "$target/$profile/forge")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=0 p_up=0 f_up=0 p_ok=0 f_ok=0 p_parses_f=0 both=0 worse=0
for src in "$corpus"/*.json; do
  name=$(basename "$src")
  files=$((files + 1))
  dir="$work/$files"
  mkdir -p "$dir"
  cp "$src" "$dir/$name"
  # Packer's upgrade (its output is written even on some failures; count its exit status).
  if (cd "$dir" && timeout 60 packer hcl2_upgrade -output-file=packer.pkr.hcl "$name") >/dev/null 2>&1; then
    p_up=$((p_up + 1)); pu=1
  else
    pu=0; rm -f "$dir/packer.pkr.hcl"
  fi
  if (cd "$dir" && timeout 60 "$forge" hcl2_upgrade -output-file=forge.pkr.hcl "$name") >/dev/null 2>"$dir/forge.err"; then
    f_up=$((f_up + 1)); fu=1
  else
    fu=0
  fi
  pv=0 fv=0 pf=0
  if [ $pu = 1 ] && (cd "$dir" && timeout 60 packer validate -syntax-only packer.pkr.hcl) >/dev/null 2>&1; then
    p_ok=$((p_ok + 1)); pv=1
  fi
  if [ $fu = 1 ] && (cd "$dir" && timeout 60 "$forge" validate -syntax-only forge.pkr.hcl) >/dev/null 2>&1; then
    f_ok=$((f_ok + 1)); fv=1
  fi
  if [ $fu = 1 ] && (cd "$dir" && timeout 60 packer validate -syntax-only forge.pkr.hcl) >/dev/null 2>&1; then
    p_parses_f=$((p_parses_f + 1)); pf=1
  fi
  [ $pv = 1 ] && [ $pf = 1 ] && both=$((both + 1))
  if [ $pu -gt $fu ] || [ $pv -gt $fv ] || [ $pv -gt $pf ]; then
    worse=$((worse + 1))
    echo "forge does worse than Packer on $name (packer: upgraded=$pu own-validate=$pv; forge: upgraded=$fu own-validate=$fv packer-parses=$pf)" >&2
    sed 's/^/    /' "$dir/forge.err" >&2
  fi
done

cat <<TABLE
| on $files corpus JSON templates | packer hcl2_upgrade 1.6.6 | forge hcl2_upgrade |
| --- | --- | --- |
| upgraded (exit 0, output written) | $p_up | $f_up |
| output accepted by the tool's own \`validate -syntax-only\` | $p_ok | $f_ok |
| output parsed by Packer 1.6.6 \`validate -syntax-only\` | $p_ok | $p_parses_f |
| files where Packer parses its own output and also forge's | | $both of $p_ok |
TABLE
if [ $worse -gt 0 ]; then
  echo "bench/convert.sh: forge does worse than Packer on $worse file(s)" >&2
  exit 1
fi
if [ $f_up -le $p_up ] && [ $p_parses_f -le $p_ok ]; then
  echo "bench/convert.sh: forge is not better than Packer in total" >&2
  exit 1
fi
