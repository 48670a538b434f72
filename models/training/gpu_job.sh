#!/usr/bin/env bash
# One training call on a CUDA machine. The run folder lives outside the tree; what comes back is under $OUT/RUN_NAME:
# the checkpoint in two parts (a returned file may hold 16 MiB at most), metrics.csv, config.json, val_cases.txt and
# the log. --time-limit makes it stop, checkpointed, before the call's limit.
#   models/training/gpu_job.sh RUN_NAME [train.py options]
set -euo pipefail
name=${1:?usage: gpu_job.sh RUN_NAME [train.py options]}
shift
data=${DATA:-.data/busi}
run=/tmp/runs/$name
out=${OUT:?OUT names the folder that comes back}/$name
mkdir -p "$run" "$out"
export PYTHONUNBUFFERED=1
py=${PYTHON:-python3}  # the device machine's python3 holds PyTorch; here, PYTHON=/usr/bin/python3
"$py" -c 'import torch; print("torch", torch.__version__, "cuda:", torch.cuda.is_available() and torch.cuda.get_device_name(0))'
"$py" models/training/train.py --run "$run" --images "$data/images256" --masks "$data/masks256" --cases "$data/train.txt" \
  --threads 8 "$@" 2>&1 | tee "$out/train.log"
cp "$run/metrics.csv" "$run/config.json" "$run/val_cases.txt" "$out/"
split -b 15M -d "$run/last.pt" "$out/last.pt.part"
sha256sum "$run/last.pt" | cut -d' ' -f1 > "$out/last.pt.sha256"
ls -l "$out"
