"""Citations and reference lists that print "et al." for a BibTeX author list ending in ``others``.

A BibTeX entry may list its first authors and end with ``and others``. pybtex reads ``others`` as a
person and both the author–year citations of sphinxcontrib-bibtex and pybtex's ``plain``
bibliography style then print it as one: "[Pipe and others, 2025]", "Steven W. Pipe and others.".
The two styles registered here print "[Pipe *et al.*, 2025]" and "Steven W. Pipe et al." and are
otherwise the styles they extend; ``_config.yml`` selects them (``bibtex_reference_style:
author_year_etal``, ``bibtex_default_style: plain_etal``). Registered when :mod:`atmp_book` loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.richtext import Tag, Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import FieldIsMissing, first_of, node, optional, sentence, tag
from pybtex.style.template import field as bib_field
from pybtex.style.template import join as plain_join
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join as reference_join

REFERENCE_STYLE, BIBLIOGRAPHY_STYLE = "author_year_etal", "plain_etal"
ET_AL = Text(" ", Tag("em", "et al."))


def split_others(entry, role: str) -> tuple[list, bool]:
    """The named persons of ``role`` and whether the list ended in ``and others``."""
    try:
        persons = entry.persons[role]
    except KeyError:
        raise FieldIsMissing(role, entry) from None
    named = [p for p in persons if str(p) != "others"]
    return named, len(named) < len(persons)


@node
def reference_names(children, data, role, **kwargs):
    """Names in a citation: the first author and *et al.* when the entry ends in ``others``."""
    assert not children
    named, others = split_others(data["entry"], role)
    style = data["style"]
    parts = [style.person.style_plugin.format(p, style.person.abbreviate) for p in named]
    if others:
        return Text(reference_join()[parts[:1]].format_data(data), kwargs.get("other") or ET_AL)
    return reference_join(**kwargs)[parts].format_data(data)


@node
def reference_author_or_editor_or_title(children, data, **kwargs):
    assert not children
    return first_of[
        optional[reference_names("author", **kwargs)],
        optional[reference_names("editor", **kwargs)],
        tag("em")[bib_field("title")],
    ].format_data(data)


@dataclass
class EtAlPersonStyle(PersonStyle):
    """sphinxcontrib-bibtex's person style, with ``others`` read as *et al.*"""

    def names(self, role: str, full: bool):
        return reference_names(role=role, sep=self.sep, sep2=self.sep2, last_sep=self.last_sep,
                               other=None if full else self.other)

    def author_or_editor_or_title(self, full: bool):
        return reference_author_or_editor_or_title(
            sep=self.sep, sep2=self.sep2, last_sep=self.last_sep,
            other=None if full else self.other)


@dataclass
class EtAlAuthorYearStyle(AuthorYearReferenceStyle):
    """The author–year reference style with :class:`EtAlPersonStyle`."""

    person: PersonStyle = field(default_factory=EtAlPersonStyle)


@node
def bibliography_names(children, data, role, **kwargs):
    """Names in the reference list: every named author, then "et al." for ``others``."""
    assert not children
    named, others = split_others(data["entry"], role)
    style = data["style"]
    parts = [style.format_name(p, style.abbreviate_names) for p in named]
    if not others:
        return plain_join(**kwargs)[parts].format_data(data)
    # "A et al.", "A, B, C, et al.": no "and" before a list that goes on
    text = plain_join(sep=kwargs.get("sep", ", "))[parts].format_data(data)
    return Text(text, ", et al." if len(named) > 1 else " et al.")


class EtAlPlainStyle(PlainStyle):
    """pybtex's ``plain`` style, with ``others`` printed as "et al."."""

    def format_names(self, role, as_sentence=True):
        names = bibliography_names(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[names] if as_sentence else names


def register() -> None:
    """Make both styles known to pybtex (idempotent)."""
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLE, EtAlAuthorYearStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", BIBLIOGRAPHY_STYLE, EtAlPlainStyle,
                                  force=True)
