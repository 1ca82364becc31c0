"""Petitions (đơn thư), by what each part does:
- `rules`: the law as data (time limits, which statuses are open, closed or outside the unit's
  competence, which step leads where) and the one deadline rule the pages and dashboards ask;
- `workflow`: the lifecycle steps (transition, extension) with the schemas of their input, which
  the API and the page both validate with;
- `records`: the record resource itself (list, read, edit, what an actor may read, history);
- `search`: its text search, the petitioner's name and address included where the reader may
  read them (never a denouncer's below manager), decided in the query.

This file imports nothing: reports and rollups read `rules`, and `records` reads them."""
