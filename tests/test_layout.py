"""The shape of katilim/: no import cycle, and no layer importing a layer above it.

The graph is read from the source with ``ast``, so it sees every import: at module level and
inside functions (a function-level import is still a dependency; it only hides a cycle from
Python's start-up). Imports under ``if TYPE_CHECKING:`` are left out: they never run, and
mapped classes name each other there only so that the type checker can read a relationship.
The layers below are the ones described in docs/architecture.md; change both together.
"""

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "katilim"

# Bottom to top. A module may import its own layer and the layers below it. The first
# pattern that matches a module names its layer, so the specific patterns come first.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Settings, extensions and the shared plumbing every domain uses; mail and audit are
    # services every domain writes to and that know no domain.
    (
        "foundation",
        (
            "katilim.config",
            "katilim.extensions",
            "katilim.i18n",
            "katilim.logs",
            "katilim.serving",
            "katilim.core",
            "katilim.core.*",
            "katilim.mail",
            "katilim.mail.*",
            "katilim.audit",
            "katilim.audit.*",
        ),
    ),
    # The mapped classes of every domain: they refer to each other through relationships.
    # So are the named conditions on them that several domains share (which proposals a
    # page may show: representation and stats count by them too).
    ("models", ("katilim.*.models", "katilim.proposals.visibility")),
    # The domains, each above the ones it uses (their services, queries, permissions, forms).
    ("auth", ("katilim.auth", "katilim.auth.*")),
    ("organization", ("katilim.organization", "katilim.organization.*")),
    ("consents", ("katilim.privacy.consents", "katilim.privacy.purposes")),
    ("notifications", ("katilim.notifications", "katilim.notifications.*")),
    ("representation", ("katilim.representation", "katilim.representation.*")),
    ("proposals", ("katilim.proposals", "katilim.proposals.*")),
    ("comments", ("katilim.comments", "katilim.comments.*")),
    ("voting", ("katilim.voting", "katilim.voting.*")),
    ("moderation", ("katilim.moderation", "katilim.moderation.*")),
    # Photos follow their proposal's rules and are hidden like any content.
    ("photos", ("katilim.photos", "katilim.photos.*")),
    # Volunteers join a body; its meetings build agendas from proposals, and a decision
    # changes a proposal's status through the moderators' verbs.
    ("volunteers", ("katilim.volunteers", "katilim.volunteers.*")),
    ("meetings", ("katilim.meetings", "katilim.meetings.*")),
    ("stats", ("katilim.stats", "katilim.stats.*")),
    ("assist", ("katilim.assist", "katilim.assist.*")),
    # Pages: one domain's page shows others' data (a proposal page has comments and votes),
    # and a page kept as a shell is filled with what it shows of its reader (katilim.readers).
    ("pages", ("katilim.templating", "katilim.account", "katilim.account.*", "katilim.readers")),
    # Across every domain: the data-protection duties (export, deletion, retention, traffic
    # records), the admin area and the APIs.
    ("privacy", ("katilim.privacy", "katilim.privacy.*")),
    ("admin", ("katilim.admin", "katilim.admin.*", "katilim.operator", "katilim.operator.*")),
    ("api", ("katilim.api", "katilim.api.*")),
    # The application and its commands, which wire everything together.
    ("app", ("katilim", "katilim.models", "katilim.cli", "katilim.seed")),
]

RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The katilim module an import refers to (``katilim.x.y.Name`` -> ``katilim.x.y``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST):
    """Every node, except the bodies of ``if TYPE_CHECKING:`` blocks (their ``else`` runs)."""
    for child in ast.iter_child_nodes(tree):
        if _is_type_checking(child):
            assert isinstance(child, ast.If)
            for node in child.orelse:
                yield node
                yield from _nodes(node)
            continue
        yield child
        yield from _nodes(child)


def imports_of(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str | None] = set()
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            found.update(_resolve(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: none today, but count them if they come
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                # ``from katilim.admin import reveal`` imports a module, not a name.
                found.add(_resolve(f"{base}.{alias.name}"))
    found.discard(None)
    found.discard(module)
    return {name for name in found if name is not None and name.startswith("katilim")}


GRAPH = {module: imports_of(module) for module in MODULES}


def layer_of(module: str) -> str:
    layer = next(
        (name for name, patterns in LAYERS if any(fnmatchcase(module, p) for p in patterns)), None
    )
    if layer is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layout.py")
    # A domain's pages sit above every domain (a proposal page shows comments and votes); its
    # commands sit with the application's. Admin, privacy and the APIs keep their own layer.
    if module.endswith(".routes") and RANK[layer] < RANK["pages"]:
        return "pages"
    if module.endswith(".cli"):
        return "app"
    return layer


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read():
    # Guards the reader itself: a known edge of each kind must be there.
    assert "katilim.proposals.models" in GRAPH["katilim.voting.services"]
    assert "katilim.admin.reveal" in GRAPH["katilim"]  # imported inside create_app
    assert "katilim.admin" in GRAPH["katilim.admin.reveal"]  # the package's blueprint


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("katilim.core.text", "foundation"),
        ("katilim.core.routes", "pages"),  # the home page shows proposals
        ("katilim.privacy.models", "models"),
        ("katilim.privacy.consents", "consents"),
        ("katilim.privacy.consent_changes", "privacy"),
        ("katilim.voting.services", "voting"),
        ("katilim.voting.routes", "pages"),
        ("katilim.admin.routes", "admin"),
        ("katilim.notifications.cli", "app"),
    ],
)
def test_layer_of(module, layer):
    assert layer_of(module) == layer


def test_no_import_cycle():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_has_a_layer(module):
    assert layer_of(module) in RANK


def test_no_layer_imports_a_layer_above_it():
    climbs = [
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in sorted(GRAPH.items())
        for target in sorted(targets)
        if RANK[layer_of(target)] > RANK[layer_of(module)]
    ]
    assert climbs == []
