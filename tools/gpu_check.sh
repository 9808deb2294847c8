#!/usr/bin/env bash
# The GPU check (issue 17), for a machine with a CUDA device and a CUDA build of torch, in under 10 minutes:
#   1. the efficiency benchmark on SmolVLM2-500M and 2.2B (exact architectures, random weights) up to 64 frames,
#      then time to first token at 256 and 1,024 frames (the paper's longest; 2.2B at 256);
#   2. 20 training steps of the paper's hypernetwork preset on 500M with 16-frame videos: step time, peak memory,
#      tokens/s, with the states in memory and in disk shards.
# Usage: bash tools/gpu_check.sh [OUT]   (default OUT: runs/gpu_check; its folders must be new or video2lora's)
set -euo pipefail
OUT=$(realpath -m "${1:-runs/gpu_check}")     # relative to where it was called from
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
V2L=${V2L:-video2lora}
start=$(date +%s)
$PY -c "import torch, sys; ok = torch.cuda.is_available(); print('torch', torch.__version__, '|', torch.cuda.get_device_name(0) if ok else 'NO CUDA DEVICE'); sys.exit(0 if ok else 1)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true

echo; echo "== 1. video2lora bench --device cuda (500M, 2.2B; 4-64 frames)"
$V2L bench --device cuda --models smolvlm2-500m smolvlm2-2.2b --frames 4 16 64 --repeats 3 --out "$OUT/bench"

echo; echo "== 1b. TTFT at 256 and 1,024 frames (500M), 256 (2.2B)  ($(( $(date +%s) - start )) s so far)"
$V2L bench --device cuda --models smolvlm2-500m --frames 256 1024 --repeats 2 --out "$OUT/bench_long_500m"
$V2L bench --device cuda --models smolvlm2-2.2b --frames 256 --repeats 2 --out "$OUT/bench_long_2b"

echo; echo "== 2. 20 training steps, paper preset, 500M, 16-frame videos, batch 8  ($(( $(date +%s) - start )) s so far)"
$PY tools/train_bench.py --models smolvlm2-500m --storages memory disk --frames 16 --steps 20 --batch-size 8 \
    --threads 8 --out "$OUT/train"

echo; echo "gpu check done in $(( $(date +%s) - start )) s: $OUT/bench/bench.md, $OUT/bench_long_500m/bench.md, $OUT/bench_long_2b/bench.md, $OUT/train/train.md"
