#!/usr/bin/env python
"""Run notebooks top to bottom and save their outputs (figures, tables) in place, as nbdev_test runs them:
cells marked `#| slow` or `#| eval: false` are skipped. Then `nbdev_clean` strips the metadata noise.

    python tools/run_notebooks.py nbs/06_hypernet.ipynb nbs/tutorials/00_hypernetwork_from_scratch.ipynb
"""
import os, re, sys
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell


def skip(cell) -> bool:
    "True for cells nbdev_test would not run."
    if cell.cell_type != 'code': return True
    heads = [l for l in cell.source.splitlines() if l.startswith('#|')]
    return any(re.match(r"#\|\s*(slow\b|eval:\s*false)", h, re.I) for h in heads)


def main():
    os.environ.setdefault('MPLBACKEND', 'Agg'); os.environ['IN_TEST'] = '1'
    for p in map(Path, sys.argv[1:]):
        nb = read_nb(p)
        cwd = os.getcwd(); os.chdir(p.parent)
        try: CaptureShell(p).run_all(nb, exc_stop=True, preproc=skip)
        finally: os.chdir(cwd)
        write_nb(nb, p)
        print(f"ran {p}")


if __name__ == '__main__': main()
