"""The import service on a real database: each record type's rules, references by code,
approved periods, confidentiality on re-import, the limits, the audit chain, the changes
feed and the pre-aggregated sums it keeps, and `dvk import`."""

import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.db.approvals import ApprovalCreate
from app.db.contributions import Contribution
from app.db.dashboards import ChangeMark
from app.db.models import Model
from app.db.petitions import Petition
from app.db.works import Work
from app.enums import Role
from app.services import approvals, audit, imports, rollups
from app.services.imports import job
from app.services.actor import SYSTEM, Actor
from app.services.changes import ChangesParams, feed
from tests.factories import make_tree


def actor(t: Any, role: Role = Role.clerk, unit: str = "ham_tri") -> Actor:
    return Actor(user_id=None, username=f"{role.value}.test", role=role, unit_id=getattr(t, unit))


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


def run(session: Session, who: Actor, resource: str, *lines: str, **kw: Any) -> imports.Report:
    return imports.run(session, actor=who, resource=resource, stream=csv_file(*lines),
                       filename="tep.csv", **kw)


@pytest.fixture
def tree(session: Session) -> Any:
    t = make_tree(session)
    session.commit()
    return t


def count(session: Session, table: Any) -> int:
    return session.exec(select(func.count()).select_from(table)).scalar_one()


def test_works_then_contributions_by_work_code(session: Session, tree: Any) -> None:
    clerk = actor(tree)
    r = run(session, clerk, "works",
            "\"Tên công trình, phần việc\",Mã công trình,Mã đơn vị,Loại công trình,Khối lượng,Đơn vị tính,Ngày hoàn thành",
            "Đường bê tông thôn Lâm Giang,HT-D1,T-LG,Đường bê tông,\"1,2\",km,30/06/2021",
            "Nhà tình thương bà Tư,HT-N1,T-HT,Nhà tình thương,1,,15/08/2021")
    assert r.ok and r.created == 2, r.errors
    session.commit()
    work = session.exec(select(Work).where(Work.code == "HT-D1")).scalars().one()
    assert (work.quantity, work.measure, work.status) == (1.2, "km", "completed")
    r = run(session, clerk, "contributions",
            "Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Mã công trình liên quan,Ngày",
            "T-LG,Nhân dân,Tiền mặt,50.000.000,HT-D1,01/05/2021",
            "T-HT,Nhân dân,Tiền mặt,10.000.000,HT-D1,02/05/2021")
    assert r.ok and r.created == 2, r.errors
    session.commit()
    assert session.exec(select(func.sum(Contribution.amount_vnd))
                        .where(Contribution.work_id == work.id)).scalar_one() == 60_000_000
    assert rollups.differences(session) == []


def test_work_codes_must_be_new_and_unique(session: Session, tree: Any) -> None:
    clerk = actor(tree)
    head = "\"Tên công trình, phần việc\",Mã công trình,Mã đơn vị,Loại công trình"
    assert run(session, clerk, "works", head, "Đường A,HT-X,T-HT,Đường bê tông").ok
    session.commit()
    r = run(session, clerk, "works", head, "Đường B,HT-Y,T-HT,Đường bê tông",
            "Đường C,HT-Y,T-HT,Đường bê tông", "Đường D,HT-X,T-HT,Đường bê tông")
    messages = {(e.row, e.message) for e in r.errors}
    assert (3, "Mã công trình trùng với dòng 2.") in messages
    assert (4, "Mã công trình 'HT-X' đã có.") in messages
    assert not r.applied and count(session, Work) == 1


def test_a_clerk_cannot_import_decisions(session: Session, tree: Any) -> None:
    head = "\"Tên mô hình, điển hình\",Mã đơn vị,Lĩnh vực,Tổ chức chủ trì,Ngày bắt đầu,Trạng thái,Cấp công nhận"
    row = "Dân vận khéo trong xây dựng nông thôn mới,T-HT,Kinh tế,Hội Nông dân,01/03/2021,Được công nhận,Cấp huyện"
    r = run(session, actor(tree), "models", head, row)
    assert not r.ok and r.forbidden_count == 0  # a refused decision, not a unit outside
    assert "lãnh đạo" in r.errors[0].message
    r = run(session, actor(tree, Role.manager), "models", head, row)
    assert r.ok and r.applied, r.errors
    session.commit()
    assert session.exec(select(Model.recognition_level)).scalar_one() == "district"


def test_rows_in_an_approved_period_are_refused(session: Session, tree: Any) -> None:
    approvals.approve(session, actor=SYSTEM, data=ApprovalCreate(
        unit_id=tree.ham_tri, period_start=date(2021, 1, 1), period_end=date(2021, 12, 31)))
    session.commit()
    r = run(session, actor(tree), "contributions", "Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày",
            "T-LG,Nhân dân,Tiền mặt,100.000,05/05/2021", "T-LG,Nhân dân,Tiền mặt,100.000,05/05/2022")
    assert [e.row for e in r.errors] == [2]
    assert "đã được phê duyệt" in r.errors[0].message
    assert count(session, Contribution) == 0


def test_a_denouncer_survives_a_clerks_reimport(session: Session, tree: Any) -> None:
    manager = actor(tree, Role.manager)
    head = "Ngày nhận đơn,Mã đơn vị,Loại đơn,Nội dung,Người gửi đơn,Địa chỉ người gửi,Mã tham chiếu"
    r = run(session, manager, "petitions", head,
            "05/03/2021,T-HT,Tố cáo,Tố cáo sai phạm đất đai,Phạm Văn Tố,thôn 2,DT-1")
    assert r.ok, r.errors
    session.commit()
    # What a clerk's export holds: the identity empty; importing it back changes nothing.
    r = run(session, actor(tree), "petitions", head,
            "05/03/2021,T-HT,Tố cáo,Tố cáo sai phạm đất đai,,,DT-1")
    assert (r.ok, r.unchanged, r.updated) == (True, 1, 0), r.errors
    session.commit()
    p = session.exec(select(Petition)).scalars().one()
    assert (p.petitioner_name, p.petitioner_address) == ("Phạm Văn Tố", "thôn 2")
    entry = session.exec(select(audit.AuditEntry).where(audit.AuditEntry.resource == "petitions")).scalars().one()
    assert entry.confidential
    shown = audit.present(entry, actor(tree))["changes"]
    assert "petitioner_name" not in shown and "petitioner_address" not in shown


def test_external_ids_are_per_source(session: Session, tree: Any) -> None:
    head = "unit_code,source,kind,amount_vnd,date,external_id"
    line = "T-HT,people,cash,2500000,2021-03-01,A-1"
    assert run(session, actor(tree), "contributions", head, line, source="cong-tinh").created == 1
    session.commit()
    assert run(session, actor(tree), "contributions", head, line, source="cong-tinh").unchanged == 1
    assert run(session, actor(tree), "contributions", head, line, source="excel").created == 1
    session.commit()
    assert count(session, Contribution) == 2


def test_international_numbers_with_english_headers(session: Session, tree: Any) -> None:
    r = run(session, actor(tree), "land-donations", "unit_code,donor_name,area_m2,value_vnd,date",
            "T-HT,Nguyễn Văn Ba,1.125,15000000,2021-02-05")
    assert r.ok, r.errors
    session.commit()
    from app.db.land_donations import LandDonation
    assert session.exec(select(LandDonation.area_m2)).scalar_one() == 1.125


def test_too_many_rows(session: Session, tree: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(job, "MAX_ROWS", 3)
    lines = ["Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày"] + \
        ["T-HT,Nhân dân,Tiền mặt,100.000,05/05/2021"] * 5
    with pytest.raises(imports.ImportRefused, match="chia thành"):
        run(session, actor(tree), "contributions", *lines)
    assert count(session, Contribution) == 0


def test_audit_feed_sums_and_marks(session: Session, tree: Any) -> None:
    lines = ["Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày công,Ngày"]
    lines += [f"{u},Nhân dân,{k},{a},{d},0{m}/0{m}/2021" for m in range(1, 6)
              for u, k, a, d in (("T-HT", "Tiền mặt", "1.000.000", ""), ("T-LG", "Ngày công", "", "\"2,5\""))]
    r = run(session, actor(tree), "contributions", *lines)
    assert r.ok and r.created == 10, r.errors
    session.commit()
    assert audit.verify(session)[1] is None
    assert rollups.differences(session) == []
    page = feed(session, actor=actor(tree), params=ChangesParams(resource=["contributions"]))
    assert len(page["items"]) == 10 and all(i["action"] == "create" for i in page["items"])
    marked = set(session.exec(select(ChangeMark.unit_id)).scalars())
    assert {tree.ham_tri, tree.lam_giang} <= marked


def test_a_later_chunk_sees_an_earlier_one(session: Session, tree: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(job, "CHUNK", 2)
    r = run(session, actor(tree), "contributions", "Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày,Mã tham chiếu",
            "T-HT,Nhân dân,Tiền mặt,100.000,05/05/2021,K1", "T-HT,Nhân dân,Tiền mặt,100.000,05/05/2021,K2",
            "T-HT,Nhân dân,Tiền mặt,100.000,05/05/2021,K1")
    assert [(e.row, e.message) for e in r.errors] == [(4, "Mã tham chiếu trùng với một dòng trước trong tệp.")]
    assert count(session, Contribution) == 0


def test_a_long_workbook(session: Session, tree: Any) -> None:
    """A workbook of more rows than a chunk: its mistakes named by row, then stored whole."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày", "Mã tham chiếu"])
    for i in range(2_500):
        sheet.append(["T-LG" if i % 2 else "T-HT", "Nhân dân", "Tiền mặt", 10_000 + i,
                      date(2021, 1 + i % 12, 1 + i % 28), f"DAI-{i}"])
    sheet["A2101"] = "T-ZZ"  # one mistake, far down the sheet
    data = io.BytesIO()
    book.save(data)

    def load(stream: io.BytesIO) -> imports.Report:
        stream.seek(0)
        return imports.run(session, actor=actor(tree), resource="contributions", stream=stream,
                           filename="dai.xlsx")

    r = load(data)
    assert [(e.row, e.column) for e in r.errors] == [(2101, "Mã đơn vị")] and not r.applied
    assert count(session, Contribution) == 0
    sheet["A2101"] = "T-HT"
    data = io.BytesIO()
    book.save(data)
    r = load(data)
    assert r.ok and r.created == 2_500, r.errors[:3]
    session.commit()
    assert count(session, Contribution) == 2_500 and rollups.differences(session) == []


def test_cli(session: Session, tree: Any, tmp_path: Any) -> None:
    path = tmp_path / "dong-gop.csv"
    path.write_bytes(csv_file("Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày",
                              "T-HT,Nhân dân,Tiền mặt,100.000,05/05/2021").getvalue())
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "contributions", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sẽ thêm 1" in result.output
    result = runner.invoke(cli, ["import", "contributions", str(path)])
    assert result.exit_code == 0 and "Đã thêm 1" in result.output, result.output
    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_file("Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày",
                             "T-ZZ,Nhân dân,Tiền mặt,100.000,05/05/2021").getvalue())
    result = runner.invoke(cli, ["import", "contributions", str(bad)])
    assert result.exit_code == 1 and "dòng 2" in result.output and "T-ZZ" in result.output
    result = runner.invoke(cli, ["import", "contributions", str(tmp_path / "khong-co.csv")])
    assert result.exit_code == 2
    session.expire_all()
    assert count(session, Contribution) == 1


def test_a_quantity_in_its_measure_column(session: Session, tree: Any) -> None:
    """An export for people writes a quantity in one column per measure ('Khối lượng (km)'):
    the column sets the measure too, and a row may not say two measures."""
    head = "\"Tên công trình, phần việc\",Mã đơn vị,Loại công trình,Khối lượng (km),Khối lượng (m),Đơn vị tính"
    r = run(session, actor(tree), "works", head, "Đường A,T-HT,Đường bê tông,\"1,5\",,",
            "Đường B,T-LG,Đường bê tông,,250,m", "Đường C,T-HT,Đường bê tông,2,,m",
            "Đường D,T-HT,Đường bê tông,2,300,")
    assert [(e.row, e.message) for e in r.errors] == [
        (4, "Khác đơn vị tính của cột khối lượng (km)."), (5, "Mỗi dòng chỉ ghi khối lượng ở một cột.")]
    r = run(session, actor(tree), "works", head, "Đường A,T-HT,Đường bê tông,\"1,5\",,",
            "Đường B,T-LG,Đường bê tông,,250,m")
    assert r.ok and r.created == 2, r.errors
    stored = session.exec(select(Work.name, Work.quantity, Work.measure).order_by(Work.name)).all()
    assert [tuple(w) for w in stored] == [("Đường A", 1.5, "km"), ("Đường B", 250, "m")]


def test_an_older_templates_headers_still_read(session: Session, tree: Any) -> None:
    """Templates made before the labels moved onto the schemas are still filled and sent."""
    r = run(session, actor(tree), "contributions",
            "Số hiệu đơn vị (id),Nguồn,Hình thức,Số tiền (đồng),Ngày",
            f"{tree.ham_tri},Nhân dân,Tiền mặt,100.000,05/05/2021")
    assert r.ok and r.created == 1, r.errors
    r = run(session, actor(tree), "petitions", "Mã đơn vị,Ngày nhận đơn,Loại đơn,Nội dung,Lĩnh vực đơn",
            "T-HT,05/05/2021,Khiếu nại,Đường làng,Đất đai")
    assert r.ok and r.created == 1, r.errors


def test_errors_come_out_in_row_order(session: Session, tree: Any) -> None:
    """A cell that cannot be read (row 3's date) is found before a row's rules (row 2's
    unknown unit, row 4's duplicate code): the report still lists them by row, then column."""
    r = run(session, actor(tree), "works",
            "\"Tên công trình, phần việc\",Mã công trình,Mã đơn vị,Loại công trình,Ngày hoàn thành",
            "Đường A,HT-A,T-XX,Đường bê tông,30/06/2021",
            "Đường B,HT-B,T-LG,Đường bê tông,31/02/2021",
            "Đường C,HT-B,T-XX,Đường bê tông,32/13/2021",
            "Đường D,HT-D,T-LG,Đường bê tông,30/06/2021")
    assert not r.ok
    found = [(e.row, e.column) for e in r.errors]
    assert found == sorted(found, key=lambda rc: (rc[0], ["Mã công trình", "Mã đơn vị",
                                                          "Ngày hoàn thành"].index(rc[1]))), found
    assert {row for row, _ in found} == {2, 3, 4}


def test_a_chunk_that_cannot_be_stored_is_reported_and_the_import_goes_on(
        session: Session, tree: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk's insert refused by the database (here, on PostgreSQL, the table's sequence set
    back so that the reserved ids are taken; on SQLite the stored ids follow the largest, so
    the same rows stored again stand for it) is reported on its rows, nothing of it stays, and
    the import goes on checking; the rows stored by the bulk path (COPY on PostgreSQL, from
    COPY_FROM rows) read back as the ORM would have stored them."""
    from sqlalchemy import text

    from app.db.base import utcnow
    from app.services.imports import bulk

    copies = []
    copy = bulk._copy
    monkeypatch.setattr(bulk, "_copy", lambda *a: (copies.append(len(a[3])), copy(*a))[1])
    postgresql = session.get_bind().dialect.name == "postgresql"
    n = bulk.COPY_FROM
    clerk = actor(tree)
    head = "Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày,Mã tham chiếu"
    before = utcnow()
    r = run(session, clerk, "contributions", head,
            *(f"T-HT,Nhân dân,Tiền mặt,1.000.000,05/02/2021,K-{i}" for i in range(n)))
    assert r.ok and r.created == n, r.errors
    session.commit()
    assert copies == ([n, n] if postgresql else [])  # the records, their audit entries
    t = Contribution.__table__
    rows = [dict(m) for m in session.execute(select(t)).mappings()]
    with pytest.raises(IntegrityError):  # the same ids again: refused as the INSERT would be
        with session.begin_nested():
            bulk.bulk_insert(session, t, rows)
    session.rollback()
    if postgresql:
        session.execute(text("SELECT setval(pg_get_serial_sequence('contribution', 'id'), 1, false)"))
        session.commit()
        r = run(session, clerk, "contributions", head,
                *(f"T-HT,Nhân dân,Tiền mặt,2.000.000,06/02/2021,L-{i}" for i in range(n)))
        assert not r.ok and "không lưu được" in r.errors[0].message, r.errors
        session.rollback()
        assert count(session, Contribution) == n
    session.expire_all()
    stored = session.execute(select(t.c.amount_vnd, t.c.date, t.c.created_at)).all()
    assert {(a, d) for a, d, _ in stored} == {(1_000_000, date(2021, 2, 5))}
    assert all(before <= at <= utcnow() for _, _, at in stored), stored
