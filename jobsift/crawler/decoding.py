"""Decoding a response body under a size cap: identity, gzip (every member) and deflate."""

from __future__ import annotations

import zlib
from typing import Any

from jobsift.errors import PermanentFetchError

CHUNK = 65_536  # the most any one read or decompression step returns
GZIP_MAGIC = b"\x1f\x8b"


class Decoder:
    """Incremental gzip/deflate decoding that never expands past ``limit`` bytes.

    Every member of a multi-member gzip body is decoded (``members`` counts them), under one cap.

    Each ``decompress`` call is asked for at most ``CHUNK`` bytes (and never more than what is
    left under the cap), so a gzip bomb costs at most ``limit + 1`` decoded bytes before it is
    refused, and no single step allocates more than ``CHUNK``. ``peak`` records the largest
    step, so tests can check the bound without measuring memory.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        enc = encoding.lower().strip()
        self.limit = limit
        self.size = 0
        self.peak = 0
        self._raw_deflate = False
        self._z: Any = None
        self._carry = b""
        self.members = 1
        if enc in ("", "identity"):
            return
        if enc in ("gzip", "x-gzip", "deflate"):
            self._z = zlib.decompressobj(47)  # auto-detect gzip or zlib header
            self._raw_deflate = enc == "deflate"
            return
        raise PermanentFetchError(f"unsupported Content-Encoding {encoding!r}", reason="bad_encoding")

    def _grow(self, n: int) -> None:
        self.size += n
        self.peak = max(self.peak, n)
        if self.size > self.limit:
            raise PermanentFetchError(
                f"body larger than the {self.limit:,}-byte cap (after decompression)",
                reason="too_large",
            )

    def feed(self, data: bytes) -> bytes:
        if self._z is None:
            self._grow(len(data))
            return data
        out = bytearray()
        data = self._carry + data
        self._carry = b""
        try:
            while data:
                if self._z.eof:
                    # A gzip body may be several members one after another (RFC 1952 section 2.2):
                    # each is decoded in turn, all under the same cap. Anything else after the
                    # end of the stream is ignored, as before.
                    if len(data) < 2 and GZIP_MAGIC.startswith(data):
                        self._carry = data  # the next member's magic may straddle two chunks
                        break
                    if not data.startswith(GZIP_MAGIC):
                        break
                    self._z = zlib.decompressobj(31)
                    self.members += 1
                chunk = self._z.decompress(data, max(1, min(CHUNK, self.limit - self.size + 1)))
                self._grow(len(chunk))
                out += chunk
                data = self._z.unused_data if self._z.eof else self._z.unconsumed_tail
        except zlib.error:
            if self._raw_deflate and self.size == 0 and not out:
                # Some servers send raw deflate (no zlib header) as "deflate".
                self._z = zlib.decompressobj(-15)
                self._raw_deflate = False
                return self.feed(data)
            raise PermanentFetchError("body is not valid compressed data", reason="bad_encoding") from None
        return bytes(out)

    def flush(self) -> bytes:
        if self._z is None:
            return b""
        tail: bytes = self._z.flush(CHUNK)
        self._grow(len(tail))
        return tail
