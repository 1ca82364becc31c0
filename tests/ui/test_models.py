"""The models page and its htmx form, over real HTTP with a signed-in session cookie."""

import re
from collections.abc import Iterator

import httpx
import pytest

from app.enums import Role
from app.services import auth
from tests.conftest import carry_csrf
from tests.ui.page_forms import assert_own_ids
from tests.factories import PASSWORD, make_model, make_tree

HX = {"HX-Request": "true"}


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


@pytest.fixture
def clerk(server: str, db, tree) -> Iterator[httpx.Client]:
    with db() as s:
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    with httpx.Client(base_url=server, timeout=30) as client:
        r = client.post("/login", data={"username": "canbo", "password": PASSWORD, "next": "/models"})
        assert r.status_code == 303 and r.headers["location"] == "/models"
        carry_csrf(client)
        yield client


def test_pages_ask_to_sign_in(anon):
    r = anon.get("/models")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/models"
    assert "Đăng nhập" in anon.get("/login").text


def test_wrong_password_says_so_without_naming_the_cause(anon, db, tree):
    with db() as s:
        auth.create_user(s, username="canbo2", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    for name in ("canbo2", "khong-co"):
        r = anon.post("/login", data={"username": name, "password": "sai-mat-khau"})
        assert r.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu." in r.text


def test_list_shows_only_the_clerks_subtree(clerk, db, tree):
    with db() as s:
        make_model(s, name="Đội dân phòng", unit_id=tree.lam_giang)
        make_model(s, name="Mô hình của xã khác", unit_id=tree.ham_lien)
    page = clerk.get("/models").text
    assert "Đội dân phòng" in page
    assert "Mô hình của xã khác" not in page
    assert 'src="/static/vendor/htmx-2.0.11.min.js"' in page


def _form(unit_id: int, **kw: str) -> dict[str, str]:
    return {"name": "Chức sắc tham gia giữ gìn an ninh – trật tự", "unit_id": str(unit_id),
            "kind": "collective", "field": "defense_security", "org_type": "fatherland_front",
            "org_name": "", "start_date": "01/05/2017", "end_date": "", "members": "27",
            "status": "registered", "description": "", "results": "", **kw}


def test_invalid_form_comes_back_in_place_with_values_kept(clerk, tree):
    r = clerk.post("/models", data=_form(tree.lam_giang, members="-3", start_date="1900-01-01"),
                   headers=HX)
    assert r.status_code == 422
    assert r.text.lstrip().startswith('<form id="entry-form"')
    assert "Không được nhỏ hơn 0." in r.text
    assert "01/01/1990" in r.text  # the date range is named
    assert 'value="-3"' in r.text
    assert "Chức sắc tham gia giữ gìn an ninh – trật tự" in r.text
    assert 'id="models-' not in clerk.get("/models").text  # no row: nothing saved


def test_valid_form_updates_the_list_without_reload(clerk, tree):
    r = clerk.post("/models", data=_form(tree.lam_giang), headers=HX)
    assert r.status_code == 200
    assert r.headers["HX-Retarget"] == "#list"
    assert '<div id="list">' in r.text
    assert "Chức sắc tham gia giữ gìn an ninh – trật tự" in r.text
    assert 'hx-swap-oob="true"' in r.text  # a fresh form replaces the filled one
    assert "Đã lưu mô hình" in r.text


def test_unit_outside_the_subtree_is_refused_on_the_form(clerk, tree):
    r = clerk.post("/models", data=_form(tree.ham_lien), headers=HX)
    assert r.status_code == 403
    assert "ngoài phạm vi" in r.text


def test_edit_with_a_stale_version_shows_a_conflict(clerk, db, tree):
    with db() as s:
        model = make_model(s, name="Đội dân phòng", unit_id=tree.lam_giang)
    form = clerk.get(f"/models/{model.id}/edit", headers=HX).text
    assert re.search(r'name="version" value="1"', form)
    ok = clerk.post(f"/models/{model.id}", data=_form(tree.lam_giang, name="Đội dân phòng thôn",
                                                      version="1"), headers=HX)
    assert ok.status_code == 200 and "Đội dân phòng thôn" in ok.text
    stale = clerk.post(f"/models/{model.id}", data=_form(tree.lam_giang, name="Ghi đè", version="1"),
                       headers=HX)
    assert stale.status_code == 412
    assert "hãy tải lại" in stale.text
    assert "Ghi đè" not in clerk.get("/models").text


def test_a_form_without_the_csrf_token_is_refused(clerk, tree):
    token = clerk.headers.pop("X-CSRF-Token")
    try:
        r = clerk.post("/models", data=_form(tree.lam_giang), headers=HX)
        assert r.status_code == 403
        forged = clerk.post("/models", data={**_form(tree.lam_giang), "csrf": "0" * 64})
        assert forged.status_code == 403
        assert clerk.post("/models", data={**_form(tree.lam_giang), "csrf": token}).status_code == 200
    finally:
        clerk.headers["X-CSRF-Token"] = token
    assert clerk.get("/models").text.count("Chức sắc tham gia") == 1


def test_edit_form_shows_the_history_and_an_approved_period_refuses(clerk, api, db, tree):
    with db() as s:
        model = make_model(s, name="Đội dân phòng", unit_id=tree.lam_giang, start_date="2019-05-01")
    ok = clerk.post(f"/models/{model.id}", data=_form(tree.lam_giang, name="Đội dân phòng thôn",
                                                      start_date="2019-05-01", version="1"), headers=HX)
    assert ok.status_code == 200
    form = clerk.get(f"/models/{model.id}/edit", headers=HX).text
    assert "Lịch sử thay đổi" in form and "canbo" in form and "Đội dân phòng thôn" in form
    assert api.post("/api/v1/approvals", json={"unit_id": tree.ham_tri, "period_start": "2019-01-01",
                                               "period_end": "2019-12-31"}).status_code == 201
    locked = clerk.post(f"/models/{model.id}", data=_form(tree.lam_giang, name="Sửa sau phê duyệt",
                                                          start_date="2019-05-01", version="2"),
                        headers=HX)
    assert locked.status_code == 409 and "đã được phê duyệt" in locked.text
    assert "đã phê duyệt 01/01/2019–31/12/2019" in clerk.get("/units").text


def test_the_model_page_offers_each_user_the_steps_they_may_take(sign_in, db, tree):
    """The view asks the workflow (`evaluations.STEPS`, `MANAGER_STEPS`) and the actor's scope;
    the template compares no status: a clerk may discontinue an evaluated model, only a
    manager may conclude it is not recognised or recognise it."""
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, status="evaluated")
    clerk = sign_in("canbo.buoc", Role.clerk).get(f"/models/{m.id}").text
    assert 'value="discontinued"' in clerk and "Ngừng thực hiện" in clerk
    assert 'value="not_recognized"' not in clerk and f'action="/models/{m.id}/recognize"' not in clerk
    manager = sign_in("lanhdao.buoc", Role.manager).get(f"/models/{m.id}").text
    assert 'value="not_recognized"' in manager and "Kết luận không công nhận" in manager
    assert f'action="/models/{m.id}/recognize"' in manager
    viewer = sign_in("xem.buoc", Role.viewer).get(f"/models/{m.id}").text
    assert f'action="/models/{m.id}/step"' not in viewer and "/recognize" not in viewer


def test_each_field_of_the_model_page_has_its_own_id(sign_in, db, tree):
    """The step, the score sheet and the recognition each have a date: each label names its
    own field (a shared id sent 'Ngày đánh giá' and 'Ngày quyết định' to the step's date)."""
    with db() as s:
        scored = make_model(s, unit_id=tree.ham_tri, status="in_progress")
        evaluated = make_model(s, unit_id=tree.ham_tri, status="evaluated")
    manager = sign_in("lanhdao.ids", Role.manager)
    for m, act in ((scored, "evaluate"), (evaluated, "recognize")):
        page = manager.get(f"/models/{m.id}").text
        assert f'action="/models/{m.id}/step"' in page and f'action="/models/{m.id}/{act}"' in page
        assert_own_ids(page)


def test_a_refused_score_sheet_comes_back_filled(sign_in, db, tree):
    """One score over its maximum: the page says so and keeps every score, the date and the
    note that were typed, so only that one is typed again."""
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, status="in_progress")
    manager = sign_in("lanhdao.cham", Role.manager)
    page = manager.get(f"/models/{m.id}").text
    names = re.findall(r'name="(score_\d+)"', page)
    maxima = [float(x) for x in re.findall(r"\(tối đa ([\d.]+)\)", page)]
    form = {n: str(int(top) - 1) for n, top in zip(names, maxima)}
    form[names[-1]] = str(int(maxima[-1]) + 10)
    form.update(date="05/12/2019", note="Nhận xét của đoàn")
    r = manager.post(f"/models/{m.id}/evaluate", data=form)
    assert r.status_code == 422 and "từ 0 đến" in r.text
    for n in names:
        assert re.search(rf'name="{n}" type="text" value="{form[n]}"', r.text), n
    assert 'value="05/12/2019"' in r.text and "Nhận xét của đoàn</textarea>" in r.text
    # The message sits beside the score it is about, which is marked for the screen reader.
    over = names[-1]
    assert re.search(rf'name="{over}" type="text" value="[^"]*" required aria-invalid="true"', r.text)
    assert len(re.findall(r'aria-invalid="true"', r.text)) == 1
    assert re.search(r'<small class="error" role="alert" id="e-[^"]+">Điểm tiêu chí', r.text)
    banner = re.search(r'<p class="notice error"[^>]*>(.*?)</p>', r.text, re.S)
    assert banner and banner[1].strip().startswith("Điểm tiêu chí"), banner  # no API name


def test_a_refused_form_on_the_model_page_keeps_the_pages_address(sign_in, api, db, tree):
    """The model page's forms go by htmx: a refusal swaps the page's content in place (the
    address stays /models/{id}, so a reload only reloads), a step taken loads the page anew;
    a browser without script that opens a form's address again is led back to the page."""
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, status="in_progress")
    manager = sign_in("lanhdao.tailai", Role.manager)
    page = manager.get(f"/models/{m.id}").text
    for act in ("step", "evaluate"):
        form = re.search(rf'<form method="post" action="/models/{m.id}/{act}"[^>]*>', page)
        assert form and f'hx-post="/models/{m.id}/{act}"' in form[0] and 'hx-target="#main"' in form[0]
    names = re.findall(r'name="(score_\d+)"', page)
    sheet = {n: "1000" for n in names} | {"date": "05/12/2019"}
    r = manager.post(f"/models/{m.id}/evaluate", data=sheet, headers={"HX-Request": "true"})
    assert r.status_code == 422 and "từ 0 đến" in r.text
    assert r.headers["HX-Retarget"] == "#main" and r.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in r.text and f'hx-post="/models/{m.id}/evaluate"' in r.text  # the content
    assert not {"HX-Push-Url", "HX-Replace-Url", "HX-Location", "HX-Redirect"} & set(r.headers)
    assert 'value="05/12/2019"' in r.text
    for act in ("step", "evaluate", "recognize"):  # without script: the address opened again
        back = manager.get(f"/models/{m.id}/{act}", follow_redirects=False)
        assert back.status_code == 303 and back.headers["location"] == f"/models/{m.id}"
    r = manager.post(f"/models/{m.id}/step", data={"to": "discontinued", "date": "05/12/2019"},
                     headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/models/{m.id}"
    assert api.get(f"/api/v1/models/{m.id}").json()["status"] == "discontinued"
