"""The Course Impact Score for publication: hidden whenever a component it weighs rests on fewer than 5 people."""

from __future__ import annotations

from analysis.figures import Figures, FollowUp, MeanChange
from analysis.proportions import Proportion
from analysis.score import DEFAULT_WEIGHTS, Impact
from voice_service.impact.tables import FIGURE_HEADER, HIDDEN, figure_row

SCORE = FIGURE_HEADER.index("Course Impact Score")


def course(changed: int, followed: int, attendees: int = 20) -> Figures:
    """20 attendees who all evaluated (15 likely to change, 60 of 80 ratings good), `followed` follow-ups."""
    behaviour = Proportion(changed, followed)
    components = {
        "reaction": Proportion(60, 80, people=attendees),
        "intention": Proportion(15, attendees),
        "confidence": Proportion(changed, followed),
        "behaviour": behaviour,
    }
    impact = Impact(components, DEFAULT_WEIGHTS, Proportion(changed, attendees))
    follow_up = FollowUp(
        followed, followed, Proportion(followed, followed), behaviour, behaviour, behaviour, MeanChange(1.0, followed)
    )
    every = Proportion(attendees, attendees)
    return Figures(
        1, attendees, attendees, every, {}, components["reaction"], components["intention"], follow_up, impact
    )


def test_a_score_resting_on_one_follow_up_is_not_published() -> None:
    # The weights are public and 'likely to change' (15 of 20) is published, so the score fell in a band of
    # its own for each of the one follow-up's answers (15-30 nothing changed, 40-55 confidence rose, 55-70
    # practice changed, 80-95 both, whatever the unpublished reaction): it gave that person's answers back.
    scores = {figure_row(course(changed, 1), publication=True)[SCORE] for changed in (0, 1)}
    assert scores == {HIDDEN}
    # In the staff area the score is shown as it is.
    assert figure_row(course(1, 1))[SCORE] != HIDDEN


def test_a_score_on_enough_people_at_every_component_is_published() -> None:
    assert figure_row(course(10, 15), publication=True)[SCORE].startswith("70 (")
    # 3 of 15 changed practice: that share is hidden, so the score that would give it back is too.
    assert figure_row(course(3, 15), publication=True)[SCORE] == HIDDEN
