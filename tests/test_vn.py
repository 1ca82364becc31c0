"""Vietnamese in and out (app.vn): what a typed text means, decided once, and the same on the
page form and in the import; numbers and dates printed the Vietnamese way."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app import vn
from app.enums import ContributionKind, Role, Source
from app.vn import show, text
from tests.factories import make_tree

# -- reading ----------------------------------------------------------------------------------

MONEY = [("1500000", 1_500_000), ("1.500.000", 1_500_000), ("1,500,000", 1_500_000),
         ("1.500.000 đ", 1_500_000), ("1.500.000đ", 1_500_000), ("1 500 000 đồng", 1_500_000),
         ("1\u00a0500\u00a0000", 1_500_000), ("1500000 VND", 1_500_000), ("1.500", 1500),
         ("1,500", 1500), ("1500,00", 1500), ("1.500.000,00", 1_500_000), ("1,500.00", 1500),
         ("-250.000", -250_000), ("0", 0), (1_500_000, 1_500_000), (1_500_000.0, 1_500_000),
         ("1000000000000000000", 10**18)]
INTEGERS = [("1.250", 1250), ("1,250", 1250), ("12", 12), ("  12 ", 12), ("12,0", 12), (3.0, 3)]
DECIMALS = [("2,4", 2.4), ("2.4", 2.4), ("2.45", 2.45), ("1,5", 1.5), ("1,500", 1.5),
            ("1.500", 1500.0), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1.234.567", 1234567.0),
            ("1,234,567", 1234567.0), ("0,5", 0.5), ("0.500", 0.5), ("-2,4", -2.4), ("126,8", 126.8),
            ("12", 12.0), (2.4, 2.4), (3, 3.0), ("1.5E+06", 1_500_000.0)]
DATES = [("05/02/2021", date(2021, 2, 5)), ("5/2/2021", date(2021, 2, 5)),
         ("05.02.2021", date(2021, 2, 5)), ("05-02-2021", date(2021, 2, 5)),
         ("2021-02-05", date(2021, 2, 5)), ("2021-02-05T00:00:00", date(2021, 2, 5)),
         ("ngày 5 tháng 2 năm 2021", date(2021, 2, 5)), ("Ngày 05 tháng 02 năm 2021", date(2021, 2, 5)),
         ("ngay 5 thang 2 nam 2021", date(2021, 2, 5)), ("5 tháng 2, năm 2021", date(2021, 2, 5)),
         (date(2021, 2, 5), date(2021, 2, 5)), (datetime(2021, 2, 5, 10, 30), date(2021, 2, 5))]


@pytest.mark.parametrize(("typed", "read"), MONEY, ids=[repr(t) for t, _ in MONEY])
def test_money(typed, read):
    assert vn.read_money(typed) == read


@pytest.mark.parametrize(("typed", "read"), INTEGERS + MONEY[:15],
                         ids=[repr(t) for t, _ in INTEGERS + MONEY[:15]])
def test_integers(typed, read):
    if isinstance(typed, str) and typed.rstrip().endswith(("đ", "đồng", "VND")):
        with pytest.raises(ValueError):  # a currency belongs to money only
            vn.read_int(typed)
    else:
        assert vn.read_int(typed) == read


@pytest.mark.parametrize(("typed", "read"), DECIMALS, ids=[repr(t) for t, _ in DECIMALS])
def test_decimals(typed, read):
    assert vn.read_decimal(typed) == pytest.approx(read)


def test_a_thousands_group_is_read_by_the_field_kind():
    """The one ambiguous text: in money it groups thousands, where fractions are allowed the
    Vietnamese comma is the decimal mark."""
    assert vn.read_money("1,500") == 1500
    assert vn.read_decimal("1,500") == 1.5
    assert vn.read_money("1.500") == vn.read_decimal("1.500") == 1500


@pytest.mark.parametrize(("typed", "read"), DATES, ids=[repr(t) for t, _ in DATES])
def test_dates(typed, read):
    assert vn.read_date(typed) == read


REFUSED = [
    (vn.read_money, "1,5", "Phải là số nguyên (không có phần lẻ)."),
    (vn.read_money, "1.5", "Phải là số nguyên (không có phần lẻ)."),
    (vn.read_money, "1,5 triệu", "Phải là số nguyên. Ví dụ: 1.500.000."),
    (vn.read_money, "abc", "Phải là số nguyên. Ví dụ: 1.500.000."),
    (vn.read_money, "1.50.000", "Phải là số nguyên. Ví dụ: 1.500.000."),
    (vn.read_int, True, "Phải là số nguyên. Ví dụ: 1.500.000."),
    (vn.read_int, 2.5, "Phải là số nguyên (không có phần lẻ)."),
    (vn.read_decimal, "hai km", "Phải là số. Ví dụ: 2,5 hoặc 1.200."),
    (vn.read_decimal, "1,2,3", "Phải là số. Ví dụ: 2,5 hoặc 1.200."),
    (vn.read_decimal, "1.234.5", "Phải là số. Ví dụ: 2,5 hoặc 1.200."),
    (vn.read_decimal, "nan", "Phải là số. Ví dụ: 2,5 hoặc 1.200."),
    (vn.read_decimal, float("inf"), "Phải là một số hữu hạn."),
    (vn.read_date, "31/02/2021", "Ngày không hợp lệ: 31/02/2021 không có trên lịch."),
    (vn.read_date, "hôm qua", vn.DATE_MESSAGE),
    (vn.read_date, "02/05/21", vn.DATE_MESSAGE),
    (vn.read_date, 44232, "Ô ngày đang là số; hãy định dạng ô là Ngày (dd/mm/yyyy) hoặc gõ 05/02/2021."),
    (vn.read_bool, "có lẽ", "Ghi 'có' hoặc 'không'."),
]


@pytest.mark.parametrize(("reader", "typed", "message"), REFUSED,
                         ids=[f"{r.__name__}({t!r})" for r, t, _ in REFUSED])
def test_a_text_that_cannot_be_read_is_refused_in_words(reader, typed, message):
    with pytest.raises(ValueError) as refused:
        reader(typed)
    assert str(refused.value) == message


@pytest.mark.parametrize(("typed", "read"), [
    ("có", True), ("Có", True), ("x", True), ("X", True), ("yes", True), ("1", True), ("Đạt", True),
    ("đã đạt", True), ("on", True), (True, True), ("không", False), ("Khong", False), ("no", False),
    ("0", False), ("chưa đạt", False), ("sai", False), (False, False)])
def test_yes_and_no(typed, read):
    assert vn.read_bool(typed) is read


@pytest.mark.parametrize(("typed", "read"), [
    ("state_budget", Source.state_budget), ("Ngân sách nhà nước", Source.state_budget),
    ("ngan sach nha nuoc", Source.state_budget), ("NGÂN SÁCH NHÀ NƯỚC", Source.state_budget),
    ("Tiền mặt", ContributionKind.cash), ("cash", ContributionKind.cash)])
def test_choices_by_code_or_label(typed, read):
    assert vn.read_choice(typed, type(read)) is read
    assert vn.read_choice(typed, type(read)) == read.value  # a StrEnum: the code itself


def test_an_unknown_choice_lists_the_labels():
    with pytest.raises(ValueError) as refused:
        vn.read_choice("ngan_sach_xa", Source)
    assert str(refused.value).startswith("Giá trị không hợp lệ; chọn một trong: ")
    assert "Ngân sách nhà nước" in str(refused.value)


def test_text_helpers():
    assert vn.fold("  Nguyễn  Văn ĐỨC ") == "nguyen van duc"
    assert vn.match_key("Diện tích (m²)") == "dien tich m2"
    assert sorted(["Zô", "Đa Mi", "An"], key=vn.sort_key) == ["An", "Đa Mi", "Zô"]
    villages = ["Thôn Mới 100", "Thôn Mới 10", "Thôn Mới 2", "Thôn Mới 1", "Thôn 3A"]
    assert sorted(villages, key=vn.sort_key) == [
        "Thôn 3A", "Thôn Mới 1", "Thôn Mới 2", "Thôn Mới 10", "Thôn Mới 100"]


# -- printing ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "digits", "text"), [
    (1823, 2, "1.823"), (126.8, 1, "126,8"), (126.84, 1, "126,8"), (0, 2, "0"),
    (-1234567, 0, "-1.234.567"), (Decimal("71.6612"), 2, "71,66"), (2.5, 0, "2"),
    (None, 2, "—"),
])
def test_number(value, digits, text):
    assert vn.print_number(value, digits) == text


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.99781, 2, "99,78%"), (0.5, 0, "50%"), (1, 1, "100,0%"), (None, 2, "—"),
])
def test_percent(value, digits, text):
    assert vn.print_percent(value, digits) == text


@pytest.mark.parametrize(("vnd", "text"), [
    (71_660_000_000, "71,66 tỷ đồng"), (91_900_000, "91,9 triệu đồng"), (850_000, "850.000 đồng"),
    (None, "—"),
])
def test_money_printed(vnd, text):
    assert vn.print_money(vnd) == text
    assert vn.print_money_short(vnd) == text.removesuffix(" đồng")


def test_area_and_dates():
    assert vn.print_area(175_000) == "17,5 ha"
    assert vn.print_area(850) == "850 m²"
    assert vn.print_date(date(2021, 2, 5)) == "05/02/2021"
    assert vn.print_date(None) == ""
    assert vn.print_long_date(date(2021, 2, 5)) == "ngày 05 tháng 02 năm 2021"
    # UTC 07:05 is 14:05 in Vietnam (UTC+7), on the same day.
    assert vn.print_clock(datetime(2026, 11, 26, 7, 5, tzinfo=UTC)) == "14:05 26/11"
    assert vn.print_clock("2026-11-26T17:30:00+00:00") == "00:30 27/11"
    assert vn.print_clock("") == ""
    # A history entry: UTC 17:30 is already the next day in Vietnam (a naive moment is UTC,
    # as SQLite gives it back).
    assert vn.print_moment(datetime(2026, 11, 26, 17, 30)) == "27/11/2026 00:30"
    assert vn.print_moment(datetime(2026, 11, 26, 7, 5, tzinfo=UTC)) == "26/11/2026 14:05"


def test_what_is_printed_reads_back():
    for value in (1_500_000, 1250, 0):
        assert vn.read_money(vn.print_number(value, 0)) == value
    assert vn.read_decimal(vn.print_number(1234.5, 3)) == 1234.5
    assert vn.read_date(vn.print_date(date(2021, 2, 5))) == date(2021, 2, 5)
    assert vn.read_date(vn.print_long_date(date(2021, 2, 5))) == date(2021, 2, 5)


def test_vietnam_time(clock):
    clock("2026-12-05T17:30:00+00:00")  # 00:30 on the 6th in Vietnam
    assert vn.today() == date(2026, 12, 6)
    assert vn.day_start(date(2026, 12, 6)) == datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    assert vn.day_start(date.min) is None


# The server's own date is not Vietnam's from 00:00 to 07:00 there (a server on UTC): every
# "today" is vn.today().
SERVER_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.(?:now\(\)|today\(\)|utcnow\(\))")


def test_every_today_is_vietnam_s():
    root = Path(__file__).resolve().parents[1]
    found = [f"{path.relative_to(root)}:{n}" for path in sorted((root / "app").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if SERVER_CLOCK.search(line)]
    assert found == [], "use app.vn.today() (Vietnam's date), not the server's: " + ", ".join(found)


def test_patterns_are_parsed_once():
    show._pattern.cache_clear()
    for value in range(50):
        vn.print_number(value)
        vn.print_percent(value / 100, 1)
    assert show._pattern.cache_info().currsize == 2
    assert text.fold is vn.fold


# -- the form and the import read alike -------------------------------------------------------

HEAD = ["Mã đơn vị", "Nguồn", "Hình thức", "Số tiền (đồng)", "Ngày công", "Người, đơn vị đóng góp",
        "Ngày"]
TYPED = [("1,500,000", "ngày 5 tháng 2 năm 2021", "2,5"), ("1.500.000 đ", "5/2/2021", "1.500"),
         ("1,500", "2021-02-05", "1,500")]


@pytest.mark.parametrize(("amount", "day", "labor"), TYPED, ids=[t[0] for t in TYPED])
def test_the_form_and_the_import_store_the_same_for_the_same_text(amount, day, labor, db, sign_in,
                                                                   make_user, api):
    with db() as s:
        tree = make_tree(s)
    clerk = sign_in("canbo.hamtri")
    r = clerk.post("/contributions", headers={"HX-Request": "true"}, data={
        "unit_id": str(tree.ham_tri), "source": "people", "kind": "cash", "amount_vnd": amount,
        "labor_days": labor, "work_id": "", "contributor_name": "Qua biểu mẫu", "date": day,
        "note": ""})
    assert r.status_code == 200 and "Đã lưu" in r.text, r.text
    rows = [HEAD, ["T-HT", "Nhân dân", "Tiền mặt", amount, labor, "Qua tệp nhập", day]]
    body = "\r\n".join(";".join(c for c in row) for row in rows).encode("utf-8-sig")
    importer = make_user(Role.clerk, "T-HT")
    imported = importer.post("/api/v1/imports/contributions", files={"file": ("a.csv", body)})
    assert imported.status_code == 200 and imported.json()["applied"], imported.text
    stored = {c["contributor_name"]: (c["amount_vnd"], c["date"], c["labor_days"])
              for c in api.get("/api/v1/contributions").json()["items"]}
    assert stored["Qua biểu mẫu"] == stored["Qua tệp nhập"], stored
    assert stored["Qua biểu mẫu"] == (vn.read_money(amount), "2021-02-05", vn.read_decimal(labor))


REFUSED_ON_BOTH = [("amount_vnd", "Số tiền (đồng)", "1,5"), ("date", "Ngày", "31/02/2021"),
                   ("labor_days", "Ngày công", "hai ngày")]


@pytest.mark.parametrize(("name", "header", "typed"), REFUSED_ON_BOTH,
                         ids=[f"{n}={t}" for n, _, t in REFUSED_ON_BOTH])
def test_the_form_and_the_import_refuse_a_text_with_the_same_reason(name, header, typed, db,
                                                                     sign_in, make_user):
    with db() as s:
        tree = make_tree(s)
    clerk = sign_in("canbo.hamtri")
    values = {"unit_id": str(tree.ham_tri), "source": "people", "kind": "cash",
              "amount_vnd": "1.500.000", "labor_days": "", "work_id": "",
              "contributor_name": "An", "date": "05/02/2021", "note": "", name: typed}
    r = clerk.post("/contributions", headers={"HX-Request": "true"}, data=values)
    assert r.status_code == 422, r.text
    head = ["Mã đơn vị", "Nguồn", "Hình thức", header, "Người, đơn vị đóng góp"]
    head += ["Ngày"] if name != "date" else []
    row = ["T-HT", "Nhân dân", "Tiền mặt", typed, "An"] + (["05/02/2021"] if name != "date" else [])
    if name != "amount_vnd":
        head, row = head + ["Số tiền (đồng)"], row + ["1500000"]
    body = "\r\n".join(";".join(r_) for r_ in (head, row)).encode("utf-8-sig")
    importer = make_user(Role.clerk, "T-HT")
    report = importer.post("/api/v1/imports/contributions", files={"file": ("a.csv", body)}).json()
    reasons = [e["msg"] for e in report["errors"]]
    assert len(reasons) == 1, report
    shown = r.text.replace("&#39;", "'")
    assert re.search(r'role="alert"[^>]*>' + re.escape(reasons[0]) + "</small>", shown), (reasons, r.text)
