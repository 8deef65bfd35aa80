"""Summaries of the writer probe's events (`bench/probe/sitecustomize.py`) for one stretch of the journey benchmark."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

PROBE_FOLDER = Path(__file__).resolve().parent / "probe"


def probe_env(env: dict[str, str], events: Path) -> None:
    """Make a server started with `env` load the probe and write its events to `events`."""
    env["JOURNEY_PROBE"] = str(events)
    env["PYTHONPATH"] = str(PROBE_FOLDER) + (f":{env['PYTHONPATH']}" if env.get("PYTHONPATH") else "")


def read_events(events: Path, since: float, until: float) -> dict[str, list[list[Any]]]:
    """The probe's events stamped within [since, until], by type."""
    found: dict[str, list[list[Any]]] = {"batch": [], "item": [], "lag": [], "stall": [], "gc": [], "refreeze": []}
    if not events.exists():
        return found
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if since <= event[1] <= until:
            found.setdefault(event[0], []).append(event[2:])
    return found


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _spread(values: list[float]) -> str:
    top = max(values or [0])
    return f"p50 {_pct(values, 50):.1f} p90 {_pct(values, 90):.1f} p99 {_pct(values, 99):.1f} max {top:.1f}"


def summarise(events: dict[str, list[list[Any]]], seconds: float) -> dict[str, Any]:
    """Batch sizes, the writer's phases, each write kind's waits and the loop's late wakes, in ms."""
    batches, items, lags = events["batch"], events["item"], events["lag"]
    sizes = [float(sum(b[0:3])) for b in batches]
    summary: dict[str, Any] = {
        "batches_per_s": len(batches) / seconds if seconds else float("nan"),
        "batch_writes": {
            "mean": statistics.fmean(sizes) if sizes else float("nan"),
            "p50": _pct(sizes, 50),
            "p90": _pct(sizes, 90),
            "max": max(sizes or [0]),
        },
        "writer_ms": {
            name: {"p50": _pct(values, 50), "p90": _pct(values, 90), "p99": _pct(values, 99), "max": max(values or [0])}
            for name, values in (
                ("to thread", [b[4] for b in batches]),
                ("begin", [b[5] for b in batches]),
                ("statements", [b[6] for b in batches]),
                ("commit", [b[7] for b in batches]),
                ("back to loop", [b[8] for b in batches]),
            )
        },
        "writer_busy": sum(b[4] + b[5] + b[6] + b[7] + b[8] for b in batches) / 1000 / seconds if seconds else 0.0,
        "items_ms": {},
        "loop_late_ms": {
            "p50": _pct([x[0] for x in lags], 50),
            "p99": _pct([x[0] for x in lags], 99),
            "max": max([x[0] for x in lags] or [0]),
            "over_20_ms": sum(1 for x in lags if x[0] > 20),
        },
    }
    gcs = events["gc"]
    summary["gc"] = {
        f"gen{gen}": {
            "n": len(ms),
            "p50": _pct(ms, 50),
            "max": max(ms or [0]),
            "total": sum(ms),
            "objects": max((g[2] or 0 for g in gcs if g[0] == gen), default=0),
        }
        for gen in (0, 1, 2)
        if (ms := [g[1] for g in gcs if g[0] == gen])
    }
    checkpoints = events.get("checkpoint", [])
    summary["checkpoints"] = {
        "n": len(checkpoints),
        "ms": _spread([c[0] for c in checkpoints]),
        "moved": _spread([float(c[2]) for c in checkpoints]),
    }
    reads = events.get("read", [])
    summary["draft_reads_ms"] = {
        "n": len(reads),
        "wall": _spread([r[0] for r in reads]),
        "cpu": _spread([r[1] for r in reads]),
        "over_5_ms": sum(1 for r in reads if r[0] > 5),
    }
    stalled_in: Counter[str] = Counter()
    for (where,) in events["stall"]:
        # The innermost frame of the project's code (or the innermost frame when none is).
        ours = [f for f in where if "voice_service" in f or "forms" in f or "litestar" in f]
        stalled_in[(ours or where or ["?"])[0]] += 1
    summary["stalls"] = {"n": len(events["stall"]), "where": stalled_in.most_common(8)}
    for kind in sorted({i[0] for i in items}):
        mine = [i for i in items if i[0] == kind]
        summary["items_ms"][kind] = {
            "n": len(mine),
            "queued": _spread([i[1] for i in mine]),
            "batch": _spread([i[2] for i in mine]),
            "resume": _spread([i[3] for i in mine]),
        }
    return summary


def lines(summary: dict[str, Any]) -> list[str]:
    """The summary as printed lines."""
    sizes = summary["batch_writes"]
    out = [
        f"  writer: {summary['batches_per_s']:.0f} batches/s, writes per batch mean {sizes['mean']:.1f} "
        f"p50 {sizes['p50']:.0f} p90 {sizes['p90']:.0f} max {sizes['max']:.0f}; "
        f"writer busy {summary['writer_busy']:.0%} of the time",
        "  writer ms: "
        + "; ".join(
            f"{name} p50 {v['p50']:.2f} p90 {v['p90']:.2f} p99 {v['p99']:.2f} max {v['max']:.1f}"
            for name, v in summary["writer_ms"].items()
        ),
    ]
    for kind, v in summary["items_ms"].items():
        out.append(f"  {kind} (n {v['n']}) ms: queued {v['queued']} | batch {v['batch']} | resume {v['resume']}")
    lag = summary["loop_late_ms"]
    out.append(
        f"  event loop: a 5 ms sleep woke late by p50 {lag['p50']:.1f} p99 {lag['p99']:.1f} max {lag['max']:.1f} ms"
        f" ({lag['over_20_ms']} wakes over 20 ms late)"
    )
    if summary["checkpoints"]["n"]:
        cp = summary["checkpoints"]
        out.append(
            f"  checkpoints by a thread of their own (n {cp['n']}) ms: {cp['ms']}; "
            f"pages moved per checkpoint {cp['moved']}"
        )
    reads = summary["draft_reads_ms"]
    out.append(
        f"  draft reads on the loop (n {reads['n']}, {reads['over_5_ms']} over 5 ms) ms: wall {reads['wall']} | "
        f"thread CPU {reads['cpu']}"
    )
    gc_parts = [
        f"{g} n {v['n']} p50 {v['p50']:.1f} max {v['max']:.1f} total {v['total']:.0f}"
        + (f" (up to {v['objects']:,} objects)" if v["objects"] else "")
        for g, v in summary["gc"].items()
    ]
    out.append("  gc ms: " + ("; ".join(gc_parts) or "none"))
    stalls = summary["stalls"]
    out.append(f"  loop stalls over 25 ms: {stalls['n']}" + "".join(f"\n    {n} x {w}" for w, n in stalls["where"]))
    return out
