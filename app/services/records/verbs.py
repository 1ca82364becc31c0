"""The five verbs of a record resource, as plain functions of its service module:
`contributions.list(session, actor=..., filters=...)`, `.get(..., id=...)`,
`.create(..., data=...)`, `.update(..., id=..., data=..., if_match=...)`,
`.delete(..., id=..., if_match=...)`.

The convention: each resource module ends with one line,

    list, get, create, update, delete = verbs(records)

which gives it its engine's verbs; a module with a rule of its own for a verb writes that
function above the line and names it there (`verbs(records, update=update)`), so the line
says which verbs are the resource's own. The engine (`Records`) stays behind these names:
callers ask the module, never `module.records`, for the five verbs. (In the module, `list`
then names its verb: build a list with `[*rows]`.)"""

from collections.abc import Callable
from typing import Any, NamedTuple

from app.services.records.engine import Records

VERBS = ("list", "get", "create", "update", "delete")


class Verbs(NamedTuple):
    list: Callable[..., Any]
    get: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]


def verbs(records: Records[Any], **own: Callable[..., Any]) -> Verbs:
    """The engine's five verbs, but those the module writes itself (`own`, by verb)."""
    unknown = set(own) - set(VERBS)
    if unknown:
        raise TypeError(f"not a verb of a record resource: {', '.join(sorted(unknown))}")
    engine = Verbs(records.list_, records.get, records.create, records.update, records.delete)
    return engine._replace(**own)
