"""Sending e-mail: to the server log in development, over SMTP in production.

Messages are rendered in the recipient's language from templates/email/<name>.txt.
"""

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale


def send_email(to: str, subject_msg, template: str, locale: str | None = None, **context) -> None:
    """Render and send one message. ``subject_msg`` is a lazy string, translated here."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(subject_msg)
        body = render_template(f"email/{template}.txt", **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "smtp":
        _send_smtp(message)
    else:
        current_app.logger.warning(
            "E-mail (not sent: MAIL_BACKEND=log)\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
