"""HTTP content codings: compressed request bodies in, compressed answers out.

The AWS SDKs' request-compression feature sends `Content-Encoding: gzip`
bodies; HTTP clients also send `deflate`. Bodies are inflated in bounded steps
so a small compressed request cannot grow past the request size cap in memory
(a "zip bomb"). Shared by the server and the mock's wire path; nothing here
imports the HTTP stack.

Answers are compressed when the client accepts gzip or deflate and the body is
at least COMPRESS_MIN_BYTES long. DynamoDB documents no threshold; 1,000 bytes
is the lower bound AWS documents for CloudFront's automatic compression (below
it compression rarely pays for the client's CPU). INFERRED for DynamoDB.
"""

from __future__ import annotations

import gzip
import zlib

from ddblite.errors import SerializationException

COMPRESS_MIN_BYTES = 1000
# What a body may inflate to where no other cap applies (the mock): the server's
# request size cap.
MAX_INFLATED_BYTES = 16 * 1024 * 1024
_STEP = 256 * 1024  # inflate this much output at a time

# zlib window bits: gzip framing, zlib framing, and raw deflate (which some
# clients send as "deflate" although HTTP means the zlib framing).
_GZIP, _ZLIB, _RAW = 16 + zlib.MAX_WBITS, zlib.MAX_WBITS, -zlib.MAX_WBITS
_IDENTITY = frozenset({"", "identity"})


class BodyTooLarge(Exception):
    """A compressed body that inflates past the request size cap."""


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """The request body with its content codings undone (last applied, first undone).

    A coding the server does not know, or a body that is not what its coding
    says, gets DynamoDB's bare SerializationException (the body cannot be read;
    INFERRED: DynamoDB documents no text for it). Past `limit` bytes: BodyTooLarge.
    """
    if not content_encoding:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    for coding in reversed(codings):
        if coding in _IDENTITY:
            continue
        if coding in ("gzip", "x-gzip"):
            body = _inflate(body, (_GZIP,), limit)
        elif coding == "deflate":
            body = _inflate(body, (_ZLIB, _RAW), limit)
        else:
            raise SerializationException("")
    return body


def _inflate(body: bytes, framings: tuple[int, ...], limit: int) -> bytes:
    for framing in framings:
        try:
            return _inflate_one(body, framing, limit)
        except zlib.error:
            continue
    raise SerializationException("")


def _inflate_one(body: bytes, wbits: int, limit: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    parts = []
    size = 0
    data = body
    while True:
        chunk = inflater.decompress(data, _STEP)
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        parts.append(chunk)
        data = inflater.unconsumed_tail
        if not data:
            break
    tail = inflater.flush()
    size += len(tail)
    if size > limit:
        raise BodyTooLarge
    parts.append(tail)
    if not inflater.eof:
        raise zlib.error("truncated")  # the stream ended before its end marker
    if inflater.unused_data and wbits == _GZIP:
        # Concatenated gzip members are one valid body (RFC 1952).
        parts.append(_inflate_one(inflater.unused_data, wbits, limit - size))
    elif inflater.unused_data:
        raise zlib.error("trailing bytes")
    return b"".join(parts)


def accepted_coding(accept_encoding: str | None) -> str | None:
    """ "gzip" or "deflate" when the client's Accept-Encoding allows it, else None."""
    if not accept_encoding:
        return None
    allowed = {}
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        quality = 1.0
        params = params.strip().lower()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        allowed[name.strip().lower()] = quality
    for coding in ("gzip", "deflate"):
        if allowed.get(coding, allowed.get("*", 0.0)) > 0:
            return coding
    return None


def compress(body: bytes, coding: str) -> bytes:
    """The body in `coding` (gzip framing, or HTTP's zlib-framed deflate)."""
    if coding == "gzip":
        return gzip.compress(body, compresslevel=6, mtime=0)
    return zlib.compress(body, 6)
