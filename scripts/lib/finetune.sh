# Sourced by scripts/ablation, rebuild-data, train-shared, train-real, train-words, train-sp, train-stage9, vtlp-ablation,
# streaming-ablation, stage8-ablation, frontend-ablation, lr-ablation, frame-rate-ablation, width-ablation,
# specaug-ablation, train-cycle, finish-wide, make-recipes, adversary-ablation, more-data-ablation, more-data-long,
# more-data-100h, swa-cycles, train-deep, cycle-average, mwer-ablation, mwer-more and mwer-longer: one --init stage of the default model's recipe (finetune), ablation pairs run side by side
# (side_by_side, dev_wer, shipped_dev_wer, two_arm_rule), one-arm stages (one_arm_rule; judge_one_arm, the whole verdict), shipped weights
# from git history (stage21_weights for stages 23, 25 and 26; stage26_weights for stage 28; stage28_weights for
# stage 29; stage48_weights for stage 49), the new sentences for stages 25 and 26 (more_sentences) and 28 (newest_sentences).
# mix_manifest builds a stage's training mix.
# Run from the repository root.
source scripts/lib/eval.sh

# $scribe: SCRIBE=path/to/scribe, else the release build in .build-release.
scribe_binary() {
  if [[ -n ${SCRIBE:-} ]]; then scribe=$SCRIBE; else swift build -c release --product scribe --scratch-path .build-release >&2; scribe=.build-release/release/scribe; fi
}

# finetune NAME CONFIG FROM MANIFEST: trains models/NAME in the foreground from FROM's weights with CONFIG on
# MANIFEST (validation: corpus/recipe/valid.jsonl), or resumes it when it has checkpoints; log in models/NAME/train.out.
finetune() {
  local name=$1 config=$2 from=$3 manifest=$4 out=models/$1 args
  mkdir -p "$out"
  if ls "$out/checkpoints" 2>/dev/null | grep -q step-; then args=(--resume); else args=(--config "$config" --init "$from"); fi
  echo "== $name: ${args[*]} → $out (log: $out/train.out)" >&2
  "$scribe" train "${args[@]}" --train "$manifest" \
    --valid corpus/recipe/valid.jsonl --out "$out" --feature-cache cache/features >> "$out/train.out" 2>&1 || { echo "$name: failed, see $out/train.out" >&2; exit 1; }
}

# print_valid NAME: the last validation WER/CER in models/NAME/train.log.jsonl.
print_valid() {
  python3 - "$1" "models/$1/train.log.jsonl" <<'PY'
import json, sys
last = [r for r in map(json.loads, open(sys.argv[2])) if r.get("kind") == "valid"][-1]
print(f"{sys.argv[1]}: validation WER {100 * last['wer']:.1f}% CER {100 * last['cer']:.1f}% at step {last['step']}")
PY
}

# mix_manifest OUT MANIFEST:COPIES...: writes OUT, a training manifest holding each MANIFEST's lines COPIES times,
# in the order given, with audio paths made absolute (a relative path is relative to its manifest, as for `scribe`).
mix_manifest() {
  python3 - "$@" <<'PY'
import json, os, sys
out, lines, parts = sys.argv[1], [], []
for spec in sys.argv[2:]:
    path, copies = spec.rsplit(":", 1)
    rows = []
    for l in open(path):
        if not l.strip():
            continue
        e = json.loads(l)
        if not os.path.isabs(e["audio_filepath"]):
            e["audio_filepath"] = os.path.abspath(os.path.join(os.path.dirname(path), e["audio_filepath"]))
            l = json.dumps(e, sort_keys=True) + "\n"
        rows.append(l)
    lines += rows * int(copies)
    parts.append(f"{len(rows)} × {copies} from {path}")
with open(out + ".tmp", "w") as f:
    f.writelines(lines)
os.replace(out + ".tmp", out)
print(f"{os.path.basename(out)}: {' + '.join(parts)} = {len(lines)} utterances")
PY
}

# mix_more_real: corpus/recipe/train-more-real.jsonl, stage 26's mix (scripts/more-data-long): the words mix, the
# 60 h corpus's new sentences, each real training clip 5 more times and the synthetic isolated words once more.
mix_more_real() {
  mix_manifest corpus/recipe/train-more-real.jsonl corpus/recipe/train-words.jsonl:1 corpus/recipe/more-sentences.jsonl:1 \
    corpus/real/fsdd-train.jsonl:5 corpus/real/speechcommands-train.jsonl:5 corpus/words/train.jsonl:1
}

# mix_100h: corpus/recipe/train-100h.jsonl, stage 28's mix (scripts/more-data-100h), which stages 29–49 train on:
# train-more-real.jsonl, the 100 h corpus's new sentences, and the real clips and isolated words once more.
mix_100h() {
  mix_manifest corpus/recipe/train-100h.jsonl corpus/recipe/train-more-real.jsonl:1 corpus/recipe/newest-sentences.jsonl:1 \
    corpus/real/fsdd-train.jsonl:5 corpus/real/speechcommands-train.jsonl:5 corpus/words/train.jsonl:1
}

# side_by_side FROM MANIFEST NAME:CONFIG[:ARM_FROM] NAME:CONFIG[:ARM_FROM]: two finetune runs on MANIFEST at once, each
# from ARM_FROM when given, else from FROM (each config should say "threads": 1), waiting for both; an ablation pair.
side_by_side() {
  local from=$1 manifest=$2 spec pids=() name rest
  for spec in "$3" "$4"; do
    name=${spec%%:*}; rest=${spec#*:}
    if [[ $rest == *:* ]]; then finetune "$name" "${rest%%:*}" "${rest#*:}" "$manifest" & else finetune "$name" "$rest" "$from" "$manifest" & fi
    pids+=($!)
  done
  wait "${pids[0]}"; wait "${pids[1]}"
}

# shipped_dev_wer LM MODEL...: each MODEL's dev-split WER/CER (corpus/dev.jsonl) with the search that ships (beam 32,
# the model's λ, the word LM at μ 0.35), one line each: "MODEL: dev WER W% CER C% (...)".
shipped_dev_wer() {
  local lm=$1 model rates
  shift
  for model in "$@"; do
    rates=$(SCRIBE=$scribe eval_rates "$model" corpus/dev.jsonl --beam 32 --lm "$lm" --lm-weight 0.35) || return 1
    echo "$model: dev WER ${rates% *}% CER ${rates#* }% (beam 32, the model's λ, word LM μ 0.35)"
  done
}

# default_search: the search that ships (session 27's) as `scribe eval` flags, given explicitly so that every model,
# whatever its config.json's decoding defaults, is read with it (cycle-average, mwer-ablation, mwer-more).
# default_scoring is the same search without its beam (scripts/mwer-joint reads the streaming search at beam 4 with it).
default_scoring=(--ctc-weight 0.1 --lm models/default/lm.arpa --lm-weight 0.5 --oov-penalty -3 --length-penalty 0.8 --ilm-weight 0.1)
default_search=(--beam 32 "${default_scoring[@]}")

# default_search_dev MODEL...: each MODEL's dev WER/CER (corpus/dev.jsonl) with default_search, one line each:
# "MODEL: dev WER W% CER C% (the default search)".
default_search_dev() {
  local model rates
  for model in "$@"; do
    rates=$(SCRIBE=$scribe eval_rates "$model" corpus/dev.jsonl "${default_search[@]}") || return 1
    echo "$model: dev WER ${rates% *}% CER ${rates#* }% (the default search)"
  done
}

# dev_wer NAME...: each models/NAME's dev-split WER/CER (corpus/dev.jsonl, beam 4, the model's λ, no LM).
dev_wer() {
  local arm rates
  for arm in "$@"; do
    rates=$(SCRIBE=$scribe eval_rates "models/$arm" corpus/dev.jsonl --beam 4 --lm none)
    echo "$arm: dev WER ${rates% *}% CER ${rates#* }% (beam 4, the model's λ)"
  done
}

# two_arm_rule LINES QUESTION: the rule of a two-arm ablation (scripts/frontend-ablation, lr-ablation, width-ablation,
# frame-rate-ablation, specaug-ablation), on the three lines of shipped_dev_wer BASE CONTROL CANDIDATE (BASE: FROM,
# or the default model for specaug-ablation): the arm with the lower dev WER ships if it is at least 1 point
# below BASE's, and QUESTION (what the candidate changes) counts as a limit only if the candidate beats the control by
# at least a point. Prints the verdict to stderr and the better arm's directory to stdout.
two_arm_rule() {
  python3 - "$1" "$2" <<'PY'
import re, sys
(base, _), (control, control_dir), (candidate, candidate_dir) = (
    (float(re.search(r"dev WER ([0-9.]+)%", line).group(1)), line.split(":")[0]) for line in sys.argv[1].splitlines())
best, name = min((control, control_dir), (candidate, candidate_dir))
verdict = f"{name} ships ({best}% against {base}%)" if best <= base - 1 else f"neither ships (best {best}% against {base}%)"
limit = "yes" if candidate <= control - 1 else "no"
print(f"rule: {verdict}; {sys.argv[2]} a limit: {limit} ({candidate}% against {control}%)", file=sys.stderr)
print(name)
PY
}

# one_arm_rule LINES NAME: the rule of a one-arm cycle (scripts/train-cycle), on the two lines of shipped_dev_wer
# FROM NAME: NAME ships if its dev WER is at least 1 point below FROM's. Prints the verdict.
one_arm_rule() {
  python3 - "$1" "$2" <<'PY'
import re, sys
base, new = (float(re.search(r"dev WER ([0-9.]+)%", l).group(1)) for l in sys.argv[1].splitlines())
print(f"rule: {sys.argv[2]} {'ships' if new <= base - 1 else 'does not ship'} ({new}% against {base}%)")
PY
}

# two_candidate_rule LINES FIRST SECOND [PREFER]: the rule of a stage with two candidates (scripts/cycle-average,
# mwer-longer, mwer-ablation), on the three lines of default_search_dev BASE FIRST_DIR SECOND_DIR, FIRST and SECOND
# naming the candidates: each passes if its dev WER is at least 1 point below BASE's; of those that pass, the lowest
# ships, a tie going to PREFER (first or second; default first). Prints the verdict.
two_candidate_rule() {
  python3 - "$1" "$2" "$3" "${4:-first}" <<'PY'
import re, sys
lines, first, second, prefer = sys.argv[1:]
base, w1, w2 = (float(re.search(r"dev WER ([0-9.]+)%", l).group(1)) for l in lines.strip().splitlines())
passing = sorted([(w1, 0 if prefer == "first" else 1, first), (w2, 0 if prefer == "second" else 1, second)])
passing = [p for p in passing if p[0] <= base - 1]
print(f"rule: {passing[0][2]} ships ({passing[0][0]}% against {base}%)" if passing
      else f"rule: neither ships ({first} {w1}%, {second} {w2}%, against {base}%)")
PY
}

# judge_one_arm LM BASELINE DIR: the end of a one-arm stage (train-cycle, swa-cycles, more-data-long, more-data-100h,
# train-deep): the dev WERs of BASELINE and DIR with the search that ships (shipped_dev_wer), the rule's verdict for
# DIR, named by its basename (one_arm_rule), and DIR's test table (scripts/evaluate-model, which the choice does not use).
judge_one_arm() {
  local lines
  lines=$(shipped_dev_wer "$1" "$2" "$3")
  echo "$lines"
  one_arm_rule "$lines" "$(basename "$3")"
  SCRIBE=$scribe scripts/evaluate-model "$3" 32 --lm-weight 0.35
}

# stage26_weights SCRIPT: makes sure models/stage26-more-long holds stage 26's shipped weights (stage 28 starts from
# them): when its model.safetensors is missing, writes the directory from git history (models/default at commit
# b612520, where stage 26 shipped), checked by the weights' sha256.
stage26_weights() {
  history_weights "$1" models/stage26-more-long b612520 60a8bc627d50ebcea415fa23e755901bb8f17d5c515d97596001e97b4bcbcc25
}

# stage28_weights SCRIPT: the same for models/stage28-100h, stage 28's shipped weights (stage 29 starts from them):
# models/default at commit fc1562e, where stage 28 shipped.
stage28_weights() {
  history_weights "$1" models/stage28-100h fc1562e 5f8141dc23f5de1fa8eb9294467eff79706cc6340d69612fdd92a69ff34c982a
}

# stage48_weights SCRIPT: the same for models/stage48-shipped, stage 48's shipped weights (stage 49 starts from
# them): models/default at commit 482292e, where stage 48 shipped.
stage48_weights() {
  history_weights "$1" models/stage48-shipped 482292e 118cf58cd661bae5841effda8fd7adc9108e81601e475d081c97feec423261ae
}

# history_weights SCRIPT DIR COMMIT SHA256: when DIR/model.safetensors is missing, writes DIR's model.safetensors,
# config.json and lm.arpa from models/default at COMMIT, the weights checked by SHA256 (written last, atomically).
history_weights() {
  local script=$1 dir=$2 commit=$3 sha=$4
  [[ -f $dir/model.safetensors ]] && return 0
  mkdir -p "$dir"
  git show "$commit:models/default/model.safetensors" > "$dir/model.safetensors.tmp" 2>/dev/null &&
    [[ $(sha256sum < "$dir/model.safetensors.tmp" | cut -d' ' -f1) == "$sha" ]] || {
    rm -f "$dir/model.safetensors.tmp"; rmdir "$dir" 2>/dev/null || true
    echo "$script: $dir is missing and git history has no such weights at $commit (a shallow clone? git fetch --unshallow)" >&2; exit 1; }
  git show "$commit:models/default/config.json" > "$dir/config.json"
  git show "$commit:models/default/lm.arpa" > "$dir/lm.arpa"
  mv "$dir/model.safetensors.tmp" "$dir/model.safetensors"
}

# stage21_weights SCRIPT: makes sure models/stage21-50fps holds stage 21 (stages 23, 25 and 26 start from it): when it
# is missing, writes it from git history (models/default at commit e01b6c5, the last before stage 26 shipped; config
# and lm.arpa unchanged since), checked by the weights' sha256.
stage21_weights() {
  history_weights "$1" models/stage21-50fps e01b6c5 0cde46db0e41cb91dff2a486f805da44ab6525a42b4a1227e2db61ca8158828f
}

# more_sentences SCRIPT: corpus/recipe/more-sentences.jsonl, the utterances of corpus-60h/train.jsonl that
# corpus/train.jsonl lacks (about 30 h of sentences the 30 h corpus never used), building corpus-60h/ first when
# needed (grow_corpus; about 20 min on 2 cores). Stages 25, 26 and 28 use it. Needs $scribe (scribe_binary).
more_sentences() {
  grow_corpus "$1" corpus 60
  new_utterances "$1" corpus/train.jsonl corpus-60h corpus/recipe/more-sentences.jsonl
}

# newest_sentences SCRIPT: corpus/recipe/newest-sentences.jsonl, the utterances of corpus-100h/train.jsonl that
# corpus-60h/train.jsonl lacks (about 40 h of sentences neither earlier corpus used), building corpus-100h/ from
# corpus-60h/ first when needed (grow_corpus; about 25 min on 2 cores). Stage 28 uses it. Needs $scribe and
# corpus-60h (more_sentences).
newest_sentences() {
  grow_corpus "$1" corpus-60h 100
  new_utterances "$1" corpus-60h/train.jsonl corpus-100h corpus/recipe/newest-sentences.jsonl
}

# grow_corpus SCRIPT FROM HOURS: builds corpus-HOURSh/ when it has no train.jsonl: FROM's audio, blocks and noise bank
# hard-linked in and its text copied (no re-synthesis), then `scripts/make-corpus --hours HOURS --out corpus-HOURSh`
# (prefix-stable: the same first blocks, the same sentence order) synthesizes the rest; resumable, log in
# corpus-HOURSh/make-corpus.log.
grow_corpus() {
  local script=$1 from=$2 out=corpus-$3h d
  [[ -f $out/train.jsonl ]] && return 0
  if [[ ! -d $out/blocks ]]; then
    rm -rf "$out.tmp"; mkdir -p "$out.tmp"
    for d in audio blocks bank; do cp -al "$from/$d" "$out.tmp/$d"; done   # files make-corpus only replaces
    cp -a "$from/text" "$out.tmp/text"
    mv "$out.tmp" "$out"
  fi
  echo "== make-corpus --hours $3 --out $out (log: $out/make-corpus.log)" >&2
  SCRIBE=$scribe scripts/make-corpus --hours "$3" --out "$out" --scribe "$scribe" > "$out/make-corpus.log" 2>&1 || {
    echo "$script: make-corpus failed, see $out/make-corpus.log (rerun to resume)" >&2; exit 1; }
  tail -12 "$out/make-corpus.log"
}

# new_utterances SCRIPT OLD NEW OUT: writes OUT, the utterances of NEW/train.jsonl whose audio OLD lacks (audio paths
# made absolute), after checking that none of them repeats a sentence of OLD or of corpus/'s evaluation splits.
new_utterances() {
  python3 - "$@" <<'PY'
import json, os, sys
script, old_path, new_dir, out = sys.argv[1:]
def rows(path):
    return [json.loads(l) for l in open(path) if l.strip()]
old = rows(old_path)
old_audio = {e["audio_filepath"] for e in old}
seen = {e["text"] for e in old} | {e["text"] for p in ("corpus/dev.jsonl", "corpus/test.jsonl",
                                                       "corpus/test-unseen-voice.jsonl") for e in rows(p)}
base = os.path.abspath(new_dir)
extra = []
for e in rows(os.path.join(new_dir, "train.jsonl")):
    if e["audio_filepath"] in old_audio:
        continue
    if e["text"] in seen:
        raise SystemExit(f"{script}: {new_dir} repeats a sentence of {old_path} or of an evaluation split: {e['text']!r}")
    if not os.path.isabs(e["audio_filepath"]):
        e["audio_filepath"] = os.path.join(base, e["audio_filepath"])
    extra.append(json.dumps(e, sort_keys=True) + "\n")
with open(out + ".tmp", "w") as f:
    f.writelines(extra)
os.replace(out + ".tmp", out)
hours = sum(json.loads(l)["duration"] for l in extra) / 3600
print(f"{os.path.basename(out)}: {len(extra)} utterances, {hours:.1f} h")
PY
}
