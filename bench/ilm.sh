#!/usr/bin/env bash
# bench/run ilm [MODEL] [UTTERANCES] [RUNS]: the cost of internal LM subtraction. `scribe eval` of MODEL (default
# models/default) on the first UTTERANCES (default 100) of the unseen-voice split, on one thread, with the model's
# own search (for models/default: beam 32, the word LM, κ 0.1) and with the same search at --ilm-weight 0, taking
# turns RUNS times (default 3). Reports the median wall time and peak RSS of each; the peer is the search without
# the internal LM, so ratio = its time ÷ the time with it (1.0: the subtraction is free). SCRIBE=path/to/scribe
# times that binary (e.g. an older build, to see what a change to the internal LM bought).
source "$(dirname "$0")/common.sh"
scribe_release
model=${1:-$repo/models/default}; n=${2:-100}; runs=${3:-3}
manifest=$repo/corpus/test-unseen-voice.jsonl
[[ -f $manifest ]] || { echo "bench ilm: needs the corpus (scripts/make-corpus)" >&2; exit 1; }
python3 - "$SCRIBE" "$model" "$manifest" "$n" "$runs" <<'PY'
import json, statistics, subprocess, sys, time
scribe, model, manifest, n, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def run(extra):
    t = time.monotonic()
    p = subprocess.run([scribe, "eval", "--model", model, "--manifest", manifest, "--limit", n, "--threads", "1", "--json"]
                       + extra, capture_output=True, text=True)
    wall = time.monotonic() - t
    if p.returncode != 0:
        sys.exit(f"bench ilm: scribe eval failed: {p.stderr.strip()[-300:]}")
    summary = json.loads(p.stdout.strip().splitlines()[-1])
    return wall, summary["wer"]
def rss(extra):  # peak RSS (MB) of one short run, measured by /usr/bin/time
    p = subprocess.run(["/usr/bin/time", "-f", "%M", scribe, "eval", "--model", model, "--manifest", manifest, "--limit",
                        "20", "--threads", "1"] + extra, capture_output=True, text=True)
    return int(p.stderr.strip().splitlines()[-1]) / 1024
with_ilm, without = [], []
for r in range(runs):
    with_ilm.append(run([])); without.append(run(["--ilm-weight", "0"]))
    print(f"run {r + 1}: with the internal LM {with_ilm[-1][0]:.1f} s, without {without[-1][0]:.1f} s", file=sys.stderr)
mw, mo = statistics.median(w for w, _ in with_ilm), statistics.median(w for w, _ in without)
rw, ro = rss([]), rss(["--ilm-weight", "0"])
print(f"median wall time, {n} utterances on one thread: {mw:.1f} s with the internal LM, {mo:.1f} s without "
      f"(WER {100 * with_ilm[0][1]:.1f}% and {100 * without[0][1]:.1f}%); peak RSS over 20 utterances {rw:.0f} MB and {ro:.0f} MB",
      file=sys.stderr)
print(json.dumps({"bench": "ilm", "scribe": round(mw, 2), "peers": {"without internal LM": round(mo, 2)},
                  "unit": "s", "ratio": round(mo / mw, 3), "rss_mb": {"with": round(rw), "without": round(ro)}}))
PY
