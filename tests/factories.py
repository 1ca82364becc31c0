"""Small factories: make_<record>(session, **overrides), through the services (so the rules
apply) as the system actor. Each returns the stored table object."""

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from app.db.commendations import CommendationCreate
from app.db.contributions import ContributionCreate
from app.db.land_donations import LandDonationCreate
from app.db.models import ModelCreate
from app.db.petitions import PetitionCreate
from app.db.recognitions import RecognitionCreate
from app.db.targets import TargetCreate
from app.db.units import Unit, UnitCreate
from app.db.works import WorkCreate
from app.services import (commendations, contributions, land_donations, models, recognitions,
                          targets, units, works)
from app.services.petitions import records as petitions
from app.services.actor import SYSTEM

PASSWORD = "mat-khau-thu-nghiem"


def _make(service: Any, schema: Any, session: Session, defaults: dict[str, Any],
          overrides: dict[str, Any]) -> Any:
    return service.create(session, actor=SYSTEM,
                          data=schema.model_validate({**defaults, **overrides}))


def make_unit(session: Session, **kw: Any) -> Unit:
    return _make(units, UnitCreate, session, {"level": "commune"}, kw)


def make_model(session: Session, **kw: Any) -> Any:
    return _make(models, ModelCreate, session, {
        "name": "Mô hình trồng thanh long VietGAP", "field": "economy",
        "org_type": "farmers_union", "start_date": "2018-03-01", "members": 12}, kw)


def make_work(session: Session, **kw: Any) -> Any:
    return _make(works, WorkCreate, session, {
        "name": "Đường bê tông thôn 1", "category": "road_concrete", "quantity": 1.2,
        "measure": "km", "total_cost_vnd": 900_000_000, "org_type": "government",
        "start_date": "2018-01-10", "completed_date": "2018-06-30"}, kw)


def make_contribution(session: Session, **kw: Any) -> Any:
    return _make(contributions, ContributionCreate, session, {
        "source": "people", "kind": "cash", "amount_vnd": 5_000_000, "date": "2018-04-02"}, kw)


def make_land_donation(session: Session, **kw: Any) -> Any:
    return _make(land_donations, LandDonationCreate, session, {
        "donor_name": "Nguyễn Văn An", "households": 1, "area_m2": 120.5,
        "value_vnd": 30_000_000, "date": "2018-02-01"}, kw)


def make_petition(session: Session, **kw: Any) -> Any:
    return _make(petitions, PetitionCreate, session, {
        "received_date": "2019-05-06", "type": "complaint", "subject": "Khiếu nại bồi thường",
        "petitioner_name": "Trần Thị Bình", "petitioner_address": "thôn 2"}, kw)


def make_commendation(session: Session, **kw: Any) -> Any:
    return _make(commendations, CommendationCreate, session, {
        "recipient_type": "individual", "recipient_name": "Lê Văn Cường", "level": "district",
        "decision_date": "2020-11-20"}, kw)


def make_target(session: Session, **kw: Any) -> Any:
    return _make(targets, TargetCreate, session, {
        "name": "Tỷ lệ hộ nghèo giảm còn dưới 2%", "period_start": "2016-01-01",
        "period_end": "2020-12-31", "achieved": True}, kw)


def make_recognition(session: Session, **kw: Any) -> Any:
    return _make(recognitions, RecognitionCreate, session, {
        "title": "new_rural_commune", "date": "2019-12-20", "decision_no": "123/QĐ-UBND"}, kw)


@dataclass
class Tree:
    """province → district → two communes → a village under each."""

    province: int
    district: int
    ham_tri: int
    ham_lien: int
    lam_giang: int  # village of Hàm Trí
    thon_1: int  # village of Hàm Liêm


def make_tree(session: Session, prefix: str = "T") -> Tree:
    p = make_unit(session, code=f"{prefix}-BT", name="Bình Thuận", level="province", kind="tinh")
    d = make_unit(session, code=f"{prefix}-HTB", name="Hàm Thuận Bắc", level="district",
                  kind="huyen", parent_id=p.id)
    c1 = make_unit(session, code=f"{prefix}-HT", name="Hàm Trí", kind="xa", parent_id=d.id)
    c2 = make_unit(session, code=f"{prefix}-HL", name="Hàm Liêm", kind="xa", parent_id=d.id)
    v1 = make_unit(session, code=f"{prefix}-LG", name="Lâm Giang", level="village", kind="thon",
                   parent_id=c1.id)
    v2 = make_unit(session, code=f"{prefix}-HL1", name="Thôn 1", level="village", kind="thon",
                   parent_id=c2.id)
    return Tree(p.id, d.id, c1.id, c2.id, v1.id, v2.id)


def iso(d: date) -> str:
    return d.isoformat()


# Seeded by the migrations (the default criteria sets): kept, as in a real database.
REFERENCE_TABLES = frozenset({"criteria_set", "criterion"})


def wipe(engine: Any) -> None:
    """Empty every table (the schema stays): what each test starts from."""
    from sqlalchemy import text

    from app.db.base import metadata

    tables = [t for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(table.delete())
        return
    # A live server of the browser tests may still be answering the last page's late request
    # (a poll, the service worker) while the next test empties the tables: PostgreSQL then
    # may pick the TRUNCATE as a deadlock's victim, or it may wait past the lock_timeout. That
    # request ends on its own; try again.
    from sqlalchemy.exc import OperationalError

    names = ", ".join(f'"{t.name}"' for t in tables)
    for attempt in range(6):
        try:
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        except OperationalError as exc:
            # a deadlock, or a lock held longer than the engine's lock_timeout
            if getattr(exc.orig, "sqlstate", None) not in ("40P01", "55P03") or attempt == 5:
                raise
            time.sleep(0.2 * (attempt + 1))


# Ended on the eve of the 2025 mergers, and the first day of the new tree (Nghị quyết
# 202/2025/QH15).
OLD_END, NEW_START = "2025-06-30", "2025-07-01"


def make_named_tree(session: Session) -> dict[str, Any]:
    """A small tree with names as the country's are (the kind word in the name): Việt Nam ›
    Tỉnh Lâm Đồng with 21 old wards named "Phường 1", ended 30/06/2025, in three old cities,
    and one ward in force after it, "Phường 1 Bảo Lộc"; names that hold one another in force
    today: Xã An Phụ (made first), Xã An Phú, Phường An Phú Đông, Phường Bắc An Phụ,
    Phường Tân Phước (made before) Xã Tân Phú. Returns {name: id} ("Phường 1": the old wards'
    ids)."""
    vn_ = make_unit(session, code="VN", name="Việt Nam", level="country", kind="quoc_gia")
    province = make_unit(session, code="LD", name="Tỉnh Lâm Đồng", level="province", kind="tinh",
                         parent_id=vn_.id)
    ids: dict[str, Any] = {"Việt Nam": vn_.id, "Tỉnh Lâm Đồng": province.id, "Phường 1": []}
    for d, city in enumerate(("Thành phố Bảo Lộc", "Thành phố Đà Lạt", "Thành phố Phan Thiết")):
        district = make_unit(session, code=f"LD-{d}", name=city, level="district",
                             kind="thanh_pho", parent_id=province.id, active_to=OLD_END)
        ids[city] = district.id
        for w in range(7):
            ids["Phường 1"].append(make_unit(
                session, code=f"LD-{d}-{w}", name="Phường 1", kind="phuong",
                parent_id=district.id, active_to=OLD_END).id)
    for code, name, kind in (("LD-P1", "Phường 1 Bảo Lộc", "phuong"),
                             ("LD-APU", "Xã An Phụ", "xa"), ("LD-APH", "Xã An Phú", "xa"),
                             ("LD-APD", "Phường An Phú Đông", "phuong"),
                             ("LD-BAP", "Phường Bắc An Phụ", "phuong"),
                             ("LD-TPC", "Phường Tân Phước", "phuong"),
                             ("LD-TPH", "Xã Tân Phú", "xa")):
        ids[name] = make_unit(session, code=code, name=name, kind=kind, parent_id=province.id,
                              active_from=NEW_START).id
    return ids
