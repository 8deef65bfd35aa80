"""`voice-service safeguarding ...`: check the phrase and examples files the lead edits, and try answers on them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click

from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE, load_examples
from voice_service.safeguarding.phrasebook import DEFAULT_FILE, PhrasebookError, load_phrasebook
from voice_service.safeguarding.screening import Screening, default_screener, load_screener


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


@safeguarding_group.command(
    "screen",
    help="Screen answers as survey answers are screened, one per line of FILE (or standard input), and say for"
    " each whether it would raise an alert, its categories and the words the phrases matched. --phrases and"
    " --examples try draft files instead of the shipped ones. It prints the answers back: use it on wordings"
    " you wrote, not on children's answers.",
)
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"), default="-")
@click.option("--phrases", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None)
@click.option("--examples", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None)
@click.option("--alerts-only", is_flag=True, help="Print only the answers that would raise an alert.")
def screen_lines(file: TextIO, phrases: Path | None, examples: Path | None, alerts_only: bool) -> None:
    """Each non-blank line's outcome, then how many would alert."""
    check_phrases_or_exit(phrases, examples)
    if phrases is None and examples is None:
        screener = default_screener()
    else:
        screener = load_screener(phrases or DEFAULT_FILE, examples or EXAMPLES_FILE)
    tried = flagged = 0
    for number, line in enumerate(file, start=1):
        text = line.strip()
        if not text:
            continue
        tried += 1
        result = screener.screen(text)
        flagged += result.flagged
        if result.flagged or not alerts_only:
            click.echo(f"{number}: {describe(text, result)}")
    click.echo(f"{flagged} of {tried} would raise an alert")


def describe(text: str, result: Screening) -> str:
    """One answer's outcome on one line: alert or not, categories, matched words, then the answer."""
    if not result.flagged:
        return f"no alert  | {text}"
    spans = [(m.category, *m.span) for m in result.matches]
    # Why: phrases overlap ("mums bf hits", "hits me"); a span inside another of its category adds nothing.
    widest = [s for s in spans if not any(o != s and o[0] == s[0] and o[1] <= s[1] and s[2] <= o[2] for o in spans)]
    words = dict.fromkeys(f'{category} "{text[start:end]}"' for category, start, end in widest)
    matched = ", ".join(words) or "the model alone"
    return f"ALERT ({', '.join(result.categories)}; {matched})  | {text}"
