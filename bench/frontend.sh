#!/usr/bin/env bash
# bench/run frontend: log-mel of 10 minutes of audio, single thread, Scribe vs librosa and kaldi-native-fbank;
# each timed 5 times over in-memory audio, median reported as x real time. Then Scribe's peak RSS on a 1-hour
# file and a 1-hour stdin stream.
source "$(dirname "$0")/common.sh"
scribe_release
peer_venv librosa==0.11.0 kaldi-native-fbank soundfile
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

ten=$out/speech_10min.wav
if [[ ! -f $ten ]]; then
  # 10 minutes: the bundled sample repeated over a low noise floor (deterministic: sox -R).
  n=$(( 600 * 16000 / $(soxi -s "$repo/audio/sample.wav") + 1 ))
  sox -R "$repo/audio/sample.wav" "$out/rep.wav" repeat $n trim 0 600
  sox -R -n -r 16000 -c 1 "$out/noise.wav" synth 600 whitenoise vol 0.003
  sox -R -m "$out/rep.wav" "$out/noise.wav" -b 16 "$ten"; rm -f "$out/rep.wav" "$out/noise.wav"
fi

echo "== scribe (release, 1 thread)" >&2
scribe_json=$("$SCRIBE" features "$ten" --repeat 5)
echo "$scribe_json" >&2
peers_json=$("$PY" - "$ten" <<'PY'
import json, sys, time, statistics, numpy as np, soundfile as sf, librosa, kaldi_native_fbank as knf
x, sr = sf.read(sys.argv[1], dtype="float32")
secs = len(x) / sr
def timeit(f, n=5):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)
def lib():
    S = librosa.feature.melspectrogram(y=x, sr=sr, n_fft=512, win_length=400, hop_length=160, n_mels=80, center=True, pad_mode="constant")
    np.log(np.maximum(S, 1e-10))
def kal():
    o = knf.FbankOptions(); o.frame_opts.dither = 0; o.mel_opts.num_bins = 80
    fb = knf.OnlineFbank(o); fb.accept_waveform(sr, x * 32768); fb.input_finished()
    np.stack([fb.get_frame(i) for i in range(fb.num_frames_ready)])
print(json.dumps({"librosa": secs / timeit(lib), "kaldi-native-fbank": secs / timeit(kal)}))
PY
)
echo "== peers: $peers_json" >&2

hour=$out/speech_60min.wav
[[ -f $hour ]] || sox -R "$ten" "$hour" repeat 5
rss_file=$( { /usr/bin/time -f "%M" "$SCRIBE" features "$hour" >/dev/null; } 2>&1 | tail -1 )
rss_pipe=$( { sox -R "$hour" -t raw - | /usr/bin/time -f "%M" "$SCRIBE" features - >/dev/null; } 2>&1 | tail -1 )
echo "== peak RSS, 1-hour file: ${rss_file} kB; 1-hour stdin stream: ${rss_pipe} kB" >&2

python3 - "$scribe_json" "$peers_json" "$rss_file" "$rss_pipe" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); p = json.loads(sys.argv[2])
best = max(p.values())
print(json.dumps({"bench": "frontend", "scribe": round(s["x_realtime"], 1),
                  "peers": {k: round(v, 1) for k, v in p.items()}, "unit": "x_realtime",
                  "ratio": round(s["x_realtime"] / best, 3),
                  "rss_mb_1h_file": round(int(sys.argv[3]) / 1024, 1), "rss_mb_1h_stdin": round(int(sys.argv[4]) / 1024, 1)}))
PY
