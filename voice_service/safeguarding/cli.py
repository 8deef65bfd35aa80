"""`voice-service safeguarding ...`: check the phrase file the safeguarding lead edits."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voice_service.safeguarding.phrasebook import DEFAULT_FILE, PhrasebookError, load_phrasebook


def check_phrases_or_exit(path: Path | None = None) -> None:
    """Exit 1 listing every problem of the phrase file (file:line: path: message); silent when it is valid."""
    path = path or DEFAULT_FILE
    try:
        load_phrasebook(path)
    except PhrasebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the disclosure phrase file {path}", err=True)
        sys.exit(1)


@click.group("safeguarding", help="Safeguarding commands.")
def safeguarding_group() -> None:
    """Safeguarding commands."""


@safeguarding_group.command(
    "check-phrases",
    help="Check the disclosure phrase file (the shipped one, or FILE: a draft to try), each problem with its line.",
)
@click.argument("file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
def check_phrases(file: Path | None) -> None:
    """Exit 1 with every problem listed, or say how many categories and phrases the file holds."""
    path = file or DEFAULT_FILE
    check_phrases_or_exit(path)
    book = load_phrasebook(path)
    phrases = sum(len(c.patterns) for c in book.categories.values())
    click.echo(f"ok  {path}: {len(book.categories)} categories, {phrases} phrases")
