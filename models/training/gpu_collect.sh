#!/usr/bin/env bash
# Puts a GPU training call's files back together as a run folder: models/training/runs/RUN_NAME.
#   models/training/gpu_collect.sh RUN_NAME FILES_AT
set -euo pipefail
name=${1:?usage: gpu_collect.sh RUN_NAME FILES_AT}
from=${2:?usage: gpu_collect.sh RUN_NAME FILES_AT}/$name
root=$(git rev-parse --show-toplevel)
run=$root/models/training/runs/$name
mkdir -p "$run"
tar -xf "$from/run.tar" -C "$run"
cp "$from/train.log" "$run/"
for c in $(cut -d' ' -f3 "$run/checkpoints.sha256"); do cat "$from/$c".part* > "$run/$c"; done
(cd "$run" && sha256sum --quiet -c checkpoints.sha256) || { echo "a checkpoint does not match its sha256" >&2; exit 1; }
echo "run $name: $(($(wc -l < "$run/metrics.csv") - 1)) epoch(s); last: $(tail -1 "$run/metrics.csv")"
[ ! -f "$run/average.csv" ] || echo "average: $(tail -1 "$run/average.csv")"
