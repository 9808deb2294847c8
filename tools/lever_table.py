#!/usr/bin/env python
"""Evaluate hypernetworks trained with different levers on the same test clips and collect one lever table (JSON):
QA exact match per question type, the (b) - (a) QA test, caption token F1 / ROUGE-L and their (b) - (a) tests, and the
composed-adapter score each run's own training evaluation made, and (--compose) the scene facts of long videos whose
segments' adapters are summed (`tools/long_video.py compose`, 60 videos per K of seed 1, no video in context).

    python tools/lever_table.py --model runs/tiny5/model --runs runs/h5/base runs/h5/caption4 ... \
        --clips 500 --json benchmarks/levers/wider_vlm.json

Each run folder is a `video2lora train --out` folder (its `hypernet/` and `evals.jsonl`); its evaluation is written to
RUN/eval (kept: a second call reuses it when it was made on the same clips); its composition to RUN/compose.json (kept).
"""
import argparse, json, shlex, subprocess, sys, time
from pathlib import Path

from video2lora.io import write_text_atomic

TYPES = ['colour', 'shape', 'direction', 'count', 'order', 'exists', 'change']


def evaluate(run:Path, model:str, clips:int, seed:int, data:str='') -> dict:
    "`video2lora eval` of a run's hypernetwork on the world's test clips (or on a data set's test split), made once."
    out = run/('eval-' + Path(data).name if data else 'eval')
    where = ['--data', data, '--split', 'test'] if data else ['--clips', str(clips), '--heldout-clips', '0', '--seed', str(seed)]
    cmd = ['video2lora', 'eval', '--out', str(out), *where, '--finetune-clips', '0', '--model', model, '--hypernet', str(run/'hypernet')]
    res = out/'results.json'
    if res.exists():
        r = json.loads(res.read_text())
        made = shlex.split(r.get('command', ''))
        if all(f in made and made[made.index(f) + 1] == v for f, v in zip(where[::2], where[1::2])): return r   # made on these clips
    print('$', shlex.join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return json.loads(res.read_text())


def compose(run:Path, model:str) -> dict:
    "Scene facts of each segment's own adapter and of the segments' adapters concatenated, 60 long videos per K: {K: {way: [mean, lo, hi]}}."
    out = run/'compose.json'
    if not out.exists():
        cmd = ['python', str(Path(__file__).parent/'long_video.py'), 'compose', '--model', model, '--hypernet', str(run/'hypernet'),
               '--clips', '60', '--k', '2,4,8', '--ways', 'concat', '--no-context', '--seed', '1', '--threads', '1', '--json', str(out)]
        print('$', shlex.join(cmd), flush=True)
        subprocess.run(cmd, check=True)
    return {str(r['k']): {w: r['conditions'][w]['scene'] for w in ('own', 'concat')} for r in json.loads(out.read_text())['results']}


def row(run:Path, r:dict, wide:dict|None=None) -> dict:
    t = r['test']; a, b = t['a_video_in_context'], t['b_video2lora']
    ev = [json.loads(l) for l in (run/'evals.jsonl').read_text().splitlines() if l.strip()] if (run/'evals.jsonl').exists() else []
    meta = json.loads((run/'hypernet'/'hypernet.json').read_text())
    cap = {k: {f: v[f] for f in ('diff', 'ci95', 'p_tost', 'verdict', 'margin') if f in v} for k, v in t.get('captions_b_vs_a', {}).items()}
    return dict(command=meta.get('command'), train_config=meta.get('train_config'), steps=meta.get('step'), train_seconds=meta.get('train_seconds'),
                a={k: a[k] for k in TYPES + ['overall', 'caption_f1', 'caption_rougeL']},
                b={k: b[k] for k in TYPES + ['overall', 'caption_f1', 'caption_rougeL']},
                qa_b_vs_a={f: t['b_vs_a'][f] for f in ('diff', 'ci95', 'p_tost', 'verdict', 'margin')},
                captions_b_vs_a=cap, composed_k2=(ev[-1].get('composed_k2') if ev else None),
                wide=None if wide is None else dict(a=wide['test']['a_video_in_context']['overall'], b=wide['test']['b_video2lora']['overall'],
                                                    **{f: wide['test']['b_vs_a'][f] for f in ('diff', 'ci95')}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', required=True, help='the VLM folder every run was trained for')
    ap.add_argument('--runs', nargs='+', required=True, help='`video2lora train --out` folders')
    ap.add_argument('--clips', type=int, default=500)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--wide-data', default='', help='also evaluate on this data set\'s test split (e.g. the wider world filmed at 64 px)')
    ap.add_argument('--compose', action='store_true', help="also each run's segments composed in rank space (about 2 min a run)")
    ap.add_argument('--json', required=True, help='where to write the table')
    a = ap.parse_args()
    if Path(a.json).exists(): ap.error(f"{a.json}: a file is already there; choose a new path")   # never replaces a file
    t0 = time.time()
    table = {Path(r).name: row(Path(r), evaluate(Path(r), a.model, a.clips, a.seed),
                               evaluate(Path(r), a.model, a.clips, a.seed, a.wide_data) if a.wide_data else None) for r in a.runs}
    if a.compose:
        for r in a.runs: table[Path(r).name]['composed'] = compose(Path(r), a.model)
    for name, r in table.items():
        q, c = r['qa_b_vs_a'], r['captions_b_vs_a'].get('f1', {})
        print(f"{name:14s} QA (b) {r['b']['overall']:.3f} ({q['diff']*100:+.1f}) direction {r['b']['direction']:.3f} "
              f"caption F1 (b) {r['b']['caption_f1']:.3f} ({c.get('diff', float('nan'))*100:+.1f}) composed k2 {(r['composed_k2'] or {}).get('overall')}"
              + (f" wider world (b) {r['wide']['b']:.3f} ({r['wide']['diff']*100:+.1f})" if r['wide'] else '')
              + (' composed scene facts (own -> concat) ' + ', '.join(f"K={k} {v['own'][0]:.2f} -> {v['concat'][0]:.2f}" for k, v in r['composed'].items())
                 if r.get('composed') else ''))
    out = dict(command=shlex.join(['python', 'tools/lever_table.py'] + sys.argv[1:]), clips=a.clips, seed=a.seed, model=a.model, wide_data=a.wide_data,
               runs=table, seconds=round(time.time() - t0, 1))
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(a.json, json.dumps(out, indent=1))
    print(f"written {a.json}")


if __name__ == '__main__':
    main()
