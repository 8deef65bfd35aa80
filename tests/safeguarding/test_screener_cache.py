"""The fitted screener kept between starts: read only when signed with this service's key, for the same files."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from forms.problems import DefinitionError
from tests.safeguarding.test_screening_process import evaluation_texts
from tests.safeguarding.test_start_up_check import broken_file
from voice_service.core.settings import PROJECT_ROOT, Settings
from voice_service.safeguarding import kept_screener, screening
from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE
from voice_service.safeguarding.kept_screener import KeptScreener, shipped
from voice_service.safeguarding.screener_cache import ScreenerCache, parts_key, screener_cache
from voice_service.safeguarding.screening import default_screener
from voice_service.safeguarding.screening_process import screen_here

__all__ = ["broken_file"]  # a fixture, used below

PARTS = (b"\x80phrase book", b"\x80model")


@pytest.fixture
def fresh_parts() -> Iterator[None]:
    """Each test's shipped() looks at its cache, not at parts an earlier test made in this process."""
    kept_screener._shipped_parts.cache_clear()
    yield
    kept_screener._shipped_parts.cache_clear()


def test_parts_written_are_read_back_with_the_same_key_and_secret(tmp_path: Path) -> None:
    cache = ScreenerCache(tmp_path, "secret")
    cache.write("k1", PARTS)
    assert cache.read("k1") == PARTS
    assert cache.read("k2") is None
    assert ScreenerCache(tmp_path, "another secret").read("k1") is None


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: data[:-1], id="truncated"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="one bit changed"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not ours at all", id="foreign"),
    ],
)
def test_a_changed_file_is_refused_and_said_so_without_its_content(
    tmp_path: Path, spoil: Callable[[bytes], bytes], caplog: pytest.LogCaptureFixture
) -> None:
    cache = ScreenerCache(tmp_path, "secret")
    cache.write("k1", PARTS)
    path = cache.path_for("k1")
    path.write_bytes(spoil(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        assert cache.read("k1") is None
    assert "model" not in caplog.text
    assert "phrase book" not in caplog.text


def test_writing_new_parts_removes_other_keys_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    cache = ScreenerCache(tmp_path, "secret")
    cache.write("old", PARTS)
    cache.write("new", PARTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.path_for("new").name]


def test_a_directory_that_cannot_be_written_costs_a_fit_not_the_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a directory", encoding="utf-8")
    cache = ScreenerCache(blocked, "secret")
    with caplog.at_level(logging.WARNING):
        cache.write("k1", PARTS)
    assert cache.read("k1") is None
    assert "fits it again" in caplog.text


def test_the_key_changes_with_any_file_it_is_made_from(tmp_path: Path) -> None:
    copy = tmp_path / "phrases.yaml"
    shutil.copy(screening.DEFAULT_FILE, copy)
    key = parts_key((copy, EXAMPLES_FILE, SETS_FILE))
    assert key == parts_key((copy, EXAMPLES_FILE, SETS_FILE))
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert parts_key((copy, EXAMPLES_FILE, SETS_FILE)) != key
    assert parts_key((copy, EXAMPLES_FILE, None)) != parts_key((copy, EXAMPLES_FILE, SETS_FILE))


def test_no_cache_without_a_directory_or_a_key(tmp_path: Path) -> None:
    assert screener_cache(None, "secret") is None
    assert screener_cache(tmp_path, "") is None
    assert screener_cache(tmp_path, "secret") == ScreenerCache(tmp_path, "secret")


def test_served_settings_keep_it_in_var_cache_unless_turned_off() -> None:
    assert Settings.from_env({}).screener_cache_dir == PROJECT_ROOT / "var" / "cache"
    assert Settings.from_env({"SCREENER_CACHE_DIR": "/srv/vs/cache"}).screener_cache_dir == Path("/srv/vs/cache")
    assert Settings.from_env({"SCREENER_CACHE_DIR": "off"}).screener_cache_dir is None
    assert Settings().screener_cache_dir is None


@pytest.mark.usefixtures("fresh_parts")
def test_a_second_start_reads_the_parts_the_first_fitted_and_screens_the_same(tmp_path: Path) -> None:
    cache = ScreenerCache(tmp_path, "secret")
    first = shipped(cache)
    key = parts_key((screening.DEFAULT_FILE, EXAMPLES_FILE, SETS_FILE))
    written = cache.path_for(key).stat()
    kept_screener._shipped_parts.cache_clear()
    second = shipped(cache)
    # Why the inode and time: a second fit would have replaced the file with a new one.
    again = cache.path_for(key).stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert second.parts == cache.read(key) == first.parts
    texts = evaluation_texts()[::7]
    assert screen_here(KeptScreener(second.parts).screener(), texts) == screen_here(default_screener(), texts)


@pytest.mark.usefixtures("fresh_parts", "broken_file")
def test_a_broken_phrase_file_still_stops_the_start_and_nothing_is_kept(tmp_path: Path) -> None:
    cache = ScreenerCache(tmp_path / "cache", "secret")
    with pytest.raises(DefinitionError):
        shipped(cache)
    assert not (tmp_path / "cache").exists()
