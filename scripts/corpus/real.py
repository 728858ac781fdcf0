"""Manifests for the real recordings in shared/data, split so that no speaker is in two splits.

What this is: `write_manifests(datadir, outdir)` writes <set>-{train,dev,test}.jsonl with audio paths relative to
the manifest. FSDD: speaker `lucas` held out for test (the other three train). Speech Commands sample: split by a
hash of the speaker id (20% test, 10% dev, 70% train). What it is not: a copy of the audio (the clips stay put;
they are 8 kHz / 16 kHz, so train with the band-limiting augmentation as well).
"""
import hashlib
import json
import os

FSDD_TEST_SPEAKERS = {"lucas"}


def _split_fsdd(entry):
    return "test" if entry["speaker"] in FSDD_TEST_SPEAKERS else "train"


def _split_by_hash(entry):
    h = int(hashlib.sha1(entry["speaker"].encode()).hexdigest()[:8], 16) % 10
    return "test" if h < 2 else "dev" if h == 2 else "train"


SETS = {"fsdd-train": ("fsdd", _split_fsdd), "speechcommands-sample": ("speechcommands", _split_by_hash)}


def write_manifests(datadir, outdir):
    os.makedirs(outdir, exist_ok=True)
    counts = {}
    for folder, (name, split_of) in SETS.items():
        src = os.path.join(datadir, folder, "manifest.jsonl")
        if not os.path.exists(src):
            continue
        by_split = {"train": [], "dev": [], "test": []}
        with open(src) as fh:
            for line in fh:
                if not line.strip():
                    continue
                e = json.loads(line)
                audio = os.path.join(os.path.abspath(os.path.join(datadir, folder)), e["audio_filepath"])
                e["audio_filepath"] = os.path.relpath(audio, os.path.abspath(outdir))
                e["split"] = split_of(e)
                e["voice"] = f"{name}/{e['speaker']}"
                e["engine"] = "human"
                by_split[e["split"]].append(e)
        for split, entries in by_split.items():
            if not entries:
                continue
            path = os.path.join(outdir, f"{name}-{split}.jsonl")
            with open(path + ".tmp", "w") as fh:
                fh.write("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
            os.replace(path + ".tmp", path)
            counts[f"{name}-{split}"] = len(entries)
    return counts
