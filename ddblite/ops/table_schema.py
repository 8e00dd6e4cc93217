"""Meaning checks of key schemas, attribute definitions, throughput and indexes (their
constraint checks are declared in ddblite/constraints.py).

Also stored_index, the catalog form of a requested index (CreateTable and UpdateTable share it).
"""

from __future__ import annotations

from typing import Any

from ddblite.errors import ValidationException

_INVALID = "One or more parameter values were invalid: "
MAX_THROUGHPUT = 1_000_000_000_000
MAX_MULTI_KEY_PART = 4

PAY_PER_REQUEST_THROUGHPUT = (
    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
    "BillingMode is PAY_PER_REQUEST"
)


def invalid(message: str) -> ValidationException:
    return ValidationException(_INVALID + message)


def check_key_definitions(schema: list, defined: list[str]) -> None:
    names = [e.get("AttributeName") for e in schema]
    missing = [n for n in names if n not in defined]
    if len(schema) == 2 and names[0] == names[1]:
        raise ValidationException("Invalid KeySchema: Some index key attribute have no definition")
    if missing:
        if not defined or len(schema) >= 2:
            raise ValidationException(
                "Invalid KeySchema: Some index key attribute have no definition"
            )
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(defined)}]"
        )


def check_schema_structure(schema: list) -> None:
    if schema[0].get("KeyType") != "HASH":
        raise ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(schema) == 2:
        if schema[0].get("AttributeName") == schema[1].get("AttributeName"):
            raise ValidationException(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )
        if schema[1].get("KeyType") != "RANGE":
            raise ValidationException(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )


def _check_index_keys_defined(indexes: list[dict], defined: list[str]) -> None:
    keys = list(dict.fromkeys(
        e.get("AttributeName") for index in indexes for e in index["KeySchema"]
    ))
    if any(name not in defined for name in keys):
        raise invalid(
            "Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(defined)}]"
        )


def _check_projection(projection: dict) -> None:
    kind = projection.get("ProjectionType")
    non_key = projection.get("NonKeyAttributes")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind != "INCLUDE" and non_key is not None:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and non_key is None:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
    if non_key is not None and len(set(non_key)) != len(non_key):
        duplicate = next(name for name in non_key if non_key.count(name) > 1)
        raise invalid(f"Duplicate NonKeyAttributes in Projection: {duplicate}")  # INFERRED


MAX_PROJECTED = 100


def check_projected_total(indexes: list[dict]) -> None:
    """At most 100 NonKeyAttributes summed over a table's indexes (a name projected
    into two indexes counts twice)."""
    total = sum(len((index.get("Projection") or {}).get("NonKeyAttributes") or ())
                for index in indexes)
    if total > MAX_PROJECTED:
        raise invalid(f"Number of projected attributes in all indexes exceeds limit of "
                      f"{MAX_PROJECTED}")


def _check_unique_names(indexes: list[dict], seen: set) -> None:
    for index in indexes:
        if index["IndexName"] in seen:
            raise invalid(f"Duplicate index name: {index['IndexName']}")
        seen.add(index["IndexName"])


def check_lsis(lsis: list[dict], schema: list, defined: list[str], seen: set) -> None:
    if len(schema) != 2:
        raise invalid(
            "Table KeySchema does not have a range key, which is required when specifying a "
            "LocalSecondaryIndex"
        )
    _check_index_keys_defined(lsis, defined)
    table_hash = schema[0]["AttributeName"]
    for index in lsis:
        index_schema = index["KeySchema"]
        check_schema_structure(index_schema)
        if len(index_schema) != 2:
            raise invalid(
                f"Index KeySchema does not have a range key for index: {index['IndexName']}"
            )
        index_hash = index_schema[0]["AttributeName"]
        if index_hash != table_hash:
            raise invalid(
                "Index KeySchema does not have the same leading hash key as table KeySchema "
                f"for index: {index['IndexName']}. index hash key: {index_hash}, "
                f"table hash key: {table_hash}"
            )
        _check_projection(index["Projection"])
    _check_unique_names(lsis, seen)
    if len(lsis) > 5:
        raise invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")


def _check_gsi_schema(index: dict) -> None:
    """A GSI key: one to four HASH elements, then up to four RANGE elements, no name twice.

    The two-element rules and messages are the table's; the multi-attribute ones
    (DynamoDB, November 2025) are INFERRED wordings.
    """
    schema = index["KeySchema"]
    if len(schema) <= 2 and [e.get("KeyType") for e in schema][1:] != ["HASH"]:
        check_schema_structure(schema)
        return
    if schema[0].get("KeyType") != "HASH":
        raise ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    kinds = [e.get("KeyType") for e in schema]
    hashes = kinds.count("HASH")
    if kinds != ["HASH"] * hashes + ["RANGE"] * (len(kinds) - hashes):
        raise ValidationException(
            "Invalid KeySchema: HASH key elements must precede RANGE key elements"
        )
    if hashes > MAX_MULTI_KEY_PART or len(kinds) - hashes > MAX_MULTI_KEY_PART:
        raise invalid(
            f"Index KeySchema can have at most {MAX_MULTI_KEY_PART} HASH and "
            f"{MAX_MULTI_KEY_PART} RANGE key elements for index: {index['IndexName']}"
        )
    names = [e.get("AttributeName") for e in schema]
    if len(set(names)) != len(names):
        raise invalid(f"Duplicate attribute names in KeySchema for index: {index['IndexName']}")


def check_gsis(gsis: list[dict], defined: list[str], billing: str, seen: set) -> None:
    _check_index_keys_defined(gsis, defined)
    for index in gsis:
        _check_gsi_schema(index)
        _check_projection(index["Projection"])
    _check_unique_names(gsis, seen)
    if len(gsis) > 20:
        raise invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
    for index in gsis:
        has_throughput = index.get("ProvisionedThroughput") is not None
        if billing == "PAY_PER_REQUEST" and has_throughput:
            raise invalid(
                f"ProvisionedThroughput should not be specified for index: {index['IndexName']} "
                "when BillingMode is PAY_PER_REQUEST"
            )
        if billing == "PROVISIONED" and not has_throughput:
            # INFERRED wording: DynamoDB requires index throughput on provisioned tables.
            raise invalid(
                f"ProvisionedThroughput must be specified for index: {index['IndexName']}"
            )


def check_throughput_bounds(throughput: dict) -> None:
    for field in ("ReadCapacityUnits", "WriteCapacityUnits"):
        value = throughput.get(field)
        if value is not None and value > MAX_THROUGHPUT:
            raise ValidationException(f"Given value {value} for {field} is out of bounds")


def check_billing_throughput(billing: str, throughput: dict | None) -> None:
    """A table's throughput against its billing mode, then against its bounds."""
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise invalid(PAY_PER_REQUEST_THROUGHPUT)
    if throughput is not None:
        check_throughput_bounds(throughput)


def stored_index(index: dict, provisioned: bool) -> dict:
    stored: dict[str, Any] = {
        "IndexName": index["IndexName"],
        "KeySchema": [
            {"AttributeName": e["AttributeName"], "KeyType": e["KeyType"]}
            for e in index["KeySchema"]
        ],
        "Projection": dict(index["Projection"]),
    }
    for member in ("OnDemandThroughput", "WarmThroughput"):  # described back as given
        if index.get(member) is not None:
            stored[member] = dict(index[member])
    if provisioned and index.get("ProvisionedThroughput") is not None:
        throughput = index["ProvisionedThroughput"]
        stored["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput["ReadCapacityUnits"],
            "WriteCapacityUnits": throughput["WriteCapacityUnits"],
        }
    return stored
