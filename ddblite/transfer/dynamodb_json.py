"""DynamoDB JSON lines, the format of DynamoDB's S3 exports and ImportTable's default:
one `{"Item": {...}}` object per line, attribute values in the low-level shape with
binary values base64-encoded."""

from __future__ import annotations

import base64
from typing import Any

import orjson


def _bytes_default(value: Any) -> str:
    # orjson asks for every type it does not know; bytes are the B and BS members.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dump_line(item: dict) -> bytes:
    """One export line for a stored (low-level) item, newline included."""
    return orjson.dumps({"Item": item}, default=_bytes_default) + b"\n"


def dump_document(document: dict) -> bytes:
    """One line of any JSON document holding attribute values (incremental exports)."""
    return orjson.dumps(document, default=_bytes_default) + b"\n"


def decode_value(value: dict) -> dict:
    """A JSON attribute value -> the low-level shape (binary as bytes)."""
    if not isinstance(value, dict) or len(value) != 1:
        return value  # left for the item validator to refuse with DynamoDB's message
    (tag, inner), = value.items()
    if tag == "B" and isinstance(inner, str):
        return {"B": base64.b64decode(inner)}
    if tag == "BS" and isinstance(inner, list):
        return {"BS": [base64.b64decode(m) if isinstance(m, str) else m for m in inner]}
    if tag == "M" and isinstance(inner, dict):
        return {"M": {name: decode_value(v) for name, v in inner.items()}}
    if tag == "L" and isinstance(inner, list):
        return {"L": [decode_value(v) for v in inner]}
    return value


def load_line(line: bytes | str) -> dict:
    """One line -> the item in the low-level shape (ValueError on a malformed line)."""
    document = orjson.loads(line)
    if not isinstance(document, dict) or not isinstance(document.get("Item"), dict):
        raise ValueError('a DynamoDB JSON line is an object with an "Item" member')
    return {name: decode_value(value) for name, value in document["Item"].items()}
