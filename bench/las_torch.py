"""The reference LAS model (shared/reference/las_reference.md) in PyTorch, for bench/train.sh.

Times full training steps (forward with teacher forcing, cross-entropy ignoring pad, backward, gradient-norm
clip 5, Adam lr 1e-3) on a random batch, printing per thread count one JSON line
{"threads", "cpu_s", "wall_s", "audio_s", "params"} (process CPU and wall seconds per step).
Usage: las_torch.py [--threads 1,2] [--repeat 3] [--warmup 1] [--batch 16] [--frames 800] [--chars 120]
"""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


class Listener(nn.Module):
    """Two 3×3 stride-2 convs (32 channels, ReLU) → 640 per frame → 3-layer BiLSTM, 256 per direction
    (the reference; other sizes for a Scribe model's config; time_reduction 2: the second conv keeps the frame rate)."""

    def __init__(self, channels=32, hidden=256, layers=3, mels=80, time_reduction=4):
        super().__init__()
        self.time_reduction = time_reduction
        self.conv1 = nn.Conv2d(1, channels, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(time_reduction // 2, 2), padding=1)
        f = ((mels - 1) // 2) // 2 + 1
        self.lstm = nn.LSTM(channels * f, hidden, num_layers=layers, bidirectional=True, batch_first=True)

    def forward(self, x):                                   # [B, T, 80]
        h = F.relu(self.conv2(F.relu(self.conv1(x.unsqueeze(1)))))   # [B, 32, T/4, 20]
        b, c, t, f = h.shape
        h = h.permute(0, 2, 1, 3).reshape(b, t, c * f)      # [B, T/4, 640]
        return self.lstm(h)[0]                              # [B, T/4, 512]


class LocationAttention(nn.Module):
    """e_ij = w·tanh(W s_i + V h_j + b + U conv1d(α_{i−1})_j), 10 filters, kernel 31, attention dim 256."""

    def __init__(self, query=512, value=512, dim=256, filters=10, kernel=31):
        super().__init__()
        self.W = nn.Linear(query, dim, bias=False)
        self.V = nn.Linear(value, dim)
        self.w = nn.Linear(dim, 1, bias=False)
        self.conv = nn.Conv1d(1, filters, kernel, padding=kernel // 2, bias=False)
        self.U = nn.Linear(filters, dim, bias=False)

    def forward(self, s, keys, values, mask, prev):        # s [B, Q], keys [B, T, A], values [B, T, E], prev [B, T]
        f = self.conv(prev.unsqueeze(1)).transpose(1, 2)    # [B, T, F]
        e = self.w(torch.tanh(keys + self.W(s).unsqueeze(1) + self.U(f))).squeeze(2)   # [B, T]
        alpha = torch.softmax(e.masked_fill(mask, -1e9), dim=1)
        return torch.bmm(alpha.unsqueeze(1), values).squeeze(1), alpha   # [B, E], [B, T]


class Speller(nn.Module):
    """s_i = LSTMCell([emb(y_{i−1}); c_{i−1}], s_{i−1}), 512 units, embedding 256; logits = Linear([s_i; c_i])."""

    def __init__(self, vocab=30, emb=256, hidden=512, enc=512, dim=256, filters=10, kernel=31):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.cell = nn.LSTMCell(emb + enc, hidden)
        self.attention = LocationAttention(hidden, enc, dim, filters, kernel)
        self.out = nn.Linear(hidden + enc, vocab)
        self.hidden, self.enc = hidden, enc

    def forward(self, values, lengths, inputs):             # values [B, T, E], inputs [B, U]
        b, t, _ = values.shape
        keys = self.attention.V(values)                     # once per utterance
        mask = torch.arange(t)[None, :] >= lengths[:, None]
        h = values.new_zeros(b, self.hidden)
        c = values.new_zeros(b, self.hidden)
        ctx = values.new_zeros(b, self.enc)
        alpha = (~mask).float() / lengths[:, None].float()  # α_0 uniform over unpadded frames
        emb = self.embedding(inputs)                        # [B, U, 256]
        logits = []
        for i in range(inputs.shape[1]):
            h, c = self.cell(torch.cat([emb[:, i], ctx], 1), (h, c))
            ctx, alpha = self.attention(h, keys, values, mask, alpha)
            logits.append(self.out(torch.cat([h, ctx], 1)))
        return torch.stack(logits, 1)                       # [B, U, V]


class LAS(nn.Module):
    def __init__(self, config=None):
        """The reference model, or the one a Scribe config.json (dict) describes: conv2d subsampling, BiLSTM
        encoder, location-aware attention, LSTM speller (other kinds are not mirrored here)."""
        super().__init__()
        if config is None:
            self.listener, self.speller = Listener(), Speller()
            return
        e, a, d = config["encoder"], config["attention"], config["decoder"]
        assert config["subsampling"]["kind"] == "conv2d" and e["kind"] == "blstm" and e["bidirectional"], "needs conv2d + BiLSTM"
        assert a["kind"] == "location" and d["kind"] == "lstm", "needs location attention + LSTM speller"
        self.listener = Listener(config["subsampling"]["channels"], e["hidden"], e["layers"], config["features"]["n_mels"],
                                 config["subsampling"].get("time_reduction", 4))
        self.speller = Speller(len(config["vocabulary"]["tokens"]), d["embedding"], d["hidden"], 2 * e["hidden"],
                               a["dim"], a["location_filters"], a["location_kernel"])

    def forward(self, x, lengths, inputs):
        values = self.listener(x)
        r = self.listener.time_reduction
        return self.speller(values, (lengths + r - 1) // r, inputs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", default="1")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--frames", type=int, default=800)
    p.add_argument("--chars", type=int, default=120)
    a = p.parse_args()
    torch.manual_seed(11)
    model = LAS()
    params = sum(q.numel() for q in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    B, T = a.batch, a.frames
    x = torch.randn(B, T, 80)
    lengths = torch.full((B,), T)
    tokens = torch.randint(4, 30, (B, a.chars))
    inputs = torch.cat([torch.ones(B, 1, dtype=torch.long), tokens], 1)     # sos + y
    targets = torch.cat([tokens, torch.ones(B, 1, dtype=torch.long)], 1)    # y + eos

    def step():
        logits = model(x, lengths, inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), ignore_index=0)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.item()

    for n in [int(s) for s in a.threads.split(",")]:
        torch.set_num_threads(n)
        cpu, wall, losses = [], [], []
        for i in range(a.warmup + a.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            losses.append(step())
            dc, dw = time.process_time() - c0, time.perf_counter() - t0
            if i >= a.warmup:
                cpu.append(round(dc, 3))
                wall.append(round(dw, 3))
        print(json.dumps({"threads": n, "cpu_s": cpu, "wall_s": wall, "audio_s": B * T / 100, "params": params,
                          "loss": losses}), flush=True)


if __name__ == "__main__":
    main()
