"""Shape and meaning checks of key schemas, attribute definitions, throughput and indexes.

Also stored_index, the catalog form of a requested index (CreateTable and UpdateTable share it).
"""

from __future__ import annotations

from typing import Any

from ddblite.errors import SerializationException, ValidationException
from ddblite.ops.table_options import check_warm
from ddblite.validate import (
    TABLE_NAME_PATTERN,
    TABLE_NAME_RULE,
    Shape,
    expect_int,
    expect_list,
    expect_map,
    expect_str,
)

_INVALID = "One or more parameter values were invalid: "
KEY_TYPES = ("HASH", "RANGE")
ATTRIBUTE_TYPES = ("B", "N", "S")
PROJECTION_TYPES = ("ALL", "INCLUDE", "KEYS_ONLY")
MAX_THROUGHPUT = 1_000_000_000_000
MAX_GSI_KEY_ELEMENTS = 8
MAX_MULTI_KEY_PART = 4


def _render_schema(schema: list) -> str:
    return "[" + ", ".join(
        f"KeySchemaElement(attributeName={e.get('AttributeName')}, keyType={e.get('KeyType')})"
        for e in schema if isinstance(e, dict)
    ) + "]"


def check_key_schema(shape: Shape, schema: list | None, member: str,
                     max_length: int = 2) -> None:
    if not shape.not_null(schema, member):
        return
    if not schema:
        shape.add("[]", member, "Member must have length greater than or equal to 1")
    elif len(schema) > max_length:
        shape.add(_render_schema(schema), member,
                  f"Member must have length less than or equal to {max_length}")
    for i, element in enumerate(schema, 1):
        if not isinstance(element, dict):
            raise SerializationException("Unexpected value type in payload")
        name = expect_str(element, "AttributeName")
        key_type = expect_str(element, "KeyType")
        where = f"{member}.{i}.member"
        if shape.not_null(key_type, f"{where}.keyType"):
            shape.enum(key_type, f"{where}.keyType", KEY_TYPES)
        if shape.not_null(name, f"{where}.attributeName"):
            shape.length_between(name, f"{where}.attributeName", 1, 255)


def check_throughput(shape: Shape, throughput: dict | None, member: str) -> None:
    if throughput is None:
        return
    for field, wire in (("WriteCapacityUnits", "writeCapacityUnits"),
                        ("ReadCapacityUnits", "readCapacityUnits")):
        value = expect_int(throughput, field)
        if shape.not_null(value, f"{member}.{wire}"):
            shape.at_least(value, f"{member}.{wire}", 1)


def check_definitions(shape: Shape, definitions: list | None) -> None:
    if not shape.not_null(definitions, "attributeDefinitions"):
        return
    for i, definition in enumerate(definitions, 1):
        if not isinstance(definition, dict):
            raise SerializationException("Unexpected value type in payload")
        name = expect_str(definition, "AttributeName")
        kind = expect_str(definition, "AttributeType")
        member = f"attributeDefinitions.{i}.member"
        if shape.not_null(kind, f"{member}.attributeType"):
            shape.enum(kind, f"{member}.attributeType", ATTRIBUTE_TYPES)
        if shape.not_null(name, f"{member}.attributeName"):
            shape.length_between(name, f"{member}.attributeName", 1, 255)


def check_index_shapes(shape: Shape, indexes: list[dict] | None, member: str,
                       with_throughput: bool, numbered: bool = True) -> None:
    for i, index in enumerate(indexes or (), 1):
        where = f"{member}.{i}.member" if numbered else member
        name = expect_str(index, "IndexName")
        if shape.not_null(name, f"{where}.indexName"):
            if not TABLE_NAME_PATTERN.fullmatch(name):
                shape.add(name, f"{where}.indexName", TABLE_NAME_RULE)
            shape.length_between(name, f"{where}.indexName", 3, 255)
        # GSIs take multi-attribute keys: up to 4 HASH and 4 RANGE elements.
        check_key_schema(shape, expect_list(index, "KeySchema"), f"{where}.keySchema",
                         MAX_GSI_KEY_ELEMENTS if with_throughput else 2)
        projection = expect_map(index, "Projection")
        if shape.not_null(projection, f"{where}.projection"):
            projection_type = expect_str(projection, "ProjectionType")
            shape.enum(projection_type, f"{where}.projection.projectionType", PROJECTION_TYPES)
            non_key = expect_list(projection, "NonKeyAttributes")
            if non_key is not None:
                shape.length_between(non_key, f"{where}.projection.nonKeyAttributes", 1, 20)
        if with_throughput:
            check_throughput(shape, expect_map(index, "ProvisionedThroughput"),
                             f"{where}.provisionedThroughput")
            check_warm(shape, expect_map(index, "WarmThroughput"), f"{where}.warmThroughput")


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
