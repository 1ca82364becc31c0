"""The summary report and what is made of it, by what each part does:
- `periods`: the period and the unit asked for, checked, and what a caller left out;
- `summary`: every figure of a unit subtree over a period (`figures` folds the grouped rows,
  `petition_counts` counts the petitions from their sums);
- `league`: the same headline figures per unit directly below;
- `standing`: both at once for the live dashboard;
- `issued`: a report issued with its figures frozen;
- the documents: `text` (what both read of the figures), `wording` and `docx` (the Word
  report), `xlsx` and `sheets` (the workbook and its sheets of records), `downloads` (the
  files a user downloads).

The figures are imported from here (`reports.summary`, `reports.league`, ...). The documents
and issued reports are imported from their modules: they read the records' services, and those
read `petition_counts` (a drill-down list shares its conditions), so importing them here would
make a cycle."""

from app.services.reports.figures import MASS_ORGS, ROADS, headline, mass_org_totals
from app.services.reports.league import league
from app.services.reports.periods import (DATE_MIN, MAX_YEARS, PHASES, Period, check_period,
                                          preset_period, report_unit, resolve_params)
from app.services.reports.petition_counts import petition_figures, petition_sets
from app.services.reports.standing import Tree, id_select, standing, tree
from app.services.reports.summary import summary

__all__ = ["DATE_MIN", "MASS_ORGS", "MAX_YEARS", "PHASES", "ROADS", "Period", "Tree",
           "check_period", "headline", "id_select", "league", "mass_org_totals",
           "petition_figures", "petition_sets", "preset_period", "report_unit", "resolve_params",
           "standing", "summary", "tree"]
