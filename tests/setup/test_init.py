"""`jobsift init`: the kinds of work asked for become sources; a marketplace config crawls as written."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from click.testing import CliRunner

from jobsift.cli import main
from jobsift.config import load_config
from tests.support import freelancer_api
from tests.support.httpserver import ScriptedServer


def _init(tmp_path: Path, *args: str, input: str | None = None) -> tuple[Path, str]:
    target = tmp_path / "jobsift.toml"
    result = CliRunner().invoke(main, ["init", "--path", str(target), *args], input=input)
    assert result.exit_code == 0, result.output
    return target, result.output


def test_marketplaces_with_skills_writes_freelancer_filtered_and_upwork_off(tmp_path: Path) -> None:
    target, out = _init(tmp_path, "--marketplaces", "--skills", "python, django,Python")
    cfg = load_config(target, env={})
    by_name = {s.name: s for s in cfg.sources}
    assert set(by_name) == {"freelancer", "upwork"}
    fl = by_name["freelancer"]
    assert fl.format == "freelancer"
    assert fl.enabled
    assert fl.url.startswith("https://www.freelancer.com/api/projects/0.1/projects/active/?")
    for param in ("user_details=true", "user_status=true", "full_description=true", "job_details=true"):
        assert param in fl.url
    assert fl.options["skills"] == ["python", "django"]  # repeats dropped, order kept
    assert not by_name["upwork"].enabled
    assert by_name["upwork"].format == "upwork-graphql"
    assert cfg.filters.skills == ["python", "django"]
    assert "jobsift auth upwork" in out


def test_boards_only_has_no_marketplace_and_both_has_all(tmp_path: Path) -> None:
    target, _ = _init(tmp_path, "--boards")
    names = {s.name for s in load_config(target, env={}).sources}
    assert "remoteok" in names
    assert "freelancer" not in names
    target, _ = _init(tmp_path, "--both", "--keywords", "api", "--force")
    cfg = load_config(target, env={})
    assert {"remoteok", "freelancer", "upwork"} <= {s.name for s in cfg.sources}
    assert cfg.filters.keywords == ["api"]


def test_questions_are_asked_and_answered(tmp_path: Path) -> None:
    target, out = _init(tmp_path, "--ask", input="marketplaces\nreact,node\n\n")
    assert "Which kinds of work?" in out
    data = tomllib.loads(target.read_text())
    assert [s["name"] for s in data["sources"]] == ["freelancer", "upwork"]
    assert data["sources"][0]["skills"] == ["react", "node"]


def test_a_bad_answer_is_asked_again(tmp_path: Path) -> None:
    target, out = _init(tmp_path, "--ask", input="gigs\nboth\n\n\n")
    assert "gigs" in out
    assert "is not one of" in out
    assert {"freelancer", "remoteok"} <= {s["name"] for s in tomllib.loads(target.read_text())["sources"]}


def test_the_written_marketplace_config_crawls_the_freelancer_api(tmp_path: Path, server: ScriptedServer) -> None:
    base = freelancer_api.serve(server)
    target, _ = _init(tmp_path, "--marketplaces", "--skills", "python,django")
    text = target.read_text().replace("https://www.freelancer.com", base)
    text = text.replace('url = "sqlite:///jobsift.db"', f'url = "sqlite:///{tmp_path / "j.db"}"')
    text = text.replace("per_host_delay = 1.0", "per_host_delay = 0")
    target.write_text(text)
    runner = CliRunner()
    crawl = runner.invoke(main, ["--config", str(target), "crawl", "--json"])
    assert crawl.exit_code == 0, crawl.output
    outcome = {o["name"]: o for o in json.loads(crawl.output)["sources"]}["freelancer"]
    assert outcome["outcome"] == "ok", outcome
    assert outcome["items"] == 3  # the logo project has none of the skills
    (req,) = server.requests_to(freelancer_api.PATH)
    assert "user_details=true" in req.path
    assert "user_status=true" in req.path
    listed = runner.invoke(main, ["--config", str(target), "jobs", "--format", "json", "--limit", "10"])
    jobs = {j["external_id"]: j for j in json.loads(listed.output)}
    assert set(jobs) == {"41000001", "41000002", "41000004"}
    booking = jobs["41000001"]
    assert booking["competition"]["proposals"] == 14
    assert booking["client"]["payment_verified"] is True
    assert booking["client"]["country"] == "Canada"
    assert booking["budget"]["min"] == 750
    assert booking["budget"]["currency"] == "USD"
    assert "PostgreSQL" in booking["description"]  # full_description asked for and used
    scraper = jobs["41000002"]
    assert scraper["client"]["payment_verified"] is False
    assert "payment_unverified" in scraper["flags"]
    assert jobs["41000004"]["budget"]["kind"] == "hourly"
