"""Querysets compiled to SQL once per process and database, then run with other values.

Every signed-in page asks a few small questions of the database — the unread count, the
person's like of the video, their subscription, where they left off — and building a query's
SQL through the ORM costs several times what the database then takes to answer it. A Prepared
query is the queryset its function builds, written by the ORM once (with stand-ins for the
values) and run again with the real ones.
"""

import itertools

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections

# Stand-ins for the ids while the SQL is written: positive, and in range for any integer
# column, so that the ORM writes the same SQL as for a real id.
_STAND_INS = itertools.count(2_147_000_001)


class Prepared:
    def __init__(self, build):
        """`build(**ids)` returns the queryset for the ids (whole numbers) given by name."""
        self.build = build
        self.compiled: dict[tuple, tuple[str, str, list, dict[int, str]]] = {}

    def _sql(self, names: tuple[str, ...]) -> tuple[str, str, list, dict[int, str]]:
        key = (names, connections[DEFAULT_DB_ALIAS].vendor)
        if key not in self.compiled:
            stand_ins = {name: next(_STAND_INS) for name in names}
            queryset = self.build(**stand_ins)
            try:
                sql, params = queryset.query.sql_with_params()
            except EmptyResultSet:
                raise ValueError("the query matches nothing whatever the ids") from None
            by_value = {value: name for name, value in stand_ins.items()}
            slots = {i: by_value[p] for i, p in enumerate(params) if p in by_value}
            if set(slots.values()) != set(names):
                raise ValueError("each value must reach the SQL as a parameter")
            self.compiled[key] = (queryset.db, sql, list(params), slots)
        return self.compiled[key]

    def _rows(self, wrap: str, values: dict) -> list[tuple]:
        if not all(type(value) is int for value in values.values()):
            raise TypeError("a prepared query takes ids, not objects")
        alias, sql, params, slots = self._sql(tuple(sorted(values)))
        params = [values[slots[i]] if i in slots else p for i, p in enumerate(params)]
        with connections[alias].cursor() as cursor:
            cursor.execute(wrap.format(sql), params)
            return cursor.fetchall()

    def count(self, **values) -> int:
        return self._rows("SELECT COUNT(*) FROM ({}) counted", values)[0][0]

    def exists(self, **values) -> bool:
        return bool(self._rows("SELECT 1 FROM ({}) found LIMIT 1", values))

    def rows(self, **values) -> list[tuple]:
        return self._rows("{}", values)

    def row(self, **values) -> tuple | None:
        """The first row, or None."""
        rows = self._rows("SELECT * FROM ({}) found LIMIT 1", values)
        return rows[0] if rows else None
