"""The model workflow: registered → in progress → evaluated (scored against the criteria set of
its kind and period) → recognised at a level by decision, or not recognised; discontinued at
any open step. Evaluating and recognising are for managers."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.db.evaluations import (CriteriaSet, Criterion, Evaluation, EvaluationIn, EvaluationScore,
                                RecognitionIn)
from app.db.fields import not_after_today
from app.db.models import Model
from app.enums import ModelStatus as M
from app.enums import Role
from app.services import models, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Forbidden, Invalid

# Steps a clerk may take by hand; evaluation and recognition have their own verbs.
STEPS: dict[M, frozenset[M]] = {
    M.registered: frozenset({M.in_progress, M.discontinued}),
    M.in_progress: frozenset({M.discontinued}),
    M.evaluated: frozenset({M.not_recognized, M.discontinued}),
}
MANAGER_STEPS = frozenset({M.not_recognized})
# A model may be scored (again) until it is concluded; the model's page asks this too.
SCORABLE = frozenset({M.registered, M.in_progress, M.evaluated})


def criteria_sets(session: Session, *, kind: str | None = None) -> list[tuple[CriteriaSet, list[Criterion]]]:
    stmt = select(CriteriaSet).order_by(CriteriaSet.kind, CriteriaSet.period_start.desc())
    if kind:
        stmt = stmt.where(CriteriaSet.kind == kind)
    sets = list(session.exec(stmt).scalars())
    crits: dict[int, list[Criterion]] = {}
    for c in session.exec(select(Criterion).where(Criterion.set_id.in_([s.id for s in sets]))
                          .order_by(Criterion.set_id, Criterion.position)).scalars():
        crits.setdefault(c.set_id, []).append(c)
    return [(s, crits.get(s.id, [])) for s in sets]  # type: ignore[arg-type]


def set_for(session: Session, kind: str, on: date) -> tuple[CriteriaSet, list[Criterion]]:
    for s, crits in criteria_sets(session, kind=kind):
        if s.period_start <= on <= s.period_end:
            return s, crits
    raise Conflict(f"Chưa có bộ tiêu chí cho loại '{kind}' áp dụng ngày {on:%d/%m/%Y}.")


def _manager_of(session: Session, actor: Actor, m: Model) -> None:
    scope.check_write(session, actor, m.unit_id, role=Role.manager)


def _not_before(session: Session, m: Model, on: date, *, scored: bool = False) -> None:
    """A step of a model is dated on or after its start, and a recognition (`scored`) on or
    after its last evaluation: the record tells its history in order."""
    last = session.exec(select(Evaluation.evaluated_on).where(Evaluation.model_id == m.id)
                        .order_by(Evaluation.evaluated_on.desc()).limit(1)).scalar() if scored else None  # type: ignore[attr-defined]
    if last is not None and on < last:
        raise Invalid.field("date", f"Ngày {on:%d/%m/%Y} trước ngày chấm điểm ({last:%d/%m/%Y}).")
    if m.start_date is not None and on < m.start_date:
        raise Invalid.field("date", f"Ngày {on:%d/%m/%Y} trước ngày bắt đầu của mô hình "
                                    f"({m.start_date:%d/%m/%Y}).")


def evaluate(session: Session, *, actor: Actor, id: int, data: EvaluationIn) -> Model:
    """Score a model against every criterion of its set; the total becomes its score."""
    m = models.records.get_for_write(session, actor=actor, id=id)
    _manager_of(session, actor, m)
    if M(m.status) not in SCORABLE:
        raise Conflict(f"Mô hình đang ở trạng thái '{M(m.status).vi}', không chấm điểm được.")
    _not_before(session, m, data.date)
    crit_set, crits = set_for(session, m.kind, data.date)
    wanted = {c.id: c for c in crits}
    missing = [c.name for c in crits if c.id not in data.scores]
    extra = [k for k in data.scores if k not in wanted]
    if missing or extra:
        raise Invalid.field("scores", "Cần chấm đủ các tiêu chí của bộ tiêu chí "
                                      f"'{crit_set.name}'" + (f"; thiếu: {', '.join(missing)}" if missing else "")
                                      + (f"; {len(extra)} tiêu chí không thuộc bộ này"
                                         if extra else "") + ".")
    for cid, score in data.scores.items():
        if not 0 <= score <= wanted[cid].max_score:
            msg = f"Điểm tiêu chí '{wanted[cid].name}' từ 0 đến {wanted[cid].max_score}."
            # Named by its criterion too (["body", "scores", id]): the page marks that score.
            raise Invalid(msg, errors=[{"loc": ["body", "scores", str(cid)], "msg": msg}])
    total = round(sum(data.scores.values()), 2)
    ev = Evaluation(model_id=m.id, set_id=crit_set.id, evaluated_on=data.date,
                    evaluator=actor.username, total=total, note=data.note)
    session.add(ev)
    session.flush()
    session.add_all([EvaluationScore(evaluation_id=ev.id, criterion_id=cid, score=score)
                     for cid, score in data.scores.items()])
    models.records.apply(session, actor=actor, obj=m, values={"score": total, "status": M.evaluated},
                         action="evaluate")
    return m


def recognize(session: Session, *, actor: Actor, id: int, data: RecognitionIn) -> Model:
    """Recognise an evaluated model at a level, by decision (number and date)."""
    m = models.records.get_for_write(session, actor=actor, id=id)
    _manager_of(session, actor, m)
    if M(m.status) != M.evaluated:
        raise Conflict("Chỉ công nhận được mô hình đã được đánh giá (chấm điểm).")
    _not_before(session, m, data.date, scored=True)
    models.records.apply(session, actor=actor, obj=m, action="recognize", values={
        "status": M.recognized, "recognition_level": data.level,
        "recognition_decision_no": data.decision_no, "recognition_date": data.date})
    return m


def step(session: Session, *, actor: Actor, id: int, to: str, on: date) -> Model:
    """Start, discontinue, or (a manager) decline to recognise a model."""
    m = models.records.get_for_write(session, actor=actor, id=id)
    try:
        target = M(to)
    except ValueError:
        raise Invalid.field("to", "Trạng thái không hợp lệ.") from None
    if target not in STEPS.get(M(m.status), frozenset()):
        raise Conflict(f"Không chuyển mô hình từ '{M(m.status).vi}' sang '{target.vi}' được.")
    if target in MANAGER_STEPS and not actor.at_least(Role.manager):
        raise Forbidden("Chỉ lãnh đạo được kết luận không công nhận mô hình.")
    if (future := not_after_today(on)) is not None:  # the service's rule, whoever calls
        raise Invalid.field("date", future)
    _not_before(session, m, on)
    values: dict[str, Any] = {"status": target}
    if target == M.discontinued and (m.end_date is None or m.end_date > on):
        values["end_date"] = on
    models.records.apply(session, actor=actor, obj=m, values=values, action="transition")
    return m


def evaluations_of(session: Session, *, actor: Actor, id: int) -> list[tuple[Evaluation, dict[int, float]]]:
    m = models.get(session, actor=actor, id=id)
    evs = list(session.exec(select(Evaluation).where(Evaluation.model_id == m.id)
                            .order_by(Evaluation.evaluated_on, Evaluation.id)).scalars())
    scores: dict[int, dict[int, float]] = {}
    if evs:
        for s in session.exec(select(EvaluationScore).where(
                EvaluationScore.evaluation_id.in_([e.id for e in evs]))).scalars():
            scores.setdefault(s.evaluation_id, {})[s.criterion_id] = s.score
    return [(e, scores.get(e.id, {})) for e in evs]  # type: ignore[arg-type]


__all__ = ["criteria_sets", "evaluate", "evaluations_of", "recognize", "step"]
