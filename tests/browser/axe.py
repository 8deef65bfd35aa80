"""Run axe-core (from the npm package installed by the setup) on a page: WCAG 2.2 A and AA rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious_violations(page: Any) -> list[str]:
    """Serious or critical violations on the page as it is now, one line each."""
    # Why: evaluated through DevTools, not added as a <script>: the pages' CSP refuses inline scripts.
    # The trailing `undefined` keeps Playwright from sending the whole axe object back.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page: Any) -> None:
    """Fail with every serious or critical violation listed."""
    problems = serious_violations(page)
    assert problems == [], f"axe found problems on {page.url}:\n" + "\n".join(problems)
