"""House-style checks on the prose of the chapters (run by the tests, usable by authors).

:func:`typed_counts` finds counts typed into the markdown — "seven products", "eight pivotal
trials", "the five others" — that go stale the day a product is added. Counts in prose come
from the data through ``{glue:text}``; a count that is not a count of the record (a number of
patients in a cited trial, "two components") does not match, because only nouns that name
things the dataset counts are looked at.

Examples
--------
>>> from atmp.prose import typed_counts
>>> typed_counts("Seven horizontal chains, one per CAR-T product")
['Seven horizontal chains']
>>> typed_counts("the {glue:text}`car-t-n` products; no two products were compared")
[]
"""

from __future__ import annotations

import json
import re
from pathlib import Path

NUMBER_WORDS = ("two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty").split()
#: Nouns for things the dataset counts (products, trials, events …), singular and plural.
COUNTED = ("products?|medicines?|ATMPs?|therap(?:y|ies)|authorisations?|trials?|chains?|events?|"
           "chapters?|withdrawals?|applications?|refusals?|conversions?|constructs?|vectors?|"
           "classes|famil(?:y|ies)|others")
_NUMBER = r"(?:\d+|" + "|".join(NUMBER_WORDS) + ")"
# a number, up to two adjectives, then a counted noun: "eight pivotal CAR-T trials"
_FILLER = (r"(?!(?:after|before|of|and|or|in|to|with|for|from|by|at|on|apply|years?|months?|"
           r"weeks?|days?)\b)[\w-]+")
PATTERN = re.compile(rf"(?<![-\w.,≥≤<>]){_NUMBER}(?:\s+{_FILLER}){{0,2}}?\s+(?:{COUNTED})\b"
                     r"(?!\s+(?:patients|participants|arms|sites|designs|types|families)\b)",
                     re.IGNORECASE)
#: Words before a number that make it something other than a count of the record.
ALLOWED = re.compile(r"\b(?:no|any|every|each|the first|the last|per|phase|grade|type|day|"
                     r"week|month|year|study|arm)\s+$", re.IGNORECASE)
#: Typed numbers that are facts of biology or law, not counts of the dataset.
FACTS = ("two β chains", "four legal classes", "four kinds of ATMP", "four ATMP classes",
         "three product", "two vector", "7 events", "two more withdrawals")


def typed_counts(text: str) -> list[str]:
    """Typed counts of counted things in ``text`` (glue roles and code spans are skipped)."""
    text = re.sub(r"`{3,}", " ", text)            # code fences (keep the directive's text)
    text = re.sub(r"`[^`\n]*`", " ", text)        # inline code and glue roles
    text = re.sub(r"\$[^$]*\$", " ", text)        # inline maths
    text = re.sub(r"\{cite:[a-z]+\}", " ", text)
    found = []
    for m in PATTERN.finditer(text):
        if ALLOWED.search(text[max(0, m.start() - 12):m.start()]):
            continue
        if re.match(r"\d{4}\b", m.group(0)):      # a year: "2024 events" is not a count
            continue
        if any(f.lower().startswith(m.group(0).lower()) or m.group(0).lower().startswith(f.lower())
               for f in FACTS):
            continue
        found.append(m.group(0))
    return found


def notebook_typed_counts(path: Path) -> list[tuple[int, str]]:
    """``(cell index, phrase)`` for every typed count in a notebook's markdown cells."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            out += [(i, phrase) for phrase in typed_counts("".join(cell["source"]))]
    return out
