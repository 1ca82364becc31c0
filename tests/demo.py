"""The demo data set as a module-scoped fixture: loaded once for a test module, wiped after.
Import both names into a test module: `from tests.demo import _clean, demo_loaded`."""

from collections.abc import Iterator
from typing import Any

import pytest

from app import demo
from app.db.session import session_scope
from app.enums import Role
from app.services import auth
from tests.factories import wipe

ADMIN, ADMIN_PASSWORD = "tinh", "mat-khau-tinh-1"


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    """Overrides the per-test wipe: the demo stays for the whole module."""
    yield


@pytest.fixture(scope="module")
def demo_loaded(engine: Any) -> Iterator[None]:
    wipe(engine)
    for session in session_scope(engine, write=True):
        assert demo.load(session)
        auth.create_user(session, username=ADMIN, password=ADMIN_PASSWORD, role=Role.admin)
    yield
    wipe(engine)
