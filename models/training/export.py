"""Checkpoint -> models/<id>/model.onnx (opset 17) + manifest.json + golden/ (a source image and PyTorch's logits).

    /usr/bin/python3 models/training/export.py --checkpoint models/training/runs/cmunext-s-busi/last.pt \
        --out models/cmunext-s-busi --id cmunext-s-busi --variant S

A checkpoint from the authors' code (a bare state dict or {'state_dict': ...}) exports the same way; pass
--official-preprocessing so the manifest carries their extra division by 255.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import json
from pathlib import Path

import cv2
import numpy as np
import torch

import data
from cmunext import VARIANTS, build, parameter_count
from runlib import SHARED, from_repo, repo_path

BUSI_CITATION = ("Al-Dhabyani W., Gomaa M., Khaled H., Fahmy A. Dataset of breast ultrasound images. "
                 "Data in Brief 28 (2020) 104863. doi:10.1016/j.dib.2019.104863")
CMUNEXT_CITATION = ("Tang F., Ding J., Wang L., Ning C., Zhou S.K. CMUNeXt: An Efficient Medical Image Segmentation "
                    "Network based on Large Kernel and Skip Fusion. ISBI 2024. arXiv:2308.01239")
BREAST_LESION = {
    "value": 1,
    "name": "Breast lesion",
    "color": [230, 80, 60],
    "category": {"scheme": "SCT", "code": "49755003", "meaning": "Morphologically abnormal structure"},
    "type": {"scheme": "SCT", "code": "52988006", "meaning": "Lesion"},
    "anatomicRegion": {"scheme": "SCT", "code": "76752008", "meaning": "Breast"},
}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", type=Path, help="train.py checkpoint or official state dict; omit with --random-init")
    p.add_argument("--random-init", action="store_true", help="fixed random weights (test fixtures only)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--variant", default="S", choices=sorted(VARIANTS))
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--name", default=None)
    p.add_argument("--version", default="0.1.0")
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--official-preprocessing", action="store_true", help="inputs were divided by 255 once more (authors' code)")
    p.add_argument("--golden-case", default="benign (10)", help="case from --images used for the parity fixture")
    p.add_argument("--images", type=Path, default=SHARED / "images256")
    p.add_argument("--evaluation", type=Path, help="the last line of `cmunext evaluate --json`, recorded in the manifest")
    p.add_argument("--evaluation-dataset", default="BUSI, our 90 held-out validation cases (paper protocol, 256x256 grid)")
    p.add_argument("--evaluation-command", default="")
    p.add_argument("--golden-only", action="store_true",
                   help="write only the test-time-augmentation golden of an exported model in --out (its golden/input.png), "
                        "leaving its ONNX and manifest as they are")
    return p.parse_args()


def load_weights(model: torch.nn.Module, path: Path) -> dict:
    ckpt = torch.load(path, map_location="cpu")
    state = ckpt.get("model", ckpt.get("state_dict", ckpt)) if isinstance(ckpt, dict) else ckpt
    state = {k.removeprefix("module."): v for k, v in state.items()}
    model.load_state_dict(state, strict=True)
    return ckpt if isinstance(ckpt, dict) else {}


def randomise(model: torch.nn.Module, calibration: torch.Tensor) -> None:
    """PyTorch's own random initialisation, with batch-norm running statistics measured on `calibration`, so
    activations keep their scale through the network and a parity test sees logits that vary across the image."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration passes
        model.train()
        model(calibration)
        model(calibration.flip(-1))
        for m in norms:
            m.momentum = 0.1
            # An untrained channel can be nearly constant; dividing by its near-zero variance would turn
            # last-bit rounding into large logit differences that a trained network does not have.
            m.running_var.clamp_(min=0.01)


def preprocess(bgr: np.ndarray, official: bool) -> np.ndarray:
    x = data.normalise(bgr if bgr.ndim == 4 else bgr[None])
    return x / 255.0 if official else x


# Each is its own inverse: the mirror of the answer for the mirrored image lines up with the image.
MIRRORS = {"identity": lambda x: x, "hflip": lambda x: x.flip(-1), "vflip": lambda x: x.flip(-2)}
GOLDEN_TRANSFORMS = ("identity", "hflip")


def write_augmented_golden(model: torch.nn.Module, source: torch.Tensor, golden: Path, transforms=GOLDEN_TRANSFORMS) -> None:
    """PyTorch's side of the test-time augmentation parity test, in float64: each transform's sigmoid probabilities,
    mirrored back, averaged; recorded in golden.json under "augmented"."""
    with torch.no_grad():
        net = model.double()
        x = source.double()
        probabilities = sum(MIRRORS[t](torch.sigmoid(net(MIRRORS[t](x)))) for t in transforms) / len(transforms)
        model.float()
    values = probabilities[0, 0].numpy().astype("<f4")
    name = f"probabilities-{'+'.join(transforms)}.f32"
    values.tofile(golden / name)
    meta = json.loads((golden / "golden.json").read_text())
    meta["augmented"] = [{"transforms": list(transforms), "probabilities": name, "shape": list(values.shape)}]
    (golden / "golden.json").write_text(json.dumps(meta, indent=2) + "\n")


def data_description(config: dict) -> str:
    """What the weights were trained on, from their run's config; a run with --val-fraction 0 held no case out."""
    if config.get("val_cases") == 0:
        return f"BUSI breast ultrasound, CMUNeXt training split 1, all {config['train_cases']} cases trained on (none held out)"
    return "BUSI breast ultrasound, CMUNeXt training split 1 (452 cases), 20% held out for validation"


def training_summary(run: Path, averaged: bool = False) -> dict:
    """config, the curve's end and CPU time of a run, with the run it started from; for averaged weights
    (average.pt) also their own validation, which no single epoch's weights share."""
    summary: dict = {}
    config = run / "config.json"
    if config.exists():
        summary["config"] = json.loads(config.read_text())
    rows = list(csv.DictReader((run / "metrics.csv").open())) if (run / "metrics.csv").exists() else []
    if rows:
        summary["epochsCompleted"] = len(rows)
        summary["lastEpoch"] = {k: rows[-1][k] for k in ("epoch", "size", "train_loss", "val_iou", "val_f1")}
        summary["cpuSeconds"] = round(sum(float(r["seconds"]) for r in rows))
    averages = list(csv.DictReader((run / "average.csv").open())) if averaged and (run / "average.csv").exists() else []
    if averages:
        summary["averageOfEpochs"] = {k: averages[-1][k] for k in ("averaged", "val_iou", "val_f1")}
        summary["averageOfEpochs"]["from"] = summary.get("config", {}).get("average_from")
    init = summary.get("config", {}).get("init")
    if init:  # a run that finished another run's training (e.g. at 256x256): report both stages
        summary["initialisedFrom"] = training_summary(from_repo(init).parent)
    return summary


def evaluation(args: argparse.Namespace) -> dict:
    result = json.loads(args.evaluation.read_text().strip().splitlines()[-1])
    return {"dataset": args.evaluation_dataset, "cases": result["n"], "iou": round(result["iou"], 4), "f1": round(result["f1"], 4),
            **({"command": args.evaluation_command} if args.evaluation_command else {})}


def main() -> None:
    args = parse_args()
    torch.manual_seed(args.seed)
    model = build(args.variant)
    ckpt: dict = {}
    if args.golden_only:
        load_weights(model, args.checkpoint)
        model.eval()
        golden = args.out / "golden"
        bgr = cv2.imread(str(golden / "input.png"), cv2.IMREAD_COLOR)
        write_augmented_golden(model, torch.from_numpy(preprocess(bgr, args.official_preprocessing)), golden)
        print(f"wrote the test-time augmentation golden of {args.out}")
        return
    bgr = cv2.imread(str(data.find_file(args.images, args.golden_case)), cv2.IMREAD_COLOR)
    bgr = cv2.resize(bgr, (args.size, args.size), interpolation=cv2.INTER_LINEAR)
    source = torch.from_numpy(preprocess(bgr, args.official_preprocessing))
    if args.random_init:
        others = sorted(args.images.glob("*.png"))[:16]
        batch = [cv2.resize(cv2.imread(str(f), cv2.IMREAD_COLOR), (args.size, args.size)) for f in others]
        randomise(model, torch.from_numpy(preprocess(np.stack([bgr, *batch]), args.official_preprocessing)))
    elif args.checkpoint:
        ckpt = load_weights(model, args.checkpoint)
    else:
        raise SystemExit("give --checkpoint PATH or --random-init")
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "model.onnx"
    dummy = torch.zeros(1, 3, args.size, args.size)
    # torch >= 2.9 exports through dynamo unless told otherwise; the TorchScript exporter is the one checked here.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, dummy, str(onnx_path), opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}, "logits": {0: "batch", 2: "height", 3: "width"}}, **legacy)
    sha256 = hashlib.sha256(onnx_path.read_bytes()).hexdigest()

    golden = args.out / "golden"
    golden.mkdir(exist_ok=True)
    cv2.imwrite(str(golden / "input.png"), bgr)
    with torch.no_grad():
        # The reference is computed in float64: float32 runtimes then each differ from it by their own rounding only.
        logits = model.double()(source.double()).numpy().astype("<f4")
        model.float()
    logits.tofile(golden / "logits.f32")
    (golden / "golden.json").write_text(json.dumps({
        "image": "input.png", "logits": "logits.f32", "shape": list(logits.shape), "dtype": "float32-le",
        "source": f"{args.golden_case} (PyTorch {torch.__version__}, float64, CPU)",
    }, indent=2) + "\n")
    write_augmented_golden(model, source, golden)

    scale = 1 / 255
    run = args.checkpoint.parent if args.checkpoint else None
    summary = training_summary(run, "averaged" in ckpt) if run and not args.random_init else {}
    manifest = {
        "schemaVersion": 1,
        "id": args.id,
        "name": args.name or f"CMUNeXt{'' if args.variant == 'base' else '-' + args.variant} breast ultrasound lesion",
        "version": args.version,
        "description": "Segments solid breast lesions in B-mode ultrasound. Research use only; not for clinical use.",
        "modalities": ["US"],
        "architecture": {"family": "CMUNeXt", "variant": args.variant, "parameters": parameter_count(model),
                         "paper": CMUNEXT_CITATION},
        "file": "model.onnx",
        "sha256": sha256,
        "opset": 17,
        "input": {
            "name": "input", "layout": "NCHW", "shape": [1, 3, args.size, args.size], "channelOrder": "BGR",
            "resize": "bilinear", "scale": scale, "mean": list(data.MEAN_BGR), "std": list(data.STD_BGR),
            **({"extraScale": scale} if args.official_preprocessing else {}),
        },
        "output": {"name": "logits", "activation": "sigmoid", "threshold": 0.5},
        "labels": [BREAST_LESION],
        "training": {
            "data": data_description(summary.get("config", {})),
            "citation": BUSI_CITATION,
            "weights": "fixed random weights (test fixture)" if args.random_init else repo_path(args.checkpoint),
            **summary,
        },
        "metrics": [evaluation(args)] if args.evaluation else [],
        "license": "Weights: research use only, not for clinical use; cite the BUSI dataset. Code: MIT.",
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size:,} bytes, sha256 {sha256}), manifest and golden logits "
          f"{logits.shape} min {logits.min():.4f} max {logits.max():.4f}")


if __name__ == "__main__":
    main()
