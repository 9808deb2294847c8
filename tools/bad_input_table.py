"""Run every bad-input case of tests/bad_inputs.py through `video2lora.cli.main(argv)` (one process, as the console
script runs it) and write the table into
nbs/20_cli.ipynb (the markdown cell marked `<!-- bad-input table -->`). `tests/test_cli_bad_input.py` checks
that the table says what the commands say.

    python tools/bad_input_table.py
"""
import json, shutil, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT/'tests'))
from bad_inputs import CASES, make_inputs, run_cases

HEAD = """<!-- bad-input table: written by `python tools/bad_input_table.py`; checked by tests/test_cli_bad_input.py -->
## Bad input: the table

Every verb against every bad input, run through the installed command (`D/` is the folder of test inputs).
Exit status 2 means refused, with the one line shown on stderr and nothing on disk changed; 0 means it
works and says so (a one-frame video; a 4K video and a video longer than an hour, which are read without
decoding every frame at full size; a GIF). The rows are examples of classes: files a careless hand edited,
non-finite numbers, files that are not regular files, work too large for the machine, writers that must not
touch a user's things, manifests, questions, too little evidence. Beyond the table, `tests/test_fuzz_cli.py`
runs every command against a generated stream of several hundred malformed inputs of these classes.

| verb | bad input | exit | message |
|---|---|---|---|
"""

def main():
    exe = str(Path(sys.executable).parent/'video2lora')
    D = Path(tempfile.mkdtemp())/'inputs'
    try:
        make_inputs(D, exe)
        rows = []
        for c, (code, msg, *_) in zip(CASES, run_cases(CASES, D)):
            print(f"{c.id:60s} {code} {msg}")
            rows.append(f"| `{c.verb}` | {c.bad} | {code} | `` {msg.replace('|', chr(92) + '|')} `` |")
    finally: shutil.rmtree(D.parent)
    nbp = ROOT/'nbs'/'20_cli.ipynb'
    nb = json.loads(nbp.read_text())
    cells = [c for c in nb['cells'] if c['cell_type'] == 'markdown' and '<!-- bad-input table' in ''.join(c['source'])]
    assert len(cells) == 1, 'nbs/20_cli.ipynb needs one markdown cell marked <!-- bad-input table -->'
    cells[0]['source'] = (HEAD + '\n'.join(rows)).splitlines(keepends=True)
    nbp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    print(f"wrote {len(rows)} rows into {nbp}")

if __name__ == '__main__': main()
