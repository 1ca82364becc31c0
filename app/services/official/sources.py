"""Vietnam's administrative units as two maintained PyPI data sets give them, read from the
installed packages at run time (their data is never copied into this repository):

- `vietnam-provinces`: the 34 provinces and 3 321 communes in force since 01/07/2025, with
  the official codes (it follows the government's catalogue, danhmuchanhchinh.gso.gov.vn);
- `vietnamadminunits`: the 63 provinces, 696 districts and 10 035 communes in force just
  before, their 34-province counterparts, and the 2025 old→new mapping (a commune divided
  between several new ones lists them all and marks one `isDefaultNewWard`).

vietnamadminunits is read from its files (an SQLite file and a JSON file) without importing
the package: its import loads its address parser, half a second spent on nothing we use."""

import importlib.metadata
import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

OLD_SET = "vietnamadminunits"
NEW_SET = "vietnam-provinces"


@dataclass
class Old:
    """A unit before 2025-07-01: `key` is vietnamadminunits' own (province_district_ward)."""

    code: str
    name: str
    type: str  # "Tỉnh", "Huyện", "Phường", ... as the data set writes it
    key: str
    parent: str | None = None  # the parent's code


@dataclass
class New:
    """A unit from 2025-07-01 (name with single spaces: vietnam-provinces has 'Xã  Xuân Giang')."""

    code: str
    name: str
    type: str
    province: str  # province code
    key: str = ""  # vietnamadminunits' ward key, for its counterparts only


@dataclass
class Sources:
    versions: dict[str, str]
    old_provinces: list[Old] = field(default_factory=list)
    old_districts: list[Old] = field(default_factory=list)
    old_communes: list[Old] = field(default_factory=list)
    new_provinces: list[New] = field(default_factory=list)  # vietnam-provinces
    new_communes: list[New] = field(default_factory=list)
    mapped_provinces: list[New] = field(default_factory=list)  # vietnamadminunits' 2025 set
    mapped_communes: list[New] = field(default_factory=list)
    # new province key → the old province keys merged into it
    province_map: dict[str, list[str]] = field(default_factory=dict)
    # (new province key, new ward key) → old unit keys merged whole into it
    whole: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # old unit key → [(new province key, new ward key, marked default)], for divided units
    divided: dict[str, list[tuple[str, str, bool]]] = field(default_factory=dict)


def _folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"Chưa cài gói {package} (pip install {package}).")
    return Path(next(iter(spec.submodule_search_locations)))


def read() -> Sources:
    from vietnam_provinces import Province, Ward

    found = Sources(versions={p: importlib.metadata.version(p) for p in (OLD_SET, NEW_SET)})
    for p in Province.iter_all():
        found.new_provinces.append(New(f"{int(p.code):02d}", " ".join(p.name.split()), p.division_type.value,
                                       f"{int(p.code):02d}"))
    for w in Ward.iter_all():
        found.new_communes.append(New(f"{int(w.code):05d}", " ".join(w.name.split()), w.division_type.value,
                                      f"{int(w.province_code):02d}"))
    _read_old_set(found, _folder(OLD_SET) / "data")
    return found


def _read_old_set(found: Sources, data: Path) -> None:
    with sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True) as db:
        seen: set[str] = set()
        for row in db.execute(
                "SELECT DISTINCT province, provinceCode, provinceKey, district, districtCode,"
                " districtKey, districtType, ward, wardCode, wardKey, wardType"
                " FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"):
            (province, pcode, pkey, district, dcode, dkey, dtype, ward, wcode, wkey, wtype) = row
            if pcode not in seen:
                seen.add(pcode)
                kind = "Thành phố" if province.startswith("Thành phố") else "Tỉnh"
                found.old_provinces.append(Old(pcode, province, kind, pkey))
            if dcode not in seen:
                seen.add(dcode)
                found.old_districts.append(Old(dcode, district, dtype, f"{pkey}_{dkey}_", pcode))
            if wcode:  # the island districts (Bạch Long Vĩ, Cồn Cỏ, ...) had no communes
                found.old_communes.append(Old(wcode, ward, wtype, f"{pkey}_{dkey}_{wkey}", dcode))
        seen.clear()
        for province, pcode, pkey, ward, wcode, wkey, wtype in db.execute(
                "SELECT DISTINCT province, provinceCode, provinceKey, ward, wardCode, wardKey,"
                " wardType FROM admin_units ORDER BY provinceCode, wardCode"):
            if pkey not in seen:
                seen.add(pkey)
                kind = "Thành phố" if province.startswith("Thành phố") else "Tỉnh"
                found.mapped_provinces.append(New(pcode, province, kind, pcode, pkey))
            found.mapped_communes.append(New(wcode, ward, wtype, pcode, wkey))
    mapping = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    found.province_map = mapping["DICT_PROVINCE"]
    for pkey, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            found.whole[(pkey, wkey)] = olds
    for pkey, olds in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            found.divided[old] = [(pkey, p["newWardKey"], bool(p["isDefaultNewWard"]))
                                  for p in parts]
