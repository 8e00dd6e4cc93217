"""Amazon Ion text, the subset DynamoDB's ION exports and ImportTable use.

Each item is `{Item:{...}}`: S as an Ion string, N as an Ion int or decimal, B as a
blob `{{base64}}`, BOOL and NULL as Ion booleans and null, sets as lists annotated
`$dynamodb_SS::`, `$dynamodb_NS::`, `$dynamodb_BS::`, M as a struct and L as a list.
Written by hand (a small, fixed grammar) so the format needs no extra dependency.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson

VERSION_MARKER = "$ion_1_0"


# ---------------------------------------------------------------- writing


def _string(text: str) -> str:
    return orjson.dumps(text).decode()  # JSON string escapes are Ion string escapes


def _number(text: str) -> str:
    # Ion: digits alone are an int; a decimal needs a point or a `d` exponent.
    text = text.replace("E", "d").replace("e", "d")
    sign = "-" if text.startswith("-") else ""
    body = text.lstrip("+-")
    if body.startswith("."):
        body = "0" + body
    if "." not in body and "d" not in body:
        return sign + (body.lstrip("0") or "0")
    return sign + body


def _blob(data: bytes) -> str:
    return "{{" + base64.b64encode(data).decode() + "}}"


def _value(value: dict) -> str:
    (tag, inner), = value.items()
    if tag == "S":
        return _string(inner)
    if tag == "N":
        return _number(inner)
    if tag == "B":
        return _blob(inner)
    if tag == "BOOL":
        return "true" if inner else "false"
    if tag == "NULL":
        return "null"
    if tag == "SS":
        return "$dynamodb_SS::[" + ",".join(_string(m) for m in inner) + "]"
    if tag == "NS":
        return "$dynamodb_NS::[" + ",".join(_number(m) for m in inner) + "]"
    if tag == "BS":
        return "$dynamodb_BS::[" + ",".join(_blob(m) for m in inner) + "]"
    if tag == "M":
        return _struct(inner)
    if tag == "L":
        return "[" + ",".join(_value(v) for v in inner) + "]"
    raise ValueError(f"unknown attribute type {tag}")


def _struct(item: dict) -> str:
    return "{" + ",".join(f"{_string(name)}:{_value(v)}" for name, v in item.items()) + "}"


def dump_line(item: dict) -> bytes:
    return ("{Item:" + _struct(item) + "}\n").encode()


def dump_change(micros: int, keys: dict, old: dict | None, new: dict | None) -> bytes:
    """An incremental export line: {Metadata:{WriteTimestampMicros:..},Keys:..,..Image:..}."""
    parts = [f"Metadata:{{WriteTimestampMicros:{micros}}}", "Keys:" + _struct(keys)]
    if old is not None:
        parts.append("OldImage:" + _struct(old))
    if new is not None:
        parts.append("NewImage:" + _struct(new))
    return ("{" + ",".join(parts) + "}\n").encode()


# ---------------------------------------------------------------- reading

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<blob>\{\{\s*(?P<b64>[A-Za-z0-9+/=\s]*)\}\})
    | (?P<punct>[{}\[\],:])
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<annotation>(?:[A-Za-z_$][A-Za-z0-9_$]*|'[^']*')::)
    | (?P<number>[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[dDeE][-+]?\d+)?)(?=[\s,\]}]|$)
    | (?P<symbol>[A-Za-z_$][A-Za-z0-9_$.]*|'(?:[^'\\]|\\.)*')
    )""",
    re.VERBOSE,
)
_SPACE = re.compile(r"\s*")
_SETS = {"$dynamodb_SS": "SS", "$dynamodb_NS": "NS", "$dynamodb_BS": "BS"}


class _Reader:
    """Tokens with one token of lookahead (each is matched once)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._ahead: tuple[str, str] | None = None

    def _scan(self) -> tuple[str, str]:
        match = _TOKEN.match(self.text, self.pos)
        if match is None or match.end() == self.pos:
            raise ValueError(f"bad Ion text at offset {self.pos}")
        self.pos = match.end()
        kind = match.lastgroup
        if kind == "b64" or kind == "blob":
            return "blob", match.group("b64")
        return kind, match.group(kind)  # type: ignore[arg-type]

    def token(self) -> tuple[str, str]:
        if self._ahead is not None:
            ahead, self._ahead = self._ahead, None
            return ahead
        return self._scan()

    def peek(self) -> tuple[str, str]:
        if self._ahead is None:
            self._ahead = self._scan()
        return self._ahead

    def at_end(self) -> bool:
        if self._ahead is not None:
            return False
        return _SPACE.match(self.text, self.pos).end() == len(self.text)  # type: ignore[union-attr]

    def expect(self, punct: str) -> None:
        kind, text = self.token()
        if text != punct:
            raise ValueError(f"expected {punct!r} in Ion text at offset {self.pos}")

    def value(self) -> dict:
        kind, text = self.token()
        annotation = None
        if kind == "annotation":
            annotation = text[:-2].strip("'")
            kind, text = self.token()
        if annotation in _SETS:
            if text != "[":
                raise ValueError("a $dynamodb set annotates a list")
            tag = _SETS[annotation]
            members = [next(iter(v.values())) for v in self._sequence("]")]
            return {tag: members}
        if kind == "string":
            return {"S": orjson.loads(text)}
        if kind == "number":
            return {"N": text.replace("_", "").replace("d", "E").replace("D", "E")}
        if kind == "blob":
            return {"B": base64.b64decode("".join(text.split()))}
        if kind == "symbol":
            if text in ("true", "false"):
                return {"BOOL": text == "true"}
            if text.startswith("null"):
                return {"NULL": True}
            return {"S": text.strip("'")}
        if text == "{":
            return {"M": self._fields()}
        if text == "[":
            return {"L": self._sequence("]")}
        raise ValueError(f"unexpected {text!r} in Ion text")

    def _sequence(self, close: str) -> list:
        values: list = []
        while True:
            if self.peek()[1] == close:
                self.token()
                return values
            values.append(self.value())
            if self.peek()[1] == ",":
                self.token()

    def _fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        while True:
            kind, text = self.token()
            if text == "}":
                return fields
            if kind == "string":
                name = orjson.loads(text)
            elif kind == "symbol":
                name = text.strip("'")
            else:
                raise ValueError(f"expected a field name in Ion text, not {text!r}")
            self.expect(":")
            fields[name] = self.value()
            if self.peek()[1] == ",":
                self.token()


def load_items(text: str):
    """Every `{Item:{...}}` in an Ion text document -> items in the low-level shape."""
    reader = _Reader(text)
    while not reader.at_end():
        kind, symbol = reader.peek()
        if kind == "symbol" and symbol == VERSION_MARKER:
            reader.token()
            continue
        document = reader.value()
        item = document.get("M", {}).get("Item")
        if not item or "M" not in item:
            raise ValueError("an Ion import value is a struct with an Item struct")
        yield item["M"]
