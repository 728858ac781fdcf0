"""Extra language-model text: the sentences of the corpus's own sources that text.py leaves out of the synthetic
corpus only because of their length (outside 3-20 words) or a word missing from CMUdict.

What this is: `python3 scripts/corpus/lm_text.py [SCRIBE] [OUT]` reads the same sources as text.py, normalizes them the
same way, and writes one sentence per line to OUT (default corpus/text/lm-extra.txt). It leaves out the Harvard
sentences (a test-only source), every sentence already in corpus/text/sentences.tsv, every one that is too short to be
a sentence (1 word), and every one that contains a dev or test sentence as a run of whole words, so that no dev or
test sentence reaches a language model through a longer line. What it is not: acoustic training text (these sentences
are never synthesized).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import text as textmod  # noqa: E402
from normalize import find_scribe, normalize_lines  # noqa: E402


def held_out_sentences(path):
    """The dev and test sentences of sentences.tsv, and every sentence of it (to skip duplicates)."""
    held, every = set(), set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                sys.exit(f"lm_text: {path}:{n}: expected split<TAB>source<TAB>text")
            every.add(parts[2])
            if parts[0] != "train":
                held.add(parts[2])
    return held, every


def contains_held_out(words, held, lengths):
    """Whether any run of whole words in `words` is a held-out sentence."""
    for size in lengths:
        for i in range(len(words) - size + 1):
            if " ".join(words[i:i + size]) in held:
                return True
    return False


def main():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    scribe = sys.argv[1] if len(sys.argv) > 1 else find_scribe(repo, build=True, log=lambda m: print(m, file=sys.stderr))
    out = sys.argv[2] if len(sys.argv) > 2 else "corpus/text/lm-extra.txt"
    tsv = os.path.join(os.path.dirname(out) or ".", "sentences.tsv")
    if not os.path.exists(tsv):
        sys.exit(f"lm_text: {tsv} is missing; build the corpus text first (scripts/make-corpus)")
    held, every = held_out_sentences(tsv)
    lengths = sorted({len(s.split()) for s in held})
    vocab = textmod.load_cmudict()
    kept, dropped_held, seen = [], 0, set()
    for name, gen, _, pkg in textmod.SOURCES:
        if name == "harvard":
            continue
        raw = list(gen())
        if not raw:
            print(f"lm_text: source {name} gave no sentences (is Debian package {pkg} installed?)", file=sys.stderr)
            continue
        normed, _ = normalize_lines(raw, scribe)
        count = 0
        for line in normed:
            words = line.split()
            if len(words) < 2 or line in every or line in seen:
                continue
            if textmod.drop_reason(words, vocab) not in (textmod.TOO_LONG_OR_SHORT, textmod.NOT_IN_CMUDICT):
                continue  # the corpus kept it, or left it out for a reason that holds for an LM too
            if contains_held_out(words, held, lengths):
                dropped_held += 1
                continue
            seen.add(line)
            kept.append(line)
            count += 1
        print(f"lm_text: {name:9s} {count:6d} extra sentences", file=sys.stderr)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(s + "\n" for s in kept)
    os.replace(tmp, out)
    words = sum(len(s.split()) for s in kept)
    print(f"lm_text: {len(kept)} sentences, {words} words → {out} ({dropped_held} left out for containing a dev or "
          f"test sentence)", file=sys.stderr)


if __name__ == "__main__":
    main()
