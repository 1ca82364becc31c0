"""The shape every record resource shares: a scoped base query, list with the contract's
filters, get, create, update with optimistic locking, delete.

Each resource module (services/models.py, services/works.py, ...) makes one `Records` with
its table, its date field and its own rules (`check`), and offers the five verbs as plain
functions (verbs.py). By what each part does:
- `params`: the list parameters every resource takes;
- `engine`: `Records`, the declaration, made of
- `reading` (scoped query, get, list, choices, export rows), `writing` (create, update,
  apply, delete, audit) and `checks` (the rules before a record is stored, and `Lookup`);
- `verbs`: the module's five plain functions, built from its engine."""

from app.services.records.checks import (DB_LOOKUP, Lookup, check_version,
                                         refuse_if_referenced)
from app.services.records.engine import Records
from app.services.records.params import COMMON_FILTERS, Id, ListParams
from app.services.records.verbs import VERBS, Verbs, verbs

__all__ = ["COMMON_FILTERS", "DB_LOOKUP", "Id", "ListParams", "Lookup", "Records", "VERBS", "Verbs",
           "check_version", "refuse_if_referenced", "verbs"]
