"""The output-channel registry: one module per ``[[webhooks]]`` kind, found by a package scan, read by
config validation, the push and the docs; a broken module fails loudly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from jobsift.config import WebhookConfig, config_from_dict
from jobsift.errors import ConfigError
from jobsift.publish import channels
from jobsift.publish.channels import Channel, RegistryError, scan
from jobsift.publish.webhooks import push_sink
from jobsift.store.schema import webhook_deliveries
from tests.publish.data import NOW, seed

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "publishing.md").read_text(encoding="utf-8")

GOOD = """
from jobsift.publish.channels._http import url_channel

CHANNEL = url_channel("{kind}", order=99, doc="odd", format=lambda job, hook: {{"odd": job.id}})
"""


@pytest.fixture
def package(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    name = f"extrachannels_{tmp_path.name.replace('-', '_')}"
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        yield pkg, name
    finally:
        sys.path.remove(str(tmp_path))


def test_registry_holds_every_channel_module_in_display_order() -> None:
    assert channels.kinds() == ("json", "slack", "discord", "n8n", "telegram")
    for channel in channels.registry().values():
        assert isinstance(channel, Channel)
        assert channel.doc


@pytest.mark.parametrize("kind", channels.kinds())
def test_docs_list_every_registered_channel(kind: str) -> None:
    row = f"| `{kind}` | {channels.registry()[kind].doc} |"
    assert row in DOCS, f"docs/publishing.md has no row for channel {kind!r}; expected:\n{row}"


def test_a_new_module_is_found_without_a_list_to_edit(package: tuple[Path, str]) -> None:
    pkg, name = package
    (pkg / "odd.py").write_text(GOOD.format(kind="odd"))
    found = scan(name, [str(pkg)])
    assert list(found) == ["odd"]
    assert found["odd"].sink_key(WebhookConfig(url="https://h.test/secret/path")).startswith("https://h.test/...#")


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ({"broken": "import jobsift.publish.channels.no_such_module\n"}, "broken does not import: ModuleNotFoundError"),
        ({"empty": "X = 1\n"}, "empty defines no CHANNEL"),
        ({"a": GOOD.format(kind="twice"), "b": GOOD.format(kind="twice")}, "b repeats kind 'twice'"),
    ],
)
def test_a_broken_channel_module_fails_loudly(package: tuple[Path, str], modules: dict[str, str], message: str) -> None:
    pkg, name = package
    for mod, body in modules.items():
        (pkg / f"{mod}.py").write_text(body)
    with pytest.raises(RegistryError, match=message):
        scan(name, [str(pkg)])


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (
            {"kind": "teams", "url": "https://h.test/x"},
            "webhooks[0].kind: 'teams' is not json, slack, discord, n8n or telegram",
        ),
        ({"kind": "slack"}, "webhooks[0].url: must be an http(s) URL"),
        ({"kind": "telegram"}, "webhooks[0].chat_id: missing"),
        ({"kind": "telegram", "chat_id": "@c", "url": "ftp://x"}, "webhooks[0].url: must be an http(s) URL"),
    ],
)
def test_config_checks_each_sink_with_its_channel(hook: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict({"webhooks": [hook]}, env={}, channels=channels.checks())
    assert message in str(err.value)


def test_every_kind_is_accepted_by_its_own_check() -> None:
    hooks = [{"kind": k, "url": "https://h.test/x", "chat_id": "@c"} for k in channels.kinds()]
    cfg = config_from_dict({"webhooks": hooks}, env={}, channels=channels.checks())
    assert [h.kind for h in cfg.webhooks] == list(channels.kinds())


def test_a_sink_of_an_unregistered_kind_is_refused_before_anything_is_claimed(sqlite_engine: Engine) -> None:
    seed(sqlite_engine)
    with pytest.raises(ConfigError, match="kind 'teams' is not json"):
        push_sink(sqlite_engine, WebhookConfig(url="https://h.test/x", kind="teams"), now=NOW)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar() == 0
