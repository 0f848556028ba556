"""Routes read input, call services and queries, and render: they send no query themselves.

A query written in a route is a rule nobody else can reuse or test alone (docs/architecture.md).
Committing and rolling back stay in routes: services never commit.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "katilim"
ROUTE_MODULES = sorted(PACKAGE.glob("*/routes.py"))
QUERYING = {"execute", "scalar", "scalars", "get", "query"}  # on db.session


def queries_in(source: str) -> list[str]:
    """``select(...)`` calls and ``db.session.<querying method>(...)`` calls, with their lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "select":
            found.append((node.lineno, "select(...)"))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in QUERYING
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "session"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "db"
        ):
            found.append((node.lineno, f"db.session.{func.attr}(...)"))
        elif isinstance(func, ast.Attribute) and func.attr == "select":
            found.append((node.lineno, "….select(...)"))  # sqlalchemy.select, sa.select
    return [f"line {line}: {call}" for line, call in sorted(found)]


def test_there_are_route_modules():
    assert len(ROUTE_MODULES) > 10


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: p.parent.name)
def test_routes_send_no_query(path: Path):
    assert queries_in(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_queries_and_allows_commits():
    source = (
        "def view():\n"
        "    a = db.session.scalar(select(User))\n"
        "    b = db.session.get(User, 1)\n"
        "    c = db.session.execute(sa.select(User.id))\n"
        "    db.session.commit()\n"
        "    db.session.rollback()\n"
        "    return db.get_or_404(User, 1)\n"
    )
    assert queries_in(source) == [
        "line 2: db.session.scalar(...)",
        "line 2: select(...)",
        "line 3: db.session.get(...)",
        "line 4: db.session.execute(...)",
        "line 4: ….select(...)",
    ]
