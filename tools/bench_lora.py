#!/usr/bin/env python
"""LoRA emitter benchmark: batched-adapter and merged-adapter forward time / base forward time, and the
hypernetwork's forward time for one 12-frame video, measured side by side in one run.

The base, batched-adapter and merged paths run interleaved (base, adapter, merged, base, ...) on the same
inputs so that machine noise hits them alike; the medians are compared.

    python tools/bench_lora.py           # tiny model and SmolVLM2-256M preset; hypernetwork tiny and 500M presets
    python tools/bench_lora.py --quick   # fewer repeats
    python tools/bench_lora.py --json runs/bench_lora.json
"""
import argparse, json, time
from pathlib import Path

import numpy as np
import torch

from video2lora.vlm import build_vlm, preset_config, tokens_per_frame
from video2lora.tiny import TINY_PRESET
from video2lora.lora import ModelSignature, random_adapter, apply_adapter, merged_adapter
from video2lora.hypernet import HyperConfig, HyperNetwork


def forward_ratios(name, batch, seq, rank, repeats, dtype):
    "Median forward times of base, batched adapters (one per example) and a merged adapter."
    model = build_vlm(preset_config(TINY_PRESET) if name == 'tiny' else name, dtype=dtype, seed=0)
    sig = ModelSignature.from_model(model)
    ids = torch.randint(10, 200, (batch, seq))
    per_example = random_adapter(sig, rank=rank, batch=batch, std=0.02).to(dtype=dtype)
    single = per_example[0]
    @torch.no_grad()
    def base(): model(input_ids=ids)
    @torch.no_grad()
    def batched():
        with apply_adapter(model, per_example): model(input_ids=ids)
    times = {'base': [], 'batched': [], 'merged': []}
    for f in (base, batched): f()                                    # warm-up
    with merged_adapter(model, single):
        base()
    for _ in range(repeats):
        for k, f in (('base', base), ('batched', batched)):
            t = time.perf_counter(); f(); times[k].append(time.perf_counter() - t)
        with merged_adapter(model, single):                            # merge cost is not part of the forward
            t = time.perf_counter(); base(); times['merged'].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return dict(model=name, batch=batch, seq=seq, rank=rank, dtype=str(dtype).replace('torch.', ''),
                base_s=med['base'], batched_s=med['batched'], merged_s=med['merged'],
                batched_ratio=med['batched'] / med['base'], merged_ratio=med['merged'] / med['base'])


def hypernet_time(cfg, n_positions, repeats, dtype):
    "Median forward time of a hypernetwork (random weights) on one video's states."
    torch.manual_seed(0)
    h = HyperNetwork(cfg).to(dtype).eval()
    states = torch.randn(1, cfg.n_layers, n_positions, cfg.d_model, dtype=dtype)
    mask = torch.ones(1, n_positions, dtype=torch.bool)
    with torch.no_grad():
        h(states, mask)
        ts = []
        for _ in range(repeats):
            t = time.perf_counter(); h(states, mask); ts.append(time.perf_counter() - t)
    n_params = sum(p.numel() for p in h.parameters())
    return dict(hypernet=cfg.name, params_m=n_params / 1e6, positions=n_positions, dtype=str(dtype).replace('torch.', ''),
                forward_s=float(np.median(ts)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true', help='fewer repeats')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', default=None, help='also write the results here')
    a = ap.parse_args()
    if a.json and Path(a.json).exists():      # never replace a file we cannot tell is ours
        ap.error(f"{a.json}: a file is already there; choose a new path")
    torch.set_num_threads(a.threads)
    reps = 5 if a.quick else 15
    rows = [forward_ratios('tiny', 32, 24, 8, reps * 4, torch.float32),
            forward_ratios('smolvlm2-256m', 8, 32, 32, reps, torch.bfloat16)]
    print(f"{'model':15s} {'dtype':8s} {'batch x seq':>11s} {'rank':>4s} {'base s':>8s} {'batched s':>9s} {'merged s':>8s} "
          f"{'batched/base':>12s} {'merged/base':>11s}")
    for r in rows:
        print(f"{r['model']:15s} {r['dtype']:8s} {r['batch']:>5d} x {r['seq']:<3d} {r['rank']:4d} {r['base_s']:8.4f} {r['batched_s']:9.4f} "
              f"{r['merged_s']:8.4f} {r['batched_ratio']:12.3f} {r['merged_ratio']:11.3f}")
    # one 12-frame video: tiny = 12 x 16 visual tokens + text (364 positions, measured with the prompt builder);
    # 500M = 12 x 64 visual tokens + about 130 text positions
    hyp = [hypernet_time(HyperConfig.tiny(), 364, reps * 2, torch.float32),
           hypernet_time(HyperConfig.smolvlm2_500m(), 12 * tokens_per_frame(preset_config('smolvlm2-500m')) + 130, max(3, reps // 2), torch.bfloat16)]
    print(f"\n{'hypernetwork':15s} {'params':>8s} {'positions':>9s} {'dtype':8s} {'forward s':>9s}")
    for h in hyp: print(f"{h['hypernet']:15s} {h['params_m']:7.2f}M {h['positions']:9d} {h['dtype']:8s} {h['forward_s']:9.4f}")
    print("\ntargets: batched/base <= 1.25 (tiny), <= 1.5 (256M); merged/base ~ 1 (within noise)")
    if a.json:
        from video2lora.io import write_text_atomic
        write_text_atomic(a.json, json.dumps(dict(forward=rows, hypernet=hyp, threads=a.threads), indent=1))


if __name__ == '__main__':
    main()
