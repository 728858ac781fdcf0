#!/usr/bin/env bash
# bench/run stream [MODEL] [N] [continuous]: streaming latency and real-time behaviour of `scribe stream` on N
# utterances of the synthetic test split (default 20), fed at real-time pace: median delay from a word's end to its
# first appearance, delay of the final result after the end of input, partial-word revision rate. With
# `continuous`, the N utterances are joined into one stream (0.3 s between sentences, shorter than the 0.5 s
# endpoint, so segments hold several sentences, up to the 20 s limit), as when someone talks without pausing.
# No peer runs here (the number is absolute; the issue's targets are 0.5 s); the JSON line reports "peers": {}.
source "$(dirname "$0")/common.sh"
scribe_release
model=${1:-$repo/models/default}; n=${2:-20}; mode=${3:-utterances}
[[ $mode == utterances || $mode == continuous ]] || { echo "bench stream: third argument must be 'continuous' (or absent), got '$mode'" >&2; exit 2; }
[[ -f $repo/corpus/test.jsonl ]] || { echo "bench stream: needs the corpus (scripts/make-corpus)" >&2; exit 1; }
mkdir -p "$out/stream"
files=()
while read -r f; do
  w="$out/stream/$(basename "${f%.*}").wav"
  [[ -f $w ]] || sox -R "$f" -r 16000 -c 1 -b 16 "$w"
  files+=("$w")
done < <(python3 -c "
import json, os, sys
base = os.path.dirname(os.path.abspath('$repo/corpus/test.jsonl'))
for i, l in enumerate(open('$repo/corpus/test.jsonl')):
    if i >= $n: break
    p = json.loads(l)['audio_filepath']; print(p if os.path.isabs(p) else os.path.join(base, p))")
if [[ $mode == continuous ]]; then
  sox "${files[@]}" "$out/stream/continuous-$n.wav"
  files=("$out/stream/continuous-$n.wav")
fi
result=$(python3 "$repo/bench/stream_latency.py" "$SCRIBE" "$model" "${files[@]}")
echo "$result" >&2
python3 - "$result" "$mode" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(json.dumps({"bench": "stream" if sys.argv[2] == "utterances" else "stream_continuous", "scribe": r["median_word_delay_s"], "peers": {}, "unit": "median_word_delay_s",
                  "ratio": None, **r}))
PY
