"""What every template can use: permissions, formatting, the language switcher."""

from flask import Flask, request
from flask_babel import format_decimal, format_percent

from katilim.audit.sentences import describe as audit_sentence
from katilim.auth.forms import EmptyForm
from katilim.core.forms import LazyForm
from katilim.core.outage import database_unavailable
from katilim.core.params import parse_iso_date
from katilim.i18n import (
    LANGUAGE_NAMES,
    current_locale,
    direction_of,
    format_date,
    format_datetime,
    format_month,
    format_share,
    iso_datetime,
    isolate,
    lang_attrs,
    language_links,
    text_direction,
    time_tag,
)
from katilim.moderation import permissions as moderation_permissions
from katilim.photos import permissions as photo_permissions
from katilim.photos.queries import card_photo
from katilim.proposals import authors, permissions
from katilim.proposals.models import STATUS_LABELS


def init_app(app: Flask) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # The indentation before a block tag stays out of the page: bytes a phone would download
    # for nothing (tests/e2e/test_page_weight.py). Not trim_blocks: it also removes the line
    # break after a tag, which glues the texts of two lines together.
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        can_submit=permissions.can_submit,
        can_edit=permissions.can_edit,
        can_withdraw=permissions.can_withdraw,
        can_vote=permissions.can_vote,
        can_comment=permissions.can_comment,
        can_see_hidden_content=permissions.can_see_hidden_content,
        can_moderate=moderation_permissions.can_moderate,
        can_use_queue=moderation_permissions.can_use_queue,
        can_report=moderation_permissions.can_report,
        is_participant=permissions.is_participant,
        can_hide_photo=photo_permissions.can_hide_photo,
        card_photo=card_photo,
        public_author_label=authors.public_author_label,
        moderator_author_label=authors.moderator_author_label,
        moderator_actor_label=authors.moderator_actor_label,
        audit_sentence=audit_sentence,
        format_date=format_date,
        format_datetime=format_datetime,
        iso_datetime=iso_datetime,
        isolate=isolate,
        time_tag=time_tag,
        format_number=format_decimal,
        format_percent=format_percent,
        format_share=format_share,
        direction_of=direction_of,
        lang_attrs=lang_attrs,
        language_links=language_links,
        format_month=format_month,
        parse_iso_date=parse_iso_date,
        text_direction=text_direction,
        status_labels={status.value: label for status, label in STATUS_LABELS.items()},
    )

    @app.context_processor
    def page_context():
        languages = app.config["LANGUAGES"]
        return {
            "lang": current_locale(),
            "text_dir": text_direction(),
            "languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
            # Built on first use: most pages print no button form.
            "button_form": LazyForm(lambda: EmptyForm(formdata=None)),
            "current_path": request.full_path.rstrip("?") if request else "/",
            # Pages rendered without the database (the 503 page) show no account links.
            "database_unavailable": database_unavailable(),
        }
