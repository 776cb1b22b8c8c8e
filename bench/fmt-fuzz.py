#!/usr/bin/env python3
"""Differential fuzz of `forge fmt` against hclwrite (the `hclfmt` oracle of ../shared/tools).

Makes whitespace-perturbed variants of every HCL file in ../shared/corpus with
../shared/tools/perturb.py, from a fixed list of seeds, formats each with both, and counts the
inputs where the bytes (or the accept/refuse verdict) differ.

Usage: bench/fmt-fuzz.py [N_PER_FILE] [FORGE_BINARY]
Skips with a message when `hclfmt` is not installed (see ../shared/corpus/README.md to build it).
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


def main():
    if shutil.which('hclfmt') is None:
        print('fmt fuzz: skipped, `hclfmt` is not installed (see ../shared/corpus/README.md)')
        return 0
    from perturb import perturb  # noqa: E402  (needs the path above)
    per_file = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    forge = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, '..', 'target', 'release', 'forge')
    files = sorted(glob.glob(os.path.join(shared, 'corpus', 'hcl', '*.hcl')) + glob.glob(os.path.join(shared, 'corpus', 'tf', '*.tf')) + glob.glob(os.path.join(shared, 'corpus', 'tf', '*.hcl')))
    total = mismatched = refused_both = 0
    examples = []
    for path in files:
        src = open(path, encoding='utf-8', errors='surrogateescape').read()
        for seed in range(per_file):
            rng = random.Random(f'{os.path.basename(path)}:{seed}')
            text = perturb(src, rng, p=0.3 + 0.4 * rng.random())
            data = text.encode('utf-8', errors='surrogateescape')
            oracle = subprocess.run(['hclfmt'], input=data, capture_output=True)
            ours = subprocess.run([forge, 'fmt', '-'], input=data, capture_output=True)
            total += 1
            if oracle.returncode != 0 and ours.returncode != 0:
                refused_both += 1
                continue
            if oracle.returncode != ours.returncode or oracle.stdout != ours.stdout:
                mismatched += 1
                if len(examples) < 5:
                    examples.append((os.path.basename(path), seed, oracle.returncode, ours.returncode))
    print(f'fmt fuzz: {total} perturbed inputs from {len(files)} files, {mismatched} differ from hclwrite, {refused_both} refused by both')
    for e in examples:
        print('  differs: %s seed %d (hclfmt rc %d, forge rc %d)' % e)
    return 1 if mismatched else 0


if __name__ == '__main__':
    sys.exit(main())
