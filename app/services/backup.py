"""A consistent copy of the whole database while the server keeps running, and putting one
back (`dvk backup PATH`, `dvk restore PATH`).

- SQLite: the online backup API copies every page in one step under a read snapshot, so a copy
  taken while clerks write is the database as of one moment (WAL lets the writers go on).
- PostgreSQL: `pg_dump --format=custom` (one snapshot, writers not blocked) and `pg_restore
  --clean`; both must be on PATH, of the server's major version or newer.
"""

import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.db.engine import normalize_url


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do instead (Vietnamese)."""


@dataclass(frozen=True)
class Done:
    path: Path
    size: int


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(normalize_url(url))
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(parsed.database)


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"Không tìm thấy lệnh {name}. Cài gói postgresql-client (cùng phiên bản với máy chủ "
            f"hoặc mới hơn), hoặc chạy trực tiếp: pg_dump --format=custom --file=TỆP \"$DVK_DATABASE_URL\" "
            "và pg_restore --clean --if-exists --no-owner --dbname=\"$DVK_DATABASE_URL\" TỆP.")
    return tool


def _libpq_url(url: str) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver suffix)."""
    return make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(url: str, target: Path) -> Done:
    """Copy the database at `url` to `target` (a new file; an existing one is refused)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"Tệp {target} đã có; hãy chọn tên khác để không ghi đè bản sao lưu cũ.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_path(url)
    if source is not None:
        if not source.exists():
            raise BackupError(f"Không có cơ sở dữ liệu {source}.")
        partial = target.with_name(target.name + ".partial")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # all pages in one step: one consistent snapshot
        partial.replace(target)
    else:
        run = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                              f"--file={target}", _libpq_url(url)], capture_output=True, text=True)
        if run.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump báo lỗi: {run.stderr.strip()[:500]}")
    return Done(target, target.stat().st_size)


def restore(url: str, source: Path) -> Done:
    """Replace the database at `url` by the copy in `source`. Stop the server first: what it
    holds in its connections would no longer match the data."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Không có tệp sao lưu {source}.")
    target = _sqlite_path(url)
    if target is not None:
        with open(source, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} không phải bản sao lưu SQLite của DVK.")
        target.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return Done(target, target.stat().st_size)
    with open(source, "rb") as f:
        if f.read(5) != b"PGDMP":
            raise BackupError(f"{source} không phải bản sao lưu pg_dump (--format=custom).")
    run = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                          "--single-transaction", f"--dbname={_libpq_url(url)}", str(source)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_restore báo lỗi: {run.stderr.strip()[:500]}")
    return Done(source, source.stat().st_size)
