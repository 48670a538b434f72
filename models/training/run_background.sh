#!/usr/bin/env bash
# Starts (or resumes) a training run in the background at low priority; safe to call again after an interruption.
#   models/training/run_background.sh RUN_DIR [train.py options...]
# Follow it with: tail -f RUN_DIR/train.log
set -euo pipefail
run=${1:?usage: run_background.sh RUN_DIR [train.py options]}
shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$run"
if [ -f "$run/pid" ] && kill -0 "$(cat "$run/pid")" 2>/dev/null; then
  echo "already running: pid $(cat "$run/pid")"; exit 0
fi
# glibc hands freed activation buffers back to the kernel and faults them in again every step, and always maps
# buffers over 32 MiB (most of them at 256) afresh. Keeping them in the heap, never trimmed, makes a CPU step of
# CMUNeXt on 2 threads 655 -> 508 ms at 128 (measured with only the small buffers kept) and 3.0-3.4 -> 1.9 s at 256
# (against only the small buffers kept).
export MALLOC_MMAP_MAX_=${MALLOC_MMAP_MAX_:-0} MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-17179869184} \
  MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-1073741824}
nohup nice -n 19 /usr/bin/python3 "$here/train.py" --run "$run" "$@" >> "$run/train.log" 2>&1 &
echo $! > "$run/pid"
echo "training in the background: pid $!, log $run/train.log"
