"""Key attribute checks: presence, type, emptiness and size, as DynamoDB words them.

The order is DynamoDB's: partition key (present, type, not empty, size), then
sort key likewise. Values reaching here were canonicalised by ddblite.attrvalue,
so each holds exactly one type tag.
"""

from __future__ import annotations

from ddblite.attrvalue import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, key_value_bytes
from ddblite.engine.catalog import TableInfo
from ddblite.errors import ValidationException

_INVALID = "One or more parameter values were invalid: "
SCHEMA_MISMATCH = "The provided key element does not match the schema"
HASH_KEY_TOO_BIG = (
    f"{_INVALID}Size of hashkey has exceeded the maximum size limit of"
    f"{MAX_PARTITION_KEY_BYTES} bytes"
)
RANGE_KEY_TOO_BIG = (
    f"{_INVALID}Aggregated size of all range keys has exceeded the size limit of "
    f"{MAX_SORT_KEY_BYTES} bytes"
)


EMPTY_KEY_PREFIX = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute "
    "cannot contain an empty "
)


def _empty_key_message(kind: str, name: str) -> str:
    return f"{EMPTY_KEY_PREFIX}{kind} value. Key: {name}"


def _check_value(name: str, expected: str, value: dict, is_partition: bool,
                 mismatch: str | None) -> None:
    inner = value.get(expected)
    if inner is None:
        if mismatch is not None:
            raise ValidationException(mismatch)
        (actual,) = value.keys()
        raise ValidationException(
            f"{_INVALID}Type mismatch for key {name} expected: {expected} actual: {actual}"
        )
    if expected != "N" and not inner:
        raise ValidationException(
            _empty_key_message("string" if expected == "S" else "binary", name)
        )
    if expected == "N":
        return  # a number key takes at most 21 bytes: under both limits
    # Short values cannot reach the limits (a character is at most 4 UTF-8 bytes):
    # skip measuring them, which is the common case.
    if len(inner) * (4 if expected == "S" else 1) <= MAX_SORT_KEY_BYTES:
        return
    size = key_value_bytes(expected, inner)
    if is_partition:
        if size > MAX_PARTITION_KEY_BYTES:
            raise ValidationException(HASH_KEY_TOO_BIG)
    elif size > MAX_SORT_KEY_BYTES:
        raise ValidationException(RANGE_KEY_TOO_BIG)


def check_item_key(table: TableInfo, item: dict, *, batch: bool = False) -> None:
    """An item being written must carry every key attribute with its declared type.

    PutItem names a wrong-typed key; BatchWriteItem reports the schema mismatch.
    """
    mismatch = SCHEMA_MISMATCH if batch else None
    value = item.get(table.pk_name)
    if value is None:
        if batch:
            raise ValidationException(SCHEMA_MISMATCH)
        raise ValidationException(f"{_INVALID}Missing the key {table.pk_name} in the item")
    _check_value(table.pk_name, table.pk_type, value, True, mismatch)
    if table.sk_name is not None:
        value = item.get(table.sk_name)
        if value is None:
            if batch:
                raise ValidationException(SCHEMA_MISMATCH)
            raise ValidationException(f"{_INVALID}Missing the key {table.sk_name} in the item")
        _check_value(table.sk_name, table.sk_type, value, False, mismatch)


def check_key(table: TableInfo, key: dict) -> None:
    """A `Key` parameter must hold exactly the key attributes with their declared types."""
    if len(key) != len(table.key_names):
        raise ValidationException(SCHEMA_MISMATCH)
    value = key.get(table.pk_name)
    if value is None:
        raise ValidationException(SCHEMA_MISMATCH)
    _check_value(table.pk_name, table.pk_type, value, True, SCHEMA_MISMATCH)
    if table.sk_name is not None:
        value = key.get(table.sk_name)
        if value is None:
            raise ValidationException(SCHEMA_MISMATCH)
        _check_value(table.sk_name, table.sk_type, value, False, SCHEMA_MISMATCH)


def key_of(table: TableInfo, item: dict) -> dict:
    """The key attributes of an item, as a Key dict."""
    return {name: item[name] for name in table.key_names}

