"""Templates ask the actor what they may do (`actor.may_write()`, `actor.may_manage`) and the
service which steps are open; they never compare role strings, which drift from the rule the
services enforce (a viewer was offered a petition's steps that the service then refused)."""

import re

from app.ui import UI_DIR

ROLE_COMPARED = re.compile(r"actor\.role(\.value)?\s*(==|!=|\bin\b|\bnot in\b)")


def test_no_template_compares_the_actors_role():
    found = [f"{path.relative_to(UI_DIR)}:{n}: {line.strip()}"
             for path in sorted((UI_DIR / "templates").rglob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1) if ROLE_COMPARED.search(line)]
    assert not found, found
