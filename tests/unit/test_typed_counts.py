"""No count of products, trials, events … typed into the chapters' prose (atmp.prose)."""

from pathlib import Path

import pytest

from atmp import book
from atmp.prose import notebook_typed_counts, typed_counts

ROOT = Path(__file__).resolve().parents[2]

# The CAR-T sentences the referee found (reviews/aesthetics.md §2.5), as they stood on
# 2026-11-30 before they were rewritten with glue: the check must catch each one.
CAUGHT_BEFORE_THE_FIX = [
    ":alt: Seven horizontal chains of coloured boxes, one per CAR-T product, showing binder",
    ":alt: Grouped bar chart for eight pivotal CAR-T trials showing the primary response rate",
    "Yescarta and Tecartus carry the same receptor; the five others use 4-1BB and a lentiviral",
    "The five products took every route the EU offers",
    "Why do the two products for ultra-rare diseases hold exceptional authorisations?",
    "published EMA assessment times of 17 ATMPs",
]
NOT_COUNTS = [
    "As of {glue:text}`car-t-data-as-of`, the dataset holds {glue:text}`car-t-n` products",
    "No two products were compared in one trial",
    "a phase 3 trial of 436 patients",
    "grade ≥3 neurological events ranged from 10% to 28%",
    "the improvement of 120 trial patients",
    "HSV-1 vector",
    "two years after authorisation",
    "Every product is one of four legal classes",
]


@pytest.mark.parametrize("sentence", CAUGHT_BEFORE_THE_FIX)
def test_typed_counts_are_caught(sentence):
    assert typed_counts(sentence), sentence


@pytest.mark.parametrize("sentence", NOT_COUNTS)
def test_other_numbers_are_not_counts(sentence):
    assert typed_counts(sentence) == []


@pytest.mark.parametrize("stem", book.chapters())
def test_no_chapter_types_a_count(stem):
    found = notebook_typed_counts(ROOT / "notebooks" / f"{stem}.ipynb")
    assert found == [], "glue these counts (atmp/chapters/<stem>.py facts()): " + "; ".join(
        f"cell {i}: {phrase!r}" for i, phrase in found)
