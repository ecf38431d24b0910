"""Options every format accepts: they steer fetching and enrichment, and no parser sees them."""

from __future__ import annotations

FETCH_OPTIONS: dict[str, str] = {
    "wait_for": "With browser = true: CSS selector to wait for before the rendered page is read",
    "render_timeout": "With browser = true: seconds to wait for the page to render",
    "detail": "Detail-page enrichment of missing client fields: { selectors = {...}, browser, max_per_run }",
    "headers": 'Extra request headers (a table), e.g. { Accept = "application/json" }; never secrets',
    "auth_env": "Name of an environment variable holding an API token, sent as 'Authorization: Bearer ...'",
    "token_env": "The same as auth_env (the name used for Upwork: your own API token)",
    "keep_headers_on_redirect": "Names of configured headers that may follow a redirect to another host or port",
    "post_json": 'A JSON body to POST instead of a GET (e.g. { query = "...", variables = {...} })',
}
