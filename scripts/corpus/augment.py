"""Augmentation with sox: speed/tempo/pitch, room reverb, additive noise at a chosen SNR (generated noise or babble),
telephone band or 8 kHz round trip, gain; always a noise floor (TTS engines emit exact digital silence).

What this is: `make_noise_bank()` writes fixed noise files once (sox -R, so repeatable); `draw_params(rng)` picks an
utterance's augmentation; `render(item, params, out)` runs two sox processes and writes a 16 kHz mono 16-bit FLAC.
What it is not: synthesis (engines.py). All randomness comes from the caller's seeded rng; sox always runs with -R.
"""
import audioop
import math
import os
import subprocess
import wave

BANK_SECONDS = 60
NOISES = ["white", "pink", "brown", "babble"]


def _sox(args):
    r = subprocess.run(["sox", "-R", "-V1"] + args, capture_output=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("sox " + " ".join(args)[:200] + ": " + r.stderr.decode(errors="replace")[-300:])


def make_noise_bank(bankdir, babble_sources):
    """white/pink/brown noise from sox synth; babble = 6 overlapping talkers from `babble_sources` (wav paths)."""
    os.makedirs(bankdir, exist_ok=True)
    for kind in ("white", "pink", "brown"):
        path = os.path.join(bankdir, kind + ".wav")
        if not os.path.exists(path):
            _sox(["-n", "-r", "16000", "-b", "16", "-c", "1", path + ".tmp.wav", "synth", str(BANK_SECONDS),
                  kind + "noise", "gain", "-n", "-3"])
            os.replace(path + ".tmp.wav", path)
    path = os.path.join(bankdir, "babble.wav")
    if not babble_sources:  # no voice could speak: babble falls back to pink noise
        babble_sources = [os.path.join(bankdir, "pink.wav")]
    if not os.path.exists(path):
        conv = []
        for i, src in enumerate(babble_sources):  # to 16 kHz first: sox concatenates only equal rates
            c = os.path.join(bankdir, f"src{i:02d}.wav")
            _sox([src, "-r", "16000", "-c", "1", "-b", "16", c, "rate", "-v", "16000", "gain", "-n", "-3"])
            conv.append(c)
        streams = []
        for t in range(6):  # each talker: its sentences in turn, repeated to fill the bank
            srcs = conv[t % len(conv)::6] or conv
            s = os.path.join(bankdir, f"talker{t}.wav")
            _sox(srcs + [s + ".one.wav"] if len(srcs) > 1 else [srcs[0], s + ".one.wav"])
            length = max(0.1, _rms_and_duration(s + ".one.wav")[1])
            _sox([s + ".one.wav", s, "repeat", str(int(BANK_SECONDS / length) + 1), "trim", "0", str(BANK_SECONDS)])
            os.remove(s + ".one.wav")
            streams.append(s)
        _sox(["-m"] + streams + ["-b", "16", path + ".tmp.wav", "gain", "-n", "-3"])
        os.replace(path + ".tmp.wav", path)
        for s in streams + conv:
            os.remove(s)


def draw_params(rng):
    """One utterance's augmentation, as a plain dict (recorded in the manifest as 'aug')."""
    p = {"speed": rng.choice([0.9, 1.0, 1.1])}
    if rng.random() < 0.3:
        p["reverb"] = [rng.randint(10, 80), rng.randint(20, 80), rng.randint(20, 100), rng.randint(0, 20)]
    if rng.random() < 0.8:
        p["noise"] = rng.choice(NOISES)
        p["snr"] = round(rng.uniform(0, 30), 1)
    else:  # noise floor only
        p["noise"] = rng.choice(["white", "pink"])
        p["snr"] = round(rng.uniform(45, 65), 1)
    p["noise_offset"] = round(rng.uniform(0, BANK_SECONDS - 30), 2)
    band = rng.random()
    if band < 0.15:
        p["band"] = "telephone"
    elif band < 0.25:
        p["band"] = "8k"
    p["peak_db"] = -round(rng.uniform(1, 20), 1)
    return p


def _rms_and_duration(path):
    with wave.open(path, "rb") as w:
        frames = w.readframes(w.getnframes())
        return audioop.rms(frames, w.getsampwidth()), w.getnframes() / w.getframerate()


BANK_RMS = {}


def render(item, p, out, bankdir, tmp):
    """item['raw'] (any rate) -> out (FLAC, 16 kHz mono 16-bit). Returns duration in seconds."""
    s1 = tmp + ".s1.wav"
    fx = []
    if item.get("post_tempo", 1.0) != 1.0:
        fx += ["tempo", "-s", f"{item['post_tempo']:.3f}"]
    if item.get("post_pitch", 1.0) != 1.0:
        fx += ["pitch", f"{1200 * math.log2(item['post_pitch']):.0f}"]
    if p["speed"] != 1.0:
        fx += ["speed", str(p["speed"])]
    fx += ["rate", "-v", "16000"]
    if "reverb" in p:
        r = p["reverb"]
        fx += ["pad", "0", "0.3", "reverb", str(r[0]), str(r[1]), str(r[2]), "100", str(r[3]), "0", "channels", "1"]
    _sox([item["raw"], "-c", "1", "-b", "16", s1] + fx + ["pad", "0.15", "0.15"])
    rms, dur = _rms_and_duration(s1)
    noise = os.path.join(bankdir, p["noise"] + ".wav")
    if noise not in BANK_RMS:
        BANK_RMS[noise] = _rms_and_duration(noise)[0]
    speech_vol = 0.4
    noise_vol = speech_vol * max(rms, 1) / max(BANK_RMS[noise], 1) / (10 ** (p["snr"] / 20))
    fx2 = []
    if p.get("band") == "telephone":
        fx2 += ["sinc", "300-3400", "rate", "-v", "8000", "rate", "-v", "16000"]
    elif p.get("band") == "8k":
        fx2 += ["rate", "-v", "8000", "rate", "-v", "16000"]
    fx2 += ["gain", "-n", str(p["peak_db"])]
    tmp_out = tmp + ".out.flac"
    noise_in = f"|sox -R -V1 {noise} -p trim {p['noise_offset']} {dur + 0.1:.4f}"
    _sox(["-m", "-v", str(speech_vol), s1, "-v", f"{noise_vol:.6f}", noise_in, "-b", "16", "-r", "16000", tmp_out,
          "trim", "0", f"{dur:.5f}"] + fx2)
    os.remove(s1)
    os.replace(tmp_out, out)  # whole file or nothing
    return dur
