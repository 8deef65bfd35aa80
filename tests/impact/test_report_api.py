"""GET /api/reports/training: the 2022/23 report's published figures, exactly, and bad ranges refused."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from analysis.proportions import percent
from tests.support.staff import api_token, bearer
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

YEAR = {"from": "2022-04-01", "to": "2023-03-31"}
#: The annual report's table: sessions, attendees, evaluations and "likely or very likely to change" as printed.
PUBLISHED = {
    "Safeguarding Children: Working Together A": (8, 160, 126, "76%"),
    "Safeguarding Children: Shared Responsibilities and Procedures - Working Together B": (8, 159, 117, "79%"),
    "Developing an Understanding of Harmful Sexual Behaviour": (10, 63, None, None),
    "The Child Death Review: Advanced Training for Professionals": (3, 28, None, None),
}


@pytest.fixture
def api(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, str]:
    """A training administrator's Authorization header."""
    return bearer(api_token(settings, staff_users["training_admin"]))


def test_the_report_shows_the_published_2022_23_figures(
    client: TestClient, api: dict[str, str], annual_report: int
) -> None:
    response = client.get("/api/reports/training", params=YEAR, headers=api)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["from"], report["to"]) == ("2022-04-01", "2023-03-31")
    assert report["totals"]["sessions"] == 29
    assert report["totals"]["attendees"] == 410
    shown = {
        c["course"]: (c["sessions"], c["attendees"], c["evaluations"], percent(c["change_intent"]["value"]))
        for c in report["courses"]
    }
    for course, (sessions, attendees, evaluations, intention) in PUBLISHED.items():
        assert shown[course][:2] == (sessions, attendees)
        if evaluations is not None:
            assert shown[course][2:] == (evaluations, intention)
    working_together_a = next(c for c in report["courses"] if c["course"].endswith("Working Together A"))
    assert working_together_a["change_intent"]["count"] == 96
    assert working_together_a["change_intent"]["n"] == 126
    # "Out of 160 delegates who attended the training 126 completed the evaluation survey."
    assert (working_together_a["response_rate"]["count"], working_together_a["response_rate"]["n"]) == (126, 160)


def test_the_response_has_the_documented_shape(client: TestClient, api: dict[str, str], annual_report: int) -> None:
    report = client.get("/api/reports/training", params=YEAR, headers=api).json()
    course = report["courses"][0]
    assert set(course) == {
        "course_id",
        "course",
        "sessions",
        "attendees",
        "evaluations",
        "response_rate",
        "elements",
        "change_intent",
        "follow_up",
        "impact",
    }
    proportion = {"value", "count", "n", "low", "high", "low_numbers"}
    assert set(course["change_intent"]) == proportion
    element = next(iter(course["elements"].values()))
    assert set(element) == {"label", "counts", "good_or_better"}
    assert set(element["good_or_better"]) == proportion
    assert list(element["counts"]) == ["poor", "fair", "good", "very_good"]
    assert set(course["follow_up"]) == {
        "sent",
        "received",
        "response_rate",
        "changed_practice",
        "gave_example",
        "confidence_improved",
        "confidence_mean_change",
    }
    impact = course["impact"]
    assert {"score", "complete", "components", "weights", "behaviour_worst_case"} <= set(impact)
    assert set(impact["components"]) == {"reaction", "intention", "confidence", "behaviour"}
    assert impact["weights"] == {"reaction": 0.15, "intention": 0.2, "confidence": 0.25, "behaviour": 0.4}


def test_follow_ups_and_the_score(client: TestClient, api: dict[str, str], annual_report: int) -> None:
    report = client.get("/api/reports/training", params=YEAR, headers=api).json()
    by_name = {c["course"]: c for c in report["courses"]}
    wta = by_name["Safeguarding Children: Working Together A"]
    assert (wta["follow_up"]["sent"], wta["follow_up"]["received"]) == (120, 54)
    assert (wta["follow_up"]["changed_practice"]["count"], wta["follow_up"]["changed_practice"]["n"]) == (38, 54)
    assert wta["impact"]["complete"] is True
    assert 0 <= wta["impact"]["score"] <= 100
    # Worst case: the 38 who changed practice with an example, over all 160 attendees.
    worst = wta["impact"]["behaviour_worst_case"]
    assert (worst["count"], worst["n"]) == (38, 160)
    # The Child Death Review course has no follow-ups yet: incomplete, not a lower score.
    cdr = by_name["The Child Death Review: Advanced Training for Professionals"]
    assert cdr["impact"]["complete"] is False
    assert cdr["impact"]["score"] is None


def test_an_empty_range_reports_nothing(client: TestClient, api: dict[str, str], annual_report: int) -> None:
    report = client.get("/api/reports/training", params={"from": "2030-01-01", "to": "2030-12-31"}, headers=api)
    assert report.status_code == 200
    assert report.json() == {
        "from": "2030-01-01",
        "to": "2030-12-31",
        "totals": {"sessions": 0, "attendees": 0, "evaluations": 0},
        "courses": [],
    }


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"from", "to"}),
        ({"from": "2022-04-01"}, {"to"}),
        ({"from": "01/04/2022", "to": "2023-03-31"}, {"from"}),
        ({"from": "2022-02-30", "to": "2023-03-31"}, {"from"}),
        ({"from": "20220401", "to": "2023-03-31"}, {"from"}),
        ({"from": "2023-04-01", "to": "2022-03-31"}, {"to"}),
        ({"from": "1900-01-01", "to": "2023-03-31"}, {"to"}),
        ({"from": "<script>", "to": "' OR 1=1"}, {"from", "to"}),
    ],
)
def test_bad_ranges_get_field_errors(
    client: TestClient, api: dict[str, str], params: dict[str, str], errors: set[str]
) -> None:
    response = client.get("/api/reports/training", params=params, headers=api)
    assert response.status_code == 422
    body: dict[str, Any] = response.json()
    assert set(body["errors"]) == errors
    assert "<script>" not in response.text


def test_only_training_administrators_and_admins(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for role, status in [("training_admin", 200), ("admin", 200), ("voice_editor", 403), ("safeguarding_lead", 403)]:
        headers = bearer(api_token(settings, staff_users[role]))
        assert client.get("/api/reports/training", params=YEAR, headers=headers).status_code == status, role
    assert client.get("/api/reports/training", params=YEAR).status_code == 401


def test_the_openapi_schema_documents_the_report(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/reports/training"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to"}
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    report = schema["components"]["schemas"]["TrainingReportOut"]
    assert {"from", "to", "totals", "courses"} <= set(report["properties"])
