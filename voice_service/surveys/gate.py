"""Who may answer a survey: anyone with its address, or only someone a link was made for.

Course evaluations and follow-ups are answered only through a delegate's personal or session
link. The surveys domain knows that such surveys exist, not how links work: the training domain
supplies the gate, and the composition root wires it in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from forms import Survey
from voice_service.surveys.pending import Respondent

#: Survey purposes answered only through a link made for one person.
LINK_ONLY_PURPOSES = frozenset({"course_evaluation", "follow_up"})
#: The cookie a link is swapped for, scoped to the survey's pages.
LINK_COOKIE = "vs_link"


def needs_link(survey: Survey) -> bool:
    """Whether a survey is answered only through a personal or session link."""
    return survey.purpose in LINK_ONLY_PURPOSES


@dataclass(frozen=True)
class Admission:
    """Whether a browser may answer a link-only survey, and as whom."""

    respondent: Respondent | None = None
    #: Why not: "no_link" (none, unknown or expired) or "answered" (this person has already answered).
    refusal: str = "no_link"
    #: The key the response is stored under: one response per invitation, whatever the browser does.
    submission_key: str = ""
    #: What the answers are about, for the start page ("Working Together A, 10 March 2027"): one follow-up
    #: survey serves every course, and a delegate on two courses holds a link for each.
    about: str = ""


class Gate(Protocol):
    """Checks the cookie a link was swapped for, and hears when its holder has answered."""

    async def admit(self, survey: Survey, secret: str | None, now: datetime) -> Admission:
        """The respondent this secret lets answer `survey`, or why it does not."""
        ...

    async def answered(self, respondent: Respondent, response_id: uuid.UUID, now: datetime) -> None:
        """Record that the respondent's invitation has its response."""
        ...


class ClosedGate:
    """The gate when no domain issues links: link-only surveys admit nobody."""

    async def admit(self, survey: Survey, secret: str | None, now: datetime) -> Admission:
        """Nobody is admitted."""
        return Admission()

    async def answered(self, respondent: Respondent, response_id: uuid.UUID, now: datetime) -> None:
        """Nothing to record."""
