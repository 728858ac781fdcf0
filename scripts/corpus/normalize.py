"""Text normalization for the corpus: a Python stand-in for `scribe normalize`, and the switch to it.

What this is: `normalize_lines()` turns raw sentences into transcripts in Scribe's alphabet (a-z, apostrophe,
space): lowercase, numbers spelled out, a few symbols spelled, other punctuation dropped. It prefers Scribe's own
normalizer (`scribe normalize`, Sources/scribe/NormalizeCommand.swift) when a built binary is given or found, and
falls back to the stand-in below otherwise. What it is not: sentence splitting or vocabulary filtering (text.py).
"""
import os
import re
import subprocess
import sys
import unicodedata

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [(10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred")]
ORD_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                 "nine": "ninth", "twelve": "twelfth"}
SYMBOLS = {"&": " and ", "%": " percent ", "+": " plus ", "=": " equals ", "@": " at ", "#": " number ",
           "°": " degrees ", "×": " times "}
ABBREVIATIONS = {"mr.": "mister", "mrs.": "missus", "dr.": "doctor", "st.": "saint", "messrs.": "messieurs"}


def cardinal(n):
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    for value, name in SCALES:
        if n >= value:
            head, rest = divmod(n, value)
            return cardinal(head) + " " + name + ("" if rest == 0 else " " + cardinal(rest))
    raise AssertionError(n)


def ordinal(n):
    words = cardinal(n).split(" ")
    last = words[-1]
    if last in ORD_IRREGULAR:
        words[-1] = ORD_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def _number(match):
    text = match.group(0)
    digits = match.group("int").replace(",", "")
    if len(digits) > 15:
        return " " + " ".join(ONES[int(d)] for d in digits) + " "
    words = cardinal(int(digits))
    if match.group("frac"):
        words += " point " + " ".join(ONES[int(d)] for d in match.group("frac"))
    elif match.group("ord"):
        words = ordinal(int(digits))
    if text.startswith("$"):
        words += " dollars" if digits != "1" else " dollar"
    return " " + words + " "


NUMBER = re.compile(r"\$?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+)|(?P<ord>st|nd|rd|th)\b)?")


def normalize_one(line):
    """One raw line -> normalized transcript ('' when nothing speakable is left)."""
    s = line.replace("\u2019", "'").replace("\u2018", "'").replace("\u2014", " ").replace("\u2013", " ")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.lower()
    s = NUMBER.sub(_number, s)
    for sym, word in SYMBOLS.items():
        s = s.replace(sym, word)
    s = re.sub(r"[^a-z' ]+", " ", s)
    # keep apostrophes only inside words (don't, o'clock); drop quotes and leading/trailing marks
    s = re.sub(r"(?<![a-z])'|'(?![a-z])", " ", s)
    return " ".join(s.split())


def expand_abbreviations(line):
    """Corpus-side cleanup before normalizing: titles a TTS reads as words (Mr. -> mister), so transcript = speech."""
    for abbr, full in ABBREVIATIONS.items():
        line = re.sub(r"(?<![A-Za-z])" + re.escape(abbr), full + " ", line, flags=re.I)
    return line


BUILDS = (".build-release/release/scribe", ".build/release/scribe", ".build-corpus/release/scribe",
          ".build-corpus/debug/scribe", ".build/debug/scribe")


def find_scribe(repo, build=False, log=None):
    """The scribe binary to normalize with: $SCRIBE ("python" means None, the stand-in), else a built one in the
    repo, else (with build=True) a release build made now in .build-release. Without a binary and without build,
    None. The stand-in differs from `scribe normalize` on a few dozen of the 116 k corpus sentences, and the text
    decides which voice reads which sentence, so a corpus made with it is a different corpus: make-corpus builds."""
    env = os.environ.get("SCRIBE")
    if env:
        return env if env != "python" else None
    for rel in BUILDS:
        p = os.path.join(repo, rel)
        if os.access(p, os.X_OK) and _has_normalize(p):
            return p
    if not build:
        return None
    if log:
        log("no built scribe found; building one for `scribe normalize` "
            "(swift build -c release --product scribe --scratch-path .build-release)")
    try:
        ok = subprocess.run(["swift", "build", "-c", "release", "--product", "scribe", "--scratch-path", ".build-release"],
                            cwd=repo, stdout=sys.stderr, stderr=sys.stderr).returncode == 0
    except OSError:
        ok = False
    p = os.path.join(repo, BUILDS[0])
    if not ok or not _has_normalize(p):
        raise SystemExit("could not build scribe for `scribe normalize`; fix the build, or set "
                         "SCRIBE=path/to/scribe (SCRIBE=python uses the Python stand-in, which gives a different corpus)")
    return p


def _has_normalize(binary):
    try:
        r = subprocess.run([binary, "normalize"], input=b"Hello, World 2\n", capture_output=True, timeout=30)
        return r.returncode == 0 and r.stdout.strip() == b"hello world two"
    except (OSError, subprocess.TimeoutExpired):
        return False


def normalize_lines(lines, scribe=None):
    """Normalize many lines at once; returns (normalized list, backend name)."""
    lines = [expand_abbreviations(l) for l in lines]
    if scribe:
        data = "".join(l.replace("\n", " ").replace("\r", " ") + "\n" for l in lines).encode("utf-8")
        r = subprocess.run([scribe, "normalize", "--quiet"], input=data, capture_output=True, check=True)
        out = r.stdout.decode("utf-8").split("\n")
        if out and out[-1] == "":
            out.pop()
        if len(out) != len(lines):
            raise RuntimeError(f"scribe normalize returned {len(out)} lines for {len(lines)}")
        return out, "scribe normalize (" + scribe + ")"
    return [normalize_one(l) for l in lines], "python stand-in (scripts/corpus/normalize.py)"


if __name__ == "__main__":
    import sys
    empty = 0
    for raw in sys.stdin:
        n = normalize_one(expand_abbreviations(raw.rstrip("\n")))
        empty += n == ""
        print(n)
    print(f"normalize: {empty} lines became empty", file=sys.stderr)
