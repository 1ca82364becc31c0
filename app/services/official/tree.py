"""The country's tree as rows of the units import, built from the two data sets (sources.py),
and where the two disagree, in words.

Who says what:
- the 2025 units (code, name, kind, province) are vietnam-provinces', which follows the
  government's catalogue; vietnamadminunits' own 2025 list disagrees with it on 131 codes;
- the units before 2025 and the old→new mapping are vietnamadminunits' (the only source); its
  mapping names the new units by its own keys, matched here to vietnam-provinces' units by
  province and name (the codes are what the two disagree on most).

Every old unit ends on 30/06/2025 and every new one starts on 01/07/2025 (Nghị quyết
202/2025/QH15): old and new provinces are distinct units even where a province kept its name
(its communes all changed), so an old province's code may be carried again by a new one."""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.enums import UnitKind, UnitLevel
from app.services.official.sources import NEW_SET, OLD_SET, New, Old, Sources
from app.vn.text import fold

REFORM = date(2025, 7, 1)
OLD_END = date(2025, 6, 30)
COUNTRY = {"code": "VN", "name": "Việt Nam", "level": UnitLevel.country.value,
           "kind": UnitKind.quoc_gia.value}

# The data sets' types (lower case) → UnitKind. A province's "Thành phố" is a centrally-run
# city; a district's is a provincial city.
_KINDS = {
    UnitLevel.province: {"tỉnh": UnitKind.tinh, "thành phố": UnitKind.thanh_pho_tw,
                         "thành phố trung ương": UnitKind.thanh_pho_tw},
    UnitLevel.district: {"quận": UnitKind.quan, "huyện": UnitKind.huyen,
                         "thị xã": UnitKind.thi_xa, "thành phố": UnitKind.thanh_pho},
    UnitLevel.commune: {"xã": UnitKind.xa, "phường": UnitKind.phuong,
                        "thị trấn": UnitKind.thi_tran, "đặc khu": UnitKind.dac_khu},
}

# 'Hoà', 'Thuỷ' (the older tone placement) and 'Hòa', 'Thủy' are one name, as are names that
# differ only in spacing, case, or the kind of apostrophe or dash ('Ea H’leo', 'Ea H'Leo'): the
# tone mark moves to the first vowel of a closing oa/oe/uy (not after q, where u belongs to the
# consonant).
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_TONE = re.compile(rf"(?<![qQ])([oO])([aeAE])([{_TONES}])(?![\w])|(?<![qQ])([uU])([yY])([{_TONES}])(?![\w])")


_MARKS = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "–": "-", "—": "-"})


def same_name(name: str) -> str:
    nfd = unicodedata.normalize("NFD", " ".join(name.translate(_MARKS).casefold().split()))
    moved = _OLD_TONE.sub(lambda m: (m[1] + m[3] + m[2]) if m[1] else (m[4] + m[6] + m[5]), nfd)
    return unicodedata.normalize("NFC", moved)


def _kind(level: UnitLevel, type_: str) -> str | None:
    kind = _KINDS.get(level, {}).get(type_.lower())
    return kind.value if kind else None


@dataclass(frozen=True)
class Disagreement:
    """A point where the two data sets differ, in words, and the 2025 provinces (codes) it
    concerns: a load of one province tells its own and counts the others'."""

    text: str
    provinces: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.text


def _tell(say: list[Disagreement], text: str, *provinces: str | None) -> None:
    say.append(Disagreement(text, frozenset(p for p in provinces if p)))


@dataclass
class Tree:
    rows: list[dict[str, Any]] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def _row(code: str, name: str, level: UnitLevel, type_: str, parent: str | None,
         active_from: date | None = None, active_to: date | None = None,
         successors: list[str] | None = None) -> dict[str, Any]:
    successors = successors or []
    return {"code": code, "name": " ".join(name.split()), "level": level.value,
            "kind": _kind(level, type_), "parent_code": parent,
            "active_from": active_from, "active_to": active_to,
            "merged_into_code": successors[0] if successors else None,
            # all successors only for a unit divided between several (default first)
            "successor_codes": successors if len(successors) > 1 else []}


def _province_name(p: New) -> str:
    # vietnam-provinces names a province without 'Tỉnh' (but a city with 'Thành phố')
    return p.name if p.type != "tỉnh" or p.name.startswith("Tỉnh ") else f"Tỉnh {p.name}"


def _match_communes(src: Sources, say: list[Disagreement]) -> dict[tuple[str, str], New]:
    """vietnamadminunits' 2025 communes (by province key, ward key) → vietnam-provinces' ones:
    the same name in the same province, else the same name without marks if only one has it,
    else the same code."""
    by_name: dict[tuple[str, str], list[New]] = defaultdict(list)
    by_fold: dict[tuple[str, str], list[New]] = defaultdict(list)
    for n in src.new_communes:
        by_name[(n.province, same_name(n.name))].append(n)
        by_fold[(n.province, fold(n.name))].append(n)
    by_code = {n.code: n for n in src.new_communes}
    pkeys = {p.code: p.key for p in src.mapped_provinces}
    matched: dict[tuple[str, str], New] = {}
    taken: dict[str, New] = {}
    for m in src.mapped_communes:
        hits = by_name.get((m.province, same_name(m.name))) or by_fold.get((m.province, fold(m.name)))
        n = hits[0] if hits and len(hits) == 1 else None
        if n is None and (c := by_code.get(m.code)) and c.province == m.province:
            n = c
            _tell(say, f"Mã {m.code}: '{c.name}' theo {NEW_SET}, '{m.name}' theo {OLD_SET}; "
                       f"dùng tên '{c.name}'.", m.province)
        if n is None:
            _tell(say, f"'{m.name}' (mã {m.code}, tỉnh {m.province}) của {OLD_SET} không có "
                       f"trong {NEW_SET}: bỏ qua các liên kết sáp nhập vào đơn vị này.", m.province)
            continue
        if n.code in taken:
            _tell(say, f"'{m.name}' và '{taken[n.code].name}' của {OLD_SET} cùng ứng với "
                       f"'{n.name}' ({n.code}) của {NEW_SET}: bỏ qua '{m.name}'.", n.province)
            continue
        taken[n.code] = m
        if n.code != m.code:
            _tell(say, f"'{n.name}' (tỉnh {n.province}): mã {n.code} theo {NEW_SET}, {m.code} "
                       f"theo {OLD_SET}; dùng {n.code}.", n.province)
        if _kind(UnitLevel.commune, n.type) != _kind(UnitLevel.commune, m.type):
            _tell(say, f"'{n.name}' ({n.code}): loại '{n.type}' theo {NEW_SET}, '{m.type}' "
                       f"theo {OLD_SET}; dùng '{n.type}'.", n.province)
        matched[(pkeys[m.province], m.key)] = n
    for n in src.new_communes:
        if n.code not in taken:
            _tell(say, f"'{n.name}' ({n.code}) của {NEW_SET} không có trong ánh xạ của "
                       f"{OLD_SET}: nạp mà không có đơn vị tiền thân.", n.province)
    return matched


def _successors(src: Sources, matched: dict[tuple[str, str], New],
                say: list[Disagreement]) -> dict[str, list[str]]:
    """Old unit key → its successors' codes, the default first. The default of a divided unit
    is the one vietnamadminunits marks (isDefaultNewWard: its converter sends an address
    without a street there); when that one is missing from vietnam-provinces, the first one
    listed that is present; the others follow in the data set's order."""
    out: dict[str, list[str]] = {}
    pcode = {p.key: p.code for p in src.mapped_provinces}
    for (pkey, wkey), olds in src.whole.items():
        if (n := matched.get((pkey, wkey))) is not None:
            for old in olds:
                out[old] = [n.code]
    for old, parts in src.divided.items():
        provinces = [pcode.get(p[0]) for p in parts]
        if old in out:
            _tell(say, f"{OLD_SET} ghi '{old}' vừa sáp nhập trọn vẹn vừa bị chia; theo cách chia.",
                  *provinces)
        ordered = sorted(parts, key=lambda p: not p[2])  # stable: the marked one first
        codes = [n.code for p in ordered if (n := matched.get((p[0], p[1]))) is not None]
        if len(codes) < len(parts):
            _tell(say, f"'{old}' của {OLD_SET} bị chia cho {len(parts)} đơn vị, chỉ "
                       f"{len(codes)} có trong {NEW_SET}.", *provinces)
        if codes:
            out[old] = list(dict.fromkeys(codes))
    return out


def build(src: Sources) -> Tree:
    tree = Tree()
    say, rows = tree.disagreements, tree.rows
    rows.append(_row(COUNTRY["code"], COUNTRY["name"], UnitLevel.country, "", None)
                | {"kind": COUNTRY["kind"]})
    # The new units first: every code a row names (parent, successors) is in an earlier row.
    mapped = {p.code: p for p in src.mapped_provinces}
    new_province: dict[str, str] = {}  # province code → name, for the messages
    for p in src.new_provinces:
        name = _province_name(p)
        new_province[p.code] = name
        if (m := mapped.get(p.code)) is None:
            _tell(say, f"Tỉnh {p.code} '{name}' của {NEW_SET} không có trong {OLD_SET}.", p.code)
        elif same_name(m.name) != same_name(name):
            _tell(say, f"Tỉnh {p.code}: '{name}' theo {NEW_SET}, '{m.name}' theo {OLD_SET}.", p.code)
        rows.append(_row(p.code, name, UnitLevel.province, p.type, COUNTRY["code"], REFORM))
    for n in src.new_communes:
        rows.append(_row(n.code, n.name, UnitLevel.commune, n.type, n.province, REFORM))

    matched = _match_communes(src, say)
    successors = _successors(src, matched, say)
    province_of = {n.code: n.province for n in src.new_communes}
    new_pcode = {p.key: p.code for p in src.mapped_provinces}
    merged_province = {old: new_pcode.get(new) for new, olds in src.province_map.items()
                       for old in olds}
    old_province: dict[str, Old] = {}
    for p in src.old_provinces:
        old_province[p.code] = p
        into = merged_province.get(p.key)
        if into not in new_province:
            _tell(say, f"'{p.name}' ({p.code}) không có tỉnh kế thừa trong {NEW_SET}.")
            into = None
        rows.append(_row(p.code, p.name, UnitLevel.province, p.type, COUNTRY["code"],
                         active_to=OLD_END, successors=[into] if into else None))
    district_province: dict[str, Old] = {}
    for d in src.old_districts:
        district_province[d.code] = old_province[d.parent or ""]
        # abolished on 30/06/2025 without successor, but for the island districts, which had
        # no communes and became special zones (đặc khu) in the mapping
        rows.append(_row(d.code, d.name, UnitLevel.district, d.type, d.parent,
                         active_to=OLD_END, successors=successors.get(d.key)))
    for c in src.old_communes:
        codes = successors.get(c.key, [])
        province = district_province[c.parent or ""]
        into = merged_province.get(province.key)
        if not codes:
            _tell(say, f"'{c.name}' ({c.code}, {province.name}) không có đơn vị kế thừa trong "
                       f"ánh xạ của {OLD_SET}.", into)
        for code in codes:
            if province_of[code] != into:
                _tell(say, f"'{c.name}' ({c.code}) thuộc '{province.name}', sáp nhập vào "
                           f"'{new_province.get(into or '', '?')}', nhưng đơn vị kế thừa "
                           f"{code} thuộc '{new_province[province_of[code]]}'.",
                      into, province_of[code])
        rows.append(_row(c.code, c.name, UnitLevel.commune, c.type, c.parent,
                         active_to=OLD_END, successors=codes))
    return tree


def only(rows: list[dict[str, Any]], provinces: set[str]) -> list[dict[str, Any]]:
    """The country's root, the 2025 `provinces` (codes) with their communes, and the old units
    merged into them (old provinces with their districts and communes): a tree whole in itself,
    for a province that wants its own (each old province went whole into one new one)."""
    kept: set[tuple[str, str]] = set()  # (code, "new" or "old")
    out = []
    for r in rows:
        era = "old" if r["active_to"] else "new"
        if r["level"] == UnitLevel.country.value:
            keep = True
        elif r["level"] == UnitLevel.province.value:
            keep = (r["merged_into_code"] if era == "old" else r["code"]) in provinces
        else:
            keep = (r["parent_code"], era) in kept
        if keep:
            kept.add((r["code"], era))
            out.append(r)
    return out
