#!/usr/bin/env bash
# Side by side on the peer `aws` scenario (../shared/bench/peer/scenarios/aws): Packer 1.6.6 and
# forge build the same amazon-ebs template against one request-logged moto EC2 server, with the
# peer sshd standing in for the instance, in one run, interleaved. Two variants:
#   keypair  the imported key pair `peer-rsa` and its private key file (Packer: 1.77 s, 28 calls)
#   tempkey  a temporary key pair, installed into sshd by the peer's fake cloud-init (Packer ~9 s)
# Prints, per tool and variant, the median wall time of RUNS builds and the EC2 calls of one.
# Usage: bench/aws.sh [RUNS]   (FORGE_PROFILE=debug uses the test build instead of a release one)
# Needs ../shared; installs packer, openssh-server and moto[server] when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
python3 -c "import moto" 2>/dev/null || python3 -m pip install -q "moto[server]" >/dev/null
. bench/peer.sh
peer_setup aws
log=$PEER/requests.jsonl
python3 "$PEER/scenarios/aws/moto_logged.py" -p 5056 --log "$log" >"$PEER/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; bash "$PEER/sshd/setup.sh" stop >/dev/null; rm -rf "$PEER"' EXIT
for _ in $(seq 100); do python3 -c "import socket;socket.create_connection(('127.0.0.1',5056),0.2)" 2>/dev/null && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
python3 - <<PY
import boto3
for region in ['us-east-1', 'us-west-2']:
    c = boto3.client('ec2', region_name=region, endpoint_url='http://127.0.0.1:5056')
    if region == 'us-east-1':
        c.import_key_pair(KeyName='peer-rsa', PublicKeyMaterial=open('$PEER/sshd/client_rsa.pub', 'rb').read())
    c.describe_images(ImageIds=['ami-785db401'])  # warm moto's lazy AMI catalogue
PY
cp "$PEER/sshd/authorized_keys" "$PEER/authorized_keys.orig"
tpl=$PEER/scenarios/aws/aws.pkr.hcl
cd "$PEER"
lines() { [ -f "$log" ] && wc -l < "$log" || echo 0; }
calls_since() {  # EC2 calls logged after line $1 by the tool's SDK ($2: user-agent prefix)
  python3 -c "
import json, sys
n = 0
for i, l in enumerate(open('$log')):
    if i >= $1 and json.loads(l)['user_agent'].startswith('$2'):
        n += 1
print(n)"
}
one() {  # tool variant -> prints "seconds calls"
  local tool=$1 variant=$2 bin=packer ua=aws-sdk-go args=()
  [ "$tool" = forge ] && { bin=$forge; ua=aws-sdk-rust; }
  if [ "$variant" = keypair ]; then args=(-var "key_file=$PEER/sshd/client_rsa"); else args=(-var keypair= -var key_file=); fi
  sleep 1.1  # the AMI name ends in a timestamp (seconds)
  local before; before=$(lines)
  local fci=
  if [ "$variant" = tempkey ]; then
    rm -f "$PEER/stop"
    python3 "$PEER/scenarios/aws/fake_cloud_init.py" --stop-file "$PEER/stop" --authorized-keys "$PEER/sshd/authorized_keys" >/dev/null 2>&1 &
    fci=$!
  fi
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$bin" build -color=false "${args[@]}" "$tpl" >"$PEER/$tool-$variant.out" 2>&1; then
    echo "$tool $variant failed:" >&2; tail -5 "$PEER/$tool-$variant.out" >&2
    exit 1  # a failed build is an error, not a timed sample
  fi
  t1=$(date +%s.%N)
  if [ -n "$fci" ]; then touch "$PEER/stop"; wait "$fci" || true; cp "$PEER/authorized_keys.orig" "$PEER/sshd/authorized_keys"; fi
  echo "$(python3 -c "print(round($t1-$t0, 3))") $(calls_since "$before" "$ua")"
}
echo "| variant | tool | median wall (min-max) of $runs after a warm-up | EC2 calls |"
echo "| --- | --- | --- | --- |"
for variant in keypair tempkey; do
  declare -A times=() calls=()
  for tool in packer forge; do one "$tool" "$variant" >/dev/null || exit 1; done  # warm-up, not counted
  for _ in $(seq "$runs"); do
    for tool in packer forge; do
      s= n=
      read -r s n < <(one "$tool" "$variant") || true
      [ -n "${s:-}" ] || { echo "$tool $variant: no timing (the build failed)" >&2; exit 1; }
      times[$tool]+="$s "
      calls[$tool]=$n
    done
  done
  for tool in packer forge; do
    m=$(tr ' ' '\n' <<<"${times[$tool]}" | grep . | median)
    echo "| $variant | $tool | ${m} s | ${calls[$tool]} |"
  done
  unset times calls
done
