"""Evaluating DVK models: criteria sets per period (each province defines its own), the
scores given to a model, and the decision that recognised it."""

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.base import RecordMeta
from app.db.fields import Happened, Input, code_field
from app.enums import Level, ModelKind


class CriteriaSet(RecordMeta, table=True):
    __tablename__ = "criteria_set"
    name: str = Field(max_length=300)
    kind: str = Field(max_length=32)  # collective models or individual exemplars
    period_start: date
    period_end: date


class Criterion(RecordMeta, table=True):
    __tablename__ = "criterion"
    set_id: int = Field(foreign_key="criteria_set.id", index=True)
    position: int
    name: str = Field(max_length=500)
    max_score: int


class Evaluation(RecordMeta, table=True):
    __tablename__ = "evaluation"
    model_id: int = Field(foreign_key="model.id", index=True)
    set_id: int = Field(foreign_key="criteria_set.id")
    evaluated_on: date
    evaluator: str = Field(max_length=100)
    total: float
    note: str | None = Field(default=None, max_length=2000)


class EvaluationScore(SQLModel, table=True):
    __tablename__ = "evaluation_score"
    __table_args__ = (UniqueConstraint("evaluation_id", "criterion_id"),)
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True, ondelete="CASCADE")
    criterion_id: int = Field(foreign_key="criterion.id")
    score: float


class EvaluationIn(Input):
    date: Happened = Field(title="Ngày")
    scores: dict[int, float] = Field(title="Điểm từng tiêu chí",
                                     description="criterion id → score (0 to its maximum)")
    note: str | None = Field(default=None, max_length=2000, title="Nhận xét")


class RecognitionIn(Input):
    level: Level = code_field(title="Cấp công nhận")
    decision_no: str = Field(min_length=1, max_length=100, title="Số quyết định")
    date: Happened = Field(title="Ngày")


class ModelStepIn(Input):
    to: str = Field(max_length=32, title="Bước tiếp theo")
    date: Happened = Field(title="Ngày")


class CriterionOut(SQLModel):
    id: int
    position: int
    name: str
    max_score: int


class CriteriaSetOut(SQLModel):
    id: int
    name: str
    kind: ModelKind
    period_start: date
    period_end: date
    criteria: list[CriterionOut]


__all__ = ["CriteriaSet", "CriteriaSetOut", "Criterion", "CriterionOut", "Evaluation",
           "EvaluationIn", "EvaluationScore", "ModelStepIn", "RecognitionIn"]
