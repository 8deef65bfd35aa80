"""Who runs this service: the partnership's names, contact details and the help lines shown to children."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

#: A phone number as people dial it: digits and single spaces, optionally a leading +.
PHONE = re.compile(r"^\+?\d+( \d+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PartnershipError(ValueError):
    """A partnership setting is unusable; the message names the variable."""


@dataclass(frozen=True)
class Partnership:
    """Everything that names the partnership on public pages; the defaults are the York demo."""

    #: The partnership's full name, in the footer, page titles and the home page.
    name: str = "City of York Safeguarding Children Partnership"
    #: The header's logo text (short enough for a 320 px screen).
    logo_text: str = "City of York Safeguarding Children Partnership"
    #: The public service's name.
    service_name: str = "Have your say"
    #: Where people can ask about the service (shown in the footer when set).
    contact_email: str = ""
    contact_phone: str = ""
    #: The free children's help line shown on young people's pages.
    helpline_name: str = "Childline"
    helpline_number: str = "0800 1111"
    emergency_number: str = "999"

    @staticmethod
    def env_name(field: str) -> str:
        """The environment variable that sets a field: PARTNERSHIP_NAME, PARTNERSHIP_HELPLINE_NUMBER, ..."""
        return "PARTNERSHIP_NAME" if field == "name" else f"PARTNERSHIP_{field.upper()}"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Partnership:
        """The partnership from PARTNERSHIP_* variables; anything unset keeps the demo default."""
        given = {f.name: env[cls.env_name(f.name)].strip() for f in fields(cls) if cls.env_name(f.name) in env}
        partnership = cls(**given)
        partnership.check()
        return partnership

    def check(self) -> None:
        """Refuse values that would show something broken on every page."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("contact_email", "contact_phone") and not value:
                raise PartnershipError(f"{self.env_name(f.name)} must not be empty")
            if len(value) > 120 or any(ord(c) < 32 for c in value):
                raise PartnershipError(f"{self.env_name(f.name)} must be one line of at most 120 characters")
        for name in ("helpline_number", "emergency_number", "contact_phone"):
            value = getattr(self, name)
            if value and not PHONE.fullmatch(value):
                raise PartnershipError(f"{self.env_name(name)} must be a phone number like 0800 1111, not '{value}'")
        if self.contact_email and not EMAIL.fullmatch(self.contact_email):
            raise PartnershipError(f"PARTNERSHIP_CONTACT_EMAIL must be an email address, not '{self.contact_email}'")

    def tel(self, number: str) -> str:
        """A tel: link target for a number as shown."""
        return "tel:" + number.replace(" ", "")
