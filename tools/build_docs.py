#!/usr/bin/env python
"""Build the documentation site into `_docs/`.

With Quarto on the PATH this is nbdev's own pipeline (`nbdev_docs`, configured by `_quarto.yml`). Without
Quarto (it cannot be installed everywhere), it does what nbdev does before Quarto runs, processing every
notebook in `nbs/` into `_proc/` (directives applied, `show_doc` cells executed), then turns each processed
notebook into a Markdown page and builds the site with MkDocs and the Material theme. It also regenerates
README.md from `nbs/index.ipynb`.

Why MkDocs + Material: both are maintained, pip-installable (no system binary, unlike Quarto), and give what
a Quarto site gives: a sidebar with sections, per-page table of contents, built-in client-side search (the
`offline` plugin makes it work from `file://` too), code highlighting, tables and math. The notebooks are
converted to Markdown here rather than with mkdocs-jupyter because the processed notebooks carry Quarto
conventions that have to be translated anyway (`#|` directives, `output: asis` show_doc cells, `{target=...}`
attribute blocks, front matter, nbdev doc links to the hosted site) and because `show_doc` entries need a
fix no plugin makes: a class without a docstring of its own would show the docstring it inherits (e.g. torch's
`nn.Sequential` text for `hypernet.MLP`); those entries keep their signature only.

Sources (mkdocs.yml, Markdown pages, figures saved from the notebooks' PNG outputs) are generated into
`_site_src/`; the site goes to `_docs/` with `use_directory_urls: false`, so `_docs/index.html` can be opened
directly from disk.

    python tools/build_docs.py            # Quarto if available, else the MkDocs site
    python tools/build_docs.py --no-quarto
    python tools/build_docs.py --readme   # only regenerate README.md
    python tools/build_docs.py --check    # also fail if a page is missing or leaks markup, or README.md is stale;
                                          # with Chromium, also open the pages with maths and the home page and fail if
                                          # maths shows as raw TeX or a shell command is cut off
    python tools/build_docs.py --no-quarto --screenshots DIR   # PNGs of two pages (headless Chromium)

Maths is rendered in the browser by MathJax 3, copied into the site from the `django-static-mathjax` package (a PyPI
package of MathJax's own build, no dependencies; in the `[docs]` extra), so pages render their maths offline too.
"""
import argparse, ast, concurrent.futures, configparser, fnmatch, html, importlib, inspect, json, os, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS, PROC, DOCS, SRC = ROOT/'nbs', ROOT/'_proc', ROOT/'_docs', ROOT/'_site_src'


def notebooks() -> list:
    "Every notebook nbdev documents: `nbs/**/*.ipynb`, skipping names and folders that start with `_` or `.`."
    return sorted(p for p in NBS.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))


def sidebar_order(nbs: list) -> list:
    "Notebooks (relative to nbs/) in the order of `_quarto.yml`'s sidebar, then any the sidebar misses."
    import yaml
    contents = yaml.safe_load((ROOT/'_quarto.yml').read_text())['website']['sidebar']['contents']
    rel = [str(p.relative_to(NBS)) for p in nbs]
    order, sections = [], []
    def walk(items, section):
        for it in items:
            if isinstance(it, dict): walk([it['contents']] if isinstance(it['contents'], str) else it['contents'], it.get('section', section))
            else:
                for r in sorted(fnmatch.filter(rel, it)):
                    if r not in order: order.append(r); sections.append(section)
    walk(contents, '')
    for r in rel:
        if r not in order: order.append(r); sections.append('Other')
    return list(zip(order, sections))


def readme():
    "README.md from the processed index notebook (markdown export, hidden cells removed by processing)."
    from nbconvert import MarkdownExporter
    import nbformat
    src = PROC/'index.ipynb'
    from nbconvert.preprocessors import TagRemovePreprocessor
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:                                               # a cell marked `#| echo: false` shows its output only
        if cell.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false\s*$', cell.source, flags=re.M):
            cell.metadata.setdefault('tags', []).append('v2l-no-input')
    exporter = MarkdownExporter(exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'v2l-no-input'}), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    head = ''
    if body.startswith('---'):  # nbdev's processing turned the title cell into YAML front matter
        import yaml
        _, fm, body = body.split('---', 2)
        meta = yaml.safe_load(fm) or {}
        head = f"# {meta.get('title', 'video2lora')}\n\n" + (f"> {meta['description']}\n\n" if meta.get('description') else '')
    body = body.replace('<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->', '').strip()
    text = '<!-- generated from nbs/index.ipynb by tools/build_docs.py: do not edit -->\n\n' + head + body + '\n'
    (ROOT/'README.md').write_text(text)
    return text


def process(index_only: bool = False):
    "nbdev's processing of every notebook (or only `index.ipynb`, for README.md) into `_proc/` (no Quarto needed)."
    os.chdir(ROOT)
    from nbdev.serve import proc_nbs
    import nbdev.doclinks
    nbdev.doclinks._build_modidx()
    mixed = []
    with _imports_only_for_mixed_cells(mixed):
        proc_nbs(str(NBS), n_workers=0, force=True, **({'skip_file_re': r'^(?!index\.ipynb$)'} if index_only else {}))
    if mixed:
        where = sorted({nb for nb, _ in mixed})
        print(f"note: {len(mixed)} cell(s) in {', '.join(where)} mix imports with other code; the docs build ran only their imports "
              f"(nbdev itself would run them whole: put the imports in a cell of their own)")


def _mixed_cell_imports(cell):
    """The top-level imports of a code cell that nbdev's docs processing would run whole only because it imports something
    (it warns "Found cells containing imports and other code" and prints the whole cell); None for any other cell."""
    from nbdev.processors import _ast_contains, cell_lang
    if cell.cell_type != 'code' or cell_lang(cell) != 'python' or not cell.source or 'nbdev_export' + '()' in cell.source: return None
    stmts = cell.parsed_()
    if not stmts or cell.directives_.get('eval:', [''])[0].lower() == 'false': return None
    if cell.directives_.keys() & {'export', 'exports', 'exporti', 'exec_doc'}: return None
    if not (_ast_contains(stmts, (ast.Import, ast.ImportFrom)) and _ast_contains(stmts, (ast.Expr, ast.Assign))): return None
    return '\n'.join(ast.unparse(s) for s in stmts if isinstance(s, (ast.Import, ast.ImportFrom)))


class _imports_only_for_mixed_cells:
    """While processing, nbdev's `exec_show_docs` runs only the top-level imports of a cell that mixes imports with other code.

    nbdev runs every cell that imports something, so that `show_doc` can find the names it documents; a cell that also
    tests, computes or plots is then run whole, outside the notebook's order (it fails on names an earlier, unrun cell
    defines), its outputs replaced by that run's, with a warning that prints the whole cell. Its imports are all that the
    docs need: the rest keeps the outputs saved in the notebook, like every other cell. Each such cell is recorded in
    `seen` as `(notebook, first line)`. (With Quarto, `nbdev_docs` runs nbdev's own processing, without this.)"""
    def __init__(self, seen: list): self.seen = seen
    def __enter__(self):
        import nbdev.processors as P
        from fastcore.basics import str2bool
        self.P, self.orig = P, P.exec_show_docs.__call__
        orig, seen = self.orig, self.seen
        def call(proc, cell):
            imports = _mixed_cell_imports(cell)
            if imports is None: return orig(proc, cell)
            nb = getattr(proc.nb, 'path_', None)
            seen.append((os.path.relpath(nb, ROOT) if nb else '?', cell.source.strip().splitlines()[0]))
            if not proc.nb.has_docs_ or not hasattr(proc, 'k'): return
            if str2bool(getattr(proc.nb, 'frontmatter_', {}).get('skip_showdoc', False)) or not imports: return
            proc.k.run(imports)
            if proc.k.exc: raise Exception(f"Error in {seen[-1][0]}, cell {cell.idx_}, running its imports:\n{imports}") from proc.k.exc
        P.exec_show_docs.__call__ = call
        return self
    def __exit__(self, *exc): self.P.exec_show_docs.__call__ = self.orig


# ---------------------------------------------------------------------------------------------------------
# processed notebook -> Markdown page

def _settings() -> dict:
    cp = configparser.ConfigParser(); cp.read(ROOT/'settings.ini')
    return dict(cp['DEFAULT'])


def front_matter(nb) -> tuple:
    "`(title, description, cells)`: from the front matter nbdev wrote (or the `# ` / `> ` lines), cells without it."
    import yaml
    cells, meta = list(nb.cells), {}
    if cells and cells[0].cell_type == 'raw' and cells[0].source.lstrip().startswith('---'):
        meta = yaml.safe_load(cells[0].source.strip().strip('-')) or {}
        cells = cells[1:]
    title, desc = meta.get('title'), meta.get('description')
    if not title:  # unprocessed notebook: the first `# ` heading and the `> ` line after it
        for c in cells:
            if c.cell_type != 'markdown': continue
            lines = c.source.splitlines()
            h = next((i for i, l in enumerate(lines) if l.startswith('# ')), None)
            if h is None: continue
            title = lines[h][2:].strip()
            rest = lines[h+1:]
            q = next((i for i, l in enumerate(rest) if l.strip()), None)
            if q is not None and rest[q].startswith('> ') and not desc: desc = rest[q][2:].strip(); del rest[q]
            c.source = '\n'.join(lines[:h] + rest)
            break
    return title, desc, meta, cells


_ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
_TQDM = re.compile(r'\d+%\|[^|]*\|\s*\d+/\d+')
_LIST = re.compile(r'\s{0,3}([-*+]|\d+[.)])\s')

def _fix_markdown(src: str) -> str:
    "Jupyter/Pandoc Markdown -> Python-Markdown: blank line before a list that follows a paragraph; drop Quarto attribute blocks."
    out, fence = [], False
    for l in src.splitlines():
        if l.lstrip().startswith(('```', '~~~')): fence = not fence
        if not fence:
            l = re.sub(r'\]\(([^)\s]+)\)\{[^}\n]*\}', r'](\1)', l)  # [x](url){target="_blank" ...}
            if _LIST.match(l) and out and out[-1].strip() and not _LIST.match(out[-1]) and not out[-1].startswith((' ', '\t', '|')):
                out.append('')
        out.append(l)
    return '\n'.join(out)


def _fence(text: str, lang: str = '') -> str:
    ticks = '```'
    while ticks in text: ticks += '`'
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'


def _directives(src: str) -> tuple:
    "Quarto cell options (`#| key: value`) and the source without them."
    opts, keep = {}, []
    for l in src.splitlines():
        m = re.match(r'\s*#\|\s*([\w-]+)\s*:\s*(.*)$', l)
        if m: opts[m.group(1)] = m.group(2).strip().strip('"\''); continue
        if l.strip().startswith('#|'): continue
        keep.append(l)
    return opts, '\n'.join(keep).strip('\n')


def _resolve(expr: str, md: str):
    "The object a `show_doc(expr)` documented, imported from the module its source link points to."
    m = re.search(r'/blob/[^/]+/(\S+?)\.py#L\d+', md)
    mods = [m.group(1).replace('/', '.')] if m else []
    lib = _settings().get('lib_name', 'video2lora')
    mods += [lib]
    for mod in mods:
        try: obj = importlib.import_module(mod)
        except Exception: continue
        try:
            for part in expr.split('.'): obj = getattr(obj, part)
            return obj
        except AttributeError: continue
    return None


def _has_own_doc(obj) -> bool:
    "Whether `obj` has a docstring of its own (not one `inspect.getdoc` would inherit from a base class)."
    if isinstance(obj, type): return bool((obj.__dict__.get('__doc__') or '').strip())
    if isinstance(obj, property): obj = obj.fget
    obj = inspect.unwrap(getattr(obj, '__func__', obj))
    return bool((getattr(obj, '__doc__', None) or '').strip())


def _show_doc(src: str, md: str) -> str:
    "A `show_doc` entry without Quarto markup, with an anchor nbdev's links expect, without inherited docstrings."
    md = re.sub(r'\[source\]\(([^)\s]+)\)\{[^}\n]*\}',
                lambda m: f'<a class="v2l-source" href="{html.escape(m.group(1))}" target="_blank" rel="noopener">source</a>', md)
    md = re.sub(r'\{target=[^}\n]*\}', '', md)
    md = re.sub(r'^(#{1,6}) (\S+)\s*$', lambda m: f'{m.group(1)} {m.group(2)} {{ #{m.group(2).lower()} }}', md, count=1, flags=re.M)
    try:
        call = ast.parse(src).body[-1].value
        expr = ast.unparse(call.args[0]) if call.func.id == 'show_doc' else None
    except Exception: expr = None
    obj = _resolve(expr, md) if expr else None
    if obj is not None and not _has_own_doc(obj):  # keep the heading and signature, drop the inherited docstring
        m = re.search(r'^```python\n.*?^```[ \t]*$', md, flags=re.S | re.M)
        if m: md = md[:m.end()]
    return md


class Page:
    "One processed notebook as a Markdown page of the site."
    def __init__(self, rel: str, section: str):
        import nbformat
        self.rel, self.section = rel, section
        self.md_path = Path(rel).with_suffix('.md')
        self.html_path = Path(rel).with_suffix('.html')
        self.nb = nbformat.read(PROC/rel, as_version=4)
        self.title, self.description, self.meta, self.cells = front_matter(self.nb)
        self.title = self.title or Path(rel).stem
        out = self.meta.get('output-file') or Path(rel).with_suffix('.html').name
        self.published = str(Path(rel).parent/out).lstrip('./') if Path(rel).parent != Path('.') else out

    def link_fixer(self, published: dict):
        "Rewrite nbdev's doc links to the hosted site, and `.ipynb` links, to pages of this site."
        cfg = _settings()
        host = (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/')
        here = self.md_path.parent
        def rel_to(target: Path) -> str: return os.path.relpath(target, here) if str(here) != '.' else str(target)
        def fix(m):
            text, url = m.group(1), m.group(2)
            base, _, anchor = url.partition('#')
            tgt = None
            if host and base.startswith(host + '/'): tgt = published.get(base[len(host)+1:])
            elif base.endswith('.ipynb') and '://' not in base:
                for cand in (os.path.normpath(here/base), base[4:] if base.startswith('nbs/') else None):
                    if cand and cand in published.values(): tgt = cand
                if tgt: tgt = str(Path(tgt).with_suffix('.md'))
            if tgt is None: return m.group(0)
            tgt = str(Path(tgt).with_suffix('.md'))
            return f'[{text}]({rel_to(Path(tgt))}{"#" + anchor if anchor else ""})'
        return lambda md: re.sub(r'\[([^\]\n]*)\]\(([^)\s]+)\)', fix, md)

    def markdown(self, published: dict) -> str:
        "The page's Markdown; PNG outputs are written next to it."
        import base64, yaml
        links = self.link_fixer(published)
        fig_dir = SRC/'docs'/self.md_path.parent/f'{self.md_path.stem}_files'
        meta = {'title': self.title, **({'description': re.sub(r'[`*_]', '', self.description)} if self.description else {})}
        parts = ['---\n' + yaml.safe_dump(meta, allow_unicode=True, width=10**6) + '---', f'# {self.title}']
        if self.description: parts.append(f'<div class="v2l-description" markdown>\n{_fix_markdown(self.description)}\n</div>')
        nfig = 0
        for c in self.cells:
            if c.cell_type == 'markdown':
                src = c.source.replace('<!-- WARNING: THIS FILE WAS AUTOGENERATED! DO NOT EDIT! -->', '').strip()
                if src: parts.append(links(_fix_markdown(src)))
                continue
            if c.cell_type == 'raw':
                if c.source.strip(): parts.append(_fence(c.source, 'text'))
                continue
            opts, src = _directives(c.source)
            if opts.get('include') == 'false': continue
            is_doc = re.match(r'\s*show_doc\(', src) is not None
            if src and opts.get('echo') != 'false': parts.append(_fence(src, 'python'))
            if opts.get('output') == 'false': continue
            for o in c.get('outputs', []):
                if o.output_type == 'stream':
                    text = _ANSI.sub('', o.text)
                    if o.get('name') == 'stderr':  # progress bars are noise on a page (and `|###|` reads like a directive)
                        text = '\n'.join(l for l in re.split(r'\r\n?|\n', text) if not _TQDM.search(l))
                    if text.strip(): parts.append(f'<div class="v2l-output" markdown>\n\n{_fence(text, "text")}\n\n</div>')
                elif o.output_type == 'error':
                    parts.append(f'<div class="v2l-output v2l-error" markdown>\n\n{_fence(_ANSI.sub("", chr(10).join(o.traceback)), "text")}\n\n</div>')
                else:
                    d = o.get('data', {})
                    if 'text/markdown' in d:
                        md = d['text/markdown']
                        parts.append(links(_fix_markdown(_show_doc(src, md) if is_doc else md)))
                    elif 'image/png' in d:
                        nfig += 1
                        fig_dir.mkdir(parents=True, exist_ok=True)
                        name = f'fig_{nfig:02d}.png'
                        (fig_dir/name).write_bytes(base64.b64decode(d['image/png']))
                        alt = html.escape(d.get('text/plain', 'figure').strip().splitlines()[0] if d.get('text/plain') else 'figure')
                        parts.append(f'<figure class="v2l-figure"><img src="{fig_dir.name}/{name}" alt="{alt}"></figure>')
                    elif 'image/svg+xml' in d:
                        parts.append(f'<figure class="v2l-figure">{d["image/svg+xml"]}</figure>')
                    elif 'text/html' in d:
                        parts.append(f'<div class="v2l-output v2l-html">\n{d["text/html"]}\n</div>')
                    elif 'application/vnd.jupyter.widget-view+json' in d: continue  # a live widget: nothing to show
                    elif 'text/plain' in d and d['text/plain'].strip():
                        parts.append(f'<div class="v2l-output" markdown>\n\n{_fence(_ANSI.sub("", d["text/plain"]), "text")}\n\n</div>')
        return '\n\n'.join(parts) + '\n'


CSS = """
.md-typeset .v2l-description { font-size: 1.15em; font-style: italic; opacity: .75; margin-bottom: 1.5em; }
.md-typeset .v2l-output { margin: -0.6em 0 1em 0.8em; border-left: 2px solid lightsalmon; }
.md-typeset .v2l-output pre { margin: 0; }
.md-typeset .v2l-output pre > code { background: none; }
.md-typeset .v2l-error { border-left-color: #d33; }
.md-typeset .v2l-figure { margin: .5em 0 1.2em; }
.md-typeset .v2l-figure img { max-width: 100%; }
.md-typeset .v2l-source { float: right; font-size: smaller; }
.md-typeset .v2l-pages td:first-child { white-space: nowrap; }
.md-typeset .v2l-html table { font-size: .85em; }
/* shell commands wrap instead of running out of the column, the rest of a line indented under its start (the copy
   button still copies each line whole); other code keeps its lines and scrolls, with a scrollbar that shows */
.md-typeset :is(.language-sh, .language-bash, .language-shell, .language-console) pre > code { white-space: pre-wrap; overflow-wrap: anywhere; }
.md-typeset :is(.language-sh, .language-bash, .language-shell, .language-console) pre > code > span[id^="__span"] { display: block; padding-left: 4ch; text-indent: -4ch; }
.md-typeset pre > code { scrollbar-color: var(--md-default-fg-color--light) transparent; }
"""

MATHJAX_CONFIG = r"""// MathJax 3 for pymdownx.arithmatex's generic output: typeset only its \( \) and \[ \] spans
window.MathJax = {
  tex: {inlineMath: [['\\(', '\\)']], displayMath: [['\\[', '\\]']], processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: '.*|', processHtmlClass: 'arithmatex'},
  svg: {fontCache: 'global'}
};
"""
MATHJAX_JS = 'javascripts/mathjax/tex-svg-full.js'   # SVG output: one self-contained file, fonts included, every TeX package


def bundle_mathjax(docs: Path) -> list:
    "Copy MathJax (from the `django-static-mathjax` package) and its configuration into the site; the `extra_javascript` entries."
    from importlib.metadata import distribution, PackageNotFoundError
    try: dist = distribution('django-static-mathjax')
    except PackageNotFoundError:
        sys.exit("the docs need MathJax from the django-static-mathjax package, so that maths renders offline: "
                 "pip install -e '.[docs]'")
    src = Path(dist.locate_file('mathjax/static/mathjax'))
    dst = docs/MATHJAX_JS
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src/'es5'/Path(MATHJAX_JS).name, dst)
    shutil.copy(src/'LICENSE', dst.parent/'LICENSE')   # MathJax is Apache-2.0: its licence travels with it
    (docs/'javascripts'/'mathjax-config.js').write_text(MATHJAX_CONFIG)
    return ['javascripts/mathjax-config.js', MATHJAX_JS]


def site(nbs: list) -> list:
    "Markdown sources and mkdocs.yml into `_site_src/`, then `mkdocs build` into `_docs/`."
    import yaml
    cfg = _settings()
    for d in (SRC, DOCS):
        if d.exists(): shutil.rmtree(d)
    (SRC/'docs'/'stylesheets').mkdir(parents=True)
    (SRC/'docs'/'stylesheets'/'video2lora.css').write_text(CSS)
    scripts = bundle_mathjax(SRC/'docs')
    pages = [Page(rel, section) for rel, section in sidebar_order(nbs)]
    published = {p.published: p.rel for p in pages}
    for p in pages:
        text = p.markdown(published)
        if p.rel == 'index.ipynb': text += _contents(pages)
        out = SRC/'docs'/p.md_path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    for m in re.finditer(r'\]\(((?:benchmarks|demo)/[^)\s]+\.png)\)', (SRC/'docs'/'index.md').read_text()):   # the README's figures
        if (ROOT/m.group(1)).exists():
            (SRC/'docs'/m.group(1)).parent.mkdir(parents=True, exist_ok=True); shutil.copy(ROOT/m.group(1), SRC/'docs'/m.group(1))
    nav, by_section = [], {}
    for p in pages:
        item = {p.title: str(p.md_path)}
        if p.section: by_section.setdefault(p.section, []).append(item)
        if not p.section: nav.append(item)
        elif len(by_section[p.section]) == 1: nav.append({p.section: by_section[p.section]})
    git_url = cfg.get('git_url', '')
    mk = {
        'site_name': cfg.get('title', cfg.get('lib_name', 'docs')),
        'site_description': cfg.get('description', ''),
        'site_url': (cfg.get('doc_host', '') + cfg.get('doc_baseurl', '')).rstrip('/') + '/',
        'repo_url': git_url, 'repo_name': git_url.rstrip('/').split('github.com/')[-1] if git_url else None,
        'edit_uri': '', 'copyright': cfg.get('copyright'),
        'docs_dir': 'docs', 'site_dir': str(DOCS), 'use_directory_urls': False,
        'theme': {'name': 'material', 'features': ['navigation.sections', 'navigation.top', 'navigation.footer',
                                                   'search.highlight', 'search.suggest', 'content.code.copy', 'toc.follow'],
                  'palette': [{'scheme': 'default', 'primary': 'indigo'}], 'icon': {'repo': 'fontawesome/brands/github'}},
        'plugins': ['search', 'offline'],
        'markdown_extensions': ['tables', 'attr_list', 'md_in_html', 'admonition', 'footnotes', 'def_list',
                                {'toc': {'permalink': True}},
                                {'pymdownx.highlight': {'anchor_linenums': False, 'pygments_lang_class': True, 'line_spans': '__span'}}, 'pymdownx.superfences',
                                'pymdownx.inlinehilite', {'pymdownx.arithmatex': {'generic': True}}],
        'extra_css': ['stylesheets/video2lora.css'],
        'extra_javascript': scripts,
        'nav': nav,
        'validation': {'links': {'unrecognized_links': 'ignore', 'anchors': 'ignore'}, 'omitted_files': 'ignore'},
    }
    (SRC/'mkdocs.yml').write_text(yaml.safe_dump({k: v for k, v in mk.items() if v is not None}, sort_keys=False, allow_unicode=True))
    r = subprocess.run([sys.executable, '-m', 'mkdocs', 'build', '--quiet', '--clean', '-f', str(SRC/'mkdocs.yml')], cwd=SRC,
                       env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if r.returncode: sys.exit(f"mkdocs build failed ({r.returncode})")
    return pages


def _contents(pages: list) -> str:
    "A table of every page (title, summary) appended to the home page, grouped as in the sidebar."
    out, last = ['## Documentation pages'], None
    for p in pages:
        if p.rel == 'index.ipynb': continue
        if p.section != last:
            out.append(f'### {p.section or "Pages"}\n\n<div class="v2l-pages" markdown>\n\n| Page | Summary |\n|---|---|')
            last = p.section
        summary = (p.description or '').replace('|', '\\|').replace('\n', ' ')
        out[-1] += f'\n| [{p.title}]({p.md_path}) | {summary} |'
        if pages.index(p) == len(pages) - 1 or pages[pages.index(p)+1].section != p.section: out[-1] += '\n\n</div>'
    return '\n' + '\n\n'.join(out) + '\n'


# ---------------------------------------------------------------------------------------------------------
# checks and screenshots

def check_pages(pages: list) -> list:
    "Problems with the built pages: missing, no title, leaked directives/markup/front matter."
    problems = []
    for p in pages:
        f = DOCS/p.html_path
        if not f.exists(): problems.append(f"{p.html_path}: missing"); continue
        h = f.read_text()
        t = re.search(r'<title>(.*?)</title>', h, flags=re.S)
        h1 = re.search(r'<h1[^>]*>(.*?)</h1>', h, flags=re.S)
        titles = [html.unescape(re.sub(r'<[^>]+>', '', x.group(1))) for x in (t, h1) if x]
        if not any(p.title in x for x in titles): problems.append(f"{p.html_path}: title {p.title!r} not in <title> or <h1>")
        for bad in ('{target=', 'output-file:'):
            if bad in h: problems.append(f"{p.html_path}: contains {bad!r}")
        m = re.search(r'<article[^>]*>(.*?)</article>', h, flags=re.S)
        # a directive is a line that starts with `#|` (in code blocks, outputs or text); prose may still name one in
        # inline code (`#| slow` in the training notebooks), so inline code is left out of this text
        body = re.sub(r'(?<!</span>)<code>[^<]*</code>', '', m.group(1) if m else h)
        text = html.unescape(re.sub(r'<[^>]+>', '', body))
        directives = [l.strip() for l in text.splitlines() if l.strip().startswith('#|')]
        if directives: problems.append(f"{p.html_path}: directive lines {directives[:3]}")
        magics = [l.strip() for l in text.splitlines() if re.match(r'\s*%%(md|markdown)\b', l)]
        if magics: problems.append(f"{p.html_path}: a markdown cell starts with a notebook magic {magics[:1]}")
        lines = [l.strip() for l in text.splitlines() if l.strip() and l.strip() != '¶']
        if re.search(r'^-{3,}\s*(\n\s*)?(title|description)\s*:', '\n'.join(lines[:8]), flags=re.M):
            problems.append(f"{p.html_path}: raw front matter at the top of the page")
    return problems


# what a notebook must not show: a folder of the machine that ran it (a temporary folder, a home, the work folder, a run
# folder beside the repository) or a warning a library printed while it ran
MACHINE_PATH = re.compile(r"""(?:(?<=[\s'"`(=:,\[])|^)(/(?:tmp|var/folders|private|home|root|Users|work|mnt|opt|content|scratch)/[^\s'"`)\],;]*"""
                          r"""|\.\./runs/[^\s'"`)\],;]*)""", re.M)
HIDDEN = re.compile(r'^#\|\s*(hide|(output|include):\s*false)\s*$', re.M)      # cells whose output no page shows
LIBRARY_WARNING = re.compile(r"\b[A-Z]\w*Warning:|\bwarnings\.warn\(")


def check_outputs(nbs: list) -> list:
    "Machine paths and library warnings in the notebooks' outputs (and so in their pages; the text is written by hand): `notebook: what`."
    problems = []
    for p in nbs:
        for c in json.loads(p.read_text())['cells']:
            if HIDDEN.search(''.join(c['source'])): continue
            texts, i = [], c.get('id', '?')
            for o in c.get('outputs', []):
                texts += [''.join(o['text'])] if 'text' in o else []
                texts += [''.join(v) for k, v in o.get('data', {}).items() if k.startswith('text/') and k != 'text/html']
            for t in texts:
                problems += [f"{p.relative_to(ROOT)}, cell {i}: a path of the machine that ran it, {m.rstrip(':.')!r}" for m in MACHINE_PATH.findall(t)[:1]]
                problems += [f"{p.relative_to(ROOT)}, cell {i}: a library warning, {m.group(0)!r}" for m in list(LIBRARY_WARNING.finditer(t))[:1]]
    return problems


def _chromium():
    "The headless browser for screenshots and the rendering check, or None."
    return next((shutil.which(n) for n in ('chromium', 'chromium-browser', 'google-chrome') if shutil.which(n)), None)


# injected (only into pages served with `?v2l-probe`) after the page has loaded and MathJax has typeset it: what a reader
# sees, written as JSON into the DOM that `chromium --dump-dom` prints
PROBE_JS = r"""<script>
window.addEventListener('load', function () {
  var report = function (err) {
    var art = document.querySelector('article') || document.body;
    var maths = art.querySelectorAll('.arithmatex'), rendered = 0;
    maths.forEach(function (m) { if (m.querySelector('mjx-container svg')) rendered++; });
    var text = art.cloneNode(true);
    text.querySelectorAll('pre, code, script, style, mjx-container').forEach(function (e) { e.remove(); });
    var raw = (text.textContent.match(/\\[\[(]|\\begin\{/g) || []).slice(0, 3);
    var cut = [];
    art.querySelectorAll(':is(.language-sh, .language-bash, .language-shell, .language-console) pre > code').forEach(function (c) {
      if (c.scrollWidth > c.clientWidth + 1) cut.push(c.textContent.slice(0, 60));
    });
    var out = document.createElement('pre'); out.id = 'v2l-probe';
    out.textContent = JSON.stringify({maths: maths.length, rendered: rendered, raw: raw, cut: cut, error: err || null});
    document.body.appendChild(out);
  };
  var ready = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
  if (ready) ready.then(function () { report(); }, function (e) { report('MathJax failed: ' + e); });
  else report('MathJax did not load');
});
</script>"""


class _Site:
    """`_docs/` served on a loopback port, as a reader's browser would get it (Chromium refuses web workers on `file://`,
    and without the iframe-worker shim, loaded from unpkg.com and unreachable offline, Material then hides its search
    box). Records every path that was not found; `?v2l-probe` pages get `PROBE_JS`."""
    def __enter__(self):
        import functools, http.server, threading
        self.missing = missing = []
        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args): pass
            def send_error(self, code, message=None, explain=None):
                if code == 404: missing.append(self.path)
                super().send_error(code, message, explain)
            def do_GET(self):
                path, _, query = self.path.partition('?')
                f = DOCS/path.lstrip('/')
                if 'v2l-probe' in query and f.suffix == '.html' and f.is_file():
                    body = f.read_text(encoding='utf-8').replace('</body>', PROBE_JS + '</body>').encode()
                    self.send_response(200); self.send_header('Content-Type', 'text/html; charset=utf-8')
                    self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                else: super().do_GET()
        self.srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(DOCS)))
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self
    def url(self, page: Path, query: str = '') -> str:
        return f'http://127.0.0.1:{self.srv.server_address[1]}/{page.as_posix()}' + (f'?{query}' if query else '')
    def __exit__(self, *exc): self.srv.shutdown(); self.srv.server_close()


def _headless(exe: str, *args) -> list:
    return [exe, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1400,1000',
            '--virtual-time-budget=8000', *args]


def check_rendering(pages: list) -> tuple:
    r"""`(problems, checked)`: every page with maths, and the home page, opened in headless Chromium as a reader sees them.

    A page fails if any of its maths is not typeset by MathJax or raw TeX (`\[`, `\(`, `\begin{`) shows in its text, if a
    shell command runs out of its column, or if the page asks the site for a file it does not have. `checked` is None
    without Chromium."""
    exe = _chromium()
    if not exe: return [], None
    picks = [p for p in pages if p.rel == 'index.ipynb' or 'class="arithmatex"' in (DOCS/p.html_path).read_text(encoding='utf-8')]
    problems, checked = [], []
    with _Site() as site:
        def dump(p):                                                     # one headless Chromium per page, four at a time:
            try: return subprocess.run(_headless(exe, '--dump-dom', site.url(p.html_path, 'v2l-probe')), capture_output=True, text=True, timeout=120)
            except Exception as e: return e                              # most of a page's time is Chromium starting and waiting
        with concurrent.futures.ThreadPoolExecutor(4) as pool: runs = list(pool.map(dump, picks))
        for p, r in zip(picks, runs):
            if isinstance(r, Exception): problems.append(f"{p.html_path}: {exe} failed ({r})"); continue
            m = re.search(r'<pre id="v2l-probe">(.*?)</pre>', r.stdout, flags=re.S)
            if not m: problems.append(f"{p.html_path}: the page did not finish loading in Chromium (exit {r.returncode})"); continue
            res = json.loads(html.unescape(m.group(1)))
            checked.append((p, res))
            if res['error']: problems.append(f"{p.html_path}: {res['error']}")
            if res['rendered'] < res['maths']: problems.append(f"{p.html_path}: {res['maths'] - res['rendered']} of {res['maths']} formulas not rendered")
            if res['raw']: problems.append(f"{p.html_path}: raw TeX visible: {res['raw']}")
            if res['cut']: problems.append(f"{p.html_path}: shell commands cut off at the column's edge: {res['cut']}")
        missing = sorted(set(site.missing) - {'/favicon.ico'})
        if missing: problems.append(f"files the pages asked for and the site lacks: {missing[:5]}")
    return problems, checked


def screenshots(out_dir: str, pages: list):
    "Headless-Chromium screenshots of the home page and of one library page (the LoRA page if there is one), served as in `_Site`."
    exe = _chromium()
    if not exe: print("screenshots skipped: no chromium on PATH (apt-get install -y chromium)"); return
    out = Path(out_dir).resolve(); out.mkdir(parents=True, exist_ok=True)
    lib = [p for p in pages if p.section == 'Library']
    pick = next((p for p in lib if 'lora' in p.rel), lib[0] if lib else None)
    shots = [('index', Path('index.html'))] + ([(Path(pick.rel).stem, pick.html_path)] if pick else [])
    with _Site() as site:
        for name, page in shots:
            png = out/f'{name}.png'
            if png.exists(): png.unlink()
            url = site.url(page)
            try: r = subprocess.run(_headless(exe, f'--screenshot={png}', url), capture_output=True, text=True, timeout=120)
            except Exception as e: print(f"screenshots skipped: {exe} failed ({e})"); return
            if r.returncode or not png.exists():
                print(f"screenshots skipped: {exe} exited {r.returncode}: {(r.stderr or '').strip().splitlines()[-1:]}"); return
            print(f"screenshot {png} ({url})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--no-quarto', action='store_true', help='build the MkDocs site even if Quarto is installed')
    ap.add_argument('--readme', action='store_true', help='only regenerate README.md')
    ap.add_argument('--check', action='store_true', help='fail if a page is missing or leaks markup, a notebook shows a machine path or a library warning, or README.md was stale')
    ap.add_argument('--screenshots', metavar='DIR', help='save headless-Chromium PNGs of the home page and a library page to DIR')
    a = ap.parse_args()
    nbs = notebooks()
    old_readme = (ROOT/'README.md').read_text() if (ROOT/'README.md').exists() else ''
    if shutil.which('quarto') and not a.no_quarto and not a.readme:
        sys.exit(subprocess.call(['nbdev_docs'], cwd=ROOT))
    process(index_only=a.readme)
    new_readme = readme()
    if a.readme: return
    pages = site(nbs)
    print(f"built {len(pages)} pages into {DOCS.relative_to(ROOT)}/ (index.html) from {SRC.relative_to(ROOT)}/mkdocs.yml")
    if a.screenshots: screenshots(a.screenshots, pages)
    if a.check:
        missing = [str(p.relative_to(NBS)) for p in nbs if not (DOCS/p.relative_to(NBS).with_suffix('.html')).exists()]
        if missing: sys.exit(f"docs check failed: no page for {missing}")
        for p in pages: print(f"  {str(p.html_path):45} {p.section or '-':10} {p.title}")
        problems = check_pages(pages) + check_outputs(nbs)
        rendering, checked = check_rendering(pages)
        if checked is None: print("rendering check skipped: no chromium on PATH (apt-get install -y chromium)")
        else:
            for p, res in checked: print(f"  rendered in Chromium: {str(p.html_path):35} {res['rendered']}/{res['maths']} formulas typeset")
        problems += rendering
        if problems: sys.exit("docs check failed:\n  " + "\n  ".join(problems))
        if new_readme != old_readme: sys.exit("docs check failed: README.md was out of date with nbs/index.ipynb (now regenerated: commit it)")
        print(f"docs check passed: every one of the {len(nbs)} notebooks has a page with its title, no leaked markup, no machine path and no library warning; README.md is up to date"
              + ("" if checked is None else f"; maths rendered and no shell command cut off on the {len(checked)} pages opened in Chromium"))


if __name__ == '__main__': main()
