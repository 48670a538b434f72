#!/usr/bin/env bash
# Puts a GPU training call's files back together as a run folder: models/training/runs/RUN_NAME.
#   models/training/gpu_collect.sh RUN_NAME FILES_AT
set -euo pipefail
name=${1:?usage: gpu_collect.sh RUN_NAME FILES_AT}
from=${2:?usage: gpu_collect.sh RUN_NAME FILES_AT}/$name
root=$(git rev-parse --show-toplevel)
run=$root/models/training/runs/$name
mkdir -p "$run"
cat "$from"/last.pt.part* > "$run/last.pt"
[ "$(sha256sum "$run/last.pt" | cut -d' ' -f1)" = "$(cat "$from/last.pt.sha256")" ] || { echo "last.pt does not match its sha256" >&2; exit 1; }
cp "$from/metrics.csv" "$from/config.json" "$from/val_cases.txt" "$from/train.log" "$run/"
echo "run $name: $(($(wc -l < "$run/metrics.csv") - 1)) epoch(s); last: $(tail -1 "$run/metrics.csv")"
