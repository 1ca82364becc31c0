"""Petition search, "has this citizen written before?": the typed words are looked for in the
subject and handler (the table's `search_text`) and in the petitioner's name and address, the
latter only where the reader may see them. A manager and above read every petitioner; below
manager a denouncer's identity is secret (Luật Tố cáo 2018), so for a denunciation the
petitioner is not searched at all: the same rows come back as if the name were not stored,
and no answer lets one infer it. The rule is part of the query, not a filter on its results.

The petitioner is not folded into `search_text` (which every list search reads) nor stored
folded in a column of its own (the audit log, sorting and the import would carry it): the
query folds it, with the same letters `app.vn.fold` strips."""

import unicodedata
from typing import Any

from sqlalchemy import Boolean, and_, func, literal, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from app.db.petitions import Petition
from app.enums import PetitionType, Role
from app.services.actor import Actor
from app.vn import fold

# Vietnamese letters with marks (both cases), each with the letter `fold` leaves of it.
_BASES = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng


def _marked() -> dict[str, str]:
    letters = {unicodedata.normalize("NFC", base + tone)
               for base in _BASES + _BASES.upper() for tone in ("", *_TONES)}
    return {ch: fold(ch) for ch in sorted(letters | {"đ", "Đ"}) if not ch.isascii()}


_MARKED = _marked()


class contains_folded(ColumnElement[bool]):
    """Whether fold(text) contains `word` (a folded word: no marks, lower case, no spaces),
    in SQL."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, text: ColumnElement[str], word: str) -> None:
        self.text, self.word = text, word


@compiles(contains_folded)
def _contains_sqlite(element: contains_folded, compiler: Any, **kw: Any) -> str:
    # SQLite has no translate() (and its parser refuses 134 nested replace()): a GLOB whose
    # every letter is the class of the letters that fold to it, "kin" → *[kK][iIíÍìÌ…][nN]*.
    pattern = "*" + "".join(_glob_class(c) for c in element.word) + "*"
    return f"({compiler.process(element.text, **kw)} GLOB {compiler.process(literal(pattern), **kw)})"


@compiles(contains_folded, "postgresql")
def _contains_postgres(element: contains_folded, compiler: Any, **kw: Any) -> str:
    marked, plain = "".join(_MARKED), "".join(_MARKED.values())
    escaped = element.word.replace("/", "//").replace("%", "/%").replace("_", "/_")
    text = compiler.process(element.text, **kw)
    return (f"(lower(translate({text}, '{marked}', '{plain}')) LIKE "
            f"{compiler.process(literal('%' + escaped + '%'), **kw)} ESCAPE '/')")


def _glob_class(c: str) -> str:
    if c in "*?[]":
        return f"[{c}]"
    if not c.isascii() or not c.isalpha():
        return c
    return "[" + c + c.upper() + "".join(m for m, plain in _MARKED.items() if plain == c) + "]"


def _petitioner() -> ColumnElement[str]:
    name = func.coalesce(Petition.petitioner_name, literal(""))
    address = func.coalesce(Petition.petitioner_address, literal(""))
    return name + literal(" ") + address


def petitioner_readable(actor: Actor) -> ColumnElement[bool]:
    """The rows whose petitioner this actor may read, as a condition: the rule of
    `records.withheld`, in SQL."""
    if actor.at_least(Role.manager):
        return true()
    return Petition.type != PetitionType.denunciation.value


def matching(text: str, actor: Actor) -> ColumnElement[bool]:
    """Every typed word is found, each in the subject or handler or (where this actor may read
    it) the petitioner's name or address. Without diacritics on both sides."""
    readable = petitioner_readable(actor)
    petitioner = _petitioner()
    return and_(true(), *(
        or_(Petition.search_text.contains(word, autoescape=True),  # type: ignore[union-attr]
            and_(readable, contains_folded(petitioner, word)))
        for word in fold(text).split()))
