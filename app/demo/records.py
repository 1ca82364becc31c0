"""Invented records for the demo tree. The 2016–2020 totals are the published ones; each is
split over many rows of varying size (communes, years, villages), so the report adds them up
the way it would for real data. Amounts are whole đồng, lengths whole metres."""

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app import vn
from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition, PetitionExtension, PetitionStep
from app.db.recognitions import Recognition
from app.db.targets import Target
from app.db.units import Unit
from app.db.works import Work
from app.demo import names
from app.demo.tree import REFORM, SUCCESSORS, DemoTree
from app.services.petitions.rules import ACCEPT_DAYS, resolve_days

START, END = date(2016, 1, 1), date(2020, 12, 31)
TY = 1_000_000_000  # 1 tỷ đồng
TRIEU = 1_000_000  # 1 triệu đồng
MASS = ["fatherland_front", "farmers_union", "womens_union", "youth_union",
        "veterans_association", "red_cross", "trade_union"]


def split(total: int, n: int, rng: random.Random, *, weights: list[float] | None = None,
          spread: float = 0.6, minimum: int = 1) -> list[int]:
    """`n` whole numbers of varying size (at least `minimum`) that add up to `total` exactly."""
    if n == 0:
        return []
    assert total >= n * minimum, (total, n, minimum)
    w = weights or [rng.uniform(1 - spread, 1 + spread) for _ in range(n)]
    scale = (total - n * minimum) / sum(w)
    parts = [minimum + int(x * scale) for x in w]
    for i in range(total - sum(parts)):
        parts[i % n] += 1
    return parts


class Gen:
    def __init__(self, session: Session, tree: DemoTree, seed: int) -> None:
        self.s, self.t, self.rng = session, tree, random.Random(seed)
        self.counts: dict[str, int] = {}
        self.labor_days = 0

    # -- helpers ---------------------------------------------------------------------------
    def add(self, obj: Any) -> Any:
        self.s.add(obj)
        name = type(obj).__name__
        self.counts[name] = self.counts.get(name, 0) + 1
        return obj

    def day(self, year: int, lo: date = START, hi: date = END) -> date:
        first, last = max(date(year, 1, 1), lo), min(date(year, 12, 31), hi)
        return first + timedelta(days=self.rng.randrange((last - first).days + 1))

    def year(self) -> int:
        return self.rng.randint(2016, 2020)

    def village(self, short: str) -> Unit:
        villages = [v for v in self.t.villages[short] if v.name != "Lâm Giang"]
        return self.rng.choice(villages)

    def others(self, *exclude: str) -> list[str]:
        return [c for c in self.t.communes if c not in exclude]

    def spread_over(self, communes: list[str], n: int) -> list[str]:
        """`n` commune codes, every commune at least once when n allows, shuffled."""
        picks = [communes[i % len(communes)] for i in range(n)]
        self.rng.shuffle(picks)
        return picks

    def work(self, unit: Unit, name: str, category: str, quantity: float | None, measure: str | None,
             cost: int, org: str, completed: date, model_id: int | None = None) -> Work:
        start = max(completed - timedelta(days=self.rng.randint(20, 200)), date(2015, 6, 1))
        w = self.add(Work(name=name, unit_id=unit.id, category=category, quantity=quantity,
                          measure=measure, total_cost_vnd=cost, org_type=org, start_date=start,
                          completed_date=completed, status="completed", model_id=model_id))
        self.s.flush()  # its id, for the gifts that follow
        return w

    def gift(self, work: Work, unit: Unit, source: str, kind: str, amount: int | None,
             days: float | None = None, who: str | None = None) -> None:
        assert work.start_date and work.completed_date
        span = (work.completed_date - work.start_date).days
        when = work.start_date + timedelta(days=self.rng.randint(0, max(span, 0)))
        if days:
            self.labor_days += int(days)
        self.add(Contribution(unit_id=unit.id, work_id=work.id, source=source, kind=kind,
                              amount_vnd=amount, labor_days=days, contributor_name=who, date=when))

    def fund(self, work: Work, unit: Unit, cost: int, non_state: int, land: int = 0,
             labor: tuple[int, int] | None = None) -> None:
        """The money behind a work: the state's share, the people's and businesses' cash, and
        the people's labour days."""
        state = cost - non_state - land
        assert state >= 0, (work.name, cost, non_state, land)
        if state:
            self.gift(work, unit, "state_budget", "cash", state, who="Ngân sách nhà nước")
        if non_state:
            business = int(non_state * self.rng.uniform(0.1, 0.4)) if self.rng.random() < 0.6 else 0
            people = split(non_state - business, self.rng.randint(1, 3), self.rng)
            for part in people:
                self.gift(work, unit, "people", "cash", part, who=f"Nhân dân {unit.name}")
            if business:
                self.gift(work, unit, "business", "cash", business, who="Doanh nghiệp trên địa bàn")
        if labor:
            self.gift(work, unit, "people", "labor", None, days=float(self.rng.randint(*labor)),
                      who=f"Nhân dân {unit.name}")
        self.s.flush()


def generate(session: Session, tree: DemoTree, *, seed: int = 2020) -> dict[str, int]:
    g = Gen(session, tree, seed)
    _roads(g)
    _canals_lamps_field_roads(g)
    _houses_and_support(g)
    models = _models(g)
    _petitions(g)
    _targets_recognitions_commendations(g, models)
    _after_2020(g)
    session.flush()
    return g.counts


def _road_set(g: Gen, category: str, communes: list[str], n: int, total_m: int, cost: int,
              non_state: int, *, land_value: int = 0, land_area: int = 0, land_works: int = 0,
              in_metres: bool = False, title: str = "Đường bê tông") -> list[Work]:
    """`n` roads of `category` over `communes` adding up to exactly these totals."""
    rng = g.rng
    picks = g.spread_over(communes, n)
    lengths = split(total_m, n, rng, minimum=150)
    costs = [c * 1000 for c in split(cost // 1000, n, rng,
                                     weights=[m * rng.uniform(0.7, 1.3) for m in lengths])]
    shares = [c * 1000 for c in split(non_state // 1000, n, rng,
                                      weights=[c * rng.uniform(0.8, 1.2) for c in costs])]
    biggest = sorted(range(n), key=lambda i: -costs[i])[:land_works]
    land_values = dict(zip(biggest, (v * 1000 for v in split(
        land_value // 1000, land_works, rng, weights=[costs[i] for i in biggest])), strict=True))
    works: list[Work] = []
    gifts: list[LandDonation] = []
    for i, short in enumerate(picks):
        commune = g.t.communes[short]
        village = g.village(short)
        completed = g.day(g.year())
        quantity = float(lengths[i]) if in_metres else lengths[i] / 1000
        w = g.work(commune, f"{title} {village.name}, {commune.name} (tuyến {i + 1})", category,
                   quantity, "m" if in_metres else "km", costs[i], "government", completed)
        land = land_values.get(i, 0)
        if land:
            gifts += _donations(g, w, village, land, max(1, round(land_area * land / land_value)))
        g.fund(w, commune, costs[i], shares[i], land, labor=(30, 250))
        works.append(w)
    if gifts:  # rounding left the area a few m² off: the largest gift takes the difference
        max(gifts, key=lambda d: d.area_m2).area_m2 += land_area - sum(int(d.area_m2) for d in gifts)
    return works


def _donations(g: Gen, work: Work, village: Unit, value: int, area: int, *,
               households: int | None = None) -> list[LandDonation]:
    """Households of `village` giving land for `work`, adding up to `value` đồng and `area` m²."""
    rng = g.rng
    if households:
        records = max(1, households * 6 // 7)
        hh = split(households, records, rng, spread=0.2)
    else:
        records = max(1, min(area // 150, rng.randint(2, 6)))
        hh = [1] * records
    areas = split(area, records, rng, minimum=1)
    values = [v * 1000 for v in split(value // 1000, records, rng, weights=[float(a) for a in areas])]
    assert work.start_date and work.completed_date
    out = []
    for i in range(records):
        when = max(work.start_date, START) + timedelta(days=rng.randint(0, 20))
        when = min(when, work.completed_date)
        out.append(g.add(LandDonation(
            unit_id=village.id, work_id=work.id, donor_name=names.person(rng), households=hh[i],
            area_m2=float(areas[i]), value_vnd=values[i], date=when,
            status=rng.choice(["signed", "registered", "registered"]))))
    return out


def _roads(g: Gen) -> None:
    t = g.t
    lam_giang, ham_tri, ham_liem = t.lam_giang, t.communes["HAMTRI"], t.communes["HAMLIEM"]
    # Thôn Lâm Giang: 2,4 km of new concrete road (V1).
    for metres, cost, share in ((1500, 450 * TRIEU, 160 * TRIEU), (900, 270 * TRIEU, 90 * TRIEU)):
        w = g.work(lam_giang, "Bê tông xi măng đường nội thôn Lâm Giang", "road_concrete",
                   metres / 1000, "km", cost, "government", g.day(g.year()))
        g.fund(w, lam_giang, cost, share, labor=(80, 240))
    # Xã Hàm Liêm: 51 concrete roads, 16.935 m, and 16.045 m hardened (V9–V11), in metres.
    _road_set(g, "road_concrete", ["HAMLIEM"], 51, 16_935, 6_300 * TRIEU, 3_200 * TRIEU,
              in_metres=True, title="Bê tông đường")
    _road_set(g, "road_other", ["HAMLIEM"], 12, 16_045, 3_800 * TRIEU, 1_850 * TRIEU,
              in_metres=True, title="Cứng hóa đường")
    # The Hàm Trí – Hồng Sơn road, for which 58 households of Lâm Giang gave 25.043 m² (V4).
    road = g.work(ham_tri, "Đường Hàm Trí – Hồng Sơn", "road_other", 6.2, "km", 9_800 * TRIEU,
                  "government", date(2018, 9, 28))
    _donations(g, road, lam_giang, 1_200 * TRIEU, 25_043, households=58)
    g.fund(road, ham_tri, 9_800 * TRIEU, 4_100 * TRIEU, 1_200 * TRIEU, labor=(300, 600))
    # Everything else, over the other communes: the district's 126,8 km concrete (103,6 tỷ)
    # and 545 km of roads in all (505,2 tỷ), 232,5 tỷ of it non-state with 8,5 tỷ of land.
    rest = g.others("HAMLIEM")
    _road_set(g, "road_concrete", rest, 96, 126_800 - 16_935 - 2_400,
              (103_600 - 6_300 - 720) * TRIEU, (35_200 - 3_200 - 250) * TRIEU,
              land_value=1_900 * TRIEU, land_area=30_000, land_works=15)
    _road_set(g, "road_other", rest, 160, 418_200 - 16_045 - 6_200,
              (401_600 - 3_800 - 9_800) * TRIEU, (188_800 - 1_850 - 4_100) * TRIEU,
              land_value=5_400 * TRIEU, land_area=119_957, land_works=60,
              title="Nâng cấp đường giao thông")


def _mass_org(g: Gen) -> str:
    return g.rng.choice(MASS)


def _work_set(g: Gen, category: str, communes: list[str], n: int, total_qty: int | None,
              measure: str | None, cost: int, orgs: list[str] | None, title: str, *,
              unit_for: Any = None, min_qty: int = 1, labor: tuple[int, int] | None = None,
              donors: tuple[str, ...] = ("organization", "business")) -> list[Work]:
    """`n` works of a category over the communes adding up to exactly `total_qty` and `cost`;
    part of each is given by organisations or businesses, the rest is the state's."""
    rng = g.rng
    picks = g.spread_over(communes, n)
    qty = split(total_qty, n, rng, minimum=min_qty) if total_qty is not None else [None] * n
    costs = [c * 1000 for c in split(cost // 1000, n, rng,
                                     weights=[(q or 1) * rng.uniform(0.8, 1.2) for q in qty])]
    works = []
    for i, short in enumerate(picks):
        commune = g.t.communes[short]
        unit = unit_for(short) if unit_for else commune
        org = rng.choice(orgs) if orgs else "government"
        w = g.work(unit, f"{title} – {unit.name}", category, qty[i], measure, costs[i], org,
                   g.day(g.year()))
        given = int(costs[i] * rng.uniform(0.2, 0.7)) // 1000 * 1000
        if org != "government" and given:
            g.gift(w, unit, rng.choice(donors), "cash", given, who=f"{rng.choice(['Hội', 'Công ty', 'Nhà hảo tâm'])} {names.person(rng)}")
        g.gift(w, unit, "state_budget", "cash", costs[i] - (given if org != "government" else 0),
               who="Ngân sách nhà nước")
        if labor:
            g.gift(w, unit, "people", "labor", None, days=float(rng.randint(*labor)),
                   who=f"Nhân dân {unit.name}")
        works.append(w)
    g.s.flush()
    return works


def _canals_lamps_field_roads(g: Gen) -> None:
    t, rng = g.t, g.rng
    lam_giang = t.lam_giang
    everyone = list(t.communes)
    # Canals dredged: 155,3 km in the district, 4,9 km of them in Lâm Giang (D9, V2).
    w = g.work(lam_giang, "Nạo vét kênh thủy lợi nội đồng Lâm Giang", "canal", 4.9, "km",
               1_180 * TRIEU, "government", date(2017, 4, 12))
    g.fund(w, lam_giang, 1_180 * TRIEU, 0, labor=(250, 400))
    _work_set(g, "canal", everyone, 51, 150_400, "m", 37_600 * TRIEU, None,
              "Nạo vét kênh mương nội đồng", min_qty=500, labor=(60, 400))
    # Lâm Giang's field roads (5,55 km, 91,9 triệu) and lamps (174, 197 triệu) (V3, V5).
    for metres, cost in ((2_100, 35_000_000), (1_950, 31_400_000), (1_500, 25_500_000)):
        w = g.work(lam_giang, "Sửa chữa, nâng cấp đường giao thông nội đồng Lâm Giang", "field_road",
                   metres / 1000, "km", cost, "farmers_union", g.day(g.year()))
        g.fund(w, lam_giang, cost, cost // 2, labor=(20, 60))
    for lamps, cost in ((100, 113_200_000), (74, 83_800_000)):
        w = g.work(lam_giang, "Thắp sáng đường quê thôn Lâm Giang", "lighting", lamps, "lamp", cost,
                   "youth_union", g.day(g.year()))
        g.fund(w, lam_giang, cost, cost * 3 // 5)
    rest = g.others("HAMTRI")
    _work_set(g, "field_road", rest, 20, 46_000, "m", 9_000 * TRIEU, ["farmers_union"],
              "Bê tông đường nội đồng", min_qty=400, unit_for=g.village, labor=(20, 120),
              donors=("people", "organization"))
    _work_set(g, "lighting", rest, 20, 2_600, "lamp", 7_500 * TRIEU, ["youth_union", "womens_union"],
              "Thắp sáng đường quê", min_qty=20, unit_for=g.village)
    _work_set(g, "other", everyone, 16, None, None, 10_351_100_000,
              ["womens_union", "veterans_association", "youth_union"],
              "Tuyến đường hoa, cây xanh", unit_for=g.village, labor=(10, 60),
              donors=("people", "organization"))
    del rng


def _houses_and_support(g: Gen) -> None:
    everyone = list(g.t.communes)
    # D13: 165 houses of gratitude built, 336 repaired, 15,75 tỷ.
    _work_set(g, "gratitude_house_new", everyone, 60, 165, "house", 11_550 * TRIEU,
              ["fatherland_front", "veterans_association"], "Xây nhà tình nghĩa")
    _work_set(g, "gratitude_house_repair", everyone, 84, 336, "house", 4_200 * TRIEU,
              ["fatherland_front", "veterans_association", "youth_union"], "Sửa chữa nhà tình nghĩa")
    # D16–D17: 234 charity houses, 6,65 tỷ; 129 of them (4,34 tỷ) from mobilised funds.
    _work_set(g, "charity_house", everyone, 50, 129, "house", 4_340 * TRIEU,
              ["fatherland_front", "womens_union", "red_cross", "farmers_union", "youth_union"],
              "Xây nhà tình thương", donors=("business", "organization"))
    _work_set(g, "charity_house", everyone, 30, 105, "house", 2_310 * TRIEU, None,
              "Xây nhà tình thương (ngân sách)")
    # D15: the Fund for the Poor, over 4,2 tỷ; D14: 19.500 health-insurance cards; D18.
    _work_set(g, "poor_fund", everyone, 85, None, None, 4_230 * TRIEU, ["fatherland_front"],
              "Vận động Quỹ Vì người nghèo", donors=("people", "business", "organization"))
    _work_set(g, "health_insurance", everyone, 85, 19_500, "person_time", 15_600 * TRIEU, None,
              "Cấp thẻ BHYT cho người có công", min_qty=50)
    _work_set(g, "social_support", everyone, 170, 88_296, "person_time", 20_200 * TRIEU,
              ["fatherland_front", "red_cross", "womens_union", "farmers_union", "youth_union",
               "veterans_association"], "Hỗ trợ người khó khăn", min_qty=40,
              donors=("business", "organization", "people"))


def _model(g: Gen, unit: Unit, name: str, field: str, start: date, *, kind: str = "collective",
           members: int | None = None, org: str | None = None) -> Model:
    rng = g.rng
    status = rng.choices(["recognized", "evaluated", "in_progress", "not_recognized", "discontinued"],
                         [45, 20, 25, 5, 5])[0]
    level = rng.choices(["commune", "district", "province"], [50, 40, 10])[0] if status == "recognized" else None
    return g.add(Model(
        name=name, unit_id=unit.id, field=field, kind=kind,
        org_type=org or rng.choice(MASS + ["party_committee", "government"]),
        start_date=start, members=members if members is not None else rng.randint(5, 120),
        status=status, recognition_level=level,
        score=round(rng.uniform(60, 98), 1) if status in ("recognized", "evaluated", "not_recognized") else None,
        results="Huy động được sự tham gia tích cực của Nhân dân." if status == "recognized" else None,
    ))


def _models(g: Gen) -> list[Model]:
    t, rng = g.t, g.rng
    lam_giang, thuan_hoa = t.lam_giang, t.communes["THUANHOA"]
    made: list[Model] = []
    # Thôn Lâm Giang (V6–V8) and xã Thuận Hòa (V12), as the article names them.
    made.append(_model(g, lam_giang, "Đội dân phòng", "defense_security", date(2016, 5, 10),
                       members=7, org="government"))
    made.append(_model(g, lam_giang, "Chức sắc tham gia giữ gìn an ninh – trật tự",
                       "defense_security", date(2017, 3, 2), members=27, org="fatherland_front"))
    for name in ("Sản xuất lúa giống xác nhận", "“3 giảm 3 tăng” trong sản xuất lúa",
                 "Nuôi bò sinh sản", "Trồng thanh long theo tiêu chuẩn VietGAP"):
        made.append(_model(g, lam_giang, name, "economy", g.day(g.year()), org="farmers_union"))
    for name in ("Trồng bắp lai", "Trồng mè", "Nuôi cá nước ngọt"):
        made.append(_model(g, thuan_hoa, name, "economy", g.day(g.year()), org="farmers_union"))
    # 293 models and exemplars in all in 2016–2020 (D2: "hơn 290").
    picks = g.spread_over(list(t.communes), 293 - len(made))
    for short in picks:
        commune = t.communes[short]
        unit = commune if rng.random() < 0.5 else g.village(short)
        start = g.day(g.year())
        if rng.random() < 0.27:
            person = names.person(rng)
            deed = rng.choice(names.EXEMPLAR_DEEDS)
            made.append(_model(g, unit, f"{person} – {deed}", rng.choice(list(names.MODEL_NAMES)),
                               start, kind="individual", members=1))
        else:
            field = rng.choices(list(names.MODEL_NAMES), [40, 25, 20, 15])[0]
            made.append(_model(g, unit, rng.choice(names.MODEL_NAMES[field]), field, start))
    # Models started before the period do not count in it.
    for short in rng.sample(list(t.communes), 6):
        _model(g, t.communes[short], rng.choice(names.MODEL_NAMES["economy"]), "economy",
               g.day(2015, date(2015, 1, 1), date(2015, 12, 31)))
    g.s.flush()
    for m in rng.sample(made[9:], 25):  # some models raise money of their own
        g.add(Contribution(unit_id=m.unit_id, model_id=m.id, source="people", kind="cash",
                           amount_vnd=rng.randint(5, 80) * TRIEU, date=m.start_date + timedelta(days=30),
                           contributor_name=f"Thành viên mô hình {m.name}"[:300]))
    return made


def _petition(g: Gen, unit: Unit, received: date, kind: str, *, status: str,
              accepted: date | None, closed: date | None, channel: str | None = None,
              complex_: bool = False) -> Petition:
    rng = g.rng
    domain = rng.choices(list(names.PETITION_SUBJECTS), [45, 20, 10, 12, 13])[0]
    remote = unit.remote
    due = (received + timedelta(days=ACCEPT_DAYS) if accepted is None else
           accepted + timedelta(days=resolve_days(kind, complex_=complex_, remote=remote)))  # type: ignore[arg-type]
    p = g.add(Petition(
        received_date=received, unit_id=unit.id, type=kind,
        channel=channel or rng.choices(["direct", "mail", "online", "reception", "voter_meeting",
                                        "transferred_in"], [30, 20, 10, 25, 10, 5])[0],
        subject=rng.choice(names.PETITION_SUBJECTS[domain]), domain=domain,
        petitioner_name=names.person(rng), petitioner_address=f"{unit.name}",
        signers=1 if rng.random() < 0.9 else rng.randint(2, 30),
        handler=rng.choice(["Công chức Tư pháp – Hộ tịch", "Công chức Địa chính", "Chủ tịch UBND xã"]),
        complex=complex_, accepted_date=accepted, status=status, closed_date=closed, due_date=due,
        resolution_method="Hòa giải tại cơ sở" if kind == "dispute" else None,
        outcome="Đã trả lời công dân" if status == "resolved" else None,
    ))
    return p


def _petitions(g: Gen) -> None:
    """1.862 petitions received in 2016–2020 and 12 carried over from 2015; 1.827 of them in
    the units' competence, 1.823 resolved (D19); some heard in dialogues (D20)."""
    t, rng = g.t, g.rng
    units = [t.district] + [c for c in t.communes.values()]
    weights = [8] + [6] * len(t.communes)
    kinds = (["complaint"] * 30 + ["denunciation"] * 5 + ["dispute"] * 25 + ["request"] * 25
             + ["recommendation"] * 15)
    made: list[tuple[Petition, list[tuple[str, str, date]]]] = []

    def resolved_case(received: date, kind: str, unit: Unit, cap: date, channel: str | None = None) -> None:
        complex_ = kind == "complaint" and rng.random() < 0.1
        if rng.random() < 0.04:  # withdrawn before acceptance
            closed = min(received + timedelta(days=rng.randint(1, 8)), cap)
            p = _petition(g, unit, received, kind, status="withdrawn", accepted=None, closed=closed,
                          channel=channel)
            made.append((p, [("received", "withdrawn", closed)]))
            return
        accepted = min(received + timedelta(days=rng.randint(1, 9)), cap)
        limit = resolve_days(kind, complex_=complex_, remote=unit.remote)  # type: ignore[arg-type]
        late = rng.random() < 0.05
        closed = min(accepted + timedelta(days=rng.randint(limit + 1, limit + 20) if late
                                          else rng.randint(3, limit)), cap)
        p = _petition(g, unit, received, kind, status="resolved", accepted=accepted, closed=closed,
                      channel=channel, complex_=complex_)
        made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))

    # Carried over from late 2015, resolved in 2016.
    for _ in range(12):
        received = g.day(2015, date(2015, 12, 10), date(2015, 12, 31))
        unit = rng.choices(units, weights)[0]
        kind = rng.choice(["complaint", "dispute"])
        accepted = received + timedelta(days=3)
        closed = accepted + timedelta(days=rng.randint(20, 28))
        p = _petition(g, unit, received, kind, status="resolved", accepted=accepted, closed=closed)
        made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))
    # Received in the period: 1.862 = 1.811 resolved + 4 still open at its end + 47 sent on.
    for i in range(1_811):
        year = 2016 + i % 5
        channel = "dialogue" if i % 90 == 0 else None
        resolved_case(g.day(year), rng.choice(kinds), rng.choices(units, weights)[0], END, channel)
    for i in range(47):
        received = g.day(g.year())
        status = "transferred" if i < 30 else "rejected"
        closed = min(received + timedelta(days=rng.randint(2, 9)), END)
        p = _petition(g, rng.choices(units, weights)[0], received, rng.choice(kinds), status=status,
                      accepted=None, closed=closed)
        made.append((p, [("received", status, closed)]))
    for i, received in enumerate((date(2020, 10, 5), date(2020, 11, 2), date(2020, 12, 10),
                                  date(2020, 12, 21))):
        unit = rng.choices(units[1:], weights[1:])[0]
        accepted = received + timedelta(days=4)
        if i < 2:  # still open today, long past the legal time limit
            p = _petition(g, unit, received, "complaint", status="in_progress", accepted=accepted,
                          closed=None)
            made.append((p, [("received", "accepted", accepted), ("accepted", "in_progress", accepted)]))
        else:  # resolved only in January 2021
            closed = date(2021, 1, 8 + i)
            p = _petition(g, unit, received, "request", status="resolved", accepted=accepted, closed=closed)
            made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))
    g.s.flush()
    _steps(g, made)


def _steps(g: Gen, made: list[tuple[Petition, list[tuple[str, str, date]]]]) -> None:
    for p, steps in made:
        for before, after, when in steps:
            g.add(PetitionStep(petition_id=p.id, from_status=before, to_status=after, date=when,
                               username="demo"))
        if p.type == "denunciation" and p.accepted_date and g.rng.random() < 0.3:
            g.add(PetitionExtension(petition_id=p.id, days=30, decision_no=f"{g.rng.randint(10, 300)}/QĐ-UBND",
                                    date=p.accepted_date + timedelta(days=25)))
            p.due_date = p.due_date + timedelta(days=30)  # type: ignore[operator]


def _targets_recognitions_commendations(g: Gen, models: list[Model]) -> None:
    t, rng = g.t, g.rng
    for name in names.TARGETS_2016_2020:  # D1: 11/11
        g.add(Target(unit_id=t.district.id, name=name, period_start=START, period_end=END,
                     achieved=True))
    # D11: five more communes met the new-rural standard in 2016–2020; others before or after.
    for short, when in (("HAMDUC", date(2014, 12, 20)), ("HAMTRI", date(2015, 12, 18)),
                        ("HAMCHINH", date(2016, 12, 27)), ("HAMHIEP", date(2017, 12, 22)),
                        ("HAMLIEM", date(2018, 12, 26)), ("THUANMINH", date(2019, 12, 24)),
                        ("HAMTHANG", date(2020, 12, 15)), ("THUANHOA", date(2021, 12, 20)),
                        ("HONGSON", date(2022, 12, 23))):
        g.add(Recognition(unit_id=t.communes[short].id, title="new_rural_commune", date=when,
                          decision_no=f"{rng.randint(1000, 4000)}/QĐ-UBND"))
    for m in models:
        if m.status == "recognized" and m.recognition_level in ("district", "province"):
            g.add(Commendation(unit_id=m.unit_id, model_id=m.id,
                               recipient_type="individual" if m.kind == "individual" else "collective",
                               recipient_name=m.name[:300], level=m.recognition_level,
                               decision_no=f"{rng.randint(100, 999)}/QĐ-UBND",
                               decision_date=min(m.start_date + timedelta(days=300), END)))
    for i in range(24):  # the 2016–2020 summary's own commendations, given in February 2021
        commune = rng.choice(list(t.communes.values()))
        g.add(Commendation(unit_id=t.district.id, recipient_type="collective" if i % 2 else "individual",
                           recipient_name=commune.name if i % 2 else names.person(rng),
                           level="district", decision_no="45/QĐ-UBND", decision_date=date(2021, 2, 5)))


def _after_2020(g: Gen) -> None:
    """Some of 2021–2025 on the old units, and from 01/07/2025 on their successors."""
    t, rng = g.t, g.rng
    successor_of = {old: new for new, _, _, olds in SUCCESSORS for old in olds}
    for name in names.TARGETS_2016_2020[:6]:
        g.add(Target(unit_id=t.district.id, name=name, period_start=date(2021, 1, 1),
                     period_end=date(2025, 6, 30), achieved=rng.random() < 0.7))
    today = vn.today()
    last = today - timedelta(days=1)
    for year in range(2021, today.year + 1):
        for short, old in t.communes.items():
            new = t.successors[successor_of[short]]

            def unit_on(day: date) -> Unit:
                return old if day < REFORM else new  # noqa: B023

            for _ in range(rng.randint(1, 3)):
                when = g.day(year, date(2021, 1, 1), last)
                field = rng.choice(list(names.MODEL_NAMES))
                _model(g, unit_on(when), rng.choice(names.MODEL_NAMES[field]), field, when)
            when = g.day(year, date(2021, 1, 1), last)
            cost = rng.randint(3, 40) * 100 * TRIEU
            w = g.work(unit_on(when), f"Bê tông đường {unit_on(when).name} ({year})", "road_concrete",
                       rng.randint(3, 25) / 10, "km", cost, "government", when)
            g.fund(w, unit_on(when), cost, cost * rng.randint(20, 50) // 100, labor=(20, 150))
            for _ in range(rng.randint(3, 8)):
                received = g.day(year, date(2021, 1, 1), last)
                kind = rng.choice(["complaint", "dispute", "request", "recommendation"])
                if received > today - timedelta(days=40) or rng.random() < 0.05:
                    accepted = received if rng.random() < 0.5 else None
                    _petition(g, unit_on(received), received, kind,
                              status="in_progress" if accepted else "received",
                              accepted=accepted, closed=None)
                else:
                    accepted = received + timedelta(days=2)
                    closed = min(accepted + timedelta(days=rng.randint(3, 15)), today)
                    _petition(g, unit_on(received), received, kind, status="resolved",
                              accepted=accepted, closed=closed)
