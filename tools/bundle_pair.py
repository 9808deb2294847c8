"""Bundle a new tiny pair into `video2lora/assets/`: a tiny SmolVLM trained by `video2lora tiny-train` as one more stage
of `tools/train_tiny.sh`, and a hypernetwork trained for it by `video2lora train` in stages (a run from scratch, then
runs that each start from the one before: `--init`). The previous hypernetwork's files are replaced (the git history
keeps them; the package carries no history); the VLM's stages are recorded in `training.json` and `stage<k>_*` files.
Then `SIDE_BY_SIDE=1 bash tools/remake_pair.sh` re-makes every number that quotes the pair.

    python tools/bundle_pair.py --vlm ../runs/tiny5 --stages ../runs/h5/big ../runs/h5/bigc --hypernet ../runs/h5/bigc2

Refuses to bundle a hypernetwork that is already bundled, and writes every JSON atomically."""
import argparse, json, sys
from pathlib import Path

from video2lora.io import write_bytes_atomic, write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
VLM, HN = ROOT/'video2lora/assets/tiny_vlm', ROOT/'video2lora/assets/tiny_hypernet'
MODEL_FILES = ('config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json')

def write_json(path, d): write_text_atomic(path, json.dumps(d, indent=1) + '\n')
def copy(src, dst): write_bytes_atomic(dst, Path(src).read_bytes())

def bundle_vlm(run: Path):
    "The VLM of `tiny-train --out RUN` as the next stage: the previous top-level record joins `stages`."
    old, new = json.loads((VLM/'training.json').read_text()), json.loads((run/'model/training.json').read_text())
    k = len(old['stages']) + 1                                        # stages lists every stage so far, the last one at the top level too
    entry = {key: new[key] for key in ('command', 'step', 'last_eval', 'config')}
    entry['minutes'] = new['seconds'] / 60
    eval_command = (ROOT/'tools/train_tiny.sh').read_text().strip().splitlines()[-1]   # the script's last line evaluates its last stage
    new.update(stages=old['stages'] + [entry], reproduce=old['reproduce'], eval_command=eval_command)
    for f in MODEL_FILES: copy(run/'model'/f, VLM/f)
    for f, dst in (('log.csv', f'stage{k}_log.csv'), ('evals.jsonl', f'stage{k}_evals.jsonl')): copy(run/f, VLM/dst)
    write_json(VLM/'training.json', new)
    print(f"tiny_vlm: stage {k} from {run}")

def bundle_hypernet(stages:list, run: Path):
    "The hypernetwork of `train --out RUN` (and its earlier stages' logs as stage<k>_*), in place of the previous one."
    for p in HN.glob('stage*_*'): p.unlink()
    for k, st in enumerate(stages, 1):
        m = json.loads((st/'hypernet/hypernet.json').read_text()); m['vlm'] = 'bundled tiny SmolVLM'
        copy(st/'log.csv', HN/f'stage{k}_log.csv'); copy(st/'evals.jsonl', HN/f'stage{k}_evals.jsonl'); write_json(HN/f'stage{k}_hypernet.json', m)
    meta = json.loads((run/'hypernet/hypernet.json').read_text())
    meta['vlm'] = 'bundled tiny SmolVLM'; meta.pop('init_note', None)
    copy(run/'hypernet/hypernet.safetensors', HN/'hypernet.safetensors')
    copy(run/'log.csv', HN/'log.csv'); copy(run/'evals.jsonl', HN/'evals.jsonl'); write_json(HN/'hypernet.json', meta)
    for f in ('eval.json', 'diagnosis.json'): (HN/f).unlink(missing_ok=True)   # re-made by remake_pair.sh
    print(f"tiny_hypernet: {run} (earlier stages {', '.join(map(str, stages))})")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--vlm', type=Path, required=True, help='the `video2lora tiny-train --out` folder of the new VLM')
    ap.add_argument('--stages', type=Path, nargs='*', default=[], help='the `video2lora train --out` folders of the earlier stages, in order')
    ap.add_argument('--hypernet', type=Path, required=True, help='the `video2lora train --out` folder of the last stage')
    a = ap.parse_args()
    for p in (a.vlm/'model/model.safetensors', *(st/'hypernet/hypernet.json' for st in a.stages), a.hypernet/'hypernet/hypernet.safetensors'):
        if not p.exists(): sys.exit(f"missing {p}")
    if (HN/'hypernet.safetensors').read_bytes() == (a.hypernet/'hypernet/hypernet.safetensors').read_bytes(): sys.exit(f"{a.hypernet} is the bundled hypernetwork already")
    bundle_vlm(a.vlm); bundle_hypernet(a.stages, a.hypernet)
