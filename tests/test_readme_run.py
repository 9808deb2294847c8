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
    run = readme_commands()[0].split('&&')[-1].strip()      # e.g. .venv/bin/video2lora world --out world_demo --clips 4
    argv = shlex.split(run)
    assert argv[0].endswith('video2lora'), run
    argv[0] = str(bin_dir/'video2lora')
    res = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out_dir = tmp_path/argv[argv.index('--out') + 1]
    n = int(argv[argv.index('--clips') + 1])
    lines = (out_dir/'manifest.jsonl').read_text().splitlines()
    assert len(lines) == n
    assert res.stdout.count('caption:') == n
    for line in lines:
        rec = json.loads(line)
        clip = read_clip(out_dir/rec['path'])
        assert clip.frames.shape == (rec['n_frames'], rec['height'], rec['width'], 3)
        assert rec['caption'] in res.stdout and rec['qa']
    assert (out_dir/'world.png').stat().st_size > 10_000


def test_cli_bad_input_exits_nonzero(tmp_path, bin_dir):
    res = subprocess.run([str(bin_dir/'video2lora'), 'world', '--out', str(tmp_path/'w'), '--size', '63'],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and 'size must be even' in res.stderr
    assert not (tmp_path/'w'/'manifest.jsonl').exists()
