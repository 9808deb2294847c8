"""Every command against a generated stream of malformed inputs (adapter files, manifests, options, questions): each is
refused with exit status 2 and exactly one line on stderr, no traceback, nothing on disk changed, no temporary left,
and within its time limit (no hang). The cases are in `tests/fuzz_inputs.py`, run in one process by `tests/fuzz_runner.py`."""
import collections

import pytest

from fuzz_inputs import make_fuzz_inputs, fuzz_cases
from fuzz_runner import run_in_one_process


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    D = tmp_path_factory.mktemp('fuzz')/'inputs'
    video = make_fuzz_inputs(D)
    cases = fuzz_cases(D, video)
    return cases, run_in_one_process(cases, D, cwd=D.parent), D


def test_every_malformed_input_is_refused_in_one_line(results):
    cases, res, D = results
    assert len(res) == len(cases)
    bad = []
    for c, r in zip(cases, res):
        lines = r['stderr'].strip().splitlines()
        problems = [p for p, failed in [
            ('hung', r['hung']), ('an exception escaped', r['escaped']), (f"exit {r['code']}", r['code'] != 2),
            (f"{len(lines)} lines on stderr", len(lines) != 1), ('traceback', 'Traceback' in r['stderr']),
            ('an unexpected exception', 'unexpected' in r['stderr'] and 'V2L_DEBUG' in r['stderr']),
            ('out of memory', 'out of memory' in r['stderr']),
            (f"changed {r.get('changed', [])[:3]}", r.get('changed')), ('temporary left', any('.v2l-' in p for p in r.get('changed', [])))] if failed]
        if problems: bad.append(f"{c['id']}: {'; '.join(problems)} | {(r['escaped'] or r['stderr']).strip()[-300:]}")
    by_class = collections.Counter(c['cls'] for c in cases)
    print(f"{len(cases)} cases ({dict(by_class)}); {len(cases) - len(bad)} refused as they should be; "
          f"slowest {max(r['seconds'] for r in res):.1f}s, total {sum(r['seconds'] for r in res):.0f}s")
    assert not bad, f"{len(bad)} of {len(cases)} cases:\n" + '\n'.join(bad)
