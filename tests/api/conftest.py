"""Fixtures of the API tests: the administrative tree the records hang on."""

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import Tree, make_tree


@pytest.fixture
def tree(db: Callable[[], Any]) -> Tree:
    """Bình Thuận → Hàm Thuận Bắc → Hàm Trí (village Lâm Giang), Hàm Liêm (Thôn 1)."""
    with db() as s:
        return make_tree(s)
