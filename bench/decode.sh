#!/usr/bin/env bash
# bench/run decode: offline decoding speed of ONE 8-second utterance (audio/sample.wav looped to 8 s), one
# thread, reference LAS model (shared/reference/las_reference.md) with the same weights on both sides: Scribe
# (release, hidden `scribe bench-decode`, which saves the model + features) and PyTorch (bench/las_decode.py,
# loading Scribe's model.safetensors; it first prints the max log-prob difference of the first 20 greedy steps and
# the bench stops if it exceeds 1e-4). Encoder alone, encoder + greedy, encoder + beam 8; EOS suppressed so every
# decode runs 121 steps. Also PocketSphinx (pip `pocketsphinx`, bundled en-us model) on the same 8 s of audio.
# Rounds alternate the sides; medians of process CPU time over all timed decodes. Unit: RTF = CPU s / audio s.
# ratio = pytorch_rtf / scribe_rtf for beam 8 (> 1: Scribe faster). With a MODEL that has a CTC head, Scribe's
# side also times beam 8 with joint CTC/attention scoring (the CLI default, λ 0.3): reported, without a peer.
# Usage: bench/run decode [ROUNDS] [REPEAT] [MODEL]   (MODEL: a Scribe model directory with conv2d + BiLSTM +
# location attention + LSTM speller, e.g. models/default, instead of the reference; SCRIBE=path/to/scribe skips
# the release build)
source "$(dirname "$0")/common.sh"
rounds=${1:-3}
repeat=${2:-3}
model=${3:-}
if [[ -z ${SCRIBE:-} ]]; then scribe_release; fi
TORCH_PY=$repo/.venv-torch/bin/python
"$TORCH_PY" -c "import torch, safetensors" 2>/dev/null || { echo "bench/decode: no PyTorch in .venv-torch (HINT: scripts/golden-torch creates it)" >&2; exit 1; }
peer_venv pocketsphinx
wav=$repo/audio/sample.wav
dir=$out/decode-model

results=$out/decode.jsonl
: > "$results"
for r in $(seq "$rounds"); do
  echo "== round $r/$rounds: scribe" >&2
  "$SCRIBE" bench-decode --out "$dir" --audio "$wav" --repeat "$repeat" --check 20 ${model:+--model "$model"} | sed 's/^{/{"side":"scribe",/' | tee -a "$results" >&2
  echo "== round $r/$rounds: pytorch $("$TORCH_PY" -c 'import torch; print(torch.__version__)')" >&2
  "$TORCH_PY" "$repo/bench/las_decode.py" "$dir" --repeat "$repeat" | sed 's/^{/{"side":"pytorch",/' | tee -a "$results" >&2
  echo "== round $r/$rounds: pocketsphinx" >&2
  "$PY" "$repo/bench/pocketsphinx_decode.py" "$wav" --repeat "$repeat" | sed 's/^{/{"side":"pocketsphinx",/' | tee -a "$results" >&2
done

python3 - "$results" "${model:-reference}" <<'PY'
import json, statistics, sys
model = sys.argv[2]
runs, diffs = {}, []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["side"] == "pocketsphinx":
        runs.setdefault(("pocketsphinx", "decode"), []).extend(d["cpu_s"])
        continue
    if d["side"] == "pytorch":
        diffs.append(d["max_logprob_diff"])
    for kind in ("encoder", "greedy", "beam", "joint"):
        if f"{kind}_cpu_s" in d:
            runs.setdefault((d["side"], kind), []).extend(d[f"{kind}_cpu_s"])
worst = max(diffs)
print(f"max |Scribe - PyTorch| log-prob over the first greedy steps: {worst:.3g}", file=sys.stderr)
if worst > 1e-4:
    sys.exit(f"bench/decode: the two sides disagree (max log-prob difference {worst:.3g} > 1e-4)")
rtf = {k: round(statistics.median(v) / 8, 4) for k, v in runs.items()}
ms = {k: round(statistics.median(v) * 1000, 1) for k, v in runs.items()}
for side in ("scribe", "pytorch"):
    print(f"{side:8s} CPU ms  encoder {ms[(side, 'encoder')]:7.1f}  + greedy {ms[(side, 'greedy')]:7.1f}  + beam 8 {ms[(side, 'beam')]:7.1f}", file=sys.stderr)
print(f"pocketsphinx CPU ms {ms[('pocketsphinx', 'decode')]:.1f}", file=sys.stderr)
joint = rtf.get(("scribe", "joint"))
if joint is not None:
    print(f"scribe   CPU ms  encoder + joint CTC/attention beam 8 (the CLI default; no peer) {ms[('scribe', 'joint')]:.1f}", file=sys.stderr)
s, p = rtf[("scribe", "beam")], rtf[("pytorch", "beam")]
print(json.dumps({"bench": "decode", "model": model, "scribe": s, "peers": {"pytorch": p, "pocketsphinx": rtf[("pocketsphinx", "decode")]},
                  "unit": "rtf", "ratio": round(p / s, 3),
                  "encoder": {"scribe": rtf[("scribe", "encoder")], "pytorch": rtf[("pytorch", "encoder")]},
                  "greedy": {"scribe": rtf[("scribe", "greedy")], "pytorch": rtf[("pytorch", "greedy")],
                             "ratio": round(rtf[("pytorch", "greedy")] / rtf[("scribe", "greedy")], 3)},
                  "scribe_joint_ctc_beam": joint,
                  "max_logprob_diff": worst, "decodes_per_median": len(runs[("scribe", "beam")])}))
PY
