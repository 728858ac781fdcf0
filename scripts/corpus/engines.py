"""The voice inventory and one synthesizer per TTS engine (espeak-ng, mbrola through espeak-ng, flite, festival,
pico2wave, FreeTTS; and pico2wave's German, Spanish, French and Italian speakers reading English phonemes).

What this is: `all_voices()` lists every English voice Debian offers with its engine, whether it is reserved for the
unseen-voice test split, and whether it is installed here; `synthesize(voice, items, tmpdir)` turns a block of
normalized sentences into raw WAV files with that voice, batching engines that are slow to start (festival, FreeTTS).
What it is not: augmentation (augment.py) or planning (make-corpus).
"""
import os
import shutil
import subprocess

import xsampa

ESPEAK_DATA_DIRS = ["/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
                    "/usr/share/espeak-ng-data"]
ESPEAK_ACCENTS = ["en-us", "en-gb", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
ESPEAK_MBROLA = ["us1", "us2", "en1", "de1", "de2", "de3", "de4", "de5", "de6", "gr2", "ro1", "nl2", "fr1", "fr4",
                 "hu1", "sw1", "sw2", "af1", "pl1"]
FLITE = ["kal16", "awb", "rms", "kal"]
FESTIVAL = ["kal_diphone", "ked_diphone", "don_diphone", "us1_mbrola", "us2_mbrola", "en1_mbrola"]
# Reserved for the unseen-voice test split; never used for training.
RESERVED = [("flite", "slt"), ("festival", "cmu_us_slt_arctic_hts"), ("festival", "rab_diphone"),
            ("espeak-mbrola", "us3"), ("festival", "us3_mbrola"), ("espeak-ng", "en-gb-scotland"),
            ("pico", "en-GB")]
# Extra voices, used only when --voices names them (the default corpus never had them): pico2wave's other speakers
# reading espeak-ng's English phonemes mapped to their language's phones (xsampa.py), i.e. accented English.
PICO_XSAMPA = ["de-DE", "es-ES", "fr-FR", "it-IT"]
# Extra voices (session 27), used only when --voices names them: mbrola speakers of other languages that espeak-ng
# ships no English voice for, reading English through a voice file this recipe writes ("language en" with the
# speaker's own phoneme table, as espeak-ng's mb-de4-en and mb-fr1-en do). Kept: the 17 whose table covers English
# well enough (at most 11 diphones replaced by silence in three test sentences, scripts/corpus/screen-mbrola-x);
# the other 36 installed mbrola speakers (Italian, Japanese, Hebrew, Arabic, ...) lose 15-97 diphones to silence
# or fail.
MBROLA_X = ["ca1", "ca2", "cr1", "de7", "es1", "es2", "fr2", "fr3", "fr5", "fr6", "fr7", "id1", "ir1", "mx1", "mx2",
            "nl3", "pt1"]
# Relative share of utterances per voice (espeak-ng accents pick one of ~100 variants per block).
WEIGHT = {"espeak-ng": 3.0, "espeak-mbrola": 1.0, "espeak-mbrola-x": 1.0, "flite": 1.5, "festival": 1.5, "pico": 3.0, "freetts": 2.0, "pico-xsampa": 3.0}
PACKAGE = {"espeak-ng": "espeak-ng", "flite": "flite", "festival": "festival", "pico": "libttspico-utils",
           "freetts": "freetts"}


class Voice:
    def __init__(self, engine, name, reserved=False, extra=False):
        self.engine, self.name, self.reserved, self.extra = engine, name, reserved, extra
        self.weight = WEIGHT[engine]

    @property
    def id(self):
        return f"{self.engine}/{self.name}"

    def __repr__(self):
        return self.id


def espeak_data():
    for d in ESPEAK_DATA_DIRS:
        if os.path.isdir(os.path.join(d, "voices")):
            return d
    return None


def espeak_variants():
    d = espeak_data()
    if not d:
        return []
    return sorted(v for v in os.listdir(os.path.join(d, "voices", "!v")) if " " not in v)


_mbrola_x_root = None


def mbrola_x_path():
    """The espeak-ng data folder for the MBROLA_X voices, made on first use: links to the system's espeak-ng-data
    (nothing copied) plus voices/mbx/mb-NAME-en for every installed mbrola speaker espeak-ng has a voice file for.
    Pass its parent as `espeak-ng --path`. Lives in cache/ (gitignored); rebuilt when missing, checked once per
    process."""
    global _mbrola_x_root
    if _mbrola_x_root and os.path.isdir(os.path.join(_mbrola_x_root, "espeak-ng-data", "voices", "mbx")):
        return _mbrola_x_root
    src = espeak_data()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cache", "espeak-mbrola-x")
    data = os.path.join(root, "espeak-ng-data")
    mbx = os.path.join(data, "voices", "mbx")
    os.makedirs(mbx, exist_ok=True)
    links = [(os.path.join(src, n), os.path.join(data, n)) for n in os.listdir(src) if n != "voices"]
    links += [(os.path.join(src, "voices", n), os.path.join(data, "voices", n)) for n in os.listdir(os.path.join(src, "voices"))]
    for target, link in links:
        try:
            os.symlink(target, link)
        except FileExistsError:  # made before, or by the other job at the same moment
            pass
    mb = os.path.join(src, "voices", "mb")
    for f in sorted(os.listdir(mb)):
        name = f[3:]
        out = os.path.join(mbx, f"mb-{name}-en")
        if not f.startswith("mb-") or "-" in name or os.path.exists(out):
            continue
        keep = [l for l in open(os.path.join(mb, f), encoding="latin-1")
                if l.split()[:1] and l.split()[0] in ("gender", "pitch", "voicing", "mbrola")]
        tmp = out + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(f"name en-mbrola-{name}\nlanguage en 10\n" + "".join(keep))
        os.replace(tmp, out)
    _mbrola_x_root = root
    return root


def all_voices():
    """Every voice this recipe knows, installed or not (see `missing_reason`)."""
    vs = [Voice("espeak-ng", a) for a in ESPEAK_ACCENTS]
    vs += [Voice("espeak-mbrola", m) for m in ESPEAK_MBROLA]
    vs += [Voice("flite", f) for f in FLITE]
    vs += [Voice("festival", f) for f in FESTIVAL]
    vs += [Voice("pico", "en-US"), Voice("freetts", "kevin16")]
    vs += [Voice(e, n, reserved=True) for e, n in RESERVED]
    vs += [Voice("pico-xsampa", n, extra=True) for n in PICO_XSAMPA]
    vs += [Voice("espeak-mbrola-x", n, extra=True) for n in MBROLA_X]
    return vs


_flite_voices = None


def missing_reason(v):
    """None when the voice can be used here, else a message saying what to install."""
    if v.engine in ("espeak-ng", "espeak-mbrola", "espeak-mbrola-x"):
        if not shutil.which("espeak-ng") or not espeak_data():
            return "espeak-ng is not installed (apt-get install espeak-ng)"
        if v.engine == "espeak-ng":
            lang = os.path.join(espeak_data(), "lang", "gmw")
            names = {n.lower() for n in os.listdir(lang)} if os.path.isdir(lang) else set()
            names |= {"en-gb"} if "en" in names else set()
            return None if v.name.lower() in names else f"espeak-ng has no accent {v.name} in this version"
        if not shutil.which("mbrola"):
            return "mbrola is not installed (contrib/non-free: scripts/corpus/install-voices)"
        if not os.path.isdir(f"/usr/share/mbrola/{v.name}"):
            return f"mbrola voice {v.name} is not installed (apt-get install mbrola-{v.name}; non-free)"
        return None
    if v.engine == "flite":
        global _flite_voices
        if not shutil.which("flite"):
            return "flite is not installed"
        if _flite_voices is None:
            out = subprocess.run(["flite", "-lv"], capture_output=True, text=True).stdout
            _flite_voices = set(out.split(":", 1)[-1].split())
        return None if v.name in _flite_voices else f"flite has no voice {v.name}"
    if v.engine == "festival":
        if not shutil.which("festival"):
            return "festival is not installed"
        for sub in ("english", "us"):
            if os.path.isdir(f"/usr/share/festival/voices/{sub}/{v.name}"):
                if v.name.endswith("_mbrola") and not shutil.which("mbrola"):
                    return "mbrola is not installed (non-free)"
                return None
        return f"festival voice {v.name} is not installed (festvox-* package)"
    if v.engine in ("pico", "pico-xsampa"):
        if not shutil.which("pico2wave"):
            return "pico2wave is not installed (libttspico-utils, non-free)"
        if v.engine == "pico-xsampa":
            if not shutil.which("espeak-ng"):
                return "espeak-ng is not installed (its English phonemizer feeds these voices)"
            lang = "/usr/share/pico/lang"
            if not any(f.startswith(v.name + "_") for f in (os.listdir(lang) if os.path.isdir(lang) else [])):
                return f"pico2wave has no {v.name} voice (libttspico-data)"
        return None
    if v.engine == "freetts":
        if not os.path.exists("/usr/share/java/freetts.jar") or not shutil.which("java"):
            return "FreeTTS is not installed (apt-get install freetts; needs java)"
        return None
    return "unknown engine"


# ------------------------------------------------------------------ synthesis
# An item: dict(text, rate, pitch, variant) -> raw WAV written to item["raw"]. rate > 1 is faster; pitch is a
# factor around 1 (engines without native controls get sox tempo/pitch in augment.py: item["post"]).

def _run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, timeout=kw.pop("timeout", 600), **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({r.returncode}): {r.stderr.decode(errors='replace')[-300:]}")
    return r


def _pico_markup(inner, rate, pitch):
    """pico2wave's markup for a rate and pitch factor around 1 (88 and 100 are its levels for them)."""
    return f"<speed level='{int(88 * rate)}'><pitch level='{int(100 * pitch)}'>{inner}</pitch></speed>"


def _pico_phonemes(lang, phonemes, rate, pitch, out, tmpdir):
    """X-SAMPA words -> out. pico2wave now and then never returns on a long phoneme string (seen with it-IT; the
    same words in shorter pieces are fine): after 20 s the words are said in pieces of 4, then one at a time, and
    joined by sox."""
    def say(ph, path):
        markup = _pico_markup(f"<phoneme alphabet='xsampa' ph='{ph}'/>", rate, pitch)
        try:
            _run(["pico2wave", "-l", lang, "-w", path, markup], timeout=20)
            return True
        except subprocess.TimeoutExpired:
            return False
    if say(phonemes, out):
        return
    words = phonemes.split()
    for size in (4, 1):
        parts = []
        for k in range(0, len(words), size):
            part = os.path.join(tmpdir, f"piece{len(parts):03d}.wav")
            if not say(" ".join(words[k:k + size]), part):
                break
            parts.append(part)
        else:
            _run(["sox"] + parts + [out])
            for part in parts:
                os.remove(part)
            return
    raise RuntimeError(f"pico2wave {lang} hangs on: {phonemes[:80]}")


def synthesize(voice, items, tmpdir):
    for i, it in enumerate(items):
        it["raw"] = os.path.join(tmpdir, f"raw{i:03d}.wav")
        it["post_tempo"], it["post_pitch"] = 1.0, 1.0
    e = voice.engine
    if e in ("espeak-ng", "espeak-mbrola", "espeak-mbrola-x"):
        # espeak-mbrola-x reads the voice files mbrola_x_path() writes, through espeak-ng's --path.
        data = [f"--path={mbrola_x_path()}"] if e == "espeak-mbrola-x" else []
        for it in items:
            if e == "espeak-mbrola-x":
                name = f"mbx/mb-{voice.name}-en"
            else:
                name = voice.name if e == "espeak-ng" else f"mb-{voice.name}" + ("" if voice.name in ("us1", "us2", "us3", "en1") else "-en")
            if e == "espeak-ng" and it.get("variant"):
                name += "+" + it["variant"]
            _run(["espeak-ng"] + data + ["-v", name, "-a", "40", "-s", str(int(165 * it["rate"])),
                  "-p", str(int(max(0, min(99, 50 * it["pitch"] ** 2)))), "-w", it["raw"], it["text"]])
    elif e == "flite":
        for it in items:
            f0 = {"kal": 105, "kal16": 105, "awb": 110, "rms": 100, "slt": 170}.get(voice.name, 110) * it["pitch"]
            _run(["flite", "-voice", voice.name, "--setf", f"duration_stretch={1 / it['rate']:.3f}",
                  "--setf", f"int_f0_target_mean={f0:.1f}", "-t", it["text"], "-o", it["raw"]])
    elif e == "pico":
        for it in items:
            _run(["pico2wave", "-l", voice.name, "-w", it["raw"], _pico_markup(it["text"], it["rate"], it["pitch"])])
    elif e == "pico-xsampa":
        for it in items:
            phonemes = xsampa.to_xsampa(xsampa.ipa(it["text"]), voice.name)
            _pico_phonemes(voice.name, phonemes, it["rate"], it["pitch"], it["raw"], tmpdir)
    elif e == "festival":
        script = os.path.join(tmpdir, "batch.scm")
        with open(script, "w") as fh:
            fh.write(f"(voice_{voice.name})\n")
            for it in items:
                text = it["text"].replace("\\", "").replace('"', "")
                fh.write(f"(Parameter.set 'Duration_Stretch {1 / it['rate']:.3f})\n")
                fh.write(f'(utt.save.wave (utt.synth (Utterance Text "{text}")) "{it["raw"]}" \'riff)\n')
                it["post_pitch"] = it["pitch"]
        _run(["festival", "-b", script])
    elif e == "freetts":
        lines = os.path.join(tmpdir, "lines.txt")
        with open(lines, "w") as fh:
            fh.write("".join(it["text"] + "\n" for it in items))
        base = os.path.join(tmpdir, "ftts.wav")
        _run(["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", "/usr/share/java/freetts.jar",
              "-voice", voice.name, "-lines", lines, "-dumpMultiAudio", base])
        for i, it in enumerate(items):
            os.replace(os.path.join(tmpdir, f"ftts{i}.wav"), it["raw"])
            it["post_tempo"], it["post_pitch"] = it["rate"], it["pitch"]
    else:
        raise RuntimeError(f"unknown engine {e}")
    for it in items:
        if not os.path.exists(it["raw"]) or os.path.getsize(it["raw"]) < 100:
            raise RuntimeError(f"{voice.id} wrote no audio for: {it['text'][:60]}")
