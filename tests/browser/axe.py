"""Run axe-core (from the npm package installed by the setup) on a page: WCAG 2.2 A and AA rules and best practices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 A and AA, and axe's best practices (landmarks, headings): every finding counts.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


#: Findings a page may have, by axe rule id, each with the reason it is accepted. Empty: none is.
ACCEPTED: dict[str, str] = {}


def violations(page: Any) -> list[str]:
    """Every violation on the page as it is now, of any impact (minor included), one line each."""
    # Why: evaluated through DevTools, not added as a <script>: the pages' CSP refuses inline scripts.
    # The trailing `undefined` keeps Playwright from sending the whole axe object back.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["id"] not in ACCEPTED
    ]


#: The old name: every finding now counts, not only serious and critical ones.
serious_violations = violations


def assert_accessible(page: Any) -> None:
    """Fail with every violation listed, whatever its impact."""
    problems = violations(page)
    assert problems == [], f"axe found problems on {page.url}:\n" + "\n".join(problems)
