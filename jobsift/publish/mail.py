"""Email out: one multipart message, sent over SMTP with verified TLS (the digest's transport)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from jobsift.config import SmtpConfig
from jobsift.publish.present import one_line


def email_message(subject: str, sender: str, recipient: str, *, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message (text first, HTML preferred). Headers are one line each (R19)."""
    msg = EmailMessage()
    msg["Subject"] = one_line(subject, 250)
    msg["From"] = one_line(sender, 250)
    msg["To"] = one_line(recipient, 250)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="jobsift.local")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def send_message(msg: EmailMessage, smtp: SmtpConfig, env: dict[str, str] | None = None) -> None:
    """Send ``msg`` to its ``To`` through ``smtp`` (``ssl``, ``starttls`` or plain); the password is read
    from the environment variable ``smtp.password_env`` names."""
    env = dict(os.environ) if env is None else env
    password = env.get(smtp.password_env, "") if smtp.password_env else ""
    # Certificates are always verified (host name included); a private relay's CA can be named.
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.user:
            client.login(smtp.user, password)
        client.send_message(msg, to_addrs=[msg["To"]])
