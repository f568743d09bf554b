"""The structure of the book: its documents in reading order, from ``_toc.yml``.

One reader of the table of contents for everything that walks the book: the objectives map,
the PDF handouts, the site tests and the benchmarks.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOC = ROOT / "_toc.yml"


def toc_docnames(toc_file: Path = TOC) -> list[str]:
    """Every document of a Jupyter Book ``_toc.yml``, root first, then in reading order.

    Returns
    -------
    list of str
        Document names without extension, e.g. ``"notebooks/landscape"``.
    """
    toc = yaml.safe_load(Path(toc_file).read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    for key in ("parts", "chapters", "sections"):
        walk(toc.get(key))
    return [re.sub(r"\.(md|ipynb|rst)$", "", n) for n in names]


def chapters(toc_file: Path = TOC) -> list[str]:
    """The chapter notebooks (file stems under ``notebooks/``), in reading order."""
    return [Path(d).name for d in toc_docnames(toc_file) if d.startswith("notebooks/")]
