"""Invented records for the demo tree. The 2016–2020 totals are the published ones; each is
split over many rows of varying size (communes, years, villages), so the report adds them up
the way it would for real data. Amounts are whole đồng, lengths whole metres.

In the order they are made (one seeded generator, so the order is part of the data): works
(works.py), models (models.py), petitions (petitions.py), targets, recognitions and
commendations (models.py), then 2021–2025 (here)."""

from datetime import date, timedelta

from sqlmodel import Session

from app import vn
from app.db.targets import Target
from app.db.units import Unit
from app.demo import models, names, petitions, works
from app.demo.gen import TRIEU, Gen
from app.demo.tree import REFORM, SUCCESSORS, DemoTree


def generate(session: Session, tree: DemoTree, *, seed: int = 2020) -> dict[str, int]:
    g = Gen(session, tree, seed)
    works.roads(g)
    works.canals_lamps_field_roads(g)
    works.houses_and_support(g)
    made = models.models(g)
    petitions.petitions(g)
    models.targets_recognitions_commendations(g, made)
    _after_2020(g)
    session.flush()
    return g.counts


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
                models.model(g, unit_on(when), rng.choice(names.MODEL_NAMES[field]), field, when)
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
                    petitions.petition(g, unit_on(received), received, kind,
                                       status="in_progress" if accepted else "received",
                                       accepted=accepted, closed=None)
                else:
                    accepted = received + timedelta(days=2)
                    closed = min(accepted + timedelta(days=rng.randint(3, 15)), today)
                    petitions.petition(g, unit_on(received), received, kind, status="resolved",
                                       accepted=accepted, closed=closed)
