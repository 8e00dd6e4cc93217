"""Timestamp members of requests (ListBackups' time range, ExportTime, ...).

On the wire botocore sends epoch seconds; the embedded client hands over whatever the
caller passed, which boto3 would have accepted: a datetime, epoch seconds or ISO 8601.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ddblite.errors import SerializationException
from ddblite.validate import _kind


def expect_time(params: dict, name: str) -> float | None:
    """The member as epoch seconds, or None when absent."""
    value: Any = params.get(name)
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:  # botocore reads naive datetimes as UTC
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return expect_time({name: datetime.fromisoformat(value)}, name)
        except ValueError:
            pass
    raise SerializationException(f"{_kind(value)} cannot be converted to Timestamp")


def stamp(epoch: float | None) -> datetime | None:
    """Epoch seconds -> the datetime a response carries (the wire turns it back)."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
