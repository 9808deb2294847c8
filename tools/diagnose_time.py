#!/usr/bin/env python
"""Where time is lost (nbs/08a_diagnose): probes of every stage from a video to its adapter, and the adapter-form test.

    python tools/diagnose_time.py --clips 900 --fit-clips 40 --json video2lora/assets/tiny_hypernet/diagnosis.json
    python tools/diagnose_time.py --hypernet runs/hyper4/hypernet --json runs/hyper4/diagnosis.json
"""
import argparse, json, time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--hypernet', default='', help='a saved hypernetwork folder (default: the bundled one)')
    ap.add_argument('--clips', type=int, default=900, help='validation clips for the probes')
    ap.add_argument('--fit-clips', type=int, default=40, help='clips for the per-video adapter fits')
    ap.add_argument('--seed', type=int, default=0, help='world seed of the validation clips')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--json', required=True, help='a new file for the result')
    a = ap.parse_args()
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there; choose a new path")
    import torch
    from video2lora.tiny import load_tiny
    from video2lora.prompts import PromptBuilder
    from video2lora.hypernet import load_hypernet, load_bundled_hypernet
    from video2lora.diagnose import diagnose
    from video2lora.io import write_text_atomic
    torch.set_num_threads(a.threads)
    vlm, tok = load_tiny()
    hn, meta = load_hypernet(a.hypernet) if a.hypernet else load_bundled_hypernet()
    t0 = time.time()
    source_layer = (meta.get('train_config') or {}).get('source_layer', -1)   # an ablation hypernetwork reads one layer
    res = diagnose(vlm, PromptBuilder.for_model(tok, vlm.config), hn, a.clips, a.fit_clips, a.seed, source_layer=source_layer)
    res.update(hypernet=a.hypernet or 'bundled', hypernet_command=meta.get('command'), seconds=round(time.time() - t0, 1),
               command='python tools/diagnose_time.py ' + ' '.join(f'--{k.replace("_", "-")} {v}' for k, v in vars(a).items() if v not in ('', None)))
    write_text_atomic(a.json, json.dumps(res, indent=1))
    for r in res['probes']: print(f"{r['stage']:28s} {r['layer']}  direction {r['direction']:.3f} (base {r['direction_base']:.2f})  order {r['order']:.3f} (base {r['order_base']:.2f})")
    for k, v in res['capacity'].items(): print(f"{k:30s} " + ' '.join(f"{t}={v[t]:.3f}" for t in ('overall', 'direction', 'order') if t in v))


if __name__ == '__main__':
    main()
