"""Numbers and dates typed the Vietnamese way are understood, and shown back the same way."""

import pytest

from app.ui.forms import FormField, parse, shown, vn_date, vn_decimal, vn_integer


@pytest.mark.parametrize("typed, read", [("1.500.000", "1500000"), ("1 500 000", "1500000"),
                                         ("1500000", "1500000"), ("-3", "-3"), ("1,5", "1,5"),
                                         ("mười", "mười")])
def test_integers(typed, read):
    assert vn_integer(typed) == read


@pytest.mark.parametrize("typed, read", [("2,4", "2.4"), ("1.234,5", "1234.5"), ("1.500", "1500"),
                                         ("2.4", "2.4"), ("126,8", "126.8"), ("abc", "abc")])
def test_decimals(typed, read):
    assert vn_decimal(typed) == read


@pytest.mark.parametrize("typed, read", [("05/02/2021", "2021-02-05"), ("5/2/2021", "2021-02-05"),
                                         ("2021-02-05", "2021-02-05"), ("31/02/2021", "31/02/2021"),
                                         ("05.02.2021", "2021-02-05")])
def test_dates(typed, read):
    assert vn_date(typed) == read


def test_round_trip_of_a_form():
    fields = (FormField("amount_vnd", "Số tiền", "money"), FormField("quantity", "KL", "decimal"),
              FormField("date", "Ngày", "date"), FormField("done", "Xong", "bool"))
    parsed = parse({"amount_vnd": "1.500.000", "quantity": "2,4", "date": "05/02/2021"}, fields)
    assert parsed == {"amount_vnd": "1500000", "quantity": "2.4", "date": "2021-02-05", "done": False}
    assert shown({"amount_vnd": 1500000, "quantity": 2.4, "date": "2021-02-05"}, fields) == {
        "amount_vnd": "1.500.000", "quantity": "2,4", "date": "05/02/2021"}
