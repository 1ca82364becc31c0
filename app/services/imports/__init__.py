"""Import of records from a clerk's .xlsx, .xls, .ods or .csv file, or a provincial system's: the page, the
API (`POST /api/v1/imports/{resource}`) and `dvk import` all run `run`.

What it promises:
- **All or nothing.** Every row is checked by the same rules as a form or an API call (the
  resource's schema and `Records` rules); one bad row and nothing is saved, and the report
  names every bad row, column and reason in Vietnamese. A dry run does everything and then
  takes it all back, so it reports exactly what the real run would do.
- **Upsert.** A row is matched to a stored record by its `id` (an exported file read back), or
  by `external_id` within the import's source (another system's key): a match is updated, or
  left alone when nothing differs; no match is created. The same file imported twice creates
  nothing new.
- **References by code or id.** Units by their official code (`unit_code`, read at the row's
  date: a 2025 commune mostly carries its predecessor's code; the report tells which unit each
  code was read as) or id, works by their code (`work_code`) or id.
- **Vietnamese input.** Headers in Vietnamese (the template's) or the API's field names;
  numbers as 1.500.000 or 2,5; dates as 05/02/2021 (or Excel dates); enumerations by code
  or by their Vietnamese label.
- **Fast, bounded memory.** Rows are handled in chunks: units, approvals and referenced works
  are looked up once per import or chunk, new records are inserted with one statement per
  chunk, their audit entries (chained by `audit.chain`) likewise, and their pre-aggregated
  sums are added up in memory and written once per key at the end. A CSV is read as a stream;
  a workbook's sheet is held by calamine while it is read, bounded before it is opened
  (workbook.py, scan.py).
Updates, which are rare in an import, go one by one through the resource's own update.

The package, by what each part does: specs (each record type's columns, from the registry and
the schemas' labels), sheets (a file's rows: CSV here, workbooks in book through calamine),
workbook and scan (the limits and checks that keep a workbook from filling the memory before
calamine reads it), biff (an .xls sheet's formulas, which calamine does not give), layout (the header row), parse (a row's cells), lookup (the tree loaded
once), chunks (rows matched and checked), bulk (new records stored), report, templates, held
(a file the page has just checked, kept for a one-press import), and job (`run`). The names
below load on first use.
"""

from importlib import import_module
from typing import Any

# Public name → the module of this package that defines it.
_NAMES = {
    "run": "job", "CHUNK": "job", "DEFAULT_SOURCE": "job",
    "Report": "report", "RowError": "report", "ImportRefused": "report", "MAX_ROWS": "report",
    "SPECS": "specs", "Spec": "specs", "Column": "specs", "spec_for": "specs",
    "KIND_HINTS": "templates", "template_columns": "templates", "template_xlsx": "templates",
    "template_csv": "templates", "ACCEPTED": "sheets", "ACCEPTED_TYPES": "sheets",
}
__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
