#!/usr/bin/env python3
"""Streaming latency of `scribe stream`: feeds 16 kHz s16le audio at real-time pace (in 20 ms writes) and records
when each JSON event arrives. For every word of each final result (times from the model's own word timestamps), the
delay is the arrival time of the first partial (or final) that contained it, minus the word's end in the audio. A
partial contains a final's word when the two word sequences, aligned with the fewest edits (the partial against a
prefix of the final), pair that word with an identical one; "..._by_index" counts only the same word at the same
index (stricter: one split or merged word earlier in the partial hides every later one).
Also: the delay from end of input to the last final, and the share of partial words that a later partial or the
final changed (revision rate). Usage: stream_latency.py SCRIBE MODEL WAV [WAV ...]  → one JSON line.
$SCRIBE_STREAM_ARGS adds options to `scribe stream` (e.g. "--update 0.08")."""
import json, os, statistics, subprocess, sys, threading, time, wave

def matched(partial, final):
    """Indices of `final` paired with an identical word of `partial` by a fewest-edits alignment of `partial`
    against a prefix of `final` (the final's words after the partial's end are free)."""
    m, n = len(partial), len(final)
    d = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1): d[i][0] = i
    for j in range(1, n + 1): d[0][j] = j
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            d[i][j] = min(d[i - 1][j - 1] + (partial[i - 1] != final[j - 1]), d[i - 1][j] + 1, d[i][j - 1] + 1)
    i, j = m, min(range(n + 1), key=lambda j: (d[m][j], -j))        # best prefix end (longest among ties)
    out = []
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (partial[i - 1] != final[j - 1]):
            if partial[i - 1] == final[j - 1]: out.append(j - 1)
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1: i -= 1
        else: j -= 1
    return out

scribe, model, wavs = sys.argv[1], sys.argv[2], sys.argv[3:]
delays, index_delays, end_delays, revised, partial_words = [], [], [], 0, 0
first_in_final = 0                                                   # words whose first appearance was a final
for path in wavs:
    w = wave.open(path)
    assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, f"{path}: need 16 kHz mono s16"
    pcm = w.readframes(w.getnframes())
    proc = subprocess.Popen([scribe, "stream", "--model", model] + os.environ.get("SCRIBE_STREAM_ARGS", "").split(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    events = []
    def reader():
        for line in proc.stdout:
            events.append((time.monotonic(), json.loads(line)))
    t = threading.Thread(target=reader); t.start()
    start = time.monotonic()
    step = 640                                                       # 20 ms of s16 mono
    for i in range(0, len(pcm), step):
        target = start + i / 32000
        now = time.monotonic()
        if target > now: time.sleep(target - now)
        proc.stdin.write(pcm[i:i + step])
    input_end = time.monotonic()
    proc.stdin.close(); t.join(); proc.wait()
    finals = [e for _, e in events if e["type"] == "final"]
    if finals: end_delays.append(max(at for at, e in events if e["type"] == "final") - input_end)
    seen = {}                                                        # (segment start, word index) -> first arrival
    last_partial = {}
    for at, e in events:
        words = e["text"].split()
        key = e["start"]
        if e["type"] == "partial":
            prev = last_partial.get(key, [])
            partial_words += len(words)
            revised += sum(1 for i, wd in enumerate(prev) if i < len(words) and words[i] != wd)
            last_partial[key] = words
        for i, wd in enumerate(words):
            seen.setdefault((key, i, wd), (at, e["type"]))
    for at_final, e in events:
        if e["type"] != "final": continue
        final = [wd["word"] for wd in e["words"]]
        first = [at_final] * len(final)
        for at, p in events:
            if p["type"] == "partial" and p["start"] == e["start"] and at < at_final:
                for j in matched(p["text"].split(), final): first[j] = min(first[j], at)
        for j, wd in enumerate(e["words"]):
            delays.append(first[j] - (start + wd["end"]))
            first_in_final += first[j] == at_final
            by_index = seen.get((e["start"], j, wd["word"]))
            if by_index is not None: index_delays.append(by_index[0] - (start + wd["end"]))
print(json.dumps({"files": len(wavs), "words": len(delays),
                  "median_word_delay_s": round(statistics.median(delays), 3) if delays else None,
                  "median_final_after_end_s": round(statistics.median(end_delays), 3) if end_delays else None,
                  "partial_revision_rate": round(revised / partial_words, 3) if partial_words else None,
                  "median_word_delay_by_index_s": round(statistics.median(index_delays), 3) if index_delays else None,
                  "words_first_seen_in_final": round(first_in_final / len(delays), 3) if delays else None,
                  "word_delay_quartiles_s": [round(q, 3) for q in statistics.quantiles(delays, n=4)] if len(delays) > 1 else None}))
