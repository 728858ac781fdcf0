"""Reading and writing Scribe's model.safetensors (F32 only) with numpy, for the function-preserving widening
scripts (scripts/widen-frontend, scripts/widen-encoder). Writes are atomic: a temp file, then a rename."""
import json
import os
import struct

import numpy as np


def read_safetensors(path, tool):
    """Returns ({name: float32 array}, metadata or None); exits naming TOOL on a tensor that is not F32."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", None)
    tensors = {}
    for name, h in header.items():
        if h["dtype"] != "F32":
            raise SystemExit(f"{tool}: {path}: tensor {name} is {h['dtype']}, expected F32")
        a, b = h["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(h["shape"]).copy()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    """Writes TENSORS (sorted by name) and META to PATH via PATH.tmp and a rename."""
    header, offset, blobs = {}, 0, []
    if meta is not None:
        header["__metadata__"] = meta
    for name in sorted(tensors):
        blob = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def write_config(path, config):
    """Writes CONFIG as sorted, indented JSON to PATH via a temp file and a rename."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)
