"""The Upwork token file: written atomically with mode 0600 from the start, refused when others
can read it; what ``jobsift.crawler.upwork_auth`` stores after the authorization and each refresh."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobsift.errors import BlockedError

FIX = "run 'jobsift auth upwork' to authorise jobsift again"


def save_token(path: Path, token: Mapping[str, Any]) -> None:
    """Write atomically with mode 0600 from the start (never briefly world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, json.dumps(dict(token), indent=1).encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def load_token(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise BlockedError(f"Upwork token file {path} is unreadable ({exc}): {FIX}", reason="auth_required") from None
    if path.stat().st_mode & 0o077:
        raise BlockedError(
            f"Upwork token file {path} is readable by others: chmod 600 it, or {FIX}", reason="auth_insecure"
        )
    return data if isinstance(data, dict) else None


def stamp(token: Mapping[str, Any], now: float) -> dict[str, Any]:
    out = dict(token)
    if "expires_at" not in out and out.get("expires_in") is not None:
        out["expires_at"] = int(now + float(out["expires_in"]))
    return out
