"""Checks, on a small synthetic data set made here (so it runs in any clone, in CI), that an interrupted run resumes exactly: 3 epochs straight vs 1 + 1 + 1 resumed, same weights bit for bit,
for a run from scratch (the paper's augmentation) and for one started from another's weights (--init, with
--augment ultrasound-texture, which draws the ultrasound augmentation's values first, a teacher to distil from and a
weight-averaging phase: --lr-policy constant --average-from 1), the latter also stopped once between an epoch's CSV
rows and its checkpoint; that a run is not resumed at another validation size; and that a run's config records
its environment, commit and the data's hash, and no absolute path.

    /usr/bin/python3 models/training/check_resume.py      # under a minute on 2 cores
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch

HERE = Path(__file__).resolve().parent


def synthetic_cases(folder: Path, n: int = 40, size: int = 96) -> Path:
    """BUSI-style cases: dark speckled images with a brighter ellipse, its mask beside; returns the case list."""
    rng = np.random.default_rng(0)
    (folder / "images").mkdir(parents=True)
    (folder / "masks").mkdir()
    names = [f"case ({i})" for i in range(1, n + 1)]
    for name in names:
        mask = np.zeros((size, size), np.uint8)
        centre = tuple(int(v) for v in rng.integers(24, size - 24, 2))
        axes = tuple(int(v) for v in rng.integers(8, 20, 2))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        grey = np.clip(rng.normal(60, 25, (size, size)) + (mask > 0) * 70, 0, 255).astype(np.uint8)
        cv2.imwrite(str(folder / "images" / f"{name}.png"), cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))
        cv2.imwrite(str(folder / "masks" / f"{name}.png"), mask)
    (folder / "train.txt").write_text("\n".join(names) + "\n")
    return folder


def train(run: Path, data: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs train.py on the synthetic cases; later options in `extra` override the defaults here."""
    args = [sys.executable, str(HERE / "train.py"), "--run", str(run), "--images", str(data / "images"), "--masks",
            str(data / "masks"), "--cases", str(data / "train.txt"), "--epochs", "3", "--schedule", "64", "--val-size", "64", *extra]
    return subprocess.run(args, check=check, stdout=subprocess.DEVNULL, stderr=None if check else subprocess.PIPE, text=True)


def compare(tmp: Path, straight: str, resumed: str, checkpoint: str = "last.pt", csv: str = "metrics.csv") -> bool:
    a = torch.load(tmp / straight / checkpoint)["model"]
    b = torch.load(tmp / resumed / checkpoint)["model"]
    diff = max(float((a[k].double() - b[k].double()).abs().max()) for k in a)
    def rows(run: str) -> list[list[str]]:  # every column but the wall-clock seconds, where a CSV has them
        lines = [line.split(",") for line in (tmp / run / csv).read_text().splitlines()]
        keep = [i for i, name in enumerate(lines[0]) if name != "seconds"]
        return [[line[i] for i in keep] for line in lines]
    same_csv = rows(straight) == rows(resumed)
    print(f"{resumed}/{checkpoint}: max weight difference {diff}; {csv} identical: {same_csv}")
    return diff == 0 and same_csv


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = synthetic_cases(tmp / "data")
        train(tmp / "straight", cases)
        config = json.loads((tmp / "straight" / "config.json").read_text())
        recorded = config.get("provenance", {})
        absolute = [k for k, v in config.items() if isinstance(v, str) and v.startswith("/")]
        provenance_ok = (recorded.get("environment", {}).get("torch") == torch.__version__ and len(recorded.get("data_sha256", "")) == 64
                         and "commit" in recorded and not absolute)
        print(f"config records environment, commit and data hash, no absolute path: {provenance_ok}"
              f"{f' (absolute: {absolute})' if absolute else ''}")
        for _ in range(3):
            train(tmp / "resumed", cases, "--stop-after", "1")
        ok = compare(tmp, "straight", "resumed") and provenance_ok
        # Validation figures of one run stay comparable: resuming at another --val-size is refused.
        other = train(tmp / "resumed", cases, "--val-size", "32", check=False)
        refused = other.returncode != 0 and "other settings (val_size)" in other.stderr
        print(f"resumed at another --val-size: refused {refused}")
        ok = refused and ok
        # A run that starts from another's weights (--init) resumes from its own last.pt, not from those weights.
        init = ("--init", str(tmp / "straight" / "last.pt"), "--lr", "0.005", "--augment", "ultrasound-texture",
                "--lr-policy", "constant", "--average-from", "1", "--teacher", str(tmp / "straight" / "last.pt"))
        train(tmp / "init-straight", cases, *init)
        for i in range(3):
            train(tmp / "init-resumed", cases, *init, "--stop-after", "1")
            if i == 1:  # a stop after the epoch's CSV rows were written, before its checkpoint landed
                for name, row in (("metrics.csv", "2,64,0,1,1,0,0,0"), ("average.csv", "2,2,1,0,0")):
                    with (tmp / "init-resumed" / name).open("a") as f:
                        f.write(row + "\n")
        ok = compare(tmp, "init-straight", "init-resumed") and ok
        ok = compare(tmp, "init-straight", "init-resumed", "average.pt", "average.csv") and ok
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
