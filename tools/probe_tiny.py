"""Where does a tiny SmolVLM lose a question type: in what the video tokens know, or in reading it out?

    python tools/probe_tiny.py [--model runs/tiny3/model] [--clips 300] [--json out.json]

Runs `video2lora.tiny_recipe.probe_tiny` (explained in nbs/03a_tiny_recipe.ipynb) and prints its report.
"""
import argparse, json
from pathlib import Path

import torch

from video2lora.tiny import load_tiny
from video2lora.vlm import load_vlm_folder
from video2lora.tiny_probes import probe_tiny, probe_report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=None, help='saved tiny model folder (default: the bundled one)')
    ap.add_argument('--clips', type=int, default=300, help='validation clips')
    ap.add_argument('--seed', type=int, default=0, help='world seed of the validation clips')
    ap.add_argument('--json', default=None, help='also write the results here')
    args = ap.parse_args()
    if args.json and Path(args.json).exists():      # never replace a file we cannot tell is ours
        ap.error(f"{args.json}: a file is already there; choose a new path")
    torch.set_num_threads(2)
    model, tok = load_vlm_folder(args.model) if args.model else load_tiny()
    res = dict(model=args.model or 'bundled', **probe_tiny(model, tok, args.clips, args.seed))
    print(f"model: {res['model']}\n" + probe_report(res))
    if args.json:
        from video2lora.io import write_text_atomic
        write_text_atomic(args.json, json.dumps(res, indent=1))


if __name__ == '__main__': main()
