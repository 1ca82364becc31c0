"""The `dvk` command: migrate, serve, create-user (and more as the project grows)."""

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer

from app.enums import Role

cli = typer.Typer(help="DVK — Dân vận khéo: quản lý phong trào, báo cáo, API.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> "object":
    from alembic.config import Config

    from app.config import get_settings
    from app.db.engine import normalize_url

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url or get_settings().database_url)
                        .replace("%", "%%"))
    return cfg


def migrate_to_head(url: str | None = None) -> None:
    from alembic import command

    from app.db.engine import make_engine, normalize_url
    from app.config import get_settings

    target = url or get_settings().database_url
    make_engine(normalize_url(target)).dispose()  # creates ./var/ for an SQLite file
    command.upgrade(alembic_config(target), "head")  # type: ignore[arg-type]


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest schema (Alembic head)."""
    migrate_to_head()
    typer.echo("Cơ sở dữ liệu đã ở phiên bản mới nhất.")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the pages and the API (uvicorn)."""
    import uvicorn

    fewer_malloc_arenas()
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, reload=reload,
                proxy_headers=True)


# glibc gives a thread that allocates while another does an arena of its own (up to 8 per core),
# and each arena keeps what was freed in it: the request threads spread a worker's freed memory
# over many arenas, which it kept (bench/README.md, "Memory"). Two are enough for one process
# whose threads mostly wait for the GIL.
MALLOC_ARENA_MAX = "2"


def fewer_malloc_arenas() -> None:
    """At most MALLOC_ARENA_MAX arenas (unless the environment says otherwise): in the worker
    processes started from here (glibc reads the variable as a process starts) and in this one,
    which is the worker when there is one."""
    import ctypes

    os.environ.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENA_MAX)
    try:
        arenas = int(os.environ["MALLOC_ARENA_MAX"])
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX, from malloc.h
    except (OSError, AttributeError, ValueError):  # not glibc, or not a number: as it is
        pass


@cli.command("backup")
def backup_command(path: Annotated[Path, typer.Argument(help="The new backup file.")]) -> None:
    """Copy the whole database to PATH while the server keeps running (SQLite: online backup;
    PostgreSQL: pg_dump)."""
    from app.config import get_settings
    from app.services import backup

    try:
        done = backup.backup(get_settings().database_url, path)
    except backup.BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã sao lưu vào {done.path} ({done.size:,} byte).".replace(",", "."))


@cli.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="A file made by dvk backup.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database by a backup. Stop the server first."""
    from app.config import get_settings
    from app.services import backup

    if not yes and not typer.confirm("Toàn bộ dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Tiếp tục?"):
        raise typer.Exit(1)
    try:
        backup.restore(get_settings().database_url, path)
    except backup.BackupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Đã phục hồi từ {path}. Chạy dvk migrate nếu bản sao lưu cũ hơn phiên bản này.")


@cli.command("import")
def import_command(
    resource: Annotated[str, typer.Argument(help="units, models, works, contributions, land-donations, "
                                                 "petitions, commendations, targets, recognitions")],
    file: Annotated[Path, typer.Argument(help="An .xlsx, .xls, .ods or .csv (UTF-8) file, one record per row.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row; save nothing.")] = False,
    source: Annotated[str | None, typer.Option(help="The sending system (external_id is unique "
                                                    "per source; default excel).")] = None,
    user: Annotated[str | None, typer.Option(help="Import as this user (their subtree and role); "
                                                  "default: the system, every unit.")] = None,
) -> None:
    """Import a file of records, all or nothing (the page's and the API's import)."""
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import imports
    from app.services.actor import SYSTEM
    from app.services.errors import DomainError

    if not file.is_file():
        typer.echo(f"Không có tệp {file}.", err=True)
        raise typer.Exit(2)
    report = None
    try:
        for session in session_scope(get_engine(), write=True):
            actor = _actor(session, user) if user else SYSTEM

            def shown(rows: int) -> None:
                typer.echo(f"  đã đọc {rows:,} dòng".replace(",", "."), err=True)

            with file.open("rb") as stream:
                report = imports.run(session, actor=actor, resource=resource, stream=stream,
                                     filename=file.name, dry_run=dry_run, source=source,
                                     progress=shown)
    except DomainError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from None
    assert report is not None
    for e in report.errors:
        where = ", ".join(x for x in (f"dòng {e.row}" if e.row else "", e.column and f"cột '{e.column}'") if x)
        typer.echo(f"{where}: {e.message}" + (f" (giá trị: {e.value})" if e.value else ""), err=True)
    if report.error_count > len(report.errors):
        typer.echo(f"... và {report.error_count - len(report.errors)} lỗi nữa.", err=True)
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)


units_cli = typer.Typer(help="The administrative tree.", no_args_is_help=True)
cli.add_typer(units_cli, name="units")


@units_cli.command("load-official")
def load_official(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything; save nothing.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help="Load as this admin (the audit log "
                                                             "names them); default: the system.")] = None,
    province: Annotated[list[str] | None, typer.Option(help="Only this 2025 province (code, e.g. "
                                                            "68) and the units merged into it; "
                                                            "repeatable.")] = None,
    all_disagreements: Annotated[bool, typer.Option(
        "--all-disagreements", help="Print every disagreement between the data sets, not only "
                                    "those about the provinces loaded.")] = False,
) -> None:
    """Load (or bring up to date) Vietnam's units before and after 01/07/2025 and the mapping
    between them, from the installed vietnam-provinces and vietnamadminunits."""
    import time

    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import official
    from app.services.actor import SYSTEM
    from app.services.errors import DomainError

    started, result = time.perf_counter(), None
    try:
        for session in session_scope(get_engine(), write=True,
                                     kept=lambda: bool(result and result.ok and not dry_run)):
            actor = _actor(session, as_user, Role.admin) if as_user else SYSTEM
            result = official.load(session, actor, dry_run=dry_run, provinces=province or (),
                                   progress=lambda line: typer.echo(line, err=True))
    except DomainError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from None
    assert result is not None
    result.seconds = time.perf_counter() - started
    typer.echo("\n".join(result.lines(every_disagreement=all_disagreements)))
    if not result.ok:
        raise typer.Exit(1)


def _actor(session: "object", username: str, role: Role | None = None) -> "object":
    """The active user `username` as an actor (of `role`, when one is required), or exit 2."""
    from app.services.auth import actor_named

    actor = actor_named(session, username)  # type: ignore[arg-type]
    if actor is None or (role is not None and actor.role != role):
        typer.echo(f"Không có người dùng đang hoạt động tên '{username}'"
                   + (f" với vai trò {role.vi}." if role else "."), err=True)
        raise typer.Exit(2)
    return actor


@cli.command("demo")
def load_demo() -> None:
    """Load the demo district (Hàm Thuận Bắc, 2016–2025) into an empty database."""
    from app import demo
    from app.db.engine import get_engine
    from app.db.session import session_scope

    for session in session_scope(get_engine(), write=True):
        if not demo.is_empty(session):
            typer.echo("Cơ sở dữ liệu đã có đơn vị; chỉ nạp dữ liệu mẫu vào cơ sở dữ liệu trống.",
                       err=True)
            raise typer.Exit(1)
        counts = demo.load(session)
    typer.echo("Đã nạp dữ liệu mẫu: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@cli.command("rollups")
def rollups_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Recompute them from the records.")] = False,
) -> None:
    """Check the pre-aggregated sums against the records (and rebuild them if asked)."""
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import rollups

    for session in session_scope(get_engine(), write=True):
        if rebuild:
            rollups.rebuild(session)
        problems = rollups.differences(session)
    for line in problems[:50]:
        typer.echo(line, err=True)
    if problems:
        typer.echo(f"{len(problems)} tổng hợp lệch với số liệu gốc; chạy 'dvk rollups --rebuild'.",
                   err=True)
        raise typer.Exit(1)
    typer.echo("Các bảng tổng hợp khớp với số liệu gốc.")


audit_cli = typer.Typer(help="The audit log.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; report the first entry whose link is broken."""
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import audit

    for session in session_scope(get_engine()):
        checked, broken = audit.verify(session)
    if broken is not None:
        typer.echo(f"Chuỗi nhật ký bị phá vỡ tại mục số {broken} (đã kiểm {checked} mục trước đó): "
                   "mục này hoặc mục ngay trước nó đã bị sửa hoặc xóa.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Nhật ký nguyên vẹn: {checked} mục.")


@cli.command("create-user")
def create_user(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, manager, clerk or viewer.")],
    unit: Annotated[str | None, typer.Option(help="Code of the unit whose subtree they work in.")] = None,
    full_name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    password: Annotated[str | None, typer.Option(help="Asked for when not given (or DVK_NEW_PASSWORD).",
                                                 envvar="DVK_NEW_PASSWORD")] = None,
) -> None:
    """Create an account (the first admin, or any user)."""
    from app.db.engine import get_engine
    from app.db.session import session_scope
    from app.services import auth
    from app.services.errors import DomainError

    secret = password or getpass.getpass("Mật khẩu: ")
    try:
        for session in session_scope(get_engine(), write=True):
            user = auth.create_user(session, username=username, password=secret, role=role,
                                    unit_code=unit, full_name=full_name)
            typer.echo(f"Đã tạo tài khoản {user.username} ({Role(user.role).vi}).")
    except DomainError as exc:
        typer.echo(f"Lỗi: {exc.detail}", err=True)
        raise typer.Exit(2) from exc


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
