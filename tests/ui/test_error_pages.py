"""Every error page of the site (404, 405, 403, 500…) is in Vietnamese, keeps the menu for a
signed-in visitor and offers a way back; the JSON API still answers problem+json."""

import httpx
import pytest

from app.enums import Role
from tests.factories import make_tree

ENGLISH = ("Not Found", "Method Not Allowed", "Forbidden", "Internal Server Error", "Error")


@pytest.fixture
def clerk(sign_in, db) -> httpx.Client:
    with db() as s:
        make_tree(s)
    return sign_in("canbo", Role.clerk, "T-HT")


def _main(html: str) -> str:
    return html.split('<main id="main"')[1].split(">", 1)[1].split("</main>")[0]


def _is_vietnamese_page(r: httpx.Response, status: int, title: str) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    main = _main(r.text)
    assert f"<h1 id=\"error-title\">{title}</h1>" in main and f"Lỗi {status}" in main
    assert not [w for w in ENGLISH if f">{w}<" in main or f"<p>{w}</p>" in main], main
    return main


def test_a_missing_page_is_said_in_vietnamese_with_the_menu_and_a_way_back(clerk, server):
    r = clerk.get("/khong-co-trang-nay", headers={"Referer": f"{server}/petitions?q=tran"})
    main = _is_vietnamese_page(r, 404, "Không tìm thấy trang")
    assert "Not Found" not in r.text
    assert 'aria-label="Chức năng"' in r.text and "canbo" in r.text  # the menu, signed in
    assert 'href="/petitions?q=tran"' in main and "Quay lại trang trước" in main
    assert 'href="/dashboard"' in main


def test_a_missing_record_keeps_its_own_words(clerk):
    r = clerk.get("/petitions/999999")
    main = _is_vietnamese_page(r, 404, "Không tìm thấy")
    assert "đơn thư số 999999" in main and 'aria-label="Chức năng"' in r.text


def test_a_method_a_page_does_not_take(clerk):
    r = clerk.put("/petitions")
    _is_vietnamese_page(r, 405, "Thao tác không dùng được ở đây")
    assert 'aria-label="Chức năng"' in r.text and "Allow" in r.headers


def test_a_refusal(clerk):
    r = clerk.get("/screens")  # managers' page
    _is_vietnamese_page(r, 403, "Không có quyền")
    assert 'aria-label="Chức năng"' in r.text


def test_an_unexpected_error(clerk, monkeypatch):
    from app.ui import dashboard

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard.dashboards, "live", broken)
    r = clerk.get("/dashboard")
    main = _is_vietnamese_page(r, 500, "Lỗi hệ thống")
    assert "boom" not in r.text and "Traceback" not in r.text
    assert 'aria-label="Chức năng"' in r.text and 'href="/dashboard"' in main


def test_signed_out_no_menu_a_way_to_sign_in_and_no_foreign_back_link(server, db):
    r = httpx.get(f"{server}/khong-co", headers={"Referer": "https://example.org/x"})
    main = _is_vietnamese_page(r, 404, "Không tìm thấy trang")
    assert 'aria-label="Chức năng"' not in r.text
    assert 'href="/login"' in main and "example.org" not in main


def test_the_api_still_answers_problem_json(clerk, server):
    r = httpx.get(f"{server}/api/v1/khong-co")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404


def test_a_form_over_the_size_limit_gets_a_page_not_json(clerk):
    """A clerk who pastes a megabyte into a note sees a page in Vietnamese with the menu; a
    client of the API gets problem+json, declared length or chunked alike."""
    form = {"unit_id": "1", "source": "people", "kind": "cash", "date": "01/02/2024",
            "note": "x" * 1_100_000}
    r = clerk.post("/contributions", data=form)
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "vượt quá 1000 kB" in _main(r.text) and 'aria-label="Chức năng"' in r.text
    api = clerk.post("/api/v1/contributions", content=b"{" + b" " * 1_100_000 + b"}",
                     headers={"Content-Type": "application/json"})
    assert api.status_code == 413 and api.headers["content-type"] == "application/problem+json"
    chunked = clerk.post("/api/v1/contributions", content=iter([b" " * 600_000] * 2),
                         headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413 and "vượt quá" in chunked.json()["detail"]
