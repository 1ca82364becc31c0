"""The demo district: Bình Thuận → Hàm Thuận Bắc with its 17 commune-level units and their
villages as in 2016–2020, their 2025 successors in Lâm Đồng, and invented records whose
generated 2016–2020 report reproduces the published summary (shared/seed/figures.md).

Every figure comes out of many rows of varying size, never a stored total."""

from sqlalchemy import func, select, text
from sqlmodel import Session

from app.db.units import Unit
from app.demo.records import generate
from app.demo.tree import build_tree
from app.services import rollups


def is_empty(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Unit)).scalar_one() == 0


def load(session: Session, *, seed: int = 2020) -> dict[str, int]:
    """Load the demo into an empty database (in the caller's transaction); counts per table."""
    if session.get_bind().dialect.name == "postgresql":
        # Two processes starting at once must not both load it.
        session.exec(text("SELECT pg_advisory_xact_lock(2020)"))
    if not is_empty(session):
        return {}
    tree = build_tree(session)
    counts = generate(session, tree, seed=seed)
    rollups.rebuild(session)  # the rows went in in bulk, around the services
    return counts
