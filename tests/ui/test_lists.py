"""Record lists: sorted by a click on a column header, both ways; a sort that is unknown, or by
a confidential field for someone below manager, falls back to the default order."""

import re

import pytest

from app.services import registry
from tests.factories import make_contribution, make_petition, make_recognition, make_tree


@pytest.fixture
def clerk(sign_in, db):
    with db() as s:
        t = make_tree(s)
        for amount in (3_000_000, 1_000_000, 2_000_000):
            make_contribution(s, unit_id=t.ham_tri, amount_vnd=amount)
        make_petition(s, unit_id=t.ham_tri, type="denunciation", petitioner_name="Phạm Văn Tố")
    return sign_in("canbo")


def _amounts(html: str) -> list[str]:
    return re.findall(r'<td class="num">(\d\.000\.000)</td>', html)


def test_a_column_header_sorts_and_sorts_back(clerk):
    page = clerk.get("/contributions").text
    link = re.search(r'<a class="sort" href="([^"]+)"[^>]*>Số tiền \(đồng\)', page).group(1)
    up = clerk.get(link.replace("&amp;", "&"))
    assert _amounts(up.text) == ["1.000.000", "2.000.000", "3.000.000"]
    assert 'aria-sort="ascending"' in up.text
    back = re.search(r'<a class="sort" href="([^"]+)"[^>]*>Số tiền \(đồng\) ▲', up.text).group(1)
    down = clerk.get(back.replace("&amp;", "&"))
    assert _amounts(down.text) == ["3.000.000", "2.000.000", "1.000.000"]


def test_an_unusable_sort_falls_back(clerk):
    r = clerk.get("/contributions?sort=khong_co")
    assert r.status_code == 200 and "Không sắp xếp được" in r.text and len(_amounts(r.text)) == 3
    page = clerk.get("/petitions").text
    assert 'title="Sắp xếp theo cột này">Người gửi' not in page  # no sorting by a hidden name
    r = clerk.get("/petitions?sort=petitioner_name")
    assert r.status_code == 200 and "Không sắp xếp được" in r.text
    assert "Phạm Văn Tố" not in r.text


def test_a_list_downloads_with_its_filters(clerk):
    page = clerk.get("/contributions?source=people").text
    link = re.search(r'<a href="(/contributions\.csv[^"]*)" download>CSV', page).group(1)
    r = clerk.get(link.replace("&amp;", "&"))
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    assert r.content.decode("utf-8-sig").count("\r\n") == 4  # the header and three gifts
    xlsx = clerk.get("/petitions.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "Phạm Văn Tố".encode() not in clerk.get("/petitions.csv").content


@pytest.mark.parametrize("path", [r.name for r in registry.RESOURCES])
def test_a_list_page_names_each_element_once(clerk, path):
    """The filters and the entry form both have a unit, a source…: each keeps its own id, so
    a label, a picker's hx-include and a message's aria-describedby find the right element."""
    ids = re.findall(r'\sid="([^"]+)"', clerk.get(f"/{path}").text)
    assert [i for i in set(ids) if ids.count(i) > 1] == []


def test_a_bad_filter_is_named_and_the_others_still_apply(clerk, db):
    """One invalid filter leaves only itself out: dates typed the wrong way round must not
    show every record, and the notice says which filter was dropped."""
    r = clerk.get("/contributions?date_from=31/12/2026&date_to=01/01/2026&source=people")
    assert r.status_code == 200
    assert "Bộ lọc không hợp lệ, đã bỏ qua: Từ ngày, Đến ngày." in r.text
    r = clerk.get("/contributions?date_from=hôm qua&q=khong-co-ai")
    assert "đã bỏ qua: Từ ngày." in r.text and "0 bản ghi" in r.text  # the search still applies
    assert _amounts(clerk.get("/contributions?date_from=31/13/2020").text) == _amounts(
        clerk.get("/contributions").text)


def test_a_text_filter_of_several_values_takes_one(sign_in, db):
    """A report's link to recognitions carries one title: it filters, not drops."""
    with db() as s:
        t = make_tree(s)
        make_recognition(s, unit_id=t.ham_tri)
        make_recognition(s, unit_id=t.ham_tri, title="cultural_village")
    clerk = sign_in("canbo")
    r = clerk.get("/recognitions?title=new_rural_commune&date_from=2016-01-01&date_to=2020-12-31")
    assert "không hợp lệ" not in r.text
    assert "1 bản ghi" in r.text
    assert 'value="01/01/2016"' in r.text  # a link's ISO date shown as the pages write dates
