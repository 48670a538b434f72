#!/usr/bin/env python3
"""Paired per-case comparison of two `cmunext evaluate` outputs (the lines "case<TAB>IoU x<TAB>F1 y"):
mean IoU and F1 of each, the mean paired IoU difference (B - A) with its standard error, and cases better/worse/same.

    models/training/paired.py A.txt B.txt
"""
import math
import sys


def per_case(path):
    out = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[1].startswith("IoU ") and parts[2].startswith("F1 "):
                out[parts[0]] = (float(parts[1][4:]), float(parts[2][3:]))
    return out


def main(a_path, b_path):
    a, b = per_case(a_path), per_case(b_path)
    if not a or set(a) != set(b):
        sys.exit(f"paired.py: the two files must list the same cases ({len(a)} and {len(b)} read)")
    cases = sorted(a)
    n = len(cases)
    d = [b[c][0] - a[c][0] for c in cases]
    mean = sum(d) / n
    se = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1) / n)
    for name, r in (("A", a), ("B", b)):
        print(f"{name}: IoU {sum(r[c][0] for c in cases) / n:.4f}, F1 {sum(r[c][1] for c in cases) / n:.4f} ({n} cases)")
    eps = 5e-5
    print(f"B - A: IoU {mean:+.4f}, standard error {se:.4f}; better {sum(x > eps for x in d)}, worse {sum(x < -eps for x in d)}, same {sum(abs(x) <= eps for x in d)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
