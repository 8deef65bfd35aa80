"""Fixtures for tests that build their own app: a copy of the survey folder, changed settings."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.conftest import FORMS_DIR
from voice_service.app import create_app
from voice_service.core.settings import Settings

ClientFactory = Callable[..., AbstractContextManager[TestClient]]


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped survey definitions."""
    folder = tmp_path / "surveys"
    shutil.copytree(FORMS_DIR, folder)
    return folder


def edit_definition(folder: Path, slug: str, old: str, new: str) -> None:
    """Replace one piece of text in a survey's YAML file (exactly one occurrence must exist)."""
    path = folder / f"{slug}.yaml"
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times in {path.name}"
    path.write_text(source.replace(old, new), encoding="utf-8")


@pytest.fixture
def make_client(settings: Settings) -> ClientFactory:
    """Build and run the app with changed settings (for example another FORMS_DIR), same database."""

    @contextmanager
    def build(base_url: str = "http://testserver.local", **changes: object) -> Iterator[TestClient]:
        changed = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
        with TestClient(app=create_app(changed), base_url=base_url) as client:
            yield client

    return build


@pytest.fixture
def closed_forms(forms_copy: Path) -> Path:
    """The shipped surveys with the Make Your Mark ballot closed (it is normally listed and open)."""
    edit_definition(forms_copy, "make-your-mark", "open: true", "open: false")
    return forms_copy
