"""bench/databases.py's reading of a PostgreSQL log: which checkpoints and autovacuums a stretch of load met."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # databases.py's own imports expect bench/ on the path
_spec = importlib.util.spec_from_file_location("bench_databases", ROOT / "bench" / "databases.py")
assert _spec is not None
assert _spec.loader is not None
databases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(databases)

# Lines as PostgreSQL 16 writes them (log_autovacuum_min_duration = 0, log_checkpoints on), abridged.
LOG = """\
2026-12-03 07:22:16.486 UTC [23021] LOG:  database system is ready to accept connections
2026-12-03 07:23:00.000 UTC [21414] LOG:  checkpoint starting: wal
2026-12-03 07:23:10.500 UTC [21414] LOG:  checkpoint complete: wrote 208 buffers (1.3%); total=10.5 s
2026-12-03 07:23:34.914 UTC [23541] LOG:  automatic vacuum of table "postgres.public.answer": index scans: 0
\tpages: 0 removed, 59696 remain, 59664 scanned (99.95% of total)
\tbuffer usage: 60407 hits, 58993 misses, 59013 dirtied
\tsystem usage: CPU: user: 0.61 s, system: 0.43 s, elapsed: 18.38 s
2026-12-03 07:23:35.000 UTC [23541] LOG:  automatic analyze of table "postgres.public.response"
2026-12-03 07:23:36.000 UTC [24065] LOG:  duration: 23.825 ms  execute __asyncpg_stmt_13__: SELECT 1
2026-12-03 07:25:00.000 UTC [21414] LOG:  checkpoint starting: shutdown immediate
2026-12-03 07:25:00.100 UTC [21414] LOG:  checkpoint complete: wrote 0 buffers (0.0%); total=0.1 s
"""


def at(clock: str) -> float:
    return datetime.strptime(f"2026-12-03 {clock}", "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()


def test_autovacuum_starts_its_elapsed_time_before_it_is_logged_and_checkpoints_pair_up() -> None:
    events = databases.log_events(LOG, 0, float("inf"))
    assert [what for _s, _e, what in events] == [
        "checkpoint (wal)",
        "autovacuum answer",
        "autoanalyze response",
        "checkpoint (shutdown immediate)",
    ]
    assert events[0][:2] == (at("07:23:00.000"), at("07:23:10.500"))
    start, end, _ = events[1]
    assert end == at("07:23:34.914")
    assert abs(start - (end - 18.38)) < 1e-6
    # An entry without an elapsed time (no continuation line) is an instant, not the next entry's duration.
    assert events[2][0] == events[2][1] == at("07:23:35.000")


def test_only_events_overlapping_the_window_are_kept() -> None:
    # 07:23:20: after the checkpoint ended, inside the vacuum (which began at 07:23:16.534).
    inside = databases.log_events(LOG, at("07:23:20.000"), at("07:23:20.500"))
    assert [what for _s, _e, what in inside] == ["autovacuum answer"]
    assert databases.log_events(LOG, at("07:24:00.000"), at("07:24:30.000")) == []
