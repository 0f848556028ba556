"""What each audit log entry means, said in words in the reader's language.

One sentence per action code, in one place: the admin's audit page shows it next to the
code. tests/admin/test_audit_sentences.py reads every ``record(...)`` and ``AuditLog(...)``
in the code and fails when an action has no sentence here. Placeholders come from the entry:
``id`` (its target's number) and the details it keeps (``slug``, ``user``, ``body``,
``email``, ``into``); one that an old entry lacks reads as "?".
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from katilim.audit.models import AuditLog

SENTENCES = {
    # Groups, districts and people (admin)
    "body.create": _l("Created the group %(slug)s."),
    "body.update": _l("Changed the group %(slug)s."),
    "district.create": _l("Added the district %(slug)s."),
    "district.update": _l("Changed the district %(slug)s."),
    "membership.add": _l("Made %(user)s a member of the group %(body)s."),
    "membership.update": _l("Changed the role of %(user)s in the group %(body)s."),
    "membership.remove": _l("Removed %(user)s from the group %(body)s."),
    "role.grant": _l("Gave a site role to %(email)s."),
    "role.revoke": _l("Took the site role away from %(email)s."),
    "account.deactivate": _l("Deactivated the account of %(email)s."),
    "account.reactivate": _l("Reactivated the account of %(email)s."),
    "account.delete": _l("Account #%(id)s was deleted, with what it had written."),
    "proposal.reveal_author": _l("Looked up who wrote the anonymous proposal #%(id)s."),
    "comment.reveal_author": _l("Looked up who wrote the anonymous comment #%(id)s."),
    # Proposals (moderators)
    "proposal.claim": _l("Took proposal #%(id)s into review."),
    "proposal.accept": _l("Accepted proposal #%(id)s."),
    "proposal.reject": _l("Rejected proposal #%(id)s."),
    "proposal.forward": _l("Forwarded proposal #%(id)s to the municipal council."),
    "proposal.implement": _l("Marked proposal #%(id)s as implemented."),
    "proposal.close": _l("Closed proposal #%(id)s."),
    "proposal.agenda": _l("Recorded that proposal #%(id)s was on the municipal council's agenda."),
    "proposal.answer": _l("Answered proposal #%(id)s in public."),
    "proposal.confirm_routing": _l("Confirmed the group suggested for proposal #%(id)s."),
    "proposal.reroute": _l("Moved proposal #%(id)s to another group."),
    "proposal.refer": _l("Referred proposal #%(id)s to the provincial council."),
    "council.load": _l("Loaded the data file of the council %(slug)s."),
    "council.first_admin": _l("Made %(email)s a council's first admin."),
    "operator.grant": _l("Made %(email)s the installation's operator."),
    "operator.revoke": _l("Took the operator's pages from %(email)s."),
    "proposal.merge": _l("Merged proposal #%(id)s into proposal #%(into)s."),
    "proposal.unmerge": _l("Undid the merge of proposal #%(id)s into proposal #%(from_target)s."),
    "proposal.assign": _l("Assigned proposal #%(id)s to a reviewer."),
    "meeting.schedule": _l("Scheduled meeting #%(id)s of the group %(body)s."),
    "meeting.update": _l("Changed meeting #%(id)s of the group %(body)s."),
    "meeting.cancel": _l("Cancelled meeting #%(id)s of the group %(body)s."),
    "meeting.record": _l("Recorded the minutes and decisions of meeting #%(id)s."),
    "proposal.hide": _l("Hid proposal #%(id)s."),
    "comment.hide": _l("Hid comment #%(id)s."),
    "photo.hide": _l("Hid photo #%(id)s of a proposal."),
    "flag.resolve": _l("Handled report #%(id)s."),
    "template.add": _l("Added an answer template."),
    "template.delete": _l("Deleted an answer template."),
    # Residents, volunteers and the system
    "volunteer.accept": _l("Accepted a volunteer's application to the group %(body)s."),
    "volunteer.decline": _l("Declined a volunteer's application to the group %(body)s."),
    "demographics.saved": _l("Saved their own answers about who they are."),
    "demographics.deleted": _l("Deleted their own answers about who they are."),
    "assisted.forget_contact": _l(
        "Erased the contact kept for the person behind proposal #%(id)s."
    ),
    "counters.fix": _l("Corrected the vote and comment counts of proposal #%(id)s."),
    "retention.run": _l("Deleted what was kept past its retention period."),
}


class _Known(dict):
    """Format values: what an entry does not hold reads as "?" instead of failing the page."""

    def __missing__(self, key: str) -> str:
        return "?"


def describe(entry: AuditLog) -> str:
    """The entry's sentence in the current language; an action without one (from an older
    version) is named by its code."""
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return _("Action %(code)s.", code=entry.action)
    values = _Known({k: v for k, v in (entry.details or {}).items() if isinstance(v, str | int)})
    values["id"] = entry.target_id if entry.target_id is not None else "?"
    return str(sentence) % values
