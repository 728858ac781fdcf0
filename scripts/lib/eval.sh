# Sourced by scripts that score models with `scribe eval` (tune-decoding, checkpoint-sweep, finetune.sh's dev_wer,
# streaming-ablation). Run from the repository root; $SCRIBE is the scribe binary.

# eval_summary MODEL MANIFEST [EVAL ARGS...]: the JSON summary line of `scribe eval --json` on MANIFEST.
# Fails with a message naming the command when `scribe eval` gives no summary.
eval_summary() {
  local model=$1 manifest=$2 summary
  shift 2
  summary=$("$SCRIBE" eval --model "$model" --manifest "$manifest" --json "$@" 2>/dev/null | tail -1) || true
  if [[ $summary != *'"type":"summary"'* ]]; then
    echo "eval: \`scribe eval --model $model --manifest $manifest $*\` failed; run it by hand to see why" >&2
    return 1
  fi
  echo "$summary"
}

# eval_rates MODEL MANIFEST [EVAL ARGS...]: WER and CER of `scribe eval` on MANIFEST, as percentages with one decimal
# separated by a space (e.g. "55.4 31.6").
eval_rates() {
  local summary
  summary=$(eval_summary "$@") || return 1
  python3 -c 'import json, sys; s = json.loads(sys.argv[1]); print("%.1f %.1f" % (100 * s["wer"], 100 * s["cer"]))' "$summary"
}
