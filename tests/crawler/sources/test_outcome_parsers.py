"""Outcome parsing: pure functions of the response bytes; an outcome is never guessed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from jobsift.crawler.reobserve import REASK, reaskable
from jobsift.crawler.sources import outcome_freelancer, outcome_upwork
from jobsift.store.outcomes import next_check
from tests.conftest import SAMPLES


def _b(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def _details(status: str | None, hired: int | None) -> bytes:
    job: dict[str, Any] = {"clientActivity": {"totalHired": hired}}
    if status is not None:
        job["status"] = status
    return _b({"data": {"jobAuthDetails": {"opening": {"job": job}}}})


@pytest.mark.parametrize(
    ("body", "outcome", "field"),
    [
        (_details("ACTIVE", 0), "open", "opening.job.status"),
        (_details("ACTIVE", 2), "hired", "opening.job.clientActivity.totalHired"),
        (_details("FILLED", None), "hired", "opening.job.status"),
        (_details("CLOSED", 0), "closed_no_hire", "opening.job.status"),
        (_details("CLOSED", None), "unknown", "opening.job.status"),  # closed, hires not given: not guessed
        (_details(None, None), "unknown", "opening.job.status"),
        (
            _b(
                {
                    "data": {
                        "marketplaceJobPosting": {
                            "status": "CLOSED",
                            "activityStat": {"jobActivity": {"totalHired": 1}},
                        }
                    }
                }
            ),
            "hired",
            "activityStat.jobActivity.totalHired",
        ),
        (_b({"data": None, "errors": [{"message": "not found"}]}), "unknown", "errors"),
        (b"<html>oops</html>", "unknown", "body"),
    ],
)
def test_upwork_details_outcome(body: bytes, outcome: str, field: str) -> None:
    obs = outcome_upwork.observe(body, {"content-type": "application/json"})
    assert (obs.outcome, obs.source_field) == (outcome, field)


@pytest.mark.parametrize(
    ("doc", "outcome", "field"),
    [
        ({"status": "success", "result": {"id": 1, "status": "active"}}, "open", "status"),
        (
            {"status": "success", "result": {"id": 1, "status": "closed", "sub_status": "closed_awarded"}},
            "hired",
            "sub_status",
        ),
        (
            {"status": "success", "result": {"id": 1, "status": "closed", "sub_status": "closed_expired"}},
            "closed_no_hire",
            "sub_status",
        ),
        ({"status": "success", "result": {"id": 1, "status": "closed"}}, "unknown", "status"),
        (
            {
                "status": "success",
                "result": {"id": 1, "status": "active", "frontend_project_status": "work_in_progress"},
            },
            "hired",
            "frontend_project_status",
        ),
        (
            {"status": "success", "result": {"bids": [{"award_status": None}, {"award_status": "awarded"}]}},
            "hired",
            "bids.award_status",
        ),
        ({"status": "success", "result": {"projects": [{"id": 1, "status": "frozen"}]}}, "unknown", "status"),
        ({"status": "error", "error_code": "NotFoundException"}, "unknown", "error_code"),
    ],
)
def test_freelancer_project_outcome(doc: Any, outcome: str, field: str) -> None:
    obs = outcome_freelancer.observe(_b(doc), {})
    assert (obs.outcome, obs.source_field) == (outcome, field)


def test_real_upwork_job_details_sample_states_no_outcome() -> None:
    """The saved job details answer gives totalHired null and no status: unknown, not open or hired."""
    path = SAMPLES / "upwork-detail" / "milllan_2_job_details_api_example.json"
    if not path.exists():
        pytest.skip("shared samples not available")
    obs = outcome_upwork.observe(path.read_bytes(), {"content-type": "application/json"})
    assert obs.outcome == "unknown"


def test_formats_declare_how_they_are_reasked() -> None:
    assert reaskable("upwork-graphql")
    assert reaskable("freelancer")
    assert not reaskable("rss")
    assert not reaskable("remoteok")
    assert all(r.how for r in REASK.values())
    assert (
        outcome_freelancer.project_url("https://www.freelancer.com/api/projects/0.1/projects/active/?x=1", "42")
        == "https://www.freelancer.com/api/projects/0.1/projects/42/"
    )
    assert json.loads(outcome_upwork.request_body("~0123"))["variables"] == {"id": "~0123"}


def test_schedule_points_after_first_sight_then_none() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    at = [next_check(t0, t0.replace(day=d)) for d in (1, 2, 4, 8, 15)]
    assert [a.day if a else None for a in at] == [2, 4, 8, 15, 31]
    assert next_check(t0, datetime(2026, 2, 1, tzinfo=UTC)) is None


def test_a_hire_counted_in_the_listing_is_a_hired_outcome(engine: Any, server: Any) -> None:
    """Upwork's own totalHired in a crawled item is observed as hired; 0 or none says nothing."""
    from sqlalchemy import select

    from jobsift.config import config_from_dict
    from jobsift.crawler.run import crawl
    from jobsift.store.schema import labels, outcome_events, posting_outcomes
    from tests.support.httpserver import Reply

    def node(key: str, hired: int | None) -> dict[str, Any]:
        return {
            "id": key,
            "ciphertext": key,
            "title": f"Job {key}",
            "description": "Build a shop " * 5,
            "activityStat": {"jobActivity": {"totalHired": hired}},
        }

    doc = {
        "data": {
            "marketplaceJobPostingsSearch": {
                "edges": [{"node": node("~01", 2)}, {"node": node("~02", 0)}, {"node": node("~03", None)}]
            }
        }
    }
    server.route("/graphql", Reply(200, _b(doc), {"Content-Type": "application/json"}))
    server.route("/robots.txt", Reply(200, b"User-agent: *\nAllow: /\n"))
    url = engine.url.render_as_string(hide_password=False)
    cfg = config_from_dict(
        {
            "database": {"url": url},
            "fetch": {"per_host_delay": 0.0},
            "sources": [
                {"name": "up", "format": "upwork-graphql", "url": server.url + "/graphql", "post_json": {"query": "q"}}
            ],
        },
        env={},
    )
    for _ in range(2):  # seen twice: stored once
        assert crawl(engine, cfg).status == "ok"
    with engine.connect() as conn:
        events = conn.execute(
            select(outcome_events.c.outcome, outcome_events.c.source_field, outcome_events.c.value)
        ).all()
        rows = conn.execute(select(posting_outcomes.c.outcome, posting_outcomes.c.checks)).all()
        labelled = conn.execute(select(labels.c.label, labels.c.origin)).all()
    assert events == [("hired", "competition.hires", "2")]
    assert rows == [("hired", 0)]  # no request was spent on it
    assert labelled == [("hired", "observed")]
