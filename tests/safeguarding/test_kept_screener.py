"""A served worker keeps its screener as bytes, builds it only when its child cannot screen, and loses no alert."""

from __future__ import annotations

import dataclasses
import os
import signal
import uuid
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, alerts, submit
from tests.safeguarding.test_screening_process import evaluation_texts
from tests.safeguarding.test_screening_process_app import wait_until
from tests.safeguarding.test_start_up_check import BROKEN
from tests.support.fresh_worker import run_as_worker
from voice_service.app import create_app
from voice_service.core.settings import Settings
from voice_service.safeguarding import screening
from voice_service.safeguarding.kept_screener import shipped
from voice_service.safeguarding.phrasebook import PhrasebookError
from voice_service.safeguarding.screening import default_screener
from voice_service.safeguarding.screening_process import ScreeningProcess, screen_here

ROOT = Path(__file__).resolve().parents[2]


def test_the_kept_parts_screen_every_evaluation_text_as_the_shipped_screener() -> None:
    kept = shipped()
    assert not kept.built
    # The bytes the worker holds instead of 20 MiB: 3.6 MiB trained on ten sets, 5.6 MiB on eighteen ("data2"),
    # 6.6 MiB on twenty-four ("data3"), 9.7 MiB on thirty-six with the second look's 1.7 MiB ("data4"), 11.7 MiB on
    # fifty-two ("data5").
    assert sum(map(len, kept.parts)) < 16 * 2**20
    texts = evaluation_texts()
    assert screen_here(kept.screener(), texts) == screen_here(default_screener(), texts)
    assert kept.built
    # Each call is a screener of its own, not yet built: the one above stays with its owner.
    assert not shipped().built


def test_a_served_worker_builds_its_screener_only_when_the_child_cannot_screen(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, screening_process=True))
    with TestClient(app=app, base_url="http://testserver.local") as client:
        process = app.state.screening
        assert isinstance(process, ScreeningProcess)
        # The start waited for the child: nothing before it was screened here.
        assert process.ready
        kept = process.kept
        first = submit(client, {"make_better": DISCLOSURE})
        submit(client, {"make_better": ORDINARY})
        assert process.screened_here == 0
        assert not kept.built
        child = process.pid
        assert child is not None
        os.kill(child, signal.SIGKILL)
        later = [submit(client, {"make_better": DISCLOSURE if n % 2 == 0 else ORDINARY}) for n in range(4)]
        wait_until(lambda: process.ready and process.pid != child)
        # The worker screened what the dead child could not, with a screener it built then.
        assert process.screened_here > 0
        assert kept.built
    flagged = {uuid.UUID(first["id"])} | {uuid.UUID(a["id"]) for n, a in enumerate(later) if n % 2 == 0}
    assert {a["response_id"] for a in alerts(settings.database_url)} == flagged


def test_a_broken_phrase_file_stops_a_served_worker_naming_each_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "disclosure-phrases.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    monkeypatch.setattr(screening, "DEFAULT_FILE", path)
    served = Settings(database_url="sqlite+aiosqlite:///:memory:", screening_process=True)
    with pytest.raises(PhrasebookError) as refused:
        create_app(served)
    assert f"{path}:5" in str(refused.value)
    assert "grown_up" in str(refused.value)


WORKER = """
import gc, json, os, signal, sys, time
from litestar.testing import TestClient
from voice_service.asgi import create_from_env
from voice_service.safeguarding import queue, screening, typos
from voice_service.safeguarding.learned import LearnedModel

def held():
    objects = gc.get_objects()
    return {
        "screeners": sum(isinstance(o, screening.Screener) for o in objects),
        # The first model (its second look is a LearnedModel too, held by it).
        "models": sum(isinstance(o, LearnedModel) and o.second_look is not None for o in objects),
        "english_words": typos.english_words.cache_info().currsize,
    }

def post(client, text):
    reply = client.post("/api/surveys/young-people-voice/responses", json={"answers": {"make_better": text}})
    assert reply.status_code == 201, reply.text

seen = {}
with TestClient(app=create_from_env(), base_url="http://testserver.local") as client:
    process = client.app.state.screening
    for path in ("/", "/health", "/s/young-people-voice/", "/you-said-we-did"):
        assert client.get(path).status_code < 500, path
    for text in sys.argv[1:]:
        post(client, text)
    queue.category_description("physical_abuse")  # what the lead's queue pages show
    seen["served"] = held() | {"here": process.screened_here}
    os.kill(process.pid, signal.SIGKILL)
    post(client, sys.argv[1])
    seen["child killed"] = held() | {"here": process.screened_here}
print(json.dumps(seen))
"""


def test_nothing_in_a_fresh_worker_builds_the_screener_until_its_child_is_gone(settings: Settings) -> None:
    seen = run_as_worker(
        WORKER,
        [DISCLOSURE, ORDINARY, "i want to die"],
        database_url=settings.database_url,
        outbox_dir=settings.outbox_dir,
        secret_key="kept-screener-test",
        jobs_in_process=False,
    )
    assert seen["served"] == {"screeners": 0, "models": 0, "english_words": 0, "here": 0}
    assert seen["child killed"] == {"screeners": 1, "models": 1, "english_words": 1, "here": 1}
    assert len(alerts(settings.database_url)) == 3
