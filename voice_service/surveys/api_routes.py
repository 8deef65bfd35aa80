"""The JSON API: the same surveys and the same submission rules as the pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import ParamType
from litestar.exceptions import HTTPException, InternalServerException, NotFoundException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.middleware._internal.exceptions import ExceptionHandlerMiddleware
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from litestar.params import FromPath, JSONBody
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from forms import Survey
from voice_service.core.web.errors import FIELD_MESSAGES
from voice_service.core.web.header_checks import refuse_header, refused_headers
from voice_service.core.web.json_reply import JsonReply
from voice_service.core.web.security import SUBMISSIONS, rate_limited
from voice_service.surveys.gate import needs_link
from voice_service.surveys.replays import replays_the_same_answers
from voice_service.surveys.runtime import Runtime
from voice_service.surveys.submissions import (
    SUBMISSION_KEY,
    InvalidAnswers,
    KeyUsedElsewhere,
    SurveyClosed,
    check_submission_key,
    new_submission_key,
    submit_response,
)


class SurveySummary(msgspec.Struct):
    """A survey in the list."""

    slug: str
    title: str
    audience: str
    purpose: str
    anonymous: bool
    version: str
    url: str


class SurveyDefinition(msgspec.Struct):
    """A survey's current definition, normalised (defaults explicit, scales inlined)."""

    slug: str
    version: str
    definition: dict[str, Any]


SubmissionKey = Annotated[str, msgspec.Meta(pattern=SUBMISSION_KEY.pattern, min_length=8, max_length=128)]


class ResponseIn(msgspec.Struct, forbid_unknown_fields=True):
    """A response: answers by question id, and a key that makes retries safe; nothing else (422 names it)."""

    answers: dict[str, Any]
    submission_key: SubmissionKey | None = None


class ResponseAck(msgspec.Struct):
    """The acknowledgement: the response is stored."""

    id: uuid.UUID
    survey: str
    version: str


class AnswerErrors(msgspec.Struct):
    """Why a response was not accepted: a message per question id (or per body field)."""

    errors: dict[str, str]


#: The key of the app's state under which create_app leaves the Runtime (see runtime_of).
RUNTIME_STATE = "voice_service.runtime"
#: The header a client may send a submission key in (instead of the body's `submission_key`, or equal to it).
IDEMPOTENCY_KEY = "Idempotency-Key"
#: Where RequireJson leaves a well-formed key from that header for the handler (the request's ASGI state).
_HEADER_KEY = "voice_service.idempotency_key"
#: The header's OpenAPI entry: what Litestar wrote for the `HeaderParameter` this route used to declare.
IDEMPOTENCY_KEY_PARAMETER = Parameter(
    name=IDEMPOTENCY_KEY,
    param_in=ParamType.HEADER,
    required=False,
    schema=Schema(
        one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.NULL)],
        max_length=128,
        pattern=SUBMISSION_KEY.pattern,
    ),
)


@dataclass
class SubmitOperation(Operation):
    """The submission's OpenAPI operation: Litestar's, plus the `Idempotency-Key` header RequireJson reads."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), IDEMPOTENCY_KEY_PARAMETER]


def header_key(scope: Scope) -> str | None:
    """The `Idempotency-Key` RequireJson accepted, if any; a refused one is a 422 (ValidationException)."""
    if refused_headers(scope):
        # Why no details here: the error handler words every refused header, as for Litestar's own.
        raise ValidationException("Validation failed for the request headers")
    key: str | None = scope["state"].get(_HEADER_KEY)
    return key


def key_clash(body_key: str | None, header_key: str | None) -> dict[str, str] | None:
    """Why a request's two submission keys cannot both be kept, naming both fields; None when they agree.

    Why refuse rather than pick one: a retry sending only the other key would store the answers twice.
    """
    if body_key is None or header_key is None or body_key == header_key:
        return None
    message = "differs from the other key sent: send the key once, in the body or the header, or the same in both"
    return {"submission_key": message, IDEMPOTENCY_KEY: message}


def _check_key_header(scope: Scope, values: list[bytes]) -> None:
    """Leave one well-formed `Idempotency-Key` for the handler, or refuse the header (a bad or repeated one)."""
    if len(values) == 1 and SUBMISSION_KEY.match(key := values[0].decode("latin-1")):
        scope["state"][_HEADER_KEY] = key
    else:
        # Why a repeated header is refused: Litestar's parameter refused it (two values are not one string).
        refuse_header(scope, "idempotency_key", FIELD_MESSAGES["idempotency_key"])


class RequireJson:
    """Accept only JSON bodies: a cross-site HTML form cannot send one, so it cannot post answers.

    A middleware rather than a guard: Litestar copies the route handler for every guard call,
    which cost more than the rest of the check on the submission path (docs/benchmarks.md).
    Given `decode_as` (the handler's `data` type), a body that decodes into it is handed over decoded.
    A plain ASGI layer (see JsonOnly), not an `ASGIMiddleware`, which would add a frame of its own.
    """

    def __init__(self, decode_as: type[msgspec.Struct] | None = None, key_header: bool = False) -> None:
        self.decoder = msgspec.json.Decoder(decode_as) if decode_as is not None else None
        #: Whether to check the `Idempotency-Key` header here (see header_key) rather than as a parameter.
        self.key_header = key_header

    def __deepcopy__(self, memo: dict[int, Any]) -> RequireJson:
        """Itself: Litestar deep-copies route handlers, and a msgspec decoder cannot be copied (nor needs to be)."""
        return self

    def __call__(self, app: ASGIApp) -> ASGIApp:
        """The route's entry (Litestar calls this once per route with the rest of its stack)."""
        return JsonOnly(self, app)


class JsonOnly:
    """RequireJson on one route, and what Litestar stacks under it that a JSON route does not need.

    Litestar puts its CSRF middleware and a second exception handler under every route's own
    middleware. Where CSRF is bypassed for the request (the JSON API is excluded from it), the
    route is called past both: the app's exception handler, the same class with the same
    handlers, answers any error exactly as the route's would have, and each layer skipped is a
    frame fewer that every wake-up of the request's task runs through.
    """

    __slots__ = ("app", "check", "csrf", "route")

    def __init__(self, check: RequireJson, app: ASGIApp) -> None:
        self.check = check
        self.app = app
        #: The CSRF layer whose bypass lets the request skip to `route`, or None to always call `app`.
        self.csrf: CSRFMiddleware | None = None
        self.route: ASGIApp = app
        # Why exact types and no handlers of its own: only then is skipping known to change nothing
        # (the layers are private to Litestar; tests/http/test_json_only.py fails if this stops matching).
        inner = getattr(app, "app", None)
        if (
            type(app) is CSRFMiddleware
            and type(inner) is ExceptionHandlerMiddleware
            and inner.exception_handlers is None
        ):
            self.csrf, self.route = app, inner.app

    def next_app(self, scope: Scope) -> ASGIApp:
        """The route past CSRF and its exception layer when CSRF would let this request through, else the stack."""
        csrf = self.csrf
        if csrf is not None and should_bypass_middleware(
            scope=scope,
            scopes=csrf.scopes,
            exclude_opt_key=csrf.config.exclude_from_csrf_key,
            exclude_path_pattern=csrf.exclude,
        ):
            return self.route
        return self.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body that is not JSON before it is read; read one that is where the handler finds it."""
        # Why: ASGI header names arrive lower-cased; a plain scan is cheaper than building Headers.
        raw: bytes | None = None
        keys: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"content-type":
                raw = value if raw is None else raw
            elif name == b"idempotency-key":
                keys.append(value)
        media_type = (raw or b"").decode("latin-1").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise HTTPException(status_code=415, detail="Send the body as JSON with Content-Type: application/json")
        handler = scope["route_handler"]
        limit = handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler) else None
        # Why: Litestar's own reading (an async generator and a Headers object per request) cost more
        # than the rest of decoding a submission; the request finds a body already read and uses it.
        state = ScopeState.from_scope(scope)
        state.body = body = await read_body(receive, limit)
        decoder = self.check.decoder
        if decoder is not None:
            decoded = decode_or_none(decoder, body)
            if decoded is not None:
                # Why: one pass in C straight into the handler's type, instead of Python objects that the
                # signature model then converts; Request.json() returns what it finds here, and the
                # signature model passes an instance of the declared type through unchanged.
                state.json = decoded
        if self.check.key_header and keys:
            _check_key_header(scope, keys)
        await self.next_app(scope)(scope, receive, send)


def decode_or_none(decoder: msgspec.json.Decoder[Any], body: bytes) -> Any:
    """The body decoded by `decoder`, or None when it does not decode (Litestar's own path then refuses it).

    Why nothing is refused here: malformed JSON, a wrong field or JSON nested too deeply then get
    exactly the 400 or 422 they always got, from the one place that words them.
    """
    try:
        return decoder.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None


async def read_body(receive: Receive, limit: int | None) -> bytes:
    """The whole request body, refused (413) as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            raise InternalServerException("client disconnected prematurely")
        body: bytes = event.get("body", b"")  # type: ignore[assignment]
        if body:
            size += len(body)
            if limit is not None and size > limit:
                raise RequestEntityTooLarge
            chunks.append(body)
        if not event.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _doc(description: str, model: Any = None) -> ResponseSpec:
    return ResponseSpec(data_container=model or dict[str, Any], description=description)


def _summary(survey: Survey) -> SurveySummary:
    return SurveySummary(
        survey.slug,
        survey.title,
        survey.audience,
        survey.purpose,
        survey.anonymous,
        survey.version,
        f"/s/{survey.slug}",
    )


def runtime_of(scope: Scope) -> Runtime:
    """The app's Runtime, where create_app leaves it in the app's state.

    Why the submission route takes it from here and not as the `runtime` dependency: Litestar's
    dependency resolution (a cleanup group, a coroutine per dependency, an exit stack entered) cost
    about as much as validating the answers, for a value that never changes (docs/benchmarks.md).
    """
    runtime: Runtime = scope["litestar_app"].state[RUNTIME_STATE]
    return runtime


def _survey(runtime: Runtime, slug: str) -> Survey:
    survey = runtime.catalog.current(slug)
    if survey is None:
        raise NotFoundException("No survey has that slug")
    return survey


class SurveyApiController(Controller):
    """Surveys and their responses."""

    path = "/api/surveys"
    tags = ["surveys"]

    @get("/", summary="List open public surveys")
    async def list_surveys(self, runtime: NamedDependency[Runtime]) -> list[SurveySummary]:
        """The open surveys shown on the public home page."""
        return [_summary(s) for s in runtime.catalog.public()]

    @get("/{slug:str}", summary="A survey's definition", responses={404: _doc("No survey with that slug")})
    async def get_survey(self, runtime: NamedDependency[Runtime], slug: FromPath[str]) -> SurveyDefinition:
        """The current definition of a survey, as JSON."""
        survey = _survey(runtime, slug)
        return SurveyDefinition(survey.slug, survey.version, survey.to_json())

    @post(
        "/{slug:str}/responses",
        summary="Submit a response",
        status_code=201,
        middleware=[RequireJson(decode_as=ResponseIn, key_header=True)],
        # Why: the header is read by RequireJson, not declared as a parameter; its schema entry stays.
        operation_class=SubmitOperation,
        before_request=rate_limited(SUBMISSIONS),
        responses={
            400: _doc("Malformed JSON or a body that is not a JSON object"),
            404: _doc("No survey with that slug"),
            409: _doc("The submission key was used for another survey, or for different answers"),
            403: _doc("A course evaluation or follow-up: answered only through a delegate's link"),
            410: _doc("The survey is closed"),
            413: _doc("The body is over 1 MiB"),
            415: _doc("The body is not sent as application/json"),
            422: _doc("Answers that do not fit the survey, or a body key and header key that differ", AnswerErrors),
            429: _doc("Too many submissions from this address just now: wait for Retry-After seconds"),
        },
    )
    async def submit(
        self,
        slug: FromPath[str],
        data: JSONBody[ResponseIn],
        scope: Scope,
    ) -> Response[ResponseAck]:
        """Validate and store a response; a repeated submission key returns the first acknowledgement."""
        runtime = runtime_of(scope)
        idempotency_key = header_key(scope)
        survey = _survey(runtime, slug)
        if needs_link(survey):
            detail = "This survey is answered only through the personal link emailed to each delegate"
            return Response({"status_code": 403, "detail": detail}, status_code=403)  # type: ignore[arg-type]
        if (clash := key_clash(data.submission_key, idempotency_key)) is not None:
            return Response(AnswerErrors(clash), status_code=422)  # type: ignore[arg-type]
        key = data.submission_key or idempotency_key
        if key is not None and (problem := check_submission_key(key)):
            return Response(AnswerErrors({"submission_key": problem}), status_code=422)  # type: ignore[arg-type]
        try:
            ack = await submit_response(
                runtime.writer, runtime.catalog, survey, data.answers, key or new_submission_key()
            )
        except SurveyClosed:
            return Response({"status_code": 410, "detail": "This survey is closed"}, status_code=410)  # type: ignore[arg-type]
        except InvalidAnswers as exc:
            return Response(AnswerErrors(exc.errors), status_code=422)  # type: ignore[arg-type]
        except KeyUsedElsewhere as exc:
            return Response({"status_code": 409, "detail": str(exc)}, status_code=409)  # type: ignore[arg-type]
        if ack.replayed and not await replays_the_same_answers(runtime.engine, survey, ack.id, data.answers):
            # Why: a silent 201 would tell the client its new answers were kept when they were dropped.
            detail = "This submission key was already used for different answers: send new answers with a new key"
            return Response({"status_code": 409, "detail": detail}, status_code=409)  # type: ignore[arg-type]
        headers = {"Idempotent-Replayed": "true"} if ack.replayed else {}
        # Why JsonReply: Litestar's own reply cost more than validating the answers (docs/benchmarks.md).
        return JsonReply(ResponseAck(ack.id, ack.survey, ack.version), status_code=201, headers=headers)
