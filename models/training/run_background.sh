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
# Activation buffers stay in the heap (malloc.env): `bench_step.py` prints what that saves here.
set -a; . "$here/malloc.env"; set +a
nohup nice -n 19 /usr/bin/python3 "$here/train.py" --run "$run" "$@" >> "$run/train.log" 2>&1 &
echo $! > "$run/pid"
echo "training in the background: pid $!, log $run/train.log"
