"""What training, export and the weight soup share: the data split as arrays, validation, checkpoints written whole,
batch-norm statistics for averaged weights, and the provenance every run records (environment, commit, data hash,
paths relative to the repository)."""
from __future__ import annotations

import hashlib
import math
import os
import platform
import subprocess
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch.optim.swa_utils import update_bn

import data
from losses import bce_dice
from metrics import iou_f1

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "busi"
Augment = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]
# The Debian packages training runs on (models/training/environment.txt pins the versions the shipped runs used).
DEBIAN_PACKAGES = ("python3", "python3-torch", "python3-numpy", "python3-opencv", "python3-onnx")


def load_split(images: Path, masks: Path, train_names: list[str], val_names: list[str]) -> tuple[np.ndarray, ...]:
    """The training cases' images and masks, then the validation cases', each in the order of its list."""
    x, y = data.load(images, masks, train_names + val_names)
    n = len(train_names)
    return x[:n], y[:n], x[n:], y[n:]


def validation_set(images: np.ndarray, masks: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cases as validate() takes them: normalised NCHW images, N1HW float masks, at the given size."""
    if not len(images):  # --val-fraction 0: every case trains
        return np.zeros((0, 3, size, size), np.float32), np.zeros((0, 1, size, size), np.float32)
    x, y = data.resize(images, masks, size)
    return data.normalise(x), y[:, None].astype(np.float32)


@torch.no_grad()
def validate(model: torch.nn.Module, x: np.ndarray, y: np.ndarray, device: str) -> tuple[float, float, float]:
    """Loss, IoU and F1 over the validation cases; NaN for all three where there are none."""
    if not len(x):
        return math.nan, math.nan, math.nan
    model.eval()
    losses, ious, f1s = [], [], []
    for i in range(0, len(x), 16):
        xb = torch.from_numpy(x[i:i + 16]).to(device)
        yb = torch.from_numpy(y[i:i + 16]).to(device)
        logits = model(xb)
        losses.append(float(bce_dice(logits, yb)) * len(xb))  # the paper's loss whatever trains: curves compare
        for pred, truth in zip((torch.sigmoid(logits) > 0.5).cpu().numpy(), yb.cpu().numpy() > 0.5):
            iou, f1 = iou_f1(pred[0], truth[0])
            ious.append(iou)
            f1s.append(f1)
    return sum(losses) / len(x), float(np.mean(ious)), float(np.mean(f1s))


def atomic_save(obj: object, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def augmented_batch(xs: np.ndarray, ys: np.ndarray, indices: np.ndarray, augment: Augment,
                    rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised NCHW images and N1HW float masks of these cases, each augmented with draws from rng in order."""
    pairs = [augment(xs[i], ys[i], rng) for i in indices]
    images = torch.from_numpy(data.normalise(np.stack([p[0] for p in pairs])))
    return images, torch.from_numpy(np.stack([p[1] for p in pairs])[:, None].astype(np.float32))


def recompute_bn(model: torch.nn.Module, xs: np.ndarray, ys: np.ndarray, augment: Augment, batch: int,
                 rng: np.random.Generator, device: str) -> None:
    """Batch-norm statistics of averaged weights (which match no epoch's) from one augmented pass over the cases."""
    order = rng.permutation(len(xs))
    batches = [augmented_batch(xs, ys, order[i:i + batch], augment, rng)[0] for i in range(0, len(xs) - batch + 1, batch)]
    update_bn(batches, model, device=device)


def repo_path(path: Path | str) -> str:
    """A path as runs record it: relative to the repository root (the data beside it reads ../shared/...), so a
    record names no machine's folders."""
    return os.path.relpath(Path(path).resolve(), REPO)


def from_repo(path: Path | str) -> Path:
    """A recorded path back to a file: relative ones are the repository's."""
    p = Path(path)
    return p if p.is_absolute() else REPO / p


def environment() -> dict:
    """The interpreter, libraries and (where dpkg knows them) Debian package versions this process runs on."""
    import cv2  # noqa: PLC0415  only to name its version
    env = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__, "opencv": cv2.__version__,
           "cuda": torch.version.cuda if torch.cuda.is_available() else None, "machine": platform.machine()}
    try:
        listed = subprocess.run(["dpkg-query", "-W", "-f", "${Package}=${Version}\n", *DEBIAN_PACKAGES],
                                capture_output=True, text=True, check=False).stdout.split()
        env["debian"] = sorted(listed)
    except FileNotFoundError:
        env["debian"] = []
    return env


def commit() -> dict:
    """The repository's commit, and whether tracked files differ from it (a run from uncommitted code)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False).stdout.strip()
        except FileNotFoundError:
            return ""
    return {"commit": git("rev-parse", "HEAD") or None, "modified": bool(git("status", "--porcelain", "--untracked-files=no"))}


def data_digest(images: Path, masks: Path, names: list[str]) -> str:
    """sha256 over the cases in order: each name with the sha256 of its image file and of its mask file."""
    h = hashlib.sha256()
    for name in names:
        for folder in (images, masks):
            h.update(f"{name}\t{hashlib.sha256(data.find_file(folder, name).read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def provenance(images: Path, masks: Path, names: list[str]) -> dict:
    """What a run records of how to reproduce it: environment, commit, and the hash of the cases it read."""
    return {"environment": environment(), **commit(), "data_sha256": data_digest(images, masks, names)}
