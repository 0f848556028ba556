"""Every action the code writes to the audit log has a sentence that says what it means, in
each language, with its object; the audit page shows it."""

import ast
from pathlib import Path

import pytest

from katilim.audit.models import AuditLog
from katilim.audit.sentences import SENTENCES, describe
from katilim.audit.services import record
from katilim.auth.models import User
from katilim.extensions import db
from katilim.moderation.services import TRANSITIONS

CODE = Path(__file__).resolve().parents[2] / "katilim"
# Action codes built at run time, and every value they take.
BUILT = {
    "proposal.{action}": [f"proposal.{name}" for name in TRANSITIONS],
    "{kind}.reveal_author": ["proposal.reveal_author", "comment.reveal_author"],
}


def _codes(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(
            part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
            for part in node.values
        )
        assert pattern in BUILT, f"an action code built as f{pattern!r}: list its values in BUILT"
        return BUILT[pattern]
    raise AssertionError(f"an action code the test cannot read: {ast.unparse(node)}")


def recorded_actions() -> set[str]:
    """The action of every record(actor, action, ...) and AuditLog(action=...) in katilim/."""
    found = set()
    for path in CODE.rglob("*.py"):
        if path == CODE / "audit" / "services.py":  # record() itself passes its argument on
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "record" and len(node.args) >= 2:
                found.update(_codes(node.args[1]))
            elif name == "AuditLog":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found.update(_codes(keyword.value))
    return found


def test_every_recorded_action_has_a_sentence():
    actions = recorded_actions()
    assert len(actions) > 30  # the scan found the calls
    assert sorted(actions - SENTENCES.keys()) == []


def test_every_sentence_belongs_to_an_action_the_code_records():
    assert sorted(SENTENCES.keys() - recorded_actions()) == []


@pytest.mark.parametrize(
    ("language", "action", "details", "said"),
    [
        ("en", "proposal.merge", {"into": 7}, "Merged proposal #12 into proposal #7."),
        ("tr", "proposal.accept", {}, "12 numaralı öneriyi kabul etti."),
        ("ar", "proposal.accept", {}, "قبل المقترح رقم 12."),
        ("ku", "proposal.accept", {}, "Pêşniyara hejmar 12 qebûl kir."),
        (
            "en",
            "membership.add",
            {"user": "a@example.org", "body": "kadin-meclisi"},
            "Made a@example.org a member of the group kadin-meclisi.",
        ),
        ("en", "body.create", {}, "Created the group ?."),  # an old entry without its slug
        ("en", "something.new", {}, "Action something.new."),
    ],
)
def test_an_entry_is_said_in_the_reader_language(app, language, action, details, said):
    entry = AuditLog(action=action, target_type="proposal", target_id=12, details=details)
    with app.test_request_context(headers={"Accept-Language": language}):
        assert describe(entry) == said


def test_the_audit_page_says_what_each_entry_means(app, world, login):
    with app.app_context():
        record(None, "role.grant", db.session.get(User, world.candidate_id), email="c@example.org")
        db.session.commit()
    page = login(world.admin_id).get("/admin/audit", headers={"Accept-Language": "tr"})
    assert "c@example.org kullanıcısına bir site rolü verdi." in page.get_data(as_text=True)
