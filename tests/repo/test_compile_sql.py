"""How statements become psycopg SQL and values (app.db.pool.compile_sql); no database needed."""

from __future__ import annotations

from psycopg.types.json import Json
from sqlalchemy import JSON, Column, Integer, MetaData, Table, TypeDecorator, select, text

from app.db.pool import compile_sql


class Doubled(TypeDecorator[int]):
    """A type with a bind processor, to see processors applied."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: object) -> int | None:
        return None if value is None else value * 2


things = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("n", Doubled),
    Column("doc", JSON),
)


def test_text_binds_named_values_and_keeps_casts_and_percent_signs() -> None:
    stmt = text("SELECT CAST(:ids AS int[]), x::text, y % 2 FROM t WHERE a = :a")
    sql, params = compile_sql(stmt, {"ids": [1, 2], "a": "z", "unused": 1})
    assert sql == "SELECT CAST(%(ids)s AS int[]), x::text, y %% 2 FROM t WHERE a = %(a)s"
    assert params == {"ids": [1, 2], "a": "z"}


def test_a_text_statement_is_compiled_once() -> None:
    stmt = text("SELECT :a")
    first, _ = compile_sql(stmt, {"a": 1})
    second, params = compile_sql(stmt, {"a": 2})
    assert first is second
    assert params == {"a": 2}


def test_in_lists_expand_with_each_element_processed() -> None:
    sql, params = compile_sql(select(things.c.id).where(things.c.n.in_([1, 2, 3])))
    assert "IN (%(n_1_1)s" in sql
    assert sorted(params.values()) == [2, 4, 6]


def test_json_values_are_serialised_like_sqlalchemy_does() -> None:
    _, params = compile_sql(things.insert().values(id=1, n=5, doc={"a": [1]}))
    assert params["n"] == 10
    # psycopg's Json wrapper: the dialect's JSON processor ran.
    assert type(params["doc"]) is Json and params["doc"].obj == {"a": [1]}
