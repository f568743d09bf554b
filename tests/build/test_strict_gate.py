"""The strict book build is a gate: a broken cross-reference or a failing cell fails it.

Builds three tiny books with the book's own execution settings and the Makefile's build flags:
a valid one (must succeed, so the test can fail), one with a broken cross-reference and one
whose notebook raises. Each build takes a few seconds.
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JB = Path(sys.executable).with_name("jupyter-book")


def book_flags() -> list[str]:
    make = (ROOT / "Makefile").read_text()
    return re.search(r"^BOOK_FLAGS\s*:=\s*(.+)$", make, flags=re.M).group(1).split()


def make_book(tmp: Path, page: str, cell: str) -> Path:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    mini = {"title": "gate", "only_build_toc_files": True, "execute": cfg["execute"],
            "parse": cfg["parse"], "sphinx": {"extra_extensions": cfg["sphinx"]["extra_extensions"]}}
    (tmp / "_config.yml").write_text(yaml.safe_dump(mini))
    (tmp / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapter\n")
    (tmp / "intro.md").write_text(f"# Intro\n\n(intro-label)=\n## Section\n\n{page}\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nb.cells = [nbformat.v4.new_markdown_cell("# Chapter"), nbformat.v4.new_code_cell(cell)]
    nbformat.write(nb, tmp / "chapter.ipynb")
    return tmp


def build(book: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(JB), "build", str(book), *book_flags()], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def tmp_book(tmp_path):
    return tmp_path


def test_a_valid_book_builds(tmp_book):
    result = build(make_book(tmp_book, "See {ref}`intro-label`.", "print(1 + 1)"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_a_broken_cross_reference_fails_the_build(tmp_book):
    result = build(make_book(tmp_book, "See {ref}`no-such-label`.", "print(1 + 1)"))
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


def test_a_failing_cell_fails_the_build(tmp_book):
    result = build(make_book(tmp_book, "See {ref}`intro-label`.", "1 / 0"))
    assert result.returncode != 0
    assert "mystnb.exec" in result.stdout + result.stderr
    log = tmp_book / "_build" / "html" / "reports" / "chapter.err.log"
    assert "ZeroDivisionError" in log.read_text()
