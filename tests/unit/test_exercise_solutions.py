"""Every code solution of every exercise runs.

A solution that shows code (a fenced ```python block inside a ``{solution}``) must work for a
student who pastes it into the live notebook after running the chapter. The test runs the
chapter's code cells up to the *Exercises* heading (without the Colab cell), then each solution's
code in that namespace, in the order of the chapter.
"""

import re
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def solutions(nb) -> list[tuple[str, str]]:
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    out = []
    for label, body in re.findall(r"````\{solution\} (\S+)\n(.*?)\n````", md, flags=re.S):
        for code in re.findall(r"```python\n(.*?)```", body, flags=re.S):
            out.append((label, code))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solution_code_runs(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    nb = nbformat.read(path, as_version=4)
    before = []
    for cell in nb.cells[1:]:  # cell 0 is the Colab set-up cell
        if cell.cell_type == "markdown" and cell.source.startswith("## Exercises"):
            break
        if cell.cell_type == "code":
            before.append(cell.source)
    namespace = {"__name__": "__main__", "print": lambda *a, **k: None,
                 "display": lambda *a, **k: None}
    for i, code in enumerate(before):
        exec(compile(code, f"{path.stem}:cell-{i}", "exec"), namespace)
    for label, code in solutions(nb):
        try:
            exec(compile(code, f"{path.stem}:{label}", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - report which solution broke, and how
            pytest.fail(f"{path.stem} solution {label} raised {type(exc).__name__}: {exc}")
