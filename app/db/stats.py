"""Pre-aggregated sums of the big record tables, kept current inside each write's transaction,
so that a province's ten-year report reads thousands of rows instead of millions.

Each row sums the records of one unit in one bucket: a phase ('p', five years), a year
(`grain` 'y', bucket 1 January) or a month ('m', bucket the 1st). Empty dimensions are ''
(NULLs would defeat the unique key that the upserts rely on).

A row with no unit (`unit_id` NULL) sums every record, whatever its unit: the whole tree's
figures (the country's), which a merger or a move never changes. These rows are kept also per
day ('d'), so that the country over any period reads a few hundred of them
(`rollups.keys.TOTAL_GRAINS`); their own unique key is `_total_key`'s."""

from datetime import date

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class StatBase(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    grain: str = Field(max_length=1)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # None: every unit
    bucket: date
    n: int = 0


_NO_UNIT = text("unit_id IS NULL")


def _total_key(table: str, *dims: str) -> Index:
    """The whole tree's rows are one per grain, bucket and dimensions (a unique key with
    unit_id would let NULLs repeat)."""
    return Index(f"ux_{table}_total", "grain", "bucket", *dims, unique=True,
                 sqlite_where=_NO_UNIT, postgresql_where=_NO_UNIT)


class StatContribution(StatBase, table=True):
    __tablename__ = "stat_contribution"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "source", "kind"),
                      _total_key("stat_contribution", "source", "kind"))
    source: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    amount_vnd: int = Field(default=0, sa_type=BigInteger)
    labor_days: float = 0.0


class StatLand(StatBase, table=True):
    __tablename__ = "stat_land"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket"),
                      _total_key("stat_land"))
    households: int = 0
    area_m2: float = 0.0
    value_vnd: int = Field(default=0, sa_type=BigInteger)


class StatWork(StatBase, table=True):
    """Works by the bucket of their completed_date; non_state_vnd sums the non-state gifts and
    the land value linked to them, whatever the gifts' own dates."""

    __tablename__ = "stat_work"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "category", "org_type"),
                      _total_key("stat_work", "category", "org_type"))
    category: str = Field(max_length=32)
    org_type: str = Field(max_length=32)
    quantity: float = 0.0  # in the category's standard measure (metres converted to km)
    total_cost_vnd: int = Field(default=0, sa_type=BigInteger)
    non_state_vnd: int = Field(default=0, sa_type=BigInteger)


class StatModel(StatBase, table=True):
    __tablename__ = "stat_model"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "kind", "field", "status"),
                      _total_key("stat_model", "kind", "field", "status"))
    kind: str = Field(max_length=32)
    field: str = Field(max_length=32)
    status: str = Field(max_length=32)
    members: int = 0


class StatPetitionIn(StatBase, table=True):
    """Petitions by the bucket of their received_date, for 'received' and its breakdowns."""

    __tablename__ = "stat_petition_in"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "type", "channel", "competent"),
                      _total_key("stat_petition_in", "type", "channel", "competent"))
    type: str = Field(max_length=32)
    channel: str = Field(max_length=32)
    competent: str = Field(max_length=1)  # '1' unless transferred or rejected


class StatPetitionOpen(StatBase, table=True):
    """The same by received_date, competent or not only: prefix counts for the carried-over and
    in-competence figures stay small."""

    __tablename__ = "stat_petition_open"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "competent"),
                      _total_key("stat_petition_open", "competent"))
    competent: str = Field(max_length=1)


class StatPetitionClose(StatBase, table=True):
    """Petitions by the bucket of their closed_date and their final status."""

    __tablename__ = "stat_petition_close"
    __table_args__ = (UniqueConstraint("grain", "unit_id", "bucket", "status"),
                      _total_key("stat_petition_close", "status"))
    status: str = Field(max_length=32)
