"""VOICE_THEMES_FILE: named themes from a YAML file, checked when the app starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analysis.themes import MAKE_YOUR_MARK_THEMES
from voice_service.app import create_app
from voice_service.core.settings import Settings
from voice_service.voice.themes import ThemesFileError, load_themes


def test_no_file_means_the_make_your_mark_topics() -> None:
    assert load_themes(None) == MAKE_YOUR_MARK_THEMES
    assert "Health and Wellbeing" in load_themes(None)


def test_a_file_names_the_themes_and_their_words(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text("Buses:\n  - bus\n  - 'bus stop'\nParks: [park, playground]\n", encoding="utf-8")
    assert load_themes(path) == {"Buses": ("bus", "bus stop"), "Parks": ("park", "playground")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just a list\n", "must map each theme's name to a list of its words"),
        ("Buses: bus\n", "Buses: must be a list of one or more words"),
        ("Buses: []\n", "Buses: must be a list of one or more words"),
        ("Buses: [bus, [3]]\n", "Buses: must be a list of one or more words"),
        ("Buses: [bus\n", "cannot be read as YAML"),
        # Found with my own themes file: a theme copied twice silently replaced the first one's words.
        (
            "Buses: [bus]\nParks: [park]\nBuses: [coach]\n",
            r"themes\.yaml:3: cannot be read as YAML \(duplicate key 'Buses'\)",
        ),
    ],
)
def test_a_bad_file_is_refused_with_its_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemesFileError, match=message):
        load_themes(path)


def test_words_and_names_are_read_as_written(tmp_path: Path) -> None:
    # YAML 1.1 read the theme 'No' as false and the word 2024 as a number (refused); both are text, as in survey files.
    path = tmp_path / "themes.yaml"
    path.write_text("No: [no way]\nYears: [2024, year 11]\n", encoding="utf-8")
    assert load_themes(path) == {"No": ("no way",), "Years": ("2024", "year 11")}


def test_a_bad_file_stops_the_start(tmp_path: Path) -> None:
    path = tmp_path / "broken-themes.yaml"
    path.write_text("Buses: bus\n", encoding="utf-8")
    settings = dataclasses.replace(Settings(secret_key="x"), voice_themes_file=path)
    with pytest.raises(ThemesFileError, match=r"broken-themes\.yaml: Buses"):
        create_app(settings)


def test_the_setting_comes_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({}).voice_themes_file is None
    assert Settings.from_env({"VOICE_THEMES_FILE": f" {tmp_path}/t.yaml "}).voice_themes_file == tmp_path / "t.yaml"
