"Integration tests of hypernetwork training: two data-parallel processes on CPU (gloo) with sharded disk states end with identical weights; a killed run resumes."
import os, subprocess, sys, shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

HERE = Path(__file__).parent


def test_two_processes_end_identical(tmp_path):
    "`accelerate launch` with 2 CPU processes: each rank caches and trains on its own shards of videos (disk), with gradient accumulation; both end with the same weights."
    accelerate = Path(sys.executable).parent/'accelerate'             # installed with video2lora: never skipped
    assert accelerate.exists(), f'{accelerate}: the accelerate command is missing (pip install -e .)'
    env = dict(os.environ, OMP_NUM_THREADS='1', MASTER_PORT='29517')
    cmd = [str(accelerate), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
           '--dynamo_backend', 'no', '--main_process_port', '29517', str(HERE / 'ddp_train.py'), str(tmp_path / 'run')]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert 'rank 0 of 2 done at step 4' in res.stdout and 'rank 1 of 2 done at step 4' in res.stdout
    a, b = load_file(tmp_path / 'run' / 'rank0.safetensors'), load_file(tmp_path / 'run' / 'rank1.safetensors')
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), 'ranks diverged'
    assert any(a[k].abs().max() > 0 for k in a if k.startswith('head_B')), 'no training happened (B heads still zero)'
    assert (tmp_path / 'run' / 'hypernet' / 'hypernet.safetensors').exists()
    import json
    shards = [json.loads((tmp_path / 'run' / f'rank{r}.json').read_text())['written'] for r in (0, 1)]
    assert shards == [[0, 2], [1, 3]], shards                      # 16 videos in shards of 4: rank r owns shards r, r + 2
    assert sorted(p.name for p in (tmp_path / 'run' / 'states').rglob('shard-*')) == [f'shard-0000{k}.safetensors' for k in range(4)]


RUN = r'''
import sys
from video2lora.train import HyperTrainConfig, train_hypernet
cfg = HyperTrainConfig(steps=int(sys.argv[2]), batch_size=8, pool=16, warmup=1, eval_every=0, save_every=1, threads=1, seed=5)
train_hypernet(cfg, sys.argv[1], progress=False)
'''


def _checkpoint(folder):
    import json
    return (load_file(folder / 'checkpoint' / 'hypernet.safetensors'), load_file(folder / 'checkpoint' / 'optimizer.safetensors'),
            json.loads((folder / 'checkpoint' / 'trainer.json').read_text()))


def test_killed_run_resumes_to_same_state(tmp_path):
    "A run killed (SIGKILL) mid-training resumes from its last checkpoint to the same weights and optimizer state."
    import json, signal, time
    env = dict(os.environ, OMP_NUM_THREADS='1')
    subprocess.run([sys.executable, '-c', RUN, str(tmp_path / 'full'), '6'], check=True, env=env, timeout=600, capture_output=True)
    p = subprocess.Popen([sys.executable, '-c', RUN, str(tmp_path / 'cut'), '6'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trainer = tmp_path / 'cut' / 'checkpoint' / 'trainer.json'
    t0 = time.time()
    while time.time() - t0 < 300:
        if trainer.exists() and json.loads(trainer.read_text())['step'] >= 2: break
        time.sleep(0.2)
    p.send_signal(signal.SIGKILL); p.wait()
    killed_at = json.loads(trainer.read_text())['step']
    assert 2 <= killed_at < 6, killed_at
    subprocess.run([sys.executable, '-c', RUN, str(tmp_path / 'cut'), '6'], check=True, env=env, timeout=600, capture_output=True)
    (h1, o1, t1), (h2, o2, t2) = _checkpoint(tmp_path / 'full'), _checkpoint(tmp_path / 'cut')
    assert t1['step'] == t2['step'] == 6
    assert all(torch.equal(h1[k], h2[k]) for k in h1), 'weights differ after resume'
    assert o1.keys() == o2.keys() and all(torch.equal(o1[k], o2[k]) for k in o1), 'optimizer state differs after resume'
    assert t1['param_groups'] == t2['param_groups']
    import csv
    steps = [int(r['step']) for r in csv.DictReader(open(tmp_path / 'cut' / 'log.csv'))]
    assert steps == list(range(1, 7)), steps                      # no step logged twice after the resume


def test_multinode_example_config_loads():
    "The multi-node example is a valid Accelerate config: 2 machines, 8 processes, DDP on GPUs, no Accelerate-side mixed precision."
    from accelerate.commands.config.config_args import load_config_from_file
    c = load_config_from_file(str(HERE.parent / 'examples' / 'accelerate_multinode.yaml'))
    assert (c.num_machines, c.num_processes, c.distributed_type.value, c.mixed_precision) == (2, 8, 'MULTI_GPU', 'no')
    assert c.main_process_ip and c.main_process_port
