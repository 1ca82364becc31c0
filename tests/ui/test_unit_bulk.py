"""The tree page's bulk changes, as a browser without script sends them (plain form posts with
the page's CSRF field): a district manager ticks villages and marks them remote, or not; adds
a commune's villages one per line; one bad line saves nothing and every bad line is told."""

import html
import json
import re

import httpx
import pytest
from sqlmodel import select

from app.db.audit import AuditEntry
from app.db.units import Unit
from app.enums import Role
from tests.factories import make_tree, make_unit


@pytest.fixture
def tree(db):
    with db() as s:
        t = make_tree(s)
        make_unit(s, code="T-HT.01", name="Thôn Trung", level="village", kind="thon",
                  parent_id=t.ham_tri)
        return t


@pytest.fixture
def manager(sign_in, tree) -> httpx.Client:
    return sign_in("lanhdao.htb", Role.manager, "T-HTB")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)


def _plain(client: httpx.Client, url: str, data) -> httpx.Response:
    """A post as a browser without script sends it: the CSRF field, no htmx headers."""
    page = client.get("/units")
    headers = {k: v for k, v in client.headers.items() if k.lower() != "x-csrf-token"}
    form: dict[str, list[str]] = {}
    for k, v in [("csrf", _csrf(page.text)), *data]:
        form.setdefault(k, []).append(v)
    return httpx.post(f"{client.base_url}{url}", data=form, cookies=client.cookies,
                      headers=headers, timeout=30)


def _row(page: str, uid: int) -> str:
    match = re.search(rf'<tr id="units-{uid}".*?</tr>', page, re.S)
    assert match, f"no row of unit {uid}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(0)))


def _villages(db, commune: int) -> dict[str, str]:
    with db() as s:
        return {u.code: u.name for u in s.exec(select(Unit).where(Unit.parent_id == commune))}


def test_a_manager_ticks_villages_and_marks_them_remote(manager, tree, db):
    page = manager.get("/units").text
    # A row offers a tick where the manager may edit the unit: not the district itself.
    assert f'name="ids" value="{tree.lam_giang}"' in page
    assert f'name="ids" value="{tree.district}"' not in page
    assert "Đánh dấu vùng sâu, vùng xa" in page and "Bỏ đánh dấu" in page
    r = _plain(manager, "/units/remote", [("ids", str(tree.lam_giang)), ("ids", str(tree.thon_1)),
                                           ("remote", "1")])
    assert r.status_code == 200, r.text
    assert "Đã đánh dấu vùng sâu, vùng xa: Lâm Giang, Thôn 1." in html.unescape(r.text)
    assert "vùng sâu, vùng xa" in _row(r.text, tree.lam_giang)
    assert "vùng sâu, vùng xa" in _row(r.text, tree.thon_1)
    assert "vùng sâu, vùng xa" not in _row(r.text, tree.ham_tri)
    with db() as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.resource == "units",
                                                  AuditEntry.action == "update")).all()
        assert sorted(e.record_id for e in entries) == sorted([tree.lam_giang, tree.thon_1])
        assert all(json.loads(e.changes) == {"remote": [False, True]} for e in entries)
    r = _plain(manager, "/units/remote", [("ids", str(tree.thon_1)), ("remote", "0")])
    assert r.status_code == 200 and "Đã bỏ đánh dấu vùng sâu, vùng xa: Thôn 1." in html.unescape(r.text)
    assert "vùng sâu, vùng xa" not in _row(r.text, tree.thon_1)
    assert "vùng sâu, vùng xa" in _row(r.text, tree.lam_giang)


def test_one_unit_outside_the_subtree_and_nothing_is_marked(sign_in, tree, db):
    commune_manager = sign_in("lanhdao.ht", Role.manager, "T-HT")
    r = _plain(commune_manager, "/units/remote", [("ids", str(tree.lam_giang)),
                                                  ("ids", str(tree.thon_1)), ("remote", "1")])
    assert r.status_code == 422, r.text
    text = html.unescape(r.text)
    assert "Không lưu gì: 1 đơn vị có lỗi" in text
    assert f"Đơn vị số {tree.thon_1}: " in text and "Thôn 1" not in text  # not named: unseen
    with db() as s:
        assert not s.get(Unit, tree.lam_giang).remote  # all or nothing
    # Nothing ticked: told so.
    r = _plain(commune_manager, "/units/remote", [("remote", "1")])
    assert r.status_code == 422 and "Chưa chọn đơn vị nào" in html.unescape(r.text)


def test_a_viewer_gets_no_ticks_and_may_not_post(sign_in, tree):
    viewer = sign_in("xem.htb", Role.viewer, "T-HTB")
    page = viewer.get("/units").text
    assert 'name="ids"' not in page and "+ thôn" not in page
    r = viewer.post("/units/remote", data={"ids": str(tree.lam_giang), "remote": "1"})
    assert r.status_code == 403


def test_without_the_csrf_field_nothing_is_marked(manager, tree, db):
    headers = {k: v for k, v in manager.headers.items() if k.lower() != "x-csrf-token"}
    r = httpx.post(f"{manager.base_url}/units/remote", cookies=manager.cookies, headers=headers,
                   data={"ids": str(tree.lam_giang), "remote": "1"})
    assert r.status_code == 403
    with db() as s:
        assert not s.get(Unit, tree.lam_giang).remote


def test_three_villages_by_lines(manager, tree, db):
    page = manager.get("/units").text
    assert f'href="/units/{tree.ham_tri}/villages"' in page
    form = manager.get(f"/units/{tree.ham_tri}/villages")
    assert form.status_code == 200 and "Thêm thôn vào Hàm Trí" in form.text
    lines = "Thôn Đông\n\n  Thôn Tây  \nT-HT-NAM;Thôn Nam\n"
    r = _plain(manager, f"/units/{tree.ham_tri}/villages", [("kind", "thon"), ("lines", lines)])
    assert r.status_code == 200, r.text
    assert "Đã thêm 3 thôn vào Hàm Trí: Thôn Đông, Thôn Tây, Thôn Nam." in html.unescape(r.text)
    made = _villages(db, tree.ham_tri)
    # Numbered after the commune's highest (T-HT.01 is taken), a given code kept.
    assert made == {"T-LG": "Lâm Giang", "T-HT.01": "Thôn Trung", "T-HT.02": "Thôn Đông",
                    "T-HT.03": "Thôn Tây", "T-HT-NAM": "Thôn Nam"}
    for code in ("T-HT.02", "T-HT-NAM"):
        assert "Thôn" in _row(r.text, _ids(db, code)[0])
    with db() as s:
        created = s.exec(select(AuditEntry).where(AuditEntry.resource == "units",
                                                  AuditEntry.action == "create",
                                                  AuditEntry.username == "lanhdao.htb")).all()
        assert len(created) == 3  # one entry per village, by the manager


def _ids(db, code: str) -> list[int]:
    with db() as s:
        return [u.id for u in s.exec(select(Unit).where(Unit.code == code))]


def test_an_error_line_saves_nothing_and_each_is_told(manager, tree, db):
    lines = "Thôn Đông\nT-LG;Thôn trùng mã\nbad code!;Thôn Lạ\n" + "Thôn " + "x" * 300
    r = _plain(manager, f"/units/{tree.ham_tri}/villages", [("kind", "thon"), ("lines", lines)])
    assert r.status_code == 422, r.text
    text = html.unescape(re.sub(r"<[^>]+>", " ", r.text))
    assert "Không lưu gì: 3 dòng có lỗi" in text
    assert "Dòng 2 (“Thôn trùng mã”): Mã đơn vị: Mã 'T-LG' đang là mã của 'Lâm Giang'" in text
    assert "Dòng 3 (“Thôn Lạ”): Mã đơn vị:" in text
    assert "Dòng 4 (“Thôn xxxxxxxxxx…”): Tên đơn vị: Quá dài: tối đa 200 ký tự" in text
    assert "Dòng 1" not in text
    assert "Thôn Đông\nT-LG;Thôn trùng mã" in html.unescape(r.text)  # the lines kept as typed
    assert set(_villages(db, tree.ham_tri)) == {"T-LG", "T-HT.01"}  # nothing saved


def test_villages_only_under_a_commune_in_the_subtree(sign_in, manager, tree, db):
    r = manager.post(f"/units/{tree.province}/villages", data={"lines": "Thôn A"})
    assert r.status_code == 404  # above the manager's district: not even seen
    r = manager.post(f"/units/{tree.district}/villages", data={"lines": "Thôn A"})
    assert r.status_code == 422 and "“Hàm Thuận Bắc” là huyện" in html.unescape(r.text)
    r = manager.post(f"/units/{tree.lam_giang}/villages", data={"lines": "Thôn A"})
    assert r.status_code == 422 and "Chỉ thêm thôn vào một xã" in html.unescape(r.text)
    r = manager.post(f"/units/{tree.ham_tri}/villages", data={"lines": "  \n"})
    assert r.status_code == 422 and "Hãy gõ tên các thôn" in html.unescape(r.text)
    other = sign_in("lanhdao.hl", Role.manager, "T-HL")
    assert other.get(f"/units/{tree.ham_tri}/villages").status_code == 404
    assert other.post(f"/units/{tree.ham_tri}/villages", data={"lines": "Thôn A"}).status_code == 404
    assert set(_villages(db, tree.ham_tri)) == {"T-LG", "T-HT.01"}


def test_with_htmx_the_tree_and_the_panel_swap_in_place(manager, tree):
    hx = {"HX-Request": "true"}
    r = manager.post("/units/remote", headers=hx, data={"ids": str(tree.lam_giang), "remote": "1"})
    assert r.status_code == 200 and "<html" not in r.text and r.text.lstrip().startswith('<div id="list"')
    panel = manager.get(f"/units/{tree.ham_tri}/villages", headers=hx)
    assert panel.text.lstrip().startswith('<form id="entry-form"') and "<html" not in panel.text
    r = manager.post(f"/units/{tree.ham_tri}/villages", headers=hx, data={"lines": "Thôn Bắc"})
    assert r.status_code == 200 and r.headers["HX-Retarget"] == "#list"
    assert 'hx-swap-oob="true"' in r.text and "Đã thêm 1 thôn vào Hàm Trí" in html.unescape(r.text)
