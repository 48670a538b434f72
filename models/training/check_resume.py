"""Checks that an interrupted run resumes exactly: 3 epochs straight vs 1 + 1 + 1 resumed, same weights bit for bit.

    /usr/bin/python3 models/training/check_resume.py      # about a minute on 2 cores
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from train import SHARED

HERE = Path(__file__).resolve().parent


def train(run: Path, cases: Path, *extra: str) -> None:
    args = [sys.executable, str(HERE / "train.py"), "--run", str(run), "--cases", str(cases), "--epochs", "3",
            "--schedule", "64", "--val-size", "64", *extra]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = tmp / "cases.txt"
        cases.write_text("\n".join((SHARED / "train.txt").read_text().split("\n")[:40]))
        train(tmp / "straight", cases)
        for _ in range(3):
            train(tmp / "resumed", cases, "--stop-after", "1")
        a = torch.load(tmp / "straight" / "last.pt")["model"]
        b = torch.load(tmp / "resumed" / "last.pt")["model"]
        diff = max(float((a[k].double() - b[k].double()).abs().max()) for k in a)
        def rows(run: str) -> list[list[str]]:  # every column but the wall-clock seconds
            return [line.split(",")[:-1] for line in (tmp / run / "metrics.csv").read_text().splitlines()]
        same_csv = rows("straight") == rows("resumed")
        print(f"max weight difference {diff}; per-epoch losses and metrics identical: {same_csv}")
        sys.exit(0 if diff == 0 and same_csv else 1)


if __name__ == "__main__":
    main()
