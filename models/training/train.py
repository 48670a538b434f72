"""Train CMUNeXt on a BUSI-style folder with the paper's recipe; checkpoints every epoch and resumes exactly.

    /usr/bin/python3 models/training/train.py --variant S --run models/training/runs/cmunext-s-busi

Re-running the same command continues from `last.pt` in the run folder: each epoch's sample order and
augmentation come from a generator seeded by (seed, epoch), so a resumed run repeats the uninterrupted one.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel

import data
from cmunext import build, parameter_count
from losses import LOSSES, distilled
from runlib import (SHARED, Augment, atomic_save, augmented_batch, load_split, provenance, recompute_bn, repo_path,
                    validate, validation_set)

CSV_FIELDS = ["epoch", "size", "lr", "train_loss", "val_loss", "val_iou", "val_f1", "seconds"]
AVERAGE_FIELDS = ["epoch", "averaged", "val_loss", "val_iou", "val_f1"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", default="S", choices=["S", "base", "L"])
    p.add_argument("--run", type=Path, required=True, help="folder for checkpoints, metrics.csv and config.json")
    p.add_argument("--images", type=Path, default=SHARED / "images256")
    p.add_argument("--masks", type=Path, default=SHARED / "masks256")
    p.add_argument("--cases", type=Path, default=SHARED / "train.txt", help="case names, one a line")
    p.add_argument("--val-fraction", type=float, default=0.2, help="share of the cases held out for validation; 0: every case trains, none is validated")
    p.add_argument("--seed", type=int, default=41)
    p.add_argument("--train-fraction", type=float, default=1.0,
                   help="train on this seeded share of the training cases (a learning curve); the held-out cases stay the same")
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--schedule", default="256", help="input sizes by epoch, e.g. '128:280,256' = 280 epochs at 128, the rest at 256")
    p.add_argument("--augment", default="paper", choices=sorted(data.AUGMENTATIONS),
                   help="paper: RandomRotate90 + Flip, as the authors; ultrasound: tilt, zoom, slide, mirror, gain and contrast; "
                        "ultrasound-texture: ultrasound, then blur and speckle")
    p.add_argument("--loss", default="paper", choices=sorted(LOSSES),
                   help="paper: 0.5 BCE + Dice (the authors' BCEDiceLoss); lovasz: 0.5 BCE + Lovasz hinge, an IoU surrogate")
    p.add_argument("--teacher", nargs="+", default=[], metavar="CHECKPOINT",
                   help="distil from these networks (any variants): the mean of their probabilities on each augmented "
                        "batch becomes a second target, weighed by --teacher-weight")
    p.add_argument("--teacher-weight", type=float, default=0.5)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--lr-policy", default="poly", choices=["poly", "constant"],
                   help="poly: lr * (1 - step/steps)^0.9, the paper's; constant: for a weight-averaging phase")
    p.add_argument("--average-from", type=int,
                   help="average the weights of every epoch from this one on (SWA); the average, its batch-norm "
                        "statistics recomputed on the training cases, goes to average.pt and average.csv")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--val-size", type=int, help="input size for validation (default: the schedule's last, the size the model ships at)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--stop-after", type=int, default=0, help="stop after this many epochs in this invocation (0: run to the end)")
    p.add_argument("--time-limit", type=float, default=0, help="stop after the epoch in which this many seconds have passed (0: none)")
    p.add_argument("--init", type=Path, help="start from this checkpoint's weights (new optimizer and LR schedule), e.g. to finish a 128x128 run at 256x256")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return p


def size_for_epoch(schedule: str, epoch: int) -> int:
    start = 0
    for part in schedule.split(","):
        size, _, count = part.partition(":")
        if not count or epoch < start + int(count):
            return int(size)
        start += int(count)
    return int(schedule.split(",")[-1].partition(":")[0])


def load_teachers(paths: list[str], device: str) -> list[torch.nn.Module]:
    teachers = []
    for path in paths:
        ckpt = torch.load(path, map_location=device)
        if not isinstance(ckpt, dict) or "variant" not in ckpt or "model" not in ckpt:
            raise SystemExit(f"--teacher {path}: not a checkpoint of train.py (it names no variant)")
        teacher = build(ckpt["variant"]).to(device)
        teacher.load_state_dict(ckpt["model"])
        teachers.append(teacher.eval())
    return teachers


@torch.no_grad()
def teacher_probability(teachers: list[torch.nn.Module], xb: torch.Tensor) -> torch.Tensor:
    return torch.stack([torch.sigmoid(t(xb)) for t in teachers]).mean(0)


def drop_rows_from(path: Path, epoch: int) -> None:
    """Removes a CSV's rows of this epoch and later: a run stopped after writing them but before its checkpoint
    landed runs those epochs again."""
    if not path.exists():
        return
    lines = path.read_text().splitlines(keepends=True)
    kept = lines[:1] + [line for line in lines[1:] if int(line.split(",", 1)[0]) < epoch]
    if len(kept) != len(lines):
        path.write_text("".join(kept))


def record(path: Path, fields: list[str], row: list, prefix: str = "") -> None:
    """Appends a row to a CSV (its header first when new) and prints it to the log."""
    new = not path.exists()
    with path.open("a", newline="") as f:
        if new:
            csv.writer(f).writerow(fields)
        csv.writer(f).writerow(row)
    print(prefix + " ".join(f"{k}={v}" for k, v in zip(fields, row)), flush=True)


def update_average(average: AveragedModel, model: torch.nn.Module, xs: np.ndarray, ys: np.ndarray, augment: Augment,
                   args: argparse.Namespace, epoch: int, val_x: np.ndarray, val_y: np.ndarray, size: int) -> list:
    """Adds this epoch's weights to the running mean, recomputes its batch-norm statistics (averaged weights match
    no epoch's) and saves it as a checkpoint export.py reads. The statistics come from one augmented pass over the
    training cases, as the network's own do: on un-augmented cases they cost the 0.2.0 model 0.007 validation IoU."""
    average.update_parameters(model)
    recompute_bn(average.module, xs, ys, augment, args.batch, np.random.default_rng([args.seed, epoch, 1]), args.device)
    val_loss, val_iou, val_f1 = validate(average.module, val_x, val_y, args.device)
    n = int(average.n_averaged)
    atomic_save({"model": average.module.state_dict(), "epoch": epoch, "averaged": n, "average_from": args.average_from,
                 "variant": args.variant, "size": size}, args.run / "average.pt")
    return [epoch, n, *scores(val_loss, val_iou, val_f1)]


def scores(*values: float) -> list[str]:
    """Validation figures as metrics.csv and average.csv hold them: empty where no case was held out."""
    return ["" if math.isnan(v) else f"{v:.5f}" for v in values]


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    if args.teacher and not 0 < args.teacher_weight <= 1:
        raise SystemExit(f"--teacher-weight must be above 0 and at most 1, got {args.teacher_weight}")
    if args.val_size is None:  # a 128x128 model scores poorly on 256 inputs: validate it as it will be used
        args.val_size = size_for_epoch(args.schedule, args.epochs - 1)
    torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True  # fixed input sizes: let cuDNN pick its fastest kernels
    args.run.mkdir(parents=True, exist_ok=True)
    names = data.read_cases(args.cases)
    train_names, val_names = data.split_cases(names, args.val_fraction, args.seed)
    train_names = data.subset_cases(train_names, args.train_fraction, args.seed)
    # Paths as the repository sees them: a record names no machine's folders.
    config = {k: repo_path(v) if isinstance(v, Path) else [repo_path(t) for t in v] if k == "teacher" else v
              for k, v in vars(args).items() if k not in ("stop_after", "time_limit", "threads", "device")}
    config_path = args.run / "config.json"
    last = args.run / "last.pt"
    ckpt = torch.load(last, map_location=args.device) if last.exists() else None
    done_epochs = ckpt["epoch"] + 1 if ckpt else 0
    # How to reproduce it: environment, commit and the data's hash, as at the start; a resume on anything else says so.
    now = provenance(args.images, args.masks, names)
    config["provenance"] = now
    if config_path.exists():
        saved = json.loads(config_path.read_text())
        for option in ("init", "teacher"):  # runs from before paths were recorded relative to the repository
            if isinstance(saved.get(option), str):
                saved[option] = repo_path(saved[option])
            elif saved.get(option):
                saved[option] = [repo_path(t) for t in saved[option]]
        if saved.get("provenance"):
            config["provenance"] = saved["provenance"]
            config["resumed"] = saved.get("resumed", [])
            latest = {k: v for k, v in (config["resumed"] or [saved["provenance"]])[-1].items() if k != "from_epoch"}
            if now != latest:
                config["resumed"].append({"from_epoch": done_epochs, **now})
        for option in ("augment", "lr_policy", "loss", "average_from", "teacher", "teacher_weight", "train_fraction"):
            saved.setdefault(option, parser.get_default(option))  # runs from before the option ran with its default
        saved.setdefault("val_size", config["val_size"])  # not recorded by the first runs
        changed = {k for k in ("variant", "seed", "epochs", "batch", "lr", "lr_policy", "average_from", "val_fraction",
                               "init", "augment", "val_size", "loss", "teacher", "teacher_weight", "train_fraction") if saved.get(k) != config[k]}
        if config["lr_policy"] == "constant" and config["epochs"] >= done_epochs:
            changed.discard("epochs")  # no schedule depends on the total: an averaging phase may be extended
        # The size schedule may change for epochs not yet run (e.g. more epochs at 256), never for those done.
        if any(size_for_epoch(saved["schedule"], e) != size_for_epoch(args.schedule, e) for e in range(done_epochs)):
            changed.add("schedule")
        if changed:
            raise SystemExit(f"{args.run} was started with other settings ({', '.join(sorted(changed))}); use a new --run folder")
        if saved["schedule"] != args.schedule:
            print(f"size schedule from epoch {done_epochs}: {args.schedule} (was {saved['schedule']})", flush=True)
    config.update(train_cases=len(train_names), val_cases=len(val_names))
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    (args.run / "val_cases.txt").write_text("\n".join(val_names) + "\n")

    train_images, train_masks, val_images, val_masks = load_split(args.images, args.masks, train_names, val_names)
    val_x, val_y = validation_set(val_images, val_masks, args.val_size)

    torch.manual_seed(args.seed)
    model = build(args.variant).to(args.device)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    steps_per_epoch = len(train_images) // args.batch  # drop_last, as the authors' loader
    total_steps = steps_per_epoch * args.epochs
    start_epoch, best = 0, -1.0
    average = AveragedModel(model) if args.average_from is not None else None
    if ckpt:
        model.load_state_dict(ckpt["model"])
        if average is not None and "average" in ckpt:
            average.load_state_dict(ckpt["average"])
        if "optimizer" in ckpt:
            opt.load_state_dict(ckpt["optimizer"])
        elif ckpt["epoch"] + 1 < args.epochs:
            raise SystemExit(f"{last} holds weights only (a finished run's record), so it cannot be resumed")
        start_epoch, best = ckpt["epoch"] + 1, ckpt["best_iou"]
        print(f"resumed from {last} at epoch {start_epoch}", flush=True)
    elif args.init:
        init = torch.load(args.init, map_location=args.device)
        if init.get("variant", args.variant) != args.variant:
            raise SystemExit(f"{args.init} holds CMUNeXt-{init['variant']}, not CMUNeXt-{args.variant}")
        model.load_state_dict(init["model"])
        print(f"initialised from {args.init} (epoch {init['epoch']}, trained at {init.get('size')}x{init.get('size')})", flush=True)
    print(f"CMUNeXt-{args.variant}: {parameter_count(model):,} parameters, {len(train_images)} training / {len(val_images)} validation cases, "
          f"device {args.device}", flush=True)

    for name in ("metrics.csv", "average.csv"):
        if start_epoch == 0:
            (args.run / name).unlink(missing_ok=True)
        else:
            drop_rows_from(args.run / name, start_epoch)
    augment = data.AUGMENTATIONS[args.augment]
    loss_fn = LOSSES[args.loss]
    teachers = load_teachers(args.teacher, args.device)
    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    done_here = 0
    started = time.time()
    for epoch in range(start_epoch, args.epochs):
        t0 = time.time()
        size = size_for_epoch(args.schedule, epoch)
        if size not in cache:
            cache[size] = data.resize(train_images, train_masks, size)
        xs, ys = cache[size]
        rng = np.random.default_rng([args.seed, epoch])
        order = rng.permutation(len(train_images))
        model.train()
        running = torch.zeros((), dtype=torch.float64, device=args.device)  # summed on the device: no wait per step
        # One worker draws from rng in the loop's order, so the batches are those of a serial loop; on a GPU their
        # augmentation overlaps the steps.
        with ThreadPoolExecutor(1) as pool:
            pending = [pool.submit(augmented_batch, xs, ys, order[step * args.batch:(step + 1) * args.batch], augment, rng)
                       for step in range(steps_per_epoch)]
            for step, batch in enumerate(pending):
                xb, yb = (t.to(args.device) for t in batch.result())
                it = epoch * steps_per_epoch + step
                lr = args.lr * (1 - it / total_steps) ** 0.9 if args.lr_policy == "poly" else args.lr
                for group in opt.param_groups:
                    group["lr"] = lr
                logits = model(xb)
                loss = loss_fn(logits, yb)
                if teachers:
                    loss = distilled(loss, logits, teacher_probability(teachers, xb), args.teacher_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()
                running += loss.detach()
        val_loss, val_iou, val_f1 = validate(model, val_x, val_y, args.device)
        best = max(best, val_iou)  # NaN (no validation cases) leaves it, and best.pt unwritten
        seconds = time.time() - t0
        row = [epoch, size, f"{lr:.6g}", f"{float(running) / steps_per_epoch:.5f}", *scores(val_loss, val_iou, val_f1), f"{seconds:.1f}"]
        ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch, "best_iou": best,
                "variant": args.variant, "size": size}
        average_row = None
        if average is not None and epoch >= args.average_from:
            average_row = update_average(average, model, xs, ys, augment, args, epoch, val_x, val_y, size)
            ckpt["average"] = average.state_dict()
        if val_iou >= best:
            atomic_save(ckpt, args.run / "best.pt")
        record(args.run / "metrics.csv", CSV_FIELDS, row)
        if average_row:
            record(args.run / "average.csv", AVERAGE_FIELDS, average_row, "  average: ")
        # The checkpoint resume starts from comes last: whatever a stop interrupts before it is done again.
        atomic_save(ckpt, last)
        done_here += 1
        if (args.stop_after and done_here >= args.stop_after) or (args.time_limit and time.time() - started > args.time_limit):
            break


if __name__ == "__main__":
    main()
