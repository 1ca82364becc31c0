"""A page of a list: the items and where they sit in the whole."""

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    # In the order by id, the `after` that gives the next page; None on the last page.
    next: int | None = None
