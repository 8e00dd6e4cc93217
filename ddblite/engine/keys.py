"""Key attribute checks: presence, type, emptiness and size, as DynamoDB words them."""

from __future__ import annotations

from typing import Any

from ddblite.attrvalue import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, key_value_bytes
from ddblite.engine.catalog import TableInfo
from ddblite.errors import ValidationException

_INVALID = "One or more parameter values were invalid: "
_SCHEMA_MISMATCH = "The provided key element does not match the schema"


def _check_value(name: str, expected: str, value: dict, is_partition: bool) -> None:
    (actual,) = value.keys()
    if actual != expected:
        raise ValidationException(
            f"{_INVALID}Type mismatch for key {name} expected: {expected} actual: {actual}"
        )
    _check_not_empty_and_size(name, expected, value[expected], is_partition)


def _check_not_empty_and_size(name: str, tag: str, inner: Any, is_partition: bool) -> None:
    if tag in ("S", "B") and len(inner) == 0:
        kind = "string" if tag == "S" else "binary"
        raise ValidationException(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty {kind} value. Key: {name}"
        )
    size = key_value_bytes(tag, inner)
    if is_partition and size > MAX_PARTITION_KEY_BYTES:
        raise ValidationException(
            f"{_INVALID}Size of hashkey has exceeded the maximum size limit of"
            f"{MAX_PARTITION_KEY_BYTES} bytes"
        )
    if not is_partition and size > MAX_SORT_KEY_BYTES:
        raise ValidationException(
            f"{_INVALID}Aggregated size of all range keys has exceeded the size limit of "
            f"{MAX_SORT_KEY_BYTES} bytes"
        )


def check_item_key(table: TableInfo, item: dict) -> None:
    """An item being written must carry every key attribute with its declared type."""
    for name, tag, is_partition in _key_parts(table):
        value = item.get(name)
        if value is None:
            raise ValidationException(f"{_INVALID}Missing the key {name} in the item")
        _check_value(name, tag, value, is_partition)


def check_key(table: TableInfo, key: dict) -> None:
    """A `Key` parameter must hold exactly the key attributes with their declared types."""
    if len(key) != len(table.key_names):
        raise ValidationException(_SCHEMA_MISMATCH)
    for name, tag, is_partition in _key_parts(table):
        value = key.get(name)
        if value is None:
            raise ValidationException(_SCHEMA_MISMATCH)
        (actual,) = value.keys()
        if actual != tag:
            raise ValidationException(_SCHEMA_MISMATCH)
        _check_not_empty_and_size(name, tag, value[tag], is_partition)


def _key_parts(table: TableInfo):
    yield table.pk_name, table.pk_type, True
    if table.sk_name is not None:
        yield table.sk_name, table.sk_type, False


def key_of(table: TableInfo, item: dict) -> dict:
    """The key attributes of an item, as a Key dict."""
    return {name: item[name] for name in table.key_names}
