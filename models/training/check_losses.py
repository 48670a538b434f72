#!/usr/bin/env python3
"""Checks the losses against the paper's metric: the Lovasz hinge at {0,1} hinge errors equals 1 - IoU (metrics.py)
of the prediction those errors describe, for random masks and predictions; both losses vanish or nearly so on
confident correct logits; the distillation term pulls the network's probabilities to the teachers' and vanishes at
weight 0. Exits non-zero on a mismatch.

    /usr/bin/python3 models/training/check_losses.py
"""
import numpy as np
import torch

from losses import LOSSES, bce_dice, distilled, lovasz_hinge_image
from metrics import iou_f1

rng = np.random.default_rng(0)
worst = 0.0
for trial in range(200):
    truth = rng.random((16, 16)) < rng.uniform(0.05, 0.6)
    truth[rng.integers(16), rng.integers(16)] = True  # BUSI masks are never empty
    pred = truth ^ (rng.random((16, 16)) < rng.uniform(0, 0.5))
    # Logit +-1 where the prediction is right (hinge error 0), 0 where it is wrong (hinge error 1).
    sign = np.where(truth, 1.0, -1.0)
    logits = np.where(pred == truth, sign, 0.0)
    got = float(lovasz_hinge_image(torch.tensor(logits.ravel()), torch.tensor(truth.ravel(), dtype=torch.float64)))
    want = 1 - iou_f1(pred, truth)[0]
    worst = max(worst, abs(got - want))
print(f"Lovasz hinge vs 1 - IoU over 200 random cases: max abs difference {worst:.2e}")
assert worst < 1e-9, worst

target = torch.from_numpy((rng.random((4, 1, 32, 32)) < 0.3).astype(np.float32))
confident = (2 * target - 1) * 20
for name, loss in LOSSES.items():
    value = float(loss(confident, target))
    print(f"{name} loss on confident correct logits: {value:.2e}")
    assert value < 1e-3, (name, value)
    wrong = float(loss(-confident, target))
    assert wrong > 1, (name, wrong)

teacher = torch.from_numpy(rng.uniform(0.01, 0.99, (4, 1, 32, 32)).astype(np.float32))
for offset in (0.0, 0.5):  # at the teachers' logits the gradient of the term alone is zero; away from them it is not
    logits = (torch.logit(teacher) + offset).requires_grad_()
    distilled(bce_dice(logits, target), logits, teacher, 1.0).backward()
    grad = float(logits.grad.abs().max())
    print(f"distillation term at the teachers' logits {offset:+}: largest gradient {grad:.2e}")
    assert (grad < 1e-7) if offset == 0 else (grad > 1e-6), (offset, grad)
plain = float(bce_dice(confident, target))
assert float(distilled(bce_dice(confident, target), confident, teacher, 0.0)) == plain
print("losses: ok")
