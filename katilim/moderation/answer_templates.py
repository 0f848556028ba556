"""Answer templates: texts a body's moderators start their public answers from."""

from katilim.audit.services import record
from katilim.core.errors import PermissionDenied
from katilim.extensions import db
from katilim.moderation.models import AnswerTemplate
from katilim.organization.models import Body


def add_template(moderator, body: Body, *, title: str, text: str) -> AnswerTemplate:
    if not (moderator.is_admin or any(m.body_id == body.id for m in moderator.memberships)):
        raise PermissionDenied
    template = AnswerTemplate(body_id=body.id, title=title.strip(), text=text.strip())
    db.session.add(template)
    db.session.flush()
    record(moderator, "template.add", template, body=body.slug, title=template.title)
    return template


def delete_template(moderator, template: AnswerTemplate) -> None:
    if not (
        moderator.is_admin or any(m.body_id == template.body_id for m in moderator.memberships)
    ):
        raise PermissionDenied
    record(moderator, "template.delete", template, title=template.title)
    db.session.delete(template)
    db.session.flush()
