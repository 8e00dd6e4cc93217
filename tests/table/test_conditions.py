"""Key/Attr conditions render exactly the expressions and placeholders boto3 sends."""

from __future__ import annotations

import copy
import re
from decimal import Decimal

import boto3.dynamodb.conditions as boto3_conditions
import botocore.session
import pytest
from boto3.dynamodb.transform import TransformationInjector

from ddblite import conditions
from ddblite.conditions import Attr, ConditionExpressionBuilder, Key
from ddblite.table import low_level_request

# Each case builds a condition from a module's (Key, Attr); run with ddblite's and boto3's.
CASES = {
    "eq": lambda K, A: A("a").eq("x"),
    "ne": lambda K, A: A("a").ne(1),
    "lt": lambda K, A: A("a").lt(Decimal("1.5")),
    "lte": lambda K, A: A("a").lte(2),
    "gt": lambda K, A: A("a").gt(3),
    "gte": lambda K, A: A("a").gte(4),
    "begins_with": lambda K, A: A("a").begins_with("pre"),
    "between": lambda K, A: A("a").between(1, 9),
    "is_in": lambda K, A: A("a").is_in(["x", "y", "z"]),
    "exists": lambda K, A: A("a").exists(),
    "not_exists": lambda K, A: A("a").not_exists(),
    "contains": lambda K, A: A("tags").contains("red"),
    "size": lambda K, A: A("list").size().gt(3),
    "size_between": lambda K, A: A("s").size().between(1, 2),
    "attribute_type": lambda K, A: A("a").attribute_type("S"),
    "and": lambda K, A: A("a").eq(1) & A("b").eq(2),
    "or": lambda K, A: A("a").eq(1) | A("b").exists(),
    "not": lambda K, A: ~A("a").eq(1),
    "nested": lambda K, A: (A("a").eq(1) | ~A("b").lt(2)) & A("c").is_in([3, 4]),
    "same_name_twice": lambda K, A: A("a").gt(1) & A("a").lt(5),
    "document_path": lambda K, A: A("map.inner[2].leaf").eq("v"),
    "index_only": lambda K, A: A("list[0]").exists(),
    "reserved_and_odd_names": lambda K, A: A("size").eq(1) & A("a-b c").eq(2),
    "key_eq": lambda K, A: K("pk").eq("p"),
    "key_and_range": lambda K, A: K("pk").eq("p") & K("sk").between(1, 5),
    "key_begins_with": lambda K, A: K("pk").eq("p") & K("sk").begins_with("2024-"),
    "key_lt": lambda K, A: K("pk").eq(Decimal(7)) & K("sk").lt(b"\x00"),
}


def build(module, case, is_key_condition=False):
    condition = CASES[case](module.Key, module.Attr)
    built = module.ConditionExpressionBuilder().build_expression(
        condition, is_key_condition=is_key_condition
    )
    return tuple(built)


@pytest.mark.parametrize("case", sorted(CASES))
def test_renders_like_boto3(case) -> None:
    assert build(conditions, case) == build(boto3_conditions, case)


@pytest.mark.parametrize("case", sorted(c for c in CASES if c.startswith("key_")))
def test_key_conditions_render_like_boto3(case) -> None:
    assert build(conditions, case, True) == build(boto3_conditions, case, True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_boto3_objects_render_the_same(case) -> None:
    ours = ConditionExpressionBuilder().build_expression(
        CASES[case](boto3_conditions.Key, boto3_conditions.Attr)
    )
    assert tuple(ours) == build(boto3_conditions, case)


def test_mixed_objects_combine() -> None:
    mixed = Attr("a").eq(1) & boto3_conditions.Attr("b").eq(2)
    built = ConditionExpressionBuilder().build_expression(mixed)
    assert tuple(built) == ("(#n0 = :v0 AND #n1 = :v1)", {"#n0": "a", "#n1": "b"},
                            {":v0": 1, ":v1": 2})


def test_placeholders_continue_across_builds() -> None:
    builder = ConditionExpressionBuilder()
    first = builder.build_expression(Attr("a").eq(1))
    second = builder.build_expression(Attr("b").eq(2))
    assert first.condition_expression == "#n0 = :v0"
    assert second.condition_expression == "#n1 = :v1"
    builder.reset()
    assert builder.build_expression(Attr("c").eq(3)).condition_expression == "#n0 = :v0"


def test_equality_like_boto3() -> None:
    assert Attr("a").eq(1) == Attr("a").eq(1)
    assert Attr("a").eq(1) != Attr("a").eq(2)
    assert Attr("a").eq(1) != Attr("a").ne(1)
    assert Key("a") == Key("a") and Key("a") != Attr("a")


def without_addresses(text: str) -> str:
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def test_errors_carry_boto3s_texts() -> None:
    for ours, theirs in ((Attr("a"), boto3_conditions.Attr("a")),):
        for operation, apply in (("AND", lambda x: x & x), ("OR", lambda x: x | x),
                                 ("NOT", lambda x: ~x)):
            with pytest.raises(conditions.DynamoDBOperationNotSupportedError) as mine:
                apply(ours)
            with pytest.raises(Exception) as boto3s:
                apply(theirs)
            assert without_addresses(str(mine.value)) == without_addresses(
                str(boto3s.value).replace("boto3.dynamodb.conditions", "ddblite.conditions"))
            assert str(mine.value).startswith(f"{operation} operation cannot be applied")
    with pytest.raises(conditions.DynamoDBOperationNotSupportedError):
        Attr("a").eq(1) & "a = b"
    with pytest.raises(conditions.DynamoDBNeedsConditionError) as excinfo:
        ConditionExpressionBuilder().build_expression("a = :b")
    assert str(excinfo.value) == (
        "Expecting a ConditionBase object. Got a = :b of type <class 'str'>. Use AttributeBase "
        "object methods (i.e. Attr().eq()). to generate ConditionBase instances."
    )
    with pytest.raises(conditions.DynamoDBNeedsKeyConditionError) as excinfo:
        ConditionExpressionBuilder().build_expression(Key("pk").eq(1) & Attr("x").eq(2),
                                                      is_key_condition=True)
    assert str(excinfo.value) == (
        "Attribute object x is of type <class 'ddblite.conditions.Attr'>. "
        "KeyConditionExpression only supports Attribute objects of type Key"
    )


# ---------------------------------------------------------------- whole requests vs boto3's


_MODEL = botocore.session.get_session().get_service_model("dynamodb")


def boto3_request(operation: str, params: dict) -> dict:
    """The low-level request boto3's Table resource makes of these arguments."""
    params = copy.deepcopy(params)
    params["TableName"] = "things"
    model = _MODEL.operation_model(operation)
    injector = TransformationInjector()
    injector.inject_condition_expressions(params, model)
    injector.inject_attribute_value_input(params, model)
    return params


def request_cases(K, A):  # noqa: N803 - the modules' class names
    return {
        "query_filter_first": ("Query", {
            "FilterExpression": A("n").gt(3) & A("t").exists(),
            "KeyConditionExpression": K("pk").eq("p") & K("sk").begins_with("x"),
            "Limit": 5,
        }),
        "query_key_first": ("Query", {
            "KeyConditionExpression": K("pk").eq("p"),
            "FilterExpression": A("n").is_in([1, 2]),
            "ExclusiveStartKey": {"pk": "p", "sk": 4},
        }),
        "query_with_callers_placeholders": ("Query", {
            "KeyConditionExpression": K("pk").eq("p"),
            "ProjectionExpression": "#x, y",
            "ExpressionAttributeNames": {"#x": "x"},
        }),
        "scan_filter": ("Scan", {
            "FilterExpression": A("a.b[1]").size().lt(4) | ~A("c").eq({1, 2}),
            "Segment": 0, "TotalSegments": 2,
        }),
        "update_with_condition": ("UpdateItem", {
            "Key": {"pk": "p"},
            "UpdateExpression": "SET #c = :c",
            "ConditionExpression": A("v").eq(Decimal("1.5")),
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":c": 1},
            "ReturnValues": "ALL_NEW",
        }),
        "put_with_condition": ("PutItem", {
            "Item": {"pk": "p", "b": b"\x01", "m": {"l": [True, None]}},
            "ConditionExpression": A("pk").not_exists(),
        }),
        "delete_with_string_condition": ("DeleteItem", {
            "Key": {"pk": "p"},
            "ConditionExpression": "attribute_exists(pk) AND v = :v",
            "ExpressionAttributeValues": {":v": 3},
        }),
        "legacy_conditions": ("Query", {
            "KeyConditions": {"pk": {"AttributeValueList": ["p"], "ComparisonOperator": "EQ"}},
            "QueryFilter": {"n": {"AttributeValueList": [1, 2],
                                  "ComparisonOperator": "BETWEEN"}},
        }),
        "legacy_updates": ("UpdateItem", {
            "Key": {"pk": "p"},
            "AttributeUpdates": {"n": {"Value": 5, "Action": "ADD"}},
            "Expected": {"n": {"Value": 4}, "m": {"Exists": False}},
        }),
    }


@pytest.mark.parametrize("case", sorted(request_cases(Key, Attr)))
@pytest.mark.parametrize("flavour", ["ddblite", "boto3"])
def test_requests_match_boto3s(case, flavour) -> None:
    module = conditions if flavour == "ddblite" else boto3_conditions
    operation, params = request_cases(module.Key, module.Attr)[case]
    _, boto3_params = request_cases(boto3_conditions.Key, boto3_conditions.Attr)[case]
    assert low_level_request(params, "things") == boto3_request(operation, boto3_params)


def test_request_leaves_callers_arguments_alone() -> None:
    names = {"#x": "x"}
    params = {"KeyConditionExpression": Key("pk").eq("p"), "ExpressionAttributeNames": names}
    low_level_request(params, "things")
    assert names == {"#x": "x"}
    assert isinstance(params["KeyConditionExpression"], conditions.ConditionBase)
