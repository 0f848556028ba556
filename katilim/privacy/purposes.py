"""What each optional purpose means, in the words the person agrees to.

Adding a purpose: one member in ``ConsentPurpose`` (katilim/privacy/models.py) and one entry
here; if giving or withdrawing must change something else (as e-mail updates do), one entry
in ``EFFECTS`` of katilim/privacy/consent_changes.py. The consent page and the export list
them all.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from katilim.privacy.models import ConsentPurpose


@dataclass(frozen=True)
class PurposeText:
    title: str
    text: str  # the consent text itself: what is processed, why, and that it is optional


PURPOSES: dict[ConsentPurpose, PurposeText] = {
    ConsentPurpose.EMAIL_UPDATES: PurposeText(
        _l("E-mails about what I follow"),
        _l(
            "I agree that the council uses my e-mail address to send me news about the "
            "proposals and groups I follow (at once or in a daily summary). Without this "
            "consent I still see the news under Notifications."
        ),
    ),
    ConsentPurpose.DEMOGRAPHICS: PurposeText(
        _l("Age, gender, disability and mother tongue"),
        _l(
            "I give my explicit consent to store these answers for the anonymous figures "
            "described above."
        ),
    ),
    ConsentPurpose.VOLUNTEER_LISTING: PurposeText(
        _l("My name on the pages of the groups I volunteer in"),
        _l(
            "I agree that my name is shown in public as a member on the page of each group "
            "where I chose to be named. Membership of a group can say something about my "
            "opinions. Without this consent the page only counts me among the members. I can "
            "stop being named on my volunteering page, or withdraw this consent here, at any "
            "time."
        ),
    ),
}


def purpose_text(purpose: ConsentPurpose) -> PurposeText:
    # A purpose added without its text still shows (by its code) rather than break the page;
    # tests/privacy/test_consents.py makes sure every purpose has one.
    return PURPOSES.get(purpose) or PurposeText(purpose.value, "")
