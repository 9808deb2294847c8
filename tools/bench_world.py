#!/usr/bin/env python
"""Generation speed and video-blind baseline of the procedural world (numbers for the closing notes).

    python tools/bench_world.py --clips 1000 --out /tmp/world1k
"""
import argparse, json, tempfile, time
from pathlib import Path

from video2lora.world import WorldConfig, generate_world, load_world, blind_baseline, format_table, draw_clip


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--clips', type=int, default=1000, help='clips to generate and write (all in the train split)')
    ap.add_argument('--out', default=None, help='folder (default: a temporary one)')
    ap.add_argument('--blind-train', type=int, default=5000, help='training clips the blind baseline learns from')
    ap.add_argument('--blind-eval', type=int, default=1000, help='test and held-out clips it is scored on')
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    out = Path(a.out or tempfile.mkdtemp())
    cfg = WorldConfig()
    t0 = time.perf_counter()
    generate_world(out, cfg, counts={'train': a.clips}, seed=a.seed)
    dt = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in (out/'videos').rglob('*.mp4'))
    print(f"generated and wrote {a.clips} clips in {dt:.1f}s ({a.clips / dt:.0f} clips/s), {size / 2**20:.1f} MiB of mp4")
    t0 = time.perf_counter(); n = len(load_world(out)); print(f"manifest read back: {n} clips in {time.perf_counter() - t0:.2f}s")
    train = [draw_clip(cfg, a.seed, 'train', i) for i in range(a.blind_train)]
    for split in ('test', 'heldout'):
        ev = [draw_clip(cfg, a.seed, split, i) for i in range(a.blind_eval)]
        print(f"\nvideo-blind baseline (majority answer per question text, learned on {a.blind_train} train clips), {split} split, {a.blind_eval} clips:")
        print(format_table(blind_baseline(train, ev)))


if __name__ == '__main__': main()
