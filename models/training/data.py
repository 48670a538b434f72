"""BUSI-style segmentation data: images and masks with the same file names, a case list, a fixed validation carve-out."""
from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np

# ImageNet statistics in the BGR order cv2 reads, as the authors' pipeline applies them.
MEAN_BGR = (0.485, 0.456, 0.406)
STD_BGR = (0.229, 0.224, 0.225)


def read_cases(list_file: Path) -> list[str]:
    names = [line.strip() for line in list_file.read_text().splitlines() if line.strip()]
    if not names:
        raise SystemExit(f"{list_file}: no case names")
    return names


def split_cases(names: list[str], val_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    shuffled = sorted(names)
    random.Random(seed).shuffle(shuffled)
    n_val = round(len(shuffled) * val_fraction)
    return sorted(shuffled[n_val:]), sorted(shuffled[:n_val])


def subset_cases(names: list[str], fraction: float, seed: int) -> list[str]:
    """A seeded share of the training cases, for a learning curve; a smaller share is part of a larger one."""
    if not 0 < fraction <= 1:
        raise SystemExit(f"--train-fraction must be above 0 and at most 1, got {fraction}")
    if fraction == 1:
        return names
    shuffled = sorted(names)
    random.Random(f"{seed}/train-fraction").shuffle(shuffled)  # a stream apart from split_cases'
    return sorted(shuffled[:round(len(shuffled) * fraction)])


def find_file(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.png", folder / f"{name}.jpg"):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"{folder}: no image for case {name!r}")


def load(images: Path, masks: Path, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """uint8 BGR images (N,H,W,3) and boolean masks (N,H,W); all cases must share one size."""
    xs, ys = [], []
    for name in names:
        img = cv2.imread(str(find_file(images, name)), cv2.IMREAD_COLOR)
        mask = cv2.imread(str(find_file(masks, name)), cv2.IMREAD_GRAYSCALE)
        if img is None or mask is None:
            raise SystemExit(f"cannot read case {name!r}")
        if img.shape[:2] != mask.shape:
            raise SystemExit(f"case {name!r}: image {img.shape[:2]} and mask {mask.shape} differ in size")
        xs.append(img)
        ys.append(mask > 127)
    return np.stack(xs), np.stack(ys)


def resize(images: np.ndarray, masks: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    if images.shape[1] == size and images.shape[2] == size:
        return images, masks
    xs = np.stack([cv2.resize(x, (size, size), interpolation=cv2.INTER_LINEAR) for x in images])
    ys = np.stack([cv2.resize(y.astype(np.uint8), (size, size), interpolation=cv2.INTER_NEAREST) for y in masks]) > 0
    return xs, ys


def normalise(images: np.ndarray) -> np.ndarray:
    """uint8 NHWC BGR -> float32 NCHW, x/255 then ImageNet mean/std (no second /255: see manifest)."""
    x = images.astype(np.float32) / 255.0
    x = (x - np.array(MEAN_BGR, np.float32)) / np.array(STD_BGR, np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def augment_paper(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """RandomRotate90 then Flip (horizontal, vertical or both, p=0.5), as the paper's recipe."""
    k = int(rng.integers(4))
    image, mask = np.rot90(image, k), np.rot90(mask, k)
    if rng.random() < 0.5:
        axis = int(rng.integers(-1, 2))  # -1: both, 0: vertical, 1: horizontal
        axes = (0, 1) if axis == -1 else (axis,)
        image, mask = np.flip(image, axes), np.flip(mask, axes)
    return image, mask


def augment_ultrasound(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Changes a B-mode image can really show: the transducer stays at the top (no 90-degree turns, no vertical
    flip), but the probe tilts, slides and zooms, either side may face the viewer, and gain and contrast vary."""
    h, w = mask.shape
    angle = rng.uniform(-15, 15)
    scale = rng.uniform(0.8, 1.25)
    shift = rng.uniform(-0.1, 0.1, size=2) * (w, h)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
    m[:, 2] += shift
    if rng.random() < 0.5:  # mirror about the vertical axis
        m[0] = -m[0]
        m[0, 2] += w - 1
    image = cv2.warpAffine(np.ascontiguousarray(image), m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpAffine(np.ascontiguousarray(mask, dtype=np.uint8), m, (w, h), flags=cv2.INTER_NEAREST) > 0
    contrast, brightness, gamma = rng.uniform(0.75, 1.25), rng.uniform(-20, 20), np.exp(rng.uniform(-0.3, 0.3))
    x = np.clip(image.astype(np.float32) * contrast + brightness, 0, 255) / 255.0
    return (x ** gamma * 255.0 + 0.5).astype(np.uint8), mask


def augment_ultrasound_texture(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """augment_ultrasound, then what differs between scanners and presets without moving the lesion: sharpness and
    speckle strength. Each image's draws follow its augment_ultrasound draws, so those stay as in that augmentation."""
    image, mask = augment_ultrasound(image, mask, rng)
    x = image.astype(np.float32)
    if rng.random() < 0.5:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.3, 1.0))
    if rng.random() < 0.5:  # multiplicative speckle, gamma-distributed with mean 1 and a relative spread of 5-20 %
        shape = 1 / rng.uniform(0.05, 0.2) ** 2
        x = x * rng.gamma(shape, 1 / shape, size=(*x.shape[:2], 1)).astype(np.float32)
    return np.clip(x + 0.5, 0, 255).astype(np.uint8), mask


AUGMENTATIONS = {"paper": augment_paper, "ultrasound": augment_ultrasound, "ultrasound-texture": augment_ultrasound_texture}
