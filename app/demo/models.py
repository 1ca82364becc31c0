"""The demo's models and exemplars, and the targets, recognitions and commendations of the
period."""

from datetime import date, timedelta


from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.models import Model
from app.db.recognitions import Recognition
from app.db.targets import Target
from app.db.units import Unit
from app.demo import names
from app.demo.gen import END, MASS, START, TRIEU, Gen


def model(g: Gen, unit: Unit, name: str, field: str, start: date, *, kind: str = "collective",
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


def models(g: Gen) -> list[Model]:
    t, rng = g.t, g.rng
    lam_giang, thuan_hoa = t.lam_giang, t.communes["THUANHOA"]
    made: list[Model] = []
    # Thôn Lâm Giang (V6–V8) and xã Thuận Hòa (V12), as the article names them.
    made.append(model(g, lam_giang, "Đội dân phòng", "defense_security", date(2016, 5, 10),
                      members=7, org="government"))
    made.append(model(g, lam_giang, "Chức sắc tham gia giữ gìn an ninh – trật tự",
                      "defense_security", date(2017, 3, 2), members=27, org="fatherland_front"))
    for name in ("Sản xuất lúa giống xác nhận", "“3 giảm 3 tăng” trong sản xuất lúa",
                 "Nuôi bò sinh sản", "Trồng thanh long theo tiêu chuẩn VietGAP"):
        made.append(model(g, lam_giang, name, "economy", g.day(g.year()), org="farmers_union"))
    for name in ("Trồng bắp lai", "Trồng mè", "Nuôi cá nước ngọt"):
        made.append(model(g, thuan_hoa, name, "economy", g.day(g.year()), org="farmers_union"))
    # 293 models and exemplars in all in 2016–2020 (D2: "hơn 290").
    picks = g.spread_over(list(t.communes), 293 - len(made))
    for short in picks:
        commune = t.communes[short]
        unit = commune if rng.random() < 0.5 else g.village(short)
        start = g.day(g.year())
        if rng.random() < 0.27:
            person = names.person(rng)
            deed = rng.choice(names.EXEMPLAR_DEEDS)
            made.append(model(g, unit, f"{person} – {deed}", rng.choice(list(names.MODEL_NAMES)),
                              start, kind="individual", members=1))
        else:
            field = rng.choices(list(names.MODEL_NAMES), [40, 25, 20, 15])[0]
            made.append(model(g, unit, rng.choice(names.MODEL_NAMES[field]), field, start))
    # Models started before the period do not count in it.
    for short in rng.sample(list(t.communes), 6):
        model(g, t.communes[short], rng.choice(names.MODEL_NAMES["economy"]), "economy",
              g.day(2015, date(2015, 1, 1), date(2015, 12, 31)))
    g.s.flush()
    for m in rng.sample(made[9:], 25):  # some models raise money of their own
        g.add(Contribution(unit_id=m.unit_id, model_id=m.id, source="people", kind="cash",
                           amount_vnd=rng.randint(5, 80) * TRIEU, date=m.start_date + timedelta(days=30),
                           contributor_name=f"Thành viên mô hình {m.name}"[:300]))
    return made



def targets_recognitions_commendations(g: Gen, models: list[Model]) -> None:
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

