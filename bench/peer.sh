# Shared set-up of the side-by-side benchmarks on ../shared/bench/peer (sourced, not run):
# installs packer and openssh-server when missing, builds forge (FORGE_PROFILE=debug reuses the
# test build), copies the peer's sshd and scenarios into a fresh $PEER and starts its sshd.
# `peer_setup SCENARIO` sets $forge and $PEER; `median` reads numbers, prints their median and
# their min-max.
peer_setup() {
  local scenario=$1 here=$PWD
  command -v packer >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq packer >/dev/null; }
  [ -x /usr/sbin/sshd ] || { apt-get update -qq >/dev/null; apt-get install -y -qq openssh-server >/dev/null; }
  local profile=${FORGE_PROFILE:-release}
  if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
  forge=${CARGO_TARGET_DIR:-$here/target}/$profile/forge
  export PEER; PEER=$(mktemp -d)
  cp -r "$here/../shared/bench/peer/sshd" "$here/../shared/bench/peer/scenarios" "$PEER/"
  chmod -R u+w "$PEER"
  rm -f "$PEER"/sshd/*.pid
  # The shared copy names its work folder as a shell parameter; make it this one.
  sed -i "s|\${PEER:?set PEER to a work folder}|$PEER|g" "$PEER/scenarios/$scenario/$scenario.pkr.hcl" "$PEER/scenarios/$scenario/$scenario.json"
  bash "$PEER/sshd/setup.sh" start >/dev/null
  export CHECKPOINT_DISABLE=1
}

median() { sort -n | awk '{a[NR]=$1} END {printf "%s (%s-%s)\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
