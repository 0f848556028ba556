"""E-mail: rendered in the request, queued in the outbox, sent later by the send-mail worker.

``send_email`` never touches the network. It writes an OutboxMessage in the current database
session, so the message is committed (or rolled back) together with the change that caused
it; ``flask --app katilim send-mail`` delivers it through a backend:

- "log" writes each message (with its full links) to the log, for development;
- "smtp" sends it;
- "memory" keeps it in ``app.extensions["mail_outbox"]``, for tests.

Messages are rendered in the recipient's language from templates/email/<name>.txt.
"""

import smtplib
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app
from flask_babel import force_locale

from katilim.core.tenancy import council_name
from katilim.core.text import clean_line
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.mail.unsubscribe import unsubscribe_url


def send_email(
    to: str,
    subject_msg,
    template: str,
    locale: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **context,
) -> OutboxMessage:
    """Render one message and queue it in the current transaction (the caller commits).

    ``subject_msg`` is a lazy string, translated here. When the context has the recipient's
    account as ``user``, the message ends with an unsubscribe link that needs no sign-in.
    """
    user = context.get("user")
    if user is not None and getattr(user, "id", None) is not None:
        context.setdefault("unsubscribe_url", unsubscribe_url(user))
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    # Tells mail programs the language (and so, for Arabic, the direction) of the text; the
    # sender's name is the council's, so that on an installation serving several councils a
    # person sees which one writes.
    headers = {"Content-Language": locale, **_sender(), **(headers or {})}
    with force_locale(locale):
        # One line (no header injection), no bidi controls or invisible characters.
        subject = clean_line(str(subject_msg))
        # Straight from the Jinja environment: an e-mail is not a page, and the page context
        # (forms, the signed-in person) does not exist in the worker or a command.
        body = current_app.jinja_env.get_template(f"email/{template}.txt").render(context)
    message = OutboxMessage(
        recipient=to,
        subject=subject[:200],
        body_text=body,
        headers="\n".join(f"{name}: {value}" for name, value in headers.items()),
        attempts=0,
    )
    db.session.add(message)
    return message


def _sender() -> dict[str, str]:
    name = council_name()
    if not name:
        return {}
    default_name, address = parseaddr(current_app.config["MAIL_SENDER"])
    label = f"{default_name} · {name}" if default_name else name
    return {"From": str(Address(display_name=clean_line(label), addr_spec=address))}


def build_message(outbox_message: OutboxMessage) -> EmailMessage:
    """The e-mail as it goes out, with the extra headers stored with it."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = outbox_message.recipient
    message["Subject"] = outbox_message.subject
    for line in (outbox_message.headers or "").splitlines():
        name, _, value = line.partition(":")
        if name.strip() and value.strip():
            del message[name.strip()]  # a stored From replaces the installation's
            message[name.strip()] = value.strip()
    message.set_content(outbox_message.body_text)
    return message


def deliver(message: EmailMessage) -> None:
    """Hand one message to the configured backend; raises if the backend fails."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "smtp":
        _send_smtp(message)
    else:
        current_app.logger.warning(
            "E-mail (not sent: MAIL_BACKEND=log)\nTo: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            message.get_content(),
        )


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
