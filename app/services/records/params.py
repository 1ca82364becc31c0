"""The list parameters every record resource takes, and what a record id may be."""

from datetime import UTC, date, datetime

from pydantic import Field as PField
from pydantic import model_validator

from app.db.base import MAX_ID, Id
from app.db.fields import QueryParams

# Filters every list accepts; the rest of a filter object are equality/IN filters on columns.
COMMON_FILTERS = frozenset({"unit_id", "date_from", "date_to", "updated_since", "limit",
                            "offset", "after", "sort", "q"})



class ListParams(QueryParams):
    """The list parameters every resource takes (a query-parameter model in the API)."""

    limit: int = PField(50, ge=1, le=500, description="Page size (max 500).")
    offset: int = PField(0, ge=0, le=MAX_ID)
    after: Id | None = PField(None, description=(
        "Keyset paging, in the order by id (the default, or sort=id / -id): only the records "
        "after this id in that order. Pass the previous page's `next`; a page deep in a long "
        "list then costs what the first one does, where a large `offset` reads every record "
        "before it. `total` stays the whole list's."))
    unit_id: Id | None = PField(None, title="Đơn vị", description="This unit and every unit below it.")
    date_from: date | None = PField(None, title="Từ ngày", description="Inclusive, on the resource's date field.")
    date_to: date | None = PField(None, title="Đến ngày", description="Inclusive, on the resource's date field.")
    updated_since: datetime | None = PField(None, title="Sửa từ lúc", description="Changed at or after (UTC).")
    sort: str | None = PField(None, max_length=40, title="Sắp xếp", description="A field name; '-' for descending.")
    q: str | None = PField(None, max_length=200, title="Tìm", description="Text search.")

    @model_validator(mode="after")
    def _check(self) -> "ListParams":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("Từ ngày (date_from) phải trước hoặc bằng đến ngày (date_to).")
        if self.updated_since is not None and self.updated_since.tzinfo is None:
            self.updated_since = self.updated_since.replace(tzinfo=UTC)
        return self


