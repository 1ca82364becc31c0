"""The country's tree built from the installed data sets (`dvk units load-official`): every
row's references exist at the right date, no code is carried twice at once, splits keep all
their successors with the marked default first, and the two sources' disagreements are told."""

from collections import Counter
from datetime import date, timedelta

import pytest

from app.services.official import sources, tree


@pytest.fixture(scope="module")
def built() -> tree.Tree:
    return tree.build(sources.read())


def _in_force(row: dict, day: date) -> bool:
    return ((row["active_from"] is None or row["active_from"] <= day)
            and (row["active_to"] is None or day <= row["active_to"]))


def _at(by_code: dict[str, list[dict]], code: str, day: date) -> list[dict]:
    return [r for r in by_code.get(code.lower(), []) if _in_force(r, day)]


def _by_code(rows: list[dict]) -> dict[str, list[dict]]:
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["code"].lower(), []).append(r)
    return by_code


def test_counts_per_level_and_period(built):
    counts = Counter((r["level"], "old" if r["active_to"] else "new") for r in built.rows)
    assert counts == {("country", "new"): 1, ("province", "new"): 34, ("commune", "new"): 3321,
                      ("province", "old"): 63, ("district", "old"): 696,
                      ("commune", "old"): 10035}
    assert "remote" not in built.rows[0]  # no data set says it: never overwritten
    assert all(r["kind"] for r in built.rows)


def test_no_code_is_carried_by_two_units_at_once(built):
    reused = 0
    for code, rows in _by_code(built.rows).items():
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                reused += 1
                assert a["active_to"] and b["active_from"] and a["active_to"] < b["active_from"] \
                    or b["active_to"] and a["active_from"] and b["active_to"] < a["active_from"], code
    assert reused > 3000  # the 2025 communes mostly carry a predecessor's code


def test_every_reference_exists_at_its_date(built):
    rows = _by_code(built.rows)
    seen: set[str] = set()
    for r in built.rows:
        day = r["active_to"] or r["active_from"] or date(2025, 7, 1)
        if r["parent_code"] is not None:
            parents = _at(rows, r["parent_code"], day)
            assert len(parents) == 1, r
            assert r["parent_code"] in seen, "a parent comes in an earlier row"
        else:
            assert r["level"] == "country"
        for code in [r["merged_into_code"], *r["successor_codes"]]:
            if code is None:
                continue
            assert r["active_to"] is not None
            assert len(_at(rows, code, r["active_to"] + timedelta(days=1))) == 1, r
            assert code in seen, "a successor comes in an earlier row"
        seen.add(r["code"])


def test_mergers_and_splits(built):
    old = [r for r in built.rows if r["active_to"] == date(2025, 6, 30)]
    communes = [r for r in old if r["level"] == "commune"]
    assert all(r["merged_into_code"] for r in communes)
    assert all(r["merged_into_code"] for r in old if r["level"] == "province")
    # districts were abolished; only the five island districts became special zones
    islands = {r["name"]: r["merged_into_code"] for r in old
               if r["level"] == "district" and r["merged_into_code"]}
    assert set(islands) == {"Huyện Bạch Long Vĩ", "Huyện Cồn Cỏ", "Huyện Hoàng Sa", "Huyện Lý Sơn",
                            "Huyện Côn Đảo"}
    new = {r["code"]: r for r in built.rows if r["active_from"] == date(2025, 7, 1)}
    assert all(new[c]["kind"] == "dac_khu" for c in islands.values())
    split = [r for r in communes if r["successor_codes"]]
    assert len(split) == 471
    assert all(len(r["successor_codes"]) >= 2 for r in split)
    assert all(r["successor_codes"][0] == r["merged_into_code"] for r in split)
    assert all(len(set(r["successor_codes"])) == len(r["successor_codes"]) for r in split)


def test_a_split_commune_default_is_the_one_the_data_set_marks(built):
    # the first divided commune in the data set: its successor marked isDefaultNewWard
    src = sources.read()
    key, parts = next(iter(src.divided.items()))
    marked = next(p for p in parts if p[2])
    code = next(o.code for o in src.old_communes if o.key == key)
    row = next(r for r in built.rows if r["code"] == code and r["active_to"])
    mapped = next(m for m in src.mapped_communes if m.key == marked[1]
                  and any(p.key == marked[0] and p.code == m.province for p in src.mapped_provinces))
    default = next(r for r in built.rows if r["code"] == row["merged_into_code"]
                   and r["active_from"])
    assert tree.same_name(default["name"]) == tree.same_name(mapped.name)


def test_names_compared_across_spellings():
    assert tree.same_name("Xã Thái Hoà") == tree.same_name("Xã Thái Hòa")
    assert tree.same_name("Phường Thuỷ Nguyên") == tree.same_name("Phường  Thủy Nguyên")
    assert tree.same_name("Xã Ea H’leo") == tree.same_name("Xã Ea H'Leo")
    assert tree.same_name("Xã Hoàn Kiếm") != tree.same_name("Xã Hòan Kiếm")  # a closed syllable
    assert tree.same_name("Xã Vinh Quý") == "xã vinh quý"  # after q, u is the consonant's
    assert tree.same_name("Xã Văn Lang") != tree.same_name("Xã Văn Lăng")


def test_disagreements_are_told_in_vietnamese(built):
    said = [str(d) for d in built.disagreements]
    # vietnamadminunits' 2025 list carries other codes than the official one for some units
    assert any("Phường Cửa Nam" in m and "00073 theo vietnam-provinces" in m for m in said)
    assert 50 < len(said) < 500
    assert all("vietnam-provinces" in m or "vietnamadminunits" in m for m in said)


def test_what_one_source_lacks_or_contradicts_is_told_and_left_out():
    src = sources.read()
    key, parts = next((k, p) for k, p in src.divided.items() if len(p) == 3)
    marked, *others = sorted(parts, key=lambda p: not p[2])
    pcode = {p.key: p.code for p in src.mapped_provinces}
    name = next(m.name for m in src.mapped_communes
                if m.key == marked[1] and m.province == pcode[marked[0]])
    gone = next(n for n in src.new_communes if tree.same_name(n.name) == tree.same_name(name)
                and n.province == pcode[marked[0]])
    src.new_communes.remove(gone)  # the marked default is missing from vietnam-provinces
    # and an old province said to go into another new province than its communes did
    moved = src.old_provinces[0]
    target = next(k for k in src.province_map if moved.key not in src.province_map[k])
    for olds in src.province_map.values():
        if moved.key in olds:
            olds.remove(moved.key)
    src.province_map[target].append(moved.key)

    built = tree.build(src)
    said = [str(d) for d in built.disagreements]
    assert any(f"'{name}'" in m and "không có trong vietnam-provinces" in m for m in said)
    assert any("bị chia cho 3 đơn vị, chỉ 2 có trong vietnam-provinces" in m for m in said)
    code = next(o.code for o in src.old_communes if o.key == key)
    row = next(r for r in built.rows if r["code"] == code and r["active_to"])
    assert gone.code not in row["successor_codes"] and len(row["successor_codes"]) == 2
    first = next(m.name for m in src.mapped_communes
                 if m.key == others[0][1] and m.province == pcode[others[0][0]])
    default = next(r for r in built.rows if r["code"] == row["merged_into_code"] and r["active_from"])
    assert tree.same_name(default["name"]) == tree.same_name(first)  # the first listed left
    assert any(f"thuộc '{moved.name}', sáp nhập vào" in m for m in said)
    assert all(r["code"] != gone.code or not r["active_from"] for r in built.rows)
