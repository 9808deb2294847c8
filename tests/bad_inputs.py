"""Every bad input of every `video2lora` verb, and how to run them.

Shared by `tests/test_cli_bad_input.py` (each case is a test) and `tools/bad_input_table.py` (which writes the
table in `nbs/20_cli.ipynb`). `run_cases` runs them all in one process through `video2lora.cli.main(argv)`, as the
console script runs it (`tests/fuzz_runner.py`: Python, torch and the tiny model start once, not once per case);
`run_case` runs one through the installed console script, in a process of its own, and measures its peak memory.

A case is a verb, the bad input, the arguments (with `{D}` for the folder of test inputs), the exit status expected
and a phrase its message must contain.
"""
from __future__ import annotations
import hashlib, json, os, re, shlex, subprocess, sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Case:
    verb: str           # the subcommand
    bad: str            # the bad input, in words
    args: list          # arguments after the verb; '{D}' is the inputs folder
    code: int           # exit status expected
    expect: str         # a phrase the message (stderr, or stdout when the exit status is 0) must contain
    stdin: bytes = b''  # what the command reads on standard input

    @property
    def id(self) -> str: return f"{self.verb}: {self.bad}"


def C(verb, bad, args, expect, code=2, stdin=b''): return Case(verb, bad, shlex.split(args), code, expect, stdin)

CASES = [
    # internalize: the video
    C('internalize', 'missing file', '{D}/nope.mp4 -o {D}/out-a', 'file not found'),
    C('internalize', 'empty file', '{D}/empty.mp4 -o {D}/out-a', 'file is empty'),
    C('internalize', 'text renamed .mp4', '{D}/text.mp4 -o {D}/out-a', 'not a video file'),
    C('internalize', 'truncated mp4', '{D}/truncated.mp4 -o {D}/out-a', 'truncated'),
    C('internalize', 'audio-only mp4', '{D}/audio.mp4 -o {D}/out-a', 'no video stream'),
    C('internalize', 'a directory as the video', '{D}/somedir -o {D}/out-a', 'not a file'),
    C('internalize', 'one-frame video', '{D}/one.mp4 -o {D}/out-one', '1 frame, repeated to 12', code=0),
    C('internalize', 'huge resolution (3840x2160)', '{D}/huge.mp4 -o {D}/out-huge', 'internalized', code=0),
    C('internalize', 'longer than an hour (3,700 s)', '{D}/long.mp4 -o {D}/out-long', 'internalized', code=0),
    C('internalize', '--segments more than the video has frames', '{D}/good.mp4 -o {D}/out-a --segments 1000000000', '1,000,000,000 segments need at least 1,000,000,000 frames; the video has 12'),
    C('internalize', 'a named pipe as the video', '{D}/pipe.mp4 -o {D}/out-a', 'a named pipe, device or socket'),
    C('internalize', 'a device as the video', '/dev/zero -o {D}/out-a', 'a named pipe, device or socket'),
    C('internalize', 'an animated GIF (300 frames)', '{D}/anim.gif -o {D}/out-gif', 'internalized', code=0),
    C('internalize', '--hypernet with NaN weights', '{D}/good.mp4 -o {D}/out-a --hypernet {D}/hn-nan', 'holds NaN or infinite values'),
    C('internalize', '--hypernet whose config cannot be built (n_heads 5)', '{D}/good.mp4 -o {D}/out-a --hypernet {D}/hn-heads', 'n_heads must divide width'),
    C('internalize', '--hypernet with an empty hypernet.json', '{D}/good.mp4 -o {D}/out-a --hypernet {D}/hn-empty', 'corrupt hypernet.json'),
    C('internalize', '--model with an empty config.json', '{D}/good.mp4 -o {D}/out-a --model {D}/m-empty --hypernet {D}/hn', 'corrupt config.json'),
    C('internalize', '--model whose weights do not fit its config', '{D}/good.mp4 -o {D}/out-a --model {D}/m-other --hypernet {D}/hn', 'weights of another model?'),
    # internalize: the output
    C('internalize', '-o an adapter folder holding an empty folder of the user', '{D}/good.mp4 -o {D}/ad-withdir', "holds 'mine' (an empty folder)"),
    C('internalize', '-o an adapter folder holding a link of the user', '{D}/good.mp4 -o {D}/ad-withlink', "holds 'mylink' (a symbolic link)"),
    C('internalize', '-o an existing file', '{D}/good.mp4 -o {D}/afile', 'a file is already there'),
    C('internalize', "-o a user's non-empty folder", '{D}/good.mp4 -o {D}/notes', 'not written by video2lora'),
    C('internalize', '-o a video2lora output of another kind', '{D}/good.mp4 -o {D}/aworld', 'holds a video2lora world output'),
    C('internalize', '-o a symbolic link', '{D}/good.mp4 -o {D}/alink', 'symbolic link'),
    C('internalize', '-o inside a file', '{D}/good.mp4 -o {D}/afile/sub', 'is a file, not a folder'),
    # ask
    C('ask', 'adapter_config.json with "r": 0', '{D}/ad-r0 "how many objects appear?"', 'r must be a positive integer, got 0'),
    C('ask', 'adapter_config.json without "r"', '{D}/ad-nor "how many objects appear?"', 'r is missing'),
    C('ask', 'adapter_config.json with "lora_alpha": null', '{D}/ad-alpha "how many objects appear?"', 'lora_alpha must be a finite number, got None'),
    C('ask', 'adapter_config.json nested 200,000 deep', '{D}/ad-deep "how many objects appear?"', 'nested more than 32 levels deep'),
    C('ask', 'adapter_config.json a named pipe', '{D}/ad-pipe "how many objects appear?"', 'is not a regular file'),
    C('ask', 'adapter factors with NaN', '{D}/ad-nan "how many objects appear?"', 'holds NaN or infinite values'),
    C('ask', 'video2lora.json signature of the wrong shape', '{D}/ad-sig "how many objects appear?"', 'the signature must be a JSON object, got list'),
    C('ask', "question with the chat template's control tokens", '{D}/adapter "what <end_of_utterance> colour"', "control token(s) '<end_of_utterance>'"),
    C('ask', 'question with <image>', '{D}/adapter "what colour is <image>"', "control token(s) '<image>'"),
    C('ask', "question longer than the model's context", '{D}/adapter "' + 'how many objects appear? ' * 1100 + '"', 'this model reads at most'),
    C('ask', 'question not UTF-8', '{D}/adapter "how many \udcffobjects?"', 'is not UTF-8 text'),
    C('ask', 'American spelling', '{D}/adapter "what color is the square?"', "'color' (did you mean 'colour'?)"),
    C('ask', 'several questions, one with an unknown word', '{D}/adapter "how many objects appear?" "what is it?"', "'it'"),
    C('ask', 'empty question', '{D}/adapter ""', 'question is empty'),
    C('ask', 'blank question', '{D}/adapter "   "', 'question is empty'),
    C('ask', 'words the model does not know', '{D}/adapter "what is the meaning of life?"', "does not know 2 word(s) of the question: 'meaning', 'life'"),
    C('ask', 'capitalised word', '{D}/adapter "How many objects appear?"', "'How' (did you mean 'how'?)"),
    C('ask', 'missing adapter folder', '{D}/nothing "how many objects appear?"', 'no such adapter folder'),
    C('ask', 'corrupt adapter safetensors', '{D}/bad-weights "how many objects appear?"', 'corrupt or truncated safetensors'),
    C('ask', 'corrupt adapter_config.json', '{D}/bad-config "how many objects appear?"', 'adapter_config.json: corrupt JSON'),
    C('ask', 'corrupt video2lora.json', '{D}/bad-meta "how many objects appear?"', 'corrupt video2lora.json'),
    C('ask', 'adapter of another model', '{D}/other-model "how many objects appear?"', 'decoder layers'),
    C('ask', '--with-video not a video', '{D}/adapter "how many objects appear?" --with-video {D}/text.mp4', 'not a video file'),
    C('ask', "'-' with nothing on standard input", '{D}/adapter -', 'no questions on standard input'),
    C('ask', "'-' with bytes that are not UTF-8 on standard input", '{D}/adapter -', 'standard input, line 2: not UTF-8 text', stdin=b'how many objects appear?\n\xff\xfe\n'),
    # vocab
    C('vocab', '--model missing folder', '--model {D}/nope', 'no such model folder'),
    C('vocab', '--model whose config.json is a list', '--model {D}/m-list', 'cannot load the tokenizer'),
    # world
    C('world', '--clips 0', '--clips 0 --out {D}/w1', 'argument --clips: must be >= 1, got 0'),
    C('world', '--frames -1', '--frames -1 --out {D}/w1', 'argument --frames: must be >= 1, got -1'),
    C('world', '--size 63 (odd)', '--size 63 --out {D}/w1', 'size must be even'),
    C('world', '--splits with an unknown split', '--splits trai=6 --out {D}/w1', "argument --splits: unknown split 'trai'"),
    C('world', '--seed -1', '--seed -1 --out {D}/w1', 'argument --seed: must be >= 0, got -1'),
    C('world', '--clips abc', '--clips abc --out {D}/w1', "argument --clips: an integer expected, got 'abc'"),
    C('world', "--out a user's non-empty folder", '--clips 1 --out {D}/notes', 'not written by video2lora'),
    C('world', '--out an existing file', '--clips 1 --out {D}/afile', 'a file is already there'),
    C('world', '--size 100000 (one clip would not fit in memory)', '--size 100000 --out {D}/w1', 'drawing one clip of 12 frames of 100,000x100,000 would need about'),
    C('world', '--clips 10^12 (its records would not fit in memory)', '--clips 1000000000000 --out {D}/w1', 'the records of 1,000,000,000,000 clips would need about'),
    C('world', '--frames nan', '--frames nan --out {D}/w1', "argument --frames: an integer expected, got 'nan'"),
    # demo
    C('demo', '--clips 0', '--clips 0 --out {D}/d1', 'argument --clips: must be >= 1, got 0'),
    C('demo', "--out a user's non-empty folder", '--clips 1 --out {D}/notes', 'not written by video2lora'),
    C('demo', '--out an adapter folder', '--clips 1 --out {D}/adapter', 'holds a video2lora adapter output'),
    # train
    C('train', '--steps 0', '--steps 0 --out {D}/t1', '--steps must be > 0, got 0'),
    C('train', '--lr -1', '--lr -1 --out {D}/t1', '--lr must be > 0, got -1.0'),
    C('train', '--caption-frac 2', '--caption-frac 2 --out {D}/t1', '--caption-frac must be between 0 and 1, got 2.0'),
    C('train', '--batch-size abc', '--batch-size abc --out {D}/t1', "argument --batch-size: an integer expected, got 'abc'"),
    C('train', '--lr nan', '--lr nan --out {D}/t1', "argument --lr: a finite number expected, got 'nan'"),
    C('train', '--memory-budget-gb inf', '--memory-budget-gb inf --out {D}/t1', "argument --memory-budget-gb: a finite number expected, got 'inf'"),
    C('train', "--hyper with an unknown field", """--hyper '{"foo": 1}' --out {D}/t1""", "unknown field(s) ['foo']"),
    C('train', '--hyper n_heads that does not divide the width', """--hyper '{"n_heads": 5}' --out {D}/t1""", 'n_heads must divide width'),
    C('train', '--hyper nested too deep', "--hyper " + '[' * 100 + ']' * 100 + " --out {D}/t1", 'nested more than 32 levels deep'),
    C('train', '--out a run whose log.csv is a link to a file elsewhere', '--steps 2 --out {D}/run-link', 'log.csv: is a symbolic link'),
    C('train', '--data whose manifest.jsonl is a named pipe', '--data {D}/manifest-pipe --out {D}/t3', 'manifest.jsonl is not a regular file'),
    C('train', '--stop-after 0', '--stop-after 0 --out {D}/t1', 'argument --stop-after: must be >= 1, got 0'),
    C('train', "--out a user's non-empty folder", '--steps 2 --out {D}/notes', 'not written by video2lora'),
    C('train', '--model missing folder', '--model {D}/nope --out {D}/t2', 'no saved model'),
    C('train', '--data a folder without manifest.jsonl', '--data {D}/somedir --out {D}/t3', 'not a data-set folder (no manifest.jsonl)'),
    C('train', '--data a manifest with problems', '--data {D}/baddata --out {D}/t3', 'manifest.jsonl: 4 problems: line 1: '),
    C('train', '--data without a train split', '--data {D}/aworld --steps 2 --out {D}/t3', "no videos of split 'train' to train on"),
    # tiny-train
    C('tiny-train', '--steps 0', '--steps 0 --out {D}/tt1', '--steps must be > 0, got 0'),
    C('tiny-train', '--n-frames 0', '--n-frames 0 --out {D}/tt1', '--n-frames must be > 0, got 0'),
    C('tiny-train', "--out a user's non-empty folder", '--steps 2 --out {D}/notes', 'not written by video2lora'),
    # eval
    C('eval', '--clips 0', '--clips 0 --out {D}/e1', 'argument --clips: must be >= 1, got 0'),
    C('eval', '--margin -0.1', '--margin -0.1 --out {D}/e1', 'argument --margin: must be > 0, got -0.1'),
    C('eval', '--margin nan', '--margin nan --out {D}/e1', "argument --margin: a finite number expected, got 'nan'"),
    C('eval', '--clips 10^12 (their frames would not fit in memory)', '--clips 1000000000000 --out {D}/e1', 'clips of 12 frames (their frames and adapters) would need about'),
    C('eval', '--clips 2: too few videos for a verdict', '--clips 2 --heldout-clips 0 --finetune-clips 0 --out {D}/e3', 'too few videos for a verdict', code=0),
    C('eval', '--data a manifest with a key twice on a line', '--data {D}/dupkey --out {D}/e2', "line 1: not JSON (key 'caption' appears twice in one object)"),
    C('eval', '--data whose manifest.jsonl is a named pipe', '--data {D}/manifest-pipe --out {D}/e2', 'manifest.jsonl is not a regular file'),
    C('eval', "--out a user's non-empty folder", '--clips 1 --out {D}/notes', 'not written by video2lora'),
    C('eval', '--data a manifest with problems', '--data {D}/baddata --out {D}/e2', "line 2: not JSON"),
    C('eval', '--data split missing', '--data {D}/aworld --split val --out {D}/e2', "no videos of split 'val' (splits: test 1)"),
    # tiny-eval
    C('tiny-eval', '--clips 0', '--clips 0 --out {D}/te1', 'argument --clips: must be >= 1, got 0'),
    C('tiny-eval', '--model missing folder', '--model {D}/nope --clips 1 --out {D}/te1', 'no saved model'),
    C('tiny-eval', '--out an existing file', '--clips 1 --out {D}/afile', 'a file is already there'),
    # bench
    C('bench', '--repeats 0', '--repeats 0 --out {D}/b1', 'argument --repeats: must be >= 1, got 0'),
    C('bench', '--frames -1', '--frames -1 --out {D}/b1', 'argument --frames: must be >= 1, got -1'),
    C('bench', '--frames 5000 (beyond the paper\'s longest)', '--frames 5000 --out {D}/b1', 'argument --frames: must be <= 1,024, got 5000'),
    C('bench', '--report missing JSON', '--report {D}/nope.json', 'no such benchmark JSON'),
    C('bench', '--report corrupt JSON', '--report {D}/notes/bench.json', 'not a benchmark JSON'),
    C('bench', "--out a user's non-empty folder", '--models tiny --frames 4 --out {D}/notes', 'not written by video2lora'),
]


def _write_frames(path, frames_iter, w, h, fps):
    import av
    with av.open(str(path), 'w') as box:
        st = box.add_stream('libx264', rate=fps, options={'preset': 'ultrafast', 'threads': '1'})
        st.width, st.height, st.pix_fmt = w, h, 'yuv420p'
        for i, f in enumerate(frames_iter):
            fr = av.VideoFrame.from_ndarray(f, format='rgb24'); fr.pts = i
            for p in st.encode(fr): box.mux(p)
        for p in st.encode(): box.mux(p)


def make_inputs(D:Path, video2lora:str):
    "Write every bad (and the few good) inputs into `D`; `video2lora` is the console script."
    import av
    from video2lora.world import generate_world
    from video2lora.video import write_video
    from video2lora.lora import random_adapter, ModelSignature
    from video2lora.adapter_files import export_peft
    from video2lora.vlm import build_vlm
    D.mkdir(parents=True, exist_ok=True)
    clip = generate_world(D/'aworld', counts={'test': 1}, progress=False)[0]
    good = D/'good.mp4'; good.write_bytes((D/'aworld'/clip.path).read_bytes())
    write_video(D/'one.mp4', np.full((1, 64, 64, 3), 90, np.uint8), fps=1)
    (D/'empty.mp4').write_bytes(b'')
    (D/'text.mp4').write_text('hello, I am a text file\n' * 50)
    (D/'truncated.mp4').write_bytes(good.read_bytes()[:len(good.read_bytes()) // 2])
    with av.open(str(D/'audio.mp4'), 'w') as box:
        st = box.add_stream('aac', rate=16000)
        for i in range(20):
            fr = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format='fltp', layout='mono'); fr.sample_rate = 16000; fr.pts = i * 1024
            for p in st.encode(fr): box.mux(p)
        for p in st.encode(): box.mux(p)
    (D/'somedir').mkdir()
    big = np.zeros((2160, 3840, 3), np.uint8)
    def huge():
        for i in range(24): big[:, :160 * i] = 200; yield big
    _write_frames(D/'huge.mp4', huge(), 3840, 2160, 8)
    frame = np.zeros((256, 256, 3), np.uint8)
    def long():
        for i in range(3700): frame[:] = 0; frame[(i * 7) % 224:(i * 7) % 224 + 32, 100:132] = 255; yield frame
    _write_frames(D/'long.mp4', long(), 256, 256, 1)                       # 3,700 s at 1 fps
    (D/'afile').write_text('a file of the user\n')
    (D/'baddata').mkdir()
    (D/'baddata'/'manifest.jsonl').write_text('{"video": "nowhere.mp4", "caption": "a clip"}\n{"video": \n'
                                             '{"id": "x", "video": "../good.mp4", "caption": ""}\n{"id": "x", "video": "../good.mp4", "caption": "again"}\n')
    (D/'notes').mkdir(); (D/'notes'/'notes.txt').write_text('my notes\n'); (D/'notes'/'bench.json').write_text('{not json')
    (D/'alink').symlink_to(D/'somedir')
    r = subprocess.run([video2lora, 'internalize', str(good), '-o', str(D/'adapter')], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    import shutil
    for name in ('bad-weights', 'bad-config', 'bad-meta'): shutil.copytree(D/'adapter', D/name)
    p = D/'bad-weights'/'adapter_model.safetensors'; p.write_bytes(p.read_bytes()[:100])
    (D/'bad-config'/'adapter_config.json').write_text('{"r": ')
    (D/'bad-meta'/'video2lora.json').write_text('{"kind": "adapter", "signature": ')
    export_peft(random_adapter(ModelSignature.from_model(build_vlm('smolvlm2-256m', device='meta')), rank=2), D/'other-model')
    os.mkfifo(D/'pipe.mp4')
    from video2lora.io import claim_folder, release_folder
    run = claim_folder(D/'run-link', 'train', dict(command='video2lora train')); release_folder(run)
    (run/'log.csv').symlink_to(D/'afile')                               # a user's file elsewhere: never written through
    (D/'dupkey').mkdir(); (D/'dupkey'/'manifest.jsonl').write_text('{"video": "../good.mp4", "caption": "a clip", "caption": "again"}\n')
    (D/'manifest-pipe').mkdir(); os.mkfifo(D/'manifest-pipe'/'manifest.jsonl')
    _write_gif(D/'anim.gif', 300)
    _broken_adapters(D)
    _broken_models(D)


def _edit_json(path:Path, change):
    c = json.loads(path.read_text()); change(c); path.write_text(json.dumps(c))


def _broken_adapters(D:Path):
    "Copies of D/adapter, each with one file a careless hand edited."
    import shutil
    from safetensors.torch import load_file, save_file
    def copy(name): shutil.copytree(D/'adapter', D/name); return D/name
    _edit_json(copy('ad-r0')/'adapter_config.json', lambda c: c.update(r=0))
    _edit_json(copy('ad-nor')/'adapter_config.json', lambda c: c.pop('r'))
    _edit_json(copy('ad-alpha')/'adapter_config.json', lambda c: c.update(lora_alpha=None))
    (copy('ad-deep')/'adapter_config.json').write_text('[' * 200_000 + ']' * 200_000)
    f = copy('ad-pipe')/'adapter_config.json'; f.unlink(); os.mkfifo(f)
    f = copy('ad-nan')/'adapter_model.safetensors'; w = load_file(str(f)); k = sorted(w)[0]; w[k][0, 0] = float('nan'); save_file(w, str(f))
    _edit_json(copy('ad-sig')/'video2lora.json', lambda c: c.update(signature=[4, 64]))
    (copy('ad-withdir')/'mine').mkdir()
    (copy('ad-withlink')/'mylink').symlink_to(D/'afile')


def _broken_models(D:Path):
    "Copies of the bundled hypernetwork and tiny model, each with one broken file."
    import shutil
    from safetensors.torch import load_file, save_file
    from video2lora.tiny import tiny_dir
    hn_src = Path(tiny_dir()).parent/'tiny_hypernet'
    def hn(name):
        (D/name).mkdir()
        for f in ('hypernet.json', 'hypernet.safetensors'): shutil.copy(hn_src/f, D/name/f)
        return D/name
    hn('hn')
    f = hn('hn-nan')/'hypernet.safetensors'; w = load_file(str(f)); w['latents'].fill_(float('nan')); save_file(w, str(f))
    _edit_json(hn('hn-heads')/'hypernet.json', lambda c: c['config'].update(n_heads=5))
    (hn('hn-empty')/'hypernet.json').write_text('')
    def model(name):
        shutil.copytree(tiny_dir(), D/name, ignore=lambda d, names: [n for n in names if n.endswith(('.csv', '.jsonl')) or 'eval' in n or n in ('naive.json', 'probes.json')])
        return D/name
    (model('m-empty')/'config.json').write_text('')
    _edit_json(model('m-other')/'config.json', lambda c: c['text_config'].update(intermediate_size=2 * c['text_config']['intermediate_size']))
    (model('m-list')/'config.json').write_text('[]')


def _write_gif(path:Path, n:int):
    "An animated GIF of `n` frames: a square moving across."
    from PIL import Image
    frames = []
    for i in range(n):
        a = np.full((64, 64, 3), 230, np.uint8); x = (i * 3) % 48; a[20:36, x:x + 16] = (200, 30, 30)
        frames.append(Image.fromarray(a))
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, loop=0)


def snapshot(D:Path) -> dict:
    "Every path under `D` with what it is: a file's size and hash, a link's target, a folder."
    out = {}
    for root, dirs, files in os.walk(D):
        for n in dirs + files:
            p = Path(root)/n; rel = str(p.relative_to(D))
            if p.is_symlink(): out[rel] = ('link', os.readlink(p))
            elif p.is_dir(): out[rel] = ('dir',)
            elif not p.is_file(): out[rel] = ('special', p.stat().st_mode)          # a pipe: never opened
            else: out[rel] = ('file', p.stat().st_size, hashlib.sha1(p.read_bytes()).hexdigest())
    return out


def run_case(case:Case, D:Path, video2lora:str) -> tuple:
    "Run a case: `(exit status, message, stdout, stderr, peak RSS in MiB of the command)`."
    args = [a.replace('{D}', str(D)) for a in case.args]
    cmd = [sys.executable, '-c', _MEASURE, video2lora, case.verb, *args]
    r = subprocess.run(cmd, capture_output=True, cwd=D, timeout=600, input=case.stdin)
    r.stdout, r.stderr = r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')
    rss = float(r.stderr.rsplit('\n', 2)[-2].split()[-1]) if 'PEAK_RSS_MIB' in r.stderr else float('nan')
    err = '\n'.join(l for l in r.stderr.splitlines() if not l.startswith('PEAK_RSS_MIB'))
    return r.returncode, message(case, r.stdout, err, D), r.stdout, err, rss


def run_cases(cases:list, D:Path, timeout:int=600) -> list:
    """Run every case in one process through `video2lora.cli.main(argv)`, in order, with `D` as the working folder:
    `[(exit status, message, stdout, stderr, paths under D the case added, removed or changed)]`."""
    from fuzz_runner import run_in_one_process
    res = run_in_one_process([dict(id=c.id, argv=[c.verb] + [a.replace('{D}', str(D)) for a in c.args], cwd=str(D),
                                   stdin=c.stdin.decode('latin-1') if c.stdin else None, timeout=timeout) for c in cases],
                             D, cwd=D, memory_gb=16)
    out = []
    for c, r in zip(cases, res):
        assert not r['hung'] and not r['escaped'], f"{c.id}: {'hung' if r['hung'] else r['escaped']}"
        out.append((r['code'], message(c, r['stdout'], r['stderr'], D), r['stdout'], r['stderr'], r['changed']))
    return out


def message(case:Case, stdout:str, stderr:str, D:Path) -> str:
    "The line of a case's output the table shows: the one with the expected phrase, else the last."
    text = stderr if case.code != 0 else stdout
    lines = [l for l in text.splitlines() if case.expect in l] or text.strip().splitlines()[-1:]
    return normalise(lines[0] if lines else '', D)


_MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print('PEAK_RSS_MIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, file=sys.stderr); sys.exit(r.returncode)")


def normalise(msg:str, D:Path) -> str:
    "A message with the inputs folder shown as `D/`, times as `Ns` and free memory as `N GB`, for the docs table."
    msg = msg.replace(str(D), 'D')
    msg = re.sub(r"[\d.]+ (?:TB|GB|MB|KB|B) is available", 'N GB is available', msg)   # this machine's free memory or disk, which moves
    return re.sub(r"\b\d+\.\d+s\b", 'Ns', msg)
