"""Abbreviations a reader meets, and whether a text explains each one where it first uses it.

The rule of the course: at its first use in a chapter, an abbreviation is written out
("adeno-associated virus (AAV)" or "AAV (adeno-associated virus)") or linked to the glossary
(``{term}`` in the markdown, a link to ``glossary.html#term-…`` in the HTML). Headings name a topic
and do not count as a use. :data:`ABBREVIATIONS` lists the abbreviations checked, each with the
written-out forms accepted; ``tests/unit/test_words.py`` checks the chapters' markdown and
``tests/site/test_site_words.py`` the built pages, tables and glued values included.

Examples
--------
>>> first_use_problem("adeno-associated virus (AAV) vectors; AAV", "AAV") is None
True
>>> first_use_problem("AAV vectors", "AAV")
'AAV first used without expansion or glossary link: …AAV vectors…'
"""

from __future__ import annotations

import re

#: Abbreviation -> accepted written-out forms (compared ignoring case, spaces and hyphens).
ABBREVIATIONS: dict[str, list[str]] = {
    "AAV": ["adeno-associated virus"],
    "AADC": ["aromatic L-amino acid decarboxylase"],
    "ADA-SCID": ["adenosine deaminase severe combined immunodeficiency",
                 "severe combined immunodeficiency due to adenosine deaminase deficiency"],
    "ALD": ["adrenoleukodystrophy"],
    "ALL": ["acute lymphoblastic leukaemia"],
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
    "DLBCL": ["diffuse large B-cell lymphoma"],
    "EBV": ["Epstein–Barr virus"],
    "EMA": ["European Medicines Agency"],
    "EPAR": ["European public assessment report"],
    "FIX": ["factor IX"],
    "FL3B": ["follicular lymphoma grade 3B"],
    "FVIII": ["factor VIII"],
    "GM-CSF": ["granulocyte-macrophage colony-stimulating factor"],
    "GMP": ["good manufacturing practice"],
    "HGBL": ["high-grade B-cell lymphoma"],
    "HLA": ["human leukocyte antigen"],
    "HSC": ["haematopoietic stem cell"],
    "HSCT": ["haematopoietic stem cell transplantation"],
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
    "PMBCL": ["primary mediastinal large B-cell lymphoma"],
    "PSA": ["prostate-specific antigen"],
    "PTLD": ["post-transplant lymphoproliferative disease"],
    "RRMM": ["relapsed or refractory multiple myeloma"],
    "SMA": ["spinal muscular atrophy"],
    "TK": ["thymidine kinase"],
    "VCN": ["vector copy number"],
}

#: Where a linked term starts and ends in a text given to :func:`first_use_problem`.
LINK_OPEN, LINK_CLOSE = "⟦", "⟧"


def _squash(s: str) -> str:
    return re.sub(r"[\W_]+", "", s).lower()


def _explained(text: str, m: re.Match, names: list[str]) -> bool:
    """Whether the use of an abbreviation at ``m`` is linked or written out."""
    before, after = text[:m.start()], text[m.end():]
    if before.rfind(LINK_OPEN) > before.rfind(LINK_CLOSE):     # inside a glossary link
        return True
    for name, wanted in ((n, _squash(n)) for n in names):
        if before.endswith("(") and _squash(before[-len(name) - 12:-1]).endswith((wanted, wanted + "s")):
            return True                                          # "full name (ABBR"
        if after.lstrip().startswith("(") and _squash(after[:len(name) + 12]).startswith(wanted):
            return True                                          # "ABBR (full name"
        if after.startswith(":") and _squash(after[:len(name) + 12]).startswith(wanted):
            return True                                          # "(ABBR: full name"
    return False


def _pattern(abbr: str) -> str:
    # a plural "ABBRs" counts; a compound such as CAR-T, HSV-1 or ALD-102 is a name of its own
    return rf"(?<![\w-]){re.escape(abbr)}s?(?![\w]|-\w)"


def first_use_problem(text: str, abbr: str, names: list[str] | None = None) -> str | None:
    """Why the first use of ``abbr`` in ``text`` is unexplained (None if explained or unused).

    ``text`` marks glossary links as ``⟦…⟧``; ``names`` defaults to ``ABBREVIATIONS[abbr]``.
    """
    names = ABBREVIATIONS[abbr] if names is None else names
    m = re.search(_pattern(abbr), text)
    if not m or _explained(text, m, names):
        return None
    context = text[max(0, m.start() - 50):m.end() + 30].replace("\n", " ")
    return f"{abbr} first used without expansion or glossary link: …{context}…"


def unexplained_on_page(text: str) -> list[str]:
    """Abbreviations used in ``text`` (a whole page: prose, tables, captions) that it never links
    to the glossary or writes out. Tables generated from the data come before the prose that
    explains their abbreviations; a page passes when the explanation is anywhere on it.
    """
    out = []
    for abbr, names in ABBREVIATIONS.items():
        uses = list(re.finditer(_pattern(abbr), text))
        if uses and not any(_explained(text, m, names) for m in uses):
            m = uses[0]
            out.append(f"{abbr} never explained on the page: …{text[max(0, m.start() - 50):m.end() + 30]}…"
                       .replace("\n", " "))
    return out


def problems(text: str) -> list[str]:
    """Every listed abbreviation whose first use in ``text`` is unexplained."""
    return [p for a in ABBREVIATIONS if (p := first_use_problem(text, a))]
