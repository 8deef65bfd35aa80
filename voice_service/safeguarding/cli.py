"""`voice-service safeguarding ...`: check the phrase and examples files the lead edits (and the sets file)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE, load_examples
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, PhrasebookError, load_phrasebook


def check_phrases_or_exit(path: Path | None = None, examples: Path | None = None) -> None:
    """Exit 1 listing every problem of the phrase and examples files (file:line: path: message); else silent."""
    path = path or DEFAULT_FILE
    try:
        book = load_phrasebook(path)
    except PhrasebookError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the disclosure phrase file {path}", err=True)
        sys.exit(1)
    examples = examples or EXAMPLES_FILE
    # Why the sets file too: the model trains on it beside the examples (generated, but read at start).
    for trained_on in (examples, SETS_FILE):
        try:
            load_examples(trained_on, book.categories)
        except PhrasebookError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(exc.problems)} problem(s) in the screening examples file {trained_on}", err=True)
            sys.exit(1)


@click.group("safeguarding", help="Safeguarding commands.")
def safeguarding_group() -> None:
    """Safeguarding commands."""


@safeguarding_group.command(
    "check-phrases",
    help="Check the disclosure phrase file (the shipped one, or FILE: a draft to try) and the screening"
    " examples (the shipped ones, or --examples FILE), each problem with its line.",
)
@click.argument("file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--examples", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None)
def check_phrases(file: Path | None, examples: Path | None) -> None:
    """Exit 1 with every problem listed, or say how many categories, phrases and examples the files hold."""
    path = file or DEFAULT_FILE
    examples = examples or EXAMPLES_FILE
    check_phrases_or_exit(path, examples)
    book = load_phrasebook(path)
    phrases = sum(len(c.patterns) for c in book.categories.values())
    click.echo(f"ok  {path}: {len(book.categories)} categories, {phrases} phrases")
    click.echo(f"ok  {examples}: {len(load_examples(examples, book.categories))} examples")
    click.echo(f"ok  {SETS_FILE}: {len(load_examples(SETS_FILE, book.categories))} phrasings of the earlier sets")
