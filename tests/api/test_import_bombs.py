"""Small files that unpack to hundreds of MB, sent to the import as a clerk or a program would:
each is refused with 413 or 415 and a Vietnamese message, on the API, the page and `dvk import`,
and the server's memory (it runs in this process) grows by less than 50 MB."""

from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from tests import workbooks as w
from tests.api.helpers import PROBLEM
from tests.factories import make_tree

GROWTH_MB = 50
BOMBS: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "one huge string": (lambda: w.one_huge_string(400 << 20), 413, "nén chặt bất thường"),
    "one long string": (lambda: w.one_long_random_string(2 << 20), 413, "32.767 ký tự"),
    "a million strings": (lambda: w.many_strings(1_100_000), 413, "1.000.000 đoạn chữ"),
    "huge sheet": (lambda: w.huge_sheet(300 << 20), 413, "nén chặt bất thường"),
    "lying part": (lambda: w.lying(w.huge_sheet(300 << 20), "xl/worksheets/sheet1.xml", 1000),
                   415, "bị hỏng"),
}
_built: dict[str, bytes] = {}


def bomb(name: str) -> bytes:
    if name not in _built:
        _built[name] = BOMBS[name][0]()
    return _built[name]


@pytest.fixture
def tree(db: Any) -> Any:
    with db() as s:
        return make_tree(s)


@pytest.mark.parametrize("name", BOMBS)
def test_api_refuses_in_little_memory(name: str, tree: Any, api: Any) -> None:
    data, (_, status, words) = bomb(name), BOMBS[name]
    api.get("/health")  # the server's first request's own memory is not the bomb's
    w.reset_peak()
    before = w.rss_mb()
    r = api.post("/api/v1/imports/contributions", params={"dry_run": "true"},
                 files={"file": ("dong-gop.xlsx", data)})
    grown, kept = w.peak_mb() - before, w.rss_mb() - before
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert words in r.json()["detail"] and "Tệp" in r.json()["detail"]
    assert grown < GROWTH_MB and kept < GROWTH_MB, f"peak +{grown:.0f} MB, kept +{kept:.0f} MB"


def test_three_at_once(tree: Any, api: Any) -> None:
    """The issue's three simultaneous uploads of the 400 MB string."""
    from concurrent.futures import ThreadPoolExecutor

    data = bomb("one huge string")
    api.get("/health")
    w.reset_peak()
    before = w.rss_mb()

    def send(_: int) -> int:
        r = api.post("/api/v1/imports/contributions", params={"dry_run": "true"},
                     files={"file": ("dong-gop.xlsx", data)})
        return r.status_code

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(send, range(3))) == [413] * 3
    assert w.peak_mb() - before < GROWTH_MB


def test_page_and_cli_say_why(tree: Any, sign_in: Any, tmp_path: Any) -> None:
    clerk = sign_in("bom.clerk")
    r = clerk.post("/imports", data={"resource": "contributions", "mode": "dry"},
                   files={"file": ("dong-gop.xlsx", bomb("one long string"))})
    assert "Tệp quá lớn để đọc" in r.text and "32.767 ký tự" in r.text
    path = tmp_path / "dong-gop.xlsx"
    path.write_bytes(bomb("huge sheet"))
    result = CliRunner().invoke(cli, ["import", "contributions", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "Tệp quá lớn để đọc" in result.output and "nén chặt bất thường" in result.output
