"""The page's workflow: save, hide, applied, results and verdicts, by POST only, with CSRF and
(off loopback) ``serve.token``; "new since your last visit"; the connects ledger section.

``install(app, engine, cfg)`` adds the routes; ``page_state`` gives the templates what they need.

Safety: a state change is ``POST /jobs/{id}/mark`` carrying a CSRF token that is an HMAC of the
visitor's session cookie (HttpOnly, SameSite=Strict); a GET never changes anything. When
``serve.host`` is not a loopback address, writes also need ``serve.token``: sent as
``Authorization: Bearer <token>`` (no CSRF needed: a browser never adds that header by itself) or as
the cookie set by the ``/login`` form. Without ``serve.token`` such a server is read-only and says so.
Plain forms work without JavaScript (303 back to the page); with it, ``/static/actions.js`` posts the
same form and swaps in the re-rendered actions (JSON ``{"ok", "message", "html"}``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine

from jobsift.config import Config
from jobsift.publish.ids import JobId
from jobsift.publish.templating import render
from jobsift.store import workflow
from jobsift.store.records import Job

SESSION_COOKIE = "jobsift_session"
MAX_FORM = 16_384
AUTH_COOKIE = "jobsift_auth"


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Guard:
    """Sessions, CSRF tokens and the write permission of one app."""

    def __init__(self, cfg: Config) -> None:
        self.secret = secrets.token_bytes(32)
        self.loopback = is_loopback(cfg.serve.host)
        self.token = cfg.serve.token

    def csrf_for(self, session: str) -> str:
        return hmac.new(self.secret, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()

    def auth_cookie_value(self) -> str:
        return hmac.new(self.token.encode(), b"jobsift-auth-cookie", hashlib.sha256).hexdigest()

    def session_of(self, request: Request) -> tuple[str, bool]:
        """The visitor's session id, and whether it is new (to be set as a cookie)."""
        current = request.cookies.get(SESSION_COOKIE, "")
        if len(current) == 43 and current.replace("-", "").replace("_", "").isalnum():
            return current, False
        return secrets.token_urlsafe(32), True

    def bearer_ok(self, request: Request) -> bool:
        bearer = request.headers.get("authorization", "")
        return (
            bool(self.token)
            and bearer.lower().startswith("bearer ")
            and hmac.compare_digest(bearer[7:].strip(), self.token)
        )

    def logged_in(self, request: Request) -> bool:
        if self.loopback:
            return True
        if not self.token:
            return False
        if self.bearer_ok(request):
            return True
        return hmac.compare_digest(request.cookies.get(AUTH_COOKIE, ""), self.auth_cookie_value())

    def refusal(self, request: Request, form: dict[str, str]) -> str | None:
        """Why this write is refused (None: allowed)."""
        if not self.loopback and not self.token:
            return (
                "changes are off: this page is served on a non-loopback address and serve.token is not set "
                "(set it, or serve on 127.0.0.1)"
            )
        if not self.logged_in(request):
            return "changes need serve.token: log in at /login, or send 'Authorization: Bearer <token>'"
        if not self.loopback and self.bearer_ok(request):
            return None  # not a browser's ambient credential: no CSRF to fear
        session = request.cookies.get(SESSION_COOKIE, "")
        sent = form.get("csrf") or request.headers.get("x-csrf-token", "")
        if not session or not sent or not hmac.compare_digest(sent, self.csrf_for(session)):
            return "the form's security token is missing or stale: reload the page and try again"
        return None

    def set_cookies(self, response: Response, request: Request, session: str, new: bool) -> None:
        if new:
            response.set_cookie(
                SESSION_COOKIE,
                session,
                httponly=True,
                samesite="strict",
                path="/",
                secure=request.url.scheme == "https",
            )


def _safe_next(value: str | None, default: str) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value:
        return value
    return default


def actions_html(job: Job, state: workflow.JobState, csrf: str, can_write: bool, next_url: str) -> str:
    return render("_actions.html", job=job, st=state, csrf=csrf, can_write=can_write, next_url=next_url)


def page_state(engine: Engine, guard: Guard, request: Request, *, record_visit: bool) -> dict[str, Any]:
    """What the list and detail templates need besides the jobs: CSRF, "new since", the ledger.

    ``states`` is filled by :func:`fill_states` once the jobs are known."""
    session, new = guard.session_of(request)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        since = workflow.visit(conn, "web", now, record=record_visit)
        ledger = workflow.ledger(conn) if record_visit and workflow.count_applications(conn) else None
    return {
        "states": {},
        "csrf": guard.csrf_for(session),
        "session": (session, new),
        "can_write": guard.logged_in(request) and (guard.loopback or bool(guard.token)),
        "login_needed": not guard.loopback,
        "new_since": since,
        "ledger": ledger,
        "next_url": _safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""), "/"),
    }


def fill_states(engine: Engine, wf: dict[str, Any], jobs: Sequence[Job]) -> dict[str, Any]:
    with engine.connect() as conn:
        wf["states"] = workflow.states(conn, [j.id for j in jobs])
    return wf


def finish(response: Response, request: Request, guard: Guard, wf: dict[str, Any]) -> Response:
    session, new = wf["session"]
    guard.set_cookies(response, request, session, new)
    return response


def install(app: FastAPI, engine: Engine, cfg: Config) -> Guard:
    guard = Guard(cfg)

    async def form_of(request: Request) -> dict[str, str]:
        """The URL-encoded form our pages and script send (small; anything else is no form)."""
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return {}
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM:
                return {}
        try:
            fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
        except ValueError:  # more fields than any of our forms has
            return {}
        return {k: v[0] for k, v in fields.items()}

    answers: dict[int | str, dict[str, Any]] = {
        303: {"description": "Done; back to the page the form came from"},
        403: {"description": "Refused: no CSRF token, a stale one, or no serve.token off loopback"},
        404: {"description": "No such job"},
        422: {"description": "An action or connects value that cannot be used"},
    }

    @app.post(
        "/jobs/{job_id}/mark", summary="Save, hide, applied, a result or a verdict for one job", responses=answers
    )
    async def mark_job(job_id: JobId, request: Request) -> Response:
        form = await form_of(request)
        wants_json = "application/json" in request.headers.get("accept", "")
        why = guard.refusal(request, form)
        if why:
            return _answer(request, wants_json, 403, why, None)
        action = form.get("action", "")
        if action not in workflow.ACTIONS:
            return _answer(
                request, wants_json, 422, f"action: {action[:30]!r} is not one of {', '.join(workflow.ACTIONS)}", None
            )
        connects: int | None = None
        if form.get("connects", "").strip():
            try:
                connects = int(form["connects"])
            except ValueError:
                return _answer(request, wants_json, 422, "connects: expected a whole number", None)
            if not 0 <= connects <= 10_000:
                return _answer(request, wants_json, 422, "connects: must be between 0 and 10000", None)
        boosted = form.get("boosted") in ("1", "on", "true") if action == "applied" else None
        from starlette.concurrency import run_in_threadpool

        def write() -> tuple[str, Job | None, workflow.JobState | None]:
            from jobsift.store.queries import get_job

            with engine.begin() as conn:
                try:
                    message = workflow.mark(
                        conn,
                        job_id,
                        action,
                        datetime.now(UTC),
                        connects=connects,
                        boosted=boosted,
                        note=form.get("note") or None,
                    )
                except workflow.UnknownJob as exc:
                    return str(exc), None, None
                job = get_job(conn, job_id)
                state = workflow.states(conn, [job_id])[job_id]
            return message, job, state

        message, job, state = await run_in_threadpool(write)
        if job is None or state is None:
            return _answer(request, wants_json, 404, message, None)
        next_url = _safe_next(form.get("next"), f"/jobs/{job_id}")
        if wants_json:
            session = request.cookies.get(SESSION_COOKIE, "")
            html = actions_html(job, state, guard.csrf_for(session) if session else "", True, next_url)
            return JSONResponse({"ok": True, "message": message, "state": _jsonable(state), "html": html})
        return RedirectResponse(next_url, status_code=303)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, error: str = "") -> HTMLResponse:
        session, new = guard.session_of(request)
        html = render(
            "login.html",
            csrf=guard.csrf_for(session),
            loopback=guard.loopback,
            has_token=bool(guard.token),
            error=error[:200],
            logged_in=guard.logged_in(request),
        )
        response = HTMLResponse(html)
        guard.set_cookies(response, request, session, new)
        return response

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await form_of(request)
        session = request.cookies.get(SESSION_COOKIE, "")
        if not session or not hmac.compare_digest(form.get("csrf", ""), guard.csrf_for(session)):
            return RedirectResponse("/login?error=stale+form%3A+try+again", status_code=303)
        if not guard.token or not hmac.compare_digest(form.get("token", ""), guard.token):
            return RedirectResponse("/login?error=wrong+token", status_code=303)
        response = RedirectResponse(_safe_next(form.get("next"), "/"), status_code=303)
        response.set_cookie(
            AUTH_COOKIE,
            guard.auth_cookie_value(),
            httponly=True,
            samesite="strict",
            path="/",
            secure=request.url.scheme == "https",
            max_age=30 * 86400,
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(AUTH_COOKIE, path="/")
        return response

    @app.get("/static/actions.js", include_in_schema=False)
    def script() -> Response:
        body = resources.files("jobsift.publish").joinpath("static/actions.js").read_text(encoding="utf-8")
        return Response(body, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})

    return guard


def _jsonable(state: workflow.JobState) -> dict[str, Any]:
    d = state.as_dict()
    d["applied_at"] = d["applied_at"].isoformat() if d["applied_at"] else None
    return d


def _answer(request: Request, wants_json: bool, status: int, message: str, _: Any) -> Response:
    if wants_json:
        return JSONResponse({"ok": False, "message": message}, status_code=status)
    html = render("refused.html", status=status, message=message)
    return HTMLResponse(html, status_code=status)
