"""The demo's petitions: those of 2016–2020 with the published figures (received, carried
over, in competence, resolved), their steps and extensions."""

from datetime import date, timedelta


from app.db.petitions import Petition, PetitionExtension, PetitionStep
from app.db.units import Unit
from app.demo import names
from app.demo.gen import END, Gen
from app.services.petitions.rules import ACCEPT_DAYS, resolve_days


def petition(g: Gen, unit: Unit, received: date, kind: str, *, status: str,
             accepted: date | None, closed: date | None, channel: str | None = None,
             complex_: bool = False) -> Petition:
    rng = g.rng
    domain = rng.choices(list(names.PETITION_SUBJECTS), [45, 20, 10, 12, 13])[0]
    remote = unit.remote
    due = (received + timedelta(days=ACCEPT_DAYS) if accepted is None else
           accepted + timedelta(days=resolve_days(kind, complex_=complex_, remote=remote)))  # type: ignore[arg-type]
    p = g.add(Petition(
        received_date=received, unit_id=unit.id, type=kind,
        channel=channel or rng.choices(["direct", "mail", "online", "reception", "voter_meeting",
                                        "transferred_in"], [30, 20, 10, 25, 10, 5])[0],
        subject=rng.choice(names.PETITION_SUBJECTS[domain]), domain=domain,
        petitioner_name=names.person(rng), petitioner_address=f"{unit.name}",
        signers=1 if rng.random() < 0.9 else rng.randint(2, 30),
        handler=rng.choice(["Công chức Tư pháp – Hộ tịch", "Công chức Địa chính", "Chủ tịch UBND xã"]),
        complex=complex_, accepted_date=accepted, status=status, closed_date=closed, due_date=due,
        resolution_method="Hòa giải tại cơ sở" if kind == "dispute" else None,
        outcome="Đã trả lời công dân" if status == "resolved" else None,
    ))
    return p


# A petition made, with the steps that brought it to its status: (from, to, on).
Made = list[tuple[Petition, list[tuple[str, str, date]]]]
KINDS = (["complaint"] * 30 + ["denunciation"] * 5 + ["dispute"] * 25 + ["request"] * 25
         + ["recommendation"] * 15)


def petitions(g: Gen) -> None:
    """1.862 petitions received in 2016–2020 and 12 carried over from 2015; 1.827 of them in
    the units' competence, 1.823 resolved (D19); some heard in dialogues (D20)."""
    t, rng = g.t, g.rng
    units = [t.district] + [c for c in t.communes.values()]
    weights = [8] + [6] * len(t.communes)
    made: Made = []
    # Carried over from late 2015, resolved in 2016.
    for _ in range(12):
        received = g.day(2015, date(2015, 12, 10), date(2015, 12, 31))
        unit = rng.choices(units, weights)[0]
        kind = rng.choice(["complaint", "dispute"])
        accepted = received + timedelta(days=3)
        closed = accepted + timedelta(days=rng.randint(20, 28))
        p = petition(g, unit, received, kind, status="resolved", accepted=accepted, closed=closed)
        made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))
    # Received in the period: 1.862 = 1.811 resolved + 4 still open at its end + 47 sent on.
    for i in range(1_811):
        year = 2016 + i % 5
        channel = "dialogue" if i % 90 == 0 else None
        _resolved(g, made, g.day(year), rng.choice(KINDS), rng.choices(units, weights)[0], END,
                  channel)
    for i in range(47):
        received = g.day(g.year())
        status = "transferred" if i < 30 else "rejected"
        closed = min(received + timedelta(days=rng.randint(2, 9)), END)
        p = petition(g, rng.choices(units, weights)[0], received, rng.choice(KINDS), status=status,
                     accepted=None, closed=closed)
        made.append((p, [("received", status, closed)]))
    _open_at_the_end(g, made, units[1:], weights[1:])
    g.s.flush()
    _steps(g, made)


def _resolved(g: Gen, made: Made, received: date, kind: str, unit: Unit, cap: date,
              channel: str | None = None) -> None:
    """A petition resolved by `cap` (one in 25 withdrawn before acceptance, one in 20 late)."""
    rng = g.rng
    complex_ = kind == "complaint" and rng.random() < 0.1
    if rng.random() < 0.04:  # withdrawn before acceptance
        closed = min(received + timedelta(days=rng.randint(1, 8)), cap)
        p = petition(g, unit, received, kind, status="withdrawn", accepted=None, closed=closed,
                     channel=channel)
        made.append((p, [("received", "withdrawn", closed)]))
        return
    accepted = min(received + timedelta(days=rng.randint(1, 9)), cap)
    limit = resolve_days(kind, complex_=complex_, remote=unit.remote)  # type: ignore[arg-type]
    late = rng.random() < 0.05
    closed = min(accepted + timedelta(days=rng.randint(limit + 1, limit + 20) if late
                                      else rng.randint(3, limit)), cap)
    p = petition(g, unit, received, kind, status="resolved", accepted=accepted, closed=closed,
                 channel=channel, complex_=complex_)
    made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))


def _open_at_the_end(g: Gen, made: Made, communes: list[Unit], weights: list[int]) -> None:
    """The 4 petitions of late 2020 still open on 31/12/2020."""
    for i, received in enumerate((date(2020, 10, 5), date(2020, 11, 2), date(2020, 12, 10),
                                  date(2020, 12, 21))):
        unit = g.rng.choices(communes, weights)[0]
        accepted = received + timedelta(days=4)
        if i < 2:  # still open today, long past the legal time limit
            p = petition(g, unit, received, "complaint", status="in_progress", accepted=accepted,
                         closed=None)
            made.append((p, [("received", "accepted", accepted), ("accepted", "in_progress", accepted)]))
        else:  # resolved only in January 2021
            closed = date(2021, 1, 8 + i)
            p = petition(g, unit, received, "request", status="resolved", accepted=accepted, closed=closed)
            made.append((p, [("received", "accepted", accepted), ("accepted", "resolved", closed)]))


def _steps(g: Gen, made: Made) -> None:
    for p, steps in made:
        for before, after, when in steps:
            g.add(PetitionStep(petition_id=p.id, from_status=before, to_status=after, date=when,
                               username="demo"))
        if p.type == "denunciation" and p.accepted_date and g.rng.random() < 0.3:
            g.add(PetitionExtension(petition_id=p.id, days=30, decision_no=f"{g.rng.randint(10, 300)}/QĐ-UBND",
                                    date=p.accepted_date + timedelta(days=25)))
            p.due_date = p.due_date + timedelta(days=30)  # type: ignore[operator]

