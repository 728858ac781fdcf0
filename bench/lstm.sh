#!/usr/bin/env bash
# bench/run lstm: one training step (forward + backward, no optimizer) of the reference 3-layer BiLSTM encoder
# (256 units per direction, input 640, batch 16, 200 frames), Scribe (release) vs PyTorch CPU, 1 and 2 threads.
# bench/run transformer runs this script for the 6-layer pre-LN Transformer encoder (d 256, 4 heads, FF 1024).
# Rounds alternate Scribe and PyTorch so both see the same machine load; medians over all timed steps;
# ratio = pytorch_ms / scribe_ms at 1 thread (> 1: Scribe ahead). Wall-clock medians; the 1-thread CPU-time
# medians are reported too, as they move less when other jobs share the machine. Usage: bench/run lstm [ROUNDS] [STEPS]
source "$(dirname "$0")/common.sh"
model=${BENCH_MODEL:-lstm}
rounds=${1:-3}
steps=${2:-3}
scribe_release
PY=$repo/.venv-torch/bin/python
"$PY" -c "import torch" 2>/dev/null || { echo "bench/$model: no PyTorch in .venv-torch (HINT: scripts/golden-torch creates it)" >&2; exit 1; }

torch_bench() {
  "$PY" - "$model" "$steps" <<'PY'
import json, math, sys, time
import torch
from torch import nn
model, steps = sys.argv[1], int(sys.argv[2])
B, T, F = 16, 200, 640
torch.manual_seed(7)
if model == "lstm":
    net = nn.LSTM(F, 256, num_layers=3, bidirectional=True, batch_first=True)
    run, out_dim = (lambda x: net(x)[0]), 512
else:
    layer = nn.TransformerEncoderLayer(256, 4, 1024, dropout=0.0, activation="relu", batch_first=True, norm_first=True)
    stack = nn.TransformerEncoder(layer, 6, norm=nn.LayerNorm(256), enable_nested_tensor=False)
    proj = nn.Linear(F, 256)
    net = nn.ModuleList([proj, stack])
    pos = torch.arange(T)[:, None] * torch.exp(torch.arange(0, 256, 2) * (-math.log(10000.0) / 256))
    pe = torch.stack([pos.sin(), pos.cos()], -1).reshape(T, 256)
    mask = torch.zeros(B, T, dtype=torch.bool)            # padding mask, as Scribe's encoder always applies one
    run, out_dim = (lambda x: stack(proj(x) * 16 + pe, src_key_padding_mask=mask)), 256
x = torch.randn(B, T, F)
seed = torch.randn(B, T, out_dim)
for n in (1, 2):
    torch.set_num_threads(n)
    runs, cpu_runs = [], []
    for i in range(1 + steps):
        net.zero_grad(set_to_none=True)
        t0, c0 = time.perf_counter(), time.process_time()
        run(x).backward(seed)
        if i >= 1:
            runs.append(round((time.perf_counter() - t0) * 1000, 1))
            cpu_runs.append(round((time.process_time() - c0) * 1000, 1))
    print(json.dumps({"model": model, "threads": n, "runs": runs, "cpu_runs": cpu_runs}), flush=True)
PY
}

results=$out/$model.jsonl
: > "$results"
for r in $(seq "$rounds"); do
  echo "== round $r/$rounds: scribe" >&2
  "$SCRIBE" bench "$model" --threads 1,2 --repeat "$steps" | sed 's/^{/{"side":"scribe",/' | tee -a "$results" >&2
  echo "== round $r/$rounds: pytorch $("$PY" -c 'import torch; print(torch.__version__)')" >&2
  torch_bench | sed 's/^{/{"side":"pytorch",/' | tee -a "$results" >&2
done

python3 - "$model" "$results" <<'PY'
import json, statistics, sys
model, path = sys.argv[1], sys.argv[2]
runs, cpu = {}, {}
for line in open(path):
    d = json.loads(line)
    runs.setdefault((d["side"], d["threads"]), []).extend(d["runs"])
    cpu.setdefault((d["side"], d["threads"]), []).extend(d["cpu_runs"])
med = {k: round(statistics.median(v), 1) for k, v in runs.items()}
cpu1 = {side: round(statistics.median(cpu[(side, 1)]), 1) for side in ("scribe", "pytorch")}
def at(n):
    s, p = med[("scribe", n)], med[("pytorch", n)]
    return {"scribe": s, "pytorch": p, "ratio": round(p / s, 3)}
print(json.dumps({"bench": model, "scribe": med[("scribe", 1)], "peers": {"pytorch": med[("pytorch", 1)]},
                  "unit": "ms_per_step", "ratio": at(1)["ratio"], "threads_2": at(2),
                  "cpu_ms_1_thread": {**cpu1, "ratio": round(cpu1["pytorch"] / cpu1["scribe"], 3)},
                  "steps_per_median": len(runs[("scribe", 1)])}))
PY
