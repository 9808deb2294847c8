#!/usr/bin/env python
"""Train hypernetworks that differ from the bundled recipe in one lever each, side by side, and collect their
validation curves (the same 100 validation clips of seed 0 for every run) into one JSON table.

Made for a machine with a GPU or many cores (each run is its own process; the GPU is shared):

    python tools/lever_sweep.py --out runs/levers --budget 420            # every lever, stopped after 420 s
    python tools/lever_sweep.py --out runs/levers --only base,focus --steps 200 --pool 64   # a quick look

Runs still going at the deadline are stopped (SIGTERM: the CLI unwinds) and keep the evaluations they made.
--pack FILE writes the table plus each finished run's hypernetwork (hypernet.json + safetensors) into one tar file.
"""
import argparse, json, shlex, signal, subprocess, sys, tarfile, time
from pathlib import Path

ALL_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LEVERS = {                         # name -> extra `video2lora train` arguments (the base is the bundled recipe)
    'base': [],
    'long3x': ['--steps-x', '3'],
    'focus': ['--focus', 'direction=3,order=3,change=2'],
    'rank16+bias16': ['--hyper', json.dumps({'rank': 16, 'bias_rank': 16})],
    'all-modules': ['--hyper', json.dumps({'modules': ALL_MODULES})],
    'bigger': ['--hyper', json.dumps({'width': 256, 'n_blocks': 4, 'n_latents': 16})],
    'pool16k': ['--pool', '16000'],
    'kl1': ['--kl-weight', '1.0'],
    'targets8': ['--targets-per-video', '8'],
    'combined': ['--steps-x', '3', '--focus', 'direction=3,order=3,change=2', '--targets-per-video', '8',
                 '--hyper', json.dumps({'rank': 16, 'bias_rank': 16, 'modules': ALL_MODULES, 'n_blocks': 4, 'n_latents': 16})],
}


def command(name, args, out, steps, pool):
    extra = list(LEVERS[name])
    mult = 1
    if '--steps-x' in extra:
        i = extra.index('--steps-x'); mult = int(extra[i + 1]); del extra[i:i + 2]
    cmd = [sys.executable, '-c', 'from video2lora.cli import main; main()', 'train', '--out', str(out / name), '--steps', str(steps * mult), '--threads', str(args.threads),
           '--eval-every', str(args.eval_every), '--save-every', str(args.save_every)]
    if pool and '--pool' not in extra: cmd += ['--pool', str(pool)]
    if args.eval_clips: cmd += ['--eval-clips', str(args.eval_clips)]
    return cmd + extra


def collect(out, names):
    table = {}
    for n in names:
        run = out / n
        ev = [json.loads(l) for l in (run / 'evals.jsonl').read_text().splitlines() if l.strip()] if (run / 'evals.jsonl').exists() else []
        done = (run / 'hypernet' / 'hypernet.json').exists()
        rows = [r.split(',') for r in ((run / 'log.csv').read_text().splitlines()[1:] if (run / 'log.csv').exists() else [])]
        rows = [r for r in rows if len(r) >= 6 and r[0].isdigit()]           # a run stopped mid-write may leave a partial last line
        last = rows[-1] if rows else None
        table[n] = dict(args=LEVERS[n], evals=ev, finished=done, steps_done=int(last[0]) if last else 0,
                        seconds=float(last[-1]) if last else None)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True, help='a new folder for the runs')
    ap.add_argument('--only', default='', help='comma-separated lever names (default: all): ' + ', '.join(LEVERS))
    ap.add_argument('--steps', type=int, default=2500, help='steps of the base schedule')
    ap.add_argument('--pool', type=int, default=0, help='training videos (default: the recipe\'s)')
    ap.add_argument('--eval-every', type=int, default=500)
    ap.add_argument('--eval-clips', type=int, default=0, help='validation clips (default: the recipe\'s 100)')
    ap.add_argument('--save-every', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--budget', type=float, default=0, help='seconds after which runs still going are stopped (0: none)')
    ap.add_argument('--pack', default='', help='write the table and finished hypernetworks into this tar file')
    a = ap.parse_args()
    names = [n for n in a.only.split(',') if n] or list(LEVERS)
    bad = [n for n in names if n not in LEVERS]
    if bad: ap.error(f"unknown lever(s) {', '.join(bad)}; known: {', '.join(LEVERS)}")
    out = Path(a.out)
    if out.exists(): ap.error(f"{out}: already exists; choose a new folder")
    if a.pack and Path(a.pack).exists(): ap.error(f"{a.pack}: a file is already there; choose a new path")
    out.mkdir(parents=True)
    procs, logs = {}, {}
    for n in names:
        cmd = command(n, a, out, a.steps, a.pool)
        print('video2lora ' + shlex.join(cmd[3:]), flush=True)
        logs[n] = open(out / f'{n}.log', 'w')
        procs[n] = subprocess.Popen(cmd, stdout=logs[n], stderr=subprocess.STDOUT)
    t0 = time.time()
    while any(p.poll() is None for p in procs.values()):
        if a.budget and time.time() - t0 > a.budget:
            for p in procs.values():
                if p.poll() is None: p.send_signal(signal.SIGTERM)
            time.sleep(20)
            for p in procs.values():
                if p.poll() is None: p.kill()
                p.wait()
            break
        time.sleep(5)
    for f in logs.values(): f.close()
    table = collect(out, names)
    for n, r in table.items():
        last = r['evals'][-1] if r['evals'] else {}
        print(f"{n:14s} rc={procs[n].returncode} steps {r['steps_done']:5d} ({r['seconds']} s) "
              + ' '.join(f"{k}={last[k]:.3f}" for k in ('overall', 'direction', 'order') if k in last), flush=True)
        if procs[n].returncode not in (0, None, -15, 143) and not r['evals']:
            print(open(out / f'{n}.log').read()[-3000:])
    (out / 'levers.json').write_text(json.dumps(table, indent=1))
    if a.pack:
        with tarfile.open(a.pack, 'w:gz') as tf:
            tf.add(out / 'levers.json', 'levers.json')
            for n in names:
                for f in ('hypernet/hypernet.json', 'hypernet/hypernet.safetensors', 'log.csv', 'evals.jsonl'):
                    if (out / n / f).exists(): tf.add(out / n / f, f'{n}/{f}')


if __name__ == '__main__':
    main()
