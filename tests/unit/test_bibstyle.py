"""Citations and the reference list print "et al." for a BibTeX author list ending in ``others``
(book/_ext/atmp_bibstyle.py); names are otherwise unchanged."""

import sys
from pathlib import Path

import pytest
from pybtex.database import parse_string

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
import atmp_bibstyle as bibstyle  # noqa: E402

BIB = """
@article{one, author={Pipe, Steven W. and others}, title={T}, journal={J}, year={2025}}
@article{two, author={Russell, Stephen and Bennett, Jean}, title={T}, journal={J}, year={2017}}
@article{three, author={Russell, Stephen and Bennett, Jean and Wellman, J. and others},
         title={T}, journal={J}, year={2017}}
@article{four, author={Ayuso, E. and Blouin, V. and Lock, M.}, title={T}, journal={J}, year={2014}}
"""


@pytest.fixture(scope="module")
def entries():
    bibstyle.register()
    return parse_string(BIB, "bibtex").entries


def test_reference_list_prints_et_al_for_others(entries):
    text = {e.key: e.text.render_as("text")
            for e in bibstyle.EtAlPlainStyle().format_entries(entries.values())}
    assert text["one"].startswith("Steven W. Pipe et al. T.")
    assert text["two"].startswith("Stephen Russell and Jean Bennett. T.")
    assert text["three"].startswith("Stephen Russell, Jean Bennett, J. Wellman, et al. T.")
    assert text["four"].startswith("E. Ayuso, V. Blouin, and M. Lock. T.")
    assert not any("others" in t for t in text.values())


def test_citation_label_prints_et_al_for_others(entries):
    from pybtex.plugin import find_plugin
    from sphinxcontrib.bibtex.plugin import find_plugin as find_reference_style

    style = find_reference_style("sphinxcontrib.bibtex.style.referencing",
                                 bibstyle.REFERENCE_STYLE)()
    assert isinstance(style.person, bibstyle.EtAlPersonStyle)
    assert find_plugin("pybtex.style.formatting", bibstyle.BIBLIOGRAPHY_STYLE) is \
        bibstyle.EtAlPlainStyle

    def author(key):
        data = {"entry": entries[key], "style": style}
        return style.person.names("author", full=False).format_data(data).render_as("text")
    assert author("one") == "Pipe et al."
    assert author("two") == "Russell and Bennett"
    assert author("three") == "Russell et al."
    assert author("four") == "Ayuso et al."
