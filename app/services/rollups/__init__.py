"""Pre-aggregated sums (app/db/stats.py): kept current in the write's own transaction, rebuilt
in bulk after a bulk load, checked against the raw rows, and read by the report as
"whole years from the year rows, whole months from the month rows, the odd days raw"; the
whole tree's figures (the country's) from its own rows, kept per day too.

By what each part does:
- `keys`: the grains and buckets, the unit a record's sums are kept under, and the units they
  are read under (`EVERY` for the whole tree: `whole_tree`, `in_kept`, `kept_rows`);
- `effects`: what a record adds to the sums, added or taken away in its write's transaction;
- `raw`: each kind of record's rows shaped as its stat rows (`KINDS`);
- `reading`: a period as stat rows and odd days (`cover`), a kind's figures (`rolled`), and
  many figures in one statement (`gather`);
- `bulk`: rebuilding the sums from the records, and checking them;
- `tiers`: the second tier's own sums (a province's, over its whole subtree), trusted while
  the tree is the one they were made for."""

from app.services.rollups.bulk import bucket_sql, differences, rebuild, rebuild_totals
from app.services.rollups.effects import (Effect, apply, apply_summed, contribution_effects,
                                          land_effects, model_effects, petition_effects,
                                          work_effects)
from app.services.rollups.keys import (EVERY, GRAINS, PHASE_START, PHASE_YEARS, TOTAL_GRAINS,
                                       bucket, forget, in_kept, kept_rows, phase_of, remember,
                                       rollup_unit, rollup_unit_sql, whole_tree)
from app.services.rollups.raw import (KINDS, Kind, raw_contributions, raw_land, raw_models,
                                      raw_petitions_close, raw_petitions_in, raw_petitions_open,
                                      raw_works)
from app.services.rollups.tiers import TIER, TIER_GRAINS, TreeChange, counted, summed_at
from app.services.rollups.reading import (Ask, Cover, Gathered, combined, cover, gather, raw_parts,
                                         rolled, run_prepared, shaped, slots, span_of, stat_parts)

__all__ = ["TIER", "TIER_GRAINS", "TreeChange", "counted", "summed_at", "EVERY", "Ask", "Cover", "Effect", "GRAINS", "Gathered", "KINDS", "Kind", "PHASE_START",
           "PHASE_YEARS", "TOTAL_GRAINS", "apply", "apply_summed", "bucket", "bucket_sql", "combined",
           "contribution_effects", "cover", "differences", "forget", "gather", "in_kept", "kept_rows",
           "land_effects", "model_effects", "petition_effects", "phase_of", "raw_contributions",
           "raw_land", "raw_models", "raw_parts", "raw_petitions_close", "raw_petitions_in",
           "raw_petitions_open", "raw_works", "rebuild", "rebuild_totals", "remember", "rolled", "rollup_unit",
           "rollup_unit_sql", "run_prepared", "shaped", "slots", "span_of", "stat_parts",
           "whole_tree", "work_effects"]
