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


STRING_COMPARED = re.compile(r"""(==|!=)\s*['"]|['"]\s*(==|!=)|\.role\b""")


def test_the_petition_page_asks_and_compares_no_code():
    """Whether the denouncer is withheld, which steps and badge show: the view asks the service
    (`records.withheld`, `workflow.next_steps`, `rules.deadline`); the template compares no
    type, status or role string."""
    path = UI_DIR / "templates" / "petitions" / "detail.html"
    found = [f"{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
             if STRING_COMPARED.search(line)]
    assert not found, found
