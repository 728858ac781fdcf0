"""Offline decoding of one utterance with the reference LAS model (or the Scribe model in DIR) in PyTorch, for bench/decode.sh.

Loads the weights Scribe saved (`scribe bench-decode --out DIR`: DIR/model.safetensors, names from Scribe's
`namedParameters`) into bench/las_torch.py's modules and the features DIR/input.safetensors "x" [1, T, 80].
First checks the log-probs of the first greedy steps against Scribe's ("check.logprobs"), prints the max
difference and stops if it exceeds 1e-4; then times, at one thread, the encoder alone, encoder + greedy and encoder + beam (batched over
the beam, top 2×beam candidates per hypothesis), EOS suppressed so every decode runs exactly `steps` steps.
Prints one JSON line {"threads", "max_logprob_diff", "encoder_cpu_s", "greedy_cpu_s", "beam_cpu_s", *_wall_s}.
Usage: las_decode.py DIR [--repeat 3] [--warmup 1] [--steps 121] [--beam 8]
"""
import argparse
import json
import os
import sys
import time

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from las_torch import LAS  # noqa: E402


def load_scribe_weights(model, path):
    """Copies Scribe's tensors onto the PyTorch modules; every tensor on both sides must be used once (a CTC
    head, unused when decoding with the attention decoder, is left out)."""
    w = {k: v for k, v in load_file(path).items() if not k.startswith("ctc.")}
    layers = model.listener.lstm.num_layers
    sd = {}
    sd["listener.conv1.weight"], sd["listener.conv1.bias"] = w["encoder.conv.conv1.weight"], w["encoder.conv.conv1.bias"]
    sd["listener.conv2.weight"], sd["listener.conv2.bias"] = w["encoder.conv.conv2.weight"], w["encoder.conv.conv2.bias"]
    for k in range(layers):
        for scribe_dir, suffix in (("fwd", ""), ("bwd", "_reverse")):
            p = f"encoder.lstm{k}.{scribe_dir}"
            sd[f"listener.lstm.weight_ih_l{k}{suffix}"] = w[f"{p}.w_ih"]
            sd[f"listener.lstm.weight_hh_l{k}{suffix}"] = w[f"{p}.w_hh"]
            sd[f"listener.lstm.bias_ih_l{k}{suffix}"] = w[f"{p}.bias"]           # Scribe keeps b_ih + b_hh in one
            sd[f"listener.lstm.bias_hh_l{k}{suffix}"] = torch.zeros_like(w[f"{p}.bias"])
    sd["speller.embedding.weight"] = w["decoder.embedding.weight"]
    sd["speller.cell.weight_ih"], sd["speller.cell.weight_hh"] = w["decoder.cell.w_ih"], w["decoder.cell.w_hh"]
    sd["speller.cell.bias_ih"] = w["decoder.cell.bias"]
    sd["speller.cell.bias_hh"] = torch.zeros_like(w["decoder.cell.bias"])
    a = "decoder.attention"
    sd["speller.attention.W.weight"] = w[f"{a}.query.weight"]
    sd["speller.attention.V.weight"], sd["speller.attention.V.bias"] = w[f"{a}.value.weight"], w[f"{a}.value.bias"]
    sd["speller.attention.w.weight"] = w[f"{a}.score.weight"]
    sd["speller.attention.conv.weight"] = w[f"{a}.location.conv"]
    sd["speller.attention.U.weight"] = w[f"{a}.location.proj.weight"]
    sd["speller.out.weight"], sd["speller.out.bias"] = w["decoder.output.weight"], w["decoder.output.bias"]
    used = {"encoder.conv.conv1.weight", "encoder.conv.conv1.bias", "encoder.conv.conv2.weight", "encoder.conv.conv2.bias",
            "decoder.embedding.weight", "decoder.cell.w_ih", "decoder.cell.w_hh", "decoder.cell.bias",
            "decoder.output.weight", "decoder.output.bias", f"{a}.query.weight", f"{a}.value.weight", f"{a}.value.bias",
            f"{a}.score.weight", f"{a}.location.conv", f"{a}.location.proj.weight"}
    used |= {f"encoder.lstm{k}.{d}.{p}" for k in range(layers) for d in ("fwd", "bwd") for p in ("w_ih", "w_hh", "bias")}
    assert used == set(w), f"unmapped Scribe tensors: {sorted(set(w) - used)}, missing: {sorted(used - set(w))}"
    model.load_state_dict(sd, strict=True)


class Decoder:
    """The speller bound to one utterance's encoder output: step(tokens, state) → (log-probs [k, V], state)."""

    def __init__(self, model, values):
        sp = model.speller
        self.sp, self.values = sp, values                    # values [1, T, E]
        self.keys = sp.attention.V(values)                   # once per utterance
        t = values.shape[1]
        self.mask = torch.zeros(1, t, dtype=torch.bool)
        self.alpha0 = torch.full((1, t), 1.0 / t)

    def initial(self):
        z = self.values.new_zeros
        return z(1, self.sp.hidden), z(1, self.sp.hidden), z(1, self.sp.enc), self.alpha0

    def step(self, tokens, state):
        h, c, ctx, alpha = state
        k = tokens.shape[0]
        values, keys, mask = self.values.expand(k, -1, -1), self.keys.expand(k, -1, -1), self.mask.expand(k, -1)
        h, c = self.sp.cell(torch.cat([self.sp.embedding(tokens), ctx], 1), (h, c))
        ctx, alpha = self.sp.attention(h, keys, values, mask, alpha)
        return torch.log_softmax(self.sp.out(torch.cat([h, ctx], 1)), 1), (h, c, ctx, alpha)


def greedy(model, x, steps, keep=0):
    d = Decoder(model, model.listener(x))
    state, token, out, kept = d.initial(), torch.ones(1, dtype=torch.long), [], []
    for i in range(steps):
        lp, state = d.step(token, state)
        if i < keep:
            kept.append(lp[0])
        token = lp[:, 2:].argmax(1) + 2                      # pad never, EOS suppressed until `steps`
        out.append(int(token))
    return out, kept


def beam_search(model, x, steps, beam):
    d = Decoder(model, model.listener(x))
    state, tokens = d.initial(), torch.ones(1, dtype=torch.long)
    scores, history = torch.zeros(1), torch.zeros(1, 0, dtype=torch.long)
    for _ in range(steps):
        lp, state = d.step(tokens, state)                    # [k, V]
        top, idx = lp[:, 2:].topk(2 * beam, dim=1)           # candidates per hypothesis (EOS suppressed)
        cand = (scores[:, None] + top).flatten()
        scores, flat = cand.topk(min(beam, cand.numel()))
        parents, tokens = flat // (2 * beam), idx.flatten()[flat] + 2
        state = tuple(s.index_select(0, parents) for s in state)
        history = torch.cat([history.index_select(0, parents), tokens[:, None]], 1)
    return history[0].tolist()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=121)
    p.add_argument("--beam", type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(a.dir, "config.json")) as f:
        config = json.load(f)
    model = LAS(config).eval()
    load_scribe_weights(model, os.path.join(a.dir, "model.safetensors"))
    inp = load_file(os.path.join(a.dir, "input.safetensors"))
    x, want = inp["x"], inp["check.logprobs"]                # [1, T, 80], [K, V]
    with torch.inference_mode():
        tokens, kept = greedy(model, x, want.shape[0], keep=want.shape[0])
        diff = (torch.stack(kept) - want).abs().max().item()
        print(f"las_decode: max |PyTorch - Scribe| log-prob over the first {want.shape[0]} greedy steps: {diff:.3g}",
              file=sys.stderr)
        if diff > 1e-4:
            sys.exit("las_decode: the weights or the model differ from Scribe's (> 1e-4); not timing")

        def time_it(work):
            cpu, wall, n = [], [], 0
            for i in range(a.warmup + a.repeat):
                c0, t0 = time.process_time(), time.perf_counter()
                n = work()
                dc, dw = time.process_time() - c0, time.perf_counter() - t0
                if i >= a.warmup:
                    cpu.append(round(dc, 4))
                    wall.append(round(dw, 4))
            return cpu, wall, n

        enc = time_it(lambda: model.listener(x).shape[1])
        gr = time_it(lambda: len(greedy(model, x, a.steps)[0]))
        bm = time_it(lambda: len(beam_search(model, x, a.steps, a.beam)))
    assert gr[2] == a.steps and bm[2] == a.steps, (gr[2], bm[2])
    print(json.dumps({"threads": 1, "steps": a.steps, "beam": a.beam, "max_logprob_diff": diff,
                      "greedy_tokens": tokens, "encoder_frames": enc[2],
                      "encoder_cpu_s": enc[0], "greedy_cpu_s": gr[0], "beam_cpu_s": bm[0],
                      "encoder_wall_s": enc[1], "greedy_wall_s": gr[1], "beam_wall_s": bm[1]}), flush=True)


if __name__ == "__main__":
    main()
