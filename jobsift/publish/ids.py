"""The posting id as a web route takes it: 1 to PostgreSQL's integer maximum, else a 422 naming it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam

MAX_ID = 2**31 - 1  # PostgreSQL's integer; no store holds more postings
JobId = Annotated[int, PathParam(ge=1, le=MAX_ID, description=f"Posting id, 1 to {MAX_ID}")]
