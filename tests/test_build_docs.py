"""The docs build's offline maths and its rendering check (`tools/build_docs.py --check` runs the check on the real site)."""
import importlib.util, shutil
from types import SimpleNamespace

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location('build_docs', ROOT/'tools'/'build_docs.py')
bd = importlib.util.module_from_spec(spec); spec.loader.exec_module(bd)


def test_mathjax_is_bundled(tmp_path):
    "MathJax comes from a pip package into the site, with its licence and a configuration for arithmatex's output: no CDN."
    scripts = bd.bundle_mathjax(tmp_path)
    assert all(not s.startswith(('http:', 'https:', '//')) for s in scripts)
    assert [(tmp_path/s).exists() for s in scripts] == [True, True]
    assert (tmp_path/bd.MATHJAX_JS).stat().st_size > 1_000_000 and (tmp_path/bd.MATHJAX_JS).parent.joinpath('LICENSE').exists()
    assert "processHtmlClass: 'arithmatex'" in (tmp_path/scripts[0]).read_text()


def test_mixed_cells_run_only_their_imports(tmp_path):
    "A cell that mixes imports with other code: the docs processing runs its imports (show_doc needs them), not the rest."
    import nbformat
    from nbdev.process import NBProcessor
    from nbdev.processors import add_show_docs, exec_show_docs
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (
        'secret = 42',                                               # nbdev does not run this cell...
        'import json\nassert secret == 42\nout = json.dumps(secret)',  # ...so running this one whole would fail
        'show_doc(json.dumps)')])
    nb.cells[1].outputs = [nbformat.v4.new_output('stream', text='saved output\n')]
    nbformat.write(nb, tmp_path/'t.ipynb')
    seen = []
    with bd._imports_only_for_mixed_cells(seen):
        proc = NBProcessor(tmp_path/'t.ipynb', [add_show_docs, exec_show_docs]); proc.process()
    assert [first for _, first in seen] == ['import json']
    assert ''.join(proc.nb.cells[1].outputs[0]['text']) == 'saved output\n'       # the saved output, not a run's
    assert 'dumps' in str(proc.nb.cells[2].outputs)                        # show_doc found json, imported by cell 1
    assert bd._mixed_cell_imports(proc.nb.cells[1]) == 'import json' and bd._mixed_cell_imports(proc.nb.cells[0]) is None


PAGE = """<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="video2lora.css"></head><body>
<style>pre > code {{ display: block; overflow: auto; }}</style>
<article class="md-typeset" style="width: 600px">{body}</article>{scripts}</body></html>"""   # code blocks as Material lays them out


@pytest.mark.skipif(bd._chromium() is None, reason="no chromium on PATH")
def test_rendering_check_sees_what_a_reader_sees(tmp_path, monkeypatch):
    "Rendered maths passes; maths without MathJax (raw TeX on the page) and a shell command that runs out of its column fail."
    monkeypatch.setattr(bd, 'DOCS', tmp_path)
    scripts = ''.join(f'<script src="{s}"></script>' for s in bd.bundle_mathjax(tmp_path))
    (tmp_path/'video2lora.css').write_text(bd.CSS)
    maths = '<p>inline <span class="arithmatex">\\(x^2\\)</span></p><div class="arithmatex">\\[y = W x + s\\, B A x\\]</div>'
    long_cmd = '<div class="language-sh highlight"><pre><code>' + 'video2lora internalize ' * 12 + '</code></pre></div>'
    pages = {'good': maths + long_cmd, 'no_mathjax': maths, 'cut': long_cmd}
    for name, body in pages.items():
        (tmp_path/f'{name}.html').write_text(PAGE.format(body=body, scripts='' if name == 'no_mathjax' else scripts))
    (tmp_path/'cut.html').write_text((tmp_path/'cut.html').read_text().replace('video2lora.css', 'missing.css'))
    page = lambda name: SimpleNamespace(rel='index.ipynb', html_path=bd.Path(f'{name}.html'))

    problems, checked = bd.check_rendering([page('good')])
    assert problems == [] and checked[0][1]['rendered'] == checked[0][1]['maths'] == 2

    problems, _ = bd.check_rendering([page('no_mathjax')])
    assert any('MathJax did not load' in p for p in problems) and any('raw TeX visible' in p for p in problems)

    problems, _ = bd.check_rendering([page('cut')])
    assert any('cut off' in p for p in problems) and any('missing.css' in p for p in problems)


def test_outputs_check_finds_machine_paths_and_warnings(tmp_path, monkeypatch):
    "A notebook that prints a temporary folder, a run folder beside the repository or a library warning fails the docs check."
    import json, nbformat
    monkeypatch.setattr(bd, 'ROOT', tmp_path)
    clean = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('a message names `/tmp/tmpab12/notes`, `../runs/big`'),
                                            nbformat.v4.new_code_cell('print(1)')])
    clean.cells[1].outputs = [nbformat.v4.new_output('stream', text='notes: not written by video2lora (exit 2)\n')]
    clean.cells.append(nbformat.v4.new_code_cell('#| hide\nprint(tmp)'))                 # a hidden cell has no page: not checked
    clean.cells[2].outputs = [nbformat.v4.new_output('stream', text='/tmp/tmpab12\n')]
    leaky = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in ('a', 'b', 'c')])
    leaky.cells[0].outputs = [nbformat.v4.new_output('stream', text='refused /tmp/tmpab12/notes: not written by video2lora\n')]
    leaky.cells[1].outputs = [nbformat.v4.new_output('execute_result', data={'text/plain': "'video2lora train --out ../runs/big'"})]
    leaky.cells[2].outputs = [nbformat.v4.new_output('stream', name='stderr', text='x.py:3: FutureWarning: it will change\n')]
    for name, nb in (('clean', clean), ('leaky', leaky)): nbformat.write(nb, tmp_path/f'{name}.ipynb')
    assert bd.check_outputs([tmp_path/'clean.ipynb']) == []
    problems = bd.check_outputs([tmp_path/'leaky.ipynb'])
    assert len(problems) == 3 and "'/tmp/tmpab12/notes'" in problems[0] and "'../runs/big'" in problems[1] and 'FutureWarning' in problems[2]
