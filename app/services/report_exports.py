"""The summary report as downloads: the figures (live, or frozen when issued) with the
records behind them, through the same scoped services as the lists."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app import vn
from app.services import (commendations, contributions, issued_reports, land_donations, models,
                          recognitions, reports, targets, works)
from app.services.petitions import records as petitions
from app.services.actor import Actor
from app.services.report_docx import build_docx
from app.services.report_xlsx import build_xlsx

# Excel holds 1.048.576 rows a sheet; a province's ten years of contributions do not fit, and
# nobody reads them there. The sheet says when it was cut.
SHEET_CAP = 100_000

# (sheet title, service, columns as (field, header))
SHEETS: list[tuple[str, Any, list[tuple[str, str]]]] = [
    ("Mô hình", models, [("id", "Mã"), ("name", "Tên mô hình"), ("unit", "Đơn vị"),
                        ("kind", "Loại"), ("field", "Lĩnh vực"), ("org_type", "Tổ chức"),
                        ("start_date", "Ngày bắt đầu"), ("members", "Thành viên"),
                        ("status", "Trạng thái")]),
    ("Công trình", works, [("id", "Mã"), ("name", "Tên công trình"), ("unit", "Đơn vị"),
                           ("category", "Loại"), ("quantity", "Khối lượng"), ("measure", "Đơn vị tính"),
                           ("total_cost_vnd", "Kinh phí (đồng)"), ("org_type", "Đơn vị thực hiện"),
                           ("completed_date", "Ngày hoàn thành")]),
    ("Đóng góp", contributions, [("id", "Mã"), ("date", "Ngày"), ("unit", "Đơn vị"),
                                 ("source", "Nguồn"), ("kind", "Hình thức"),
                                 ("amount_vnd", "Số tiền (đồng)"), ("labor_days", "Ngày công"),
                                 ("work_id", "Mã công trình"), ("contributor_name", "Người góp")]),
    ("Hiến đất", land_donations, [("id", "Mã"), ("date", "Ngày"), ("unit", "Đơn vị"),
                                  ("donor_name", "Hộ hiến"), ("households", "Số hộ"),
                                  ("area_m2", "Diện tích (m²)"), ("value_vnd", "Trị giá (đồng)"),
                                  ("work_id", "Mã công trình")]),
    ("Đơn thư", petitions, [("id", "Mã"), ("received_date", "Ngày nhận"), ("unit", "Đơn vị"),
                            ("type", "Loại đơn"), ("subject", "Nội dung"),
                            ("petitioner_name", "Người gửi"), ("status", "Trạng thái"),
                            ("due_date", "Hạn giải quyết"), ("closed_date", "Ngày kết thúc")]),
    ("Khen thưởng", commendations, [("id", "Mã"), ("decision_date", "Ngày quyết định"),
                                    ("recipient_name", "Tập thể, cá nhân"), ("level", "Cấp"),
                                    ("decision_no", "Số quyết định")]),
    ("Chỉ tiêu", targets, [("id", "Mã"), ("name", "Chỉ tiêu"), ("period_start", "Từ"),
                           ("period_end", "Đến"), ("achieved", "Đạt")]),
    ("Công nhận", recognitions, [("id", "Mã"), ("date", "Ngày"), ("unit", "Đơn vị"),
                                 ("title", "Danh hiệu"), ("decision_no", "Số quyết định")]),
]


def summary_docx(session: Session, *, actor: Actor, unit_id: int, date_from: date, date_to: date,
                 **particulars: Any) -> bytes:
    report = reports.summary(session, actor=actor, unit_id=unit_id, date_from=date_from,
                             date_to=date_to)
    return build_docx(report, **_particulars(report, particulars))


def summary_xlsx(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                 date_to: date) -> bytes:
    report = reports.summary(session, actor=actor, unit_id=unit_id, date_from=date_from,
                             date_to=date_to)
    return build_xlsx(report, record_sheets(session, actor=actor, unit_id=unit_id,
                                            date_from=date_from, date_to=date_to))


def issued_docx(session: Session, *, actor: Actor, id: int) -> bytes:
    """The issued document again, from its frozen figures: identical whatever changed since."""
    row = issued_reports.get(session, actor=actor, id=id)
    return build_docx(issued_reports.frozen(row), issuer=row.issuer, number=row.number,
                      place=row.place, issued_on=row.issued_on, signer_title=row.signer_title,
                      signer_name=row.signer_name,
                      recipients=[r for r in row.recipients.split("\n") if r])


def record_sheets(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                  date_to: date) -> dict[str, tuple[list[str], list[list[Any]]]]:
    from app.services import units as units_service

    names = {u.id: u.name for u in units_service.tree(session, actor=actor)}
    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for title, service, columns in SHEETS:
        filters = service.Filters(unit_id=unit_id, date_from=date_from, date_to=date_to)
        rows = service.records.all(session, actor=actor, filters=filters, cap=SHEET_CAP + 1)
        shown = [petitions.present(r, actor) if service is petitions else r for r in rows[:SHEET_CAP]]
        data = [[names.get(r.unit_id, r.unit_id) if f == "unit" else getattr(r, f) for f, _ in columns]
                for r in shown]
        if len(rows) > SHEET_CAP:
            data.append([f"… chỉ xuất {SHEET_CAP:,} dòng đầu; lọc kỳ ngắn hơn để có đủ."])
        sheets[title] = ([h for _, h in columns], data)
    return sheets


def _particulars(report: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """What the caller left out, filled in from the unit: its name as issuer and place."""
    unit = report["unit"]["name"]
    out = {"issuer": f"BAN DÂN VẬN\n{unit.upper()}", "number": "…/BC", "place": unit,
           "issued_on": vn.today(), "signer_title": "TRƯỞNG BAN", "signer_name": "",
           "recipients": ["Như trên", "Lưu VT"]}
    out.update({k: v for k, v in given.items() if v not in (None, "", [])})
    return out


__all__ = ["issued_docx", "summary_docx", "summary_xlsx"]
