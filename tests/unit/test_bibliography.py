"""Every bibliography entry can be looked up: a DOI, a CELEX number, an EMA or Commission
document reference, or the address it was read at."""

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[2]
BIBS = [ROOT / "book" / "references.bib", *sorted((ROOT / "book" / "bib").glob("*.bib"))]


def entries():
    for bib in BIBS:
        for key, entry in parse_file(str(bib)).entries.items():
            yield bib.name, key, entry


ALL = list(entries())


def test_keys_are_unique_across_files():
    keys = [k.lower() for _, k, _ in ALL]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("bib,key,entry", ALL, ids=[k for _, k, _ in ALL])
def test_entry_has_an_identifier(bib, key, entry):
    f = {k.lower(): v for k, v in entry.fields.items()}
    doi = f.get("doi", "")
    url = f.get("url", "") + " " + f.get("howpublished", "")
    note = f.get("note", "")
    ok = (re.fullmatch(r"10\.\d{4,9}/\S+", doi)
          or re.search(r"CELEX:?\s*\d{5}[A-Z]\d{4}", note)
          or re.search(r"https?://(www\.)?(ema\.europa\.eu|eur-lex\.europa\.eu|data\.europa\.eu|"
                       r"health\.ec\.europa\.eu|ec\.europa\.eu)", url)
          or re.search(r"\bEMEA?/[\w/.-]*\d{4}\b|\bC\(\d{4}\) ?\d+", url + " " + note)
          or re.search(r"https?://\S+", url))
    assert ok, f"{bib}: {key} has no DOI, CELEX number or address"
    assert f.get("title") and f.get("year"), f"{bib}: {key} lacks a title or year"


def test_every_cited_key_exists():
    keys = {k.lower() for _, k, _ in ALL}
    cited = set()
    for path in [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "book").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", text):
            cited |= {k.strip().lower() for k in group.split(",")}
    missing = sorted(cited - keys)
    assert not missing, f"cited but not in any .bib file: {missing}"
