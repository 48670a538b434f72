#!/usr/bin/env python3
"""A uniform soup: the mean of several networks' weights (fine-tuned from one start, so in one basin), with
batch-norm statistics recomputed from one augmented pass over the training cases as train.py does for a weight
average, validated on the held-out cases of train.py's split; saved as a checkpoint export.py reads.

    /usr/bin/python3 models/training/soup.py --variant base --out models/training/runs/cmunext-busi-soup/average.pt \\
        models/training/runs/cmunext-busi-swa/average.pt models/training/runs/cmunext-busi-swa-texture/average.pt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

import data
from cmunext import VARIANTS, build
from runlib import SHARED, atomic_save, load_split, recompute_bn, validate, validation_set


def mean_weights(paths: list[Path], variant: str) -> dict[str, torch.Tensor]:
    """The mean of every floating-point tensor; integer ones (batch counts) from the first, as update_bn resets them."""
    checkpoints = [torch.load(p, map_location="cpu") for p in paths]
    for p, c in zip(paths, checkpoints):
        if c.get("variant", variant) != variant:
            raise SystemExit(f"{p} holds CMUNeXt-{c['variant']}, not CMUNeXt-{variant}")
    states = [c["model"] for c in checkpoints]
    if any(s.keys() != states[0].keys() for s in states):
        raise SystemExit("the checkpoints hold different tensors: not one architecture")
    return {k: torch.stack([s[k].float() for s in states]).mean(0).to(v.dtype) if v.is_floating_point() else v.clone()
            for k, v in states[0].items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoints", nargs="+", type=Path)
    p.add_argument("--variant", required=True, choices=sorted(VARIANTS))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--augment", default="ultrasound-texture", choices=sorted(data.AUGMENTATIONS))
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--seed", type=int, default=41, help="train.py's split seed, also seeding the batch-norm pass")
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--images", type=Path, default=SHARED / "images256")
    p.add_argument("--masks", type=Path, default=SHARED / "masks256")
    p.add_argument("--cases", type=Path, default=SHARED / "train.txt")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    if len(args.checkpoints) < 2:
        raise SystemExit("a soup needs at least two checkpoints")
    torch.set_num_threads(args.threads)

    names = data.read_cases(args.cases)
    train_names, val_names = data.split_cases(names, args.val_fraction, args.seed)
    train_images, train_masks, val_images, val_masks = load_split(args.images, args.masks, train_names, val_names)
    xs, ys = data.resize(train_images, train_masks, args.size)
    val_x, val_y = validation_set(val_images, val_masks, args.size)

    model = build(args.variant)
    model.load_state_dict(mean_weights(args.checkpoints, args.variant))
    recompute_bn(model, xs, ys, data.AUGMENTATIONS[args.augment], args.batch, np.random.default_rng([args.seed, 0, 1]), "cpu")
    val_loss, val_iou, val_f1 = validate(model, val_x, val_y, "cpu")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_save({"model": model.state_dict(), "variant": args.variant, "size": args.size,
                 "soup_of": [str(c) for c in args.checkpoints]}, args.out)
    summary = {"soup_of": [str(c) for c in args.checkpoints], "augment": args.augment, "size": args.size,
               "val_cases": len(val_names), "val_loss": round(val_loss, 5), "val_iou": round(val_iou, 5), "val_f1": round(val_f1, 5)}
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
