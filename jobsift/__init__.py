"""jobsift: sift freelance and remote job feeds before you pay to apply."""

import sys

__version__ = "0.1.0"

# httpx's package init imports its command-line tool when click, Rich and Pygments are installed
# (they are: jobsift's CLI uses the first two), about 0.05-0.1 s of imports in every process that
# fetches. jobsift never runs httpx's CLI; a None entry makes that optional import fail at once
# (the documented way to block an import), and httpx falls back to its stub ``httpx.main``.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
