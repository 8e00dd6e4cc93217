"""Tokens of DynamoDB's PartiQL dialect.

Kinds: NAME (bare identifier or keyword, as written), QNAME ("quoted" identifier),
STRING ('single quoted', '' escapes a quote), NUMBER (text as written), PARAM (?),
OP (punctuation, longest match first: << >> <= >= <> != then single characters),
END. Keywords are recognised by the parser, case-insensitively, so a bare word
stays usable as an attribute name where the grammar allows one.
"""

from __future__ import annotations

import re

from ddblite.errors import ValidationException

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|--[^\n]*)
  | (?P<qname>"(?:[^"]|"")*")
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<op><<|>>|<=|>=|<>|!=|\|\||[=<>(),.\[\]{}*?:+\-/%])
    """,
    re.VERBOSE,
)


class Token:
    __slots__ = ("kind", "text", "pos")

    def __init__(self, kind: str, text: str, pos: int) -> None:
        self.kind = kind
        self.text = text  # for STRING and QNAME: the unquoted value
        self.pos = pos

    def is_word(self, *words: str) -> bool:
        return self.kind == "NAME" and self.text.upper() in words

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text!r})"


def malformed(detail: str) -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(NOT_WELL_FORMED + detail)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    end = len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            # INFERRED: DynamoDB names the offending character in its own words.
            raise malformed(f"Unexpected character: {text[pos]}")
        kind = match.lastgroup
        raw = match.group()
        if kind == "qname":
            tokens.append(Token("QNAME", raw[1:-1].replace('""', '"'), pos))
        elif kind == "string":
            tokens.append(Token("STRING", raw[1:-1].replace("''", "'"), pos))
        elif kind == "number":
            tokens.append(Token("NUMBER", raw, pos))
        elif kind == "name":
            tokens.append(Token("NAME", raw, pos))
        elif kind == "op":
            tokens.append(Token("PARAM" if raw == "?" else "OP", raw, pos))
        pos = match.end()
    tokens.append(Token("END", "", end))
    return tokens
