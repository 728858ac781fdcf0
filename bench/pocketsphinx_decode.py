"""PocketSphinx (pip `pocketsphinx`, its bundled en-us acoustic model, LM and dictionary) decoding one utterance,
for bench/decode.sh: the 16 kHz mono 16-bit WAV given, looped and cut to `seconds`, decoded as one utterance.
Prints one JSON line {"cpu_s", "wall_s" (per decode), "audio_s", "hyp"}. Usage: pocketsphinx_decode.py WAV [--seconds 8] [--repeat 3] [--warmup 1]
"""
import argparse
import json
import time
import wave

from pocketsphinx import Decoder


def main():
    p = argparse.ArgumentParser()
    p.add_argument("wav")
    p.add_argument("--seconds", type=float, default=8)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    a = p.parse_args()
    with wave.open(a.wav) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (1, 16000, 2), "need 16 kHz mono 16-bit"
        clip = w.readframes(w.getnframes())
    n = int(a.seconds * 16000) * 2
    audio = (clip * (n // len(clip) + 1))[:n]
    decoder = Decoder(loglevel="FATAL")                      # default config: the bundled en-us model
    cpu, wall, hyp = [], [], ""
    for i in range(a.warmup + a.repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        decoder.start_utt()
        decoder.process_raw(audio, no_search=False, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp().hypstr if decoder.hyp() else ""
        dc, dw = time.process_time() - c0, time.perf_counter() - t0
        if i >= a.warmup:
            cpu.append(round(dc, 4))
            wall.append(round(dw, 4))
    print(json.dumps({"cpu_s": cpu, "wall_s": wall, "audio_s": a.seconds, "hyp": hyp}), flush=True)


if __name__ == "__main__":
    main()
