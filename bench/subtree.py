"""Which subtree query: a recursive CTE, a materialised path, or the tree kept in memory?

Builds a tree of the province's shape (1 province, 10 districts, 124 communes, 6 villages
each, repeated `--copies` times to reach national size) in an empty database of its own,
then times "the ids below this unit" three ways, in one process, on SQLite or PostgreSQL: the
recursive CTE (`scope.subtree_ids`), a range on a path column, and what the application does
since migration 0015 (`unit_tree.tree`): read a one-row stamp, and while it is unchanged take the
subtree from the tree read once into memory:
    python -m bench.subtree --url sqlite:////tmp/subtree.sqlite3 --copies 10
"""

import argparse
import statistics
import time
from collections.abc import Callable

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, text

from app.db.engine import normalize_url


def build(url: str, copies: int) -> tuple[object, list[int], list[int]]:
    engine = create_engine(normalize_url(url))
    meta = MetaData()
    unit = Table("bench_unit", meta, Column("id", Integer, primary_key=True),
                 Column("parent_id", Integer, index=True), Column("merged_into_id", Integer, index=True),
                 Column("path", String(200), index=True))
    Table("bench_stamp", meta, Column("id", Integer, primary_key=True), Column("stamp", Integer))
    meta.drop_all(engine)
    meta.create_all(engine)
    rows, next_id = [], 1
    provinces, districts = [], []

    def add(parent: int | None, parent_path: str) -> tuple[int, str]:
        nonlocal next_id
        uid, next_id = next_id, next_id + 1
        path = f"{parent_path}{uid}/"
        rows.append({"id": uid, "parent_id": parent, "merged_into_id": None, "path": path})
        return uid, path

    for _ in range(copies):
        p, pp = add(None, "/")
        provinces.append(p)
        for d in range(10):
            did, dp = add(p, pp)
            districts.append(did)
            for _c in range(13 if d < 4 else 12):
                cid, cp = add(did, dp)
                for _v in range(6):
                    add(cid, cp)
    with engine.begin() as conn:
        conn.execute(insert(unit), rows)
        conn.execute(text("INSERT INTO bench_stamp (id, stamp) VALUES (1, 42)"))
    return (engine, unit), provinces, districts


def timed(fn: Callable[[], int], runs: int = 30) -> tuple[float, int]:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        n = fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="sqlite:////tmp/subtree.sqlite3")
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    (engine, unit), provinces, districts = build(args.url, args.copies)

    def cte(root: int) -> Callable[[], int]:
        tree = select(unit.c.id).where(unit.c.id == root).cte("t", recursive=True)
        child = unit.alias()
        tree = tree.union(select(child.c.id).join(
            tree, (child.c.parent_id == tree.c.id) | (child.c.merged_into_id == tree.c.id)))
        stmt = select(tree.c.id)

        def run() -> int:
            with engine.connect() as conn:
                return len(conn.execute(stmt).all())
        return run

    def path(root: int) -> Callable[[], int]:
        def run() -> int:
            with engine.connect() as conn:
                prefix = conn.execute(select(unit.c.path).where(unit.c.id == root)).scalar_one()
                # A range on the path index: everything that starts with the prefix.
                stmt = select(unit.c.id).where(unit.c.path >= prefix, unit.c.path < prefix + "\uffff")
                return len(conn.execute(stmt).all())
        return run

    from app.services.unit_tree import Tree

    kept: dict[int, Tree] = {}

    def memory(root: int) -> Callable[[], int]:
        def run() -> int:
            with engine.connect() as conn:
                stamp = conn.execute(text("SELECT stamp FROM bench_stamp WHERE id = 1")).scalar_one()
                if stamp not in kept:
                    kept.clear()
                    kept[stamp] = Tree.of(conn.execute(select(
                        unit.c.id, unit.c.parent_id, unit.c.merged_into_id)).all())
                return len(kept[stamp].subtree(root))
        return run

    def whole_tree() -> int:  # what a change of the tree costs the next request
        kept.clear()
        return memory(provinces[0])()

    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM bench_unit")).scalar_one()
    print(f"{engine.dialect.name}: {total} units")
    print(f"{'subtree of':<12}{'units':>8}{'CTE ms':>10}{'path ms':>10}{'memory ms':>11}"
          f"{'CTE/memory':>12}")
    for label, root in (("province", provinces[0]), ("district", districts[0])):
        a, n = timed(cte(root))
        b, m = timed(path(root))
        c, k = timed(memory(root))
        assert n == m == k, (n, m, k)
        print(f"{label:<12}{n:>8}{a:>10.2f}{b:>10.2f}{c:>11.3f}{a / c:>12.1f}")
    reread, _ = timed(whole_tree, runs=10)
    print(f"after a change of the tree, reading it whole again: {reread:.2f} ms")


if __name__ == "__main__":
    main()
