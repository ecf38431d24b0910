"""Hostile and broken input at the parser level: R12-R16."""

from __future__ import annotations

import codecs
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jobsift.errors import ParseError
from tests.crawler.sources.helpers import FIXTURES, parse_bytes

XML_FORMATS = ("rss", "upwork-rss", "weworkremotely")
JSON_FORMATS = (
    "upwork-graphql",
    "remoteok",
    "remotive",
    "arbeitnow",
    "jobicy",
    "himalayas",
    "freelancer",
    "hn-algolia",
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>x</title><item><title>&lol9;</title><link>https://e.example/1</link></item></channel></rss>
"""


def _quadratic() -> bytes:
    big = "A" * 100_000
    refs = "&big;" * 10_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{big}">]>'
        f"<rss><channel><item><title>{refs}</title><link>https://e.example/1</link></item></channel></rss>"
    ).encode()


def _padded_doctype() -> bytes:
    """A DOCTYPE pushed past the first 64 KB by a comment, to dodge a head-only check."""
    return (
        b'<?xml version="1.0"?><!--' + b"x" * 100_000 + b'--><!DOCTYPE rss [<!ENTITY a "aaaa">]>'
        b"<rss><channel><item><title>&a;</title><link>https://e.example/1</link></item></channel></rss>"
    )


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, _quadratic(), _padded_doctype()], ids=["billion-laughs", "quadratic", "padded-doctype"]
)
def test_r12_entity_bombs_are_refused(fmt: str, body: bytes) -> None:
    with pytest.raises(ParseError) as err:
        parse_bytes(fmt, body)
    assert err.value.reason == "hostile_xml"


def test_r12_declarative_xml_refuses_bombs() -> None:
    options = {"kind": "xml", "items": "//item", "fields": {"title": "title", "url": "link"}}
    with pytest.raises(ParseError):
        parse_bytes("declarative", BILLION_LAUGHS, options=options)


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b"REMOTE-ENTITY-CONTENT"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def entity_server() -> object:
    _Recorder.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.mark.parametrize("fmt", [*XML_FORMATS, "declarative"])
def test_r13_external_entities_refused_no_file_or_network(fmt: str, tmp_path: Path, entity_server: object) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT")
    host, port = entity_server.server_address[:2]  # type: ignore[attr-defined]
    options = (
        {"kind": "xml", "items": "//item", "fields": {"title": "title", "url": "link"}} if fmt == "declarative" else {}
    )
    for target in (secret.as_uri(), f"http://{host}:{port}/xxe"):
        body = (
            f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>'
            "<rss><channel><item><title>&xxe;</title><link>https://e.example/1</link></item></channel></rss>"
        )
        with pytest.raises(ParseError) as err:
            parse_bytes(fmt, body.encode(), options=options)
        assert "TOP-SECRET" not in str(err.value)
        assert "REMOTE-ENTITY" not in str(err.value)
    assert _Recorder.hits == []


def test_r13_external_dtd_is_not_loaded(entity_server: object) -> None:
    host, port = entity_server.server_address[:2]  # type: ignore[attr-defined]
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://{host}:{port}/evil.dtd">'
        "<rss><channel><item><title>ok</title><link>https://e.example/1</link></item></channel></rss>"
    ).encode()
    r = parse_bytes("rss", body)
    assert [p.title for p in r.postings] == ["ok"]
    assert _Recorder.hits == []


GOOD_ITEM = "<item><title>Good {n}</title><link>https://e.example/{n}</link><description>fine</description></item>"


@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("unclosed-tag", "<item><title>Broken <b>bold</title><link>https://e.example/x</link></item>"),
        ("bare-ampersand", "<item><title>R&D lead & co</title><link>https://e.example/amp?a=1&b=2</link></item>"),
        (
            "broken-cdata",
            "<item><title>Cdata</title><link>https://e.example/c</link>"
            "<description><![CDATA[<p>never closed</p></description></item>",
        ),
    ],
)
def test_r14_malformed_feeds_are_salvaged_with_bozo(name: str, broken: str) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        + GOOD_ITEM.format(n=1)
        + broken
        + GOOD_ITEM.format(n=2)
        + "</channel></rss>"
    ).encode()
    for fmt in XML_FORMATS:
        r = parse_bytes(fmt, body)
        assert r.bozo, (fmt, name)
        assert r.warnings
        titles = {p.title for p in r.postings}
        assert "Good 1" in titles, (fmt, name, titles)
        if name != "broken-cdata":
            assert "Good 2" in titles, (fmt, name, titles)


def test_r14_garbage_is_a_parse_error_not_a_crash() -> None:
    with pytest.raises(ParseError):
        parse_bytes("rss", b"\x00\x01 this is not xml at all <<<")
    with pytest.raises(ParseError):
        parse_bytes("remoteok", b"[{not json")


ROUND_TRIP = "Café – naïve “quotes” 日本語 €"


def _rss(title: str, encoding: str = "utf-8", declare: bool = True) -> str:
    decl = f'<?xml version="1.0" encoding="{encoding}"?>' if declare else ""
    return (
        f'{decl}<rss version="2.0"><channel><title>t</title><item><title>{title}</title>'
        "<link>https://e.example/1</link></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("label", "body", "headers", "expected"),
    [
        ("utf-8-bom", codecs.BOM_UTF8 + _rss(ROUND_TRIP).encode(), {}, ROUND_TRIP),
        ("utf-16-bom", _rss(ROUND_TRIP, "utf-16").encode("utf-16"), {}, ROUND_TRIP),
        ("utf-16le-no-bom", _rss(ROUND_TRIP, "utf-16").encode("utf-16-le"), {}, ROUND_TRIP),
        ("latin1-declared", _rss("Café naïve", "iso-8859-1").encode("latin-1"), {}, "Café naïve"),
        (
            "latin1-undeclared-with-header",
            _rss("Café naïve", declare=False).encode("latin-1"),
            {"Content-Type": "application/rss+xml; charset=ISO-8859-1"},
            "Café naïve",
        ),
        ("cp1252-claims-utf8", _rss("Café – naïve").encode("cp1252"), {}, "Café – naïve"),
        ("utf8-claims-latin1", _rss("Café – naïve", "iso-8859-1").encode("utf-8"), {}, "Café – naïve"),
    ],
)
def test_r15_charsets_round_trip(label: str, body: bytes, headers: dict[str, str], expected: str) -> None:
    r = parse_bytes("rss", body, headers=headers)
    (p,) = r.postings
    assert p.title == expected, label
    p.title.encode("utf-8")  # valid UTF-8


@pytest.mark.parametrize("fmt", ["remotive", "remoteok", "arbeitnow"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_r15_json_bom_and_utf16(fmt: str, encoding: str) -> None:
    job = {"id": 1, "slug": "s", "url": "https://e.example/1", "title": ROUND_TRIP, "position": ROUND_TRIP}
    doc = {"jobs": [job]} if fmt == "remotive" else ({"data": [job]} if fmt == "arbeitnow" else [job])
    r = parse_bytes(fmt, json.dumps(doc, ensure_ascii=False).encode(encoding))
    assert [p.title for p in r.postings] == [ROUND_TRIP]


def test_r15_mojibake_is_repaired() -> None:
    doc = [
        {
            "id": "9",
            "position": "Dev \u00e2\u0080\u0093 Caf\u00c3\u00a9",
            "url": "https://e.example/9",
            "description": "<p>na\u00c3\u00afve \u00e2\u0080\u009cquotes\u00e2\u0080\u009d</p>",
        }
    ]
    (p,) = parse_bytes("remoteok", json.dumps(doc).encode()).postings
    assert p.title == "Dev – Café"
    assert p.description_text == "naïve “quotes”"


def test_r15_lone_surrogate_escapes_become_replacement_characters() -> None:
    # Half an emoji ("\\ud83d" without its pair), as a UTF-16 slice leaves it. Python's json reads it
    # into a str that nh3 and the store cannot encode: the whole feed failed with UnicodeEncodeError.
    doc = [
        {"legal": "notice"},
        {
            "id": "7",
            "position": "Dev \udc00",
            "url": "https://e.example/7",
            "description": '<p class="x">hi \ud83d there</p>',
        },
    ]
    (p,) = parse_bytes("remoteok", json.dumps(doc).encode()).postings
    assert p.title == "Dev \ufffd"
    assert p.description_text == "hi \ufffd there"
    assert p.description_html == "<p>hi \ufffd there</p>"


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_r16_empty_feed_gives_zero_items(fmt: str) -> None:
    for body in (b"", b"   \n", b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'):
        r = parse_bytes(fmt, body)
        assert r.postings == []
        assert r.items_seen == 0


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_r16_empty_json_gives_zero_items(fmt: str) -> None:
    empties = {
        "upwork-graphql": b'{"data": {"search": {"universalSearchNuxt": {"userJobSearchV1": {"results": []}}}}}',
        "hn-algolia": b'{"hits": [], "nbPages": 0, "page": 0}',
        "remotive": b'{"jobs": []}',
        "freelancer": b'{"status": "success", "result": {"projects": [], "users": {}}}',
    }
    for body in (b"", empties.get(fmt, b"[]")):
        r = parse_bytes(fmt, body)
        assert r.postings == []
        assert r.items_seen == 0


def test_r16_declarative_empty_page() -> None:
    options = {
        "kind": "html",
        "items": "section.gig",
        "fields": {"title": "h3", "url": "h3 a@href"},
        "base_url": "https://maple.example",
    }
    r = parse_bytes("declarative", b"<html><body><p>We changed our layout</p></body></html>", options=options)
    assert r.postings == []
    assert r.items_seen == 0


def test_fixture_dir_present() -> None:
    assert (FIXTURES / "rss" / "basic.rss").exists()
