"""Write a notebook from a plain-text source with cell markers (for authors who prefer text).

Markers, each on a line of its own::

    %% md
    %% code
    %% code tags=remove-input,hide-output

The first cell of every chapter is the Colab set-up cell from :mod:`tools.colab_cell`; write
``%% colab`` to insert it. Outputs are empty (the book build and the tests execute notebooks).

Usage: ``python tools/build_notebook.py SOURCE.txt notebooks/NAME.ipynb``
"""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_cell  # noqa: E402


def parse(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    kind, tags, buf = None, [], []

    def flush():
        if kind is None:
            return
        src = "\n".join(buf).strip("\n")
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        else:
            cell = nbformat.v4.new_code_cell(src)
            if tags:
                cell.metadata["tags"] = tags
            nb.cells.append(cell)

    for line in text.splitlines():
        if line.startswith("%% "):
            flush()
            parts = line[3:].split()
            kind, tags, buf = parts[0], [], []
            for p in parts[1:]:
                if p.startswith("tags="):
                    tags = p[5:].split(",")
            if kind == "colab":
                kind, tags, buf = "code", ["remove-cell"], [colab_cell.source()]
            continue
        buf.append(line)
    flush()
    return nb


def main(src: str, dest: str) -> None:
    nb = parse(Path(src).read_text(encoding="utf-8"))
    nbformat.validate(nb)
    nbformat.write(nb, dest)


if __name__ == "__main__":
    main(*sys.argv[1:3])
