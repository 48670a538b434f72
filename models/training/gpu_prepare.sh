#!/usr/bin/env bash
# Readies this checkout for a training call on a lent GPU machine: the BUSI 256x256 data (outside the checkout, so it
# would not travel) is copied into .data/busi, which git ignores here and the call carries. Prints the call to make
# for the experiment under way: the recipe's two unbiased splits (seeds 7 and 13) remade with their weights, which
# decide whether the shipped models average with the mirror (docs/evaluations/mirror-averaging.md).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
src=${1:-$root/../shared/data/busi}
cd "$root"
grep -qx '/.data/' .git/info/exclude 2>/dev/null || echo '/.data/' >> .git/info/exclude
mkdir -p .data/busi
cp -r "$src/images256" "$src/masks256" "$src/train.txt" "$src/README.md" .data/busi/
echo "data: $(du -sh .data/busi | cut -f1) in .data/busi; what travels in all: $( (git ls-files -z; git ls-files -z -o --exclude-standard) | du -cb --files0-from=- | tail -1 | cut -f1) bytes + .data (limit 64 MiB)"
cat <<'CALL'
device run, carry [".data"], timeout_s 590, command:
  models/training/gpu_job.sh 540 "cmunext-busi-fold7-gpu --variant base --epochs 150 --schedule 128 --augment ultrasound --seed 7" "cmunext-busi-fold7-gpu-swa --variant base --epochs 40 --schedule 128 --augment ultrasound-texture --seed 7 --init models/training/runs/cmunext-busi-fold7-gpu/last.pt --lr 0.005 --lr-policy constant --average-from 0" "cmunext-busi-fold13-gpu --variant base --epochs 150 --schedule 128 --augment ultrasound --seed 13" "cmunext-busi-fold13-gpu-swa --variant base --epochs 40 --schedule 128 --augment ultrasound-texture --seed 13 --init models/training/runs/cmunext-busi-fold13-gpu/last.pt --lr 0.005 --lr-policy constant --average-from 0"
then, here:  models/training/gpu_collect.sh FILES_AT
CALL
