"""What a training step costs: step time, peak memory, student tokens per second and where the layer states live,
for the tiny SmolVLM and the real-size SmolVLM2 presets (exact architectures, random weights, a stand-in word
tokenizer), with the states in memory, in disk shards and re-encoded on the fly. Every configuration runs in a fresh
process, so each peak memory is its own; the table gives each storage's step time as a ratio to the in-memory row of
the same model, measured in the same run.

    python tools/train_bench.py --out benchmarks/train          # CPU: tiny, 256M, 500M x memory, disk, fly
    python tools/train_bench.py --models smolvlm2-500m --storages memory disk --frames 16 --steps 20 \\
        --batch-size 8 --threads 8 --out runs/train-bench-gpu    # what tools/gpu_check.sh runs on a CUDA device

Peak memory is the process's peak resident memory on a CPU (models, states, libraries and all) and the device's peak
allocation during the steps on a GPU.

Random weights learn nothing useful; this measures cost, not accuracy.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {'tiny': dict(frames=12, batch=16, steps=13), 'real': dict(frames=4, batch=4, steps=4)}   # CPU-sized; override for a GPU


def child(spec: dict) -> dict:
    "One configuration, in this (fresh) process: train `steps` steps and report the costs."
    import torch
    from video2lora.train import HyperTrainConfig, train_hypernet
    cfg = HyperTrainConfig(**spec['cfg'])
    t0 = time.time()
    r = train_hypernet(cfg, spec['run'], progress=False)
    total = time.time() - t0
    steps = r['step_seconds'][1:] or r['step_seconds']                      # the first step warms up (lazy allocations)
    step_s = statistics.median(steps)
    disk = sum(p.stat().st_size for p in Path(spec['run'], 'states').rglob('shard-*')) if r['storage'] == 'disk' else 0
    return dict(model=spec['model'], storage=r['storage'], frames=cfg.n_frames, batch=cfg.batch_size, steps=cfg.steps,
                grad_accum=cfg.grad_accum, checkpointing=cfg.checkpointing,
                device='cuda' if torch.cuda.is_available() else 'cpu', step_seconds=step_s, steps_timed=len(steps),
                setup_seconds=total - sum(r['step_seconds']), peak_memory=r['peak_memory'],
                tokens_per_step=statistics.median(r['tokens']), tokens_per_second=statistics.median(r['tokens']) / step_s,
                videos_per_second=cfg.batch_size / step_s, states_in_memory=r['store'].nbytes, states_on_disk=disk,
                states_per_video=r['estimate'].per_video, positions=r['estimate'].positions, estimate=str(r['estimate']))


def prepare(work: Path, models: list, n_videos: int, n_frames: int = 12, seed: int = 0) -> dict:
    "The data set (world videos of `n_frames` frames, in the data-set format) and, per real-size preset, a saved random-weight model folder."
    from video2lora.world import generate_world, WorldConfig
    from video2lora.dataset import load_dataset, dataset_words
    from video2lora.vlm import build_vlm, save_vlm
    from video2lora.prompts import word_tokenizer
    generate_world(work / 'data', WorldConfig(n_frames=max(12, n_frames)), counts={'train': n_videos}, seed=seed, progress=False)
    words = dataset_words(load_dataset(work / 'data'))
    folders = {}
    for m in models:
        if m == 'tiny': folders[m] = ''
        else:
            save_vlm(build_vlm(m, seed=seed), word_tokenizer(words), work / m)
            folders[m] = str(work / m)
    return folders


def table(rows: list) -> str:
    from video2lora.states import fmt_bytes
    ref = {r['model']: r['step_seconds'] for r in rows if r['storage'] == 'memory'}
    out = ['| model | frames | batch | storage | step (s) | vs memory | tokens/s | videos/s | peak memory | states held in RAM | on disk | setup (s) |',
           '|---|---|---|---|---|---|---|---|---|---|---|---|']
    for r in rows:
        vs = f"{r['step_seconds'] / ref[r['model']]:.2f}x" if r['model'] in ref else '-'
        micro = f" ({r['grad_accum']} micro)" if r['grad_accum'] > 1 else ''
        out.append(f"| {r['model']} | {r['frames']} | {r['batch']}{micro} | {r['storage']} | "
                   f"{r['step_seconds']:.2f} | {vs} | {r['tokens_per_second']:,.0f} | {r['videos_per_second']:.2f} | {fmt_bytes(r['peak_memory'])} | "
                   f"{fmt_bytes(r['states_in_memory']) if r['states_in_memory'] else '-'} | {fmt_bytes(r['states_on_disk']) if r['states_on_disk'] else '-'} | "
                   f"{r['setup_seconds']:.0f} |")
    return '\n'.join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', required=True, help='folder for train.json and train.md (new, or a bench folder video2lora wrote)')
    ap.add_argument('--models', nargs='+', default=['tiny', 'smolvlm2-256m', 'smolvlm2-500m'])
    ap.add_argument('--storages', nargs='+', default=['memory', 'disk', 'fly'], choices=['memory', 'disk', 'fly'])
    ap.add_argument('--frames', type=int, default=None, help='frames per video (default: 12 for tiny, 4 for real-size on CPU)')
    ap.add_argument('--batch-size', type=int, default=None, help='videos per step (default: 16 tiny, 4 real-size)')
    ap.add_argument('--steps', type=int, default=None, help='steps per configuration, the first not timed (default: 13 tiny, 4 real-size)')
    ap.add_argument('--targets-per-video', type=int, default=4)
    ap.add_argument('--grad-accum', type=int, default=1)
    ap.add_argument('--checkpointing', action='store_true', help='activation checkpointing of the frozen VLM')
    ap.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    ap.add_argument('--child', default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print('RESULT ' + json.dumps(child(json.loads(a.child)))); return 0
    from video2lora.io import claim_folder, write_text_atomic
    out = claim_folder(a.out, 'bench', dict(command='python tools/train_bench.py ' + ' '.join(sys.argv[1:])))
    rows = []
    with tempfile.TemporaryDirectory(prefix='v2l-train-bench-') as tmp:
        work = Path(tmp)
        biggest = max((a.batch_size or DEFAULTS['tiny' if m == 'tiny' else 'real']['batch']) for m in a.models)
        print(f"preparing: a data set of {2 * biggest} world videos, random-weight models {[m for m in a.models if m != 'tiny']}", flush=True)
        folders = prepare(work, a.models, 2 * biggest, max([a.frames or 0] + [DEFAULTS['tiny' if m == 'tiny' else 'real']['frames'] for m in a.models]))
        for m in a.models:
            d = DEFAULTS['tiny' if m == 'tiny' else 'real']
            batch = a.batch_size or d['batch']
            for s in a.storages:
                cfg = dict(vlm=folders[m], hyper_preset='tiny' if m == 'tiny' else 'paper', data=str(work / 'data'), pool=2 * batch,
                           n_frames=a.frames or d['frames'], steps=a.steps or d['steps'], batch_size=batch, targets_per_video=a.targets_per_video,
                           warmup=1, eval_every=0, save_every=0, storage=s, shard_size=max(1, batch // 2), grad_accum=a.grad_accum,
                           checkpointing=a.checkpointing, threads=a.threads)
                spec = dict(model=m, cfg=cfg, run=str(work / f'run-{m}-{s}'))
                t0 = time.time()
                p = subprocess.run([sys.executable, __file__, '--out', a.out, '--child', json.dumps(spec)], capture_output=True, text=True,
                                   env=dict(os.environ, OMP_NUM_THREADS=str(a.threads)))
                line = next((l for l in p.stdout.splitlines() if l.startswith('RESULT ')), None)
                if p.returncode or line is None:
                    print(p.stdout[-2000:], p.stderr[-4000:], file=sys.stderr); print(f"{m} / {s}: failed", file=sys.stderr); return 1
                rows.append(json.loads(line[len('RESULT '):]))
                r = rows[-1]
                print(f"{m:14s} {s:6s} step {r['step_seconds']:.2f} s, peak {r['peak_memory'] / 1e9:.2f} GB, {r['tokens_per_second']:,.0f} tokens/s "
                      f"({time.time() - t0:.0f} s in all)", flush=True)
    res = dict(rows=rows, command='python tools/train_bench.py ' + ' '.join(sys.argv[1:]), date=time.strftime('%Y-%m-%d'))
    md = table(rows)
    write_text_atomic(out / 'train.json', json.dumps(res, indent=1))
    write_text_atomic(out / 'train.md', f"{res['command']}\n\n{md}\n\n" + '\n'.join(f"- {r['model']}: {r['estimate']}" for r in rows if r['storage'] == rows[0]['storage']) + '\n')
    print('\n' + md)
    return 0


if __name__ == '__main__':
    sys.exit(main())
