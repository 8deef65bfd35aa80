"""AccessControl hands a public route's request straight on, and a staff route's to its checks."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from voice_service.accounts.policy import PUBLIC, AccessControl, Staff
from voice_service.core.db.engine import create_engine
from voice_service.core.runtime import CoreRuntime
from voice_service.core.settings import Settings


class Route:
    """An ASGI app standing in for the rest of a route's stack: returns what it was called with."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        self.calls.append(scope["path_template"])
        return ("route's own awaitable", scope["path_template"])


def test_a_public_route_gets_the_routes_own_awaitable_and_a_staff_route_the_checks(settings: Settings) -> None:
    engine = create_engine(settings)
    control = AccessControl(CoreRuntime(settings, engine))
    control.policies = {"/open": PUBLIC, "/staff/people": Staff("admin")}
    route = Route()
    enter: Any = control(route)
    # No frame of AccessControl's own between the caller and the route (docs/benchmarks.md, issue 13).
    assert enter({"path_template": "/open"}, None, None) == ("route's own awaitable", "/open")
    for template in ("/staff/people", "/undeclared"):
        checked: Any = enter({"path_template": template}, None, None)
        assert inspect.iscoroutine(checked)
        assert checked.cr_code is AccessControl.handle.__code__
        checked.close()
    assert route.calls == ["/open"]
    asyncio.run(engine.dispose())
