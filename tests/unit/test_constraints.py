"""The declared constraint layer: its data matches botocore's model, its checker
collects violations in the declared order and visits only what a request holds."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

from ddblite import constraints
from ddblite._service_shapes import CONSTRAINTS, OPERATIONS, SHAPES
from ddblite.errors import ValidationException

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_shapes", ROOT / "tools" / "gen_shapes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_shapes_are_those_of_the_installed_botocore():
    generated = (ROOT / "ddblite" / "_service_shapes.py").read_text()
    assert _generator().render() == generated, "run python tools/gen_shapes.py"


def test_every_declared_name_is_in_the_model():
    for operation, members in constraints.MEMBERS.items():
        structure = SHAPES[OPERATIONS[operation]][1]
        assert set(members) <= set(structure), operation
        assert len(set(members)) == len(members), operation
    for shape, order in constraints.ORDER.items():
        assert sorted(order) == sorted(SHAPES[shape][1]), shape
    for shape, member in constraints.EXTRA:
        assert member in SHAPES[shape][1], (shape, member)


def test_enum_texts_reorder_the_model_values_only():
    for shape, values in constraints.ENUM_TEXT.items():
        assert sorted(values) == sorted(CONSTRAINTS[shape]["enum"]), shape


def test_violations_come_in_the_declared_order_with_dynamodb_paths():
    found = constraints.problems("CreateTable", {
        "TableName": "abc",
        "KeySchema": [{"AttributeName": "", "KeyType": "BOTH"}],
        "BillingMode": "FREE",
        "GlobalSecondaryIndexes": [{"IndexName": "g!", "KeySchema": [],
                                    "Projection": {"ProjectionType": "SOME"}}],
    })
    assert found == [
        "Value 'FREE' at 'billingMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
        "Value 'BOTH' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HASH, RANGE]",
        "Value '' at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        "Value null at 'attributeDefinitions' failed to satisfy constraint: "
        "Member must not be null",
        "Value 'g!' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value 'g!' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 3",
        "Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
        "Value 'SOME' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed "
        "to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]",
    ]


def test_a_too_long_list_of_structures_is_shown_as_java_does():
    schema = [{"AttributeName": n, "KeyType": "HASH"} for n in "abc"]
    found = constraints.problems("CreateTable", {"KeySchema": schema,
                                                 "AttributeDefinitions": []})
    assert found == [
        "Value '[KeySchemaElement(attributeName=a, keyType=HASH), KeySchemaElement("
        "attributeName=b, keyType=HASH), KeySchemaElement(attributeName=c, keyType=HASH)]' "
        "at 'keySchema' failed to satisfy constraint: Member must have length less than or "
        "equal to 2"
    ]


def test_check_raises_the_aggregated_form():
    with pytest.raises(ValidationException) as caught:
        constraints.check("UpdateTable", {"BillingMode": "X", "TableClass": "Y"})
    assert caught.value.message.startswith("2 validation errors detected: ")


def test_a_sound_request_has_no_problems():
    assert constraints.problems("UpdateTable", {"TableName": "t", "BillingMode": "PROVISIONED",
                                                "ProvisionedThroughput": {
                                                    "ReadCapacityUnits": 1,
                                                    "WriteCapacityUnits": 1}}) == []


def test_map_values_are_checked_under_their_key_and_null_ones_as_empty():
    found = constraints.problems("Query", {
        "KeyConditions": {"pk": {"ComparisonOperator": "SAME"}, "sk": None},
        "Limit": 0,
    })
    assert found == [
        "Value at 'Limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        "Value 'SAME' at 'keyConditions.pk.member.comparisonOperator' failed to satisfy "
        "constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, "
        "EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
        "Value null at 'keyConditions.sk.member.comparisonOperator' failed to satisfy "
        "constraint: Member must not be null",
    ]


def test_scan_words_its_limit_with_the_value():
    assert constraints.problems("Scan", {"Limit": 0}) == [
        "Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    ]


def test_a_declared_enum_can_narrow_the_model():
    found = constraints.problems("GetShardIterator", {
        "StreamArn": "a" * 40, "ShardId": "s" * 30, "ShardIteratorType": "AT_TIMESTAMP"})
    assert found == [
        "Value 'AT_TIMESTAMP' at 'shardIteratorType' failed to satisfy constraint: Member must "
        "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
        "AFTER_SEQUENCE_NUMBER]"
    ]


def test_members_left_out_of_a_declaration_are_not_checked():
    # TableName stays with the handlers (its rules depend on the operation).
    assert constraints.problems("GetItem", {"TableName": "", "Key": {}}) == []


def test_checkers_are_built_once_per_operation():
    constraints.problems("PutItem", {"Item": {}})
    first = constraints._BY_OPERATION["PutItem"]
    constraints.problems("PutItem", {"Item": {}})
    assert constraints._BY_OPERATION["PutItem"] is first


def test_first_builds_on_several_threads_agree(monkeypatch):
    import threading

    monkeypatch.setattr(constraints, "_BUILDER", constraints._Builder())
    monkeypatch.setattr(constraints, "_BY_OPERATION", {})
    request = {"KeySchema": [{"AttributeName": "k", "KeyType": "X"}],
               "AttributeDefinitions": [], "BillingMode": "Y"}
    results: list = []
    barrier = threading.Barrier(8)

    def run():
        barrier.wait()
        results.append(constraints.problems("CreateTable", request))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(len(found) == 2 for found in results)
    assert all(found == results[0] for found in results)
