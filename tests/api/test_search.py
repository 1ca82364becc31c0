"""Searching lists without diacritics, on both databases."""

from tests.factories import make_contribution, make_model, make_petition, make_tree


def test_search_without_diacritics(api, db):
    with db() as s:
        tree = make_tree(s)
        make_model(s, name="Đội dân phòng Lâm Giang", unit_id=tree.lam_giang, org_name="Nguyễn Văn Đức")
        make_model(s, name="Trồng thanh long", unit_id=tree.ham_tri)
    for q in ("nguyen van", "NGUYỄN văn", "doi dan phong", "lam giang duc"):
        items = api.get("/api/v1/models", params={"q": q}).json()["items"]
        assert [m["name"] for m in items] == ["Đội dân phòng Lâm Giang"], q
    assert api.get("/api/v1/units", params={"q": "ham tri"}).json()["items"][0]["name"] == "Hàm Trí"
    assert api.get("/api/v1/models", params={"q": "khong co"}).json()["total"] == 0


def test_search_follows_edits(api, db):
    """(Who finds a petitioner by name is tests/api/test_petition_search.py.)"""
    with db() as s:
        tree = make_tree(s)
        m = make_model(s, name="Tổ hòa giải", unit_id=tree.ham_tri)
        make_petition(s, unit_id=tree.ham_tri, type="denunciation", subject="Tố cáo sai phạm",
                      petitioner_name="Trần Thị Kín")
    api.patch(f"/api/v1/models/{m.id}", json={"name": "Tổ tự quản an ninh"})
    assert api.get("/api/v1/models", params={"q": "tu quan"}).json()["total"] == 1
    assert api.get("/api/v1/models", params={"q": "hoa giai"}).json()["total"] == 0
    assert api.get("/api/v1/petitions", params={"q": "to cao sai pham"}).json()["total"] == 1


def test_percent_and_underscore_are_searched_as_typed(api, db, sign_in):
    """'%' and '_' matched every record: the search box's text went into LIKE unescaped."""
    with db() as s:
        tree = make_tree(s)
        make_contribution(s, unit_id=tree.ham_tri, contributor_name="Hội 100% tự nguyện")
        make_contribution(s, unit_id=tree.ham_tri, contributor_name="Mã HT_01")
        make_contribution(s, unit_id=tree.ham_tri, contributor_name="Nguyễn Văn Bình")
    names = lambda q: [c["contributor_name"] for c in  # noqa: E731
                       api.get("/api/v1/contributions", params={"q": q}).json()["items"]]
    assert names("%") == ["Hội 100% tự nguyện"]
    assert names("_") == ["Mã HT_01"]
    assert names("ht_0") == ["Mã HT_01"] and names("h_") == []
    assert names("/") == [] and names("100%") == ["Hội 100% tự nguyện"]
    # The list page's "Tìm" box.
    page = sign_in("canbo").get("/contributions", params={"q": "%"}).text
    assert "Hội 100% tự nguyện" in page and "Nguyễn Văn Bình" not in page
    # Accounts are searched the same way.
    users = api.get("/api/v1/users", params={"q": "_"}).json()["items"]
    assert all("_" in u["username"] + (u["full_name"] or "") for u in users)
