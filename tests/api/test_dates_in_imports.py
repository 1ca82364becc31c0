"""An imported sheet meets the rules of a typed record, row by row and in the same words: no
gift after today (Vietnam's date), none on a commune after it ended."""

from typing import Any

import pytest

from app.enums import Role
from tests.api.test_imports import HEAD, post, xlsx
from tests.api.test_units_in_force import merged  # noqa: F401  (a fixture)

NOW = "2026-12-05T17:30:00+00:00"  # 00:30 on 06/12/2026 in Vietnam, still the 5th in UTC


@pytest.fixture(autouse=True)
def _now(clock: Any) -> None:
    clock(NOW)


def row(unit: str, day: str, key: str) -> list[Any]:
    return [unit, "Nhân dân", "Tiền mặt", "100.000", None, None, "Trần Văn Tư", day, None, key]


def errors_by_row(r: Any) -> dict[int, list[tuple[str, str]]]:
    """A dry run's report: nothing applied, its errors by row as (column, message)."""
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["dry_run"] and not report["applied"] and not report["ok"], report
    out: dict[int, list[tuple[str, str]]] = {}
    for e in report["errors"]:
        out.setdefault(e["row"], []).append((e["column"], e["message"]))
    return out


def test_a_dry_run_refuses_a_future_date_and_an_ended_unit_row_by_row(make_user, merged):  # noqa: F811
    clerk = make_user(Role.clerk, "T-HTB")
    rows = [HEAD,
            row("T-HL", "06/12/2026", "DG-1"),  # today in Vietnam: fine
            row("T-HL", "07/12/2026", "DG-2"),
            row("T-HT", "01/08/2025", "DG-3"),
            row("T-HTH", "01/08/2025", "DG-4"),
            row("T-HT", "15/06/2025", "DG-5")]
    by_row = errors_by_row(post(clerk, "contributions", xlsx(rows), dry_run="true"))
    assert by_row == {
        3: [("Ngày", "Ngày không được sau hôm nay (06/12/2026).")],
        4: [("Mã đơn vị", "Đơn vị 'Hàm Trí' chỉ có hiệu lực đến hết ngày 30/06/2025, không nhận "
                          "bản ghi ngày 01/08/2025. Ngày đó đơn vị kế thừa là 'Hàm Thuận': hãy "
                          "chọn 'Hàm Thuận'.")],
    }
    good = [HEAD, rows[1], rows[4], rows[5]]
    checked = post(clerk, "contributions", xlsx(good), dry_run="true")
    assert checked.status_code == 200 and checked.json()["created"] == 3, checked.text


def test_a_reimport_that_moves_a_date_is_checked_too(make_user, merged):  # noqa: F811
    clerk = make_user(Role.clerk, "T-HTB")
    first = post(clerk, "contributions", xlsx([HEAD, row("T-HT", "15/06/2025", "DG-9")]))
    assert first.status_code == 200 and first.json()["created"] == 1, first.text
    for day, column, words in (("01/08/2025", "Mã đơn vị", "'Hàm Thuận'"),
                               ("07/12/2026", "Ngày", "không được sau hôm nay (06/12/2026)")):
        again = post(clerk, "contributions", xlsx([HEAD, row("T-HT", day, "DG-9")]),
                     dry_run="true")
        [(where, msg)] = errors_by_row(again)[2]
        assert where == column and words in msg, (where, msg)
