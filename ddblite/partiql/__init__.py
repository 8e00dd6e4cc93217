"""DynamoDB's PartiQL dialect: parse once (cached by text), bind per call.

lexer -> parser (ast) -> bind (values, condition and update trees for
ddblite.expressions) -> plan (what a WHERE clause becomes for a key schema).
The operations live in ddblite.ops.partiql.
"""

from __future__ import annotations

from ddblite.partiql import ast
from ddblite.partiql.parser import parse as _parse
from ddblite.recursion import recursion_room

MAX_CACHED = 1024
_statements: dict[str, ast.Statement] = {}


def parse(text: str) -> ast.Statement:
    """The statement's syntax tree, cached by its text (trees are never mutated; a plain
    dict emptied when full, as a lookup here sits on every statement's path)."""
    statement = _statements.get(text)
    if statement is None:
        with recursion_room():  # an 8 KB statement can nest some thousands of levels
            statement = _parse(text)
        if len(_statements) >= MAX_CACHED:
            _statements.clear()
        _statements[text] = statement
    return statement


def clear_cache() -> None:
    _statements.clear()


__all__ = ["ast", "clear_cache", "parse"]
