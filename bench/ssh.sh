#!/usr/bin/env bash
# Side by side on loopback: a 100 MiB upload and download with forge's SSH communicator (a
# `file` provisioner through `forge build`, whole process) against OpenSSH's own `scp` to the
# same throwaway sshd. Usage: bench/ssh.sh  (installs openssh-server and hyperfine when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq "$2" >/dev/null; }; }
need hyperfine hyperfine
[ -x /usr/sbin/sshd ] || { apt-get update -qq >/dev/null; apt-get install -y -qq openssh-server >/dev/null; }
cargo build --release --quiet
forge=${CARGO_TARGET_DIR:-$here/target}/release/forge
d=$(mktemp -d)
trap 'kill "$(cat "$d/sshd.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$d"' EXIT
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$d/key"
cp "$d/key.pub" "$d/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$d/sshd_config" <<EOC
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
UsePAM no
Subsystem sftp /usr/lib/openssh/sftp-server
EOC
/usr/sbin/sshd -f "$d/sshd_config"
sleep 0.3
dd if=/dev/urandom of="$d/big.bin" bs=1M count=100 status=none
for dir in up down; do
  cat > "$d/$dir.pkr.hcl" <<EOT
source "null" "box" {
  ssh_host             = "127.0.0.1"
  ssh_port             = $port
  ssh_username         = "root"
  ssh_private_key_file = "$d/key"
}
build {
  sources = ["source.null.box"]
  provisioner "file" {
    direction   = "$( [ $dir = up ] && echo upload || echo download )"
    source      = "$( [ $dir = up ] && echo "$d/big.bin" || echo "$d/big.bin" )"
    destination = "$d/$dir-forge.bin"
  }
}
EOT
done
ssh_opts="-i $d/key -P $port -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
hyperfine -N --warmup 1 --runs "${RUNS:-5}" \
  "scp $ssh_opts $d/big.bin root@127.0.0.1:$d/up-scp.bin" \
  "$forge build -color=false $d/up.pkr.hcl" \
  "scp $ssh_opts root@127.0.0.1:$d/big.bin $d/down-scp.bin" \
  "$forge build -color=false $d/down.pkr.hcl" 2>/dev/null | grep -E "Benchmark|Time"
