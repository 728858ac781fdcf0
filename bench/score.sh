#!/usr/bin/env bash
# bench/score.sh: times `scribe score` (release build) against jiwer on the same 100,000 seeded random
# reference/hypothesis pairs (Kaldi `id text` files, --raw so both score the same words and characters).
# Several repetitions each, median wall time; checks both report the same counts; the last line of stdout is
# {"bench":"score","scribe":<pairs/s>,"peers":{"jiwer":<pairs/s>},"unit":"pairs_per_s","ratio":<scribe/jiwer>}.
# Env: PAIRS (100000), REPS (3), VENV (bench/.venv, created with `pip install jiwer` if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-100000}
REPS=${REPS:-3}
VENV=${VENV:-bench/.venv}
OUT=bench/out/score
mkdir -p "$OUT"

echo "building scribe (release)..." >&2
swift build -c release --scratch-path .build-eval-rel --product scribe >&2
SCRIBE=$(swift build -c release --scratch-path .build-eval-rel --show-bin-path)/scribe
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV with jiwer..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet jiwer
fi

"$VENV/bin/python" - "$PAIRS" "$OUT" <<'PY'
import random, sys
pairs, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1234)
vocab = [f"w{k}" for k in range(1000)] + ["the", "a", "of", "and", "to"] * 40
with open(f"{out}/ref.txt", "w") as r, open(f"{out}/hyp.txt", "w") as h:
    for k in range(pairs):
        ref = [rng.choice(vocab) for _ in range(rng.randint(5, 25))]
        hyp = list(ref)
        for _ in range(rng.randint(0, 5)):
            op = rng.random()
            if op < 0.4 and hyp: hyp[rng.randrange(len(hyp))] = rng.choice(vocab)
            elif op < 0.7 and hyp: del hyp[rng.randrange(len(hyp))]
            else: hyp.insert(rng.randint(0, len(hyp)), rng.choice(vocab))
        r.write(f"utt{k:06d} {' '.join(ref)}\n")
        h.write(f"utt{k:06d} {' '.join(hyp)}\n")
PY

cat > "$OUT/jiwer_score.py" <<'PY'
import json, sys, jiwer
def read(path):
    d = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            k, _, text = line.rstrip("\n").partition(" ")
            d[k] = text
    return d
ref, hyp = read(sys.argv[1]), read(sys.argv[2])
ids = [k for k in ref if k in hyp]
refs, hyps = [ref[k] for k in ids], [hyp[k] for k in ids]
w = jiwer.process_words(refs, hyps)
c = jiwer.process_characters(refs, hyps)
print(json.dumps({"utterances": len(ids), "wer": w.wer, "cer": c.cer, "hits": w.hits, "substitutions": w.substitutions,
                  "deletions": w.deletions, "insertions": w.insertions, "char_hits": c.hits}))
PY

# Runs "$@" REPS times; prints the median wall time in seconds; keeps the last stdout in $OUT/last.json.
median_time() {
  local times=()
  for _ in $(seq "$REPS"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$OUT/last.out"
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  tail -n 1 "$OUT/last.out" > "$OUT/last.json"
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}

echo "timing scribe score ($REPS runs)..." >&2
T_SCRIBE=$(median_time "$SCRIBE" score --ref "$OUT/ref.txt" --hyp "$OUT/hyp.txt" --raw --json)
cp "$OUT/last.json" "$OUT/scribe.json"
echo "timing jiwer ($REPS runs)..." >&2
T_JIWER=$(median_time "$VENV/bin/python" "$OUT/jiwer_score.py" "$OUT/ref.txt" "$OUT/hyp.txt")
cp "$OUT/last.json" "$OUT/jiwer.json"

"$VENV/bin/python" - "$OUT" "$PAIRS" "$T_SCRIBE" "$T_JIWER" <<'PY'
import json, sys
out, pairs, ts, tj = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s, j = json.load(open(f"{out}/scribe.json")), json.load(open(f"{out}/jiwer.json"))
for key in ["utterances", "hits", "substitutions", "deletions", "insertions", "char_hits"]:
    if s[key] != j[key]:
        sys.exit(f"score bench: scribe and jiwer disagree on {key}: {s[key]} vs {j[key]}")
print(f"scribe {ts:.3f} s, jiwer {tj:.3f} s (median of runs, {pairs} pairs; counts agree)", file=sys.stderr)
print(json.dumps({"bench": "score", "scribe": round(pairs / ts, 1), "peers": {"jiwer": round(pairs / tj, 1)},
                  "unit": "pairs_per_s", "ratio": round(tj / ts, 3)}))
PY
