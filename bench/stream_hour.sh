#!/usr/bin/env bash
# bench/run stream_hour [MODEL] [SECONDS]: `scribe stream` on one core (CPU affinity {0}, one BLAS thread) over an
# hour of speech (the synthetic test split's utterances, each followed by 0.6 s of silence, looped to SECONDS,
# default 3600), fed as fast as the process reads it. Reports the real-time factor on one core, the worst lag
# (max over final events of wall time / audio time up to the event's end: < 1 means it never fell behind real
# time), and the resident memory sampled every 5 s (peak, and the maxima over the first and last tenth: flat
# memory means they agree). No peer: absolute numbers; the JSON line has "peers": {}. $SCRIBE_STREAM_ARGS adds
# options to `scribe stream` (e.g. "--lm none").
source "$(dirname "$0")/common.sh"
scribe_release
model=${1:-$repo/models/default}; seconds=${2:-3600}
[[ -f $repo/corpus/test.jsonl ]] || { echo "bench stream_hour: needs the corpus (scripts/make-corpus)" >&2; exit 1; }
export OPENBLAS_NUM_THREADS=1
raw=$out/stream_hour_${seconds}.raw
if [[ ! -f $raw ]]; then
  echo "== building $seconds s of test-split speech with pauses" >&2
  python3 - "$repo/corpus/test.jsonl" "$seconds" "$raw" <<'PY'
import json, os, subprocess, sys
manifest, seconds, raw = sys.argv[1], float(sys.argv[2]), sys.argv[3]
base = os.path.dirname(os.path.abspath(manifest))
paths = [json.loads(l)["audio_filepath"] for l in open(manifest) if l.strip()]
paths = [p if os.path.isabs(p) else os.path.join(base, p) for p in paths]
pause = b"\0\0" * int(0.6 * 16000)
total, i = 0, 0
with open(raw + ".tmp", "wb") as f:
    while total < seconds * 32000:
        pcm = subprocess.run(["sox", "-R", paths[i % len(paths)], "-t", "raw", "-r", "16000", "-c", "1", "-b", "16",
                              "-e", "signed", "-"], check=True, capture_output=True).stdout
        f.write(pcm + pause); total += len(pcm) + len(pause); i += 1
os.replace(raw + ".tmp", raw)
PY
fi
result=$(python3 - "$SCRIBE" "$model" "$raw" <<'PY'
import json, subprocess, sys, threading, time
scribe, model, raw = sys.argv[1:4]
audio_s = __import__("os").path.getsize(raw) / 32000
proc = subprocess.Popen([scribe, "stream", "--model", model] + __import__("os").environ.get("SCRIBE_STREAM_ARGS", "").split(), stdin=open(raw, "rb"), stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, preexec_fn=lambda: __import__("os").sched_setaffinity(0, {0}))
start = time.monotonic()
rss = []                                   # (wall seconds, kB)
def sample():
    while proc.poll() is None:
        time.sleep(min(5, 0.5 + (time.monotonic() - start) / 20))
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("VmRSS:"): rss.append((time.monotonic() - start, int(line.split()[1])))
        except OSError:
            pass
threading.Thread(target=sample, daemon=True).start()
lag, finals = 0.0, 0
for line in proc.stdout:
    e = json.loads(line)
    if e["type"] == "final":
        finals += 1
        lag = max(lag, (time.monotonic() - start) / max(e["end"], 1e-9))
proc.wait()
wall = time.monotonic() - start
tenth = max(wall / 10, 5)
first = max((k for t, k in rss if t <= tenth), default=None)
last = max((k for t, k in rss if t >= wall - tenth), default=None)
print(json.dumps({"audio_s": round(audio_s, 1), "wall_s": round(wall, 1), "rtf_one_core": round(wall / audio_s, 4),
                  "worst_lag": round(lag, 4), "finals": finals, "exit": proc.returncode,
                  "rss_peak_kb": max((k for _, k in rss), default=None), "rss_first_tenth_kb": first, "rss_last_tenth_kb": last}))
PY
)
echo "$result" >&2
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(json.dumps({"bench": "stream_hour", "scribe": r["rtf_one_core"], "peers": {}, "unit": "rtf_one_core", "ratio": None, **r}))
PY
