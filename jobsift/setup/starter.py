"""The starter jobsift.toml that ``jobsift init`` writes, built from what the user wants.

Kinds: ``marketplaces`` (Freelancer.com's public active-projects API, and Upwork's official
GraphQL API, disabled until ``jobsift auth upwork`` has run), ``boards`` (salaried remote-job
boards), or ``both``. Skills filter the Freelancer.com source (its project skill tags and titles)
and fill ``[filters].skills``; keywords fill ``[filters].keywords``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

KINDS = ("marketplaces", "boards", "both")

FREELANCER_API = "https://www.freelancer.com/api/projects/0.1/projects/active/"
#: What the active-projects call asks for: full descriptions, skill tags, and the owner's details
#: (``status.payment_verified``, employer reputation, country); bids come in ``bid_stats``.
FREELANCER_PARAMS = {
    "limit": "100",
    "sort_field": "time_updated",
    "full_description": "true",
    "job_details": "true",
    "user_details": "true",
    "user_status": "true",
    "user_employer_reputation": "true",
    "user_country_details": "true",
    "compact": "true",
}

HEADER = """\
# jobsift configuration, written by 'jobsift init'. Every setting is documented in docs/.
# Precedence: this file < JOBSIFT_* environment variables < command-line flags.

[database]
url = "sqlite:///jobsift.db"

[fetch]
# Be polite: one request per host per second, at most two in flight per host.
per_host_delay = 1.0
per_host_concurrency = 2
concurrency = 16
"""

BOARDS = """
# --- Remote job boards (salaried roles) -------------------------------------------------

[[sources]]
name = "remoteok"
format = "remoteok"
url = "https://remoteok.com/api"
interval_minutes = 60

[[sources]]
name = "weworkremotely-programming"
format = "weworkremotely"
url = "https://weworkremotely.com/categories/remote-programming-jobs.rss"

[[sources]]
name = "remotive"
format = "remotive"
url = "https://remotive.com/api/remote-jobs"
interval_minutes = 60

[[sources]]
name = "arbeitnow"
format = "arbeitnow"
url = "https://www.arbeitnow.com/api/job-board-api"

[[sources]]
name = "jobicy"
format = "jobicy"
url = "https://jobicy.com/api/v2/remote-jobs?count=50"
interval_minutes = 60

[[sources]]
name = "himalayas"
format = "himalayas"
url = "https://himalayas.app/jobs/api?limit=50"
interval_minutes = 60
"""

FOOTER = """
[scoring]
# Budgets below this percentile of their market are flagged lowball.
lowball_percentile = 10

[digest]
# recipients = ["you@example.com"]
time = "07:30"
timezone = "UTC"

[smtp]
host = "localhost"
port = 25
security = "none"   # none, starttls or ssl; the password comes from $JOBSIFT_SMTP_PASSWORD

[serve]
host = "127.0.0.1"
port = 8080
"""


def toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"


def freelancer_url() -> str:
    return f"{FREELANCER_API}?{urlencode(FREELANCER_PARAMS)}"


def marketplaces(skills: Sequence[str], keywords: Sequence[str]) -> str:
    skill_line = f"skills = {toml_list(skills)}" if skills else '# skills = ["python", "django"]'
    upwork_kw = list(keywords) or list(skills)
    upwork_lines = [f"keywords = {toml_list(upwork_kw)}"] if upwork_kw else ['# keywords = ["python"]']
    if skills:
        upwork_lines.append(f"skills = {toml_list(skills)}")
    return f"""
# --- Freelance marketplaces ---------------------------------------------------------------

# Freelancer.com's public active-projects API: budget in the project's currency, the bid count,
# and the owner's payment verification, reputation and country (user details). No key needed.
[[sources]]
name = "freelancer"
format = "freelancer"
url = "{freelancer_url()}"
interval_minutes = 30
# Keep only projects tagged with (or titled by) one of these skills; remove to keep all.
{skill_line}

# Upwork's official GraphQL API with your own API key (https://www.upwork.com/developer/keys/apply).
# Put client_id/client_secret below (or in $UPWORK_CLIENT_ID / $UPWORK_CLIENT_SECRET), run
# 'jobsift auth upwork' once, then set enabled = true. jobsift writes the GraphQL query.
[[sources]]
name = "upwork"
format = "upwork-graphql"
url = "https://api.upwork.com/graphql"
enabled = false
interval_minutes = 30
{chr(10).join(upwork_lines)}
# client_id = "..."          # or $UPWORK_CLIENT_ID
# client_secret_env = "UPWORK_CLIENT_SECRET"
# job_type = "hourly"        # hourly or fixed
# min_budget = 100           # USD (fixed price) or USD/hour (hourly)
# payment_verified = true    # only clients with a verified payment method
# category = "Web, Mobile & Software Dev"
"""


def filters(skills: Sequence[str], keywords: Sequence[str]) -> str:
    lines = ["", "[filters]"]
    lines.append(f"skills = {toml_list(skills)}" if skills else '# skills = ["python", "django"]')
    lines.append(f"keywords = {toml_list(keywords)}" if keywords else '# keywords = ["api", "scraper"]')
    lines += [
        '# exclude_keywords = ["unpaid"]',
        '# countries = ["United States", "Germany"]',
        '# exclude_flags = ["ghost"]',
        "min_quality = 0",
    ]
    return "\n".join(lines) + "\n"


def build_starter(kind: str = "boards", skills: Sequence[str] = (), keywords: Sequence[str] = ()) -> str:
    """The whole starter file for ``kind`` (marketplaces, boards or both)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    parts = [HEADER]
    if kind in ("marketplaces", "both"):
        parts.append(marketplaces(skills, keywords))
    if kind in ("boards", "both"):
        parts.append(BOARDS)
    parts.append(filters(skills, keywords))
    parts.append(FOOTER)
    return "".join(parts)


def split_words(text: str | Sequence[str] | None) -> list[str]:
    """``"python, django"`` or repeated values → ``["python", "django"]`` (order kept, no repeats)."""
    if not text:
        return []
    items = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for item in items:
        for word in item.split(","):
            word = word.strip()
            if word and word.lower() not in (w.lower() for w in out):
                out.append(word)
    return out
