"""Benchmark-only routes, served only when VOICE_BENCH_ROUTES=1 (see bench/throughput.py)."""

from __future__ import annotations

from litestar import get


@get("/bench/noop", include_in_schema=False)
async def bench_noop() -> dict[str, bool]:
    """Does no work: the baseline of the same server stack that submissions are compared with."""
    return {"ok": True}
