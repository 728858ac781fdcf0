#!/usr/bin/env python3
"""Cross-checks Scribe's safetensors files with the reference `safetensors` package.

Reads IN (written by Swift's `Safetensors.write`), checks every tensor is float32 and finite,
prints names/shapes/metadata, and writes OUT with the same tensors plus `python.arange` (0..5)
and metadata {"written_by": "python safetensors <version>"} for Swift to read back.
With --fixture it instead prints a tiny Python-written file as base64 (for SafetensorsTests).

Setup:  python3 -m venv .venv-torch && .venv-torch/bin/pip install safetensors numpy
Usage:  .venv-torch/bin/python scripts/safetensors-roundtrip.py IN.safetensors OUT.safetensors
        .venv-torch/bin/python scripts/safetensors-roundtrip.py --fixture
"""
import base64
import sys

import numpy as np
import safetensors
from safetensors import safe_open
from safetensors.numpy import load_file, save, save_file


def fixture() -> None:
    tensors = {
        "weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
        "bias": np.array([-1.5, 3e-8], dtype=np.float32),
        "half": np.array([1, 2], dtype=np.float16),
    }
    print(base64.b64encode(save(tensors, metadata={"source": "python"})).decode())


def roundtrip(src: str, dst: str) -> None:
    tensors = load_file(src)
    with safe_open(src, framework="numpy") as f:
        metadata = f.metadata() or {}
    for name, t in sorted(tensors.items()):
        assert t.dtype == np.float32, f"{name}: dtype {t.dtype}, expected float32"
        assert np.all(np.isfinite(t)), f"{name}: non-finite values"
        print(f"{name}: shape {list(t.shape)}, sum {float(t.astype(np.float64).sum()):.6g}")
    print(f"metadata: {metadata}")
    tensors["python.arange"] = np.arange(6, dtype=np.float32)
    metadata = dict(metadata, written_by=f"python safetensors {safetensors.__version__}")
    save_file(tensors, dst, metadata=metadata)
    print(f"wrote {dst} ({len(tensors)} tensors)")


if __name__ == "__main__":
    if sys.argv[1:] == ["--fixture"]:
        fixture()
    elif len(sys.argv) == 3:
        roundtrip(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
