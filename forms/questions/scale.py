"""`scale`: choose one point on an ordered scale (radio buttons in scale order, or faces)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from forms.problems import Fields
from forms.questions._choice import SingleChoiceQuestion
from forms.questions.base import Scales

#: Ways a scale can be shown; the answers stored are the same whichever is used.
DISPLAYS = ("faces",)


@dataclass(frozen=True)
class ScaleQuestion(SingleChoiceQuestion):
    """Choose one point on an ordered scale; analysis may average its positions."""

    #: `display:` in YAML; "faces" shows each point as a large face with its label, for younger children.
    display_as: str | None = None

    type_code = "scale"
    ordered = True
    keys: ClassVar[tuple[str, ...]] = ("options", "scale", "display")

    @classmethod
    def parse_specific(cls, fields: Fields, scales: Scales) -> dict[str, Any] | None:
        """Options, and how to show them."""
        base = super().parse_specific(fields, scales)
        display = fields.raw.get("display")
        if display is not None and display not in DISPLAYS:
            fields.error("display", f"'{display}' is not one of: {', '.join(DISPLAYS)}")
            return None
        return None if base is None else {**base, "display_as": display}

    def specific_json(self) -> dict[str, Any]:
        """Options, and the display only when one is chosen (so other scales keep their version)."""
        data = super().specific_json()
        if self.display_as:
            data["display"] = self.display_as
        return data

    @property
    def template(self) -> str:
        """The faces partial for `display: faces`, else the radios."""
        return "questions/scale_faces.html" if self.display_as == "faces" else "questions/scale.html"
