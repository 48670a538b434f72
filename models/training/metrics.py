"""The paper's metric: per-image IoU and F1 of sigmoid(logits) > 0.5, averaged over images."""
from __future__ import annotations

import numpy as np


def iou_f1(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """pred, truth: boolean (H,W). An empty prediction of an empty mask counts as perfect."""
    inter = float(np.logical_and(pred, truth).sum())
    union = float(np.logical_or(pred, truth).sum())
    total = float(pred.sum() + truth.sum())
    if union == 0:
        return 1.0, 1.0
    return inter / union, 2 * inter / total
