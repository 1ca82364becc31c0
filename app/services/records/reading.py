"""How a record resource is read: the one scoped base query, get, the list with the
contract's filters, the choices a form offers, an export's rows. A part of `Records`
(engine.py), whose fields these methods read."""

from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlmodel import Session, SQLModel

from app.db.units import Unit
from app.enums import Role
from app.services import scope
from app.services.actor import Actor
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.paging import Page
from app.services.records.params import COMMON_FILTERS
from app.vn import fold

T = TypeVar("T", bound=SQLModel)


class Reading(Generic[T]):
    """The reading methods of `Records` (its fields are declared in engine.py)."""

    def base_query(self, actor: Actor) -> Select[Any]:
        """What this actor may see: the one place rows are scoped."""
        return scope.restrict(select(self.table), self._unit_col, actor)

    def get(self, session: Session, *, actor: Actor, id: int) -> T:
        stmt = self.base_query(actor).where(self.table.id == id)  # type: ignore[attr-defined]
        obj = session.exec(stmt).scalars().first()
        if obj is None:
            raise NotFound(f"Không tìm thấy {self.label} số {id} (hoặc nằm ngoài phạm vi của bạn).")
        return obj

    def get_for_write(self, session: Session, *, actor: Actor, id: int) -> T:
        """The record to change: 404 if there is none, 403 if it lies outside the subtree."""
        try:
            return self.get(session, actor=actor, id=id)
        except NotFound:
            if session.get(self.table, id) is not None:
                raise Forbidden(f"{self.label.capitalize()} số {id} nằm ngoài phạm vi đơn vị "
                                "bạn phụ trách.") from None
            raise

    def list_(self, session: Session, *, actor: Actor, filters: Any) -> Page[T]:
        stmt = self.filtered(self.base_query(actor), filters)
        total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
        sort = getattr(filters, "sort", None)
        if sort and sort.lstrip("-") in self.confidential and not actor.at_least(Role.manager):
            raise Invalid("Không sắp xếp được theo trường được bảo mật.",
                          errors=[{"loc": ["query", "sort"], "msg": "Trường được bảo mật."}])
        stmt = stmt.order_by(*self._order(sort))
        stmt = stmt.limit(filters.limit).offset(filters.offset)
        items = list(session.exec(stmt).scalars())
        return Page(items=items, total=total, limit=filters.limit, offset=filters.offset)

    def choices(self, session: Session, *, actor: Actor, unit_id: int, cap: int = 300) -> list[T]:
        """The records a record of `unit_id` may refer to (a contribution's work, a work's
        model): those the actor sees, on one line of the tree with that unit, newest first.
        It is the rule `Lookup.check_reference` enforces, offered before the clerk picks."""
        line = select(Unit.id).where(scope.on_line(session, unit_id))
        stmt = self.base_query(actor).where(self._unit_col.in_(line))
        order = getattr(self.table, self.date_field) if self.date_field else self.table.id  # type: ignore[attr-defined]
        return list(session.exec(stmt.order_by(order.desc(), self.table.id.desc()).limit(cap)).scalars())  # type: ignore[attr-defined]

    def all(self, session: Session, *, actor: Actor, filters: Any, cap: int) -> list[T]:
        """Every matching record (at most `cap`), oldest first: for exports."""
        stmt = self.filtered(self.base_query(actor), filters)
        order = getattr(self.table, self.date_field) if self.date_field else self.table.id  # type: ignore[attr-defined]
        return list(session.exec(stmt.order_by(order, self.table.id).limit(cap)).scalars())  # type: ignore[attr-defined]

    def filtered(self, stmt: Select[Any], filters: Any) -> Select[Any]:
        t = self.table
        if filters.unit_id is not None:
            stmt = stmt.where(scope.in_units(self._unit_col,
                                             scope.subtree_ids(filters.unit_id, "filter_units")))
        if self.date_field and filters.date_from is not None:
            stmt = stmt.where(getattr(t, self.date_field) >= filters.date_from)
        if self.date_field and filters.date_to is not None:
            stmt = stmt.where(getattr(t, self.date_field) <= filters.date_to)
        if filters.updated_since is not None:
            stmt = stmt.where(t.updated_at >= filters.updated_since)  # type: ignore[attr-defined]
        if getattr(filters, "q", None) and hasattr(t, "search_text"):
            # Without diacritics on both sides: "ham tri" finds "Hàm Trí".
            words = fold(filters.q).split()
            stmt = stmt.where(*(t.search_text.like(f"%{w}%") for w in words))
        if self.refine is not None:
            stmt = self.refine(stmt, filters)
        for name, value in filters:
            if name in COMMON_FILTERS or name in self.special_filters or value in (None, []):
                continue
            column = getattr(t, name)
            stmt = stmt.where(column.in_(value) if isinstance(value, list) else column == value)
        return stmt

    @property
    def _unit_col(self) -> Any:
        return getattr(self.table, self.unit_column)

    def _order(self, sort: str | None) -> list[Any]:
        t = self.table
        if sort:
            name = sort.lstrip("-")
            if name not in t.model_fields:
                raise Invalid(f"Không sắp xếp được theo '{name}'.",
                              errors=[{"loc": ["query", "sort"], "msg": "Tên trường không có."}])
            column = getattr(t, name)
            return [column.desc() if sort.startswith("-") else column.asc(), t.id]  # type: ignore[attr-defined]
        return [t.id]  # type: ignore[attr-defined]

