"""Survey shapes the benchmarks post, and valid answers for them built from each survey's own definition.

A shape is a shipped public survey answered the way a respondent would answer it: every question
shown is answered, and a conditional question only when its `show_if` holds. The shapes:

* ``ballot``: Make Your Mark (the vote, why, age band, area: 4 answers, 4 stored rows);
* ``survey8``: the young people's voice survey (8 questions, about 10 stored rows);
* ``survey16``: the sexual-health service survey, with answers chosen so that all 16 of its
  questions are shown (3 are conditional), about 20 stored rows;
* ``mixed``: ballot and survey8 in turn (the load every earlier run in docs/benchmarks.md used).
"""

from __future__ import annotations

import json
import random
import urllib.request
from typing import Any

#: A valid ballot answer.
SMALL_SURVEY = "make-your-mark"
#: A richer survey: ranking, scale, single, textarea, multiple and a conditional question.
RICH_SURVEY = "young-people-voice"
#: Sixteen questions, three of them conditional.
LONG_SURVEY = "sexual-health-young-people"

#: shape -> the surveys its submissions take in turn
SHAPES: dict[str, list[str]] = {
    "ballot": [SMALL_SURVEY],
    "survey8": [RICH_SURVEY],
    "survey16": [LONG_SURVEY],
    "mixed": [SMALL_SURVEY, RICH_SURVEY],
}
#: the names the benchmarks took before shapes had their own names
ALIASES = {"small": "ballot", "rich": "survey8"}

TEXTS = [
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits to talk to someone about how I feel.",
    "Better buses at night, and cheaper ones.",
]


def fetch_definition(base_url: str, slug: str) -> dict[str, Any]:
    """A survey's normalised definition from the JSON API."""
    with urllib.request.urlopen(f"{base_url}/api/surveys/{slug}", timeout=10) as reply:
        return dict(json.load(reply)["definition"])


def shown(condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether a normalised `show_if` condition holds for the answers so far."""
    if "all" in condition:
        return all(shown(item, answers) for item in condition["all"])
    if "any" in condition:
        return any(shown(item, answers) for item in condition["any"])
    answer = answers.get(condition["question"])
    if "answered" in condition:
        return (answer is not None) == bool(condition["answered"])
    wanted = [condition["equals"]] if "equals" in condition else list(condition["in"])
    given = answer if isinstance(answer, list) else [answer]
    return any(value in given for value in wanted)


def answer_question(q: dict[str, Any], rng: random.Random) -> Any:
    """A valid answer to one question, built from its own options and limits."""
    values = [o["value"] for o in q.get("options", [])]
    kind = q["type"]
    if kind in ("single", "scale"):
        return rng.choice(values)
    if kind == "multiple":
        # An exclusive option ("I wouldn't talk to anyone") may not be ticked with others: leave it out.
        values = [o["value"] for o in q.get("options", []) if not o.get("exclusive")]
        top = min(q.get("max_choices") or len(values), 3)
        low = q.get("min_choices") or 1
        return rng.sample(values, rng.randint(low, max(low, top)))
    if kind == "ranking":
        return rng.sample(values, q.get("max_choices") or q.get("places") or len(values))
    if kind == "matrix":
        return {r["value"]: rng.choice(values) for r in q["rows"]}
    if kind == "number":
        low = int(q.get("min") or 0)
        return rng.randint(low, max(low, min(int(q.get("max") or 10), low + 10)))
    return rng.choice(TEXTS)[: q.get("max_length") or 300]  # text, textarea


def valid_answers(definition: dict[str, Any], rng: random.Random, conditional: bool = False) -> dict[str, Any]:
    """Answers to every question of a definition; conditional ones only with `conditional` and when shown."""
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        for q in section["questions"]:
            if "show_if" in q and not (conditional and shown(q["show_if"], answers)):
                continue
            answers[q["id"]] = answer_question(q, rng)
    return answers


def question_count(definition: dict[str, Any]) -> int:
    """How many questions a definition has, conditional ones included."""
    return sum(len(section["questions"]) for section in definition["sections"])


def fullest_answers(definition: dict[str, Any], rng: random.Random, tries: int = 200) -> dict[str, Any]:
    """Answers that show every question when some draw does (conditional ones answered), else the fullest drawn."""
    best: dict[str, Any] = {}
    for _ in range(tries):
        answers = valid_answers(definition, rng, conditional=True)
        if len(answers) > len(best):
            best = answers
        if len(best) == question_count(definition):
            break
    return best


def answer_sets(definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One respondent's answers: the long survey with every question shown, the others as before."""
    if definition.get("slug") == LONG_SURVEY:
        return fullest_answers(definition, rng)
    return valid_answers(definition, rng)


def stored_rows(answers: dict[str, Any]) -> int:
    """How many answer rows a response with these answers stores (a list or matrix keeps a row per item)."""
    return sum(len(value) if isinstance(value, (list, dict)) else 1 for value in answers.values())


class Bodies:
    """Request bodies for submissions of one shape, each with a unique key."""

    def __init__(self, base_url: str, run_id: str, seed: int = 2023, pool: int = 200, mix: str = "mixed") -> None:
        rng = random.Random(seed)
        self.shape = ALIASES.get(mix, mix)
        order = SHAPES[self.shape]
        definitions = {slug: fetch_definition(base_url, slug) for slug in set(order)}
        self.choices: list[tuple[str, str]] = []  # (path, answers as JSON text)
        rows = 0
        for i in range(pool):
            slug = order[i % len(order)]
            answers = answer_sets(definitions[slug], rng)
            rows += stored_rows(answers)
            self.choices.append((f"/api/surveys/{slug}/responses", json.dumps(answers, separators=(",", ":"))))
        #: mean answer rows a submission of this shape stores
        self.rows_per_response = rows / pool
        self.questions = {slug: question_count(definitions[slug]) for slug in order}
        self.run_id = run_id
        self.counter = 0

    def next(self) -> tuple[str, str, bytes]:
        """(path, submission key, body) of a new submission."""
        self.counter += 1
        key = f"{self.run_id}-{self.counter}"
        path, answers = self.choices[self.counter % len(self.choices)]
        return path, key, self.body(answers, key)

    def request(self) -> tuple[str, str, str | None, bytes | None]:
        """A new submission as `run_load` wants it: (method, path, key, body)."""
        path, key, body = self.next()
        return "POST", path, key, body

    @staticmethod
    def body(answers: str, key: str) -> bytes:
        return f'{{"answers":{answers},"submission_key":"{key}"}}'.encode()

    def answers_of(self, key: str) -> tuple[str, bytes]:
        """The same path and body again for a key this object made (for retries)."""
        n = int(key.rsplit("-", 1)[1])
        path, answers = self.choices[n % len(self.choices)]
        return path, self.body(answers, key)
