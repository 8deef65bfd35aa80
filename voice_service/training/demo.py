"""Demo training data from the 2022/23 annual report: the four multi-agency courses, their sessions and delegates.

The numbers of sessions and attendees are the report's (29 sessions, 410 attendees); the people
are invented, with example.org addresses. Loading twice adds nothing: a course that exists is skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import CLI
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training import courses, delegates, sessions
from voice_service.training.rows import DelegateIn, Rows
from voice_service.training.rules import DEFAULT_FOLLOW_UP_DAYS, Invalid


@dataclass(frozen=True)
class DemoCourse:
    """A course as the report lists it."""

    name: str
    evaluation_survey: str
    sessions: int
    attendees: int
    mode: str
    trainer: str


COURSES = (
    DemoCourse(
        "Safeguarding Children: Working Together A",
        "working-together-a-evaluation",
        8,
        160,
        "online",
        "CYSCP training team",
    ),
    DemoCourse(
        "Safeguarding Children: Shared Responsibilities and Procedures - Working Together B",
        "working-together-b-evaluation",
        8,
        159,
        "online",
        "CYSCP training team",
    ),
    DemoCourse(
        "Developing an Understanding of Harmful Sexual Behaviour",
        "hsb-evaluation",
        10,
        63,
        "face_to_face",
        "Youth Justice Service",
    ),
    DemoCourse(
        "The Child Death Review: Advanced Training for Professionals",
        "child-death-review-evaluation",
        3,
        28,
        "online",
        "CDOP team",
    ),
)
FIRST = ("Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Ben", "Chloe", "Dan", "Ellie", "Fatima", "Gary", "Hannah")
LAST = ("Smith", "Khan", "Jones", "Patel", "Brown", "Wilson", "Taylor", "Evans", "Walker", "Wright", "Green", "Hall")
#: Sector and a sample organisation, weighted roughly as the report's learners are.
SECTORS = (
    ("schools", "Clifton Green Primary School"),
    ("schools", "Fulford School"),
    ("early years", "Little Acorns Nursery"),
    ("local authority", "City of York Council Children's Social Care"),
    ("health", "York and Scarborough Teaching Hospitals"),
    ("police", "North Yorkshire Police"),
    ("voluntary sector", "York Carers Centre"),
    ("other", "Supply teacher agency"),
)
YEAR_START = date(2022, 4, 4)


def _delegates(course_number: int, session_number: int, attendees: int, rng: random.Random) -> Rows:
    rows = []
    for n in range(attendees + 1):  # one booked delegate in each session did not come
        first, last = rng.choice(FIRST), rng.choice(LAST)
        sector, organisation = rng.choice(SECTORS)
        email = f"{first}.{last}.{course_number}{session_number:02d}{n:02d}@example.org".lower()
        rows.append(DelegateIn(n + 2, f"{first} {last}", email, organisation, sector, n < attendees))
    return Rows(rows, [])


async def load_training_demo(engine: AsyncEngine, catalog: SurveyCatalog, seed: int = 2023) -> int:
    """Store the demo courses, sessions and delegates; returns how many delegates were added."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    choices = courses.survey_choices(catalog)
    added = 0
    for number, demo in enumerate(COURSES, start=1):
        values = {
            "name": demo.name,
            "evaluation_survey": demo.evaluation_survey,
            "follow_up_survey": "training-follow-up",
            "follow_up_days": DEFAULT_FOLLOW_UP_DAYS,
        }
        try:
            course = await courses.create_course(engine, values, choices, actor=CLI)
        except Invalid:
            continue  # already loaded (or the survey is missing from FORMS_DIR)
        spacing = 340 // demo.sessions
        for index in range(demo.sessions):
            # Why: spread the attendees over the sessions as evenly as the report's totals allow.
            attendees = demo.attendees // demo.sessions + (1 if index < demo.attendees % demo.sessions else 0)
            day = YEAR_START + timedelta(days=index * spacing + number * 3)
            session_values = {
                "date": day.isoformat(),
                "mode": demo.mode,
                "trainer": demo.trainer,
                "capacity": max(attendees + 5, 12),
            }
            session = await sessions.create_session(engine, course.id, session_values, actor=CLI)
            result = await delegates.import_delegates(
                engine, session.id, _delegates(number, index, attendees, rng), actor=CLI
            )
            added += result.added
    return added
