"""A generated stream of malformed inputs for every `video2lora` command: adapter files, manifests, options, questions.

`make_fuzz_inputs(D)` writes a good adapter and a good data set into `D`, then one broken copy per case; `fuzz_cases(D)`
lists the cases, each a command line expected to be refused: exit status 2, one line on stderr, no traceback, nothing
changed on disk, no temporary left, within its time limit. `tests/test_fuzz_cli.py` runs them all through
`tests/fuzz_runner.py`.
"""
from __future__ import annotations
import json, os, shutil, struct
from pathlib import Path

import numpy as np

Q = 'how many objects appear?'
DEEP = '[' * 200_000 + ']' * 200_000


def _config_variants(good:dict) -> dict:
    "adapter_config.json contents, by name: bytes or a dict."
    out = {}
    for key, values in {'r': [0, -1, None, '16', 1.5, True, 10**12, 2], 'lora_alpha': [None, 'x', True, -1e400],
                        'peft_type': [None, 'PROMPT_TUNING', 5], 'use_rslora': ['yes']}.items():
        for v in values: out[f"{key}={v!r}"] = {**good, key: v}
    for key in ('r', 'lora_alpha', 'peft_type'): out[f"no {key}"] = {k: v for k, v in good.items() if k != key}
    raw = json.dumps(good)
    out.update({'alpha NaN': raw.replace(f'"lora_alpha": {json.dumps(good["lora_alpha"])}', '"lora_alpha": NaN').encode(),
                'alpha Infinity': raw.replace(f'"lora_alpha": {json.dumps(good["lora_alpha"])}', '"lora_alpha": Infinity').encode(),
                'r twice': raw.replace('{', '{"r": 1, ', 1).encode(),
                'a list': b'[]', 'null': b'null', 'a string': b'"config"', 'empty file': b'', 'not UTF-8': b'\xff\xfe\x00garbage',
                'nested 200,000 deep': DEEP.encode(), 'truncated': raw[:len(raw) // 2].encode()})
    return out


def _meta_variants(good:dict) -> dict:
    sig = good['signature']
    out = {f"signature={v!r}": {**good, 'signature': v} for v in ([], 'x', {}, None, 7)}
    for k in ('n_layers', 'hidden_size', 'shapes'): out[f"signature without {k}"] = {**good, 'signature': {a: b for a, b in sig.items() if a != k}}
    for k, v in {'n_layers': ['4', -1, 10**9], 'shapes': [[], {'down_proj': [1]}, {'down_proj': 'x'}, {'down_proj': [-5, 3]}]}.items():
        for x in v: out[f"signature {k}={x!r}"] = {**good, 'signature': {**sig, k: x}}
    out.update({'a list': b'[]', 'empty file': b'', 'nested 200,000 deep': DEEP.encode(), 'not UTF-8': b'\xff\xfe'})
    return out


def _weights_variants(folder:Path) -> dict:
    "adapter_model.safetensors contents, by name (bytes)."
    from safetensors.torch import load_file, save_file
    import torch
    good = load_file(str(folder/'adapter_model.safetensors'))
    k0 = sorted(good)[0]
    def st(tensors):
        p = folder.parent/'_tmp.safetensors'; save_file(tensors, str(p)); b = p.read_bytes(); p.unlink(); return b
    raw = (folder/'adapter_model.safetensors').read_bytes()
    bad = lambda val: {k: (v.clone().fill_(val) if k == k0 else v) for k, v in good.items()}
    return {'empty file': b'', 'text': b'hello, I am not a safetensors file\n' * 10, 'truncated': raw[:len(raw) // 2],
            'header length 2**62': struct.pack('<Q', 2**62) + raw[8:], 'NaN factor': st(bad(float('nan'))), 'Inf factor': st(bad(float('inf'))),
            'a factor of the wrong shape': st({**good, k0: torch.zeros(3, 5)}), 'a factor missing': st({k: v for k, v in good.items() if k != k0}),
            'an unknown tensor': st({**good, 'something.else.weight': torch.zeros(2, 2)}),
            'int8 factors': st({k: v.to(torch.int8) for k, v in good.items()})}


def _manifest_variants(good_line:dict) -> dict:
    "manifest.jsonl contents, by name (bytes)."
    g = json.dumps(good_line)
    line = lambda d: (json.dumps(d) + '\n').encode()
    out = {'not JSON': b'{"video": \n', 'an array': b'[1, 2]\n', 'a number': b'3\n', 'null': b'null\n',
           'a key twice': g.replace('{', '{"caption": "x", ', 1).encode() + b'\n', 'nested 200,000 deep': DEEP.encode() + b'\n',
           'caption NaN': g.replace(json.dumps(good_line['caption']), 'NaN').encode() + b'\n',
           'not UTF-8': b'{"video": "a.mp4", "caption": "caf\xe9"}\n', 'empty manifest': b'', 'only blank lines': b'\n\n  \n',
           'BOM then garbage': b'\xef\xbb\xbf\x00\x01\n'}
    for k, v in {'caption': [5, '', None, ['a']], 'video': [None, '', 'nowhere.mp4', 'somedir', '/etc/hostname', 'pipe.mp4', 5],
                 'qa': ['x', [5], [{'question': 'q'}], [{'question': '', 'answer': 'a'}], [{'question': 'q', 'answer': 7}]],
                 'split': [5], 'id': [5, ['x']]}.items():
        for x in v: out[f"{k}={x!r}"] = line({**good_line, k: x})
    out['two lines, one id'] = line({**good_line, 'id': 'a'}) + line({**good_line, 'id': 'a'})
    return out


def _write(path:Path, content):
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())


def make_fuzz_inputs(D:Path):
    "The good inputs and one broken copy per case, under `D`."
    from video2lora.world import generate_world
    from video2lora.pipeline import Video2LoRA
    D.mkdir(parents=True, exist_ok=True)
    clips = generate_world(D/'data', counts={'train': 1, 'test': 1}, progress=False)
    v2l = Video2LoRA.load()
    video = D/'data'/clips[1].path
    ad, clip = v2l.internalize(video)
    v2l.save(ad, D/'adapter', video, clip)
    good_cfg = json.loads((D/'adapter'/'adapter_config.json').read_text())
    good_meta = json.loads((D/'adapter'/'video2lora.json').read_text())
    groups = {'adapter_config.json': _config_variants(good_cfg), 'video2lora.json': _meta_variants(good_meta),
              'adapter_model.safetensors': _weights_variants(D/'adapter')}
    n = 0
    for fname, variants in groups.items():
        for name, content in variants.items():
            n += 1; f = D/f"adapter-{n:03d}"
            shutil.copytree(D/'adapter', f); _write(f/fname, content)
            (f/'CASE').write_text(f"{fname}: {name}")
        for kind in ('a named pipe', 'a folder', 'a link to /dev/zero', 'a dangling link'):
            n += 1; f = D/f"adapter-{n:03d}"
            shutil.copytree(D/'adapter', f); (f/fname).unlink()
            if kind == 'a named pipe': os.mkfifo(f/fname)
            elif kind == 'a folder': (f/fname).mkdir()
            elif kind == 'a link to /dev/zero': (f/fname).symlink_to('/dev/zero')
            else: (f/fname).symlink_to(f/'nowhere')
            (f/'CASE').write_text(f"{fname}: {kind}")
    good_line = {**json.loads((D/'data'/'manifest.jsonl').read_text().splitlines()[1]), 'video': 'clip.mp4', 'split': 'test'}
    for k, (name, content) in enumerate(_manifest_variants(good_line).items()):
        f = D/f"manifest-{k + 1:03d}"; f.mkdir()
        (f/'somedir').mkdir(); os.mkfifo(f/'pipe.mp4'); shutil.copy(video, f/'clip.mp4')
        (f/'manifest.jsonl').write_bytes(content); (f/'CASE').write_text(f"manifest: {name}")
    for kind in ('a named pipe', 'a folder'):
        f = D/f"manifest-{kind.split()[-1]}"; f.mkdir()
        os.mkfifo(f/'manifest.jsonl') if kind == 'a named pipe' else (f/'manifest.jsonl').mkdir()
        (f/'CASE').write_text(f"manifest: {kind}")
    return video


OPTIONS = {   # verb -> (options that take a number, the other arguments a run needs)
    'world': (['--clips', '--frames', '--size', '--seed'], ['--out', '{D}/o']),
    'demo': (['--clips', '--seed'], ['--out', '{D}/o']),
    'internalize': (['--segments'], ['{V}', '-o', '{D}/o']),
    'eval': (['--clips', '--heldout-clips', '--finetune-clips', '--finetune-lr', '--margin', '--seed', '--frames'], ['--out', '{D}/o']),
    'tiny-eval': (['--clips', '--long-clips', '--heldout-clips', '--seed'], ['--out', '{D}/o']),
    'train': (['--steps', '--lr', '--batch-size', '--memory-budget-gb', '--caption-frac', '--stop-after', '--n-frames', '--segments',
               '--segment-frac', '--grad-accum', '--warmup'], ['--out', '{D}/o']),
    'tiny-train': (['--steps', '--lr', '--n-frames', '--batch-size'], ['--out', '{D}/o']),
    'bench': (['--repeats', '--frames', '--threads'], ['--out', '{D}/o', '--models', 'tiny']),
}
BAD_NUMBERS = ['nan', 'inf', '-inf', '1e309', '-1', 'abc', '', '0x10']
HUGE = {('world', '--clips'), ('world', '--frames'), ('world', '--size'), ('demo', '--clips'), ('internalize', '--segments'),
        ('eval', '--clips'), ('eval', '--heldout-clips'), ('tiny-eval', '--clips'), ('tiny-eval', '--long-clips'), ('bench', '--frames')}
HYPER = ['{"foo": 1}', '{"n_heads": 5}', '[]', '{"rank": -1}', '{"rank": 0}', '{"alpha": NaN}', '{"width": "wide"}', '{"rank": 1e999}', DEEP[:2000] + DEEP[-2000:]]
QUESTIONS = ['', '   ', '\t\n', 'what ' * 5000, '<image>', 'what <end_of_utterance> is', '<|im_start|>', 'what is <row_1_col_1>',
             '<global-img> colour', 'caf\udcff', 'what\x00colour', 'what color is the square?', 'what colour is the 🟥?', 'WHAT']
STDIN = {'empty': '', 'blank lines': '\n \n\t\n', 'not UTF-8': 'how many objects appear?\n\xff\xfe\n',
         'a control token': 'how many objects appear?\n<end_of_utterance>\n'}


def fuzz_cases(D:Path, video:Path) -> list:
    "Every case: {'id', 'argv', 'stdin', 'timeout'}; each must be refused."
    cases = []
    add = lambda cls, name, argv, stdin=None, timeout=30: cases.append(dict(id=f"{cls}: {name}", argv=[a.replace('{D}', str(D)).replace('{V}', str(video)) for a in argv],
                                                                         stdin=stdin, timeout=timeout, cls=cls))
    for f in sorted(D.glob('adapter-*')):
        add('adapter', (f/'CASE').read_text(), ['ask', str(f), Q])
    for f in sorted(D.glob('manifest-*')):
        add('manifest', (f/'CASE').read_text() + ' (eval)', ['eval', '--data', str(f), '--out', '{D}/o'])
        add('manifest', (f/'CASE').read_text() + ' (train)', ['train', '--data', str(f), '--out', '{D}/o', '--steps', '2'])
    for verb, (opts, rest) in OPTIONS.items():
        for o in opts:
            for v in BAD_NUMBERS + (['1' * 30] if (verb, o) in HUGE else []): add('option', f"{verb} {o} {v!r}", [verb, o, v, *rest])
    for h in HYPER: add('option', f"train --hyper {h[:30]!r}", ['train', '--hyper', h, '--steps', '2', '--out', '{D}/o'])
    for q in QUESTIONS: add('question', f"ask {q[:40]!r}", ['ask', '{D}/adapter', q])
    for name, s in STDIN.items(): add('question', f"ask - with {name} on standard input", ['ask', '{D}/adapter', '-'], stdin=s)
    return cases
