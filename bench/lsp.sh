#!/usr/bin/env bash
# Latency of `forge lsp` next to `forge validate` on the same text:
#   - diagnostics published after an edit of a generated 500-source template, and of a typical
#     template (examples/example.pkr.hcl), against `forge validate --format json` on that text;
#   - completion answered (arguments inside a source block of the 500-source template);
#   - the server's peak memory with every corpus template open (../shared/corpus, if present).
# Medians of RUNS runs (default 9). FORGE_PROFILE=debug measures the test build instead of a
# release one (the figures in the README say which).
# Usage: bench/lsp.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
profile=${FORGE_PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet
else
  cargo build --quiet
fi
forge=${CARGO_TARGET_DIR:-target}/$profile/forge
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$forge" "$work" "$runs" <<'PY'
import json, os, queue, statistics, subprocess, sys, threading, time, urllib.parse

forge, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

class Lsp:
    def __init__(self):
        self.p = subprocess.Popen([forge, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.n = 0
        self.incoming = queue.Queue()
        threading.Thread(target=self.pump, daemon=True).start()
        self.request("initialize", {"capabilities": {}})
        self.notify("initialized", {})

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def pump(self):
        # Read on a thread, as editors do: the server blocks on a full pipe otherwise.
        while True:
            length = 0
            while True:
                line = self.p.stdout.readline()
                if not line:
                    self.incoming.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.startswith(b"Content-Length:"):
                    length = int(line.split(b":")[1])
            self.incoming.put(json.loads(self.p.stdout.read(length)))

    def read(self):
        m = self.incoming.get(timeout=120)
        if m is None:
            raise SystemExit("forge lsp died")
        return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.n += 1
        self.send({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == self.n:
                return m

    def diagnostics(self, uri, version):
        while True:
            m = self.read()
            p = m.get("params") or {}
            if m.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == uri and p.get("version") == version:
                return p["diagnostics"]

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.stdin.close()
        self.p.wait()

def median_ms(xs):
    return "%.1f ms" % (statistics.median(xs) * 1000)

def bench_template(label, name, text, edit):
    """`edit(text, v)` gives the range (line, start, end character) to replace and the new text."""
    folder = os.path.join(work, label)
    os.makedirs(folder)
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + urllib.parse.quote(path)
    lsp = Lsp()
    lsp.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "packer", "version": 0, "text": text}})
    count = len(lsp.diagnostics(uri, 0))
    times = []
    for v in range(1, runs + 1):
        (line, a, b), new = edit(text, v)
        change = {"range": {"start": {"line": line, "character": a}, "end": {"line": line, "character": b}}, "text": new}
        start = time.perf_counter()
        lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
        lsp.diagnostics(uri, v)
        times.append(time.perf_counter() - start)
    validate = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([forge, "validate", "--format", "json", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        validate.append(time.perf_counter() - start)
    print(f"{label}: diagnostics after an edit {median_ms(times)} (server), forge validate {median_ms(validate)} (process), {count} diagnostics")
    return lsp, uri

# A generated template: 500 null sources, one build using them all.
sources = "".join(f'source "null" "s{i}" {{\n  communicator = "none"\n}}\n\n' for i in range(500))
refs = ", ".join(f'"source.null.s{i}"' for i in range(500))
big = sources + f'build {{\n  sources = [{refs}]\n  provisioner "shell-local" {{\n    inline = ["echo 0"]\n  }}\n}}\n'
def echo_edit(t, v):
    # Retype the digit of `"echo 0"` (an edit of one character, as typing sends).
    line = t[: t.index('"echo 0"')].count("\n")
    col = t.splitlines()[line].index('"echo 0"') + len('"echo ')
    return (line, col, col + 1), str(v % 10)
lsp, uri = bench_template("500 sources", "big.pkr.hcl", big, echo_edit)
completion = []
for _ in range(runs):
    start = time.perf_counter()
    r = lsp.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0}})
    completion.append(time.perf_counter() - start)
print(f"completion in a source block of the 500-source template: {median_ms(completion)} ({len(r['result'])} items)")
lsp.stop()

with open("examples/example.pkr.hcl") as f:
    typical = f.read()
typical_lines = typical.count("\n")
lsp, _ = bench_template("typical", "example.pkr.hcl", typical, lambda t, v: ((typical_lines, 0, 0), f"# edit {v}\n"))
lsp.stop()

corpus = "../shared/corpus"
if os.path.isdir(corpus):
    lsp = Lsp()
    n = 0
    for sub in ("hcl", "json"):
        for name in sorted(os.listdir(os.path.join(corpus, sub))):
            with open(os.path.join(corpus, sub, name), errors="replace") as f:
                text = f.read()
            folder = os.path.join(work, "corpus", str(n))
            os.makedirs(folder)
            target = "t.pkr.hcl" if sub == "hcl" else ("t.json" if '"builders"' in text else "t.pkr.json")
            lsp.notify("textDocument/didOpen", {"textDocument": {"uri": "file://" + urllib.parse.quote(os.path.join(folder, target)), "languageId": "packer", "version": 0, "text": text}})
            n += 1
    # The second answer comes after every open file was analysed.
    for _ in range(2):
        lsp.request("textDocument/documentSymbol", {"textDocument": {"uri": "file:///nothing.pkr.hcl"}})
    with open(f"/proc/{lsp.p.pid}/status") as f:
        peak = next(l for l in f if l.startswith("VmHWM")).split()[1]
    print(f"memory with {n} corpus templates open: {int(peak) // 1024} MiB peak RSS")
    lsp.stop()
PY
