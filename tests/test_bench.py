"`video2lora bench --quick` on the tiny model: every field in the JSON, token counts equal to the prompt builder's."
import json, subprocess, sys
from pathlib import Path

import numpy as np
import pytest

from video2lora.bench import CONDITIONS, frame_times, kv_bytes_per_token, token_load, BENCH_QUESTION, question_tokenizer
from video2lora.tiny import load_tiny
from video2lora.vlm import PRESETS, preset_config
from video2lora.prompts import PromptBuilder, chat_text, video_text

ROW_FIELDS = {'model', 'frames', 'video_tokens', 'visual_tokens', 'text_tokens', 'load_ratio', 'ttft', 'ttft_runs', 'vision_s',
              'video_llm_s', 'prefix_prefill_s', 'ratios', 'kv_bytes', 'kv_tokens', 'adapter_bytes', 'memory_ratio',
              'internalize', 'break_even', 'decode_tokens_per_s', 'targets'}
RATIOS = {'(1)/(3)', '(1)/(4)', '(2)/(4)', '(4)/(5)', '(3)/(5)'}


@pytest.fixture(scope='module')
def quick_tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp('bench')
    exe = Path(sys.executable).parent/'video2lora'
    res = subprocess.run([str(exe), 'bench', '--quick', '--models', 'tiny', '--out', str(out)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads((out/'bench.json').read_text()), res.stdout, out


def test_every_field(quick_tiny):
    res, stdout, out = quick_tiny
    assert {'config', 'machine', 'command', 'models', 'tokens', 'rows', 'skipped', 'paper_check', 'seconds'} <= set(res)
    assert res['config']['frames'] == [4, 8, 16] and res['config']['models'] == ['tiny']
    assert [r['frames'] for r in res['rows']] == [4, 8, 16]
    for r in res['rows']:
        assert set(r) == ROW_FIELDS, set(r) ^ ROW_FIELDS
        assert set(r['ttft']) == set(CONDITIONS) and all(v > 0 for v in r['ttft'].values())
        assert len(r['ttft_runs']['video']) == res['config']['repeats']
        assert all(len(r['ttft_runs'][k]) == res['config']['short_repeats'] for k in CONDITIONS if k != 'video')
        assert set(r['ratios']) == RATIOS
        assert set(r['internalize']) == {'total_s', 'extract_s', 'hypernet_s', 'merge_s', 'over_video_query'}
        assert set(r['break_even']) == {'vs_video', 'vs_kv_reuse'} and set(r['decode_tokens_per_s']) == {'base', 'unmerged', 'merged'}
        assert len(r['targets']) == 4 and all(isinstance(v, bool) for v in r['targets'].values())
        assert r['ttft']['video'] > r['ttft']['merged']          # 100+ more tokens and a vision encoder cost something
    assert set(res['tokens']) == set(PRESETS) | {'tiny'}
    assert [r['frames'] for r in res['tokens']['smolvlm2-500m']][-1] == 1024
    assert 'TTFT' in (out/'bench.md').read_text() and (out/'bench.png').stat().st_size > 10_000
    # the printed findings are the JSON's numbers, not a fixed text
    r14 = [r['ratios']['(1)/(4)'] for r in res['rows']]
    assert f"video-in-context TTFT / merged-adapter TTFT = {min(r14):.1f}x to {max(r14):.1f}x" in stdout
    for t in res['rows'][0]['targets']:
        ok = [r['frames'] for r in res['rows'] if r['targets'][t]]
        assert f"target '{t}': met at {len(ok)}/{len(res['rows'])} frame counts {ok}" in stdout
    pc = res['paper_check']
    assert f"{pc['video_tokens']} vs {pc['text_tokens']} prompt tokens = {pc['load_ratio']:.0f}x" in stdout


def test_token_counts_match_prompt_builder(quick_tiny):
    "Tokens in the JSON are those of the prompts PromptBuilder builds, for every timed frame count."
    res, _, _ = quick_tiny
    vlm, tok = load_tiny()
    b = PromptBuilder.for_model(tok, vlm.config)
    q = res['models']['tiny']['question']
    for r in res['rows']:
        ts, dur = frame_times(r['frames'])
        p = b.video_question(np.full((r['frames'], 64, 64, 3), 7, np.uint8), ts, q, duration=dur)
        assert r['video_tokens'] == len(p.input_ids)
        assert r['visual_tokens'] == sum(i == b.image_token_id for i in p.input_ids) == r['frames'] * b.tokens_per_frame
        assert r['text_tokens'] == len(b.text_question(q).input_ids)
        assert r['kv_tokens'] == max(i for i, t in enumerate(p.input_ids) if t == b.image_token_id) + 2
        assert r['kv_bytes'] == r['kv_tokens'] * kv_bytes_per_token(vlm.config)
    for rt in res['tokens']['tiny']:
        assert rt == pytest.approx(token_load(b, q, rt['frames'], 1.0, kv_bytes_per_token(vlm.config), rt['adapter_bytes']))


def test_real_size_token_counts():
    "The analytic tables of the SmolVLM2 sizes agree with prompts the builder makes (small frame counts) and scale exactly."
    for name, p in PRESETS.items():
        b = PromptBuilder.for_model(question_tokenizer(BENCH_QUESTION), preset_config(name))
        ts, dur = frame_times(2)
        prompt = b.video_question(np.full((2, 16, 16, 3), 7, np.uint8), ts, BENCH_QUESTION, duration=dur)
        t = token_load(b, BENCH_QUESTION, 2)
        assert t['video_tokens'] == len(prompt.input_ids) and t['visual_tokens'] == 2 * p.tokens_per_frame
        assert token_load(b, BENCH_QUESTION, 1024)['visual_tokens'] == 1024 * p.tokens_per_frame
        for n in (*range(1, 130), 1024):                                   # every frame count's template is known words
            ts, dur = frame_times(n)
            ids = b.encode(chat_text(video_text(n, ts, dur, p.tokens_per_frame) + BENCH_QUESTION))
            assert b.tok.unk_token_id not in ids and max(ids) < p.vocab_size, (name, n)
