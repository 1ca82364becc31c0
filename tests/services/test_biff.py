"""The formulas of an .xls sheet, found in its compound file (app/services/imports/biff.py):
where they are, on the sheet asked for only, and a damaged file refused as damaged, never a
loop nor another error."""

import random

import pytest
import xlwt

from app.services.imports.biff import SHOWN, formulas
from app.services.imports.sheets import Formula
from app.services.imports.workbook import FileProblem
from tests.workbooks import xls, xls_small


def test_formulas_of_the_sheet_asked_for() -> None:
    book = xls([["a", 1, xlwt.Formula("B1+1")], [xlwt.Formula("1/0")]], name="Dữ liệu",
               before=[("Hướng dẫn", [[xlwt.Formula("1+1")]])], after=[("Sau", [[xlwt.Formula("2")]])])
    expected = {(0, 2): Formula(SHOWN), (1, 0): Formula(SHOWN)}
    assert formulas(book, "Dữ liệu") == expected == formulas(xls_small(book), "Dữ liệu")
    assert formulas(book, "Sau") == {(0, 0): Formula(SHOWN)}
    assert formulas(book, "Không có") == {}
    many = xls([[f"r{i}", xlwt.Formula(f"{i}*2")] for i in range(3_000)])  # Workbook of many sectors
    assert sorted(formulas(many, "Dữ liệu")) == [(i, 1) for i in range(3_000)]


def test_a_damaged_file_is_refused_as_damaged() -> None:
    good = xls([[f"r{i}", xlwt.Formula(f"1+{i}")] for i in range(300)])
    spoilt = [good[:cut] for cut in range(0, len(good), 211)]
    pick = random.Random(7)
    for _ in range(200):
        raw = bytearray(good)
        for _ in range(10):
            raw[pick.randrange(len(raw))] = pick.randrange(256)
        spoilt.append(bytes(raw))
    for data in spoilt:
        try:
            formulas(data, "Dữ liệu")
        except FileProblem as problem:
            assert problem.status == 415 and "Tệp .xls bị hỏng" in problem.message
    loop = bytearray(good)  # the FAT's first entry pointing at itself
    fat = int.from_bytes(good[0x4C:0x50], "little")
    loop[(fat + 1) * 512:(fat + 1) * 512 + 4] = (0).to_bytes(4, "little")
    loop[0x30:0x34] = (0).to_bytes(4, "little")  # the directory starting there
    with pytest.raises(FileProblem):
        formulas(bytes(loop), "Dữ liệu")
