"""A chunk of rows checked and matched: each row read, its work code resolved, matched to a
stored record (by id, by another system's key, or by the row's own values), then updated
through the resource's own update, left alone, or validated as new by the resource's schema
and rules and handed to the bulk writer."""

import hashlib
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, text
from sqlmodel import Session

from app.db.works import Work
from app.enums import Role
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.services.imports.bulk import Bulk
from app.services.imports.layout import Layout
from app.services.imports.lookup import Loaded, OutsideSubtree
from app.services.imports.parse import Parser, Pending
from app.services.imports.report import Report
from app.services.imports.specs import Spec
from app.services.validation import vi_message


class Job:
    """One import's state between chunks: the loaded tree, the reader of rows, the bulk
    writer, and the highest id before it began (a key found above it was created by
    this very file: a duplicate row)."""

    def __init__(self, session: Session, actor: Actor, spec: Spec, report: Report,
                 layout: Layout, source: str) -> None:
        self.session, self.actor, self.spec, self.report = session, actor, spec, report
        self.layout, self.source = layout, source
        self.table = spec.records.table
        self.lookup = Loaded(session, actor)
        self.parser = Parser(layout, self.lookup, report, spec.records.naming_day)
        self.bulk = Bulk(session, actor, spec, report)
        self.floor = session.exec(select(func.coalesce(func.max(self.table.id), 0))).scalar_one()
        self.touched: set[int] = set()  # stored records this file updated or matched
        self.validator = spec.create.__pydantic_validator__
        self.schema = spec.create
        # A new record is a plain namespace of its columns until it is inserted: the rules
        # read and set attributes, and an ORM instance costs ten times more to fill.
        self.blank = dict.fromkeys(self.table.__table__.columns.keys())

    # -- per chunk --------------------------------------------------------------------------
    def chunk(self, batch: list[tuple[int, list[Any]]]) -> None:
        parsed = [self.parser.parse(number, cells) for number, cells in batch]
        for p in parsed:
            if p.bad and p.external_id and p.record_id is None:
                if p.external_id in self._keys(parsed, p):
                    self._fail(p, "external_id", "Mã tham chiếu trùng với dòng "
                               f"{self._keys(parsed, p)[p.external_id]}.")
        works = self._resolve_works(parsed)
        if works is not None:  # every row's work code is checked, a bad row's too
            parsed = [p for p in parsed if self._apply_work_code(p, works)]
        parsed = [p for p in parsed if not p.bad]
        for p in parsed:
            if p.record_id is None and not p.external_id:
                # No key given: the row's own values are its key, so the same sheet imported
                # again finds its records instead of adding them twice.
                p.external_id, p.auto = _fingerprint(self._key_values(p.values)), True
        existing = self._existing(parsed)
        new: list[tuple[Pending, Any]] = []
        in_chunk: dict[str, int] = {}
        codes: dict[str, int] = {}
        for p in parsed:
            if p.external_id and p.record_id is None:
                if p.external_id in in_chunk:
                    self._fail(p, None if p.auto else "external_id",
                               _repeated(p, f"dòng {in_chunk[p.external_id]}"))
                    continue
                in_chunk[p.external_id] = p.number
            stored = existing.get(("id", p.record_id)) if p.record_id is not None else \
                existing.get(("ext", p.external_id)) if p.external_id else None
            if stored is not None or p.record_id is not None:
                self._match(p, stored)
            elif self._new_code(p, codes) and (obj := self._new(p)) is not None:
                new.append((p, obj))
        new = self._codes_free(new, codes)
        if new and self.bulk.writing:
            self.bulk.insert(new)

    def _match(self, p: Pending, stored: Any) -> None:
        """A row that names a stored record: updated, left alone, or why it cannot be."""
        label = self.spec.records.label
        if stored is None:
            self._fail(p, "id", f"Không có {label} số {p.record_id} (hoặc nằm ngoài phạm vi "
                                "của bạn).")
        elif p.record_id is not None and not _same_stamp(p.created, stored):
            self._fail(p, "id", f"Số hiệu {p.record_id} nay là một {label} khác: bản ghi trong "
                                "tệp đã bị xóa. Để thêm lại, xóa số hiệu (id) ở dòng này.")
        elif stored.id > self.floor:
            self._fail(p, None if p.auto else "external_id",
                       _repeated(p, "một dòng trước trong tệp"))
        elif stored.id in self.touched:
            self._fail(p, "id" if p.record_id else "external_id",
                       f"Dòng này và một dòng trước cùng sửa {label} số {stored.id}.")
        else:
            self.touched.add(stored.id)
            self._update(p, stored)

    def _new_code(self, p: Pending, codes: dict[str, int]) -> bool:
        """A new work's code, unless a row above in the chunk has it."""
        code = p.values.get("code") if self.spec.resource == "works" else None
        if not code:
            return True
        if code in codes:
            self._fail(p, "code", f"Mã công trình trùng với dòng {codes[code]}.")
            return False
        codes[code] = p.number
        return True

    def _codes_free(self, new: list[tuple[Pending, Any]], codes: dict[str, int]) -> list[tuple[Pending, Any]]:
        """The new works whose code no stored work has."""
        if self.spec.resource != "works" or not codes:
            return new
        taken = set(self.session.exec(select(Work.code).where(Work.code.in_(list(codes)))).scalars())
        kept = []
        for p, obj in new:
            if obj.code in taken:
                self._fail(p, "code", f"Mã công trình '{obj.code}' đã có.")
            else:
                kept.append((p, obj))
        return kept

    def _key_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values that make a keyless row's key: a denouncer's identity is no part of
        it, or whether the row finds its stored denunciation (unchanged) or not (created)
        would confirm a guessed name."""
        records = self.spec.records
        if records.is_confidential is None or not records.is_confidential(SimpleNamespace(**values)):
            return values
        return {k: v for k, v in values.items() if k not in records.confidential}

    @staticmethod
    def _keys(parsed: list[Pending], before: Pending) -> dict[str, int]:
        """External keys of the rows above `before` in its chunk, with their row numbers."""
        keys: dict[str, int] = {}
        for p in parsed:
            if p is before:
                return keys
            if p.external_id and p.record_id is None:
                keys.setdefault(p.external_id, p.number)
        return keys

    def _fail(self, p: Pending, name: str | None, message: str, forbidden: bool = False) -> None:
        header, value = self._where(name, p)
        self.report.error(p.number, header, value, message, forbidden)

    def _where(self, name: str | None, p: Pending) -> tuple[str | None, Any]:
        """The file's header and cell for a field or column name."""
        if name is None:
            return None, None
        for index, column in self.layout.by_index.items():
            if column.name == name or (column.target == name and column.name in p.cells):
                return self.layout.headers[index], p.cells.get(column.name)
        column = next((c for c in self.spec.columns if c.name == name or c.target == name), None)
        return (column.header if column else name), None

    def _resolve_works(self, parsed: list[Pending]) -> dict[str, Work] | None:
        codes = {p.values["_work_code"] for p in parsed if p.values.get("_work_code")}
        if not any("_work_code" in p.values for p in parsed):
            return None
        if not codes:
            return {}
        found = self.session.exec(select(Work).where(Work.code.in_(list(codes)))).scalars()
        return {w.code: w for w in found}  # type: ignore[misc]

    def _apply_work_code(self, p: Pending, works: dict[str, Work]) -> bool:
        code = p.values.pop("_work_code", None)
        if code is None:
            return True
        work = works.get(code)
        if work is None or not self.lookup.can_see(self.session, self.actor, work.unit_id):
            self._fail(p, "work_code", f"Không có công trình mã '{code}'.")
            return False
        if p.values.get("work_id") not in (None, work.id):
            self._fail(p, "work_code", "Mã công trình và số hiệu công trình chỉ hai công trình khác nhau.")
            return False
        p.values["work_id"] = work.id
        return True

    def _existing(self, parsed: list[Pending]) -> dict[tuple[str, Any], Any]:
        """The stored records the chunk's rows name, by id and by external key."""
        t = self.table
        out: dict[tuple[str, Any], Any] = {}
        ids = [p.record_id for p in parsed if p.record_id is not None]
        if ids:
            stmt = self.spec.records.base_query(self.actor).where(t.id.in_(ids))
            for obj in self.session.exec(stmt).scalars():
                out[("id", obj.id)] = obj
        keys = [p.external_id for p in parsed if p.external_id and p.record_id is None]
        if keys:
            for obj in self.session.exec(self._by_keys(keys)).scalars():
                out[("ext", obj.external_id)] = obj
        return out

    def _by_keys(self, keys: list[str]) -> Any:
        """The stored records of this source with these keys. On PostgreSQL, one probe of the
        (source, key) index per key: asked as `external_id IN (...)`, the planner reads the
        source's rows one by one when its statistics say the source has few, as they do for
        a new source and for the rows this very import has just added (a full database: 6.8 s
        a chunk instead of 13 ms, and an import of 100 000 rows took 8 minutes)."""
        t = self.table
        if self.session.get_bind().dialect.name != "postgresql":
            return select(t).where(t.external_source == self.source, t.external_id.in_(keys))
        name = t.__table__.name
        return select(t).from_statement(text(
            f'SELECT c.* FROM unnest(CAST(:keys AS VARCHAR[])) AS k(v), LATERAL (SELECT * FROM '
            f'"{name}" WHERE external_source = :source AND external_id = k.v LIMIT 1) AS c'
        ).bindparams(keys=keys, source=self.source))

    def _schema_errors(self, p: Pending, exc: ValidationError) -> None:
        for e in exc.errors():
            loc = [x for x in e.get("loc", ()) if isinstance(x, str)]
            self._fail(p, loc[0] if loc else None, vi_message(e))

    def _new(self, p: Pending) -> Any | None:
        values = {k: v for k, v in p.values.items() if v is not None}
        try:
            # The schema's own validator, into an instance made here: SQLModel's __init__,
            # which model_validate and the validator alone go through, validates the same
            # values a second time (a third of the time a row takes here).
            data = self.schema.__new__(self.schema)
            self.validator.validate_python(values, self_instance=data)
        except ValidationError as exc:
            self._schema_errors(p, exc)
            return None
        try:
            if self.spec.before_create:
                self.spec.before_create(self.actor, data.model_dump(exclude_unset=True))
            obj = SimpleNamespace(**self.blank)
            obj.__dict__.update(data.__dict__)  # the fields' values, as model_dump() gives them
            obj.external_source = self.source if p.external_id else None
            obj.external_id = p.external_id
            with self.session.no_autoflush:
                self.spec.records.validate_new(self.session, self.actor, obj, self.lookup)
        except DomainError as exc:
            self._domain_error(p, exc)
            return None
        return obj

    def _domain_error(self, p: Pending, exc: DomainError) -> None:
        named = [e for e in exc.errors if e.get("loc")]
        if not named:
            outside = isinstance(exc, OutsideSubtree)
            unit = self.spec.records.write_column or self.spec.records.unit_column
            self._fail(p, unit if outside else None, exc.detail, outside)
        for e in named:
            self._fail(p, str(e["loc"][-1]), e["msg"], isinstance(exc, Forbidden))

    def _update(self, p: Pending, stored: Any) -> None:
        values = dict(p.values)
        if p.unit_code is not None and values.get("unit_id") != getattr(stored, "unit_id", None):
            # A code carried by the stored record's unit and a later one names the stored
            # record's own (an export read back), as its id would.
            own = self.lookup.units.get(stored.unit_id)
            if own is not None and own.code.upper() == p.unit_code.upper():
                values["unit_id"] = stored.unit_id
        if not self.actor.at_least(Role.manager):
            for name in self.spec.hidden:  # an export's empty cell, not a wish to erase
                if values.get(name) is None:
                    values.pop(name, None)
        try:  # before anything is compared: a guessed identity is never confirmed
            self.spec.records.refuse_confidential(self.actor, values, stored)
        except Forbidden:
            # A clerk's own file sent again carries the denouncer they typed: those cells are
            # not read (only a manager changes them), alike whatever they hold, so the answer
            # confirms nothing and the rest of the row still imports.
            for name in self.spec.hidden:
                values.pop(name, None)
            self.report.kept_secret += 1
        changed = {k: v for k, v in values.items() if getattr(stored, k, None) != v}
        if not changed:
            self.report.unchanged += 1
            return
        try:
            data = self.spec.update_schema.model_validate(changed)
        except ValidationError as exc:
            self._schema_errors(p, exc)
            return
        nested = self.session.begin_nested()
        try:
            _, done = self.spec.update(self.session, actor=self.actor, id=stored.id, data=data)
            nested.commit()
        except DomainError as exc:
            nested.rollback()
            self._domain_error(p, exc)
            return
        if done:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def _fingerprint(values: dict[str, Any]) -> str:
    """A row's key made of its values (in the form they are stored, so "1.500.000" in a CSV
    and 1500000 in a workbook agree)."""
    text = "\x1f".join(f"{k}={'' if v is None else getattr(v, 'value', v)}"
                        for k, v in sorted(values.items()))
    return "auto:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _repeated(p: Pending, where: str) -> str:
    if p.auto:
        return (f"Dòng này giống hệt {where} (mọi ô như nhau). Nếu đúng là hai bản ghi khác nhau, "
                "ghi Mã tham chiếu (hoặc Ghi chú) khác nhau cho mỗi dòng.")
    return f"Mã tham chiếu trùng với {where}."


def _same_stamp(written: Any, stored: Any) -> bool:
    """Whether an exported row's created_at (if it has one) is the stored record's."""
    if written is None:
        return True
    try:
        if isinstance(written, datetime):
            when = written
        else:
            when = datetime.fromisoformat(str(written).strip().replace("Z", "+00:00"))
    except ValueError:
        return True  # not a time: the id alone decides, as without the column
    mine = stored.created_at
    if when.tzinfo is None or mine.tzinfo is None:  # .xlsx holds times without a zone (UTC)
        when, mine = when.replace(tzinfo=None), mine.replace(tzinfo=None)
    return abs((when - mine).total_seconds()) < 0.001  # .xlsx keeps times to about a µs


