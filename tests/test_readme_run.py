"""The README's commands, pasted in order into one shell, as a newcomer would (installation aside).

Every ```sh block of README.md is a command a reader is told to paste, and every ```python block a script to run with the
`.venv`'s python, in the order they appear. This test runs them all, in that order, in one bash session in a fresh
folder (nothing of the repository in it but what the commands make), with `.venv` there standing for the installed one.
Two commands are not run, and are checked to be exactly what they should be: the installation at the start of the first
command (this test runs with the already-installed package) and `bash .ci/run` (the test suite this test belongs to).
Plain ``` blocks are not commands to paste (the real-size training command needs weights that are not here)."""
import json, os, re, shlex, subprocess, sys, time
from pathlib import Path

from conftest import ROOT

INSTALL = ['python3 -m venv .venv', '.venv/bin/pip install torch==2.13.0', '.venv/bin/pip install -e .']
NOT_RUN = ['bash .ci/run']


def readme_blocks(text: str | None = None) -> list:
    "`(language, code)` of every ```sh and ```python block of README.md, in order."
    text = (ROOT/'README.md').read_text() if text is None else text
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(sh|python)\n(.*?)\n```$", text, flags=re.S | re.M)]


def paste_script(blocks: list, folder: Path) -> tuple:
    "One bash script that runs the blocks in order (python blocks from files in `folder`), and the commands left out."
    lines, skipped = ['set -euo pipefail'], []
    for i, (lang, code) in enumerate(blocks):
        lines.append(f'echo "=== README block {i + 1} ({lang}) starts at ${{SECONDS}}s" >&2')
        if lang == 'python':
            (folder/f'readme_block_{i + 1}.py').write_text(code + '\n')
            lines.append(f'python readme_block_{i + 1}.py')
            continue
        for line in code.splitlines():
            if line.strip() in NOT_RUN: skipped.append(line.strip()); continue
            parts = [p.strip() for p in line.split(' && ')]
            install = [p for p in parts if p in INSTALL]
            skipped += install
            if rest := [p for p in parts if p not in INSTALL]: lines.append(' && '.join(rest))
    return '\n'.join(lines) + '\n', skipped


def fake_venv(folder: Path) -> Path:
    "`folder/.venv` standing for the environment running this test: the real one where it is a venv, else a shim with an activate script."
    venv = folder/'.venv'
    if (Path(sys.prefix)/'bin'/'activate').exists(): venv.symlink_to(sys.prefix, target_is_directory=True)
    else:
        (venv/'bin').mkdir(parents=True)
        (venv/'bin'/'activate').write_text(f'export PATH={shlex.quote(str(Path(sys.executable).parent))}:"$PATH"\n')
        for name in ('video2lora', 'python', 'python3', 'pip'):
            exe = Path(sys.executable).parent/name
            if exe.exists(): (venv/'bin'/name).symlink_to(exe)
    return venv


def test_readme_newcomer_path_is_short():
    "The install-and-demo command and what to do next are in the first 60 lines."
    head = '\n'.join((ROOT/'README.md').read_text().splitlines()[:60])
    assert '.venv/bin/video2lora demo --out demo' in head and '. .venv/bin/activate' in head
    assert 'demo/world/videos/test/test-00000.mp4' in head


def test_paste_script_leaves_out_only_installation(tmp_path):
    "How README blocks become one script: installation and the CI command left out, python blocks run from files, plain blocks ignored."
    blocks = readme_blocks("```sh\npython3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/video2lora demo\n```\n"
                           "```\nnot a command\n```\n```python\nprint(1)\n```\n```sh\nbash .ci/run\nvideo2lora vocab\n```\n")
    assert [lang for lang, _ in blocks] == ['sh', 'python', 'sh']
    script, skipped = paste_script(blocks, tmp_path)
    assert skipped == ['python3 -m venv .venv', '.venv/bin/pip install -e .', 'bash .ci/run']
    run = [l for l in script.splitlines()[1:] if not l.startswith('echo ')]
    assert run == ['.venv/bin/video2lora demo', 'python readme_block_2.py', 'video2lora vocab']
    assert (tmp_path/'readme_block_2.py').read_text() == 'print(1)\n'


def test_readme_commands_run_in_order(tmp_path):
    "Every pasted command succeeds, in order, and leaves what the README says it makes."
    blocks = readme_blocks()
    script, skipped = paste_script(blocks, tmp_path)
    assert skipped == INSTALL + NOT_RUN, f"the README's commands left out of this test changed: {skipped}"
    assert any('video2lora demo' in code for _, code in blocks) and any(lang == 'python' for lang, _ in blocks)
    fake_venv(tmp_path)
    (tmp_path/'readme.sh').write_text(script)
    t0 = time.time()
    # a newcomer's shell: the installed environment is not on PATH until the README activates it
    bin_dirs = {Path(sys.executable).parent.resolve(), (Path(sys.prefix)/'bin').resolve()}
    path = [p for p in os.environ.get('PATH', '').split(os.pathsep) if p and Path(p).resolve() not in bin_dirs]
    env = {k: v for k, v in os.environ.items() if k not in ('VIRTUAL_ENV', 'PYTHONHOME')}
    res = subprocess.run(['bash', 'readme.sh'], cwd=tmp_path, capture_output=True, text=True, timeout=900,
                         env={**env, 'PATH': os.pathsep.join(path) or '/usr/bin:/bin', 'MPLBACKEND': 'Agg'})
    secs = time.time() - t0
    assert res.returncode == 0, f"a README command failed (exit {res.returncode}):\n{res.stderr[-3000:]}\n{res.stdout[-2000:]}"
    print(f"README commands: {secs:.1f}s; " + '; '.join(l[4:] for l in res.stderr.splitlines() if l.startswith('=== ')))

    # the demo: world clips internalized into peft adapters, every question answered both ways, table and figure
    demo = shlex.split(next(p for _, code in blocks for p in code.split(' && ') if 'video2lora demo' in p))
    out_dir, n = tmp_path/demo[demo.index('--out') + 1], int(demo[demo.index('--clips') + 1])
    rows = json.loads((out_dir/'demo.json').read_text())
    clips = [json.loads(l) for l in (out_dir/'world'/'manifest.jsonl').read_text().splitlines()]
    assert len(clips) == n and len(rows) == sum(len(c['qa']) for c in clips)
    for c in clips:
        assert (out_dir/'adapters'/c['id']/'adapter_config.json').exists()
        assert (out_dir/'adapters'/c['id']/'adapter_model.safetensors').exists()
    assert all(r['a_tokens'] < r['v_tokens'] and r['v_visual'] > 0 for r in rows)
    assert 'accuracy adapter' in res.stdout and (out_dir/'demo.png').stat().st_size > 10_000

    # every adapter folder a command was told to write (-o / export_peft) is a peft folder
    made = [m.group(1) for _, code in blocks for m in re.finditer(r"(?:-o |export_peft\(\w+, ')([\w./-]+)", code)]
    assert made, "the README writes no adapter folder"
    for folder in made:
        assert (tmp_path/folder/'adapter_config.json').exists() and (tmp_path/folder/'adapter_model.safetensors').exists(), folder

    # nothing the commands make in the clone shows up in `git status`
    made_here = [p.name for p in tmp_path.iterdir() if p.name not in ('.venv', 'readme.sh') and not p.name.startswith('readme_block_')]
    for name in made_here:
        probe = name + '/' if (tmp_path/name).is_dir() else name
        assert subprocess.run(['git', 'check-ignore', '-q', probe], cwd=ROOT).returncode == 0, f"{probe} is not in .gitignore"


def test_cli_bad_input_exits_nonzero(tmp_path, bin_dir):
    res = subprocess.run([str(bin_dir/'video2lora'), 'world', '--out', str(tmp_path/'w'), '--size', '63'],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and 'size must be even' in res.stderr
    assert not (tmp_path/'w'/'manifest.jsonl').exists()
