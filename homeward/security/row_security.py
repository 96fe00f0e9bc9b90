"""Row-level security on PostgreSQL (security baseline ACC-5): the database itself keeps each request to
the forces its organisation works with, whatever the code above it does.

The selectors decide precisely which records an actor sees (homeward/episodes/sharing.py); this is the
wall behind them. Every tenant table gets a policy, installed after every `migrate`: a row is visible
only when its force is in the connection's `homeward.forces` setting, or — for a table without a force
of its own — when the person, episode or other tenant row it belongs to is visible. The web process
sets `homeward.forces` for each request from the signed-in user (RowSecurityMiddleware and the API's
token check) and clears it afterwards, so a request with no user, or code that forgot a selector,
meets an empty table. Commands and the worker act for the whole installation (`*`).

The policies are FORCEd, so they bind the tables' owner too; only a superuser or a role with BYPASSRLS
escapes them, which is why the application must connect as neither (checks.py, docs/security.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    from homeward.identity.models import User

SETTING = "homeward.forces"
EVERY_FORCE = "*"
NO_FORCE = ""
POLICY = "homeward_tenant"
FUNCTION = "homeward_sees_force"
EVERY_FORCE_FUNCTION = "homeward_sees_every_force"

# Apps whose tables are reference data or guard themselves: organisations and districts are public
# within the installation, and the audit log has its own protection (append-only, auditors only).
_NOT_TENANT_APPS = {"identity", "audit", "auth", "contenttypes", "sessions", "django_otp", "otp_totp"}

# What a connection sees when nothing has said who it acts for. Commands, the worker and migrations act
# for the whole installation; the web process sets NO_FORCE at start-up (web_process_starts), so outside
# a request its connections see nothing. A module global, not a context variable: gunicorn's threads
# start with empty contexts.
_process_default = EVERY_FORCE


def _has_own_force(model: type[models.Model]) -> bool:
    field = {f.name: f for f in model._meta.concrete_fields}.get("force")
    return isinstance(field, models.ForeignKey) and field.related_model is apps.get_model(
        "identity", "Organisation"
    )


def tenant_models() -> list[type[models.Model]]:
    """Every table holding a force's records: those with a force of their own, and every model whose
    forward relations reach one, directly or in steps. Computed from the app registry, so a new model
    hanging off a person or an episode is covered without anyone remembering to."""
    candidates = [m for m in apps.get_models() if m._meta.app_label not in _NOT_TENANT_APPS]
    tenant = {m for m in candidates if _has_own_force(m)}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in tenant:
                continue
            if any(_tenant_parents_of(model, tenant)):
                tenant.add(model)
                grew = True
    return sorted(tenant, key=lambda m: m._meta.db_table)


def _tenant_parents_of(
    model: type[models.Model], tenant: set[type[models.Model]]
) -> list[models.ForeignKey[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model in tenant and f.related_model is not model
    ]


def visibility_expression(model: type[models.Model], tenant: set[type[models.Model]]) -> str:
    """The policy's condition for one table, in SQL."""
    qn = connection.ops.quote_name
    if _has_own_force(model):
        return f"{FUNCTION}({qn('force_id')})"
    parents = _tenant_parents_of(model, tenant)
    required = [f for f in parents if not f.null]
    # A row is visible when the row it belongs to is. One required parent decides — the episode if it
    # has one, else the person: each probe is an index lookup per row read, and a second one (an
    # interview's person as well as its episode) doubled the national measures' time for no gain, the
    # two being one person. A row whose parents are all optional (a meeting about a plan or a person)
    # needs each one it names to be visible, and at least one named.
    required = sorted(required, key=_parent_preference)[:1]
    checks = []
    for field in required or parents:
        parent: Any = field.related_model
        exists = (
            f"EXISTS (SELECT 1 FROM {qn(parent._meta.db_table)} AS parent "  # noqa: S608 - names from the model registry
            f"WHERE parent.{qn(parent._meta.pk.column)} = {qn(model._meta.db_table)}.{qn(field.column)})"
        )
        checks.append(exists if not field.null else f"({qn(field.column)} IS NULL OR {exists})")
    if not required:
        # A row naming none of them (a cohort plan) belongs to the organisation that keeps it.
        named = " OR ".join(f"{qn(f.column)} IS NOT NULL" for f in parents)
        keeper = _keeping_organisation(model)
        if keeper is None:
            checks.append(f"({named} OR {FUNCTION}(NULL))")
        else:
            checks.append(
                f"({named} OR EXISTS (SELECT 1 FROM {qn('identity_organisation')} AS keeper "  # noqa: S608
                f"WHERE keeper.id = {qn(model._meta.db_table)}.{qn(keeper.column)} "
                f"AND {FUNCTION}(coalesce(keeper.force_id, keeper.id))))"
            )
    # Acting for the whole installation (commands, the worker) skips the probes altogether.
    return f"({EVERY_FORCE_FUNCTION}() OR ({' AND '.join(checks)}))"


def _parent_preference(field: models.ForeignKey[Any, Any]) -> int:
    label = field.related_model._meta.label  # type: ignore[union-attr]
    return {"episodes.Episode": 0, "people.Person": 1}.get(label, 2)


def _keeping_organisation(model: type[models.Model]) -> models.ForeignKey[Any, Any] | None:
    organisation = apps.get_model("identity", "Organisation")
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name in ("organisation", "owner_organisation"):
        field = fields.get(name)
        if isinstance(field, models.ForeignKey) and field.related_model is organisation and not field.null:
            return field
    return None


_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {EVERY_FORCE_FUNCTION}() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('{SETTING}', true), '') = '{EVERY_FORCE}'
$$;
CREATE OR REPLACE FUNCTION {FUNCTION}(force bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(current_setting('{SETTING}', true), '')
        WHEN '{EVERY_FORCE}' THEN true
        WHEN '' THEN false
        ELSE force = ANY (string_to_array(current_setting('{SETTING}', true), ',')::bigint[])
    END
$$
"""


def row_security_statements() -> list[str]:
    tenant = tenant_models()
    statements = [_FUNCTION_SQL.strip()]
    for model in tenant:
        table = connection.ops.quote_name(model._meta.db_table)
        condition = visibility_expression(model, set(tenant))
        statements += [
            f"DROP POLICY IF EXISTS {POLICY} ON {table}",
            f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition})",
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        ]
    return statements


def install_row_security(using: BaseDatabaseWrapper) -> bool:
    """Install or refresh the policies; True if anything changed. Idempotent and cheap when current:
    the statements' digest is kept as the function's comment, so an unchanged schema costs one query
    (the test suite flushes, and so re-runs this, after every transactional test)."""
    if using.vendor != "postgresql":
        return False
    statements = row_security_statements()
    digest = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    with using.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p WHERE p.proname = %s", [FUNCTION]
        )
        row = cursor.fetchone()
        if row is not None and row[0] == digest:
            return False
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"COMMENT ON FUNCTION {FUNCTION}(bigint) IS %s", [digest])
    return True


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    install_row_security(connections[using])


# --- Who a connection acts for ---------------------------------------------------------------------


def forces_visible_to(user: User | Any) -> str:
    """The `homeward.forces` value for a signed-in user. A police force acts for itself (no sharing
    rule shows it another force's records). Any other organisation acts for its own force and every
    force where a record names it — children it placed, premises it runs, the council of a district,
    interviews referred to it, profiles it holds, notifications sent to it — found from the registry
    by relations_naming_an_organisation(), so a new kind of relation is covered when it is added."""
    org = getattr(user, "organisation", None)
    if org is None or not getattr(user, "is_active", False) or not getattr(user, "is_authenticated", False):
        return NO_FORCE
    if org.is_police:
        return str(org.pk)
    forces = _forces_related_to(org.pk)
    if org.force_id is not None:
        forces.add(org.force_id)
    return ",".join(str(f) for f in sorted(forces))


def _force_paths(model: type[models.Model], tenant: set[type[models.Model]]) -> list[str]:
    """Lookups from `model` to the force(s) its rows belong to."""
    if _has_own_force(model):
        return ["force_id"]
    parents = _tenant_parents_of(model, tenant)
    required = [f for f in parents if not f.null]
    return [
        f"{field.name}__{path}"
        for field in (required or parents)
        for path in _force_paths(field.related_model, tenant)  # type: ignore[arg-type]
    ]


def relations_naming_an_organisation() -> list[tuple[type[models.Model], str, str]]:
    """(model, lookup that names an organisation, lookup of the row's force), for every tenant table:
    each foreign key to an organisation other than the row's force, and each district's council."""
    organisation = apps.get_model("identity", "Organisation")
    district = apps.get_model("identity", "District")
    tenant = tenant_models()
    relations = []
    for model in tenant:
        naming = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is organisation and f.name != "force"
        ] + [
            f"{f.name}__council"
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is district
        ]
        for lookup in naming:
            for path in _force_paths(model, set(tenant)):
                relations.append((model, lookup, path))
    # One relation is a step further away: the council where a child lives sees them missing anywhere
    # (sharing basis "home_authority_children").
    relations.append((apps.get_model("episodes", "Episode"), "person__home_district__council", "force_id"))
    return relations


def _forces_related_to(org_id: int) -> set[int]:
    # Read as the whole installation (this is what decides the narrower scope), in one query.
    with acting_for_every_force():
        queries = [
            model._base_manager.filter(**{lookup: org_id}).order_by().values_list(path, flat=True)
            for model, lookup, path in relations_naming_an_organisation()
        ]
        first, *rest = queries
        return {force for force in first.union(*rest) if force is not None}


def _set(value: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, value])


def current_scope() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        row = cursor.fetchone()
    return row[0] if row else None


@contextmanager
def _scope(value: str) -> Iterator[None]:
    previous = current_scope()
    _set(value)
    try:
        yield
    finally:
        _set(previous if previous is not None else _process_default)


def acting_for(user: User | Any) -> Any:
    """Narrow this connection to what `user`'s organisation may reach, for the block."""
    return _scope(forces_visible_to(user))


def acting_for_every_force() -> Any:
    return _scope(EVERY_FORCE)


def act_for(user: User | Any) -> None:
    """Narrow the rest of this request to `user` (the API's token check, which finds the user after the
    middleware has run). The middleware restores the process default when the request ends."""
    if connection.vendor != "postgresql":
        return
    scope = _request_scope.get()
    if scope is None:
        _set(forces_visible_to(user))
    else:
        scope.narrow_to(user)


def web_process_starts() -> None:
    """Called by the WSGI entry point: outside a request, this process's connections see nothing."""
    global _process_default
    _process_default = NO_FORCE


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, _process_default])


class _RequestScope:
    """Applies a request's scope just before its first query (a request that never reads the database,
    such as the API description, costs nothing) and again after the API's token check narrows it."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self.value: str | None = None
        self.applied = False  # the connection holds self.value
        self.touched = False  # the connection holds something this request set
        self.busy = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if not self.applied and not self.busy:
            self.busy = True  # reading the session and the user passes straight through
            try:
                if self.value is None:
                    self.value = forces_visible_to(getattr(self.request, "user", None))
                with context["connection"].cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, self.value])
                self.applied = self.touched = True
            finally:
                self.busy = False
        return execute(sql, params, many, context)

    def narrow_to(self, user: Any) -> None:
        self.busy = True
        try:
            self.value = forces_visible_to(user)
        finally:
            self.busy = False
        self.applied = False

    def restore(self) -> None:
        if self.touched and connection.connection is not None and not connection.needs_rollback:
            _set(_process_default)


_request_scope: ContextVar[_RequestScope | None] = ContextVar("homeward_request_scope", default=None)


class RowSecurityMiddleware:
    """Each request acts for its signed-in user's organisation; anonymous requests for no force."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if connection.vendor != "postgresql":
            return self.get_response(request)
        scope = _RequestScope(request)
        token = _request_scope.set(scope)
        try:
            with connection.execute_wrapper(scope):
                return self.get_response(request)
        finally:
            _request_scope.reset(token)
            scope.restore()
