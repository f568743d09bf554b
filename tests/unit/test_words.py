"""Words a reader meets: abbreviations explained at first use, numbers without e-notation.

- Every abbreviation in :data:`ABBREVIATIONS` that a chapter's prose uses is, at its first use in
  that chapter, either written out as "full name (ABBR)" / "ABBR (full name)" or a ``{term}``
  link to the glossary. Code, citations, glue keys, labels and figure options are not prose.
- No Python e-notation (``1.1e+14``, ``2e13``) in the quizzes or the chapters' prose; numbers go
  through :func:`atmp.text.sci` ("1.1 × 10¹⁴"). The built pages are checked in
  ``tests/site/test_site_words.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atmp import quiz
from atmp.text import E_NOTATION

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Abbreviation -> accepted written-out forms (compared ignoring case, spaces and hyphens).
ABBREVIATIONS = {
    "AAV": ["adeno-associated virus"],
    "AADC": ["aromatic L-amino acid decarboxylase"],
    "ALD": ["adrenoleukodystrophy"],
    "ATMP": ["advanced therapy medicinal product"],
    "AUC": ["area under the curve"],
    "BCG": ["bacillus Calmette–Guérin"],
    "BCMA": ["B-cell maturation antigen"],
    "CAR": ["chimeric antigen receptor"],
    "CAT": ["Committee for Advanced Therapies"],
    "CHMP": ["Committee for Medicinal Products for Human Use"],
    "CI": ["confidence interval"],
    "CRS": ["cytokine release syndrome"],
    "CV": ["coefficient of variation"],
    "EBV": ["Epstein–Barr virus"],
    "EMA": ["European Medicines Agency"],
    "EPAR": ["European public assessment report"],
    "FIX": ["factor IX"],
    "FVIII": ["factor VIII"],
    "GM-CSF": ["granulocyte-macrophage colony-stimulating factor"],
    "GMP": ["good manufacturing practice"],
    "HLA": ["human leukocyte antigen"],
    "HSC": ["haematopoietic stem cell"],
    "HSV": ["herpes simplex virus"],
    "HSV-1": ["herpes simplex virus type 1", "herpes simplex virus 1"],
    "ICANS": ["immune effector cell-associated neurotoxicity syndrome"],
    "ICP34.5": ["infected-cell protein 34.5"],
    "ICP47": ["infected-cell protein 47"],
    "KOOS": ["Knee injury and Osteoarthritis Outcome Score"],
    "LTR": ["long terminal repeat"],
    "MCH": ["mean corpuscular haemoglobin", "mean haemoglobin per cell"],
    "MSC": ["mesenchymal stromal cells"],
    "NICE": ["National Institute for Health and Care Excellence"],
    "PFU": ["plaque-forming units", "plaque-forming unit"],
    "PKR": ["protein kinase R"],
    "PSA": ["prostate-specific antigen"],
    "SMA": ["spinal muscular atrophy"],
    "TK": ["thymidine kinase"],
    "VCN": ["vector copy number"],
}

_STRIP = [
    (r"^:[a-z-]+:[^\n]*$", " "),                              # directive options (:alt:, :name:, ...)
    (r"^#+ [^\n]*$", " "),                                    # headings name a topic; prose explains it
    (r"\{(?:cite|glue|doc|numref|ref|eq|download)[^}]*\}`[^`]*`", " "),
    (r"`[^`]*`", " "),                                    # inline code
    (r"\$\$.*?\$\$|\$[^$\n]*\$", " "),                    # maths
    (r"\]\([^)]*\)", "]"),                                # link targets
]


def _without_code(markdown: str) -> str:
    """``markdown`` with code blocks blanked; directive fences (```{figure} ...) keep their body."""
    out, stack = [], []                                    # stack of (ticks, is_code)
    for line in markdown.split("\n"):
        fence = re.match(r"^\s*(`{3,}|~{3,})\s*(\S*)", line)
        if fence and stack and fence.group(1) == stack[-1][0] and not fence.group(2):
            stack.pop()
            out.append("")
        elif fence:
            info = fence.group(2)
            stack.append((fence.group(1), not info.startswith("{") or info.startswith("{code")))
            out.append("")
        else:
            out.append("" if any(code for _, code in stack) else line)
    return "\n".join(out)


def prose(markdown: str) -> str:
    """The reader-visible prose of a chapter's markdown, with ``{term}`` links kept as ⟦...⟧."""
    text = re.sub(r"\{term\}`([^`]*)`", lambda m: "⟦" + m.group(1) + "⟧", _without_code(markdown))
    for pattern, repl in _STRIP:
        text = re.sub(pattern, repl, text, flags=re.S | re.M)
    return text


def _squash(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).lower()


def first_use_problem(text: str, abbr: str, names: list[str]) -> str | None:
    """Why the first use of ``abbr`` in ``text`` is unexplained (None if explained or unused)."""
    # a plural "ABBRs" counts; a compound such as CAR-T, HSV-1 or ALD-102 is a name of its own
    m = re.search(rf"(?<![\w-]){re.escape(abbr)}s?(?![\w]|-\w)", text)
    if not m:
        return None
    before, after = text[:m.start()], text[m.end():]
    if before.rfind("⟦") > before.rfind("⟧"):              # inside a {term} link
        return None
    wanted = [_squash(n) for n in names]
    if before.endswith("(") and any(_squash(before[-len(n) - 12:-1]).endswith((w, w + "s"))
                                    for n, w in zip(names, wanted, strict=True)):
        return None                                        # "full name (ABBR"
    if after.startswith(":") and any(_squash(after[:len(n) + 12]).startswith(w) for n, w in
                                     zip(names, wanted, strict=True)):
        return None                                        # "(ABBR: full name"
    if after.lstrip().startswith("(") and any(_squash(after[:len(n) + 12]).startswith(w)
                                              for n, w in zip(names, wanted, strict=True)):
        return None                                        # "ABBR (full name"
    context = text[max(0, m.start() - 50):m.end() + 30].replace("\n", " ")
    return f"{abbr} first used without expansion or glossary link: …{context}…"


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_abbreviations_are_explained_at_first_use(path):
    text = prose(_markdown(path))
    problems = [p for a, names in ABBREVIATIONS.items() if (p := first_use_problem(text, a, names))]
    assert problems == [], "\n".join(problems)


def test_prose_drops_code_but_keeps_directive_text():
    md = "A\n````{solution} x\nkept\n```python\nAAV = 1\n```\nalso kept\n````\n```\ncode\n```\nB"
    assert prose(md).split() == ["A", "kept", "also", "kept", "B"]


def test_first_use_check_bites():
    names = ABBREVIATIONS["GM-CSF"]
    assert first_use_problem("inserted GM-CSF, granulocyte-macrophage ...", "GM-CSF", names)
    assert first_use_problem("a (GM-CSF) gene; granulocyte-macrophage colony-stimulating factor "
                             "(GM-CSF)", "GM-CSF", names)
    assert not first_use_problem("granulocyte-macrophage colony-stimulating factor (GM-CSF) and "
                                 "GM-CSF", "GM-CSF", names)
    assert not first_use_problem("GM-CSF (granulocyte–macrophage colony-stimulating factor)",
                                 "GM-CSF", names)
    assert not first_use_problem(prose("the {term}`CRS <Cytokine release syndrome (CRS)>` rate"),
                                 "CRS", ABBREVIATIONS["CRS"])
    assert not first_use_problem("CAR-T cells", "CAR", ABBREVIATIONS["CAR"]), "CAR-T is not CAR"
    assert not first_use_problem("long terminal repeats (LTRs)", "LTR", ABBREVIATIONS["LTR"])
    assert first_use_problem("the CAR gene", "CAR", ABBREVIATIONS["CAR"])


def test_every_listed_abbreviation_is_in_the_glossary_or_expanded_somewhere():
    glossary = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    for abbr in ABBREVIATIONS:
        assert re.search(rf"(?<![\w-]){re.escape(abbr)}(?![\w])", glossary), f"{abbr} not in glossary"


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("chapter", sorted(p.stem for p in quiz.QUIZ_DIR.glob("*.json")))
def test_no_e_notation_in_quizzes(chapter):
    found = [m.group(0) for s in _strings(quiz.load(chapter)) for m in re.finditer(E_NOTATION, s)]
    assert found == [], f"{chapter}: write {found} with atmp.text.sci (× 10ⁿ)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_e_notation_in_prose(path):
    found = re.findall(E_NOTATION, prose(_markdown(path)))
    assert found == [], f"{path.stem}: e-notation in the prose: {found}"


def test_e_notation_pattern_bites():
    for leak in ("1.1e+14", "2e13", "4e-12", "6.0E-05", "dose 1e7 cells"):
        assert re.search(E_NOTATION, leak), leak
    for fine in ("1.1 × 10¹⁴", "e^-1", "ICP34.5", "FL3B", "AUC0–28d", "Rh74var", "2e"):
        assert not re.search(E_NOTATION, fine), fine
