"""create_app(settings): the Litestar application."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.access import ROUTES
from voice_service.accounts import jobs as account_jobs
from voice_service.accounts.api_routes import StaffApiController
from voice_service.accounts.audit_routes import AuditController
from voice_service.accounts.identity import provide_staff
from voice_service.accounts.login_routes import LoginController
from voice_service.accounts.password_routes import PasswordLinkController
from voice_service.accounts.people_api import AuditApiController, PeopleApiController
from voice_service.accounts.people_routes import PeopleController
from voice_service.accounts.policy import AccessControl
from voice_service.accounts.second_factor_routes import SecondStepController, TwoStepController
from voice_service.accounts.staff_routes import AccountController, StaffHomeController
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import Handler, JobLoop, JobRunner, Recurring
from voice_service.core.jobs import purge as job_purge
from voice_service.core.settings import PROJECT_ROOT, Settings
from voice_service.core.web.bench import bench_noop
from voice_service.core.web.errors import handle_http_error, handle_server_error, handle_undecodable
from voice_service.core.web.health import health
from voice_service.core.web.security import AssetFiles, WebSecurity
from voice_service.core.web.templating import build_environment
from voice_service.impact import jobs as impact_jobs
from voice_service.impact.api_routes import ReportsApiController
from voice_service.impact.staff_routes import ReportPagesController
from voice_service.safeguarding import jobs as safeguarding_jobs
from voice_service.safeguarding.alerts import DisclosureAlerts
from voice_service.safeguarding.api_routes import SafeguardingApiController
from voice_service.safeguarding.deletion_routes import DeletionLogApiController, DeletionLogController
from voice_service.safeguarding.kept_screener import shipped
from voice_service.safeguarding.notify import NotifySoon
from voice_service.safeguarding.screener_cache import screener_cache
from voice_service.safeguarding.screening import default_screener
from voice_service.safeguarding.screening_process import ScreeningProcess
from voice_service.safeguarding.staff_routes import SafeguardingPagesController
from voice_service.surveys import jobs as survey_jobs
from voice_service.surveys.api_routes import RUNTIME_STATE, SurveyApiController
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.public_routes import HomeController, SurveyPagesController
from voice_service.surveys.runtime import Runtime
from voice_service.surveys.submissions import SubmissionWriter
from voice_service.training import jobs as training_jobs
from voice_service.training.api_routes import TrainingApiController
from voice_service.training.delegate_routes import DelegatePagesController
from voice_service.training.link_routes import DelegateLinkController
from voice_service.training.links import TrainingGate
from voice_service.training.progress_routes import EmailActionsController
from voice_service.training.staff_routes import CoursePagesController
from voice_service.voice import jobs as voice_jobs
from voice_service.voice.api_routes import VoiceApiController
from voice_service.voice.ballot_routes import BallotApiController, BallotPagesController
from voice_service.voice.insight_api import VoiceInsightApiController
from voice_service.voice.public_routes import VoicePublicController
from voice_service.voice.report_routes import VoiceReportsController
from voice_service.voice.staff_routes import VoicePagesController
from voice_service.voice.theme_routes import ThemePagesController
from voice_service.voice.themes import themes_for

GOVUK_ASSETS = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"
#: How long a starting worker waits for its screening child before it serves anyway.
SCREENING_READY_SECONDS = 15.0

log = logging.getLogger(__name__)


#: Every domain's due work, composed here so core never imports a domain.
JOB_HANDLERS: dict[str, Handler] = {
    **survey_jobs.JOB_HANDLERS,
    **account_jobs.JOB_HANDLERS,
    **training_jobs.JOB_HANDLERS,
}
RECURRING_JOBS: tuple[Recurring, ...] = (
    *survey_jobs.RECURRING_JOBS,
    *account_jobs.RECURRING_JOBS,
    *training_jobs.RECURRING_JOBS,
)
JOB_HANDLERS |= safeguarding_jobs.JOB_HANDLERS
RECURRING_JOBS += safeguarding_jobs.RECURRING_JOBS
JOB_HANDLERS |= voice_jobs.JOB_HANDLERS
RECURRING_JOBS += voice_jobs.RECURRING_JOBS
JOB_HANDLERS |= impact_jobs.JOB_HANDLERS
RECURRING_JOBS += impact_jobs.RECURRING_JOBS
JOB_HANDLERS |= job_purge.JOB_HANDLERS
RECURRING_JOBS += job_purge.RECURRING_JOBS


class DatabaseNotReady(RuntimeError):
    """The database cannot be used: it is unreachable or has not been migrated."""


def build_job_runner(settings: Settings, engine: AsyncEngine) -> JobRunner:
    """The due-work runner with every domain's handlers (the app and `jobs run-due` share it)."""
    handler_timeout = timedelta(seconds=settings.jobs_timeout_seconds)
    # Why at least three times the timeout: a claim is taken over only once its holder must be dead.
    claim_timeout = max(timedelta(minutes=15), 3 * handler_timeout)
    return JobRunner(
        engine,
        JOB_HANDLERS,
        settings=settings,
        recurring=RECURRING_JOBS,
        handler_timeout=handler_timeout,
        claim_timeout=claim_timeout,
    )


def create_app(settings: Settings, catalog: SurveyCatalog | None = None) -> Litestar:
    """Build the application; refuses (DefinitionError) when a survey definition or the phrase file is invalid."""
    catalog = catalog or SurveyCatalog.from_folder(settings.forms_dir)
    # A broken VOICE_THEMES_FILE stops the start with its reason (ThemesFileError), not a page later.
    themes_for(settings.voice_themes_file)
    # Every young person's typed answer is screened as it is stored: a broken phrase file stops the start.
    # Why a child process: screening is most of a submission's CPU, and the worker is bound by one core.
    # The worker keeps the screener only as the bytes the child is built from (kept_screener.py).
    # A start finds the fitted screener in its signed cache (screener_cache.py) instead of fitting it again.
    screening = None
    if settings.screening_process:
        cache = screener_cache(settings.screener_cache_dir, settings.secret_key)
        screening = ScreeningProcess(shipped(cache), settings.screening_timeout_seconds)
    alerts = DisclosureAlerts(None if screening else default_screener(), process=screening)
    engine = create_engine(settings)
    writer = SubmissionWriter(engine, settings.write_batch_size, extras=alerts)
    runtime = Runtime(settings, engine, catalog, writer, gate=TrainingGate(engine))
    job_runner = build_job_runner(settings, engine)
    job_loop = JobLoop(job_runner, settings.jobs_interval_seconds) if settings.runs_jobs_in_process else None
    notify_soon = NotifySoon(engine, safeguarding_jobs.NOTIFY_JOB.unique_key, job_runner if job_loop else None)
    alerts.on_alert = notify_soon

    @asynccontextmanager
    async def lifespan(running_app: Litestar) -> AsyncIterator[None]:
        try:
            await catalog.sync(engine)
            # Recurring work (the draft purge among it) is armed at each start and then re-arms itself.
            await job_runner.arm_recurring(datetime.now(UTC))
        except (OperationalError, ProgrammingError) as exc:
            raise DatabaseNotReady("The database is not set up: run `voice-service db upgrade`") from exc
        except Exception as exc:  # a refused connection, an unknown database, bad credentials, ...
            raise DatabaseNotReady(
                f"Cannot reach the database ({type(exc).__name__}): check DATABASE_URL and that the server is running"
            ) from exc
        running_app.state.job_runner = job_runner
        running_app.state.screening = screening
        await writer.start()
        if screening is not None:
            await screening.start()
            # Why wait: what arrives before the child is ready is screened here, at the cost of 20 MiB kept.
            if not await screening.wait_ready(SCREENING_READY_SECONDS):
                log.warning("the screening process is not ready; serving, screening in this process until it is")
        if job_loop is not None:
            await job_loop.start()
        try:
            yield
        finally:
            if job_loop is not None:
                await job_loop.stop()
            if screening is not None:
                # Before the writer: submissions still waiting are screened in-process, then committed.
                await screening.stop()
            await writer.stop()
            runtime.drafts.close()
            await notify_soon.drain()
            # Why again: the database plugin's lifespan ends (and disposes the engine) before this one,
            # so a job finishing above may have opened connections that would outlive the event loop.
            await engine.dispose()

    # Why keys of its own: advanced-alchemy keeps every config's keys in a class-wide registry and
    # looks for a free one by recursion, so a process building ~1000 apps (the tests) hit the limit.
    unique = uuid.uuid4().hex
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        set_default_exception_handler=False,
        session_scope_key=f"_sqlalchemy_db_session_{unique}",
        engine_app_state_key=f"db_engine_{unique}",
        session_maker_app_state_key=f"session_maker_class_{unique}",
    )
    static_dirs: list[Path | PathLike[Any] | str] = [d for d in (settings.static_dir, GOVUK_ASSETS) if Path(d).is_dir()]
    route_handlers: list[Any] = [HomeController, SurveyPagesController, SurveyApiController, health]
    route_handlers += [LoginController, StaffHomeController, AccountController, StaffApiController]
    route_handlers += [PeopleController, PasswordLinkController, PeopleApiController]
    route_handlers += [AuditController, AuditApiController]
    route_handlers += [SecondStepController, TwoStepController]
    route_handlers += [CoursePagesController, DelegatePagesController, TrainingApiController]
    route_handlers += [EmailActionsController, DelegateLinkController]
    route_handlers += [SafeguardingPagesController, SafeguardingApiController]
    route_handlers += [DeletionLogController, DeletionLogApiController]
    route_handlers += [VoicePagesController, VoiceApiController, VoicePublicController, ThemePagesController]
    route_handlers += [BallotPagesController, BallotApiController, VoiceReportsController, VoiceInsightApiController]
    route_handlers += [ReportPagesController, ReportsApiController]
    if settings.bench_routes:
        route_handlers.append(bench_noop)
    if static_dirs:
        route_handlers.append(
            create_static_files_router(
                path="/assets", directories=static_dirs, file_system=AssetFiles(), include_in_schema=False
            )
        )
    # Why not auto_reload: it stats every template file a page uses on every request (DEBUG turns it on).
    environment = build_environment(settings.templates_dir, settings.partnership, auto_reload=settings.debug)
    # Who may use each route: the table in voice_service/access.py, bound to the routes below.
    access_control = AccessControl(runtime)
    app = Litestar(
        route_handlers=route_handlers,
        dependencies={
            "runtime": Provide(lambda: runtime, use_cache=True, sync_to_thread=False),
            "staff": Provide(provide_staff, sync_to_thread=False),
            # The lead's trials screen as submissions do (safeguarding/trial.py).
            "alerts": Provide(lambda: alerts, use_cache=True, sync_to_thread=False),
        },
        middleware=[access_control],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        plugins=[SQLAlchemyPlugin(config=db_config), WebSecurity(settings, environment)],
        lifespan=[lifespan],
        exception_handlers={
            HTTPException: handle_http_error,
            UnicodeDecodeError: handle_undecodable,
            Exception: handle_server_error,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="voice_service API",
            version="1",
            description="Surveys and responses for the Safeguarding Children Partnership.",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", description="Personal API token")
                }
            ),
        ),
        logging_config=LoggingConfig(log_exceptions="debug", disable_stack_trace={404, 400, 405, 413, 422}),
        debug=settings.debug,
    )
    # Refuses to build the app (UndeclaredRoutes) when a route is missing from the table.
    access_control.bind(app.routes, ROUTES)
    # The submission route's way to the runtime (cheaper than the dependency above, which other routes use).
    app.state[RUNTIME_STATE] = runtime
    return app
