"""DynamoDB's PartiQL dialect: parse once (cached by text), bind per call.

lexer -> parser (ast) -> bind (values, condition and update trees for
ddblite.expressions) -> plan (what a WHERE clause becomes for a key schema).
The operations live in ddblite.ops.partiql.
"""

from __future__ import annotations

from ddblite.expressions.api import LRUCache
from ddblite.partiql import ast
from ddblite.partiql.parser import parse as _parse

_statements = LRUCache()


def parse(text: str) -> ast.Statement:
    """The statement's syntax tree, cached by its text (trees are never mutated)."""
    return _statements.get_or_build(text, lambda: _parse(text))


def clear_cache() -> None:
    _statements.clear()


__all__ = ["ast", "clear_cache", "parse"]
