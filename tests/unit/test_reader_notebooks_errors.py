"""A notebook that cannot become a reader notebook stops ``tools/reader_notebooks.py`` with one
line naming the notebook and the cell, exit status 1, and nothing written (issue 17)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "reader_notebooks.py"
PAGE = """<html><body><main><h1>Tiny chapter</h1>
<p>There are <span class="pasted-text">33</span> products.</p>
<figure id="fig-tiny"><img src="x.png" alt="A bar chart."><figcaption>
<p><span class="caption-number">Fig. 4 </span><span class="caption-text">Bars.</span></p>
</figcaption></figure></main></body></html>"""
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def make_book(root: Path, prose: str) -> None:
    (root / "notebooks").mkdir(parents=True)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: notebooks/tiny\n")
    shutil.copyfile(ROOT / "_config.yml", root / "_config.yml")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("glue('n', 33)", id="c0"),
                nbformat.v4.new_markdown_cell("# Tiny chapter", id="m1"),
                nbformat.v4.new_markdown_cell(prose, id="m2")]
    nbformat.write(nb, root / "notebooks" / "tiny.ipynb")
    executed = root / "_build" / "jupyter_execute" / "notebooks"
    executed.mkdir(parents=True)
    nbformat.write(nb, executed / "tiny.ipynb")
    glue = {"n": {"output_type": "display_data", "data": {"text/plain": "33"}},
            "tiny-bars": {"output_type": "display_data",
                          "data": {"image/png": PNG, "text/plain": "<Figure>"}}}
    (executed / "tiny.glue.json").write_text(json.dumps(glue))
    site = root / "_build" / "html" / "notebooks"
    site.mkdir(parents=True)
    (site / "tiny.html").write_text(PAGE)


def run(root: Path):
    return subprocess.run([sys.executable, str(TOOL), "--root", str(root), "build"],
                          capture_output=True, text=True)


GOOD = ("There are {glue:text}`n` products.\n\n```{glue:figure} tiny-bars\n:alt: A bar chart.\n"
        ":name: fig-tiny\n\nBars.\n```")


def test_a_good_notebook_is_converted(tmp_path):
    make_book(tmp_path, GOOD)
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(tmp_path / "_build" / "reader" / "notebooks" / "tiny.ipynb", as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "There are 33 products." in md
    assert f"![A bar chart.](data:image/png;base64,{PNG})" in md and "**Fig. 4.** Bars." in md
    assert (tmp_path / "_build" / "html" / "_sources" / "notebooks" / "tiny.ipynb").is_file()


@pytest.mark.parametrize("prose, why", [
    ("There are {glue:text}`n_missing` products.", "no glued value 'n_missing'"),
    ("```{glue:figure} no-such-figure\n:alt: A chart.\n\nCaption.\n```", "no glued figure 'no-such-figure'"),
    ("```{glue:figure} tiny-bars\n:name: fig-tiny\n\nBars.\n```", "figure 'tiny-bars' has no :alt: text"),
    ("A {sparkle}`thing`.", "unsupported role {sparkle}"),
    ("```{exercise}\n:label: ex\n\nNever closed.", "{exercise} block opened with ``` is never closed"),
    ("::::{tab-set}\nx\n::::", "unsupported directive {tab-set}"),
])
def test_bad_notebook_stops_with_one_line_naming_notebook_and_cell(tmp_path, prose, why):
    make_book(tmp_path, prose)
    result = run(tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"reader notebooks: notebooks/tiny.ipynb, cell 2 (id m2): {why}"]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "_build" / "reader").exists(), "a partial result was written"
    assert not (tmp_path / "_build" / "html" / "_sources").exists()


def test_missing_build_is_one_line(tmp_path):
    make_book(tmp_path, GOOD)
    shutil.rmtree(tmp_path / "_build" / "jupyter_execute")
    result = run(tmp_path)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "notebooks/tiny.ipynb" in result.stderr and "make book" in result.stderr
