"""bench/province_writes.py runs, and the sums it leaves equal the records (it checks them)."""

from bench.province_writes import measure


def test_the_province_writes_bench_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DVK_SECRET_KEY", "bench")
    best = measure(f"sqlite:///{tmp_path / 'writes.sqlite3'}", creates=5, rounds=1)
    assert set(best) == {False, True}
    assert all(wall > 0 and cpu > 0 for wall, cpu in best.values())
