"""New records stored in bulk, around the ORM: an import may bring 200 000 rows, and one ORM
object at a time runs at a fraction of the speed (ARCHITECTURE.md, "Why imports take a second
write path"). Each chunk's records go in with one executemany (ids reserved first), their
audit entries likewise, chained by `audit.chain` as a single write's are; their
pre-aggregated sums are added up in memory and written once per key at the end."""

import operator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.base import utcnow
from app.db.gate import writing
from app.services import audit, rollups
from app.services.actor import Actor
from app.services.imports.report import Report
from app.services.imports.specs import Spec
from app.vn import fold

MEMO_SIZE = 20_000
COPY_FROM = 16  # rows: fewer go by INSERT (a COPY costs two round trips and a cursor)
_UNREAD = object()


class Bulk:
    """One import's writes: the audit chain's last link, the sums to add, the units changed."""

    def __init__(self, session: Session, actor: Actor, spec: Spec, report: Report) -> None:
        self.session, self.actor, self.spec, self.report = session, actor, spec, report
        self.table = spec.records.table
        self.prev_hash: str | None = None
        self.sums: dict[tuple[Any, ...], dict[str, float]] = {}
        self.marks: dict[int, tuple[int, datetime]] = {}
        self.folded: dict[str, str] = {}
        self.writing = True  # false after a chunk failed to store: later ones are only checked
        self.postgresql = session.get_bind().dialect.name == "postgresql"
        columns = list(self.table.__table__.columns.keys())
        self.insert_columns = [c for c in columns if c != "id"]
        # What the audit log records of a new record (as Records.create does).
        self.audited = sorted(c for c in columns
                              if c not in ("id", "created_at", "updated_at", "version", "search_text"))

    def _fold(self, text: str) -> str:
        """`fold`, remembered per text (names and notes repeat down a sheet), bounded."""
        found = self.folded.get(text)
        if found is None:
            if len(self.folded) > MEMO_SIZE:
                self.folded.clear()
            found = self.folded[text] = fold(text)
        return found

    def insert(self, new: list[tuple[Any, Any]]) -> None:
        """Store a chunk's new records: (row, record) pairs, the row for its number."""
        writing(self.session)  # the writers' turn before any row (PostgreSQL: db.gate)
        t = self.table.__table__
        now = utcnow()
        searched = getattr(self.table, "__search__", ())
        rows = []
        for _, obj in new:
            obj.created_at = obj.updated_at = now
            obj.version = 1
            if searched:  # as Searchable fills it on an ORM insert
                obj.search_text = self._fold(" ".join(str(p) for c in searched
                                                       if (p := getattr(obj, c))))
            rows.append({c: getattr(obj, c) for c in self.insert_columns})
        ids = reserve_ids(self.session, t, len(rows))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        # PostgreSQL ends a transaction at a failed statement: a savepoint keeps the import's
        # own going (to check the chunks after it). SQLite takes back the failed statement
        # alone, and a savepoint per chunk would copy every page the chunk touches into its
        # journal once more (+40 % on the inserts into a full database).
        nested = self.session.begin_nested() if self.postgresql else None
        try:
            bulk_insert(self.session, t, rows)
            if nested is not None:
                nested.commit()
        except IntegrityError as exc:
            if nested is not None:
                nested.rollback()
            self.writing = False  # later chunks are still checked, no longer stored
            first, last = new[0][0].number, new[-1][0].number
            self.report.error(first, None, None, f"Các dòng {first}–{last} không lưu được "
                              f"({_integrity(exc)}); có thể một lần nhập khác đang chạy.")
            return
        for (_, obj), new_id in zip(new, ids, strict=True):
            obj.id = new_id
        self.report.created += len(new)
        self._audit(new, now)
        rollup = self.spec.records.rollup
        if rollup is not None:
            with self.session.no_autoflush:
                for _, obj in new:
                    for e in rollup(self.session, obj):
                        # Kept per day: the whole tree's sums are kept per day too.
                        key = (e.stat, e.unit_id, e.day, tuple(sorted(e.dims.items())))
                        sums = self.sums.setdefault(key, {})
                        for name, v in e.sums.items():
                            sums[name] = sums.get(name, 0) + v

    def _audit(self, new: list[tuple[Any, Any]], at: datetime) -> None:
        """One audit entry per new record, chained by `audit.chain`, in one statement."""
        if self.prev_hash is None:
            self.prev_hash = audit.last_hash(self.session)  # takes the chain's lock
        confidential = self.spec.records.is_confidential
        unit_column = self.spec.records.unit_column
        entries = audit.chain(
            self.prev_hash, at=at, user_id=self.actor.user_id, username=self.actor.username,
            action="create", resource=self.spec.resource,
            records=((obj.id, getattr(obj, unit_column),
                      {k: [None, v] for k in self.audited if (v := getattr(obj, k)) is not None},
                      bool(confidential and confidential(obj))) for _, obj in new))
        self.prev_hash = entries[-1]["hash"]
        t = AuditEntry.__table__
        ids = reserve_ids(self.session, t, len(entries))
        for e, entry_id in zip(entries, ids, strict=True):
            e["id"] = entry_id
        bulk_insert(self.session, t, entries)
        for e, entry_id in zip(entries, ids, strict=True):
            if e["unit_id"] is not None:
                self.marks[e["unit_id"]] = (entry_id, at)

    def finish(self) -> None:
        """The sums, once per key; the dashboards' change marks, once per unit."""
        rollups.apply_summed(self.session, (
            rollups.Effect(stat, unit, day, dict(dims), sums)
            for (stat, unit, day, dims), sums in self.sums.items()))
        audit.mark_changes(self.session, self.marks)


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Rows with their ids given, through the driver's own executemany (SQLite) or COPY
    (PostgreSQL): no RETURNING and no per-row statement compilation, the fastest insert there
    is. Each value goes through its column type's own bind processing, so it is stored exactly
    as the ORM would store it."""
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    processors = [c.type._cached_bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    # A chunk's rows share their timestamps and dates: each distinct value is processed once,
    # and only the columns whose type processes values at all are touched.
    take = operator.itemgetter(*names)
    processed = [(i, proc, {}) for i, proc in enumerate(processors) if proc is not None]
    params = []
    for row in rows:
        values = list(take(row))
        for i, proc, memo in processed:
            value = values[i]
            if value is not None:
                done = memo.get(value, _UNREAD)
                if done is _UNREAD:
                    done = memo[value] = proc(value)
                values[i] = done
        params.append(tuple(values))
    if dialect.name == "postgresql" and len(params) >= COPY_FROM:
        _copy(conn, table, names, params, sql)
    else:
        conn.exec_driver_sql(sql, params)


def _copy(conn: Any, table: Any, names: list[str], params: list[tuple[Any, ...]], sql: str) -> None:
    """PostgreSQL: the rows through COPY, one stream, instead of one INSERT each in the
    driver's pipeline (2.6 s for 20 000 rows, COPY a tenth of it). The values are those the
    INSERT would have bound; COPY's text form parses them as the INSERT would."""
    import psycopg

    quote = conn.dialect.identifier_preparer.quote
    copy_sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(copy_sql) as copy:
            for row in params:
                copy.write_row(row)
    except psycopg.Error as exc:  # as SQLAlchemy raises the INSERT's: by its class, so that a
        # duplicate key is an IntegrityError, a lock timeout an OperationalError (503)
        raise DBAPIError.instance(sql, None, exc, psycopg.Error, hide_parameters=True,
                                  dialect=conn.dialect) from exc
    finally:
        cursor.close()


def reserve_ids(session: Session, table: Any, n: int) -> list[int]:
    """Ids for `n` new rows, in order. PostgreSQL hands them out of the table's sequence. On
    SQLite the import holds the database's write lock from its first statement to its end, so
    nobody else inserts meanwhile and the next ids are simply those after the largest."""
    if session.get_bind().dialect.name == "postgresql":
        sql = text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                   "FROM generate_series(1, :n)")
        return sorted(session.execute(sql, {"n": n}).scalars())
    top = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + n))


def _integrity(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "external" in text:
        return "mã tham chiếu đã có"
    if "code" in text:
        return "mã công trình đã có"
    return "vi phạm ràng buộc dữ liệu"
