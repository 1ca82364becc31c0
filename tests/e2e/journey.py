"""Journeys that only click: each starts at the sign-in page and reaches its goal through what
the pages show (links, buttons, pickers, typed fields). A test that types an address after
sign-in can pass while the page's own button fails, so `sign_in` locks the page: from then on
`page.goto`, and scripts that move `location`/`history`, fail the test (even if the test
catches the error, the teardown reports it).

Use: `def test_x(journey): sign_in(journey, "canbo"); journey.get_by_role(...).click()`.
Sizes: `@pytest.mark.parametrize("journey", ["desktop", "phone"], indirect=True)`."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import PASSWORD

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
_MOVES = re.compile(r"location\s*(\.href\s*)?=[^=]|location\.(assign|replace)|history\.(push|replace)State")


class TypedAddress(AssertionError):
    """A journey went somewhere by typing an address instead of following the pages."""


def _lock(page: Any) -> None:
    tried: list[str] = page._journey_tried
    evaluate = page.evaluate

    def goto(url: str, *args: Any, **kwargs: Any) -> None:
        tried.append(f"goto {url}")
        raise TypedAddress(f"a journey typed the address {url!r} after sign-in; click what the page shows")

    def guarded_evaluate(expression: str, *args: Any, **kwargs: Any) -> Any:
        if _MOVES.search(expression):
            tried.append(f"evaluate {expression}")
            raise TypedAddress(f"a journey moved the page by script after sign-in: {expression!r}")
        return evaluate(expression, *args, **kwargs)

    page.goto = goto
    page.evaluate = guarded_evaluate
    context = page.context
    if not getattr(context, "_journey_locked", False):  # a second tab is locked the same way
        new_page = context.new_page

        def guarded_new_page(*args: Any, **kwargs: Any) -> Any:
            tab = new_page(*args, **kwargs)
            tab._journey_tried = tried
            _lock(tab)
            return tab

        context.new_page = guarded_new_page
        context._journey_locked = True


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Open /login (the one address a journey types), sign in by typing and clicking, land on
    the page the app chooses, and lock the page against typed addresses."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state()
    _lock(page)


def open_page(chromium: Any, server: str, size: str = "desktop") -> tuple[Any, Any, list[str]]:
    """A fresh browser context at one of SIZES: (context, page, console errors)."""
    context = chromium.new_context(base_url=server, viewport=SIZES[size], locale="vi-VN",
                                   accept_downloads=True)
    page = context.new_page()
    page._journey_tried = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


@pytest.fixture
def journey(request: Any, chromium: Any, server: str) -> Iterator[Any]:
    """A page for a clicking journey, at 1366×768 unless parametrized with a size name."""
    context, page, errors = open_page(chromium, server, getattr(request, "param", "desktop"))
    yield page
    context.close()
    assert not page._journey_tried, f"typed addresses after sign-in: {page._journey_tried}"
    # A 4xx answer to a form is the page working (the form comes back with its messages).
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def nav(page: Any, name: str) -> None:
    """Follow a link of the page's navigation by its words (on a phone, opening the folded
    menu first, by its "Menu" button, as a person does)."""
    menu = page.locator("details.menu > summary")
    if menu.count() and menu.is_visible() and page.locator("details.menu[open]").count() == 0:
        menu.click()
    page.locator("nav[aria-label=\"Chức năng\"]").get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()
