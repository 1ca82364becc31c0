"""What every part of the demo's records uses: the period, amounts in đồng, and `Gen`, which
adds rows in a seeded order (the same seed gives the same records)."""

import random
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.db.contributions import Contribution
from app.db.units import Unit
from app.db.works import Work
from app.demo.tree import DemoTree


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

