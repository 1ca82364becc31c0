"""The summary's figures folded from grouped rows: shared by the report (`summary`), its league
table (`league`) and the live dashboard (`standing`), which group the same sums differently."""

from typing import Any

from app.enums import ModelKind, ModelStatus, OrgType, Source, WorkCategory, Field_

ROADS = (WorkCategory.road_concrete, WorkCategory.road_other)
# The Front and the mass organisations (figure D12 of the 2016–2020 report).
MASS_ORGS = tuple(o for o in OrgType if o not in (OrgType.party_committee, OrgType.government,
                                                  OrgType.other))


def to_int(value: Any) -> int:
    return int(value or 0)


def to_num(value: Any) -> float:
    """A quantity, rounded to the metre / the m² so float sums print cleanly."""
    return round(float(value or 0), 3)


def fold_models(rows: Any) -> dict[str, Any]:
    """The model figures from rows (kind, field, status, n, members); a key may repeat."""
    by_kind = dict.fromkeys((k.value for k in ModelKind), 0)
    by_field = dict.fromkeys((f.value for f in Field_), 0)
    by_status = dict.fromkeys((s.value for s in ModelStatus), 0)
    members = 0
    for kind, field, status, n, m in rows:
        by_kind[kind] += to_int(n)
        by_field[field] += to_int(n)
        by_status[status] += to_int(n)
        members += to_int(m)
    return {"total": sum(by_kind.values()), "members": members, "by_kind": by_kind,
            "by_field": by_field, "by_status": by_status,
            "recognized": by_status[ModelStatus.recognized.value]}


def fold_works(rows: Any) -> dict[str, Any]:
    """The work figures from rows (category, org_type, n, quantity, cost, non-state money)."""
    # "non_government": the part carried out by anyone but the government (figure D17: charity
    # houses built with funds that agencies, businesses and organisations mobilised).
    by_category = {c.value: {"count": 0, "quantity": 0.0, "total_cost_vnd": 0, "non_state_vnd": 0,
                             "non_government": {"count": 0, "quantity": 0.0, "total_cost_vnd": 0}}
                   for c in WorkCategory}
    by_org: dict[str, dict[str, int]] = {o.value: {"count": 0, "total_cost_vnd": 0} for o in OrgType}
    for category, org_type, n, qty, cost, non_state in rows:
        n, qty, cost = to_int(n), float(qty or 0), to_int(cost)
        entry = by_category[category]
        entry["count"] += n
        entry["quantity"] = to_num(entry["quantity"] + qty)
        entry["total_cost_vnd"] += cost
        entry["non_state_vnd"] += to_int(non_state)
        if org_type != OrgType.government.value:
            part = entry["non_government"]
            part["count"] += n
            part["quantity"] = to_num(part["quantity"] + qty)
            part["total_cost_vnd"] += cost
        org = by_org[org_type or OrgType.other.value]
        org["count"] += n
        org["total_cost_vnd"] += cost
    return {"total": sum(e["count"] for e in by_category.values()),
            "total_cost_vnd": sum(e["total_cost_vnd"] for e in by_category.values()),
            "by_category": by_category, "by_org_type": by_org,
            "mass_organizations": mass_org_totals(by_org)}


def mass_org_totals(by_org_type: dict[str, dict[str, int]]) -> dict[str, int]:
    """Works of the Front and the mass organisations together (figure D12)."""
    return {key: sum(by_org_type.get(o.value, {}).get(key, 0) for o in MASS_ORGS)
            for key in ("count", "total_cost_vnd")}


def road_figures(by_category: dict[str, dict[str, Any]]) -> dict[str, Any]:
    concrete, other = by_category["road_concrete"], by_category["road_other"]
    return {
        "km": to_num(concrete["quantity"] + other["quantity"]),
        "total_cost_vnd": concrete["total_cost_vnd"] + other["total_cost_vnd"],
        "non_state_vnd": concrete["non_state_vnd"] + other["non_state_vnd"],
        "concrete_km": concrete["quantity"],
        "concrete_cost_vnd": concrete["total_cost_vnd"],
        "concrete_non_state_vnd": concrete["non_state_vnd"],
    }


def fold_contributions(rows: Any) -> dict[str, Any]:
    """The money figures from rows (source, amount, labour days)."""
    by_source = dict.fromkeys((s.value for s in Source), 0)
    labor = 0.0
    for source, amount, days in rows:
        by_source[source] += to_int(amount)
        labor += float(days or 0)
    return {"total_vnd": sum(by_source.values()), "by_source": by_source,
            "labor_days": to_num(labor)}


def land_figures(n: Any, households: Any, area: Any, value: Any) -> dict[str, Any]:
    return {"count": to_int(n), "households": to_int(households), "area_m2": to_num(area),
            "value_vnd": to_int(value)}


def headline(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(key, Vietnamese label, value) of the figures a comparison shows side by side."""
    works, roads, pets = report["works"], report["roads"], report["petitions"]
    return [
        ("models", "Mô hình, điển hình", report["models"]["total"]),
        ("works", "Công trình, phần việc", works["total"]),
        ("works_cost", "Tổng kinh phí công trình (đồng)", works["total_cost_vnd"]),
        ("roads_km", "Đường giao thông (km)", roads["km"]),
        ("roads_non_state", "Nhân dân, doanh nghiệp góp cho đường (đồng)", roads["non_state_vnd"]),
        ("concrete_km", "Đường bê tông xi măng (km)", roads["concrete_km"]),
        ("canal_km", "Kênh mương nạo vét (km)", works["by_category"]["canal"]["quantity"]),
        ("mass_works", "Công trình của Mặt trận, đoàn thể", works["mass_organizations"]["count"]),
        ("contributions", "Tổng đóng góp (đồng)", report["contributions"]["total_vnd"]),
        ("labor_days", "Ngày công", report["contributions"]["labor_days"]),
        ("land_m2", "Đất hiến (m²)", report["land_donations"]["area_m2"]),
        ("petitions_received", "Đơn thư tiếp nhận", pets["received"]),
        # The rate's base is shown beside it: those within competence, carried over included,
        # so "24 received, 24 resolved, 96 %" is not read as a wrong sum.
        ("petitions_in_competence", "Đơn thư thuộc thẩm quyền (cả kỳ trước chuyển sang)",
         pets["in_competence"]),
        ("petitions_resolved", "Đơn thư đã giải quyết", pets["resolved"]),
        ("resolution_rate", "Tỷ lệ giải quyết (đã giải quyết / thuộc thẩm quyền)",
         pets["resolution_rate"]),
        ("petitions_overdue", "Đơn quá hạn", pets["overdue"]),
    ]
