"""Templates ask, never decide: who may do what is asked of the actor (`actor.may_write()`,
`actor.may_manage`, `actor.may_edit_account(u)`), which steps are open and where a deadline
stands are asked of the service (`workflow.next_steps`, `rules.deadline`) by the page's view.
A template that compares a role or a status code holds a second copy of a rule, and the copies
drift: a viewer was offered a petition's steps that the service then refused, and a manager was
offered to edit a peer's account that the service then refused."""

import re

import pytest

from app.enums import LandStatus, ModelStatus, PetitionStatus, Role, TokenScope, WorkStatus
from app.ui import UI_DIR

CODES = frozenset(c.value for e in (Role, PetitionStatus, ModelStatus, WorkStatus, LandStatus,
                                    TokenScope) for c in e)
QUOTED = re.compile(r"""['"]([a-z_]+)['"]""")
# A record's or an actor's role or status held against something: `x.status == ...`,
# `u.role in roles`, `x['status'] != ...`, `selectattr('status', ...)`.
ATTRIBUTE_COMPARED = re.compile(
    r"""(\.(role|status)(\.value)?|\[['"](role|status)['"]\])\s*(==|!=|\bin\b|\bnot\s+in\b|\bis\b)"""
    r"""|(select|reject)attr\(\s*['"](role|status)['"]""")
# A role or status code compared: `== 'manager'`, `'evaluated' != x`, `in ('admin', ...)`.
CODE_COMPARED = re.compile(r"""(==|!=)\s*['"]([a-z_]+)['"]|['"]([a-z_]+)['"]\s*(==|!=)""")
IN_LIST = re.compile(r"""\bin\s*[(\[]([^)\]]*)[)\]]""")


def decisions(line: str) -> list[str]:
    """What on this template line compares a role or a status, if anything."""
    found = [m.group(0) for m in ATTRIBUTE_COMPARED.finditer(line)]
    found += [m.group(0) for m in CODE_COMPARED.finditer(line) if (m.group(2) or m.group(3)) in CODES]
    found += [m.group(0) for m in IN_LIST.finditer(line)
              if CODES & set(QUOTED.findall(m.group(1)))]
    return found


@pytest.mark.parametrize("line", [
    "{% if manager and m.status == 'evaluated' %}",  # the model page's, before it asked
    "{% for s in steps if manager or s.value != 'not_recognized' %}",
    "{% if u.role in roles %}",  # the accounts page's, before it asked
    "{% if actor.role.value in ('manager', 'admin') %}",
    "{% if 'admin' == actor.role %}",
    "{% if p['status'] != \"received\" %}",
    "{% for p in items|selectattr('status', 'equalto', 'received') %}",
    "{% if current in ['resolved', 'withdrawn'] %}",
])
def test_a_decision_is_seen(line):
    assert decisions(line), line


@pytest.mark.parametrize("line", [
    "<option {% if values.get('role') == r.value %}selected{% endif %}>",  # a form's own value
    '{% if state == "overdue" %}',  # the service's answer, shown
    '{% elif f.kind in ("money", "integer", "decimal") %}',
    "<td>{{ u.role|label('role') }}</td>",
    '<p class="notice ok" role="status">',
    '{{ link(n, "models", "&status=recognized") }}',
])
def test_what_only_shows_is_not_a_decision(line):
    assert not decisions(line), line


def test_no_template_compares_a_role_or_a_status():
    found = [f"{path.relative_to(UI_DIR)}:{n}: {hit}"
             for path in sorted((UI_DIR / "templates").rglob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1) for hit in decisions(line)]
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
