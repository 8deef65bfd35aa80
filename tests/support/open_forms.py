"""The shipped surveys with every course survey opened to anyone: for tests of the answer machinery itself.

Course evaluations and follow-ups are answered only through a delegate's link; tests about how
question types are checked and stored (matrices live in the evaluations) use this copy, in which
those surveys are practitioners' surveys anyone may answer.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.conftest import FORMS_DIR
from voice_service.app import create_app
from voice_service.core.settings import Settings

LINK_ONLY = re.compile(r"^purpose: (course_evaluation|follow_up)$", re.M)


def open_forms(folder: Path) -> Path:
    """A copy of the shipped definitions in `folder`, course surveys turned into open practitioners' surveys."""
    target = folder / "open-surveys"
    if not target.exists():
        shutil.copytree(FORMS_DIR, target)
        for path in target.glob("*.yaml"):
            source = path.read_text(encoding="utf-8")
            if LINK_ONLY.search(source):
                source = LINK_ONLY.sub("purpose: voice", source)
                source = source.replace("audience: delegates\n", "audience: practitioners\n")
                path.write_text(source, encoding="utf-8")
    return target


#: One open copy per test run (the definitions never change while tests run).
OPEN_FORMS = open_forms(Path(tempfile.mkdtemp(prefix="open-forms-")))


@pytest.fixture
def open_client(settings: Settings) -> Iterator[TestClient]:
    """The app serving OPEN_FORMS: every shipped survey, course surveys answerable by anyone."""
    app = create_app(dataclasses.replace(settings, forms_dir=OPEN_FORMS))
    with TestClient(app=app, base_url="http://testserver.local") as client:
        yield client
