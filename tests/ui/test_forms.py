"""A form's numbers and dates are read the Vietnamese way (app.vn, as the import reads them),
and shown back the same way; a text that cannot be read is refused with the reader's reason."""

from datetime import date

import pytest
from pydantic import BaseModel

from app.services.errors import Invalid
from app.ui.forms import FormField, parse, shown, validate

FIELDS = (FormField("amount_vnd", "Số tiền", "money"), FormField("quantity", "KL", "decimal"),
          FormField("date", "Ngày", "date"), FormField("done", "Xong", "bool"),
          FormField("note", "Ghi chú"))


class Entry(BaseModel):
    amount_vnd: int
    quantity: float | None = None
    date: date
    done: bool = False
    note: str | None = None


def test_round_trip_of_a_form():
    parsed = parse({"amount_vnd": "1.500.000", "quantity": "2,4", "date": "05/02/2021",
                    "note": "1,5"}, FIELDS)
    assert parsed == {"amount_vnd": 1_500_000, "quantity": 2.4, "date": date(2021, 2, 5),
                      "done": False, "note": "1,5"}
    assert parsed.problems == {}
    assert shown({"amount_vnd": 1500000, "quantity": 2.4, "date": "2021-02-05"}, FIELDS) == {
        "amount_vnd": "1.500.000", "quantity": "2,4", "date": "05/02/2021"}


def test_a_ticked_box_and_the_import_s_words_for_yes():
    assert parse({"done": "on"}, FIELDS)["done"] is True
    assert parse({"done": "có"}, FIELDS)["done"] is True
    assert parse({}, FIELDS)["done"] is False


@pytest.mark.parametrize(("name", "typed", "reason"), [
    ("amount_vnd", "1,5", "Phải là số nguyên (không có phần lẻ)."),
    ("amount_vnd", "2.5", "Phải là số nguyên (không có phần lẻ)."),  # was read as 25
    ("date", "31/02/2021", "Ngày không hợp lệ: 31/02/2021 không có trên lịch."),
    ("quantity", "hai", "Phải là số. Ví dụ: 2,5 hoặc 1.200.")])
def test_a_text_that_cannot_be_read_is_kept_as_typed_and_refused_with_its_reason(name, typed, reason):
    values = {"amount_vnd": "1.500.000", "date": "05/02/2021", name: typed}
    parsed = parse(values, FIELDS)
    assert parsed[name] == typed and parsed.problems == {name: reason}
    with pytest.raises(Invalid) as refused:
        validate(Entry, parsed)
    assert refused.value.errors == [{"loc": ["body", name], "msg": reason}]


def test_the_schema_s_messages_come_with_the_reader_s():
    parsed = parse({"amount_vnd": "abc", "quantity": "2,4"}, FIELDS)  # the date is missing
    with pytest.raises(Invalid) as refused:
        validate(Entry, parsed)
    assert {e["loc"][-1]: e["msg"] for e in refused.value.errors} == {
        "date": "Bắt buộc nhập.", "amount_vnd": "Phải là số nguyên. Ví dụ: 1.500.000."}
    assert validate(Entry, parse({"amount_vnd": "1,500,000", "date": "ngày 5 tháng 2 năm 2021"},
                                 FIELDS)) == Entry(amount_vnd=1_500_000, date=date(2021, 2, 5))
