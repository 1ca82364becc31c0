"""A petition's page: deadline and days left, and only the legal next steps as buttons."""

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from app import vn
from app.enums import Role
from app.services import auth
from tests.conftest import carry_csrf
from tests.ui.page_forms import assert_own_ids
from tests.factories import PASSWORD, make_petition, make_tree


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


@pytest.fixture
def clerk(server: str, db, tree) -> Iterator[httpx.Client]:
    with db() as s:
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    with httpx.Client(base_url=server, timeout=30) as client:
        assert client.post("/login", data={"username": "canbo", "password": PASSWORD}).status_code == 303
        carry_csrf(client)
        yield client


def test_walk_a_complaint_to_resolved(clerk, db, tree):
    received = vn.today() - timedelta(days=3)  # the page counts in Vietnam's date
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, received_date=str(received))
    page = clerk.get(f"/petitions/{p.id}").text
    assert "còn 7 ngày" in page  # ten days to accept, three gone
    assert 'value="accepted"' in page and 'value="resolved"' not in page
    today = vn.today().strftime("%d/%m/%Y")
    r = clerk.post(f"/petitions/{p.id}/steps", data={"to": "accepted", "date": today, "version": "1"})
    assert r.status_code == 303
    page = clerk.get(f"/petitions/{p.id}").text
    assert "Đã thụ lý" in page and "còn 30 ngày" in page and 'value="resolved"' in page
    r = clerk.post(f"/petitions/{p.id}/steps", data={"to": "resolved", "date": today, "outcome": "Đã trả lời"})
    assert r.status_code == 303
    page = clerk.get(f"/petitions/{p.id}").text
    assert "Hồ sơ đã kết thúc" in page and "Đã giải quyết" in page


def test_an_illegal_step_or_date_is_explained(clerk, db, tree):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, received_date="2024-03-10")
    bad = clerk.post(f"/petitions/{p.id}/steps", data={"to": "resolved", "date": "11/03/2024"})
    assert bad.status_code == 409 and "Không thể chuyển đơn" in bad.text
    early = clerk.post(f"/petitions/{p.id}/steps", data={"to": "accepted", "date": "01/03/2024"})
    assert early.status_code == 409 and "trước bước trước đó" in early.text


def test_overdue_is_marked_and_the_denouncer_stays_hidden(clerk, db, tree):
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03", petitioner_name="Người Kín")
    page = clerk.get(f"/petitions/{p.id}").text
    assert "quá hạn" in page and "được bảo mật" in page and "Người Kín" not in page
    assert "Gia hạn giải quyết" in page


def test_a_page_s_extension_of_a_changed_petition_is_refused_as_stale(clerk, db, tree):
    """The extension form carries the version it was read at, as the API's If-Match does: an
    extension pressed on a page left open while another clerk moved the petition is refused
    (412) and the page shows the petition as it now stands."""
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
    page = clerk.get(f"/petitions/{p.id}").text
    assert f'name="version" value="{p.version}"' in page.split('action="/petitions/')[2]
    moved = clerk.post(f"/petitions/{p.id}/steps", data={"to": "in_progress", "date": "04/01/2024",
                                                         "version": str(p.version)})
    assert moved.status_code == 303
    stale = clerk.post(f"/petitions/{p.id}/extend", data={"days": "30", "date": "05/01/2024",
                                                          "version": str(p.version)})
    assert stale.status_code == 412 and "Đang giải quyết" in stale.text
    assert "gia hạn 30 ngày" not in stale.text


@pytest.mark.parametrize(("page_path", "api_path", "form", "body"), [
    ("steps", "transitions", {"to": "in_progress", "date": "05/01/2024", "note": "Xác minh"},
     {"to": "in_progress", "date": "2024-01-05", "note": "Xác minh"}),
    ("extend", "extensions", {"days": "30", "date": "05/01/2024", "decision_no": "12/QĐ"},
     {"days": 30, "date": "2024-01-05", "decision_no": "12/QĐ"}),
])
def test_every_step_the_page_takes_checks_the_version_as_the_api_does(
        clerk, api, db, tree, page_path, api_path, form, body):
    """A step or an extension pressed on a page read before someone else changed the petition
    (here through the API) is refused as the API refuses a stale If-Match: 412, the same words
    (the record changed meanwhile), and nothing written."""
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
    read = str(p.version)
    assert f'name="version" value="{read}"' in clerk.get(f"/petitions/{p.id}").text
    changed = api.patch(f"/api/v1/petitions/{p.id}", json={"handler": "Cán bộ khác"},
                        headers={"If-Match": f'"{read}"'})
    assert changed.status_code == 200, changed.text
    by_api = api.post(f"/api/v1/petitions/{p.id}/{api_path}", json=body, headers={"If-Match": f'"{read}"'})
    by_page = clerk.post(f"/petitions/{p.id}/{page_path}", data={**form, "version": read})
    assert by_api.status_code == by_page.status_code == 412, by_page.text
    assert "đã được sửa" in by_api.json()["detail"] and by_api.json()["detail"] in by_page.text
    assert "Cán bộ khác" in by_page.text  # the petition as it now stands
    history = api.get(f"/api/v1/petitions/{p.id}/history").json()
    assert api.get(f"/api/v1/petitions/{p.id}").json()["status"] == "accepted"
    assert not history["steps"] and not history["extensions"], history


def test_a_refused_form_on_the_petition_page_keeps_the_pages_address(clerk, api, db, tree):
    """The petition page's step and extension forms go by htmx, as the model page's do: a
    refusal swaps the page's content in place with what was typed (the address stays
    /petitions/{id}, so a reload only reloads), an act taken loads the page anew, and a browser
    without script that opens a form's address again is led back to the page, not told 405.
    The page shown again still keeps the denouncer from a clerk."""
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03", petitioner_name="Người Kín")
    page = clerk.get(f"/petitions/{p.id}").text
    for act in ("steps", "extend"):
        form = re.search(rf'<form method="post" action="/petitions/{p.id}/{act}"[^>]*>', page)
        assert form and f'hx-post="/petitions/{p.id}/{act}"' in form[0], act
        assert 'hx-target="#main"' in form[0] and 'hx-swap="innerHTML"' in form[0]
    refused = {
        "steps": ({"to": "in_progress", "date": "hôm qua", "note": "Xác minh tại thôn"},
                  "Ngày không hợp lệ: nhập ngày/tháng/năm"),
        "extend": ({"days": "45", "date": "05/01/2024", "decision_no": "12/QĐ-UBND"},
                   "Mỗi lần gia hạn từ 1 đến 30 ngày."),
    }
    for act, (sent, words) in refused.items():
        r = clerk.post(f"/petitions/{p.id}/{act}", data={**sent, "version": str(p.version)},
                       headers={"HX-Request": "true"})
        assert r.status_code == 422 and words in r.text, r.text
        assert r.headers["HX-Retarget"] == "#main" and r.headers["HX-Reswap"] == "innerHTML"
        assert "<html" not in r.text and f'hx-post="/petitions/{p.id}/{act}"' in r.text
        assert not {"HX-Push-Url", "HX-Replace-Url", "HX-Location", "HX-Redirect"} & set(r.headers)
        for value in sent.values():
            if value != sent.get("to"):
                assert f'value="{value}"' in r.text, value  # what was typed, kept
        assert "được bảo mật" in r.text and "Người Kín" not in r.text
        back = clerk.get(f"/petitions/{p.id}/{act}", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == f"/petitions/{p.id}"
    assert api.get(f"/api/v1/petitions/{p.id}").json()["status"] == "accepted"
    r = clerk.post(f"/petitions/{p.id}/extend", headers={"HX-Request": "true"},
                   data={"days": "30", "date": "05/01/2024", "version": str(p.version)})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/petitions/{p.id}", r.text
    r = clerk.post(f"/petitions/{p.id}/steps", headers={"HX-Request": "true"},
                   data={"to": "in_progress", "date": "06/01/2024", "version": str(p.version + 1)})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/petitions/{p.id}", r.text
    assert api.get(f"/api/v1/petitions/{p.id}").json()["status"] == "in_progress"
    assert [e["days"] for e in api.get(f"/api/v1/petitions/{p.id}/history").json()["extensions"]] == [30]


def _deadline_row(page: str) -> str:
    """The facts table's deadline row (its header and cell), as text."""
    facts = page.split('class="grid compact facts"')[1].split("</table>")[0]
    return next(row for row in facts.split("<tr>") if "Hạn " in row.split("</th>")[0])


@pytest.mark.parametrize(("kind", "accept_law", "resolve_law"), [
    ("complaint", "Luật Khiếu nại 2011 Điều 27", "Luật Khiếu nại 2011 Điều 28"),
    ("denunciation", "Luật Tố cáo 2018 Điều 24", "Luật Tố cáo 2018 Điều 30"),
])
def test_the_deadline_is_to_accept_then_to_resolve_each_with_its_article(
        clerk, db, tree, kind, accept_law, resolve_law):
    """Before acceptance the page shows the ten days to accept as such ("Hạn thụ lý") with the
    acceptance article; after acceptance the time to resolve, with the resolution article.
    Both read services/petitions/rules.py."""
    received = vn.today() - timedelta(days=2)
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type=kind, received_date=str(received))
    row = _deadline_row(clerk.get(f"/petitions/{p.id}").text)
    assert "Hạn thụ lý" in row and "Hạn giải quyết" not in row
    assert accept_law in row and resolve_law not in row and "10 ngày kể từ ngày nhận đơn" in row
    assert (received + timedelta(days=10)).strftime("%d/%m/%Y") in row
    r = clerk.post(f"/petitions/{p.id}/steps", data={
        "to": "accepted", "date": vn.today().strftime("%d/%m/%Y"), "version": str(p.version)})
    assert r.status_code == 303
    row = _deadline_row(clerk.get(f"/petitions/{p.id}").text)
    assert "Hạn giải quyết" in row and "Hạn thụ lý" not in row
    assert resolve_law in row and accept_law not in row and "30 ngày kể từ ngày thụ lý" in row
    assert (vn.today() + timedelta(days=30)).strftime("%d/%m/%Y") in row


def test_each_field_of_the_page_has_its_own_id(clerk, db, tree):
    """The step and the extension forms both have a date: each label names its own field
    (a shared id sent the extension's label to the step's date)."""
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, type="denunciation", received_date="2024-01-02",
                          status="accepted", accepted_date="2024-01-03")
    page = clerk.get(f"/petitions/{p.id}").text
    assert 'action="/petitions/%d/extend"' % p.id in page  # both forms are there
    assert_own_ids(page)
