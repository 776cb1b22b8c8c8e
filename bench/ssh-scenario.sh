#!/usr/bin/env bash
# Side by side on the peer `ssh` scenario (../shared/bench/peer/scenarios/ssh): the whole build —
# shell inline, script and env, two folder uploads, a 100 MiB upload, a check, two downloads and
# a manifest — by Packer 1.6.6 and by forge against the same throwaway sshd, interleaved, over
# scp and sftp. Prints the median wall time of RUNS builds per tool and transfer (Packer here:
# 7.2 s scp, 8.2 s sftp). Usage: bench/ssh-scenario.sh [RUNS]  (FORGE_PROFILE=debug uses the
# test build). Needs ../shared; installs packer and openssh-server when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
. bench/peer.sh
peer_setup ssh
trap 'bash "$PEER/sshd/setup.sh" stop >/dev/null; rm -rf "$PEER"' EXIT
bash "$PEER/scenarios/ssh/prepare-data.sh"
# From the template's folder: Packer resolves the download destination against the working
# directory, forge against the template's folder; there they agree.
work=$PEER/scenarios/ssh; cd "$work"
one() {  # tool transfer -> seconds
  local bin=packer; [ "$1" = forge ] && bin=$forge
  rm -rf download "$PEER/remote"
  local t0 t1; t0=$(date +%s.%N)
  if ! "$bin" build -color=false -var "transfer=$2" "$PEER/scenarios/ssh/ssh.pkr.hcl" >"$work/$1-$2.out" 2>&1; then
    echo "$1 $2 failed:" >&2; tail -5 "$work/$1-$2.out" >&2
    exit 1  # a failed build is an error, not a timed sample
  fi
  t1=$(date +%s.%N)
  python3 -c "print(round($t1-$t0, 3))"
}
echo "| transfer | tool | median wall (min-max) of $runs after a warm-up |"
echo "| --- | --- | --- |"
for transfer in scp sftp; do
  declare -A times=()
  for tool in packer forge; do one "$tool" "$transfer" >/dev/null || exit 1; done  # warm-up, not counted
  for _ in $(seq "$runs"); do
    for tool in packer forge; do
      t=$(one "$tool" "$transfer") || exit 1
      times[$tool]+="$t "
    done
  done
  for tool in packer forge; do
    echo "| $transfer | $tool | $(tr ' ' '\n' <<<"${times[$tool]}" | grep . | median) s |"
  done
  unset times
done
