"""Every page's own GET forms (filter bars, pickers) answer 200 when pressed as a browser
presses them: with their defaults, blank fields included, and with each option of each picker.
The pages are found by following the links the pages show, so a new page is covered too."""

import re
from urllib.parse import urlsplit

import httpx
import pytest

from app.enums import Role
from tests.factories import (make_commendation, make_contribution, make_land_donation, make_model,
                             make_petition, make_recognition, make_target, make_tree, make_work)
from tests.ui.page_forms import Form, read

SKIP = re.compile(r"\.(docx|xlsx|csv)$|^/(static|docs|screen)/|^/docs$|^/api/")
MAX_PAGES, MAX_OPTIONS = 120, 6


@pytest.fixture
def records(db):
    with db() as s:
        tree = make_tree(s)
        work = make_work(s, unit_id=tree.ham_tri)
        make_contribution(s, unit_id=tree.ham_tri, work_id=work.id)
        make_land_donation(s, unit_id=tree.ham_tri, work_id=work.id)
        make_model(s, unit_id=tree.ham_tri)
        make_petition(s, unit_id=tree.ham_tri)
        make_commendation(s, unit_id=tree.ham_tri)
        make_target(s, unit_id=tree.ham_tri)
        make_recognition(s, unit_id=tree.ham_tri)
    return tree


def _shape(url: str) -> str:
    return re.sub(r"/\d+", "/N", urlsplit(url).path)


def crawl(client: httpx.Client) -> dict[str, tuple[str, str]]:
    """Each kind of page (its path, ids aside) reached once by following the pages' links,
    from the dashboard: {path: (url, html)}."""
    start = str(client.base_url).rstrip("/") + "/dashboard"
    queue, seen, found = [start], {_shape(start)}, {}
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        r = client.get(url, follow_redirects=True)
        assert r.status_code == 200, f"{url} → {r.status_code}"
        if not r.headers["content-type"].startswith("text/html"):
            continue
        found[urlsplit(url).path] = (str(r.url), r.text)
        for link in read(str(r.url), r.text)[0]:
            if not SKIP.search(urlsplit(link).path) and _shape(link) not in seen:
                seen.add(_shape(link))
                queue.append(link)
    return found


def _submissions(form: Form) -> list[list[tuple[str, str]]]:
    tries = [form.defaults()]
    for s in form.selects:
        tries += [form.defaults(**{s.name: o}) for o in s.options[:MAX_OPTIONS]]
    return tries


@pytest.mark.parametrize("role", [Role.admin, Role.clerk, Role.viewer])
def test_every_get_form_answers_with_its_defaults(sign_in, records, role):
    client = sign_in(f"u-{role.value}", role, None if role is Role.admin else "T-HT")
    pages = crawl(client)
    assert {"/dashboard", "/reports/summary", "/works"} <= set(pages), sorted(pages)
    pressed = 0
    for page, (url, html) in pages.items():
        for form in (f for f in read(url, html)[1] if f.method == "get"):
            for pairs in _submissions(form):
                r = client.get(form.action, params=pairs)
                assert r.status_code == 200, f"{page}: {r.request.url} → {r.status_code} {r.text[:300]}"
                pressed += 1
    assert pressed > 20


def test_a_blank_field_is_a_field_not_given(sign_in, records):
    client = sign_in("lanhdao", Role.manager, "T-HTB")
    blank = client.get("/dashboard", params={"unit_id": records.ham_tri, "year": ""})
    assert blank.status_code == 200 and "Hàm Trí" in blank.text
    report = client.get("/reports/summary", params={"unit_id": "", "preset": "2016-2020",
                                                      "date_from": "", "date_to": " "})
    assert report.status_code == 200 and "31/12/2020" in report.text
    # Not blank, still wrong: still refused.
    assert client.get("/dashboard", params={"year": "năm nay"}).status_code == 422


def test_the_period_pickers_choice_wins_over_dates_left_in_the_form(sign_in, records):
    client = sign_in("lanhdao", Role.manager, "T-HTB")
    left = {"date_from": "2020-01-01", "date_to": "2020-06-30"}
    chosen = client.get("/reports/summary", params={"preset": "2019", **left})
    assert chosen.status_code == 200 and "từ 01/01/2019 đến 31/12/2019" in chosen.text
    own = client.get("/reports/summary", params={"preset": "custom", **left})
    assert "từ 01/01/2020 đến 30/06/2020" in own.text
    assert '<option value="custom" selected>' in own.text  # shown as chosen, sent again as is
    assert "từ 01/01/2020 đến 30/06/2020" in client.get("/reports/summary", params=left).text
    assert "từ 01/01/2016 đến 31/12/2020" in client.get("/reports/summary?preset=custom").text
