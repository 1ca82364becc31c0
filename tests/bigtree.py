"""A country-sized unit tree for tests, loaded in a second or two: 60 provinces × 10 districts ×
15 communes (9 660 units) with Vietnamese-like names, written with SQLAlchemy Core executemany
(one statement per level), not through the API. Names repeat across provinces, as they do in
Vietnam (3 528 old communes share their name with another): "Phú Long" is a commune in many
districts, and the pickers must tell them apart by their province."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select

from app.db.units import Unit
from app.vn import fold

FIRST = ["Phú", "An", "Tân", "Bình", "Hòa", "Long", "Thạnh", "Mỹ", "Vĩnh", "Đông", "Tây",
         "Hưng", "Quảng", "Nghĩa", "Thuận", "Đức", "Hàm", "Xuân", "Cẩm", "Hải"]
SECOND = ["Long", "Phước", "Hòa", "Thành", "Lợi", "Bình", "Đông", "Tiến", "Hưng", "Thịnh",
          "Lộc", "Trung", "Sơn", "Giang", "Trí", "An", "Phong", "Mỹ", "Tân", "Nam"]
PROVINCE_CODE = "BT-P"
# Communes of the old tree ended on the eve of the 2025 mergers (as Nghị quyết 202/2025/QH15).
ENDED = date(2025, 6, 30)


def _name(i: int) -> str:
    """One of 400 two-word names; i = 0 is "Phú Long"."""
    i %= len(FIRST) * len(SECOND)
    return f"{FIRST[i % len(FIRST)]} {SECOND[i // len(FIRST)]}"


def _rows(level: str, kind: str, names: list[tuple[str, str, int | None]],
          active_to: date | None) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [{"code": code, "name": name, "level": level, "kind": kind, "parent_id": parent,
             "remote": False, "active_from": None, "active_to": active_to,
             "merged_into_id": None, "search_text": fold(f"{name} {code}"),
             "created_at": now, "updated_at": now, "version": 1}
            for code, name, parent in names]


def _ids(conn: Any, prefix: str) -> dict[str, int]:
    rows = conn.execute(select(Unit.code, Unit.id).where(Unit.code.like(f"{prefix}%")))
    return {code: id_ for code, id_ in rows}


def load_country(engine: Any, provinces: int = 60, districts: int = 10,
                 communes: int = 15, new_provinces: int = 0,
                 new_communes: int = 0) -> dict[str, Any]:
    """Write the tree; returns {"count": n, "phu_long": [ids of communes named Phú Long],
    "province": {id: name}}. Every commune whose number ends in 0 is an old commune, ended
    30/06/2025 (the others stand), so that a search finds both kinds. `new_provinces` of
    `new_communes` each are the tree after 07/2025: communes right under the province, a
    level of hundreds."""
    table = Unit.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        if new_provinces:
            tops = [(f"N{p:02d}", f"Tỉnh {_name(p * 11 + 5)} mới", None) for p in range(new_provinces)]
            conn.execute(insert(table), _rows("province", "tinh", tops, None))
            n_ids = _ids(conn, "N")
            conn.execute(insert(table), _rows("commune", "xa", [
                (f"M{p:02d}{c:03d}", _name(p * 3 + c), n_ids[f"N{p:02d}"])
                for p in range(new_provinces) for c in range(new_communes)], None))
        tops = [(f"P{p:02d}", f"Tỉnh {_name(p * 7 + 3)}", None) for p in range(provinces)]
        conn.execute(insert(table), _rows("province", "tinh", tops, None))
        p_ids = _ids(conn, "P")
        mids = [(f"D{p:02d}{d:02d}", _name(p * 13 + d * 29 + 1), p_ids[f"P{p:02d}"])
                for p in range(provinces) for d in range(districts)]
        conn.execute(insert(table), _rows("district", "huyen", mids, None))
        d_ids = _ids(conn, "D")
        bottom: list[tuple[str, str, int | None]] = []
        ended: list[tuple[str, str, int | None]] = []
        for p in range(provinces):
            for d in range(districts):
                parent = d_ids[f"D{p:02d}{d:02d}"]
                for c in range(communes):
                    code = f"C{p:02d}{d:02d}{c:02d}"
                    name = _name(p * 31 + d * 17 + c * 13)
                    (ended if c % 10 == 0 else bottom).append((code, name, parent))
        conn.execute(insert(table), _rows("commune", "xa", bottom, None))
        conn.execute(insert(table), _rows("commune", "xa", ended, ENDED))
        count = len(tops) + len(mids) + len(bottom) + len(ended) + new_provinces * (1 + new_communes)
        phu_long = [i for (i,) in conn.execute(select(Unit.id).where(Unit.name == "Phú Long"))]
    return {"count": count, "phu_long": phu_long,
            "province": {v: n for (_, n, _), v in zip(tops, p_ids.values())}}
