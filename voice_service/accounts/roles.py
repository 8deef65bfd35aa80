"""The staff roles, what each lets a person do, and the staff area's sections."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A role a member of staff may hold; a person may hold several."""

    ADMIN = "admin"
    TRAINING_ADMIN = "training_admin"
    VOICE_EDITOR = "voice_editor"
    VOICE_REVIEWER = "voice_reviewer"
    SAFEGUARDING_LEAD = "safeguarding_lead"


ROLES: tuple[str, ...] = tuple(role.value for role in Role)

#: What each role is for, in the words the start page and account page use.
ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.ADMIN: "Manage people and their roles, read the audit log and change settings",
    Role.TRAINING_ADMIN: "Set up courses and sessions, import delegates, send invitations and run training reports",
    Role.VOICE_EDITOR: "Draft \u201cYou Said / We Did\u201d records and run voice reports",
    Role.VOICE_REVIEWER: "Review and publish \u201cYou Said / We Did\u201d records",
    Role.SAFEGUARDING_LEAD: "See and act on safeguarding alerts raised by young people\u2019s answers",
}

ROLE_NAMES: dict[str, str] = {
    Role.ADMIN: "Administrator",
    Role.TRAINING_ADMIN: "Training administrator",
    Role.VOICE_EDITOR: "Voice editor",
    Role.VOICE_REVIEWER: "Voice reviewer",
    Role.SAFEGUARDING_LEAD: "Designated safeguarding lead",
}


@dataclass(frozen=True)
class Section:
    """A part of the staff area shown on the start page to the roles that may use it."""

    title: str
    description: str
    roles: frozenset[str]
    #: None until the section is built: the start page then names it without a link.
    href: str | None = None


#: Sections in the order the start page lists them; a domain sets its href when it ships.
SECTIONS: tuple[Section, ...] = (
    Section(
        "People and roles",
        "Add people, change their roles, send set-password links and disable accounts",
        frozenset({Role.ADMIN}),
        href="/staff/people",
    ),
    Section(
        "Audit log",
        "Search who signed in and what changed, and download it as CSV",
        frozenset({Role.ADMIN}),
        href="/staff/audit",
    ),
    Section(
        "Deletion log",
        "See what was deleted when its time was up: typed answers, closed alerts, submission keys",
        frozenset({Role.ADMIN}),
        href="/staff/deletions",
    ),
    Section(
        "Training", ROLE_DESCRIPTIONS[Role.TRAINING_ADMIN], frozenset({Role.TRAINING_ADMIN}), href="/staff/training"
    ),
    Section(
        "Training reports",
        "Evaluations, 6-month follow-ups and the Course Impact Score; the annual report's training section; downloads",
        frozenset({Role.TRAINING_ADMIN, Role.ADMIN}),
        href="/staff/reports/training",
    ),
    Section(
        "You Said / We Did",
        "Draft, review and publish what partners did about young people\u2019s views",
        frozenset({Role.VOICE_EDITOR, Role.VOICE_REVIEWER}),
        href="/staff/you-said-we-did",
    ),
    Section(
        "Safeguarding alerts",
        ROLE_DESCRIPTIONS[Role.SAFEGUARDING_LEAD],
        frozenset({Role.SAFEGUARDING_LEAD}),
        href="/staff/safeguarding",
    ),
)


def sections_for(roles: frozenset[str]) -> list[Section]:
    """The sections a person holding these roles may use."""
    return [section for section in SECTIONS if section.roles & roles]
