"""“Has this citizen written before?”: petition search reads the petitioner's name and address
for those who may see them, and never lets one below manager find or infer a denouncer. On
SQLite and PostgreSQL alike (the petitioner is folded inside the query)."""

from typing import Any

from sqlalchemy import literal, select, update

from app.db.petitions import Petition
from app.enums import Role
from app.services.petitions.search import _MARKED, contains_folded
from app.vn import fold
from tests.factories import make_petition, make_tree

DENOUNCER, ADDRESS = "Trần Thị Kín", "xóm Đồng Gò, Hàm Trí"
# What a clerk might type: the denouncer's name and its parts, the address, words shared with
# other petitions' subjects or petitioners, and nothing at all.
PROBES = ("tran thi kin", "Trần Thị Kín", "kin", "thi kin", "xom dong go", "dong go", "ham tri",
          "tran thi", "tran", "to cao", "kin to cao", "binh", "thon 2", "%", "_", "khieu nai")


def _petitions(s: Any, tree: Any) -> dict[str, int]:
    return {
        "complaint": make_petition(s, unit_id=tree.ham_tri, subject="Khiếu nại bồi thường",
                                   petitioner_name="Trần Thị Bình", petitioner_address="thôn 2").id,
        "denunciation": make_petition(s, unit_id=tree.ham_tri, type="denunciation",
                                      subject="Tố cáo sai phạm đất đai",
                                      petitioner_name=DENOUNCER, petitioner_address=ADDRESS).id,
        "request": make_petition(s, unit_id=tree.ham_tri, type="request",
                                 subject="Đề nghị sửa đường, ông Kín góp ý",
                                 petitioner_name="Lê Văn Tâm", petitioner_address="Lâm Giang").id,
    }


def _found(client: Any, q: str) -> tuple[int, list[int]]:
    body = client.get("/api/v1/petitions", params={"q": q, "limit": 500}).json()
    return body["total"], sorted(p["id"] for p in body["items"])


def test_a_manager_finds_every_petitioner_by_name_and_address(db, make_user):
    with db() as s:
        tree = make_tree(s)
        ids = _petitions(s, tree)
    manager = make_user(Role.manager, "T-HTB")
    assert _found(manager, "tran thi")[1] == sorted([ids["complaint"], ids["denunciation"]])
    assert _found(manager, "TRẦN thị kín")[1] == [ids["denunciation"]]
    assert _found(manager, "xom dong go")[1] == [ids["denunciation"]]
    assert _found(manager, "lam giang tam")[1] == [ids["request"]]  # address and name together
    assert _found(manager, "binh boi thuong")[1] == [ids["complaint"]]  # name and subject together
    assert _found(manager, "kin")[1] == sorted([ids["denunciation"], ids["request"]])


def test_below_manager_the_petitioner_is_searched_except_a_denouncer(db, make_user):
    with db() as s:
        tree = make_tree(s)
        ids = _petitions(s, tree)
    for role in (Role.clerk, Role.viewer):
        reader = make_user(role, "T-HT")
        assert _found(reader, "tran thi binh")[1] == [ids["complaint"]], role
        assert _found(reader, "lam giang")[1] == [ids["request"]], role
        assert _found(reader, "tran thi") == (1, [ids["complaint"]]), role
        assert _found(reader, "xom dong go") == (0, []), role
        # "Kín" in a subject is found; the denouncer of that name is not.
        assert _found(reader, "kin") == (1, [ids["request"]]), role
        assert _found(reader, "to cao sai pham")[1] == [ids["denunciation"]], role


def _answers(client: Any) -> dict[str, Any]:
    """Every answer a reader gets to the probes: the list (totals, ids, pages) and the export."""
    answers: dict[str, Any] = {}
    for q in PROBES:
        answers[q] = _found(client, q)
        answers[q + " · page"] = client.get("/api/v1/petitions", params={
            "q": q, "limit": 1, "offset": 1, "sort": "-received_date"}).json()["total"]
        csv = client.get("/api/v1/petitions.csv", params={"q": q})
        assert csv.status_code == 200
        answers[q + " · csv"] = sorted(csv.text.splitlines()[1:])
    return answers


def test_a_clerk_cannot_tell_a_denouncers_name_is_stored(db, make_user):
    """A clerk's search by a denouncer's name returns exactly what it would if the name were
    not stored: every probe, its total, its pages and its export, compared."""
    with db() as s:
        tree = make_tree(s)
        ids = _petitions(s, tree)
    clerk, viewer = make_user(Role.clerk, "T-HT"), make_user(Role.viewer, "T-HT")
    stored = {"clerk": _answers(clerk), "viewer": _answers(viewer)}
    with db() as s:
        s.exec(update(Petition).where(Petition.id == ids["denunciation"])
               .values(petitioner_name=None, petitioner_address=None))
    assert {"clerk": _answers(clerk), "viewer": _answers(viewer)} == stored
    assert stored["clerk"]["tran thi kin"] == (0, [])


def test_the_query_folds_as_the_app_does(db, engine):
    """The SQL match strips the same marks as app.vn.fold, on this database, and escapes what
    LIKE and GLOB would take for wildcards."""
    text = "".join(_MARKED) + " Nguyễn Văn ĐỨC, Ấp Bàu Ốc; 12 ABC"
    cases = [(text, w, True) for w in fold(text).split()]
    cases += [(ch, fold(ch), True) for ch in _MARKED]
    cases += [("Kín", "kan", False), ("Kín", "k", True), ("100% đất", "0%", True),
              ("1000 đất", "0%", False), ("a_b", "_", True), ("ab", "_", False),
              ("a*b", "*", True), ("ab", "*", False), ("ab", "?", False), ("[x]", "[x]", True)]
    with engine.connect() as conn:
        got = conn.execute(select(*(contains_folded(literal(t), w) for t, w, _ in cases))).one()
    assert [bool(g) for g in got] == [want for _, _, want in cases]
