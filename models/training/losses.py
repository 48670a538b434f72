"""Training losses: the authors' BCEDiceLoss (the paper's recipe, the default), a Lovasz-hinge variant that
optimises a convex surrogate of the per-image IoU the paper's metric averages (Berman et al., CVPR 2018), and
distillation from teacher networks' probabilities (Hinton et al., 2015)."""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


def bce_dice(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """0.5 * BCE + soft Dice per image, as the authors' BCEDiceLoss."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits).flatten(1)
    tgt = target.flatten(1)
    dice = (2 * (prob * tgt).sum(1) + 1e-5) / (prob.sum(1) + tgt.sum(1) + 1e-5)
    return 0.5 * bce + (1 - dice.mean())


def lovasz_hinge_image(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Lovasz extension of the Jaccard loss at one image's hinge errors (flat logits, {0,1} target). At hinge errors
    in {0, 1} it equals 1 - IoU of the pixels counted wrong, so its minimum is the metric's."""
    errors = 1 - logits * (2 * target - 1)
    errors, order = torch.sort(errors, descending=True)
    truth = target[order]
    positives = truth.sum()
    # Jaccard loss of the prediction that gets the first k sorted pixels wrong, k = 1..n; its increments weigh them.
    jaccard = 1 - (positives - truth.cumsum(0)) / (positives + (1 - truth).cumsum(0))
    weights = torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])
    return torch.dot(F.relu(errors), weights)


def bce_lovasz(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """0.5 * BCE + the Lovasz hinge averaged over images: the Dice term of bce_dice replaced by the IoU surrogate."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    lovasz = torch.stack([lovasz_hinge_image(l, t) for l, t in zip(logits.flatten(1), target.flatten(1))]).mean()
    return 0.5 * bce + lovasz


def distilled(loss: torch.Tensor, logits: torch.Tensor, teacher_prob: torch.Tensor, weight: float) -> torch.Tensor:
    """(1 - weight) * the loss against the masks + weight * BCE against the teachers' probabilities, pixel by pixel
    (temperature 1: a sigmoid's output needs no softening to carry the teachers' doubt at a lesion's edge)."""
    return (1 - weight) * loss + weight * F.binary_cross_entropy_with_logits(logits, teacher_prob)


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {"paper": bce_dice, "lovasz": bce_lovasz}
