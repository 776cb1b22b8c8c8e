#!/usr/bin/env python3
"""Differential fuzz of `forge fmt` against hclwrite (the `hclfmt` oracle of ../shared/tools).

Two phases, each from a fixed list of seeds per corpus file:
  whitespace: variants made by ../shared/tools/perturb.py (only formatter-owned spaces change);
  syntax:     one to three random character edits (delete, duplicate, insert punctuation or a
              newline), so that many inputs no longer parse: checks that forge refuses exactly
              what hclwrite's gate (hclsyntax) refuses, and formats the rest identically.
Counts the inputs where the bytes or the accept/refuse verdict differ.

Usage: bench/fmt-fuzz.py [N_PER_FILE] [FORGE_BINARY]
Fails with a message when `hclfmt` is not installed (see ../shared/corpus/README.md to build it); a
forge panic counts as a difference, whatever hclwrite says.
"""
import glob
import os
import random
import shutil
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.normpath(os.path.join(here, '..', '..', 'shared'))
sys.path.insert(0, os.path.join(shared, 'tools'))


PUNCTUATION = list('{}[]()=,."\n$%#*:?!-+<>&|;~/\\') + ['${', '%{', '}', '"', '\n', ' ']


def mutate(src, rng):
    """One to three random character edits anywhere in `src`."""
    for _ in range(rng.randint(1, 3)):
        if not src:
            break
        i = rng.randrange(len(src))
        op = rng.random()
        if op < 0.35:
            src = src[:i] + src[i + 1:]
        elif op < 0.55:
            src = src[:i] + src[i] + src[i:]
        else:
            src = src[:i] + rng.choice(PUNCTUATION) + src[i:]
    return src


def compare(forge, text, label, counts, examples):
    data = text.encode('utf-8', errors='surrogateescape')
    oracle = subprocess.run(['hclfmt'], input=data, capture_output=True)
    ours = subprocess.run([forge, 'fmt', '-'], input=data, capture_output=True)
    counts['total'] += 1
    # A panic (Rust exits 101 and prints `panicked`) is a failure whatever the oracle says.
    if ours.returncode == 101 or b'panicked' in ours.stderr:
        counts['panicked'] += 1
        counts['mismatched'] += 1
        if len(examples) < 8:
            examples.append((label + ' PANIC', oracle.returncode, ours.returncode, data))
        return
    if oracle.returncode != 0 and ours.returncode != 0:
        counts['refused_both'] += 1
        return
    if oracle.returncode != ours.returncode or oracle.stdout != ours.stdout:
        counts['mismatched'] += 1
        if len(examples) < 8:
            examples.append((label, oracle.returncode, ours.returncode, data))


def main():
    if shutil.which('hclfmt') is None:
        print('fmt fuzz: `hclfmt` is not installed (see ../shared/corpus/README.md): no oracle, nothing compared')
        return 1
    from perturb import perturb  # noqa: E402  (needs the path above)
    per_file = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    forge = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, '..', 'target', 'release', 'forge')
    keep = os.environ.get('FUZZ_KEEP')  # a folder to write the differing inputs to
    files = sorted(glob.glob(os.path.join(shared, 'corpus', 'hcl', '*.hcl')) + glob.glob(os.path.join(shared, 'corpus', 'tf', '*.tf')) + glob.glob(os.path.join(shared, 'corpus', 'tf', '*.hcl')))
    failed = False
    for phase in ('whitespace', 'syntax'):
        counts = {'total': 0, 'mismatched': 0, 'refused_both': 0, 'panicked': 0}
        examples = []
        for path in files:
            src = open(path, encoding='utf-8', errors='surrogateescape').read()
            for seed in range(per_file):
                rng = random.Random(f'{os.path.basename(path)}:{seed}' if phase == 'whitespace' else f'syntax:{os.path.basename(path)}:{seed}')
                if phase == 'whitespace':
                    text = perturb(src, rng, p=0.3 + 0.4 * rng.random())
                else:
                    text = mutate(src, rng)
                compare(forge, text, f'{os.path.basename(path)} seed {seed}', counts, examples)
        print(f"fmt fuzz ({phase}): {counts['total']} inputs from {len(files)} files, {counts['mismatched']} differ from hclwrite ({counts['panicked']} panics), {counts['refused_both']} refused by both")
        for n, (label, orc, frc, data) in enumerate(examples):
            print(f'  differs: {label} (hclfmt rc {orc}, forge rc {frc})')
            if keep:
                os.makedirs(keep, exist_ok=True)
                open(os.path.join(keep, f'{phase}-{n}.hcl'), 'wb').write(data)
        failed = failed or counts['mismatched'] > 0
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
