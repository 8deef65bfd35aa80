"""Due work of the reports: keep each keyed response's measured cells copied in one row for the training report."""

from __future__ import annotations

import weakref
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from forms.loader import survey_paths
from voice_service.core.jobs import Handler, JobContext, Recurring
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import refresh_measures

REFRESH_MEASURES = "impact.refresh_measures"

Files = tuple[tuple[str, int, int], ...]
#: Per engine (a database), the catalog each forms folder gave and the files it was read from.
_catalogs: weakref.WeakKeyDictionary[AsyncEngine, dict[Path, tuple[Files, SurveyCatalog]]] = weakref.WeakKeyDictionary()


def _files_of(folder: Path) -> Files:
    """What the definitions were read from, as `load_surveys` finds them: a change to any file changes this."""
    paths = survey_paths(folder)
    return tuple((path.name, (stat := path.stat()).st_size, stat.st_mtime_ns) for path in paths)


async def current_catalog(engine: AsyncEngine, folder: Path) -> SurveyCatalog:
    """The definitions in `folder`, read and recorded in the database again only when a file has changed.

    Why: reading every YAML definition took 45 ms of the event loop's thread every 2 minutes (a
    stall that every page request in flight waited for) to find the same surveys each time; a
    look at the files' sizes and times takes well under a millisecond.
    """
    files = _files_of(folder)
    known = _catalogs.setdefault(engine, {})
    if folder in known and known[folder][0] == files:
        return known[folder][1]
    catalog = SurveyCatalog.from_folder(folder)
    await catalog.sync(engine)
    known[folder] = (files, catalog)
    return catalog


async def copy_measures(ctx: JobContext, _payload: dict[str, Any]) -> None:
    """Copy the measured cells of responses submitted since the last run (the report reads the rest live)."""
    await refresh_measures(ctx.engine, await current_catalog(ctx.engine, ctx.settings.forms_dir))


JOB_HANDLERS: dict[str, Handler] = {REFRESH_MEASURES: copy_measures}
#: Why every 2 minutes: a report looks up live only what arrived since (about 1 ms per 100 responses),
#: and a run that finds nothing new costs one pass over the keyed responses' ids (0.15-0.2 s at 100,000).
RECURRING_JOBS = (Recurring(REFRESH_MEASURES, every=timedelta(minutes=2)),)
