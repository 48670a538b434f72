#!/usr/bin/env bash
# One training call on a CUDA machine: runs in turn, within SECONDS, each RUN with its train.py options; a run starts
# only when the one before it finished all its epochs, e.g. a training and then its averaging phase (--init
# models/training/runs/FIRST/last.pt). Each run stops, checkpointed, before the time is up. The run folders live in
# /tmp/gpu-work/models/training/runs, outside the tree that each call replaces, so a later call on the same warm
# machine resumes them; relative paths in the options read as they do in the checkout.
#   models/training/gpu_job.sh SECONDS "RUN [train.py options]" ["RUN [train.py options]" ...]
# What comes back under $OUT/RUN (at most 8 files of 16 MiB): run.tar (metrics, config, split, log, checksums), and
# in parts of 15 MiB its average.pt, if any, and its last.pt: resumable for the last run that started, weights only
# for those before it (their optimizer state would not fit).
set -euo pipefail
budget=${1:?usage: gpu_job.sh SECONDS \"RUN [train.py options]\" ...}
shift
root=$(pwd)
data=$(cd "${DATA:-.data/busi}" && pwd)  # read from the run folders too
work=/tmp/gpu-work
py=${PYTHON:-python3}  # the device machine's python3 holds PyTorch; here, PYTHON=/usr/bin/python3
: "${OUT:?OUT names the folder that comes back}"
export PYTHONUNBUFFERED=1
"$py" -c 'import torch; print("torch", torch.__version__, "cuda:", torch.cuda.is_available() and torch.cuda.get_device_name(0))'
runs=()
for job in "$@"; do
  read -r name options <<< "$job"
  run=$work/models/training/runs/$name
  # train.py's start (data, cuDNN's kernel search) and the epoch that passes the limit come on top of --time-limit.
  left=$((budget - SECONDS - 30))
  if [ "$left" -le 0 ]; then echo "gpu_job: no time left to start $name"; break; fi
  mkdir -p "$run"
  runs+=("$run")
  # shellcheck disable=SC2086  # the options are words
  if ! (cd "$work" && "$py" "$root/models/training/train.py" --run "models/training/runs/$name" --images "$data/images256" \
    --masks "$data/masks256" --cases "$data/train.txt" --threads 8 $options --time-limit "$left" 2>&1 | tee -a "$run/train.log"); then
    echo "gpu_job: $name failed"; break
  fi
  "$py" -c 'import json, sys, torch
done = torch.load(sys.argv[1], map_location="cpu")["epoch"] + 1
sys.exit(done < json.load(open(sys.argv[2]))["epochs"])' "$run/last.pt" "$run/config.json" || { echo "gpu_job: $name stopped before its end"; break; }
done
last_run=${runs[-1]}
for run in "${runs[@]}"; do
  name=$(basename "$run")
  mkdir -p "$OUT/$name"
  if [ "$run" != "$last_run" ] && [ -f "$run/last.pt" ]; then
    "$py" -c 'import sys, torch; c = torch.load(sys.argv[1], map_location="cpu"); c.pop("optimizer"); torch.save(c, sys.argv[1] + ".tmp")' "$run/last.pt" && mv "$run/last.pt.tmp" "$run/last.pt"
  fi
  (
    cd "$run"
    checkpoints=(); small=(train.log checkpoints.sha256)
    for f in last.pt average.pt; do [ ! -f "$f" ] || checkpoints+=("$f"); done
    for f in metrics.csv average.csv config.json val_cases.txt; do [ ! -f "$f" ] || small+=("$f"); done
    : > checkpoints.sha256
    [ ${#checkpoints[@]} -eq 0 ] || sha256sum "${checkpoints[@]}" > checkpoints.sha256
    tar -cf "$OUT/$name/run.tar" "${small[@]}"
    for c in "${checkpoints[@]}"; do split -b 15M -d "$c" "$OUT/$name/$c.part"; done
  )
done
ls -lR "$OUT"
