"""How a record resource is read: the one scoped base query, get, the list with the
contract's filters, the choices a form offers, an export's rows. A part of `Records`
(engine.py), whose fields these methods read."""

from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlmodel import Session, SQLModel

from app.db.search import every_word
from app.db.units import Unit
from app.enums import Role
from app.services import rollups, scope, unit_tree
from app.services.actor import Actor
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.paging import Page
from app.services.records.params import COMMON_FILTERS

T = TypeVar("T", bound=SQLModel)
# What a list may have and still be counted from the sums: paging, order, and its units.
_NO_FILTER = frozenset({"limit", "offset", "after", "sort", "unit_id"})


class Reading(Generic[T]):
    """The reading methods of `Records` (its fields are declared in engine.py)."""

    def base_query(self, actor: Actor) -> Select[Any]:
        """What this actor may see: the one place rows are scoped."""
        return scope.restrict(select(self.table), self._unit_col, actor)

    def get(self, session: Session, *, actor: Actor, id: int) -> T:
        # By id, then its unit against the actor's subtree (kept in memory): no recursive query.
        obj = session.exec(select(self.table).where(self.table.id == id)).scalars().first()  # type: ignore[attr-defined]
        visible = scope.visible_ids(session, actor)
        if obj is None or (visible is not None and getattr(obj, self.unit_column) not in visible):
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
        """One page of the list, its total and, in the order by id, the `after` of the next.
        The actor's subtree and the filter's are worked out in memory (scope.list_units) and
        given as one list of ids, or no condition when they cover the whole tree: two
        recursive subqueries made SQLite walk the province's index for a village's rows."""
        sort = getattr(filters, "sort", None)
        if sort and sort.lstrip("-") in self.confidential and not actor.at_least(Role.manager):
            raise Invalid("Không sắp xếp được theo trường được bảo mật.",
                          errors=[{"loc": ["query", "sort"], "msg": "Trường được bảo mật."}])
        order = self._order(sort)
        after = getattr(filters, "after", None)
        by_id = (sort or "id").lstrip("-") == "id"
        if after is not None and not by_id:
            raise Invalid("Tham số 'after' chỉ dùng với thứ tự theo số hiệu (mặc định).",
                          errors=[{"loc": ["query", "after"],
                                   "msg": "Chỉ dùng với thứ tự theo số hiệu."}])
        units = self._units(session, actor, filters)
        if units is not None and not units.ids:  # a filter wholly outside the actor's subtree
            return Page(items=[], total=0, limit=filters.limit, offset=filters.offset)
        total = self._total_from_sums(session, actor, filters, units)
        if total is None:
            counting = units if units is not None else self._every_unit(session, filters)
            counted = self.filtered(select(self.table), filters, units=counting)
            total = session.exec(select(func.count()).select_from(counted.subquery())).scalar_one()
        scan = units is not None and by_id and self._scan_by_id(session, filters, total)
        stmt = self.filtered(select(self.table), filters, units=units, scan=scan)
        t = self.table
        if after is not None:
            stmt = stmt.where(t.id < after if sort == "-id" else t.id > after)  # type: ignore[attr-defined]
        stmt = self._paged(session, stmt, order, filters, by_index=units is not None and not scan,
                           by_id=(sort == "-id") if by_id else None)
        items = list(session.exec(stmt).scalars())
        more = len(items) > filters.limit
        items = items[:filters.limit]
        return Page(items=items, total=total, limit=filters.limit, offset=filters.offset,
                    next=items[-1].id if more and by_id else None)  # type: ignore[attr-defined]

    def _paged(self, session: Session, stmt: Select[Any], order: list[Any], filters: Any, *,
               by_index: bool, by_id: bool | None) -> Select[Any]:
        """`stmt`'s page, and one row more (whether there is a next one). `by_index`: the
        listed units' rows are few (`_scan_by_id`), so through the (unit, date) index.
        `by_id`: in the order by id, descending (True) or not (False); None: another order."""
        t, rows = self.table, filters.limit + 1
        if not by_index:
            return stmt.order_by(*order).limit(rows).offset(filters.offset)
        if session.get_bind().dialect.name == "sqlite":
            # The page's ids first, from the index alone, then their rows: SQLite would
            # otherwise read every listed row to sort them (a commune's 10 000th: 21 → 4 ms).
            ids = stmt.with_only_columns(t.id).order_by(*order).limit(rows).offset(filters.offset)  # type: ignore[attr-defined]
            return select(t).where(t.id.in_(ids)).order_by(*order)  # type: ignore[attr-defined]
        if by_id is not None:
            # PostgreSQL reads the primary key in order when it guesses the rows are many
            # enough to fill the page soon; for a village's 1 241 among 2.5 million it read
            # 77 000 rows to find 50 (35 ms). Ordering by an expression makes it fetch the
            # village's rows by the unit index and sort them (2 ms).
            order = [(t.id + 0).desc() if by_id else (t.id + 0).asc()]  # type: ignore[attr-defined]
        return stmt.order_by(*order).limit(rows).offset(filters.offset)

    def _total_from_sums(self, session: Session, actor: Actor, filters: Any,
                         units: scope.IdList | None) -> int | None:
        """A list with no filter but its units (the whole tree, or a province's subtree) is
        counted from the sums (`rollups.counted`): counting the whole table's rows took 150–200
        ms at 5 million, 0.8 s at 20 million (bench/country.py). None: counted by the rows."""
        if any(value not in (None, [], "") for name, value in filters
               if name not in _NO_FILTER):
            return None
        if units is None:
            return rollups.counted(session, self.table, None)
        shape = unit_tree.tree(session)
        listed = frozenset(units.ids)
        for root in {filters.unit_id, actor.unit_id} - {None}:
            if root in shape.tiers() and shape.subtree(root) == listed:
                return rollups.counted(session, self.table, root)
        return None

    @staticmethod
    def _units(session: Session, actor: Actor, filters: Any) -> scope.IdList | None:
        units = scope.list_units(session, actor, filters.unit_id)
        return None if units is None else scope.id_list(session, units)

    def _every_unit(self, session: Session, filters: Any) -> scope.IdList | None:
        """A count over dates with no unit to keep: every unit's id, so that the database may
        count each unit's range of the (unit, date) index instead of reading the whole table
        (there is no index on the date alone): a quarter of a province, on SQLite 127 → 3 ms,
        on PostgreSQL (which weighs both) 218 → 124 ms."""
        if filters.date_from is None and filters.date_to is None:
            return None
        wanted = [self.unit_column, self.date_field]
        if not any([c.name for c in ix.columns][:2] == wanted
                   for ix in self.table.__table__.indexes):  # type: ignore[attr-defined]
            return None
        return scope.id_list(session, unit_tree.tree(session).ids)

    def _scan_by_id(self, session: Session, filters: Any, total: int) -> bool:
        """SQLite: whether a page in the order of ids is found sooner by reading the table in
        that order, keeping the rows of the listed units, than through the (unit, date) index.
        Reading in order costs about (offset + limit) rows divided by the list's share of the
        table (`total` of about `max(id)`); the index, the list's `total` entries. A district's
        tenth of the table: 1 ms against 12; a commune's 0.4 %: the index. PostgreSQL's
        planner makes the same choice, not always well (`_paged`)."""
        if not total:
            return False
        top = session.exec(select(func.max(self.table.id))).scalar() or 0  # type: ignore[attr-defined]
        return (filters.offset + filters.limit + 1) * top <= total * total

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
        stmt = self.all_query(session, actor=actor, filters=filters, cap=cap)
        return [] if stmt is None else list(session.exec(stmt).scalars())

    def all_query(self, session: Session, *, actor: Actor, filters: Any,
                  cap: int) -> Select[Any] | None:
        """The statement of `all` (None: the actor's units and the filter's share none), for a
        reader that takes the records a batch at a time (services/exports.py)."""
        units = self._units(session, actor, filters)
        if units is not None and not units.ids:
            return None
        stmt = self.filtered(select(self.table), filters, units=units)
        order = getattr(self.table, self.date_field) if self.date_field else self.table.id  # type: ignore[attr-defined]
        return stmt.order_by(order, self.table.id).limit(cap)  # type: ignore[attr-defined]

    def filtered(self, stmt: Select[Any], filters: Any, *, units: scope.IdList | None,
                 scan: bool = False) -> Select[Any]:
        """`stmt` with the filters; the units' are given worked out (`_units`: None for no
        condition). `scan` writes theirs so that SQLite does not choose the unit index for it
        (`_scan_by_id`)."""
        t = self.table
        if units is not None:
            stmt = stmt.where(scope.in_units(self._unit_col + 0 if scan else self._unit_col, units))
        if self.date_field and filters.date_from is not None:
            stmt = stmt.where(getattr(t, self.date_field) >= filters.date_from)
        if self.date_field and filters.date_to is not None:
            stmt = stmt.where(getattr(t, self.date_field) <= filters.date_to)
        if filters.updated_since is not None:
            stmt = stmt.where(t.updated_at >= filters.updated_since)  # type: ignore[attr-defined]
        if getattr(filters, "q", None) and hasattr(t, "search_text"):
            # Without diacritics on both sides: "ham tri" finds "Hàm Trí".
            stmt = stmt.where(*every_word(t.search_text, filters.q))
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

