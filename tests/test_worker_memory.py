"""A web worker keeps its memory small: the heavy libraries load only where a report, export or chart is made.

pandas (about 33 MiB), matplotlib, TextBlob with NLTK and SciPy, scikit-learn, the spreadsheet
writers and QR codes are each needed by a few staff pages, a job or a child process; a worker that
imported them at start held 300 MiB (docs/benchmarks.md, "Memory per worker"). These tests build
the app as `voice-service serve` does, in a fresh interpreter, walk the shipped surveys through
their pages as a young person does, and look at what the interpreter loaded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.lazy import LazyModule
from tests.support.fresh_worker import run_as_worker
from voice_service.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
#: What no web worker may hold after start and a young person's journey (with why each is heavy).
HEAVY = {
    "pandas": "about 33 MiB; reports and staff pages only",
    "matplotlib": "staff charts only",
    "textblob": "with NLTK and SciPy, about 100 MiB; the sentiment child process only",
    "nltk": "TextBlob's",
    "scipy": "TextBlob's and scikit-learn's",
    "sklearn": "the screening model's fit, in a child process only",
    "xlsxwriter": "spreadsheet exports only",
    "openpyxl": "spreadsheet imports only",
    "segno": "QR codes on staff pages only",
}

WORKER = """
import importlib.util, json, random, sys
from urllib.parse import urlencode

from litestar.testing import TestClient

from voice_service.asgi import create_from_env

spec = importlib.util.spec_from_file_location("bench_html_client", sys.argv[1])
html_client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(html_client)
FORM = {"content-type": "application/x-www-form-urlencoded"}
# Every public page a young person, a delegate or a signed-out visitor may open (bad links included).
PUBLIC_PAGES = (
    "/", "/health", "/schema", "/api/surveys", "/api/surveys/young-people-voice", "/you-said-we-did",
    "/you-said-we-did?group=x&theme=y&year=2022/23", "/t/not-a-real-link-token", "/t/s/not-a-room-code",
    "/staff/login", "/staff/password/not-a-real-link-token",
)
rng = random.Random(13)
completed = []
with TestClient(app=create_from_env(), base_url="http://testserver.local") as client:
    after_start = sorted(sys.modules)
    for path in PUBLIC_PAGES:
        assert client.get(path).status_code < 500, path
    for slug in ("young-people-voice", "sexual-health-young-people"):
        start = html_client.read_form(client.get(f"/s/{slug}/").text)
        reply = client.post(start.action, data=dict(html_client.answer_form(start, rng)), follow_redirects=False)
        while "/page/" in (location := reply.headers["location"]):
            page = html_client.read_form(client.get(location).text)
            form = urlencode(html_client.answer_form(page, rng))
            reply = client.post(page.action, content=form, headers=FORM, follow_redirects=False)
        check = html_client.read_form(client.get(location).text)
        reply = client.post(check.action, data=dict(html_client.answer_form(check, rng)), follow_redirects=False)
        done = client.get(reply.headers["location"])
        if "your answers have been sent" in done.text:
            completed.append(slug)
print(json.dumps({"after_start": after_start, "after_journeys": sorted(sys.modules), "completed": completed}))
"""


def run_worker(database_url: str, tmp_path: Path) -> dict[str, list[str]]:
    """Build the app in a fresh interpreter as a worker does, walk both surveys; what it loaded."""
    loaded: dict[str, list[str]] = run_as_worker(
        WORKER,
        [str(ROOT / "bench" / "html_client.py")],
        database_url=database_url,
        outbox_dir=tmp_path / "outbox",
        secret_key="memory-test",
        # Why: the worker's due work runs too (by default with SQLite), as under `voice-service serve`.
        jobs_in_process=True,
    )
    return loaded


def top_level(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_a_worker_never_loads_report_libraries_for_a_young_persons_journey(settings: Settings, tmp_path: Path) -> None:
    # On SQLite and on PostgreSQL (the `settings` fixture's two databases, migrated and cleared after).
    loaded = run_worker(settings.database_url, tmp_path)
    assert loaded["completed"] == ["young-people-voice", "sexual-health-young-people"]
    for moment in ("after_start", "after_journeys"):
        held = sorted(top_level(loaded[moment]) & HEAVY.keys())
        assert held == [], f"{moment}: {', '.join(f'{m} ({HEAVY[m]})' for m in held)}"
    # The screening model scores every typed answer without scikit-learn, and the analysis package
    # (whose constants the settings and pages use) is loaded without its pandas.
    assert "voice_service.safeguarding.learned" in loaded["after_start"]
    assert "analysis" in top_level(loaded["after_start"])


LAZY = """
import sys
from analysis.lazy import LazyModule
pd = LazyModule("pandas")
before = "pandas" in sys.modules
frame = pd.DataFrame({"a": [1, 2]})
print(before, "pandas" in sys.modules, int(frame["a"].sum()), isinstance(frame, pd.DataFrame), repr(pd))
"""


def test_a_lazy_module_is_imported_by_the_first_use_of_one_of_its_names() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", LAZY], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "3", "True", "<LazyModule", "'pandas'", "(imported)>"]


def test_a_lazy_module_refuses_a_name_its_module_does_not_have() -> None:
    json_module = LazyModule("json")
    assert repr(json_module) == "<LazyModule 'json' (not imported yet)>"
    assert json_module.dumps([1]) == "[1]"
    with pytest.raises(AttributeError):
        _ = json_module.no_such_function
    with pytest.raises(ModuleNotFoundError):
        _ = LazyModule("no_such_module_anywhere").anything


def test_the_screening_model_keeps_its_weights_flat_and_one_vocabulary() -> None:
    from array import array

    from voice_service.safeguarding.screening import default_screener

    model = default_screener().model
    assert model is not None
    # Doubles in one buffer each (8 bytes a weight), the same values scikit-learn fitted.
    for weights in (model._word_idf, model._letter_idf, model._word_weight, model._letter_weight):
        assert isinstance(weights, array)
        assert weights.typecode == "d"
    assert len(model._word_weight) == len(model._word_index)
    assert len(model._letter_weight) == len(model._letter_index)
    # The category model looks its grams up in the decision model's dictionaries, not copies of them.
    vocabularies = [family[1] for family in model._categories._families]
    assert len(vocabularies) == 2
    assert vocabularies[0] is model._word_index
    assert vocabularies[1] is model._letter_index


def test_the_letter_cache_of_the_screening_model_stays_bounded() -> None:
    from voice_service.safeguarding.learned import LETTER_CACHE_WORDS
    from voice_service.safeguarding.screening import default_screener

    model = default_screener().model
    assert model is not None
    words = [f"zq{n:06d}x" for n in range(LETTER_CACHE_WORDS + 50)]
    scored = [model.chance([word, "home", "dad", "hits"]) for word in words]
    assert len(model._letter_columns) <= LETTER_CACHE_WORDS + 1
    # Starting the cache again changes no answer's chance.
    assert model.chance([words[0], "home", "dad", "hits"]) == scored[0]


def test_the_public_you_said_we_did_figures_are_suppressed_without_pandas() -> None:
    # Young people visit this page; a record's "did this make a difference?" counts must not pull
    # pandas into the worker that shows them.
    code = (
        "import sys; from voice_service.voice.public import feedback_figures; "
        "answers, total = feedback_figures({'yes': 12, 'a_bit': 3, 'no': 9}); "
        "print(answers['yes'].value, answers['a_bit'].value, answers['no'].value, total.value, 'pandas' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    # 3 is hidden, and 9 with it, so the total (shown) gives neither away.
    assert result.stdout.split() == ["12", "None", "None", "24", "False"]
