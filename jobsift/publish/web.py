"""The web page, feeds and JSON API (FastAPI): ``create_app(engine, cfg)``, served by ``jobsift serve``.

Routes: ``/`` (HTML list with a GET filter form, works without JavaScript), ``/jobs/{id}`` (the full
explanation and the link out), ``/feed.xml`` (RSS 2.0), ``/feed.atom``, ``/api/jobs``,
``/api/jobs/{id}``, ``/healthz``, ``/openapi.json`` and ``/docs`` (Swagger UI from local files, see
``webguard``; every response carries the security headers and HEAD works on every GET route). Links
in feeds come from ``serve.base_url`` (or ``serve.host``/``serve.port``), never from the request's
Host header. Every listing goes
through ``FilterParams`` and ``jobsift.store.queries``, so the same query string means the same
jobs on the page, in both feeds and in the API. Handlers are plain ``def``: FastAPI runs them in
its thread pool, where the synchronous SQLAlchemy engine belongs.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine, text

from jobsift.config import Config
from jobsift.publish.feed import render_feed
from jobsift.publish.ids import JobId
from jobsift.publish.params import AGE_CHOICES, FilterParams
from jobsift.publish.present import client_lines, flagged_reasons, safe_html, safe_url
from jobsift.publish.templating import render, stylesheet
from jobsift.publish.webdocs import document_filters
from jobsift.publish.weberrors import InvalidParams, install_error_pages
from jobsift.publish.webguard import Guard, mount_docs, public_base
from jobsift.publish.workflow_web import fill_states, finish, install, page_state
from jobsift.scoring.flags import flag_codes
from jobsift.store.queries import get_job, job_detail, list_jobs
from jobsift.store.records import Job, JobDetail
from jobsift.store.source_health import source_names

log = logging.getLogger(__name__)


class RSSResponse(Response):
    media_type = "application/rss+xml"
    charset = "utf-8"


class AtomResponse(Response):
    media_type = "application/atom+xml"
    charset = "utf-8"


class SourceNames:
    """Names for the source select, refreshed at most once a minute (the page must stay fast)."""

    def __init__(self, engine: Engine, ttl: float = 60.0) -> None:
        self.engine, self.ttl = engine, ttl
        self.names: list[str] = []
        self.at = 0.0
        self.lock = threading.Lock()

    def get(self) -> list[str]:
        with self.lock:
            if time.monotonic() - self.at > self.ttl:
                with self.engine.connect() as conn:
                    self.names = source_names(conn)  # stores filled by import only: the postings' sources
                self.at = time.monotonic()
            return list(self.names)


class GuardedApp(FastAPI):
    """FastAPI with :class:`~jobsift.publish.webguard.Guard` outside everything, error pages included."""

    def build_middleware_stack(self) -> Any:
        return Guard(super().build_middleware_stack())


def create_app(engine: Engine, cfg: Config) -> FastAPI:
    """The ASGI app over ``engine``; ``cfg.serve.page_size`` and ``cfg.filters`` set the defaults."""
    app = GuardedApp(
        title="jobsift",
        version="0.1",
        description="Freelance and remote jobs with quality, flags and the reasons behind them.",
        docs_url=None,
        redoc_url=None,
    )
    api_link = "/docs" if mount_docs(app) else "/openapi.json"
    install_error_pages(app, api_link)
    base = public_base(cfg)
    names = SourceNames(engine)
    page_size = cfg.serve.page_size
    guard = install(app, engine, cfg)  # save, hide, applied ... (POST, CSRF, serve.token)

    def params_of(request: Request, *, defaults: bool = True) -> FilterParams:
        return FilterParams.from_query(
            request.query_params, page_size=page_size, defaults=cfg.filters if defaults else None
        )

    def fetch(p: FilterParams, new_since: datetime | None = None, *, strict: bool = True) -> tuple[list[Job], bool]:
        """A page of jobs plus whether another page follows (one extra row, no COUNT(*)).

        ``strict`` (feeds, API): an invalid parameter is a 422 naming it; the page shows it instead.
        """
        f = replace(p.to_filter(extra_limit=1), blocked_clients=tuple(cfg.filters.blocked_clients))
        if strict and p.invalid:  # to_filter records what it could not use
            raise InvalidParams(p.invalid)
        if new_since is not None:
            f = replace(f, new_since=new_since)
        with engine.connect() as conn:
            rows = list_jobs(conn, f)
        return rows[: p.limit], len(rows) > (p.limit or 0)

    @app.get("/", response_class=HTMLResponse, summary="The job list (HTML)")
    def index(request: Request) -> Response:
        p = params_of(request)
        wf = page_state(engine, guard, request, record_visit=True)
        new_only = request.query_params.get("new") == "1"
        jobs, more = fetch(p, (wf["new_since"] or datetime.now(UTC)) if new_only else None, strict=False)
        fill_states(engine, wf, jobs)
        query = urlencode(p.query_pairs(page=1))
        html = render(
            "index.html",
            jobs=jobs,
            p=p,
            now=datetime.now(UTC),
            flag_codes=flag_codes(),
            sources=names.get(),
            age_choices=AGE_CHOICES,
            query=query,
            wf=wf,
            new_only=new_only,
            api_link=api_link,
            prev_query=urlencode(p.query_pairs(page=p.page - 1)) if p.page > 1 else None,
            next_query=urlencode(p.query_pairs(page=p.page + 1)) if more else None,
        )
        return finish(HTMLResponse(html), request, guard, wf)

    detail = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    not_found: dict[int | str, dict[str, Any]] = {
        404: {"description": "No such job", "content": {"application/json": {"schema": detail}}}
    }

    @app.get(
        "/jobs/{job_id}", response_class=HTMLResponse, summary="One job with the full explanation", responses=not_found
    )
    def job_page(job_id: JobId, request: Request) -> Response:
        job, extra = _load_job(engine, job_id)
        wf = fill_states(engine, page_state(engine, guard, request, record_visit=False), [job])
        html = render(
            "job.html",
            job=job,
            now=datetime.now(UTC),
            api_link=api_link,
            reasons=flagged_reasons(job),
            client=client_lines(job),
            features=sorted((str(k), v) for k, v in (extra.features or {}).items()),
            description_html=safe_html(extra.description_html),
            link_out=safe_url(job.url),
            scored_at=extra.scored_at.strftime("%Y-%m-%d %H:%M UTC") if extra.scored_at else "",
            explained=_explain(engine, cfg, job_id) if job.quality is not None else None,
            wf=wf,
        )
        return finish(HTMLResponse(html), request, guard, wf)

    def feed_response(request: Request, *, atom: bool) -> Response:
        p = params_of(request)
        jobs, _ = fetch(p)
        query = request.url.query
        self_url = base + request.url.path.lstrip("/") + (f"?{query}" if query else "")
        body = render_feed(jobs, atom=atom, title=cfg_title(p), link=base, self_url=self_url)
        return AtomResponse(body) if atom else RSSResponse(body)

    @app.get("/feed.xml", summary="RSS 2.0 feed of the filtered jobs", response_class=RSSResponse)
    def feed_rss(request: Request) -> Response:
        return feed_response(request, atom=False)

    @app.get("/feed.atom", summary="Atom feed of the filtered jobs", response_class=AtomResponse)
    def feed_atom(request: Request) -> Response:
        return feed_response(request, atom=True)

    @app.get("/api/jobs", summary="The filtered jobs as JSON")
    def api_jobs(request: Request) -> JSONResponse:
        p = params_of(request)
        jobs, more = fetch(p)
        nxt = f"/api/jobs?{urlencode(p.query_pairs(page=p.page + 1))}" if more else None
        from fastapi.encoders import jsonable_encoder

        page = {"jobs": [j.to_json() for j in jobs], "page": p.page, "limit": p.limit, "next": nxt}
        return JSONResponse(jsonable_encoder({**page, "problems": p.problems}))

    @app.get("/api/jobs/{job_id}", summary="One job as JSON, with the score's features", responses=not_found)
    def api_job(job_id: JobId) -> JSONResponse:
        from fastapi.encoders import jsonable_encoder

        job, extra = _load_job(engine, job_id)
        return JSONResponse(jsonable_encoder({**job.to_json(), "features": extra.features or {}}))

    @app.get("/healthz", summary="Liveness and database check")
    def healthz() -> dict[str, Any]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.get("/static/style.css", include_in_schema=False)
    def css() -> Response:
        return Response(stylesheet(), media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    # The listing routes take their filters from the raw query string (lenient parsing); declare
    # them in the OpenAPI schema so /docs shows what a feed URL may carry.
    document_filters(app)
    return app


def cfg_title(p: FilterParams) -> str:
    bits = [*p.keywords, *p.skills]
    return "jobsift" + (f": {', '.join(bits)[:80]}" if bits else "")


def _explain(engine: Engine, cfg: Config, job_id: int) -> dict[str, Any] | None:
    """``jobsift explain``'s view (recomputed score, ghost-model signals), when the scorer offers it."""
    try:
        from jobsift.scoring.explain import explain
    except ImportError:
        return None
    try:
        return explain(engine, job_id, engine.url.render_as_string(hide_password=False), cfg.scoring.model_path)
    except Exception:  # the page shows the stored reasons even if recomputing fails
        log.warning("explain failed for job %s", job_id, exc_info=True)
        return None


def _load_job(engine: Engine, job_id: int) -> tuple[Job, JobDetail]:
    with engine.connect() as conn:
        job = get_job(conn, job_id)
        if job is None:
            raise HTTPException(status_code=404, detail="no such job")
        return job, job_detail(conn, job_id)
