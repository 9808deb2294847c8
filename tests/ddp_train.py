"Run by tests/test_train.py under `accelerate launch`: a few data-parallel steps with states in disk shards; each rank saves its hypernetwork and its shards."
import json, sys
from pathlib import Path
import torch
from safetensors.torch import save_file
from video2lora.train import HyperTrainConfig, train_hypernet

out = Path(sys.argv[1])
cfg = HyperTrainConfig(steps=4, batch_size=8, pool=16, warmup=1, eval_every=0, save_every=0, threads=1, seed=3,
                       storage='disk', shard_size=4, grad_accum=2)
r = train_hypernet(cfg, out, progress=False)
from accelerate import PartialState
rank = PartialState().process_index
save_file({k: v.contiguous() for k, v in r['hypernet'].state_dict().items()}, str(out / f'rank{rank}.safetensors'))
(out / f'rank{rank}.json').write_text(json.dumps(dict(written=r['store'].written, reused=r['store'].reused)))
print(f'rank {rank} of {PartialState().num_processes} done at step {r["step"]}')
