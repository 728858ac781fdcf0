"""Sentence text for the corpus: extract from Debian-shipped sources, normalize, filter by CMUdict, dedupe, split.

What this is: `build_text()` writes corpus/text/sentences.tsv (split, source, normalized text; sorted) and
text_stats.json. Every dropped line is counted by reason. What it is not: synthesis (synth.py) or the normalizer
itself (normalize.py). Sources and licences: scripts/corpus/DATA_CARD.md.
"""
import bz2
import collections
import glob
import gzip
import hashlib
import json
import os
import re
import struct
import subprocess
import sys
import zlib

from normalize import normalize_lines

CMUDICT = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
MIN_WORDS, MAX_WORDS = 3, 20
# Short all-consonant tokens that CMUdict lists but a TTS would expand (etc, mr, vs...) -> sentence dropped.
VOWELS = set("aeiouy")

SPLIT_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]*[A-Z0-9])")
NO_BREAK = re.compile(r"\b(Mr|Mrs|Dr|St|Messrs|Mme|Jr|Sr|vs|etc|i\.e|e\.g|[A-Z])\.$")


def split_sentences(paragraph):
    """Split a paragraph into sentences at . ! ? followed by a capital; not after Mr. Mrs. initials."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    parts, start = [], 0
    for m in SPLIT_END.finditer(text):
        if NO_BREAK.search(text[start:m.start()]):
            continue
        parts.append(text[start:m.start()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    out = []
    for p in parts:  # long sentences: also break at clause marks ; : so they fit 3-20 words
        out.extend(re.split(r"(?<=[;:])\s+", p) if len(p.split()) > MAX_WORDS else [p])
    return [p for p in out if p]


# ---------------------------------------------------------------- sources: each yields raw sentences
def src_fortunes():
    files = sorted(f for f in glob.glob("/usr/share/games/fortunes/*")
                   if os.path.isfile(f) and not f.endswith((".dat", ".u8")) and not os.path.islink(f))
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            chunks = fh.read().split("\n%\n")
        for chunk in chunks:
            lines = [l for l in chunk.split("\n") if not re.match(r"^\s*(--|\u2014)", l)]  # drop attributions
            body = "\n".join(lines)
            if re.search(r"[<>{}\[\]|\\_~^]|:\s*$", body):  # code, dialogues, ascii art
                continue
            for para in re.split(r"\n\s*\n", body):
                yield from split_sentences(para)


def src_bible():
    d = "/usr/share/sword/modules/texts/ztext/engWEB2015eb/"
    for testament in ("ot", "nt"):
        if not os.path.exists(d + testament + ".bzs"):
            continue
        index = open(d + testament + ".bzs", "rb").read()
        blob = open(d + testament + ".bzz", "rb").read()
        for i in range(len(index) // 12):
            off, size, _ = struct.unpack("<III", index[12 * i:12 * i + 12])
            text = zlib.decompress(blob[off:off + size]).decode("utf-8", "replace")
            text = re.sub(r"<title[^>]*>.*?</title>|<note[^>]*>.*?</note>", " ", text, flags=re.S)
            text = re.sub(r"<div[^>]*type=\"x-p\"[^>]*/>|<div[^>]*type=\"paragraph\"[^>]*/>", "\n\n", text)
            text = re.sub(r"<[^>]+>", " ", text)
            for para in re.split(r"\n\s*\n", text):
                yield from split_sentences(para)


def _rscript(expr):
    try:
        r = subprocess.run(["Rscript", "-e", expr], capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None


def src_austen():
    out = _rscript("library(janeaustenr); b <- austen_books(); for (t in unique(b$book)) "
                   "{ writeLines(b$text[b$book == t]); writeLines(c('', '')) }")
    if out is None:
        return
    for para in re.split(r"\n\s*\n", out):
        if para.strip().isupper():  # CHAPTER headings
            continue
        yield from split_sentences(para)


def src_harvard():
    out = _rscript("writeLines(stringr::sentences)")
    if out is None:
        return
    for line in out.splitlines():
        if line.strip():
            yield line.strip()


def src_wordnet():
    for pos in ("noun", "verb", "adj", "adv"):
        path = "/usr/share/wordnet/data." + pos
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(" ") or "|" not in line:
                    continue
                gloss = line.split("|", 1)[1]
                for ex in re.findall(r"\"([^\"]+)\"", gloss):
                    ex = ex.strip()
                    if ex and ex[0].isalpha():
                        yield ex[0].upper() + ex[1:]


def src_devil():
    path = "/usr/share/dictd/devil.dict.dz"
    if not os.path.exists(path):
        return
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    for para in re.split(r"\n\s*\n", text):
        if para.startswith(" "):  # verse
            continue
        para = re.sub(r"^[A-Z][A-Z' ,.-]*?,\s*(n|v|adj|adv|pp|p|x|v\.t|v\.i|pro|prep|conj|interj)\.\s*", "",
                      para.strip())
        yield from split_sentences(para.replace("_", ""))


SOURCES = [  # name, generator, licence (short; DATA_CARD.md has the details), Debian package
    ("harvard", src_harvard, "public domain (IEEE 1969 Harvard sentences)", "r-cran-stringr"),
    ("fortunes", src_fortunes, "BSD-style / public domain collection (see package copyright)", "fortunes"),
    ("bible", src_bible, "public domain (World English Bible)", "sword-text-web"),
    ("austen", src_austen, "public domain (Project Gutenberg texts)", "r-cran-janeaustenr"),
    ("wordnet", src_wordnet, "WordNet 3.0 licence (Princeton, permissive)", "wordnet-base"),
    ("devil", src_devil, "public domain (Bierce, 1911)", "dict-devil"),
]


def load_cmudict(path=CMUDICT):
    words = set()
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            w = line.split(" ", 1)[0]
            words.add(re.sub(r"\(\d+\)$", "", w).lower())
    return words


TOO_LONG_OR_SHORT, NOT_IN_CMUDICT = "length outside 3-20 words", "word not in CMUdict"


def drop_reason(words, vocab):
    """Why the corpus leaves out a normalized sentence (its words), as a text_stats.json reason; None if it passes.
    The filters apply in this order, so a sentence gets the first reason that fits."""
    if not words:
        return "empty after normalizing"
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return TOO_LONG_OR_SHORT
    if any(w not in vocab for w in words):
        return NOT_IN_CMUDICT
    if any(len(w) > 1 and len(w) <= 4 and not (set(w) & VOWELS) for w in words):
        return "abbreviation-like token"
    return None


def split_of(text, source):
    """Deterministic split by sentence hash: 1% dev, 1% test, rest train; Harvard only in test."""
    if source == "harvard":
        return "test"
    h = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) % 100
    return "dev" if h == 0 else "test" if h == 1 else "train"


def build_text(outdir, scribe=None, max_sentences=None, log=print):
    os.makedirs(outdir, exist_ok=True)
    vocab = load_cmudict()
    drops = collections.Counter()
    kept = collections.Counter()
    seen = {}
    per_source_raw = collections.Counter()
    backend = None
    for name, gen, _, pkg in SOURCES:
        raw = list(gen())
        per_source_raw[name] = len(raw)
        if not raw:
            log(f"text: source {name} gave no sentences (is Debian package {pkg} installed?)")
            continue
        ascii_bad = sum(1 for r in raw if not r.isascii())
        normed, backend = normalize_lines(raw, scribe)
        drops["non-ascii (folded, kept if it passes)"] += ascii_bad
        for text in normed:
            reason = drop_reason(text.split(), vocab)
            if reason:
                drops[reason] += 1
            elif text in seen:
                drops["duplicate"] += 1
            else:
                seen[text] = name
                kept[name] += 1
        log(f"text: {name:9s} {len(raw):7d} raw -> {kept[name]:6d} kept")
    rows = sorted((split_of(t, s), s, t) for t, s in seen.items())
    if max_sentences and len(rows) > max_sentences:  # keep all test; thin train/dev deterministically
        rows = [r for r in rows if r[0] == "test" or
                int(hashlib.sha1(r[2].encode()).hexdigest()[8:16], 16) % len(rows) < max_sentences]
    tmp = os.path.join(outdir, "sentences.tsv.tmp")
    with open(tmp, "w") as fh:
        for split, source, text in rows:
            fh.write(f"{split}\t{source}\t{text}\n")
    os.replace(tmp, os.path.join(outdir, "sentences.tsv"))
    words = [w for _, _, t in rows for w in t.split()]
    stats = {"normalizer": backend, "raw_per_source": per_source_raw, "kept_per_source": kept,
             "dropped": drops, "sentences": len(rows),
             "per_split": collections.Counter(r[0] for r in rows), "words": len(words),
             "vocabulary": len(set(words))}
    with open(os.path.join(outdir, "text_stats.json"), "w") as fh:
        json.dump(stats, fh, indent=1, sort_keys=True)
    return rows, stats


def read_sentence_file(path, scribe=None, log=print):
    """User-given sentence file (one a line): normalized; every dropped line counted by reason, never silent."""
    with open(path, "rb") as fh:
        raw = fh.read().decode("utf-8", "replace").splitlines()
    normed, backend = normalize_lines(raw, scribe)
    vocab = load_cmudict()
    rows, drops, seen = [], collections.Counter(), set()
    for i, (r, t) in enumerate(zip(raw, normed), 1):
        if not r.isascii():
            drops["had non-ASCII characters (folded or dropped by the normalizer)"] += 1
        if re.search(r"\d", r) and t:
            drops["had digits (spelled out)"] += 1
        if not t:
            drops["empty after normalizing (dropped)"] += 1
            continue
        oov = [w for w in t.split() if w not in vocab]
        if oov:
            drops["word not in CMUdict (dropped)"] += 1
            log(f"text: {path}:{i}: dropped, unknown words: {' '.join(oov[:5])}")
            continue
        if t in seen:
            drops["duplicate (dropped)"] += 1
            continue
        seen.add(t)
        rows.append((split_of(t, "file"), "file", t))
    for reason, n in sorted(drops.items()):
        log(f"text: {path}: {n} lines {reason}")
    log(f"text: {path}: {len(rows)} sentences kept of {len(raw)} lines (normalizer: {backend})")
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    rows, stats = build_text(sys.argv[1] if len(sys.argv) > 1 else "corpus/text")
    print(json.dumps(stats, indent=1))
