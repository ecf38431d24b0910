"""The digest over STARTTLS and implicit TLS (SMTPS), with login, against a real aiosmtpd server
that presents a certificate made for the test; an untrusted certificate is refused."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from jobsift.config import SmtpConfig
from jobsift.publish.mail import send_message
from jobsift.publish.server import free_port
from tests.publish.smtp import Inbox

USER, PASSWORD = "digest@example.com", "s3cret-pass"


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(crt),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return crt, key


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


def server_context(cert: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    return ctx


@pytest.fixture
def starttls_server(cert: tuple[Path, Path]) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    ctl = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context(cert),
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


@pytest.fixture
def smtps_server(cert: tuple[Path, Path]) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    ctl = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_context(cert),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    ctl.start()
    try:
        yield inbox, port
    finally:
        ctl.stop()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "jobsift@example.com", "me@example.com", "jobsift: 3 new jobs"
    msg.set_content("three jobs worth a look")
    return msg


def test_starttls_with_login_delivers(starttls_server: tuple[Inbox, int], cert: tuple[Path, Path]) -> None:
    inbox, port = starttls_server
    smtp = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security="starttls",
        user=USER,
        password_env="TEST_SMTP_PASSWORD",
        ca_file=str(cert[0]),
        timeout=20,
    )
    send_message(message(), smtp, env={"TEST_SMTP_PASSWORD": PASSWORD})
    assert [m.rcpt_tos for m in inbox.messages] == [["me@example.com"]]
    assert inbox.messages[0].message["Subject"] == "jobsift: 3 new jobs"


def test_smtps_with_login_delivers(smtps_server: tuple[Inbox, int], cert: tuple[Path, Path]) -> None:
    inbox, port = smtps_server
    smtp = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security="ssl",
        user=USER,
        password_env="TEST_SMTP_PASSWORD",
        ca_file=str(cert[0]),
        timeout=20,
    )
    send_message(message(), smtp, env={"TEST_SMTP_PASSWORD": PASSWORD})
    assert len(inbox.messages) == 1


def test_wrong_password_is_refused(starttls_server: tuple[Inbox, int], cert: tuple[Path, Path]) -> None:
    import smtplib

    inbox, port = starttls_server
    smtp = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security="starttls",
        user=USER,
        password_env="TEST_SMTP_PASSWORD",
        ca_file=str(cert[0]),
        timeout=20,
    )
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send_message(message(), smtp, env={"TEST_SMTP_PASSWORD": "wrong"})
    assert inbox.messages == []


def test_an_untrusted_certificate_is_refused(starttls_server: tuple[Inbox, int]) -> None:
    inbox, port = starttls_server
    smtp = replace(SmtpConfig(), host="127.0.0.1", port=port, security="starttls", user=USER, timeout=20)
    with pytest.raises(ssl.SSLCertVerificationError):
        send_message(message(), smtp, env={"JOBSIFT_SMTP_PASSWORD": PASSWORD})
    assert inbox.messages == []
