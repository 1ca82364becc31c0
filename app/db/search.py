"""Search without diacritics: "nguyen van" finds "Nguyễn Văn", "ham tri" finds "Hàm Trí", on
SQLite and PostgreSQL alike. Each searchable record keeps its text folded (no marks, đ → d,
lower case) in `search_text`, filled by the ORM on every insert and update."""

from typing import Any

from sqlalchemy import ColumnElement, Text, event
from sqlmodel import Field, SQLModel

from app.vn import fold

__all__ = ["Searchable", "contains", "every_word"]


class Searchable(SQLModel):
    """Mixin: the table names its searched columns in `__search__`."""

    search_text: str | None = Field(default=None, sa_type=Text, exclude=True)

    @classmethod
    def folded(cls, obj: Any) -> str:
        parts = [getattr(obj, c) for c in getattr(cls, "__search__", ())]
        return fold(" ".join(str(p) for p in parts if p))


@event.listens_for(Searchable, "before_insert", propagate=True)
@event.listens_for(Searchable, "before_update", propagate=True)
def _fill(mapper: Any, connection: Any, target: Any) -> None:
    target.search_text = type(target).folded(target)


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """`column` holds `text` as typed: a % or _ typed is that character, not LIKE's wildcard
    ("%" matched every record). Escaped alike on SQLite and PostgreSQL (ESCAPE '/')."""
    return column.contains(text, autoescape=True)  # type: ignore[no-any-return]


def every_word(column: Any, text: str) -> list[ColumnElement[bool]]:
    """A search box's conditions on a folded column: each word typed, folded, found in it."""
    return [contains(column, word) for word in fold(text).split()]
