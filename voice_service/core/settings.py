"""Settings: one frozen object, read from the environment in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from analysis.score import DEFAULT_WEIGHTS, check_weights
from voice_service.core.partnership import Partnership

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FORMS_DIR = PROJECT_ROOT / "forms" / "surveys"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'voice_service.db'}"
DEFAULT_TRAINING_SECTORS = (
    "schools",
    "early years",
    "local authority",
    "health",
    "police",
    "voluntary sector",
    "other",
)


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about where it runs."""

    database_url: str = DEFAULT_DATABASE_URL
    forms_dir: Path = DEFAULT_FORMS_DIR
    secret_key: str = ""
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    #: Cookies are marked Secure when the service is reached over HTTPS.
    secure_cookies: bool = False
    #: The most a request body may be, in bytes.
    max_body_bytes: int = 1024 * 1024
    #: Per client address and worker process (0 = no limit): drafts started, and answers sent by
    #: page or API. Room for a school assembly behind one address; far below a flood.
    drafts_per_minute: int = 300
    drafts_per_hour: int = 3000
    submissions_per_minute: int = 300
    submissions_per_hour: int = 3000
    #: Personal or session links that open nothing, per client address: stops guessing, not mistyping.
    bad_links_per_minute: int = 10
    bad_links_per_hour: int = 50
    #: Addresses of reverse proxies whose X-Forwarded-For is trusted (uvicorn's FORWARDED_ALLOW_IPS).
    forwarded_allow_ips: str = ""
    #: How long an unfinished survey is kept, in hours.
    draft_hours: int = 24
    #: At most this many submissions are committed in one transaction.
    write_batch_size: int = 256
    #: With no SMTP host, emails are written to `outbox_dir` instead of being sent.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    #: STARTTLS: True requires it, False never uses it, None uses it when offered (required with a username).
    smtp_starttls: bool | None = None
    mail_from: str = "voice-service@localhost"
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    #: The address people reach the service at, for links in emails (no trailing slash).
    base_url: str = "http://127.0.0.1:8000"
    #: Run due work inside the web process; None means "yes on SQLite, no otherwise".
    jobs_in_process: bool | None = None
    #: Seconds between in-process runs of due work.
    jobs_interval_seconds: float = 60.0
    #: A staff session ends after this many minutes without a request.
    staff_idle_minutes: int = 30
    #: A staff session ends this many hours after logging in, however busy.
    staff_absolute_hours: int = 12
    #: An admin must turn on two-step verification (TOTP) before using anything else in the staff area.
    require_totp_for_admin: bool = True
    #: The sectors a delegate may belong to (TRAINING_SECTORS, comma-separated), as reports name them.
    training_sectors: tuple[str, ...] = DEFAULT_TRAINING_SECTORS
    #: When a session's evaluation emails go (and its follow-ups, on their day): local time and zone.
    training_send_time: time = time(16, 0)
    training_timezone: str = "Europe/London"
    #: Reminders go this many days after an invitation was sent, until the delegate answers.
    training_reminder_days: tuple[int, ...] = (7, 14)
    #: A personal link works for this many days after its email was sent.
    training_link_days: int = 30
    #: Names and emails are erased this many days after a session's follow-up links have expired.
    training_retention_days: int = 90
    #: Who delegates may contact about the training emails (empty: the MAIL_FROM address).
    training_contact_email: str = ""
    #: Course Impact Score weights (IMPACT_WEIGHTS, e.g. "reaction=0.15,intention=0.2,confidence=0.25,behaviour=0.4").
    impact_weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())
    #: Where safeguarding alert emails go (SAFEGUARDING_EMAIL); each says only that there is an alert.
    safeguarding_email: str = ""
    #: Named themes for young people's typed answers (VOICE_THEMES_FILE: YAML, theme -> words); none: Make Your Mark.
    voice_themes_file: Path | None = None
    #: Young people's typed answers are deleted this many months after they were given.
    free_text_retention_months: int = 24
    #: Per survey, instead (FREE_TEXT_RETENTION_BY_SURVEY="slug=12,other-slug=36"): slug -> months.
    free_text_retention_by_survey: tuple[tuple[str, int], ...] = ()
    #: A closed safeguarding alert (actioned or no concern) is deleted this many years after closing.
    closed_alert_retention_years: int = 6
    #: After this many hours an anonymous response's submission key is dropped (retries are over).
    submission_key_hours: int = 24
    #: Screen typed answers in a child process, off the event loop (SCREENING_PROCESS; on when served,
    #: off here so tests and tools screen in-process unless they ask).
    screening_process: bool = False
    #: Seconds a batch may take in that child before it is screened in-process instead (SCREENING_TIMEOUT_SECONDS).
    screening_timeout_seconds: float = 2.0
    #: Seconds one due job may run before it is stopped and retried later (JOBS_TIMEOUT_SECONDS).
    jobs_timeout_seconds: float = 300.0
    #: Where the fitted screener is kept between starts, signed with `secret_key` (SCREENER_CACHE_DIR;
    #: var/cache when served); None fits it at every start (tests, unless they ask).
    screener_cache_dir: Path | None = None
    debug: bool = False
    #: Serve the benchmark-only routes (`/bench/noop`); never in production.
    bench_routes: bool = False
    #: The partnership's names, contacts and help lines on public pages (PARTNERSHIP_*; York by default).
    partnership: Partnership = field(default_factory=Partnership)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.database_url.startswith("sqlite")

    @property
    def runs_jobs_in_process(self) -> bool:
        """Whether the web process runs due work itself (by default only with the embedded SQLite)."""
        return self.is_sqlite if self.jobs_in_process is None else self.jobs_in_process

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from environment variables, with working defaults."""
        env = os.environ if env is None else env
        return cls(
            database_url=normalise_database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
            forms_dir=Path(env.get("FORMS_DIR", str(DEFAULT_FORMS_DIR))),
            # Why: a development key that changes each start is safer than a shared constant.
            secret_key=env.get("SECRET_KEY") or secrets.token_urlsafe(32),
            static_dir=Path(env.get("STATIC_DIR", str(PROJECT_ROOT / "static"))),
            secure_cookies=env.get("SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_starttls=_optional_flag(env.get("SMTP_STARTTLS", "")),
            mail_from=env.get("MAIL_FROM", "voice-service@localhost"),
            outbox_dir=Path(env.get("OUTBOX_DIR", str(PROJECT_ROOT / "var" / "outbox"))),
            base_url=(env.get("BASE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/"),
            jobs_in_process=_optional_flag(env.get("JOBS_IN_PROCESS", "")),
            jobs_interval_seconds=float(env.get("JOBS_INTERVAL_SECONDS", "60")),
            staff_idle_minutes=int(env.get("STAFF_IDLE_MINUTES", "30")),
            staff_absolute_hours=int(env.get("STAFF_ABSOLUTE_HOURS", "12")),
            require_totp_for_admin=_optional_flag(env.get("REQUIRE_TOTP_FOR_ADMIN", "")) is not False,
            training_sectors=_list(env.get("TRAINING_SECTORS", "")) or DEFAULT_TRAINING_SECTORS,
            training_send_time=time.fromisoformat(env.get("TRAINING_SEND_TIME", "").strip() or "16:00"),
            training_timezone=_time_zone(env.get("TRAINING_TIMEZONE", "").strip() or "Europe/London"),
            training_reminder_days=tuple(int(d) for d in _list(env.get("TRAINING_REMINDER_DAYS", "7,14"))),
            training_link_days=int(env.get("TRAINING_LINK_DAYS", "30")),
            training_retention_days=int(env.get("TRAINING_RETENTION_DAYS", "90")),
            training_contact_email=env.get("TRAINING_CONTACT_EMAIL", "").strip(),
            impact_weights=_impact_weights(env.get("IMPACT_WEIGHTS", "")),
            safeguarding_email=env.get("SAFEGUARDING_EMAIL", "").strip(),
            voice_themes_file=Path(themes) if (themes := env.get("VOICE_THEMES_FILE", "").strip()) else None,
            free_text_retention_months=int(env.get("FREE_TEXT_RETENTION_MONTHS", "24")),
            free_text_retention_by_survey=_months_by_survey(env.get("FREE_TEXT_RETENTION_BY_SURVEY", "")),
            closed_alert_retention_years=int(env.get("CLOSED_ALERT_RETENTION_YEARS", "6")),
            submission_key_hours=int(env.get("SUBMISSION_KEY_HOURS", "24")),
            screening_process=_optional_flag(env.get("SCREENING_PROCESS", "")) is not False,
            screening_timeout_seconds=_positive_seconds(
                "SCREENING_TIMEOUT_SECONDS", env.get("SCREENING_TIMEOUT_SECONDS", "").strip() or "2"
            ),
            jobs_timeout_seconds=_positive_seconds(
                "JOBS_TIMEOUT_SECONDS", env.get("JOBS_TIMEOUT_SECONDS", "").strip() or "300"
            ),
            screener_cache_dir=_optional_dir(env.get("SCREENER_CACHE_DIR", str(PROJECT_ROOT / "var" / "cache"))),
            debug=env.get("DEBUG", "").lower() in ("1", "true", "yes"),
            bench_routes=env.get("VOICE_BENCH_ROUTES", "").lower() in ("1", "true", "yes"),
            partnership=Partnership.from_env(env),
            drafts_per_minute=int(env.get("DRAFTS_PER_MINUTE", "300")),
            drafts_per_hour=int(env.get("DRAFTS_PER_HOUR", "3000")),
            submissions_per_minute=int(env.get("SUBMISSIONS_PER_MINUTE", "300")),
            submissions_per_hour=int(env.get("SUBMISSIONS_PER_HOUR", "3000")),
            bad_links_per_minute=int(env.get("BAD_LINKS_PER_MINUTE", "10")),
            bad_links_per_hour=int(env.get("BAD_LINKS_PER_HOUR", "50")),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", ""),
        )


def _optional_flag(value: str) -> bool | None:
    """A yes/no setting that may be left unset (None) to take its default."""
    if not value.strip():
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def _optional_dir(value: str) -> Path | None:
    """A directory setting that "off" (or nothing) turns off."""
    value = value.strip()
    return None if value.lower() in ("", "off", "none", "0", "false", "no") else Path(value)


def _positive_seconds(name: str, value: str) -> float:
    """A number of seconds above zero, refused at start-up naming the variable otherwise."""
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a number of seconds") from None
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{name}: must be a number of seconds above 0, not {value!r}")
    return seconds


def _time_zone(name: str) -> str:
    """An IANA time zone name, refused at start-up when the system does not know it."""
    ZoneInfo(name)
    return name


def _impact_weights(value: str) -> tuple[tuple[str, float], ...]:
    """IMPACT_WEIGHTS as name=weight pairs for all four components (the defaults when unset)."""
    if not value.strip():
        return tuple(DEFAULT_WEIGHTS.items())
    pairs = {}
    for item in _list(value):
        name, _, weight = item.partition("=")
        try:
            pairs[name.strip()] = float(weight)
        except ValueError:
            raise ValueError(f"IMPACT_WEIGHTS: '{item}' is not name=number") from None
    try:
        return tuple(check_weights(pairs).items())
    except ValueError as exc:
        raise ValueError(f"IMPACT_WEIGHTS: {exc}") from None


def _months_by_survey(value: str) -> tuple[tuple[str, int], ...]:
    """`slug=months` pairs, comma-separated; refused at start-up when one is not of that form."""
    pairs = []
    for item in _list(value):
        slug, _, months = item.partition("=")
        if not slug.strip() or not months.strip().isdigit() or int(months) < 1:
            raise ValueError(f"FREE_TEXT_RETENTION_BY_SURVEY: {item!r} is not slug=months (a whole number of months)")
        pairs.append((slug.strip(), int(months)))
    return tuple(pairs)


def _list(value: str) -> tuple[str, ...]:
    """A comma-separated setting as its non-empty items, spacing trimmed."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


def normalise_database_url(url: str) -> str:
    """Pick the async driver for a plain URL (`postgresql://` -> asyncpg, `sqlite://` -> aiosqlite)."""
    for plain, async_driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_driver + url[len(plain) :]
    return url
