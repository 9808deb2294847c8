"The README's run command, end to end (the part after installation)."
import json, re, shlex, subprocess

from conftest import ROOT
from video2lora.video import read_clip


def readme_commands() -> list:
    "The shell commands in README.md's ```sh blocks."
    return re.findall(r"```sh\n(.*?)\n```", (ROOT/'README.md').read_text(), flags=re.S)


def test_readme_has_exactly_two_commands():
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    assert 'video2lora' in cmds[0] and 'torch==2.13.0' in cmds[0]
    assert cmds[1].strip() == 'bash .ci/run'


def test_readme_run_command(tmp_path, bin_dir):
    "The demo: world clips internalized into peft adapters, every question answered both ways, table and figure."
    import time
    run = readme_commands()[0].split('&&')[-1].strip()      # e.g. .venv/bin/video2lora demo --out demo --clips 3
    argv = shlex.split(run)
    assert argv[0].endswith('video2lora') and argv[1] == 'demo', run
    argv[0] = str(bin_dir/'video2lora')
    t0 = time.time()
    res = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    secs = time.time() - t0
    assert res.returncode == 0, res.stderr[-3000:]
    out_dir = tmp_path/argv[argv.index('--out') + 1]
    n = int(argv[argv.index('--clips') + 1])
    rows = json.loads((out_dir/'demo.json').read_text())
    clips = [json.loads(l) for l in (out_dir/'world'/'manifest.jsonl').read_text().splitlines()]
    assert len(clips) == n and len(rows) == sum(len(c['qa']) for c in clips)
    for c in clips:
        assert (out_dir/'adapters'/c['id']/'adapter_config.json').exists()
        assert (out_dir/'adapters'/c['id']/'adapter_model.safetensors').exists()
    assert all(r['a_tokens'] < r['v_tokens'] and r['v_visual'] > 0 for r in rows)
    assert 'accuracy adapter' in res.stdout and (out_dir/'demo.png').stat().st_size > 10_000
    print(f"demo: {secs:.1f}s")


def test_cli_bad_input_exits_nonzero(tmp_path, bin_dir):
    res = subprocess.run([str(bin_dir/'video2lora'), 'world', '--out', str(tmp_path/'w'), '--size', '63'],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and 'size must be even' in res.stderr
    assert not (tmp_path/'w'/'manifest.jsonl').exists()
