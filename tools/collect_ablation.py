#!/usr/bin/env python
"""Collect the hypernetwork-input ablation: validation accuracy from adapters at the same step of runs that
differ only in which layer's states the hypernetwork reads.

The runs (same seed, data and schedule; the ablations stop at step 500 of the 1,500-step schedule). The bundled
result (tiny_hypernet/v1/ablation.json) was made with the first tiny model (stage 1 of nbs/03_tiny), which
`video2lora train` used by default then; with today's bundled model add `--model runs/tiny/model` to each run:

    video2lora train --out runs/hyper                                            # layer l -> adapter l (paper)
    video2lora train --out runs/abl-emb  --source-layer 0 --stop-after 500        # every adapter reads layer 0 (embeddings)
    video2lora train --out runs/abl-deep --source-layer 3 --stop-after 500        # every adapter reads the last layer's input

    python tools/collect_ablation.py runs/hyper runs/abl-emb runs/abl-deep --step 500 --json video2lora/assets/tiny_hypernet/v1/ablation.json
"""
import argparse, json
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('runs', nargs='+', help='training folders (with evals.jsonl and checkpoint/trainer.json)')
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
        cfg = json.loads((run / 'checkpoint' / 'trainer.json').read_text())['config']
        rows.append(dict(run=str(run), source_layer=cfg['source_layer'], step=a.step, command=json.loads((run / 'checkpoint' / 'trainer.json').read_text()).get('command'),
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
