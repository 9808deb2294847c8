"""Every row of the bad-input table in nbs/20_cli.ipynb: the exit status, one line naming the problem, nothing on disk
changed, no temporary names left, the table in the docs saying what the command says, and long or huge videos read
without decoding every frame at full size.

The cases run in one process through `video2lora.cli.main(argv)`, as the console script runs it (`run_cases`); a few
run again through the installed console script, each in its own process, and must say the same."""
import functools, json, re
from pathlib import Path

import pytest

from bad_inputs import CASES, Case, make_inputs, run_case, run_cases, snapshot

ROOT = Path(__file__).resolve().parent.parent
# through the real console script too: a refusal of each kind of input that a process receives differently (a file, a question
# in argv's bytes, standard input) and a command that works (options are parsed alike in and out of process)
THROUGH_SCRIPT = ['internalize: missing file', 'ask: question not UTF-8',
                  "ask: '-' with bytes that are not UTF-8 on standard input", 'internalize: one-frame video']


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    import sys
    D = tmp_path_factory.mktemp('bad') / 'inputs'
    make_inputs(D, str(Path(sys.executable).parent / 'video2lora'))
    return D


@pytest.fixture(scope='module')
def results(inputs):
    "Every case run once, in order, in one process: {case id: (exit, message, stdout, stderr, changed paths)}."
    before = snapshot(inputs)
    res = dict(zip([c.id for c in CASES], run_cases(CASES, inputs)))
    return res, before


@functools.cache
def doc_table() -> dict:
    "The bad-input table of nbs/20_cli.ipynb: {(verb, bad input): (exit, message)} (read once)."
    nb = json.loads((ROOT/'nbs'/'20_cli.ipynb').read_text())
    rows = {}
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown' and '<!-- bad-input table' in src:
            for line in src.splitlines():
                m = re.match(r"\| `(\S+)` \| (.+?) \| (\d+) \| `` (.*) `` \|$", line)
                if m: rows[(m[1], m[2])] = (int(m[3]), m[4].replace('\\|', '|'))
    return rows


def test_table_covers_every_case():
    rows = doc_table()
    assert set(rows) == {(c.verb, c.bad) for c in CASES}, set(rows) ^ {(c.verb, c.bad) for c in CASES}
    assert set(THROUGH_SCRIPT) <= {c.id for c in CASES}


@pytest.mark.parametrize('case', CASES, ids=[c.id for c in CASES])
def test_bad_input(case, results):
    code, msg, out, err, changed = results[0][case.id]
    assert code == case.code, (code, err[-2000:])
    assert case.expect in (err if code else out), (case.expect, err, out)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err                  # one line
        assert err.startswith(f'video2lora {case.verb}: error: '), err
        assert changed == [], changed                                    # nothing on disk changed
    assert not [p for p in changed if '.v2l-' in p], changed            # no temporary left behind
    assert doc_table()[(case.verb, case.bad)] == (code, msg), 'the docs table is stale: run `python tools/bad_input_table.py`'


def test_inputs_left_as_they_were(inputs, results):
    "After every case, the inputs of the user (everything the cases did not write as outputs) are unchanged, no temporary anywhere."
    res, before = results
    after = snapshot(inputs)
    made = {p for c in CASES if res[c.id][0] == 0 for p in res[c.id][4]}  # outputs of the commands that worked
    assert {k: v for k, v in after.items() if k not in made} == {k: v for k, v in before.items() if k not in made}
    assert [p for p in inputs.rglob('*') if '.v2l-' in p.name] == []


@pytest.mark.parametrize('case_id', THROUGH_SCRIPT)
def test_console_script_says_the_same(case_id, inputs, results, bin_dir):
    "The installed `video2lora` command, in a process of its own, gives the exit status and message of the in-process run."
    case = next(c for c in CASES if c.id == case_id)
    out = case if case.code == 2 else Case(case.verb, case.bad, [a.replace('out-', 'out-script-') for a in case.args], case.code, case.expect, case.stdin)
    code, msg, *_ = run_case(out, inputs, str(bin_dir/'video2lora'))
    assert (code, msg.replace('out-script-', 'out-')) == results[0][case_id][:2]


def test_long_and_huge_videos_do_not_load_every_frame(inputs, bin_dir):
    "Peak memory of internalizing a 3,700-frame video and a 4K video stays near that of a 12-frame 64x64 clip."
    exe = str(bin_dir/'video2lora')
    base = run_case(Case('internalize', 'baseline', [str(inputs/'good.mp4'), '-o', str(inputs/'out-base')], 0, 'internalized'), inputs, exe)
    long = run_case(Case('internalize', 'long', [str(inputs/'long.mp4'), '-o', str(inputs/'out-long2')], 0, 'internalized'), inputs, exe)
    huge = run_case(Case('internalize', 'huge', [str(inputs/'huge.mp4'), '-o', str(inputs/'out-huge2')], 0, 'internalized'), inputs, exe)
    assert base[0] == long[0] == huge[0] == 0
    # every frame decoded would be 3,700 x 256 x 256 x 3 = 694 MiB (long) and 24 x 3840 x 2160 x 3 = 569 MiB (huge)
    print(f"peak RSS MiB: baseline {base[4]:.0f}, long {long[4]:.0f}, huge {huge[4]:.0f}")
    assert long[4] - base[4] < 150 and huge[4] - base[4] < 150, (base[4], long[4], huge[4])
    meta = json.loads((inputs/'out-long2'/'video2lora.json').read_text())
    assert meta['frames_in_video'] == 3700 and meta['frames_used'] == 12 and meta['frame_indices'][-1] == 3699
