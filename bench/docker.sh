#!/usr/bin/env bash
# Side-by-side benchmark of forge's docker builder against Packer 1.6.6's (which runs the docker
# CLI for every step) on one template: a local base image, two parallel builds, a file and a
# shell provisioner, commit, docker-tag and docker-save. Then the cost of one provisioner
# command: a build with 10 `true` shell provisioners against the same build with none.
#
# Usage: bench/docker.sh   (RUNS=7 by default; PROFILE=dev times the debug build; installs hyperfine, packer, docker.io and
# busybox-static with apt when missing; uses the daemon DOCKER_HOST names when it answers,
# else starts its own dockerd in a temporary folder and stops it by its PID at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
runs=${RUNS:-7}
work=$(mktemp -d /tmp/forge-bench-docker.XXXXXX)
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    grep -o "$work/exec[^ ]*" /proc/mounts | xargs -r umount -l 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
need packer packer
need dockerd docker.io
need curl curl
need python3 python3
dpkg -s busybox-static >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null; }
profile=${PROFILE:-release}
cargo build --profile "$profile" --quiet
dir=$profile
[ "$profile" = dev ] && dir=debug
forge=${CARGO_TARGET_DIR:-$here/target}/$dir/forge

host=${DOCKER_HOST:-}
socket=${host#unix://}
if [ -z "${DOCKER_HOST:-}" ] || ! curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1; then
  socket=$work/docker.sock
  dockerd --storage-driver=vfs --iptables=false --bridge=none --data-root "$work/data" \
    --exec-root "$work/exec" --pidfile "$work/dockerd.pid" -H "unix://$socket" >"$work/dockerd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 300); do curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
export DOCKER_HOST=unix://$socket CHECKPOINT_DISABLE=1
curl -sf --unix-socket "$socket" http://d/_ping >/dev/null || { echo "dockerd did not start:"; cat "$work/dockerd.log"; exit 1; }

# The base image: busybox-static in a root file system, imported through the API.
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
cp /bin/busybox "$work/rootfs/bin/"
for a in $("$work/rootfs/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/rootfs/etc/passwd"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
curl -sf --unix-socket "$socket" -X POST -H 'Content-Type: application/x-tar' \
  --data-binary @"$work/rootfs.tar" "http://d/images/create?fromSrc=-&repo=forge-bench-base&tag=latest" >/dev/null

cd "$work"
mkdir -p files/etc
for i in $(seq 1 20); do echo "config line $i" >"files/etc/file$i.conf"; done
cat >scenario.json <<'EOF'
{
  "builders": [
    {"name": "one", "type": "docker", "image": "forge-bench-base", "pull": false, "commit": true, "changes": ["ENV BUILT=1"]},
    {"name": "two", "type": "docker", "image": "forge-bench-base", "pull": false, "commit": true, "changes": ["ENV BUILT=1"]}
  ],
  "provisioners": [
    {"type": "file", "source": "files/", "destination": "/tmp/app"},
    {"type": "shell", "inline": ["ls /tmp/app/etc | wc -l", "echo ready > /tmp/app/state"]}
  ],
  "post-processors": [[
    {"type": "docker-tag", "repository": "forge-bench/app", "tags": ["{{build_name}}"]},
    {"type": "docker-save", "path": "saved-{{build_name}}.tar"}
  ]]
}
EOF
# 10 provisioner commands against none: the cost of one command.
python3 - <<'EOF'
import json
base = {"type": "docker", "image": "forge-bench-base", "pull": False, "discard": True}
for n in (0, 10):
    t = {"builders": [base], "provisioners": [{"type": "shell", "inline": ["true"]} for _ in range(n)]}
    json.dump(t, open(f"commands{n}.json", "w"))
EOF

bench() {
  local name=$1 template=$2
  hyperfine -N --warmup 1 --runs "$runs" --export-json "result-$name.json" \
    -n "packer $name" "packer build -color=false -force $template" \
    -n "forge $name" "$forge build -color=false -force $template" >/dev/null
}
bench scenario scenario.json
bench commands0 commands0.json
bench commands10 commands10.json

python3 - <<'EOF'
import json
def load(name):
    return {r["command"].split()[0]: r for r in json.load(open(f"result-{name}.json"))["results"]}
s = load("scenario")
print("## two parallel docker builds: file + shell provisioners, commit, docker-tag, docker-save")
print(f"median of {len(s['forge']['times'])} runs after a warm-up; min–max")
print("| tool | median | min–max |")
print("| --- | --- | --- |")
for tool in ("packer", "forge"):
    r = s[tool]
    print(f"| {tool} | {r['median']*1000:.0f} ms | {r['min']*1000:.0f}–{r['max']*1000:.0f} ms |")
print(f"forge/packer: {s['forge']['median']/s['packer']['median']:.2f}")
print()
c0, c10 = load("commands0"), load("commands10")
print("## one provisioner command (`true`): (10 commands − none) / 10, medians")
for tool in ("packer", "forge"):
    per = (c10[tool]["median"] - c0[tool]["median"]) / 10 * 1000
    print(f"- {tool}: {per:.0f} ms per command")
EOF
