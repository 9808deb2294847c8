#!/usr/bin/env python
"""Collect the hypernetwork-input ablation: validation accuracy from adapters at the same step of runs that
differ only in which layer's states the hypernetwork reads.

The runs share the bundled recipe (seed, data, the 2,500-step schedule) and are compared at step 500: the bundled
hypernetwork itself (its evals.jsonl has step 500) reads layer l for adapter l, as in the paper; the ablations read
one layer for every adapter:

    video2lora train --out runs/abl-emb  --steps 2500 --stop-after 500 --source-layer 0    # the embeddings
    video2lora train --out runs/abl-deep --steps 2500 --stop-after 500 --source-layer 3    # the last layer's input

    python tools/collect_ablation.py video2lora/assets/tiny_hypernet runs/abl-emb runs/abl-deep --step 500 --json ablation.json

(the committed table: benchmarks/ablation/source_layer.json, measured on an earlier recipe: rank 8, 4 targets per video.)
"""
import argparse, json
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('runs', nargs='+', help='training folders (evals.jsonl + checkpoint/trainer.json) or hypernetwork folders (evals.jsonl + hypernet.json)')
    ap.add_argument('--step', type=int, default=500, help='the evaluation step to compare')
    ap.add_argument('--json', default=None, help='write the table here')
    a = ap.parse_args()
    if a.json and Path(a.json).exists():      # never replace a file we cannot tell is ours
        ap.error(f"{a.json}: a file is already there; choose a new path")
    rows = []
    for run in a.runs:
        run = Path(run)
        evals = [json.loads(l) for l in (run / 'evals.jsonl').read_text().splitlines() if l.strip()]
        ev = next(e for e in evals if e['step'] == a.step)
        meta = run / 'checkpoint' / 'trainer.json'                # a training folder, or a saved hypernetwork (the bundled one)
        m = json.loads(meta.read_text()) if meta.exists() else json.loads((run / 'hypernet.json').read_text())
        cfg = m['config'] if meta.exists() else m['train_config']
        rows.append(dict(run=str(run), source_layer=cfg['source_layer'], step=a.step, command=m.get('command'),
                         **{k: v for k, v in ev.items() if k not in ('step', 'seconds')}))
    keys = [k for k in ('overall', 'colour', 'shape', 'direction', 'count', 'order', 'exists', 'change') if k in rows[0]]
    print(f"{'run':18s} {'reads':>12s} " + ' '.join(f"{k:>9s}" for k in keys))
    for r in rows:
        reads = 'layer l -> l' if r['source_layer'] < 0 else f"layer {r['source_layer']} only"
        print(f"{Path(r['run']).name:18s} {reads:>12s} " + ' '.join(f"{r[k]:9.3f}" for k in keys))
    if a.json:
        from video2lora.io import write_text_atomic
        write_text_atomic(a.json, json.dumps(rows, indent=1))


if __name__ == '__main__':
    main()
