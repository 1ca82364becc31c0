"""A deterministic, province-scale data set for the report benchmark, written straight into a
migrated, empty database.

    python -m bench.generate --url sqlite:////tmp/bench.sqlite3 --seed 1 --scale 1.0

One province → 10 districts → 124 communes → 5 villages each (755 units), and records dated
2016-01-01 … 2025-12-31: at scale 1.0 about 2.5 million contributions, 60 thousand works,
25 thousand models, 150 thousand petitions, 120 thousand land donations and a few hundred
targets, recognitions and commendations. `--scale` multiplies every record count (not the tree).

Rows are streamed, never held all at once: SQLAlchemy Core `insert(table)` executemany in chunks
of 20 000 rows (PostgreSQL: COPY through psycopg), one transaction per table. Ids are assigned
here (the database must be empty), so works, models and their gifts link without round trips;
on PostgreSQL the id sequences are moved past them afterwards.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text
from sqlalchemy.engine import Connection

START = date(2016, 1, 1)
END = date(2025, 12, 31)
D0, D1 = START.toordinal(), END.toordinal()
CHUNK = 20_000

# Record counts at scale 1.0.
BASE_COUNTS = {
    "model": 25_000,
    "work": 60_000,
    "contribution": 2_500_000,
    "land_donation": 120_000,
    "petition": 150_000,
    "target": 300,
    "recognition": 300,
    "commendation": 400,
}

DISTRICTS = ["Bắc Bình", "Tuy Phong", "Hàm Thuận Bắc", "Hàm Thuận Nam", "Hàm Tân", "Đức Linh",
             "Tánh Linh", "Phú Quý", "La Gi", "Phan Thiết"]
COMMUNE_WORDS = ["Hàm", "Thuận", "Tân", "Phú", "Hòa", "Bình", "Đông", "Tây", "Hồng", "Đa",
                 "Mỹ", "Sông", "Lạc", "Phong", "Vĩnh", "Liêm", "Trí", "Đức", "Chính", "Minh"]
MASS = ["fatherland_front", "farmers_union", "womens_union", "youth_union",
        "veterans_association", "red_cross", "trade_union"]
ORGS = MASS + ["party_committee", "government", "other"]
MODEL_NAMES = {
    "economy": ["Trồng thanh long VietGAP", "Nuôi bò sinh sản", "Tổ hợp tác sản xuất lúa",
                "Tiết kiệm vốn vay", "Chi hội nghề nghiệp"],
    "culture_society": ["Xây dựng gia đình văn hóa", "Tuyến đường hoa", "Quỹ khuyến học",
                        "Câu lạc bộ dưỡng sinh"],
    "defense_security": ["Tổ tự quản an ninh trật tự", "Đội dân phòng", "Camera an ninh"],
    "party_building": ["Chi bộ kiểu mẫu", "Tiếp công dân định kỳ", "Dân biết, dân bàn"],
}
FIELDS = list(MODEL_NAMES)
MODEL_STATUS = (["recognized", "evaluated", "in_progress", "registered", "not_recognized",
                 "discontinued"], [40, 20, 20, 10, 5, 5])
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bích", "Văn Cường", "Thị Dung", "Minh Đức", "Thị Hoa", "Văn Hùng",
         "Thị Lan", "Quốc Nam", "Thị Thu", "Văn Tâm", "Thị Yến"]

# category: (share of works, measures (code, share), cost per unit of quantity (lo, hi) VND)
KM_CATEGORIES = ("road_concrete", "road_other", "field_road", "canal")
WORK_CATEGORIES: dict[str, tuple[int, str]] = {
    "road_concrete": (18, "Bê tông đường"),
    "road_other": (10, "Nâng cấp đường giao thông"),
    "field_road": (8, "Bê tông đường nội đồng"),
    "canal": (7, "Kiên cố hóa kênh mương"),
    "lighting": (8, "Thắp sáng đường quê"),
    "gratitude_house_new": (4, "Xây nhà tình nghĩa"),
    "gratitude_house_repair": (5, "Sửa chữa nhà tình nghĩa"),
    "charity_house": (6, "Xây nhà tình thương"),
    "health_insurance": (6, "Tặng thẻ BHYT"),
    "poor_fund": (8, "Vận động Quỹ Vì người nghèo"),
    "social_support": (15, "Hỗ trợ hộ khó khăn"),
    "other": (5, "Công trình khác"),
}
PER_KM = {"road_concrete": (600, 1_500), "road_other": (300, 900), "field_road": (100, 400),
          "canal": (150, 600)}  # triệu đồng per km
PETITION_TYPES = (["complaint", "denunciation", "dispute", "request", "recommendation"],
                  [30, 5, 25, 25, 15])
CHANNELS = (["direct", "mail", "online", "reception", "voter_meeting", "dialogue",
             "transferred_in"], [30, 20, 10, 22, 8, 5, 5])
SUBJECTS = {
    "land": ["Tranh chấp ranh giới đất", "Cấp giấy chứng nhận quyền sử dụng đất",
             "Bồi thường giải phóng mặt bằng"],
    "policy": ["Chế độ người có công", "Trợ cấp bảo trợ xã hội", "Hộ nghèo, cận nghèo"],
    "environment": ["Ô nhiễm chăn nuôi", "Rác thải sinh hoạt", "Khai thác cát trái phép"],
    "order": ["Mất trật tự khu dân cư", "Lấn chiếm lòng lề đường"],
    "other": ["Phản ánh chất lượng đường", "Kiến nghị điện chiếu sáng"],
}
DOMAINS = (list(SUBJECTS), [45, 20, 10, 12, 13])
SOURCES = (["people", "business", "organization", "state_budget", "other"], [45, 20, 15, 10, 10])
TARGET_NAMES = ["Tỷ lệ hộ gia đình văn hóa", "Xã đạt chuẩn nông thôn mới",
                "Bê tông hóa đường giao thông nông thôn", "Giảm tỷ lệ hộ nghèo",
                "Tỷ lệ tham gia bảo hiểm y tế", "Mô hình Dân vận khéo mới",
                "Tỷ lệ đơn thư được giải quyết", "Thôn, khu phố văn hóa"]


# -- the tree --------------------------------------------------------------------------------

@dataclass
class Tree:
    province: int = 0
    districts: list[int] = field(default_factory=list)
    communes: list[int] = field(default_factory=list)
    district_of: dict[int, int] = field(default_factory=dict)  # commune → district
    communes_of: dict[int, list[int]] = field(default_factory=dict)  # district → communes
    villages_of: dict[int, list[int]] = field(default_factory=dict)  # commune → villages
    commune_of: dict[int, int] = field(default_factory=dict)  # village → commune
    names: dict[int, str] = field(default_factory=dict)
    remote: set[int] = field(default_factory=set)
    commune_cum: list[float] = field(default_factory=list)  # cumulative commune weights

    def pick_commune(self, rng: random.Random) -> int:
        return rng.choices(self.communes, cum_weights=self.commune_cum)[0]

    def pick_unit(self, rng: random.Random, village: float, commune: float,
                  district: float) -> int:
        """A unit where a record is entered: a village, a commune, a district or the province."""
        c = self.pick_commune(rng)
        r = rng.random()
        if r < village:
            return rng.choice(self.villages_of[c])
        if r < village + commune:
            return c
        if r < village + commune + district:
            return self.district_of[c]
        return self.province_of_commune(c)

    def province_of_commune(self, commune: int) -> int:
        return self.province  # one province: the whole tree's top

    def home_commune(self, rng: random.Random, unit: int) -> int:
        """The commune a record of `unit` is located in (a random one for a district/province)."""
        if unit in self.commune_of:
            return self.commune_of[unit]
        if unit in self.villages_of:
            return unit
        if unit in self.communes_of:
            return rng.choice(self.communes_of[unit])
        return self.pick_commune(rng)


def commune_counts(n_districts: int = 10, n_communes: int = 124) -> list[int]:
    base, extra = divmod(n_communes, n_districts)
    return [base + (1 if i < extra else 0) for i in range(n_districts)]


# -- small helpers ---------------------------------------------------------------------------

_DATES = {o: date.fromordinal(o) for o in range(date(2014, 1, 1).toordinal(), D1 + 400)}
_STAMPS = {o: datetime(d.year, d.month, d.day, 9, 0, tzinfo=UTC) for o, d in _DATES.items()}


def day(o: int) -> date:
    return _DATES[o]


def stamp(o: int) -> datetime:
    """created_at/updated_at: the record's own day (deterministic, unlike now())."""
    return _STAMPS[min(o, D1)]


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def pick(rng: random.Random, choices: tuple[list[str], list[int]]) -> str:
    return rng.choices(choices[0], choices[1])[0]


def thousands(x: float) -> int:
    """A whole number of thousands of đồng, at least 1 000."""
    return max(1, int(x) // 1000) * 1000


def log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def scaled(scale: float) -> dict[str, int]:
    return {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}


# -- the writer ------------------------------------------------------------------------------

class Writer:
    """Streams rows of one table into the database in one transaction."""

    def __init__(self, conn: Connection, log: Callable[[str], None]) -> None:
        self.conn, self.log = conn, log
        self.pg = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: Table, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
        t0 = time.perf_counter()
        n = 0
        with self.conn.begin():
            if self.pg:
                n = self._copy(table, columns, rows, t0)
            else:
                stmt = insert(table)
                it = iter(rows)
                while chunk := list(islice(it, CHUNK)):
                    self.conn.execute(stmt, [dict(zip(columns, r, strict=True)) for r in chunk])
                    n += len(chunk)
                    if n % 200_000 < CHUNK:
                        self._progress(table.name, n, t0)
            if self.pg and n:
                self.conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM \"{table.name}\"))"))
        self.counts[table.name] = n
        dt = time.perf_counter() - t0
        self.log(f"  {table.name:<14} {n:>10,} rows in {dt:7.1f} s ({n / max(dt, 1e-9):,.0f}/s)")
        return n

    def _copy(self, table: Table, columns: list[str], rows: Iterable[tuple[Any, ...]],
              t0: float) -> int:
        raw = self.conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
                if n % 200_000 == 0:
                    self._progress(table.name, n, t0)
        return n

    def _progress(self, name: str, n: int, t0: float) -> None:
        dt = time.perf_counter() - t0
        self.log(f"    {name}: {n:,} rows, {dt:.1f} s")


# -- the generator ---------------------------------------------------------------------------

@dataclass
class WorkInfo:
    id: int
    unit_id: int
    commune: int
    category: str
    start: int | None  # ordinal
    end: int | None  # completed ordinal (None: not completed)
    cost: int


@dataclass
class ModelInfo:
    id: int
    unit_id: int
    name: str
    kind: str
    start: int
    status: str
    level: str | None


class Generator:
    def __init__(self, seed: int, scale: float) -> None:
        self.seed, self.scale = seed, scale
        self.n = scaled(scale)
        self.tree = Tree()
        self.works: list[WorkInfo] = []
        self.models: list[ModelInfo] = []

    def rng(self, name: str) -> random.Random:
        """One stream per table, so each table's rows depend only on the seed."""
        return random.Random(f"bench:{self.seed}:{name}")

    # units -----------------------------------------------------------------------------
    def units(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("unit"), self.tree
        ts = stamp(D0)
        next_id = 1

        def unit(code: str, name: str, level: str, kind: str, parent: int | None,
                 remote: bool) -> tuple[Any, ...]:
            nonlocal next_id
            uid, next_id = next_id, next_id + 1
            t.names[uid] = name
            if remote:
                t.remote.add(uid)
            return (uid, code, name, level, kind, parent, remote, None, None, None, ts, ts, 1)

        row = unit("BENCH", "Tỉnh Bình Thuận (bench)", "province", "tinh", None, False)
        t.province = row[0]
        yield row
        weights: list[float] = []
        for d, n_communes in enumerate(commune_counts()):
            kind = "thanh_pho" if d == 9 else ("thi_xa" if d == 8 else "huyen")
            drow = unit(f"BENCH.D{d + 1:02d}", DISTRICTS[d], "district", kind, t.province, False)
            did = drow[0]
            t.districts.append(did)
            t.communes_of[did] = []
            yield drow
            for c in range(n_communes):
                ckind = "phuong" if d == 9 else ("thi_tran" if c == 0 else "xa")
                remote = ckind == "xa" and rng.random() < 0.2
                name = f"{rng.choice(COMMUNE_WORDS)} {rng.choice(COMMUNE_WORDS)}"
                crow = unit(f"BENCH.D{d + 1:02d}.C{c + 1:03d}", name, "commune", ckind, did, remote)
                cid = crow[0]
                t.communes.append(cid)
                t.communes_of[did].append(cid)
                t.district_of[cid] = did
                t.villages_of[cid] = []
                weights.append(rng.uniform(0.4, 1.6))  # communes differ in size
                yield crow
                vkind, word = ("khu_pho", "Khu phố") if ckind != "xa" else ("thon", "Thôn")
                for v in range(5):
                    vrow = unit(f"BENCH.D{d + 1:02d}.C{c + 1:03d}.V{v + 1}", f"{word} {v + 1}",
                                "village", vkind, cid, remote)
                    t.villages_of[cid].append(vrow[0])
                    t.commune_of[vrow[0]] = cid
                    yield vrow
        total = 0.0
        for w in weights:
            total += w
            t.commune_cum.append(total)

    # models ----------------------------------------------------------------------------
    def model_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("model"), self.tree
        for mid in range(1, self.n["model"] + 1):
            unit = t.pick_unit(rng, 0.45, 0.45, 0.08)
            start = rng.randint(D0, D1)
            status = pick(rng, MODEL_STATUS)
            level = (rng.choices(["commune", "district", "province", "national"], [50, 35, 13, 2])[0]
                     if status == "recognized" else None)
            if rng.random() < 0.27:
                kind, fld = "individual", rng.choice(FIELDS)
                name = f"{person(rng)} – điển hình {fld.replace('_', ' ')}"
                members = 1
            else:
                kind = "collective"
                fld = rng.choices(FIELDS, [40, 25, 20, 15])[0]
                name = rng.choice(MODEL_NAMES[fld])
                members = rng.randint(5, 200) if rng.random() < 0.95 else None
            org = rng.choice(ORGS)
            end = day(min(start + rng.randint(200, 1500), D1)) if status == "discontinued" else None
            score = (round(rng.uniform(50, 99), 1)
                     if status in ("recognized", "evaluated", "not_recognized") else None)
            self.models.append(ModelInfo(mid, unit, name, kind, start, status, level))
            yield (mid, name, unit, fld, kind, org, None, day(start), end, members, None,
                   "Được Nhân dân đồng tình hưởng ứng." if status == "recognized" else None,
                   status, level, score, stamp(start), stamp(start), 1)

    # works -----------------------------------------------------------------------------
    def work_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("work"), self.tree
        cats = list(WORK_CATEGORIES)
        cat_weights = [w for w, _ in WORK_CATEGORIES.values()]
        n_models = len(self.models)
        for wid in range(1, self.n["work"] + 1):
            cat = rng.choices(cats, cat_weights)[0]
            unit = t.pick_unit(rng, 0.50, 0.45, 0.05)
            commune = t.home_commune(rng, unit)
            quantity, measure, cost = self._size(rng, cat)
            r = rng.random()
            if r < 0.92:  # completed in the ten years
                end: int | None = rng.randint(D0, D1)
                start: int | None = max(end - rng.randint(15, 300), date(2015, 6, 1).toordinal())
                status = "completed"
            elif r < 0.96:
                start, end, status = rng.randint(D1 - 700, D1), None, "in_progress"
            else:
                start, end, status = None, None, "planned"
            org = rng.choice(ORGS) if rng.random() < 0.95 else None
            model_id = rng.randint(1, n_models) if n_models and rng.random() < 0.05 else None
            self.works.append(WorkInfo(wid, unit, commune, cat, start, end, cost or 0))
            when = end or start or D1
            yield (wid, f"{WORK_CATEGORIES[cat][1]} {t.names[unit]} ({wid})", unit, cat, quantity,
                   measure, cost, org, model_id, day(start) if start else None,
                   day(end) if end else None, status, stamp(when), stamp(when), 1)

    @staticmethod
    def _size(rng: random.Random, cat: str) -> tuple[float | None, str | None, int | None]:
        """Quantity in a measure that fits the category, and the cost (whole thousands)."""
        if cat in KM_CATEGORIES:
            metres = rng.randint(150, 3_000) if cat.startswith("road") else rng.randint(200, 2_000)
            per_km = rng.uniform(*PER_KM[cat]) * 1_000_000
            cost: int | None = thousands(metres / 1000 * per_km)
            if rng.random() < 0.4:
                quantity, measure = float(metres), "m"
            else:
                quantity, measure = metres / 1000, "km"
        elif cat == "lighting":
            n = rng.randint(10, 300)
            quantity, measure, cost = float(n), "lamp", thousands(n * rng.uniform(0.8e6, 1.5e6))
        elif cat in ("gratitude_house_new", "gratitude_house_repair", "charity_house"):
            n = rng.randint(1, 4)
            unit_cost = {"gratitude_house_new": (50e6, 90e6), "gratitude_house_repair": (10e6, 30e6),
                         "charity_house": (30e6, 60e6)}[cat]
            quantity, measure, cost = float(n), "house", thousands(n * rng.uniform(*unit_cost))
        elif cat == "health_insurance":
            n = rng.randint(20, 1_000)
            measure = "card" if rng.random() < 0.7 else "person_time"
            quantity, cost = float(n), thousands(n * rng.uniform(0.5e6, 0.9e6))
        elif cat == "social_support":
            n = rng.randint(10, 2_000)
            quantity, measure, cost = float(n), "person_time", thousands(n * rng.uniform(0.2e6, 1e6))
        elif cat == "poor_fund":
            quantity, measure, cost = None, None, thousands(rng.uniform(20e6, 500e6))
        else:
            if rng.random() < 0.5:
                quantity, measure = float(rng.randint(1, 50)), "item"
            else:
                quantity, measure = None, None
            cost = thousands(rng.uniform(10e6, 300e6))
        if rng.random() < 0.01:
            cost = None  # cost not known yet
        return quantity, measure, cost

    # contributions ---------------------------------------------------------------------
    def contribution_rows(self) -> Iterator[tuple[Any, ...]]:
        """Gifts behind works (state share, people's cash, labour, in kind), behind models,
        and the rest to the units' funds and campaigns."""
        rng, t = self.rng("contribution"), self.tree
        target = self.n["contribution"]
        cid = 0

        def row(unit: int, work: int | None, model: int | None, source: str, kind: str,
                amount: int | None, days: float | None, who: str | None, o: int
                ) -> tuple[Any, ...]:
            nonlocal cid
            cid += 1
            return (cid, unit, work, model, source, kind, amount, days, who, day(o), None,
                    stamp(o), stamp(o), 1)

        for w in self.works:
            if w.start is None or cid >= target:
                continue
            lo, hi = max(w.start, D0), (w.end or D1)
            n = rng.randint(2, 22)
            state_share = rng.uniform(0.3, 0.9) if rng.random() < 0.85 else 0.0
            non_state = w.cost * (1 - state_share)
            people = f"Nhân dân {t.names[w.unit_id]}"
            if state_share and w.cost:
                yield row(w.unit_id, w.id, None, "state_budget", "cash",
                          thousands(w.cost * state_share), None, "Ngân sách nhà nước",
                          rng.randint(lo, hi))
                n -= 1
            for _ in range(n):
                if cid >= target:
                    break
                o = rng.randint(lo, hi)
                r = rng.random()
                part = non_state / n * rng.uniform(0.5, 1.5)
                if r < 0.5:
                    yield row(w.unit_id, w.id, None, "people", "cash", thousands(part), None,
                              people, o)
                elif r < 0.75:
                    days = rng.randint(2, 400) / 2
                    valued = thousands(days * 200_000) if rng.random() < 0.3 else None
                    yield row(w.unit_id, w.id, None, "people", "labor", valued, days, people, o)
                elif r < 0.85:
                    yield row(w.unit_id, w.id, None, rng.choice(["people", "business"]), "in_kind",
                              thousands(part), None, "Vật liệu xây dựng", o)
                elif r < 0.95:
                    yield row(w.unit_id, w.id, None, "business", "cash", thousands(part), None,
                              "Doanh nghiệp trên địa bàn", o)
                else:
                    yield row(w.unit_id, w.id, None, "organization", "cash", thousands(part),
                              None, "Hội, đoàn thể", o)
        for m in self.models:
            if cid >= target:
                break
            for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6, 8))):
                o = min(m.start + rng.randint(0, 365), D1)
                yield row(m.unit_id, None, m.id, pick(rng, (["people", "business", "organization"],
                                                            [70, 20, 10])),
                          "cash", thousands(log_uniform(rng, 100_000, 20_000_000)), None,
                          f"Thành viên mô hình {m.id}", o)
        while cid < target:
            unit = t.pick_unit(rng, 0.6, 0.35, 0.04)
            o = rng.randint(D0, D1)
            source = pick(rng, SOURCES)
            r = rng.random()
            if r < 0.7 or source == "state_budget":
                kind, amount, days = "cash", thousands(log_uniform(rng, 20_000, 10_000_000)), None
            elif r < 0.85:
                kind, amount, days = "in_kind", thousands(log_uniform(rng, 50_000, 5_000_000)), None
            else:
                kind, days = "labor", rng.randint(1, 40) / 2
                amount = thousands(days * 200_000) if rng.random() < 0.3 else None
            yield row(unit, None, None, source, kind, amount, days, None, o)

    # land donations --------------------------------------------------------------------
    def land_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("land_donation"), self.tree
        eligible = [w for w in self.works if w.category in KM_CATEGORIES and w.start is not None]
        for lid in range(1, self.n["land_donation"] + 1):
            if eligible and rng.random() < 0.85:
                w = rng.choice(eligible)
                work_id: int | None = w.id
                unit = (w.unit_id if w.unit_id in t.commune_of and rng.random() < 0.9
                        else rng.choice(t.villages_of[w.commune]))
                lo = max(w.start or D0, D0)
                o = rng.randint(lo, max(lo, min(lo + 60, w.end or D1)))
            else:
                work_id = None
                unit = rng.choice(t.villages_of[t.pick_commune(rng)])
                o = rng.randint(D0, D1)
            area = rng.randint(20, 1_500)
            value = thousands(area * rng.uniform(30_000, 400_000)) if rng.random() < 0.9 else None
            households = 1 if rng.random() < 0.9 else rng.randint(2, 5)
            status = rng.choices(["pledged", "signed", "registered"], [10, 40, 50])[0]
            yield (lid, unit, work_id, person(rng), households, float(area), value, day(o), status,
                   None, stamp(o), stamp(o), 1)

    # petitions -------------------------------------------------------------------------
    def petition_rows(self) -> Iterator[tuple[Any, ...]]:
        from app.services.petitions.rules import ACCEPT_DAYS, resolve_days

        rng, t = self.rng("petition"), self.tree
        for pid in range(1, self.n["petition"] + 1):
            kind = pick(rng, PETITION_TYPES)
            unit = t.pick_unit(rng, 0.0, 0.80, 0.15)
            remote = unit in t.remote
            complex_ = kind in ("complaint", "denunciation") and rng.random() < 0.1
            received = rng.randint(D0, D1)
            accepted: int | None = None
            closed: int | None = None
            r = rng.random()
            if r < 0.05:  # sent on to the competent body, or not eligible
                status = "transferred" if r < 0.03 else "rejected"
                closed = received + rng.randint(1, 9)
            elif r < 0.07:  # withdrawn before acceptance
                status, closed = "withdrawn", received + rng.randint(1, 9)
            else:
                accepted = received + rng.randint(1, 9)
                if accepted > D1 or rng.random() < 0.003:  # not yet accepted at the end
                    accepted, status = None, "received"
                else:
                    limit = resolve_days(kind, complex_=complex_, remote=remote)  # type: ignore[arg-type]
                    late = rng.random() < 0.06
                    closed = accepted + (rng.randint(limit + 1, limit + 45) if late
                                         else rng.randint(2, limit))
                    if closed > D1 or rng.random() < 0.004:  # still open at the end
                        status, closed = rng.choice(["accepted", "in_progress"]), None
                    else:
                        s = rng.random()
                        status = "resolved" if s < 0.95 else ("withdrawn" if s < 0.99
                                                              else "transferred")
            if closed is not None and closed > D1:
                closed = D1
            if accepted is None:
                due = received + ACCEPT_DAYS
            else:
                due = accepted + resolve_days(kind, complex_=complex_, remote=remote)  # type: ignore[arg-type]
            domain = pick(rng, DOMAINS)
            yield (pid, day(received), unit, kind, pick(rng, CHANNELS),
                   rng.choice(SUBJECTS[domain]), domain, person(rng), t.names[unit],
                   1 if rng.random() < 0.9 else rng.randint(2, 30),
                   rng.choice(["Công chức Tư pháp – Hộ tịch", "Công chức Địa chính",
                               "Chủ tịch UBND xã"]),
                   complex_, day(accepted) if accepted else None, status,
                   day(closed) if closed else None,
                   "Hòa giải tại cơ sở" if kind == "dispute" and status == "resolved" else None,
                   "Đã trả lời công dân" if status == "resolved" else None, None,
                   day(due), stamp(closed or received), stamp(received), 1)

    # targets, recognitions, commendations ----------------------------------------------
    def target_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("target"), self.tree
        periods = [(date(2016, 1, 1), date(2020, 12, 31)), (date(2021, 1, 1), date(2025, 12, 31))]
        periods += [(date(y, 1, 1), date(y, 12, 31)) for y in range(2016, 2026)]
        for tid in range(1, self.n["target"] + 1):
            unit = t.pick_unit(rng, 0.0, 0.6, 0.35)
            p0, p1 = rng.choice(periods)
            target = float(rng.randint(50, 100))
            actual = round(target * rng.uniform(0.7, 1.2), 1)
            yield (tid, unit, rng.choice(TARGET_NAMES), p0, p1, target, actual, actual >= target,
                   stamp(p1.toordinal()), stamp(p1.toordinal()), 1)

    def recognition_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("recognition"), self.tree
        n = self.n["recognition"]
        plan: list[tuple[int, str]] = []
        communes = rng.sample(t.communes, len(t.communes))
        plan += [(c, "new_rural_commune") for c in communes[: min(len(communes), n * 2 // 5)]]
        plan += [(c, "advanced_new_rural_commune") for c in communes[: n // 10]]
        plan += [(d, "new_rural_district") for d in t.districts[: max(0, min(3, n // 100))]]
        villages = [v for vs in t.villages_of.values() for v in vs]
        plan += [(v, "cultural_village") for v in rng.sample(villages, max(0, n - len(plan)))]
        for rid, (unit, title) in enumerate(plan[:n], start=1):
            lo = D0 if title != "advanced_new_rural_commune" else date(2021, 1, 1).toordinal()
            o = rng.randint(lo, D1)
            yield (rid, unit, title, day(o), f"{rng.randint(100, 4000)}/QĐ-UBND", stamp(o),
                   stamp(o), 1)

    def commendation_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, t = self.rng("commendation"), self.tree
        recognized = [m for m in self.models if m.status == "recognized"]
        for cid in range(1, self.n["commendation"] + 1):
            if recognized and rng.random() < 0.6:
                m = rng.choice(recognized)
                o = min(m.start + rng.randint(200, 400), D1)
                unit, model_id, name = m.unit_id, m.id, m.name
                rtype = "individual" if m.kind == "individual" else "collective"
                level = m.level
            else:
                unit, model_id = t.pick_unit(rng, 0.0, 0.5, 0.4), None
                rtype = rng.choice(["collective", "individual"])
                name = person(rng) if rtype == "individual" else t.names[t.pick_commune(rng)]
                level = rng.choices(["commune", "district", "province", None], [30, 45, 20, 5])[0]
                o = rng.randint(D0, D1)
            yield (cid, unit, rtype, name[:300], model_id, level,
                   f"{rng.randint(10, 999)}/QĐ-UBND", day(o), stamp(o), stamp(o), 1)


COLUMNS = {
    "unit": ["id", "code", "name", "level", "kind", "parent_id", "remote", "active_from",
             "active_to", "merged_into_id", "created_at", "updated_at", "version"],
    "model": ["id", "name", "unit_id", "field", "kind", "org_type", "org_name", "start_date",
              "end_date", "members", "description", "results", "status", "recognition_level",
              "score", "created_at", "updated_at", "version"],
    "work": ["id", "name", "unit_id", "category", "quantity", "measure", "total_cost_vnd",
             "org_type", "model_id", "start_date", "completed_date", "status", "created_at",
             "updated_at", "version"],
    "contribution": ["id", "unit_id", "work_id", "model_id", "source", "kind", "amount_vnd",
                     "labor_days", "contributor_name", "date", "note", "created_at",
                     "updated_at", "version"],
    "land_donation": ["id", "unit_id", "work_id", "donor_name", "households", "area_m2",
                      "value_vnd", "date", "status", "note", "created_at", "updated_at",
                      "version"],
    "petition": ["id", "received_date", "unit_id", "type", "channel", "subject", "domain",
                 "petitioner_name", "petitioner_address", "signers", "handler", "complex",
                 "accepted_date", "status", "closed_date", "resolution_method", "outcome",
                 "note", "due_date", "updated_at", "created_at", "version"],
    "target": ["id", "unit_id", "name", "period_start", "period_end", "target_value",
               "actual_value", "achieved", "created_at", "updated_at", "version"],
    "recognition": ["id", "unit_id", "title", "date", "decision_no", "created_at", "updated_at",
                    "version"],
    "commendation": ["id", "unit_id", "recipient_type", "recipient_name", "model_id", "level",
                     "decision_no", "decision_date", "created_at", "updated_at", "version"],
}


def _rebuild_rollups(engine: Engine) -> bool:
    """The rows went in around the services: recompute the pre-aggregated sums the report
    reads (app.services.rollups), where this version of the application has them."""
    try:
        from app.services import rollups
    except ImportError:
        return False
    if not hasattr(rollups, "rebuild"):
        return False
    from app.db.session import session_scope

    for session in session_scope(engine, write=True):
        rollups.rebuild(session)
    return True


def generate(url: str, *, seed: int = 1, scale: float = 1.0,
             log: Callable[[str], None] | None = None) -> dict[str, int]:
    """Migrate the database at `url` to head and fill it (it must hold no units yet) with the
    benchmark data set; returns the number of rows written per table."""
    from app.cli import migrate_to_head
    from app.db import metadata
    from app.db.engine import make_engine

    say = log or (lambda msg: print(msg, flush=True))
    if scale <= 0:
        raise ValueError("scale must be positive")
    t0 = time.perf_counter()
    migrate_to_head(url)
    engine: Engine = make_engine(url)
    gen = Generator(seed, scale)
    tables = metadata.tables
    try:
        with engine.connect() as conn:
            with conn.begin():
                if conn.execute(select(func.count()).select_from(tables["unit"])).scalar_one():
                    raise RuntimeError("the database already has units: generate into an empty one")
                if conn.dialect.name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB while indexing
            say(f"Generating seed={seed} scale={scale} into {engine.url.render_as_string()}")
            w = Writer(conn, say)
            w.write(tables["unit"], COLUMNS["unit"], gen.units())
            w.write(tables["model"], COLUMNS["model"], gen.model_rows())
            w.write(tables["work"], COLUMNS["work"], gen.work_rows())
            w.write(tables["contribution"], COLUMNS["contribution"], gen.contribution_rows())
            w.write(tables["land_donation"], COLUMNS["land_donation"], gen.land_rows())
            w.write(tables["petition"], COLUMNS["petition"], gen.petition_rows())
            w.write(tables["target"], COLUMNS["target"], gen.target_rows())
            w.write(tables["recognition"], COLUMNS["recognition"], gen.recognition_rows())
            w.write(tables["commendation"], COLUMNS["commendation"], gen.commendation_rows())
            t1 = time.perf_counter()
            if _rebuild_rollups(engine):
                say(f"  pre-aggregated sums rebuilt in {time.perf_counter() - t1:.1f} s")
                t1 = time.perf_counter()
            if conn.dialect.name == "postgresql":
                # What autovacuum would soon do anyway; without it the first plans are blind.
                with conn.begin():
                    conn.exec_driver_sql("ANALYZE")
                say(f"  ANALYZE in {time.perf_counter() - t1:.1f} s")
            counts = w.counts
    finally:
        engine.dispose()
    say(f"Done in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies every record count (0.01 for a quick run)")
    args = parser.parse_args(argv)
    try:
        generate(args.url, seed=args.seed, scale=args.scale)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
