#!/usr/bin/env bash
# Differential check: for every corpus template whose component types are all built into forge,
# compare forge's `validate` verdict with Packer 1.6.6's. Prints one line per disagreement and
# the counts. Usage: bench/corpus-validate.sh (needs ../shared/corpus and packer).
set -uo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpus
command -v packer >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq packer >/dev/null; }
# FORGE=path/to/forge uses that binary instead of a release build.
if [ -z "${FORGE:-}" ]; then cargo build --release --quiet; fi
forge=${FORGE:-${CARGO_TARGET_DIR:-$PWD/target}/release/forge}
builtin_json() {
  python3 - "$1" <<'PY'
import json, sys
ok = {"builders": {"null", "file", "amazon-ebs", "docker"}, "provisioners": {"shell", "file", "shell-local", "breakpoint"},
      "post-processors": {"manifest", "checksum", "compress", "shell-local", "artifice",
                          "docker-tag", "docker-save", "docker-import", "docker-push"}}
try:
    t = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
def types(v):
    if isinstance(v, str): return [v]
    if isinstance(v, dict): return [v.get("type")]
    if isinstance(v, list): return [x for i in v for x in types(i)]
    return []
for key, allowed in ok.items():
    for item in t.get(key, []) or []:
        if any(ty not in allowed for ty in types(item)):
            sys.exit(1)
sys.exit(0 if t.get("builders") else 1)
PY
}
agree=0; disagree=0; total=0
for f in "$corpus"/json/*.json; do
  builtin_json "$f" || continue
  total=$((total + 1))
  (cd "$(dirname "$f")" && packer validate "$(basename "$f")" >/dev/null 2>&1); p=$?
  "$forge" validate "$f" >/dev/null 2>&1; g=$?
  if [ "$p" = "$g" ]; then agree=$((agree + 1)); else disagree=$((disagree + 1)); echo "differs: $(basename "$f") packer=$p forge=$g"; fi
done
echo "built-in-only JSON templates: $total, same verdict: $agree, different: $disagree"
