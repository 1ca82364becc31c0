"""How to call every /api/v1 route for the permission matrix (tests/api/test_permissions.py).

TABLE maps (method, path template) to an Entry: what kind of call it is, the least role the
contract lets make it, and a builder (world, side) -> Req filling ids and bodies from the
test's World: side "in" = Hàm Trí and its village Lâm Giang (the callers work in T-HT), side
"out" = Hàm Liêm and its Thôn 1. A builder returns None where a route has no outside (the
caller's own account, the code lists)."""

from collections.abc import Callable
from functools import lru_cache
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app.db.approvals import ApprovalCreate
from app.db.evaluations import EvaluationIn
from app.db.engine import get_engine
from app.db.issued_reports import IssueRequest
from app.enums import Role
from app.services import api_tokens, approvals, auth, display_tokens, evaluations
from app.services.reports import issued as issued_reports
from app.services.actor import SYSTEM, Actor
from tests.api.helpers import API, RESOURCES
from tests.factories import (PASSWORD, make_commendation, make_contribution, make_land_donation,
                             make_model, make_petition, make_recognition, make_target, make_tree,
                             make_unit, make_work)

READ, LIST, WRITE = "read", "list", "write"
SECRET_NAME = "Phạm Văn Tố"  # the denouncer of each side's petition
ISSUE = {"date_from": "2018-01-01", "date_to": "2018-12-31", "number": "12-BC/BDV",
         "issuer": "Ban Dân vận Huyện ủy", "place": "Hàm Thuận Bắc", "issued_on": "2019-01-15",
         "signer_name": "Nguyễn Văn A"}


@dataclass(frozen=True)
class Req:
    url: str
    params: dict[str, Any] | None = None
    json: Any = None
    find: tuple[str, Any] | None = None  # a list: the item (key, value) present or absent
    files: dict[str, Any] | None = None  # a file upload (imports)
    probe: str | None = None  # a write: what an admin reads to see that a refusal changed nothing


@dataclass(frozen=True)
class Entry:
    kind: str  # READ, LIST or WRITE
    need: Role  # the least role the contract allows (reads: sees others' records)
    build: Callable[[Any, str], Req | None]  # (World, side) -> the request, None: no such side


def _token(s: Session, ids: dict[str, int], side: str) -> int:
    owner = auth.create_user(s, username=f"chu.token.{side}", password=PASSWORD, role=Role.admin)
    maker = Actor(user_id=owner.id, username=owner.username, role=Role.admin, unit_id=None)
    data = api_tokens.ApiTokenCreate(name=f"Cổng {side}", unit_id=ids["commune"], scope="read")
    return api_tokens.create(s, actor=maker, data=data)[0].id


def _screen(s: Session, ids: dict[str, int], side: str) -> int:
    data = display_tokens.DisplayTokenCreate(name=f"Màn hình {side}", unit_id=ids["commune"])
    return display_tokens.create(s, actor=SYSTEM, data=data)[0].id


# name -> (session, the side's ids, side) -> id of that side's record, stored as the system.
MAKERS: dict[str, Callable[[Session, dict[str, int], str], int]] = {
    "units": lambda s, ids, side: make_unit(s, code=f"T-TRONG-{side}", name="Thôn Trống",
                                            level="village", kind="thon", parent_id=ids["commune"]).id,
    "models": lambda s, ids, side: make_model(s, unit_id=ids["commune"]).id,
    "works": lambda s, ids, side: make_work(s, unit_id=ids["village"]).id,
    "contributions": lambda s, ids, side: make_contribution(s, unit_id=ids["village"]).id,
    "land-donations": lambda s, ids, side: make_land_donation(s, unit_id=ids["village"]).id,
    "petitions": lambda s, ids, side: make_petition(
        s, unit_id=ids["commune"], type="denunciation", status="accepted",
        accepted_date="2019-05-10", petitioner_name=SECRET_NAME).id,
    "commendations": lambda s, ids, side: make_commendation(s, unit_id=ids["commune"]).id,
    "targets": lambda s, ids, side: make_target(s, unit_id=ids["commune"]).id,
    "recognitions": lambda s, ids, side: make_recognition(s, unit_id=ids["commune"]).id,
    "approvals": lambda s, ids, side: approvals.approve(s, actor=SYSTEM, data=ApprovalCreate(
        unit_id=ids["commune"], period_start="2001-01-01", period_end="2001-12-31")).id,
    "issued": lambda s, ids, side: issued_reports.issue(s, actor=SYSTEM, data=IssueRequest(
        **ISSUE, unit_id=ids["commune"])).id,
    "users": lambda s, ids, side: auth.create_user(
        s, username=f"nguoi.{side}", password=PASSWORD, role=Role.viewer,
        unit_code="T-LG" if side == "in" else "T-HL1").id,
    "api-tokens": _token,
    "display-tokens": _screen,
}


@lru_cache
def _full_marks() -> dict[str, float]:
    """Full marks on the seeded collective criteria (the migration's default set)."""
    with get_engine().connect() as conn:
        rows = conn.execute(text(
            "SELECT c.id, c.max_score FROM criterion c JOIN criteria_set s ON s.id = c.set_id "
            "WHERE s.kind = 'collective'")).all()
    return {str(cid): float(score) for cid, score in rows}


def _evaluated(s: Session, ids: dict[str, int], side: str) -> int:
    m = make_model(s, unit_id=ids["commune"])
    evaluations.evaluate(s, actor=SYSTEM, id=m.id, data=EvaluationIn(date="2019-06-01",
                                                                      scores=_full_marks()))
    return m.id


MAKERS["evaluated-models"] = _evaluated


class World:
    """The tree, and one record of each kind a test asks for on each side, made on first use
    (both sides at once, in one transaction) and then kept for the rest of the test."""

    def __init__(self, db: Callable[[], Any]) -> None:
        self._db = db
        with db() as s:
            tree = make_tree(s)
        self.ids = {"in": {"commune": tree.ham_tri, "village": tree.lam_giang},
                    "out": {"commune": tree.ham_lien, "village": tree.thon_1}}

    def __getitem__(self, key: tuple[str, str]) -> int:
        side, name = key
        if name not in self.ids[side]:
            with self._db() as s:
                for one in ("in", "out"):
                    self.ids[one][name] = MAKERS[name](s, self.ids[one], one)
        return self.ids[side][name]


def collection(base: str, name: str, need_read: Role, need_write: Role | None,
               body: Callable[[dict[str, int], str], dict[str, Any]] | None,
               patch: dict[str, Any] | None = None,
               filter_: str | None = "unit_id") -> dict[tuple[str, str], Entry]:
    """List (+ create) and read (+ patch, delete) of one resource, as far as it has them."""
    def listing(w: Any, side: str) -> Req:
        # Outside: filtered to Hàm Liêm, which must still not show its record.
        params = {filter_: w["out", "commune"]} if side == "out" and filter_ else None
        return Req(base, params=params, find=("id", w[side, name]))

    def one(**kw: Any) -> Callable[[Any, str], Req]:
        return lambda w, side: Req(f"{base}/{w[side, name]}", probe=f"{base}/{w[side, name]}", **kw)

    table = {("GET", base): Entry(LIST, need_read, listing),
             ("GET", base + "/{id}"): Entry(READ, need_read, one())}
    if need_write is not None and body is not None:
        table[("POST", base)] = Entry(WRITE, need_write, lambda w, side: Req(
            base, json=body(w.ids[side], side),
            probe=f"{base}?{filter_}={w[side, 'commune']}" if filter_ else base))
    if need_write is not None and patch is not None:
        table[("PATCH", base + "/{id}")] = Entry(WRITE, need_write, one(json=patch))
    if need_write is not None:
        table[("DELETE", base + "/{id}")] = Entry(WRITE, need_write, one())
    return table


def _record_body(res: Any) -> Callable[[dict[str, int], str], dict[str, Any]]:
    return lambda ids, side: res.body(ids["commune"])


def _petition(ids: dict[str, int], side: str) -> dict[str, Any]:
    return {"received_date": "2019-06-03", "unit_id": ids["village"], "type": "complaint",
            "subject": "Khiếu nại về đền bù"}


def _only_inside(req: Req) -> Callable[[Any, str], Req | None]:
    return lambda w, side: req if side == "in" else None


TABLE: dict[tuple[str, str], Entry] = {}
for _res in RESOURCES:
    TABLE |= collection(_res.path, _res.name, Role.viewer, Role.clerk, _record_body(_res), _res.patch)
TABLE |= collection(f"{API}/petitions", "petitions", Role.viewer, Role.clerk, _petition,
                    {"subject": "Tố cáo sai phạm (đã bổ sung)"})
TABLE |= collection(f"{API}/units", "units", Role.viewer, Role.manager,
                    lambda ids, side: {"code": f"T-MOI-{side}", "name": "Thôn Mới",
                                       "level": "village", "kind": "thon",
                                       "parent_id": ids["commune"]},
                    {"name": "Thôn Trống (đổi tên)"}, filter_="parent_id")
TABLE |= collection(f"{API}/users", "users", Role.manager, Role.manager,
                    lambda ids, side: {"username": f"moi.{side}", "password": "mat-khau-moi-123",
                                       "role": "viewer", "unit_id": ids["village"]},
                    {"full_name": "Tên mới"})
TABLE |= collection(f"{API}/api-tokens", "api-tokens", Role.manager, Role.manager,
                    lambda ids, side: {"name": "Cổng mới", "unit_id": ids["commune"], "scope": "read"},
                    filter_=None)
TABLE |= collection(f"{API}/display-tokens", "display-tokens", Role.manager, Role.manager,
                    lambda ids, side: {"name": "Màn hình mới", "unit_id": ids["commune"]},
                    filter_=None)
TABLE |= collection(f"{API}/approvals", "approvals", Role.viewer, Role.manager,
                    lambda ids, side: {"unit_id": ids["commune"], "period_start": "2002-01-01",
                                       "period_end": "2002-12-31"})
TABLE |= collection(f"{API}/reports/issued", "issued", Role.viewer, Role.manager,
                    lambda ids, side: {**ISSUE, "unit_id": ids["commune"]})
del TABLE[("DELETE", f"{API}/reports/issued/{{id}}")]  # an issued report is never withdrawn

# Every list's exports: anyone may download them; what they hold is scoped like the list
# (tests/api/test_exports.py reads them).
for _name in [r.name for r in RESOURCES] + ["petitions", "units"]:
    for _suffix in (".csv", ".xlsx"):
        TABLE[("GET", f"{API}/{_name}{_suffix}")] = Entry(LIST, Role.viewer, lambda w, side, n=_name, x=_suffix: Req(
            f"{API}/{n}{x}", params={"unit_id": w[side, "commune"]}))

_P = f"{API}/petitions/{{id}}"
_M = f"{API}/models/{{id}}"


def _summary(suffix: str) -> Entry:
    return Entry(READ, Role.viewer, lambda w, side: Req(
        f"{API}/reports/summary{suffix}",
        params={"unit_id": w[side, "commune"], "date_from": "2018-01-01", "date_to": "2020-12-31"}))


TABLE |= {
    ("POST", _P + "/transitions"): Entry(WRITE, Role.clerk, lambda w, side: Req(
        f"{API}/petitions/{w[side, 'petitions']}/transitions",
        json={"to": "in_progress", "date": "2019-06-01"},
        probe=f"{API}/petitions/{w[side, 'petitions']}")),
    ("POST", _P + "/extensions"): Entry(WRITE, Role.clerk, lambda w, side: Req(
        f"{API}/petitions/{w[side, 'petitions']}/extensions",
        json={"days": 30, "decision_no": "7/QĐ-UBND", "date": "2019-06-01"},
        probe=f"{API}/petitions/{w[side, 'petitions']}")),
    ("GET", _P + "/history"): Entry(READ, Role.viewer, lambda w, side: Req(
        f"{API}/petitions/{w[side, 'petitions']}/history")),
    ("GET", f"{API}/audit"): Entry(LIST, Role.viewer, lambda w, side: Req(
        f"{API}/audit", params={"resource": "models", "record_id": w[side, "models"]},
        find=("record_id", w[side, "models"]))),
    ("GET", f"{API}/reports/summary"): _summary(""),
    ("GET", f"{API}/changes"): Entry(LIST, Role.viewer, lambda w, side: Req(
        f"{API}/changes", params={"resource": "models"}, find=("id", w[side, "models"]))),
    ("GET", f"{API}/stats/dashboard"): Entry(READ, Role.viewer, lambda w, side: Req(
        f"{API}/stats/dashboard", params={"unit_id": w[side, "commune"]})),
    ("GET", f"{API}/reports/summary.docx"): _summary(".docx"),
    ("GET", f"{API}/reports/summary.xlsx"): _summary(".xlsx"),
    ("GET", f"{API}/reports/issued/{{id}}.docx"): Entry(READ, Role.viewer, lambda w, side: Req(
        f"{API}/reports/issued/{w[side, 'issued']}.docx")),
    ("GET", f"{API}/meta/enums"): Entry(READ, Role.viewer, _only_inside(Req(f"{API}/meta/enums"))),
    ("GET", f"{API}/meta/criteria-sets"): Entry(READ, Role.viewer, _only_inside(
        Req(f"{API}/meta/criteria-sets"))),
    ("POST", _M + "/evaluations"): Entry(WRITE, Role.manager, lambda w, side: Req(
        f"{API}/models/{w[side, 'models']}/evaluations",
        json={"date": "2019-06-01", "scores": _full_marks()}, probe=f"{API}/models/{w[side, 'models']}")),
    ("GET", _M + "/evaluations"): Entry(READ, Role.viewer, lambda w, side: Req(
        f"{API}/models/{w[side, 'models']}/evaluations")),
    ("POST", _M + "/recognition"): Entry(WRITE, Role.manager, lambda w, side: Req(
        f"{API}/models/{w[side, 'evaluated-models']}/recognition",
        json={"level": "district", "decision_no": "12/QĐ-UBND", "date": "2019-07-01"},
        probe=f"{API}/models/{w[side, 'evaluated-models']}")),
    ("POST", _M + "/transitions"): Entry(WRITE, Role.clerk, lambda w, side: Req(
        f"{API}/models/{w[side, 'models']}/transitions", json={"to": "in_progress", "date": "2019-06-01"},
        probe=f"{API}/models/{w[side, 'models']}")),
    ("POST", f"{API}/imports/{{resource}}"): Entry(WRITE, Role.clerk, lambda w, side: Req(
        f"{API}/imports/contributions", files={"file": ("dong-gop.csv", (
            "unit_id,source,kind,amount_vnd,date\r\n"
            f"{w[side, 'commune']},people,cash,1500000,2019-05-01\r\n").encode())},
        probe=f"{API}/contributions?unit_id={w[side, 'commune']}")),
    ("GET", f"{API}/imports/{{resource}}/template.{{kind}}"): Entry(READ, Role.viewer, _only_inside(
        Req(f"{API}/imports/contributions/template.xlsx"))),
    ("GET", f"{API}/users/me"): Entry(READ, Role.viewer, _only_inside(Req(f"{API}/users/me"))),
    ("POST", f"{API}/users/me/password"): Entry(WRITE, Role.viewer, _only_inside(Req(
        f"{API}/users/me/password",
        json={"old_password": PASSWORD, "new_password": "mat-khau-moi-456"}))),
}
