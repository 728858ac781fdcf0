#!/usr/bin/env bash
# bench/run transformer: forward + backward of the reference 6-layer pre-LN Transformer encoder (d_model 256,
# 4 heads, FF 1024, input 640, batch 16, 200 frames), Scribe vs PyTorch, 1 and 2 threads. Same procedure and
# JSON line as bench/lstm.sh, which does the work. Usage: bench/run transformer [ROUNDS] [STEPS]
BENCH_MODEL=transformer exec "$(dirname "$0")/lstm.sh" "$@"
