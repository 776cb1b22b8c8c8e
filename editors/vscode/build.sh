#!/usr/bin/env bash
# Builds and packages the VS Code extension into editors/vscode/forge-packer.vsix from the npm
# registry (run by the test command), then checks the package holds the compiled client, its
# runtime dependency and the file patterns. Needs node (20+) and npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p .
npx vsce package --allow-missing-repository --skip-license -o forge-packer.vsix >/dev/null
listing=$(unzip -l forge-packer.vsix)
for want in extension/out/extension.js extension/package.json extension/node_modules/vscode-languageclient/package.json; do
  grep -q "$want" <<<"$listing" || { echo "forge-packer.vsix lacks $want" >&2; exit 1; }
done
unzip -p forge-packer.vsix extension/package.json | grep -q '".pkr.toml"' || { echo "forge-packer.vsix does not declare *.pkr.toml" >&2; exit 1; }
echo "editors/vscode/forge-packer.vsix built ($(stat -c %s forge-packer.vsix) bytes)"
