"""dvk backup / dvk restore on the suite's own database (SQLite file or PostgreSQL): a copy
taken while a clerk keeps writing is consistent (the sums match the records, the audit chain
holds), and restoring it brings back exactly that state."""

import threading
import time

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.db.contributions import Contribution
from app.services import audit, backup, rollups
from tests.conftest import TEST_URL
from tests.factories import make_contribution, make_tree


def _count(db) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(Contribution)).scalar_one()


def test_a_backup_under_writes_restores_to_a_consistent_state(db, tmp_path):
    with db() as s:
        tree = make_tree(s)
        for n in range(20):
            make_contribution(s, unit_id=tree.lam_giang, amount_vnd=1_000_000 + n)
    stop = threading.Event()

    def clerk() -> None:
        while not stop.is_set():
            with db() as s:
                make_contribution(s, unit_id=tree.ham_tri, amount_vnd=7_000)
            time.sleep(0.005)

    writer = threading.Thread(target=clerk)
    writer.start()
    try:
        time.sleep(0.2)
        done = backup.backup(TEST_URL, tmp_path / "dvk.backup")
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join()
    assert done.size > 0
    written = _count(db)
    with db() as s:
        make_contribution(s, unit_id=tree.lam_giang, amount_vnd=999_999_999)  # after the copy

    backup.restore(TEST_URL, done.path)
    restored = _count(db)
    assert 20 <= restored < written + 1
    with db() as s:
        assert s.exec(select(Contribution).where(Contribution.amount_vnd == 999_999_999)).first() is None
        assert rollups.differences(s) == []  # one snapshot: every sum matches its records
        checked, broken = audit.verify(s)
        assert broken is None and checked >= restored


def test_backup_and_restore_refuse_what_would_lose_data(tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(backup.BackupError, match="đã có"):
        backup.backup(TEST_URL, existing)
    assert existing.read_bytes() == b"an earlier backup"
    with pytest.raises(backup.BackupError, match="không phải bản sao lưu"):
        backup.restore(TEST_URL, existing)
    with pytest.raises(backup.BackupError, match="Không có tệp"):
        backup.restore(TEST_URL, tmp_path / "missing.backup")


def test_the_dvk_command(tmp_path, db):
    with db() as s:
        make_tree(s)
    runner = CliRunner()
    made = runner.invoke(cli, ["backup", str(tmp_path / "a.backup")])
    assert made.exit_code == 0, made.output
    assert "Đã sao lưu" in made.output
    again = runner.invoke(cli, ["backup", str(tmp_path / "a.backup")])
    assert again.exit_code == 1 and "đã có" in again.output
    refused = runner.invoke(cli, ["restore", str(tmp_path / "a.backup")], input="n\n")
    assert refused.exit_code == 1
    restored = runner.invoke(cli, ["restore", "--yes", str(tmp_path / "a.backup")])
    assert restored.exit_code == 0, restored.output
