"""The demo's works and the money and land behind them: roads, canals, lamps, field roads,
houses and social support, each set adding up to the published totals."""

from datetime import date, timedelta
from typing import Any


from app.db.land_donations import LandDonation
from app.db.units import Unit
from app.db.works import Work
from app.demo import names
from app.demo.gen import MASS, START, TRIEU, Gen, split


def road_set(g: Gen, category: str, communes: list[str], n: int, total_m: int, cost: int,
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


def roads(g: Gen) -> None:
    t = g.t
    lam_giang, ham_tri, ham_liem = t.lam_giang, t.communes["HAMTRI"], t.communes["HAMLIEM"]
    # Thôn Lâm Giang: 2,4 km of new concrete road (V1).
    for metres, cost, share in ((1500, 450 * TRIEU, 160 * TRIEU), (900, 270 * TRIEU, 90 * TRIEU)):
        w = g.work(lam_giang, "Bê tông xi măng đường nội thôn Lâm Giang", "road_concrete",
                   metres / 1000, "km", cost, "government", g.day(g.year()))
        g.fund(w, lam_giang, cost, share, labor=(80, 240))
    # Xã Hàm Liêm: 51 concrete roads, 16.935 m, and 16.045 m hardened (V9–V11), in metres.
    road_set(g, "road_concrete", ["HAMLIEM"], 51, 16_935, 6_300 * TRIEU, 3_200 * TRIEU,
             in_metres=True, title="Bê tông đường")
    road_set(g, "road_other", ["HAMLIEM"], 12, 16_045, 3_800 * TRIEU, 1_850 * TRIEU,
             in_metres=True, title="Cứng hóa đường")
    # The Hàm Trí – Hồng Sơn road, for which 58 households of Lâm Giang gave 25.043 m² (V4).
    road = g.work(ham_tri, "Đường Hàm Trí – Hồng Sơn", "road_other", 6.2, "km", 9_800 * TRIEU,
                  "government", date(2018, 9, 28))
    _donations(g, road, lam_giang, 1_200 * TRIEU, 25_043, households=58)
    g.fund(road, ham_tri, 9_800 * TRIEU, 4_100 * TRIEU, 1_200 * TRIEU, labor=(300, 600))
    # Everything else, over the other communes: the district's 126,8 km concrete (103,6 tỷ)
    # and 545 km of roads in all (505,2 tỷ), 232,5 tỷ of it non-state with 8,5 tỷ of land.
    rest = g.others("HAMLIEM")
    road_set(g, "road_concrete", rest, 96, 126_800 - 16_935 - 2_400,
             (103_600 - 6_300 - 720) * TRIEU, (35_200 - 3_200 - 250) * TRIEU,
             land_value=1_900 * TRIEU, land_area=30_000, land_works=15)
    road_set(g, "road_other", rest, 160, 418_200 - 16_045 - 6_200,
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


def canals_lamps_field_roads(g: Gen) -> None:
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


def houses_and_support(g: Gen) -> None:
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

