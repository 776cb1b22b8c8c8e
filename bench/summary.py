#!/usr/bin/env python3
"""Prints hyperfine --export-json results as a Markdown table: median and min-max per command.

Usage: bench/summary.py RESULT.json [LABEL...]  (labels replace the commands, in order)
Exits 1 when a command failed in any run (hyperfine without -i stops at the first failure, so a
result file with a non-zero exit code means someone passed -i: that is refused too).
"""
import json
import statistics
import sys

results = json.load(open(sys.argv[1]))["results"]
labels = sys.argv[2:]
print("| command | median | min-max | runs |")
print("| --- | --- | --- | --- |")
failed = False
for i, r in enumerate(results):
    times = [t * 1000 for t in r["times"]]
    codes = r.get("exit_codes") or []
    if any(c != 0 for c in codes):
        failed = True
    name = labels[i] if i < len(labels) else r["command"]
    print(f"| {name} | {statistics.median(times):.1f} ms | {min(times):.1f}-{max(times):.1f} ms | {len(times)} |")
sys.exit(1 if failed else 0)
