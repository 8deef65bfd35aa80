"""THE route table: every route of the app and who may use it, in one place to read.

Keys are route paths as Litestar formats them (parameters without their types: "/s/{slug}").
Values: PUBLIC (anyone; nothing is looked up), Staff(role, ...) (a signed-in person holding any one
of those roles), STAFF_ANY (any signed-in person), ANY_SESSION (also a session still waiting for
its second factor), TWO_STEP_SETUP (any signed-in person, even an admin who must set up two-step
verification first). One path has one policy for all its methods.

create_app refuses to start when a route is missing here, and tests/accounts/test_route_matrix.py
tries every route with no one signed in and with each role. A new domain adds its block below.
Staff pages send a visitor who is not signed in to /staff/login and answer 403 for a wrong role;
the staff API (under /api/) takes `Authorization: Bearer TOKEN` and answers 401 or 403 in JSON.
"""

from __future__ import annotations

from voice_service.accounts.policy import ANY_SESSION, PUBLIC, STAFF_ANY, TWO_STEP_SETUP, Policy, Staff

ADMIN = Staff("admin")
TRAINING = Staff("training_admin")
REPORTS = Staff("training_admin", "admin")
SAFEGUARDING = Staff("safeguarding_lead")
VOICE = Staff("voice_editor", "voice_reviewer", "admin")
VOICE_EDITORS = Staff("voice_editor", "admin")

ROUTES: dict[str, Policy] = {
    # --- service ----------------------------------------------------------------------------
    "/health": PUBLIC,
    "/assets/{file_path}": PUBLIC,
    "/schema": PUBLIC,
    "/schema/openapi.json": PUBLIC,
    "/schema/{path}": PUBLIC,
    "/bench/noop": PUBLIC,  # only with VOICE_BENCH_ROUTES=true
    # --- surveys: the public journey and the survey API (voice_service/surveys) -------------
    "/": PUBLIC,
    "/s/{slug}": PUBLIC,
    "/s/{slug}/start": PUBLIC,
    "/s/{slug}/page/{number}": PUBLIC,
    "/s/{slug}/check": PUBLIC,
    "/s/{slug}/submit": PUBLIC,
    "/s/{slug}/done": PUBLIC,
    "/api/surveys": PUBLIC,
    "/api/surveys/{slug}": PUBLIC,
    "/api/surveys/{slug}/responses": PUBLIC,
    # --- accounts: logging in and out, the start page, the person's own account -------------
    "/staff/login": PUBLIC,
    "/staff/logout": ANY_SESSION,
    "/staff/login/second-factor": ANY_SESSION,
    "/staff": STAFF_ANY,
    "/staff/account": STAFF_ANY,
    "/staff/account/tokens": STAFF_ANY,
    "/staff/account/tokens/{token_id}/revoke": STAFF_ANY,
    "/staff/account/two-step-verification": TWO_STEP_SETUP,
    "/staff/account/two-step-verification/start": TWO_STEP_SETUP,
    "/staff/account/two-step-verification/turn-off": STAFF_ANY,
    "/staff/account/two-step-verification/recovery-codes": STAFF_ANY,
    "/api/staff/me": STAFF_ANY,
    "/api/staff/tokens": STAFF_ANY,
    "/api/staff/tokens/{token_id}": STAFF_ANY,
    # --- accounts: people, roles and the audit log (admins only) -------------------------------
    "/staff/people": ADMIN,
    "/staff/people/new": ADMIN,
    "/staff/people/{user_id}": ADMIN,
    "/staff/people/{user_id}/roles": ADMIN,
    "/staff/people/{user_id}/disable": ADMIN,
    "/staff/people/{user_id}/enable": ADMIN,
    "/staff/people/{user_id}/two-step-reset": ADMIN,
    "/staff/people/{user_id}/password-link": ADMIN,
    "/staff/audit": ADMIN,
    "/staff/audit.csv": ADMIN,
    # Reached from the emailed link: the token is the only credential (single use, 1 hour).
    "/staff/password/{token}": PUBLIC,
    "/api/staff/people": ADMIN,
    "/api/staff/people/{user_id}": ADMIN,
    "/api/staff/people/{user_id}/roles": ADMIN,
    "/api/staff/people/{user_id}/disable": ADMIN,
    "/api/staff/people/{user_id}/enable": ADMIN,
    "/api/staff/people/{user_id}/two-step-reset": ADMIN,
    "/api/staff/people/{user_id}/password-link": ADMIN,
    "/api/staff/audit": ADMIN,
    # --- training: courses, sessions, delegates (voice_service/training) -------------------
    # Training administrators only: delegate lists are identifiable data. An admin who needs them
    # gives themselves the role, which the audit log records.
    "/staff/training": TRAINING,
    "/staff/training/courses/new": TRAINING,
    "/staff/training/courses/{course_id}": TRAINING,
    "/staff/training/courses/{course_id}/edit": TRAINING,
    "/staff/training/courses/{course_id}/sessions/new": TRAINING,
    "/staff/training/sessions/{session_id}": TRAINING,
    "/staff/training/sessions/{session_id}/edit": TRAINING,
    "/staff/training/sessions/{session_id}/import": TRAINING,
    "/staff/training/sessions/{session_id}/import/confirm": TRAINING,
    "/staff/training/sessions/{session_id}/delegates/new": TRAINING,
    "/staff/training/delegates/{delegate_id}/edit": TRAINING,
    "/staff/training/delegates/{delegate_id}/erase": TRAINING,
    "/staff/training/sessions/{session_id}/remind": TRAINING,
    "/staff/training/courses/{course_id}/remind": TRAINING,
    "/staff/training/sessions/{session_id}/room-link": TRAINING,
    "/staff/training/invitations/{invitation_id}/resend": TRAINING,
    # Delegates' own links: the token or room code is the key; nothing else is asked.
    "/t/{token}": PUBLIC,
    "/t/s/{code}": PUBLIC,
    "/api/courses": TRAINING,
    "/api/courses/{course_id}": TRAINING,
    "/api/courses/{course_id}/sessions": TRAINING,
    "/api/sessions/{session_id}/delegates": TRAINING,
    "/api/sessions/{session_id}/invitations": TRAINING,
    "/api/delegates/{delegate_id}/erase": TRAINING,
    # --- impact: the training report, dashboard, annual report and exports (voice_service/impact) -
    # Training administrators and admins: figures only, no names; response-level exports are audited.
    "/staff/reports/training": REPORTS,
    "/staff/reports/training/annual": REPORTS,
    "/staff/reports/training/download": REPORTS,
    "/staff/reports/responses/{slug}": REPORTS,
    "/api/reports/training": REPORTS,
    # --- safeguarding: the lead's queue of alerts (voice_service/safeguarding) --------------
    # The safeguarding lead only, not even an admin: alerts hold a child's own words.
    "/staff/safeguarding": SAFEGUARDING,
    "/staff/safeguarding/alerts/{alert_id}": SAFEGUARDING,
    "/staff/safeguarding/alerts/{alert_id}/status": SAFEGUARDING,
    "/staff/safeguarding/try": SAFEGUARDING,
    "/api/safeguarding/alerts": SAFEGUARDING,
    "/api/safeguarding/alerts/{alert_id}": SAFEGUARDING,
    "/api/safeguarding/alerts/{alert_id}/status": SAFEGUARDING,
    # What retention deleted (counts, never content): admins.
    "/staff/deletions": ADMIN,
    "/api/staff/deletions": ADMIN,
    # --- voice: "You Said / We Did" (voice_service/voice) -------------------------------------
    # Editors draft and change, reviewers approve and publish (the service checks which move each
    # role may make, and that nobody approves or publishes a record they drafted).
    "/staff/you-said-we-did": VOICE,
    "/staff/you-said-we-did/review": VOICE,
    "/staff/you-said-we-did/new": VOICE_EDITORS,
    "/staff/you-said-we-did/{record_id}": VOICE,
    "/staff/you-said-we-did/{record_id}/edit": VOICE,
    "/staff/you-said-we-did/{record_id}/move": VOICE,
    # Themes in typed answers; reading the quotes behind one is audited.
    "/staff/you-said-we-did/themes": VOICE,
    "/staff/you-said-we-did/themes/quotes": VOICE,
    "/staff/you-said-we-did/themes/draft": VOICE_EDITORS,
    # Ballot results (figures suppressed as if published) and a draft from one option.
    "/staff/you-said-we-did/ballots": VOICE,
    "/staff/you-said-we-did/ballots/{slug}": VOICE,
    "/staff/you-said-we-did/ballots/{slug}/draft": VOICE_EDITORS,
    "/api/ballots/{slug}": VOICE,
    # Voice reports: the dashboard and the year's table (downloads audited).
    "/staff/you-said-we-did/dashboard": VOICE,
    "/staff/you-said-we-did/report": VOICE,
    "/staff/you-said-we-did/report.csv": VOICE,
    "/staff/you-said-we-did/report.xlsx": VOICE,
    "/api/voice/themes": VOICE,
    "/api/voice/themes/quotes": VOICE,
    "/api/voice/difference": VOICE,
    "/api/you-said-we-did": VOICE,
    "/api/you-said-we-did/{record_id}": VOICE,
    "/api/you-said-we-did/{record_id}/transitions": VOICE,
    # The public page and its anonymous "Did this make a difference?" answers.
    "/you-said-we-did": PUBLIC,
    "/you-said-we-did/{record_id}/difference": PUBLIC,
}
