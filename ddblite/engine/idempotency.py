"""ClientRequestToken records of TransactWriteItems, kept for DynamoDB's 10 minutes.

A token is stored in the "meta" space inside the transaction it made idempotent, so
it exists exactly when that transaction committed, survives reopening, and is seen
by every process sharing the directory (LMDB serialises write transactions, so a
retry racing the original in another process finds the record).

Layout in "meta":
  b"x:" token                          msgpack [request fingerprint, expiry epoch seconds]
  b"y:" expiry (8-byte float) token    b"" - expiry order, so expired records are swept
"""

from __future__ import annotations

import hashlib
import struct

import msgpack

from ddblite.storage import ReadTxn, WriteTxn
from ddblite.storage.interface import prefix_end

WINDOW_SECONDS = 600.0
_EXPIRY = struct.Struct(">d")
_SWEEP_PER_WRITE = 32  # expired records removed per new one: the store stays bounded


def fingerprint(request: object) -> bytes:
    """A stable digest of the request members that must match on a retry."""
    return hashlib.sha256(msgpack.packb(request, use_bin_type=True)).digest()


def _token_key(token: str) -> bytes:
    return b"x:" + token.encode("utf-8", "surrogatepass")


def lookup(txn: ReadTxn, token: str, now: float) -> bytes | None:
    """The fingerprint recorded for a token still inside its window, or None."""
    raw = txn.get("meta", _token_key(token))
    if raw is None:
        return None
    digest, expires = msgpack.unpackb(raw)
    return digest if expires > now else None


def remember(txn: WriteTxn, token: str, digest: bytes, now: float) -> None:
    """Record a token for the window (replacing an expired record of it)."""
    _sweep(txn, now)
    key = _token_key(token)
    old = txn.get("meta", key)
    if old is not None:
        txn.delete("meta", b"y:" + _EXPIRY.pack(msgpack.unpackb(old)[1]) + key[2:])
    expires = now + WINDOW_SECONDS
    txn.put("meta", key, msgpack.packb([digest, expires]))
    txn.put("meta", b"y:" + _EXPIRY.pack(expires) + key[2:], b"")


def _sweep(txn: WriteTxn, now: float) -> None:
    expired = []
    for key, _ in txn.range("meta", b"y:", prefix_end(b"y:")):
        if _EXPIRY.unpack_from(key, 2)[0] > now or len(expired) >= _SWEEP_PER_WRITE:
            break
        expired.append(key)
    for key in expired:
        txn.delete("meta", key)
        txn.delete("meta", b"x:" + key[2 + _EXPIRY.size:])
