"""XML parsing that never expands entities, never touches the network, and refuses bombs."""

from __future__ import annotations

import re

from lxml import etree

from jobsift.errors import ParseError

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[(?P<subset>.*?)\])?\s*>", re.S | re.I)
PROLOG_SCAN = 65_536
_ENCODING_DECL = re.compile(r"^\s*<\?xml[^>]*?\?>")


def check_hostile(body: bytes) -> None:
    """Refuse documents that declare entities (billion laughs, external entities).

    Feeds never need an internal DTD subset; refusing it outright is cheaper and safer than
    trying to evaluate what it would expand to. The whole prolog is walked (comments can push
    a DOCTYPE far from the start), not only its first bytes.
    """
    head = body[:PROLOG_SCAN]
    probe = head.replace(b"\x00", b"") if b"\x00" in head[:200] else head  # UTF-16
    if b"<!ENTITY" in probe.upper():
        raise ParseError("document declares XML entities (possible entity bomb or XXE); refused", reason="hostile_xml")
    match = _DOCTYPE.search(probe)
    if match and match.group("subset") and b"<!" in match.group("subset"):
        raise ParseError("document has an internal DTD subset; refused", reason="hostile_xml")
    subset = _prolog_subset(body)
    if subset is not None and b"<!" in subset:
        raise ParseError("document has an internal DTD subset; refused", reason="hostile_xml")


def _prolog_subset(body: bytes) -> bytes | None:
    """The internal DTD subset of the DOCTYPE before the root element, if any."""
    i, n = 0, len(body)
    if body.startswith(b"\xef\xbb\xbf"):
        i = 3
    while i < n:
        while i < n and body[i] in b" \t\r\n":
            i += 1
        if body.startswith(b"<?", i):
            end = body.find(b"?>", i)
            if end < 0:
                return None
            i = end + 2
        elif body.startswith(b"<!--", i):
            end = body.find(b"-->", i)
            if end < 0:
                return None
            i = end + 3
        elif body[i : i + 9].upper() == b"<!DOCTYPE":
            close, bracket = body.find(b">", i), body.find(b"[", i)
            if bracket < 0 or (0 <= close < bracket):
                return None
            end = body.find(b"]", bracket)
            return body[bracket + 1 : end if end >= 0 else n]
        else:
            return None
    return None


_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


def to_utf8(body: bytes) -> bytes:
    """UTF-16/32 documents re-encoded as UTF-8 (declaration fixed), so checks see real bytes."""
    for mark, enc in _WIDE_BOMS:
        if body.startswith(mark):
            skip = len(mark) if mark[0] != ord("<") and mark[1] != ord("<") else 0
            text = body[skip:].decode(enc, errors="replace")
            return _ENCODING_DECL.sub("", text, count=1).encode("utf-8")
    return body


#: Strict on purpose: a broken feed goes to feedparser (flagged bozo), not to a silent recovery.
STRICT = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    recover=False,
    remove_comments=True,
    remove_pis=True,
    strip_cdata=True,
)


def parse_xml(body: bytes) -> etree._Element:
    """Parse bytes to an element tree root; ``ParseError`` if hostile or malformed."""
    body = to_utf8(body)
    check_hostile(body)
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        root = etree.fromstring(body, STRICT)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {exc}", reason="malformed") from None
    if root is None:
        raise ParseError("no XML document found", reason="malformed")
    return root


def local(tag: object) -> str:
    """Tag name without its namespace."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1].lower()
