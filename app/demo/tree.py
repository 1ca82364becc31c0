"""The demo unit tree: the old (2016–2025) units and their 2025 successors."""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.db.units import Unit

REFORM = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15, in force 01/07/2025
OLD_END = date(2025, 6, 30)

# (short code, name, kind, remote, number of villages)
COMMUNES = [
    ("MALAM", "Ma Lâm", "thi_tran", False, 5),
    ("PHULONG", "Phú Long", "thi_tran", False, 4),
    ("DAMI", "Đa Mi", "xa", True, 3),
    ("DONGGIANG", "Đông Giang", "xa", True, 3),
    ("DONGTIEN", "Đông Tiến", "xa", True, 3),
    ("HAMCHINH", "Hàm Chính", "xa", False, 4),
    ("HAMDUC", "Hàm Đức", "xa", False, 5),
    ("HAMHIEP", "Hàm Hiệp", "xa", False, 4),
    ("HAMLIEM", "Hàm Liêm", "xa", False, 4),
    ("HAMPHU", "Hàm Phú", "xa", False, 4),
    ("HAMTHANG", "Hàm Thắng", "xa", False, 4),
    ("HAMTRI", "Hàm Trí", "xa", False, 4),
    ("HONGLIEM", "Hồng Liêm", "xa", False, 3),
    ("HONGSON", "Hồng Sơn", "xa", False, 4),
    ("LADA", "La Dạ", "xa", True, 3),
    ("THUANHOA", "Thuận Hòa", "xa", False, 4),
    ("THUANMINH", "Thuận Minh", "xa", False, 4),
]

# Successors from 01/07/2025 (as published; demo data): code, name, kind, predecessors.
SUCCESSORS = [
    ("HAMTHUAN", "Hàm Thuận", "xa", ["MALAM", "THUANMINH", "HAMDUC"]),
    ("HAMTHUANBAC", "Hàm Thuận Bắc", "xa", ["THUANHOA", "HAMTRI", "HAMPHU"]),
    ("DONGGIANG", "Đông Giang", "xa", ["DONGTIEN", "DONGGIANG"]),
    ("LADA", "La Dạ", "xa", ["DAMI", "LADA"]),
    ("HONGSON", "Hồng Sơn", "xa", ["HONGLIEM", "HONGSON"]),
    ("HAMLIEM", "Hàm Liêm", "xa", ["HAMCHINH", "HAMLIEM"]),
    ("P.HAMTHANG", "Hàm Thắng", "phuong", ["PHULONG", "HAMTHANG"]),
    ("P.BINHTHUAN", "Bình Thuận", "phuong", ["HAMHIEP"]),
]


@dataclass
class DemoTree:
    province: Unit
    district: Unit
    communes: dict[str, Unit]  # by short code
    villages: dict[str, list[Unit]] = field(default_factory=dict)  # by commune short code
    new_province: Unit | None = None
    successors: dict[str, Unit] = field(default_factory=dict)

    @property
    def lam_giang(self) -> Unit:
        return next(v for v in self.villages["HAMTRI"] if v.name == "Lâm Giang")


def _add(session: Session, **kw: object) -> Unit:
    unit = Unit(**kw)
    session.add(unit)
    session.flush()
    return unit


def build_tree(session: Session) -> DemoTree:
    bt = _add(session, code="BTH", name="Bình Thuận", level="province", kind="tinh",
              active_to=OLD_END)
    htb = _add(session, code="BTH.HTB", name="Hàm Thuận Bắc", level="district", kind="huyen",
               parent_id=bt.id, active_to=OLD_END)
    tree = DemoTree(province=bt, district=htb, communes={})
    for short, name, kind, remote, n_villages in COMMUNES:
        commune = _add(session, code=f"BTH.HTB.{short}", name=name, level="commune", kind=kind,
                       parent_id=htb.id, remote=remote, active_to=OLD_END)
        tree.communes[short] = commune
        village_kind = "khu_pho" if kind == "thi_tran" else "thon"
        word = "Khu phố" if kind == "thi_tran" else "Thôn"
        names = [f"{word} {i}" for i in range(1, n_villages + 1)]
        if short == "HAMTRI":
            names[0] = "Lâm Giang"
        tree.villages[short] = [
            _add(session, code=f"BTH.HTB.{short}.{i + 1:02d}", name=v, level="village",
                 kind=village_kind, parent_id=commune.id, remote=remote, active_to=OLD_END)
            for i, v in enumerate(names)
        ]
    ld = _add(session, code="LDG", name="Lâm Đồng", level="province", kind="tinh")
    tree.new_province = ld
    for short, name, kind, predecessors in SUCCESSORS:
        new = _add(session, code=f"LDG.{short}", name=name, level="commune", kind=kind,
                   parent_id=ld.id, active_from=REFORM)
        tree.successors[short] = new
        for old in predecessors:
            tree.communes[old].merged_into_id = new.id
    bt.merged_into_id = ld.id
    session.flush()
    return tree
