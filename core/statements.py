"""Hot-path statements written as SQL once: reads turned into model instances the way a queryset
would, and inserts that do what `bulk_create` does.

On the lab's busiest write request, building a query's SQL in the ORM costs about ten times as long as
running it (`bench/scheduler_bench.py --profile`: lookups, joins and the compiler, for a statement
SQLite answers in 20-50 µs). The few statements such a request makes are therefore written once:

- column lists come from the models' `_meta`, so a renamed column cannot drift;
- every value goes through its field's `get_db_prep_value`, as the ORM's lookups do;
- every column comes back through the converters the ORM's compiler would apply, and rows become
  instances with `Model.from_db`, so callers get exactly what a queryset would have built (fields not
  read are deferred, as with `.only()`).

`insert` stores new instances as `bulk_create` would: each field's `pre_save` (auto_now_add) and
`get_db_prep_save`, one multi-row INSERT, the new ids from RETURNING. No signals are sent (as with
bulk_create). Each statement is tested against the ORM call it replaces, on SQLite and PostgreSQL.
"""

from django.db import connections
from django.db.models import Field, Model

_FIELD_PREP_SAVE = Field.get_db_prep_save


class Columns:
    """Some columns of one model under a table alias in a hand-written SELECT, and their instances."""

    def __init__(self, model: type[Model], alias: str, names=None):
        concrete = model._meta.concrete_fields
        wanted = set(names) if names is not None else None
        # from_db wants the values in concrete-field order.
        self.fields = [f for f in concrete if wanted is None or f.name in wanted or f.attname in wanted]
        if wanted is not None and len(self.fields) != len(wanted):
            unknown = wanted - {f.name for f in self.fields} - {f.attname for f in self.fields}
            raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
        self.model = model
        self.alias = alias
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    def column(self, name: str, connection) -> str:
        return f"{self.alias}.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def converters(self, connection) -> list:
        """(position, column, converters) of the columns that need converting, as the ORM's compiler
        would apply them (e.g. SQLite's text to an aware datetime); other values are used as read."""
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for position, f in enumerate(self.fields):
                expression = f.get_col(self.alias)
                chain = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                if chain:
                    found.append((position, expression, chain))
            self._converters[connection.alias] = found
        return found

    def select_from(self, connection) -> str:
        """`SELECT <these columns> FROM <the model's table> <alias>`: a WHERE clause follows."""
        return f"SELECT {self.sql(connection)} FROM {connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def read(self, connection, sql: str, params) -> list[Model]:
        return [self.instance(connection, row) for row in rows(sql, params, using=connection.alias)]

    def instance(self, connection, values) -> Model:
        if len(values) != len(self.fields):
            raise ValueError(f"{len(values)} values for {len(self.fields)} columns of {self.model.__name__}")
        converted = list(values)
        for position, expression, chain in self.converters(connection):
            value = converted[position]
            for converter in chain:
                value = converter(value, expression, connection)
            converted[position] = value
        return self.model.from_db(connection.alias, self.attnames, converted)


class Joined:
    """A model's columns and those of the row one of its foreign keys names (INNER JOIN), read into
    instances with the related object set: what `select_related(fk)` builds."""

    def __init__(self, columns: Columns, fk: str, related: Columns):
        self.columns, self.fk, self.related = columns, fk, related

    def column(self, name: str, connection) -> str:
        """A column of the model (not of the related one), for the WHERE clause."""
        return self.columns.column(name, connection)

    def select_from(self, connection) -> str:
        """`SELECT <both column lists> FROM <table> <alias> INNER JOIN <related table> ...`."""
        related = self.related
        return (f"SELECT {self.columns.sql(connection)}, {related.sql(connection)} "
                f"FROM {connection.ops.quote_name(self.columns.model._meta.db_table)} {self.columns.alias} "
                f"INNER JOIN {connection.ops.quote_name(related.model._meta.db_table)} {related.alias} "
                f"ON {self.columns.column(self.fk, connection)} = {related.column(related.model._meta.pk.name, connection)}")

    def read(self, connection, sql: str, params) -> list[Model]:
        width = len(self.columns)
        found = []
        for row in rows(sql, params, using=connection.alias):
            instance = self.columns.instance(connection, row[:width])
            setattr(instance, self.fk, self.related.instance(connection, row[width:]))
            found.append(instance)
        return found


_SQL: dict = {}


def sql_once(key: tuple, connection, build) -> str:
    """The statement `build(connection)` writes for `key` on this connection's database, built once."""
    full_key = (*key, connection.alias)
    sql = _SQL.get(full_key)
    if sql is None:
        sql = _SQL[full_key] = build(connection)
    return sql


def read_one(reader: Columns | Joined, name: str, value, connection) -> Model | None:
    """The instance whose column `name` (unique) equals `value`, or None: `.filter(name=value).first()`
    of the model `reader` reads (with its related row, for a Joined)."""
    sql = sql_once(("one", reader, name), connection,
                   lambda c: f"{reader.select_from(c)} WHERE {reader.column(name, c)} = %s")
    found = reader.read(connection, sql, [value])
    return found[0] if found else None


def db_value(model: type[Model], name: str, value, connection):
    """`value` as the database takes it for `model.name` (what a lookup on that field would send)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection, prepared=False)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def insert(objs: list[Model], *, using: str = "default") -> list[Model]:
    """Insert new instances of one model in one statement; set their ids. Returns `objs`."""
    if not objs:
        return objs
    connection = connections[using]
    model = type(objs[0])
    meta = model._meta
    with_ids = {getattr(obj, meta.pk.attname) is not None for obj in objs}
    if len(with_ids) > 1:
        raise ValueError("insert() takes instances that all have ids or none do")
    fields = [f for f in meta.concrete_fields if not f.generated and not (f.primary_key and True not in with_ids)]
    batch = max(connection.ops.bulk_batch_size(fields, objs) or len(objs), 1)
    for first in range(0, len(objs), batch):
        _insert_batch(objs[first:first + batch], fields, connection)
    return objs


def _insert_batch(objs: list[Model], fields: list, connection) -> None:
    meta = objs[0]._meta
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    sql = sql_once(("insert", meta.label, len(fields), len(objs)), connection, lambda c: (
        f"INSERT INTO {c.ops.quote_name(meta.db_table)} ({', '.join(c.ops.quote_name(f.column) for f in fields)}) "
        f"VALUES {', '.join([f'({placeholders(len(fields))})'] * len(objs))} RETURNING {c.ops.quote_name(meta.pk.column)}"
    ))
    params = []
    for obj in objs:
        for f in fields:
            value = f.pre_save(obj, True)
            # Field's own get_db_prep_save sends None as NULL; fields that override it (JSON, relations)
            # decide for themselves.
            params.append(None if value is None and type(f).get_db_prep_save is _FIELD_PREP_SAVE
                          else f.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        setattr(obj, meta.pk.attname, pk)
        obj._state.adding = False
        obj._state.db = connection.alias


def rows(sql: str, params, *, using: str = "default") -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
