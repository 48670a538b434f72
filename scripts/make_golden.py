"""Golden values from OpenCV and numpy for the TypeScript pre-processing tests (test/fixtures/golden/*.json).

    /usr/bin/python3 scripts/make_golden.py     # needs Debian's python3-opencv
"""
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models" / "training"))
import data  # noqa: E402  the training pipeline's own normalisation

OUT = Path(__file__).resolve().parents[1] / "test" / "fixtures" / "golden"
rng = np.random.default_rng(2024)


def flat(a: np.ndarray) -> list:
    return [round(float(v), 6) for v in a.reshape(-1)]


cases = []
for (h, w, c), (oh, ow) in [((5, 7, 3), (9, 4)), ((6, 6, 1), (11, 13)), ((13, 11, 3), (4, 5)), ((31, 17, 1), (16, 16)), ((16, 16, 3), (16, 16))]:
    src = (rng.random((h, w, c)) * 255).astype(np.float32)
    dst = cv2.resize(src, (ow, oh), interpolation=cv2.INTER_LINEAR).reshape(oh, ow, c)
    src8 = src.astype(np.uint8)
    dst8 = cv2.resize(src8, (ow, oh), interpolation=cv2.INTER_LINEAR).reshape(oh, ow, c)
    mask = (rng.random((h, w)) > 0.5).astype(np.uint8)
    nearest = cv2.resize(mask, (ow, oh), interpolation=cv2.INTER_NEAREST)
    cases.append({"width": w, "height": h, "channels": c, "outWidth": ow, "outHeight": oh,
                  "src": flat(src), "linear": flat(dst), "src8": flat(src8), "linear8": flat(dst8),
                  "mask": flat(mask), "nearest": flat(nearest)})
(OUT / "resize.json").write_text(json.dumps({"opencv": cv2.__version__, "cases": cases}))

# A BGR 8-bit image through the training normalisation, at the model's size.
bgr = (rng.random((20, 24, 3)) * 255).astype(np.uint8)
resized = cv2.resize(bgr, (16, 16), interpolation=cv2.INTER_LINEAR)
resized_float = cv2.resize(bgr.astype(np.float32), (16, 16), interpolation=cv2.INTER_LINEAR)
x = data.normalise(resized_float[None])[0]
(OUT / "preprocess.json").write_text(json.dumps({
    "width": 24, "height": 20, "rgb": flat(bgr[..., ::-1]), "size": 16,
    "mean": list(data.MEAN_BGR), "std": list(data.STD_BGR), "nchw": flat(x),
    "uint8ResizeMaxDiff": int(np.abs(resized.astype(int) - np.rint(resized_float).astype(int)).max()),
}))
print("wrote", *(p.name for p in OUT.glob("*.json")))
