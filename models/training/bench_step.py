"""Times CMUNeXt training steps on this CPU with glibc's default allocator settings and with run_background.sh's.

    /usr/bin/python3 models/training/bench_step.py [--variant base] [--loss paper] [--sizes 128 256] [--threads 2] [--steps 5]

Each setting runs in its own process (glibc reads MALLOC_* once, at start); one after the other, so the ratio is a
same-run figure. Stop any training first: on 2 cores it would share them.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

from cmunext import VARIANTS, build
from losses import LOSSES

HERE = Path(__file__).resolve().parent


def background_env() -> dict:
    """The MALLOC_* settings run_background.sh trains with."""
    lines = (line.strip() for line in (HERE / "malloc.env").read_text().splitlines())
    return dict(line.split("=", 1) for line in lines if line.startswith("MALLOC_"))


def child(variant: str, loss_name: str, size: int, threads: int, steps: int) -> None:
    loss_fn = LOSSES[loss_name]  # the step train.py takes with that --loss
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(variant)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x, y = torch.randn(8, 3, size, size), (torch.rand(8, 1, size, size) > 0.5).float()
    for i in range(steps + 2):  # two warm-up steps
        if i == 2:
            start = time.perf_counter()
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print((time.perf_counter() - start) / steps * 1000)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", default="base", choices=sorted(VARIANTS))
    p.add_argument("--loss", default="paper", choices=sorted(LOSSES))
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args.variant, args.loss, args.size, args.threads, args.steps)
    plain = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    tuned = background_env()
    print("settings of run_background.sh (malloc.env):", " ".join(f"{k}={v}" for k, v in tuned.items()))
    for size in args.sizes:
        cmd = [sys.executable, __file__, "--child", "--variant", args.variant, "--loss", args.loss, "--size", str(size),
               "--threads", str(args.threads), "--steps", str(args.steps)]
        a, b = (float(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
                for env in (plain, {**plain, **tuned}))
        print(f"CMUNeXt-{args.variant} {size}x{size}, batch 8, {args.loss} loss, {args.threads} threads: {a:.0f} ms a step with glibc's "
              f"defaults, {b:.0f} ms with run_background.sh's settings ({a / b:.2f}x)")


if __name__ == "__main__":
    main()
