"""Crash safety and concurrent writers, measured with real processes.

- `video2lora internalize` overwriting an existing adapter is killed (SIGKILL) at random points, many times:
  every time the folder holds the complete old adapter or the complete new one (loadable, `video2lora.json`
  present and naming the video whose weights are there), never a mix.
- `video2lora train` is killed while it writes checkpoints: every checkpoint left is complete and consistent
  (the optimizer's step in every parameter state equals the trainer's step), and the run resumes to the end.
- two `video2lora internalize` writing the same folder at once end with one complete adapter.
- two `video2lora train` into one folder: the second is refused at once (the first holds the folder's lock), and
  the lock goes with the first when it is killed; a log that is a symbolic link is refused, not written through.
- what a user put where video2lora writes is never removed: an empty folder or a link inside an adapter folder
  (the rewrite is refused), a folder named like one of video2lora's temporaries (left alone by the clean-up).

Run `python -m pytest tests/test_crash_safety.py -q -s` to see the counts.
"""
import json, os, random, shutil, signal, subprocess, sys, time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from video2lora.world import generate_world

# Run the CLI with its writes slowed a little at random (fsync, the swap), so that kills land inside the
# write window as well as anywhere else; prints WRITE when a temporary output folder is created, SWAPPED when the
# new output has taken the destination's name (the clean-up after it is still to run).
WRAPPER = r"""
import os, random, shutil, sys, tempfile, time
rng = random.Random(int(os.environ['V2L_SEED']))
_fsync, _mkdtemp = os.fsync, tempfile.mkdtemp
def fsync(fd): time.sleep(rng.uniform(0, 0.01)); _fsync(fd)
def mkdtemp(*a, **k):
    d = _mkdtemp(*a, **k)
    if '.v2l-' in os.path.basename(d): print('WRITE', flush=True); time.sleep(rng.uniform(0, 0.02))
    return d
os.fsync, tempfile.mkdtemp = fsync, mkdtemp
import video2lora.io as io
_swap = io._swap_in
def swap(*a): time.sleep(rng.uniform(0, 0.02)); _swap(*a); print('SWAPPED', flush=True); time.sleep(rng.uniform(0, 0.02))
io._swap_in = swap
from video2lora.cli import main
sys.exit(main(sys.argv[1:]))
"""


def cli(args, seed=0, **kw):
    env = {**os.environ, 'V2L_SEED': str(seed)}
    return subprocess.Popen([sys.executable, '-c', WRAPPER, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, **kw)


@pytest.fixture(scope='module')
def two_videos(tmp_path_factory):
    d = tmp_path_factory.mktemp('crash')
    clips = generate_world(d/'w', counts={'test': 2}, seed=11, progress=False)
    return d, [d/'w'/c.path for c in clips]


def adapter_state(folder:Path):
    "What is in an adapter folder: (source video named by video2lora.json, the weights) or an exception if broken."
    meta = json.loads((folder/'video2lora.json').read_text())
    cfg = json.loads((folder/'adapter_config.json').read_text())
    w = load_file(str(folder/'adapter_model.safetensors'))
    assert meta['kind'] == 'adapter' and cfg['r'] == meta['rank']
    return meta['source_video'], w


def same(w1, w2): return w1.keys() == w2.keys() and all(torch.equal(w1[k], w2[k]) for k in w1)


def test_kill_internalize_many_times(two_videos):
    d, (va, vb) = two_videos
    ref = {}
    for v, name in [(va, 'ref-a'), (vb, 'ref-b')]:
        t0 = time.time(); p = cli(['internalize', v, '-o', d/name]); out, err = p.communicate(timeout=300); assert p.returncode == 0, err
        ref[str(v)] = adapter_state(d/name)[1]; run_s = time.time() - t0    # how long one run takes, start to exit
    rng, counts, N = random.Random(0), dict(old=0, new=0, broken=0, leftovers=0, in_write=0, after_swap=0), 12
    dest = d/'dest'
    for i in range(N):
        if dest.exists(): shutil.rmtree(dest)
        shutil.copytree(d/'ref-a', dest)                                 # the old adapter: video A
        p = cli(['internalize', vb, '-o', dest], seed=i)                # the new one: video B
        if i % 3 == 0: time.sleep(rng.uniform(0, run_s))                # anywhere in the run ...
        elif i % 3 == 1:                                                 # ... inside the write window ...
            line = p.stdout.readline()
            if 'WRITE' in line: counts['in_write'] += 1; time.sleep(rng.uniform(0, 0.12))
        else:                                                            # ... or right after the swap, in the clean-up
            for line in p.stdout:
                if 'SWAPPED' in line: counts['after_swap'] += 1; break
        p.send_signal(signal.SIGKILL); p.communicate()
        try:
            src, w = adapter_state(dest)
            kind = 'old' if same(w, ref[str(va)]) else 'new' if same(w, ref[str(vb)]) else 'broken'
            if kind != 'broken' and src != str(va if kind == 'old' else vb): kind = 'broken'   # marker from the other one
        except Exception: kind = 'broken'
        counts[kind] += 1
        counts['leftovers'] += any('.v2l-' in q.name for q in d.iterdir())
    # leftovers of killed writers are removed by the next write to the same place; a user's folder named like one is not
    from video2lora.io import _HOST
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True).stdout.strip()
    mine = d/f'.dest.v2l-{_HOST}-{dead}-mine'; mine.mkdir(); (mine/'notes.txt').write_text('mine')
    p = cli(['internalize', va, '-o', dest]); _, err = p.communicate(timeout=300); assert p.returncode == 0, err
    assert (mine/'notes.txt').read_text() == 'mine'; shutil.rmtree(mine)
    print(f"\nkill test (internalize over an existing adapter, SIGKILL): {N} kills, {counts['broken']} broken outputs, "
          f"{counts['old']} old adapter whole, {counts['new']} new adapter whole; {counts['in_write']} kills aimed inside the write "
          f"window, {counts['after_swap']} right after the swap; {counts['leftovers']} left a temporary folder, all removed by the next write")
    assert counts['broken'] == 0 and counts['old'] + counts['new'] == N
    assert counts['old'] > 0 and counts['new'] > 0 and counts['after_swap'] > 0   # kills landed before and after the swap
    assert not [q for q in d.iterdir() if '.v2l-' in q.name]


def test_concurrent_writers_end_with_one_adapter(two_videos):
    d, (va, vb) = two_videos
    refs = {str(v): adapter_state(d/n)[1] for v, n in [(va, 'ref-a'), (vb, 'ref-b')]} if (d/'ref-a').exists() else None
    if refs is None:
        for v, n in [(va, 'ref-a'), (vb, 'ref-b')]:
            p = cli(['internalize', v, '-o', d/n]); p.communicate(timeout=300)
        refs = {str(v): adapter_state(d/n)[1] for v, n in [(va, 'ref-a'), (vb, 'ref-b')]}
    winners = []
    for i in range(3):
        dest = d/f'race{i}'
        ps = [cli(['internalize', v, '-o', dest], seed=10 * i + k) for k, v in enumerate((va, vb))]
        for p in ps:
            _, err = p.communicate(timeout=300); assert p.returncode == 0, err   # both succeed: each replaced the other's output
        src, w = adapter_state(dest)
        assert same(w, refs[src]), f"race {i}: the weights are not those of {src}"
        winners.append(Path(src).name)
    assert not [q for q in d.iterdir() if '.v2l-' in q.name]
    print(f"\nconcurrent writers: 3 races of two internalize processes on one folder, 3 complete adapters (last writer: {winners})")


def test_kill_training_checkpoints(tmp_path):
    run = tmp_path/'run'
    args = ['train', '--out', run, '--steps', '30', '--save-every', '1', '--pool', '8', '--batch-size', '4', '--eval-every', '0', '--threads', '1']
    rng, kills, broken, steps = random.Random(1), 0, 0, []
    for i in range(6):
        last = steps[-1] if steps else 0
        p = cli(args, seed=i)
        t0 = time.time()
        while time.time() - t0 < 120 and p.poll() is None:              # until this process has written a checkpoint ...
            try:
                if json.loads((run/'checkpoint'/'trainer.json').read_text())['step'] > last: break
            except (OSError, ValueError): pass
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 1.5))                                 # ... then anywhere in its next steps and saves
        p.send_signal(signal.SIGKILL); p.communicate(); kills += 1
        try:
            meta = json.loads((run/'checkpoint'/'trainer.json').read_text())
            opt = load_file(str(run/'checkpoint'/'optimizer.safetensors'))
            load_file(str(run/'checkpoint'/'hypernet.safetensors'))
            assert json.loads((run/'checkpoint'/'video2lora.json').read_text())['kind'] == 'checkpoint'
            assert all(int(v) == meta['step'] for k, v in opt.items() if k.endswith('.step')), 'optimizer and trainer disagree'
            steps.append(meta['step'])
        except Exception as e:
            broken += 1; print('broken:', e)
    print(f"\nkill test (train, a checkpoint every step, SIGKILL): {kills} kills, {broken} broken checkpoints; resumed from steps {steps}")
    assert broken == 0 and steps == sorted(steps) and steps[-1] > steps[0]
    p = cli(args); _, err = p.communicate(timeout=600); assert p.returncode == 0, err
    assert json.loads((run/'checkpoint'/'trainer.json').read_text())['step'] == 30
    assert (run/'hypernet'/'hypernet.safetensors').exists()
    assert not [q for q in run.rglob('*') if '.v2l-' in q.name]


def _run_args(run):
    return ['train', '--out', run, '--steps', '5000', '--save-every', '0', '--pool', '8', '--batch-size', '4', '--eval-every', '0', '--threads', '1']


def test_one_train_run_per_folder(tmp_path):
    run = tmp_path/'run'
    first = cli(_run_args(run))
    t0 = time.time()
    while time.time() - t0 < 180 and first.poll() is None:             # until the first run has claimed (and locked) the folder
        if (run/'log.csv').exists(): break
        time.sleep(0.1)
    assert first.poll() is None, first.communicate()[1]
    t0 = time.time()
    second = cli(_run_args(run)); _, err = second.communicate(timeout=300)
    print(f"\nsecond train into a busy folder: refused in {time.time() - t0:.1f} s: {err.strip()}")
    assert second.returncode == 2 and err.count('\n') == 1
    assert f"another video2lora process is writing {run} (pid {first.pid})" in err
    first.send_signal(signal.SIGKILL); first.communicate()
    third = cli(_run_args(run) + ['--stop-after', '1']); _, err = third.communicate(timeout=300)   # the lock went with the killed run
    assert third.returncode == 0, err


def test_train_never_writes_through_a_link(tmp_path, capsys):
    "(in this process, through `main(argv)`)"
    from video2lora.cli import main
    run, theirs = tmp_path/'run', tmp_path/'theirs.csv'
    theirs.write_text('a file outside the run folder')
    assert main(list(map(str, _run_args(run) + ['--stop-after', '1']))) == 0
    (run/'log.csv').unlink(); (run/'log.csv').symlink_to(theirs)
    capsys.readouterr()
    code = main(list(map(str, _run_args(run) + ['--stop-after', '1']))); err = capsys.readouterr().err
    assert code == 2 and err.count('\n') == 1 and 'log.csv: is a symbolic link' in err, err
    assert theirs.read_text() == 'a file outside the run folder' and (run/'log.csv').is_symlink()


def test_rewrite_keeps_what_the_user_put_in_an_adapter(two_videos, capsys):
    "(in this process, through `main(argv)`: nothing here needs a process of its own)"
    from video2lora.cli import main
    d, (va, vb) = two_videos
    dest = d/'keep'
    assert main(['internalize', str(va), '-o', str(dest)]) == 0
    (d/'elsewhere').mkdir(exist_ok=True)
    for name, make in [('empty', lambda p: p.mkdir()), ('link', lambda p: p.symlink_to(d/'elsewhere')), ('dangling', lambda p: p.symlink_to(d/'nowhere'))]:
        before = sorted(q.name for q in dest.iterdir())
        make(dest/name)
        capsys.readouterr()
        code = main(['internalize', str(vb), '-o', str(dest)]); err = capsys.readouterr().err
        assert code == 2 and f"holds '{name}'" in err and err.count('\n') == 1, err
        assert os.path.lexists(dest/name) and sorted(q.name for q in dest.iterdir()) == sorted(before + [name])
        (dest/name).rmdir() if name == 'empty' else (dest/name).unlink()
    assert adapter_state(dest)[0] == str(va)                          # the old adapter, untouched


def test_writer_killed_inside_its_sentinel_is_cleaned(tmp_path):
    "A writer killed after creating its sentinel file but before writing it leaves a private folder with an empty sentinel: the next writer removes it; a look-alike not named like ours stays."
    import os, tempfile
    from video2lora.io import remove_stale, SENTINEL, temp_prefix
    dest = tmp_path/'out'
    dead = Path(tempfile.mkdtemp(prefix=temp_prefix(dest).replace(f"-{os.getpid()}-", "-999999-"), dir=tmp_path))   # pid 999999: not running
    (dead/SENTINEL).write_text('')
    other = tmp_path/'.out.v2l-notours'; other.mkdir(); (other/SENTINEL).write_text('')
    assert remove_stale(dest) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == ['.out.v2l-notours']
