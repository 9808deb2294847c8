"""Real-size smoke test: the paper's hypernetwork preset trained for SmolVLM2-256M (the exact architecture, random
weights, a stand-in word tokenizer) on a data set of videos read as 2 frames, through the same `train_hypernet` a real run uses:
states in disk shards, gradient accumulation and activation checkpointing, interrupted, resumed, then evaluated with
`video2lora eval --data`. Random weights answer nothing useful; what is checked is that the real-size path runs end to end."""
import csv, json, math, time

from video2lora.world import generate_world, WorldConfig
from video2lora.dataset import load_dataset, dataset_words
from video2lora.vlm import build_vlm, save_vlm, PRESETS
from video2lora.prompts import word_tokenizer
from video2lora.train import HyperTrainConfig, train_hypernet
from video2lora.cli import main


def own_data(folder, world):
    "A data set written by hand, as a user would: the world's videos, our own manifest; one video with no questions."
    clips = load_dataset(world)
    lines = [dict(id=f"v{i}", video=str(c.path), caption=c.caption, split=c.split,
                  **({'qa': [dict(question=q['question'], answer=q['answer'], type=q['type']) for q in c.qa[:2]]} if i else {}))
             for i, c in enumerate(clips)]
    folder.mkdir()
    (folder / 'manifest.jsonl').write_text(''.join(json.dumps(l) + '\n' for l in lines))
    return load_dataset(folder)


def test_256m_paper_preset_trains_resumes_and_evaluates(tmp_path):
    generate_world(tmp_path / 'world', WorldConfig(), counts={'train': 4, 'test': 1}, seed=11, progress=False)
    data = tmp_path / 'data'
    records = own_data(data, tmp_path / 'world')
    assert not records[0].qa and records[1].qa                                       # video 0 trains on its caption alone
    save_vlm(build_vlm('smolvlm2-256m', seed=0), word_tokenizer(dataset_words(records)), tmp_path / 'vlm')
    cfg = HyperTrainConfig(vlm=str(tmp_path / 'vlm'), hyper_preset='paper', data=str(data), n_frames=2, steps=4, batch_size=2,
                           targets_per_video=2, warmup=1, eval_every=0, save_every=2, storage='disk', shard_size=2,
                           grad_accum=2, checkpointing=True, threads=2)
    t0 = time.time()
    r1 = train_hypernet(cfg, tmp_path / 'run', progress=False, stop_after=2)             # "interrupted" after 2 steps
    p = PRESETS['smolvlm2-256m']
    est = r1['estimate']
    assert (r1['step'], est.layers, est.width, est.videos) == (2, p.text_layers, p.text_hidden, 4)
    assert est.positions > 2 * p.tokens_per_frame                                        # 2 frames of 64 visual tokens, and text
    assert r1['store'].written == [0, 1] and not (tmp_path / 'run' / 'hypernet').exists()
    r2 = train_hypernet(cfg, tmp_path / 'run', progress=False)                           # resumes at step 2, reuses the shards
    assert r2['step'] == 4 and (r2['store'].reused, r2['store'].written) == ([0, 1], [])
    rows = list(csv.DictReader(open(tmp_path / 'run' / 'log.csv')))
    assert [int(r['step']) for r in rows] == [1, 2, 3, 4] and all(math.isfinite(float(r['loss'])) for r in rows)
    meta = json.loads((tmp_path / 'run' / 'hypernet' / 'hypernet.json').read_text())
    assert meta['train_config']['hyper_preset'] == 'paper' and meta['storage'] == 'disk'
    print(f'train + resume {time.time() - t0:.0f} s'); t0 = time.time()
    rc = main(['eval', '--data', str(data), '--model', str(tmp_path / 'vlm'), '--hypernet', str(tmp_path / 'run' / 'hypernet'),
               '--out', str(tmp_path / 'eval')])
    assert rc == 0
    print(f'eval {time.time() - t0:.0f} s')
    res = json.loads((tmp_path / 'eval' / 'results.json').read_text())
    assert res['test']['n_frames'] == 2 and res['test']['n_clips'] == 1 and res['split'] == 'test'
    for k in ('a_video_in_context', 'b_video2lora', 'c_blind'):
        assert {'overall', 'answer_f1', 'caption_f1', 'caption_rougeL'} <= set(res['test'][k])
    assert res['test']['a_video_in_context']['visual_tokens'] == 2 * p.tokens_per_frame and res['test']['b_video2lora']['visual_tokens'] == 0
