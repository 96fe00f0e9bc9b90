"""ACC-1: views, API modules and templates never read protected models directly; selectors do.

The baseline suggests Semgrep; this is the same rule in Python's `ast`, with no new dependency.
Protected models are computed from Django's app registry: Person, Episode, and every model whose
foreign keys lead to either, however many steps away. A view or API module that touches
`<Model>.objects`, `<Model>._default_manager` or `<Model>._base_manager` (or `apps.get_model(...)` of one)
for such a model fails here unless the read is on the allow-list below, with its reason.

Reads through related objects are caught too, because `episode.sightings.all()` in a view skips what
the selector layer does for that relation (field restriction, found-record withholding, the
consultation log). From the same registry come the related-manager accessor names (reverse foreign
key and many-to-many accessors, forward many-to-many fields) whose target model is protected; a view
or API module may not call a queryset method on one (`<expr>.<accessor>.<method>(...)`), and a
template may not walk one (`{{ episode.sightings.all }}`, `{% for s in person.episodes.all %}`).
Forward foreign keys (`episode.person`) are plain attributes of an already-scoped object and pass.

What it cannot see: a model reached through a variable that is not a module-level name; a related
manager held in a variable before it is queried (`m = episode.sightings; m.all()`) or reached with
`getattr`; a manager passed whole into a template context; reads in other modules (schemas, forms,
template tags) that views call.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models
from django.template.base import Lexer, TokenType

import homeward

ROOT = Path(homeward.__file__).parent
REPO = ROOT.parent
MANAGERS = {"objects", "_default_manager", "_base_manager"}

# (file, enclosing function, model) → why the direct read stands. A new direct read fails the test;
# an entry whose read has gone fails it too, so the list only shrinks.
ALLOWED: dict[tuple[str, str, str], str] = {}

# The queryset methods a related manager is read with; a template can only call the argument-free ones,
# but the same names are checked there so the two scans agree.
QUERY_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "order_by",
        "first",
        "last",
        "get",
        "count",
        "exists",
        "values",
        "values_list",
        "select_related",
        "prefetch_related",
        "iterator",
        "aggregate",
        "annotate",
    }
)

# (file, expression) → why the read through a relation stands. Same rule as ALLOWED: a new read fails,
# and an entry whose read has gone fails too.
ALLOWED_RELATED: dict[tuple[str, str], str] = {
    ("homeward/returns/views.py", "rhi.events.select_related"): "moved by the fields branch",
}


def protected_models() -> set[type[models.Model]]:
    """Person, Episode and every model whose forward relations reach them, directly or in steps."""
    protected: set[type[models.Model]] = {
        apps.get_model("people", "Person"),
        apps.get_model("episodes", "Episode"),
    }
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in protected:
                continue
            if any(
                f.concrete and f.is_relation and f.related_model in protected
                for f in model._meta.get_fields()
            ):
                protected.add(model)
                grew = True
    return protected


def protected_accessors(protected: set[type[models.Model]]) -> dict[str, set[str]]:
    """Related-manager name → labels of the protected models it yields, over every model in the registry.

    Reverse foreign keys and many-to-many accessors (`episode.sightings`, `organisation.owned_people`)
    and forward many-to-many fields. Reverse one-to-one accessors and forward foreign keys give a single
    object, not a manager, and hidden relations (`related_name="+"`) have no accessor.
    """
    names: dict[str, set[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and (field.one_to_many or field.many_to_many)):
                continue
            if field.related_model not in protected:
                continue
            if field.auto_created and not field.concrete:
                name = field.get_accessor_name()  # type: ignore[union-attr]
            else:
                name = field.name
            if name:
                names.setdefault(name, set()).add(field.related_model._meta.label)  # type: ignore[union-attr]
    return names


@dataclass(frozen=True)
class RelatedRead:
    path: str
    line: int
    function: str
    expression: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = f" in {self.function}" if self.function else ""
        return f"{self.path}:{self.line}{where}: {self.expression} ({', '.join(self.targets)})"


def related_reads(source: str, *, path: str, accessors: dict[str, set[str]]) -> list[RelatedRead]:
    """Every `<expr>.<accessor>.<query method>(...)` on a protected relation in one module's source."""
    found: list[RelatedRead] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, function or child.name)
                continue
            if (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr in QUERY_METHODS
                and isinstance(child.func.value, ast.Attribute)
                and child.func.value.attr in accessors
            ):
                targets = tuple(sorted(accessors[child.func.value.attr]))
                found.append(RelatedRead(path, child.lineno, function, ast.unparse(child.func), targets))
            visit(child, function)

    visit(ast.parse(source), "")
    return found


_VARIABLE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+")


def template_related_reads(text: str, *, path: str, accessors: dict[str, set[str]]) -> list[RelatedRead]:
    """Every `.<accessor>.<query method>` in a template's `{{ }}` variables and `{% %}` tags.

    Django's own lexer splits the template, so comments and plain text are not read as code.
    """
    found: list[RelatedRead] = []
    for token in Lexer(text).tokenize():
        if token.token_type not in (TokenType.VAR, TokenType.BLOCK):
            continue
        for match in _VARIABLE.finditer(token.contents):
            parts = match.group().split(".")
            for i in range(1, len(parts) - 1):
                if parts[i] in accessors and parts[i + 1] in QUERY_METHODS:
                    expression = ".".join(parts[: i + 2])
                    targets = tuple(sorted(accessors[parts[i]]))
                    found.append(RelatedRead(path, token.lineno, "", expression, targets))
    return found


@dataclass(frozen=True)
class DirectRead:
    path: str
    line: int
    function: str
    model: str
    manager: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function or '<module>'}: {self.model}.{self.manager}"


def _imports(tree: ast.AST, package: str) -> dict[str, str]:
    """Local name → dotted path, for every import anywhere in the module (including inside functions)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _lookup(dotted: str) -> Any:
    """The object a dotted path names (a module, or an attribute of one), or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _model_of(node: ast.expr, imports: dict[str, str], module_globals: dict[str, Any]) -> Any:
    # apps.get_model("people", "Person") or apps.get_model("people.Person")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get_model":
        labels = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        try:
            return apps.get_model(*labels) if labels else None
        except (LookupError, ValueError, TypeError):
            return None
    dotted = _dotted(node)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head in module_globals:
        obj = module_globals[head]
        for attr in rest.split(".") if rest else []:
            obj = getattr(obj, attr, None)
        return obj
    if head in imports:
        return _lookup(imports[head] + (f".{rest}" if rest else ""))
    return None


def direct_reads(
    source: str, *, path: str, module: str, protected: set[type[models.Model]]
) -> list[DirectRead]:
    """Every manager access on a protected model in one module's source."""
    tree = ast.parse(source)
    package = module.rpartition(".")[0]
    imports = _imports(tree, package)
    try:
        module_globals = vars(importlib.import_module(module))
    except ImportError:
        module_globals = {}
    found: list[DirectRead] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                # The outermost definition names the read: nested helpers belong to their view.
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Attribute) and child.attr in MANAGERS:
                model = _model_of(child.value, imports, module_globals)
                if model in protected:
                    found.append(DirectRead(path, child.lineno, function, model._meta.label, child.attr))
            visit(child, function)

    visit(tree, "")
    return found


def _view_and_api_modules() -> list[Path]:
    # API schemas too: their resolvers turn records into output, and may reach related rows.
    files = {p for pattern in ("views*.py", "api*.py", "schemas*.py") for p in ROOT.rglob(pattern)}
    return sorted(p for p in files if "tests" not in p.relative_to(ROOT).parts)


def _all_direct_reads() -> list[DirectRead]:
    protected = protected_models()
    found: list[DirectRead] = []
    for file in _view_and_api_modules():
        rel = file.relative_to(REPO)
        module = ".".join(rel.with_suffix("").parts)
        found += direct_reads(file.read_text(), path=rel.as_posix(), module=module, protected=protected)
    return found


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*") if p.is_file() and p.suffix != ".py")


def _all_related_reads() -> list[RelatedRead]:
    accessors = protected_accessors(protected_models())
    found: list[RelatedRead] = []
    for file in _view_and_api_modules():
        found += related_reads(file.read_text(), path=file.relative_to(REPO).as_posix(), accessors=accessors)
    for file in _templates():
        found += template_related_reads(
            file.read_text(), path=file.relative_to(REPO).as_posix(), accessors=accessors
        )
    return found


def test_the_protected_models_are_computed_from_the_registry():
    labels = {m._meta.label for m in protected_models()}
    # Direct and indirect: ReturnInterviewEvent reaches Episode through ReturnInterview.
    assert {
        "people.Person",
        "episodes.Episode",
        "episodes.PreventionInterview",
        "returns.ReturnInterview",
        "returns.ReturnInterviewEvent",
        "protocols.ProtocolProfile",
        "prevention.Plan",
        "families.FamilyContact",
        "dataprotection.RetentionReview",
    } <= labels
    assert not {"identity.Organisation", "identity.User", "audit.AuditEvent"} & labels


def test_the_scan_covers_every_view_and_api_module():
    scanned = {p.relative_to(REPO).as_posix() for p in _view_and_api_modules()}
    assert {
        "homeward/episodes/views.py",
        "homeward/people/api.py",
        "homeward/insights/views_returns.py",
        "homeward/episodes/schemas.py",
    } <= scanned


def test_views_and_api_read_protected_models_only_through_selectors():
    found = _all_direct_reads()
    new = [str(r) for r in found if (r.path, r.function, r.model) not in ALLOWED]
    assert not new, (
        "Views and API modules must read protected models through a selectors.*_for(actor=...) function "
        "(ARCHITECTURE habit 2, baseline ACC-1):\n  " + "\n  ".join(new)
    )


def test_every_allowed_exception_still_exists():
    present = {(r.path, r.function, r.model) for r in _all_direct_reads()}
    stale = [key for key in ALLOWED if key not in present]
    assert not stale, f"remove these from ALLOWED, the direct read has gone: {stale}"


def test_templates_do_not_reach_for_model_managers():
    pattern = re.compile(r"\.objects\b|_default_manager|_base_manager")
    hits = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not hits, "Templates render what a selector returned; they never query:\n  " + "\n  ".join(hits)


def test_the_scan_catches_the_ways_a_view_could_read_directly():
    source = """
import homeward.people.models as people_models
from django.apps import apps
from homeward.episodes.models import Episode as E
from homeward.identity.models import Organisation

def by_alias(request):
    return E._default_manager.all()

def by_module(request):
    return people_models.Person.objects.get(pk=1)

def by_registry(request):
    return apps.get_model("returns", "ReturnInterview").objects.first()

def by_local_import(request):
    from homeward.returns.models import ReturnInterviewEvent
    return ReturnInterviewEvent._base_manager.count()

def not_protected(request):
    return Organisation.objects.all()
"""
    found = direct_reads(source, path="x/views.py", module="x.views", protected=protected_models())
    assert [(r.function, r.model, r.manager) for r in found] == [
        ("by_alias", "episodes.Episode", "_default_manager"),
        ("by_module", "people.Person", "objects"),
        ("by_registry", "returns.ReturnInterview", "objects"),
        ("by_local_import", "returns.ReturnInterviewEvent", "_base_manager"),
    ]


def test_the_protected_accessors_are_computed_from_the_registry():
    accessors = protected_accessors(protected_models())
    # Reverse foreign keys, reverse many-to-many, and what each yields.
    assert accessors["sightings"] == {"episodes.Sighting"}
    assert "episodes.Episode" in accessors["episodes"]
    assert "episodes.RiskAssessment" in accessors["risk_assessments"]
    assert "prevention.Meeting" in accessors["prevention_meetings_attended"]
    # Relations to unprotected models, and forward foreign keys, are not related managers to guard.
    assert not {"users", "districts", "api_tokens", "person", "episode", "organisation"} & set(accessors)


def test_views_api_and_templates_read_protected_relations_only_through_selectors():
    found = _all_related_reads()
    new = [str(r) for r in found if (r.path, r.expression) not in ALLOWED_RELATED]
    assert not new, (
        "Views, API modules and templates must not read protected records through a related manager; "
        "add a selector taking the scoped parent (e.g. sightings_of(episode=...)) and pass its result "
        "(ARCHITECTURE habit 2, baseline ACC-1):\n  " + "\n  ".join(new)
    )


def test_every_allowed_related_read_still_exists():
    present = {(r.path, r.expression) for r in _all_related_reads()}
    stale = [key for key in ALLOWED_RELATED if key not in present]
    assert not stale, f"remove these from ALLOWED_RELATED, the read has gone: {stale}"


def test_the_scan_catches_reads_through_related_managers_in_python():
    source = """
def episode_page(request, episode):
    sightings = episode.sightings.all()
    latest = episode.risk_assessments.order_by("-sequence").first()
    return render(request, "x.html", {"s": sightings, "latest": latest})

def person_page(request, person):
    return [e for e in person.episodes.filter(status="active")]

class EpisodeView:
    def get(self, request):
        markers = self.episode.person.markers.exclude(active=False)
        return markers

def allowed_reads(request, episode, org):
    parent = episode.person              # a forward foreign key: the parent is already scoped
    manager = episode.sightings          # a plain attribute read, no query
    users = org.users.all()              # the target, User, is not protected
    near = episode.sighting.all()        # not an accessor name
    episode.sightings.create(place="x")  # a write; actions are checked elsewhere
    counts = {"a": 1}.values()
    return parent, manager, users, near, counts
"""
    found = related_reads(source, path="x/views.py", accessors=protected_accessors(protected_models()))
    assert [(r.function, r.expression) for r in found] == [
        ("episode_page", "episode.sightings.all"),
        ("episode_page", "episode.risk_assessments.order_by"),
        ("person_page", "person.episodes.filter"),
        ("EpisodeView", "self.episode.person.markers.exclude"),
    ]
    assert found[0].targets == ("episodes.Sighting",)


def test_the_scan_catches_every_query_method_on_a_related_manager():
    accessors = protected_accessors(protected_models())
    for method in sorted(QUERY_METHODS):
        found = related_reads(
            f"def v(e):\n    return e.sightings.{method}()\n", path="v.py", accessors=accessors
        )
        assert [r.expression for r in found] == [f"e.sightings.{method}"], method


def test_the_scan_catches_templates_walking_a_protected_relation():
    template = """{% extends "base.html" %}
{% for s in episode.sightings.all %}{{ s.place }}{% endfor %}
<p>{{ person.episodes.count }} episodes</p>
{% if episode.risk_assessments.exists %}assessed{% endif %}
{% with first=person.aliases.first %}{{ first }}{% endwith %}
{{ name|default:person.contacts.last }}
{# episode.updates.all is only a comment #}
Plain text: episode.events.all
{{ episode.person.full_name }} {{ sightings.count }} {{ episode.sightings }}
{% for o in meeting.attending_organisations.all %}{{ o.name }}{% endfor %}
"""
    found = template_related_reads(
        template, path="x/templates/x.html", accessors=protected_accessors(protected_models())
    )
    assert [(r.line, r.expression) for r in found] == [
        (2, "episode.sightings.all"),
        (3, "person.episodes.count"),
        (4, "episode.risk_assessments.exists"),
        (5, "person.aliases.first"),
        (6, "person.contacts.last"),
    ]
