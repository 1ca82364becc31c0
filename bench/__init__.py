"""Performance benchmark of the summary report on a province-scale data set (not part of the tests).

`python -m bench.generate --url URL` fills a migrated, empty database; `python -m bench.summary
--url URL` times the report against a plain SQL baseline. See bench/README.md."""
