"""bench/probe_report.py reads the writer probe's events of one stretch and summarises them correctly."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_bench_bodies import bench_module

report = bench_module("probe_report")


def write_events(path: Path, events: list[list[object]]) -> None:
    path.write_text("".join(json.dumps(event) + "\n" for event in events))


def test_only_the_stretch_is_read_and_each_figure_comes_from_its_own_field(tmp_path: Path) -> None:
    events = tmp_path / "probe.jsonl"
    write_events(
        events,
        [
            # (type, time, ...): one batch before the stretch, two in it, one after.
            ["batch", 99.0, 50, 0, 0, 0, 9.0, 9.0, 9.0, 9.0, 9.0],
            ["batch", 100.0, 1, 2, 3, 0, 0.5, 0.1, 0.2, 1.0, 4.0],
            ["batch", 101.0, 2, 0, 6, 1, 1.5, 0.3, 0.4, 3.0, 6.0],
            ["batch", 110.0, 50, 0, 0, 0, 9.0, 9.0, 9.0, 9.0, 9.0],
            ["item", 100.5, "DraftSave", 2.0, 5.0, 1.0],
            ["item", 100.6, "DraftSave", 4.0, 7.0, 3.0],
            ["lag", 100.7, 30.0],
            ["lag", 100.8, 1.0],
            ["read", 100.9, 6.0, 0.1],
            ["gc", 101.0, 2, 40.0, 1000],
            ["stall", 101.1, ["_read (draft_reads.py:76)", "load (draft_reads.py:62)"]],
        ],
    )

    summary = report.summarise(report.read_events(events, 100.0, 105.0), seconds=2.0)

    assert summary["batches_per_s"] == 1.0
    assert summary["batch_writes"]["mean"] == 7.0  # (1+2+3 + 2+0+6) / 2: drafts finished are not writes
    assert summary["batch_writes"]["max"] == 8.0
    assert summary["writer_ms"]["commit"]["max"] == 3.0
    assert summary["writer_ms"]["back to loop"]["p50"] == 6.0
    assert round(summary["writer_busy"], 4) == round(
        (0.5 + 0.1 + 0.2 + 1.0 + 4.0 + 1.5 + 0.3 + 0.4 + 3.0 + 6.0) / 2000, 4
    )
    assert summary["items_ms"]["DraftSave"]["n"] == 2
    assert summary["items_ms"]["DraftSave"]["queued"].startswith("p50 4.0")
    assert summary["loop_late_ms"]["over_20_ms"] == 1
    assert summary["draft_reads_ms"]["over_5_ms"] == 1
    assert summary["gc"]["gen2"] == {"n": 1, "p50": 40.0, "max": 40.0, "total": 40.0, "objects": 1000}
    assert summary["stalls"] == {"n": 1, "where": [("_read (draft_reads.py:76)", 1)]}
    printed = "\n".join(report.lines(summary))
    assert "writes per batch mean 7.0" in printed
    assert "1 over 5 ms" in printed


def test_probe_env_puts_the_probe_first_on_the_path(tmp_path: Path) -> None:
    env = {"PYTHONPATH": "/elsewhere"}
    report.probe_env(env, tmp_path / "events.jsonl")
    assert env["PYTHONPATH"] == f"{report.PROBE_FOLDER}:/elsewhere"
    assert env["JOURNEY_PROBE"] == str(tmp_path / "events.jsonl")
    assert (report.PROBE_FOLDER / "sitecustomize.py").exists()
