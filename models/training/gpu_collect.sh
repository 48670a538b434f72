#!/usr/bin/env bash
# Puts a GPU training call's runs back together as run folders in models/training/runs, checksums checked.
#   models/training/gpu_collect.sh FILES_AT
set -euo pipefail
from=${1:?usage: gpu_collect.sh FILES_AT}
root=$(git rev-parse --show-toplevel)
for packed in "$from"/*/run.tar; do
  name=$(basename "$(dirname "$packed")")
  run=$root/models/training/runs/$name
  mkdir -p "$run"
  tar -xf "$packed" -C "$run"
  for c in $(cut -d' ' -f3 "$run/checkpoints.sha256"); do cat "$from/$name/$c".part* > "$run/$c"; done
  (cd "$run" && sha256sum --quiet -c checkpoints.sha256) || { echo "$name: a checkpoint does not match its sha256" >&2; exit 1; }
  echo "run $name: $(($(wc -l < "$run/metrics.csv") - 1)) epoch(s); last: $(tail -1 "$run/metrics.csv")"
  [ ! -f "$run/average.csv" ] || echo "  average: $(tail -1 "$run/average.csv")"
done
