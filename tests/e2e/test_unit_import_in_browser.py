"""An admin loads units from a file in a real browser, only by clicking: signs in, opens the
import page from the menu, chooses the units tab, sends a CSV of a province whose communes
name their parent by code (one further down the file), reads the dry run's report (nothing
saved), confirms with one press, and finds the units on the tree page."""

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.db.units import Unit
from app.enums import Role
from app.services import auth
from tests.e2e.conftest import ARTIFACTS, shot
from tests.e2e.journey import sign_in
from tests.factories import PASSWORD

ROWS = [["Mã đơn vị", "Tên đơn vị", "Cấp", "Loại", "Đơn vị cấp trên (mã)", "Vùng sâu, vùng xa",
         "Hiệu lực từ"],
        ["E2E-X1", "Xã Đông Giang", "Xã", "Xã", "E2E-P", "có", "01/07/2025"],
        ["E2E-X2", "Phường Phú Thủy", "Xã", "Phường", "E2E-P", None, "01/07/2025"],
        ["E2E-P", "Tỉnh Lâm Đồng", "Tỉnh", "Tỉnh", None, None, "01/07/2025"]]


def _stored(db: Any) -> int:
    with db() as s:
        return s.exec(select(func.count()).select_from(Unit)).scalar_one()


def test_admin_imports_units_and_sees_them_in_the_tree(journey: Any, db: Any,
                                                       tmp_path: Path) -> None:
    with db() as s:
        auth.create_user(s, username="quantri", password=PASSWORD, role=Role.admin)
    path = tmp_path / "don-vi.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows([["" if c is None else c for c in r] for r in ROWS])
    page = journey
    sign_in(page, "quantri")
    page.get_by_role("link", name="Nhập Excel").first.click()
    page.locator("nav.tabs").get_by_role("link", name="Cây đơn vị hành chính").click()
    columns = page.locator("aside").inner_text()
    assert "Đơn vị cấp trên (mã)" in columns and "Các đơn vị kế thừa (mã)" in columns, columns

    page.set_input_files("#import-file", str(path))
    page.get_by_role("button", name="Kiểm tra tệp (chưa lưu)").click()
    outcome = page.locator("#import-outcome")
    outcome.wait_for(timeout=60_000)
    assert "Sẽ thêm 3" in outcome.inner_text(), outcome.inner_text()
    assert _stored(db) == 0
    shot(page, "unit-import-dry-run")

    page.get_by_role("button", name="Nhập tệp vừa kiểm tra vào hệ thống").click()
    page.locator("#import-outcome").wait_for(timeout=60_000)
    assert "Đã thêm 3" in page.locator("#import-outcome").inner_text()
    assert _stored(db) == 3
    shot(page, "unit-import-done")

    page.get_by_role("link", name="Xem danh sách cây đơn vị hành chính").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Tỉnh Lâm Đồng" in body, body[:500]
    shot(page, "unit-import-tree")
    assert (ARTIFACTS / "unit-import-tree.png").exists()
