"""Page queries of the list endpoints, compiled once per *shape* and reused.

Building a list's scoped page query with the ORM and compiling it to SQL takes longer than
PostgreSQL takes to run it (bench/api_throughput.py: about 5 ms of Python per page against
2-3 ms in the database). Yet for an unfiltered page the SQL depends on the caller only through

- the roles they hold (which branches of the scope rule apply: `portfolio.scope`),
- their id and today's date, which reach the SQL only as parameters,

and on the request only through the page size and offset (which Django writes into the text).

`PageShape.rows(user, offset, limit)` therefore builds the page query twice per shape (roles,
offset, limit), for two made-up callers who hold those roles and differ in every other
attribute, on two made-up dates, with the database refused while it builds (a scope rule
that read data while building would bake that data into the SQL). It keeps the SQL only if
the two texts are identical and the parameters differ exactly where the made-up ids and dates
went in. Each request then fills in its own id and today's date, runs the SQL as it is and
converts the columns as Django's compiler would (the same converter functions). A shape that
fails any check is never reused: its requests build their query through the ORM, as before.
Either way the rows are those of `build(user)`; `tests/api/test_compiled_pages.py` compares
the two for every role.

Only the scope-shaped page of an unfiltered list comes here; filtered lists, `?page=last`
and other databases than PostgreSQL take the ORM path (`PageNumberPagination.paginate_list`
chooses).

`ChildShape` does the same for the second query of a page (its scores or theme codes), whose
SQL depends only on how many ids the page has: built twice with two sets of made-up ids.
"""

from __future__ import annotations

import datetime
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, QuerySet, Window

from reflect import dates as scope
from reflect import roles as R
from reflect.api.pagination import TOTAL


class _Slot:
    """Where a request's own value goes in the parameters of a compiled query."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<slot {self.name}>"


USER, TODAY = _Slot("user id"), _Slot("today")


class _DatabaseRefused(Exception):
    pass


def _refuse(execute, sql, params, many, context):
    raise _DatabaseRefused(sql)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # per parameter: a constant, or the _Slot its value comes from
    names: tuple[str, ...]
    converters: tuple  # (column index, functions, expression), as Django's compiler applies them

    def run(self, alias: str, values: dict) -> list[tuple]:
        """The rows of the query with `values` (by slot) in their places, converted."""
        connection = connections[alias]
        params = [values[p] if isinstance(p, _Slot) else p for p in self.params]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, functions, expression in self.converters:
                value = row[index]
                for function in functions:
                    value = function(value, expression, connection)
                row[index] = value
            converted.append(tuple(row))
        return converted


def _compile(alias: str, build: Callable[[dict], QuerySet], probes: dict[_Slot, tuple]) -> _Compiled | None:
    """Build the query twice, with the first and then the second value of every probe, with the
    database refused; the SQL with its slots if the two builds agree but for the probes."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    builds = []
    for side in (0, 1):
        values = {slot: pair[side] for slot, pair in probes.items()}
        try:
            with connection.execute_wrapper(_refuse):
                queryset = build(values)
                if queryset.query.distinct:  # a window total would count duplicates
                    return None
                compiler = queryset.query.get_compiler(using=alias)
                sql, params = compiler.as_sql()
                fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
                converters = tuple(
                    (index, tuple(functions), expression)
                    for index, (functions, expression) in compiler.get_converters(fields).items()
                )
        except Exception:  # noqa: BLE001 - EmptyResultSet, a refused query, anything: no reuse
            return None
        query = queryset.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        builds.append((sql, tuple(params), names))
    (sql_a, params_a, names_a), (sql_b, params_b, names_b) = builds
    if sql_a != sql_b or names_a != names_b or len(params_a) != len(params_b):
        return None
    by_pair = {pair: slot for slot, pair in probes.items()}
    probe_values = {value for pair in probes.values() for value in pair}
    slots = []
    for a, b in zip(params_a, params_b, strict=True):
        if (a, b) in by_pair:
            slots.append(by_pair[(a, b)])
        elif type(a) is type(b) and a == b and a not in probe_values:
            slots.append(a)
        else:
            return None
    return _Compiled(sql_a, tuple(slots), names_a, converters)


def _probe_ids(count: int, tag: int) -> list[int]:
    """`count` distinct negative ids, far from any real id (and from the other tag's)."""
    base = -(2**40) * tag - secrets.randbelow(2**20) * 2**10
    return [base - i for i in range(count)]


def _probe_user(pk: int, roles: tuple[str, ...], tag: str):
    """An unsaved user with these roles who shares nothing else with a real one."""
    user = get_user_model()(
        pk=pk,
        username=f"probe-{tag}",
        first_name=tag,
        last_name=tag,
        email=f"{tag}@probe.invalid",
        is_active=True,
        is_staff=False,
        is_superuser=False,
    )
    user._portfolio_roles = list(roles)
    return user


class _Shapes:
    """A bounded, thread-safe map of shape key → compiled query (None: not reusable)."""

    def __init__(self, size: int):
        self.size = size
        self._cache: OrderedDict[tuple, _Compiled | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make: Callable[[], _Compiled | None]) -> _Compiled | None:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        compiled = make()
        with self._lock:
            self._cache[key] = compiled
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return compiled

    def __len__(self):
        return len(self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


class PageShape:
    """The page query of one list endpoint.

    Args:
        model: the listed model (its database is the one the compiled SQL runs on).
        listed: `listed(user)` → everything `user` may list, ordered (the scope rule's queryset).
        columns: the `.values()` columns of a page.
        cache_size: how many shapes to keep (least recently used go first).
    """

    def __init__(self, model, listed: Callable[[object], QuerySet], columns, cache_size: int = 256):
        self.model = model
        self.listed = listed
        self.columns = tuple(columns)
        self.shapes = _Shapes(cache_size)

    def build(self, user) -> QuerySet:
        """The `.values()` rows `user` may list, in order: what the ORM path paginates."""
        return self.listed(user).values(*self.columns)

    def page_queryset(self, user, offset: int, limit: int) -> QuerySet:
        """The ORM query of one page, with the total as `TOTAL` on every row."""
        return self.build(user).annotate(**{TOTAL: Window(Count("pk"))})[offset : offset + limit]

    def rows(self, user, offset: int, limit: int) -> list[dict] | None:
        """The page's rows (dicts, with `TOTAL`) from the shape's SQL, or None if the shape
        cannot be reused (then the caller paginates `build(user)` through the ORM)."""
        roles = tuple(R.roles_of(user))
        if not roles:
            return None
        alias = router.db_for_read(self.model)

        def make():
            ids = (_probe_ids(1, 1)[0], _probe_ids(1, 2)[0])
            days = (datetime.date(1001, 2, 3), datetime.date(1002, 4, 5))

            def build(values):
                with scope.as_of(values[TODAY]):
                    user = _probe_user(values[USER], roles, "a" if values[USER] == ids[0] else "b")
                    return self.page_queryset(user, offset, limit)

            return _compile(alias, build, {USER: ids, TODAY: days})

        compiled = self.shapes.get((alias, roles, offset, limit), make)
        if compiled is None:
            return None
        names = compiled.names
        rows = compiled.run(alias, {USER: user.pk, TODAY: scope.today()})
        return [dict(zip(names, row, strict=True)) for row in rows]

    def clear(self) -> None:
        self.shapes.clear()


class ChildShape:
    """The second query of a page: its children (scores, theme codes) for a list of ids.

    Args:
        model: the child model (its database is the one the compiled SQL runs on).
        build: `build(ids)` → a `values_list()` queryset of the children of those ids, ordered.
        cache_size: how many page lengths to keep.
    """

    def __init__(self, model, build: Callable[[list], QuerySet], cache_size: int = 64):
        self.model = model
        self.build = build
        self.shapes = _Shapes(cache_size)

    def rows(self, ids: list) -> list[tuple]:
        """The children of `ids` as tuples (the ORM's, through the compiled SQL if it can)."""
        if not ids:
            return []
        alias = router.db_for_read(self.model)
        slots = [_Slot(("id", i)) for i in range(len(ids))]

        def make():
            first, second = _probe_ids(len(ids), 1), _probe_ids(len(ids), 2)
            probes = {slot: (a, b) for slot, a, b in zip(slots, first, second, strict=True)}
            return _compile(alias, lambda values: self.build([values[slot] for slot in slots]), probes)

        compiled = self.shapes.get((alias, len(ids)), make)
        if compiled is None:
            return list(self.build(ids))
        # The compiled query's slots are those of the call that compiled it: ("id", position).
        return compiled.run(alias, {p: ids[p.name[1]] for p in compiled.params if isinstance(p, _Slot)})

    def clear(self) -> None:
        self.shapes.clear()
