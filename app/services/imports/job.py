"""One import run: the file opened and its header found, the rows checked a chunk at a time
by the resource's own schema and rules, matched to stored records (by id, by another system's
key, or by the row's own values), and stored all or nothing in a savepoint of the caller's
transaction. The promises are the package's (app/services/imports/__init__.py)."""

import gc
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

from sqlalchemy import text
from sqlmodel import Session

from app.services import rollups
from app.services.actor import Actor
from app.services.errors import Forbidden
from app.services.imports import units
from app.services.imports.chunks import Job
from app.services.imports.layout import HEADER_SCAN, Layout, find
from app.services.imports.report import (MAX_ROWS, ImportRefused, Report, refused, settle,
                                         too_long)
from app.services.imports.sheets import Sheet, open_file
from app.services.imports.specs import Spec, spec_for
from app.services.imports.workbook import FileProblem

CHUNK = 2_000
DEFAULT_SOURCE = "excel"


def run(session: Session, *, actor: Actor, resource: str, stream: IO[bytes], filename: str,
        dry_run: bool = False, source: str | None = None,
        progress: Callable[[int], None] | None = None) -> Report:
    """Import one file inside a savepoint of the caller's transaction: kept when every row is
    good and this is not a dry run, taken back otherwise. File-level problems raise
    ImportRefused before anything is written."""
    spec = spec_for(resource)
    refusal = actor.write_refusal(spec.records.write_role)
    if refusal is not None:
        raise Forbidden(refusal)
    source = (source or DEFAULT_SOURCE).strip()[:40] or DEFAULT_SOURCE
    report = Report(resource=resource, dry_run=dry_run, source=source)
    sheet, rows, layout = _open(spec, stream, filename, report)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # A bigger page cache for this connection while it imports: the new rows' index pages
        # stay in memory instead of being spilled to the journal and read back (bounded: 64 MB).
        session.execute(text("PRAGMA cache_size = -65536"))
    savepoint = session.begin_nested()
    # What lives already (the app, the loaded tree) is set aside from garbage collection while
    # the rows go through: each collection then looks at the import's own young objects only
    # (a quarter of the time, otherwise). unfreeze() hands them back afterwards.
    gc.freeze()
    rollups.remember(session)  # the tree and the works stay as they are while rows go in
    try:
        job = None
        if resource == "units":  # read whole: a row may name a unit further down
            units.load(session, actor, layout, rows, report)
        else:
            job = Job(session, actor, spec, report, layout, source)
            _feed(job, rows, report, progress)
        _merged(sheet, layout, report)
        report.in_order(layout.headers)
        if report.rows == 0:
            raise ImportRefused("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
        if report.ok and job is not None:
            job.bulk.finish()
        if progress:
            progress(report.rows)
    except FileProblem as exc:
        savepoint.rollback()
        raise refused(exc) from None
    except BaseException:
        savepoint.rollback()
        raise
    finally:
        rollups.forget(session)
        gc.unfreeze()
        if sqlite:
            session.execute(text("PRAGMA cache_size = -2000"))  # SQLite's default again
    return settle(report, savepoint, dry_run)


def _open(spec: Spec, stream: IO[bytes], filename: str,
          report: Report) -> tuple[Sheet, Iterator[tuple[int, list[Any]]], Layout]:
    """The file's sheet, its rows after the header, and the header's layout."""
    try:
        sheet = open_file(stream, filename)
        if sheet.size is not None and sheet.size > MAX_ROWS + HEADER_SCAN:
            raise ImportRefused(too_long(sheet.size))
        rows = iter(sheet.rows)
        return sheet, rows, find(spec, rows, report)
    except FileProblem as exc:
        raise refused(exc) from None


def _feed(job: Job, rows: Iterator[tuple[int, list[Any]]], report: Report,
          progress: Callable[[int], None] | None) -> None:
    """The rows to the job a chunk at a time; blank rows between records are no mistake."""
    batch: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        if not any(c not in (None, "") for c in cells):
            continue
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise ImportRefused(too_long(None))
        batch.append((number, cells))
        if len(batch) >= CHUNK:
            job.chunk(batch)
            batch = []
            if progress:
                progress(report.rows)
    if batch:
        job.chunk(batch)


def _merged(sheet: Sheet, layout: Layout, report: Report) -> None:
    """Merged cells below the header: a value that stands for several rows is refused."""
    for ref in sheet.merged:
        rows_of = [int(n) for n in re.findall(r"\d+", ref)] or [0]
        if max(rows_of) <= layout.header_row:
            continue  # a title merged across the columns, above the header: no data
        report.error(min(rows_of), ref, None, f"Vùng {ref} là ô gộp (Merge): hãy bỏ gộp ô và "
                                              "ghi đủ giá trị vào từng dòng rồi nhập lại.")
