#!/usr/bin/env bash
# One training call on a CUDA machine. The run folder lives outside the tree; what comes back is under $OUT/RUN_NAME:
# last.pt (and average.pt, with --average-from) in parts (a returned file may hold 16 MiB at most), run.tar with
# metrics.csv, config.json, val_cases.txt, the checksums (and average.csv), and the log. --time-limit makes it stop,
# checkpointed, before the call's limit.
#   models/training/gpu_job.sh RUN_NAME [train.py options]
set -euo pipefail
name=${1:?usage: gpu_job.sh RUN_NAME [train.py options]}
shift
data=${DATA:-.data/busi}
run=/tmp/runs/$name
out=${OUT:?OUT names the folder that comes back}/$name
mkdir -p "$run" "$out"
out=$(cd "$out" && pwd)  # the packing below runs in the run folder
export PYTHONUNBUFFERED=1
py=${PYTHON:-python3}  # the device machine's python3 holds PyTorch; here, PYTHON=/usr/bin/python3
"$py" -c 'import torch; print("torch", torch.__version__, "cuda:", torch.cuda.is_available() and torch.cuda.get_device_name(0))'
"$py" models/training/train.py --run "$run" --images "$data/images256" --masks "$data/masks256" --cases "$data/train.txt" \
  --threads 8 "$@" 2>&1 | tee "$out/train.log"
# At most 8 files come back: the small ones travel as one tar, each checkpoint in parts of 15 MiB.
cd "$run"
checkpoints=(last.pt); small=(metrics.csv config.json val_cases.txt checkpoints.sha256)
if [ -f average.pt ]; then checkpoints+=(average.pt); small+=(average.csv); fi
sha256sum "${checkpoints[@]}" > checkpoints.sha256
tar -cf "$out/run.tar" "${small[@]}"
for c in "${checkpoints[@]}"; do split -b 15M -d "$c" "$out/$c.part"; done
ls -l "$out"
