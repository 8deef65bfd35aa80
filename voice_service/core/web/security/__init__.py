"""Web security in one place: CSRF, security headers, rate limits, and bad-input hardening."""

from __future__ import annotations

from jinja2 import Environment
from litestar.config.app import AppConfig
from litestar.plugins import InitPluginProtocol

from voice_service.core.settings import Settings
from voice_service.core.web.security.csrf import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SECURE_CSRF_COOKIE,
    csrf_config,
    csrf_input,
    csrf_refused,
    is_csrf_failure,
)
from voice_service.core.web.security.hardening import AssetFiles, SafeRequest
from voice_service.core.web.security.headers import NO_REFERRER, SecurityHeaders, inline_script_hashes
from voice_service.core.web.security.limits import BAD_LINKS, DRAFTS, SUBMISSIONS, RateLimits, rate_limited

__all__ = [
    "BAD_LINKS",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "DRAFTS",
    "NO_REFERRER",
    "SECURE_CSRF_COOKIE",
    "SUBMISSIONS",
    "AssetFiles",
    "RateLimits",
    "WebSecurity",
    "csrf_input",
    "csrf_refused",
    "is_csrf_failure",
    "rate_limited",
]


class WebSecurity(InitPluginProtocol):
    """Wires CSRF, headers, rate limits and the hardened request class into the app."""

    def __init__(self, settings: Settings, environment: Environment) -> None:
        self.settings = settings
        self.environment = environment

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        """Add our pieces to the app's configuration."""
        app_config.csrf_config = csrf_config(self.settings)
        hashes = inline_script_hashes(self.environment)
        app_config.before_send.append(SecurityHeaders(hashes, https=self.settings.secure_cookies))
        app_config.request_class = app_config.request_class or SafeRequest
        app_config.state.rate_limits = RateLimits(self.settings)
        return app_config
