"""Lexer shared by every expression grammar, and DynamoDB's syntax-error wording.

DynamoDB reports a syntax error as ``Syntax error; token: "<tok>", near: "<window>"``
where the window is the source text from the token before the offending one to the
token after it (``"a x"``, ``"INVALID SYNTAX"``, ``"dummy-id"``); at end of input the
token is ``<EOF>``. Characters no rule knows become one-character tokens, and a digit
outside ``[...]`` is a token of its own (``"#n_2021-03"`` fails near ``"#n_2021-0"``).
"""

from __future__ import annotations

from ddblite.errors import ValidationException

# Token kinds.
NAME = "name"  # identifier: [A-Za-z_][A-Za-z0-9_]*
ATTR_NAME = "#name"  # #placeholder
ATTR_VALUE = ":value"  # :placeholder
INDEX = "index"  # digits inside [...]
PUNCT = "punct"  # ( ) [ ] . , = <> < <= > >= + -
OTHER = "other"  # anything else, one character
EOF = "eof"

_IDENT_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT_PART = _IDENT_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_WHITESPACE = frozenset(" \t\r\n")
_SINGLE_PUNCT = frozenset("()[].,=+-")


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    def is_keyword(self, word: str) -> bool:
        return self.kind == NAME and self.text.upper() == word

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text!r}, {self.start})"


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, ending with an EOF token."""
    tokens: list[Token] = []
    append = tokens.append
    i = 0
    n = len(text)
    after_bracket = False  # digits right after '[' form one INDEX token
    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        start = i
        if ch in _IDENT_START:
            i += 1
            while i < n and text[i] in _IDENT_PART:
                i += 1
            append(Token(NAME, text[start:i], start, i))
        elif ch == "#" or ch == ":":
            i += 1
            while i < n and text[i] in _IDENT_PART:
                i += 1
            kind = ATTR_NAME if ch == "#" else ATTR_VALUE
            if i == start + 1:
                kind = OTHER
            append(Token(kind, text[start:i], start, i))
        elif ch in _DIGITS and after_bracket:
            i += 1
            while i < n and text[i] in _DIGITS:
                i += 1
            append(Token(INDEX, text[start:i], start, i))
        elif ch in "<>":
            nxt = text[i + 1] if i + 1 < n else ""
            if nxt == "=" or (ch == "<" and nxt == ">"):
                i += 2
            else:
                i += 1
            append(Token(PUNCT, text[start:i], start, i))
        elif ch in _SINGLE_PUNCT:
            i += 1
            append(Token(PUNCT, ch, start, i))
        else:
            i += 1
            append(Token(OTHER, ch, start, i))
        after_bracket = tokens[-1].text == "[" and tokens[-1].kind == PUNCT
    append(Token(EOF, "<EOF>", n, n))
    return tokens


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> ValidationException:  # type: ignore[valid-type]
    """DynamoDB's syntax error for the token at ``tokens[index]``."""
    bad = tokens[index]
    start = tokens[index - 1].start if index > 0 else bad.start
    end = bad.end
    if bad.kind != EOF and index + 1 < len(tokens) and tokens[index + 1].kind != EOF:
        end = tokens[index + 1].end
    near = text[start:end]
    return ValidationException(f'Invalid {kind}: Syntax error; token: "{bad.text}", near: "{near}"')
