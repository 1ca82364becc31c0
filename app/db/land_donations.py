"""Land donated by households (dân hiến đất) for works."""

from sqlalchemy import Index
from sqlmodel import Field

from app.db.search import Searchable
from app.db.base import Imported, MAX_TEXT, RecordMeta, amount, external_key, money, ref
from app.db.fields import Happened, Input, Normalized, ReadMeta, code_field, partial
from app.enums import LandStatus


class LandDonationBase(Normalized):
    unit_id: int = ref("unit", "Đơn vị", ...)
    work_id: int | None = ref("work", "Cho công trình", index=True,
                              description="công trình được hiến đất, cùng địa bàn")
    donor_name: str = Field(min_length=1, max_length=300, title="Hộ hiến đất")
    households: int = Field(default=1, ge=1, le=100_000, title="Số hộ")
    area_m2: float = amount(..., gt=0, title="Diện tích (m²)")
    value_vnd: int | None = money(title="Trị giá (đồng)")
    date: Happened = Field(title="Ngày")
    status: LandStatus = code_field(LandStatus.signed, title="Tình trạng hồ sơ")
    note: str | None = Field(default=None, max_length=MAX_TEXT, title="Ghi chú")


class LandDonation(LandDonationBase, Searchable, Imported, RecordMeta, table=True):
    __search__ = ("donor_name", "note")
    __tablename__ = "land_donation"
    __table_args__ = (Index("ix_land_donation_unit_id_date", "unit_id", "date"),)


external_key(LandDonation)


class LandDonationCreate(LandDonationBase, Input):
    pass


LandDonationUpdate = partial(LandDonationCreate, "LandDonationUpdate")


class LandDonationRead(ReadMeta, LandDonationBase, Imported):
    pass
