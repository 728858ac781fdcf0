#!/usr/bin/env bash
# bench/run train: one full training step of the reference LAS model (shared/reference/las_reference.md: conv
# subsampling + 3-layer BiLSTM listener, location-aware attention, LSTM speller) on 16 × 8 s (800 frames,
# 120-character targets): teacher-forced forward, cross-entropy ignoring pad, backward, clip 5, Adam lr 1e-3.
# Scribe (release, hidden `scribe bench-train`) vs the same model in PyTorch CPU (bench/las_torch.py), at 1 and 2
# threads. Rounds alternate the two sides so both see the same machine load; medians over all timed steps.
# Unit: audio seconds per second — per CPU second at 1 thread (process CPU time, robust on a shared machine;
# the reference's own measure), per wall second at 2 threads (reported, not in the ratio), where Scribe runs both ways
# of using two threads: BLAS threads inside each op (`blas`) and the batch split into two shards (`--parallel batch`).
# PyTorch's OpenMP workers wait passively (OMP_WAIT_POLICY=PASSIVE unless set): on a shared 2-core machine their
# default spin-wait made a 2-thread step 7-10x slower in wall time (measured 33-66 s vs 9 s at 1 thread).
# ratio = scribe / pytorch (> 1: Scribe ahead). Usage: bench/run train [ROUNDS] [STEPS]
source "$(dirname "$0")/common.sh"
rounds=${1:-3}
steps=${2:-2}
scribe_release
PY=$repo/.venv-torch/bin/python
"$PY" -c "import torch" 2>/dev/null || { echo "bench/train: no PyTorch in .venv-torch (HINT: scripts/golden-torch creates it)" >&2; exit 1; }

results=$out/train.jsonl
: > "$results"
for r in $(seq "$rounds"); do
  echo "== round $r/$rounds: scribe" >&2
  "$SCRIBE" bench-train --threads 1,2 --repeat "$steps" --warmup 1 | sed 's/^{/{"side":"scribe",/' | tee -a "$results" >&2
  "$SCRIBE" bench-train --threads 2 --parallel batch --repeat "$steps" --warmup 1 | sed 's/^{/{"side":"scribe-batch",/' | tee -a "$results" >&2
  echo "== round $r/$rounds: pytorch $("$PY" -c 'import torch; print(torch.__version__)')" >&2
  OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} "$PY" "$repo/bench/las_torch.py" --threads 1,2 --repeat "$steps" --warmup 1 | sed 's/^{/{"side":"pytorch",/' | tee -a "$results" >&2
done

python3 - "$results" <<'PY'
import json, statistics, sys
cpu, wall, audio = {}, {}, {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    k = (d["side"], d["threads"])
    cpu.setdefault(k, []).extend(d["cpu_s"])
    wall.setdefault(k, []).extend(d["wall_s"])
    audio[k] = d["audio_s"]
speed = lambda k, runs: round(audio[k] / statistics.median(runs[k]), 2)
s1, p1 = speed(("scribe", 1), cpu), speed(("pytorch", 1), cpu)
s2, p2 = speed(("scribe", 2), wall), speed(("pytorch", 2), wall)
b2 = speed(("scribe-batch", 2), wall)
print(json.dumps({"bench": "train", "scribe": s1, "peers": {"pytorch": p1}, "unit": "audio_s_per_s",
                  "ratio": round(s1 / p1, 3),
                  "threads_1_wall": {"scribe": speed(("scribe", 1), wall), "pytorch": speed(("pytorch", 1), wall)},
                  "threads_2_wall": {"scribe": s2, "scribe_batch": b2, "pytorch": p2, "ratio": round(max(s2, b2) / p2, 3)},
                  "steps_per_median": len(cpu[("scribe", 1)])}))
PY
