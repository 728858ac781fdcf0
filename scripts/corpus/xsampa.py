"""English text -> X-SAMPA phonemes that one of pico2wave's voices can say (accented English from its German, Spanish,
French and Italian speakers).

What this is: espeak-ng's English phonemizer (`--ipa`), its IPA tokens mapped to X-SAMPA, and for each pico language
the first of a list of substitutes that the voice accepts (each English phone has an ordered list: the phone itself,
then the nearest ones a speaker of that language would say, as the espeak-ng `mb-*-en` voices do for mbrola).
Acceptance is measured once per language and cached in memory: pico2wave replaces a phoneme string holding a symbol it
does not know with the same fixed sound, so a candidate X is accepted when "taXa" does not come out exactly as long as
"ta5a" (X-SAMPA's velarized l, which none of the five languages has). pico2wave spells X-SAMPA's r\\ as r\\\\
(en-US); its Spanish and Italian voices accept r\\ but then hang on some sentences, so it is not a candidate.
What it is not: a general phonemizer, or a claim that the result sounds native; that is the point of it.
"""
import functools
import os
import re
import subprocess
import tempfile
import wave

# espeak-ng IPA token -> X-SAMPA candidates, best first (multi-symbol fallbacks are concatenated phones).
CANDIDATES = {
    "p": ["p"], "b": ["b"], "t": ["t"], "d": ["d"], "k": ["k"], "ɡ": ["g"], "g": ["g"], "f": ["f"], "v": ["v", "f"],
    "θ": ["T", "f", "s", "t"], "ð": ["D", "d", "z", "v"], "s": ["s"], "z": ["z", "s"], "ʃ": ["S", "s"],
    "ʒ": ["Z", "S", "z"], "h": ["h", "x", ""], "tʃ": ["tS", "t_S", "ts"], "dʒ": ["dZ", "dz", "j"], "m": ["m"], "n": ["n"],
    "ŋ": ["N", "ng"], "l": ["l"], "ɹ": ["r\\\\", "R", "r"], "r": ["r\\\\", "R", "r"], "j": ["j", "i"], "w": ["w", "u"],
    "iː": ["i:", "i"], "i": ["i", "I", "i:"], "ɪ": ["I", "i"], "ᵻ": ["I", "i", "@"], "eɪ": ["e_I", "eI", "e"],
    "e": ["e", "E", "e_I"], "ɛ": ["E", "e"], "æ": ["{", "E", "a"], "a": ["a", "{", "A:"], "ɑː": ["A:", "a:", "a"], "ɑ": ["A", "a", "A:"],
    "ɒ": ["Q", "O", "o"], "ɔː": ["O:", "O", "o"], "ɔ": ["O", "o", "O:"], "o": ["o", "O", "@_U"], "oʊ": ["@_U", "o_U", "o:", "o"],
    "əʊ": ["@_U", "o_U", "o:", "o"], "ʊ": ["U", "u"], "uː": ["u:", "u"], "u": ["u", "u:"], "ʌ": ["V", "6", "a"],
    "ə": ["@", "e", "a"], "ɐ": ["6", "@", "a"], "ɚ": ["@`", "6", "@R", "er"], "ɝ": ["3:", "9", "@R", "er"],
    "ɜː": ["3:", "9", "@", "er"], "aɪ": ["a_I", "aI", "ai"], "aʊ": ["a_U", "aU", "au"], "ɔɪ": ["O_I", "OY", "oi"],
    "ɪə": ["I@", "ia"], "eə": ["E@", "E:", "ea"], "ʊə": ["U@", "ua"], "ɾ": ["4", "d", "t"], "ʔ": [""], "x": ["x", "k"],
    "n̩": ["n"], "l̩": ["l"], "m̩": ["m"],
}
STRESS = {"ˈ": '"', "ˌ": "%"}
TOKENS = sorted(CANDIDATES, key=len, reverse=True)


def _samples(lang, ph, tmp):
    out = os.path.join(tmp, "probe.wav")
    subprocess.run(["pico2wave", "-l", lang, "-w", out, f"<phoneme alphabet='xsampa' ph='{ph}'/>"],
                   capture_output=True, timeout=60)
    try:
        with wave.open(out, "rb") as w:
            return w.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


@functools.lru_cache(maxsize=None)
def phone_map(lang):
    """English IPA token -> the X-SAMPA this pico language accepts (the first accepted candidate, else '')."""
    with tempfile.TemporaryDirectory() as tmp:
        invalid = _samples(lang, "ta5a", tmp)
        accepted = {}

        def ok(c):
            if c not in accepted:
                accepted[c] = c == "" or _samples(lang, f"ta{c}a", tmp) != invalid
            return accepted[c]
        return {tok: next((c for c in cands if ok(c)), "") for tok, cands in CANDIDATES.items()}


def ipa(text, accent="en-us"):
    """espeak-ng's IPA for English text, words separated by spaces."""
    r = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", accent, text], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"espeak-ng --ipa failed: {r.stderr[-200:]}")
    return " ".join(r.stdout.split())


def to_xsampa(ipa_text, lang):
    """IPA words -> X-SAMPA words in the phones `lang` accepts. Unknown symbols are dropped."""
    table = phone_map(lang)
    words = []
    for word in ipa_text.split():
        word = word.replace("-", "")
        out, i = [], 0
        while i < len(word):
            ch = word[i]
            if ch in STRESS:
                out.append(STRESS[ch])
                i += 1
                continue
            tok = next((t for t in TOKENS if word.startswith(t, i)), None)
            if tok is None:
                i += 1  # length marks on their own, combining marks, ties: dropped
                continue
            out.append(table[tok])
            i += len(tok)
        w = re.sub(r'["%]+(?=["%]|$)', "", "".join(out))
        if w.strip('"%'):
            words.append(w)
    return " ".join(words)
