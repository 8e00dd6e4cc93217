"""Random valid and invalid requests through the mock's fast path and its wire path.

Two databases on one clock get the same table and the same requests, one
through `ddblite.mock()` (before-call) and one through
`ddblite.mock(fast=False)` (before-send, botocore's parser). Every answer and
every exception must be identical, down to types, key order and time zones;
only request ids and the random TableId may differ.
"""

from __future__ import annotations

from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import ddblite
from ddblite import mock_fast
from ddblite.clock import ManualClock
from ddblite.mock import Mock
from tests.mock.clients import new_client

CLIENTS = {
    "default": new_client(),
    "single attempt": new_client(retries={"total_max_attempts": 1, "mode": "standard"}),
}

TABLE = {
    "TableName": "things",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "g", "AttributeType": "B"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}

# ------------------------------------------------------------------ strategies

# Mostly valid requests (so that writes land and reads find them), some invalid.
valid_numbers = st.sampled_from(["1", "-2.5", "1e3", "0", "00012", "7"])
numbers = st.one_of(*[valid_numbers] * 6, st.sampled_from(["abc", "", "1E+400"]))
texts = st.text(alphabet="ab\u00e9\U0001f600\x00 ", max_size=4)
scalars = st.one_of(
    texts.map(lambda text: {"S": text}),
    numbers.map(lambda number: {"N": number}),
    st.binary(max_size=4).map(lambda raw: {"B": raw}),
    st.booleans().map(lambda flag: {"BOOL": flag}),
    st.sampled_from([True, True, True, False]).map(lambda flag: {"NULL": flag}),
    st.lists(texts, min_size=1, max_size=3).map(lambda members: {"SS": members}),
    st.lists(numbers, min_size=1, max_size=3).map(lambda members: {"NS": members}),
    st.lists(st.binary(max_size=3), min_size=1, max_size=3).map(lambda members: {"BS": members}),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda members: {"L": members}),
        st.dictionaries(st.sampled_from(["m", "n", ""]), inner, max_size=2).map(
            lambda members: {"M": members}
        ),
    ),
    max_leaves=4,
)
valid_partition = st.sampled_from(["a", "b"]).map(lambda text: {"S": text})
partition = st.one_of(*[valid_partition] * 8, scalars)
valid_sort = st.sampled_from(["1", "2", "3"]).map(lambda number: {"N": number})
sort = st.one_of(*[valid_sort] * 8, scalars)
keys = st.fixed_dictionaries({"pk": partition, "sk": sort})
items = st.builds(
    lambda key, extra: {**extra, **key},
    keys,
    st.dictionaries(st.sampled_from(["x", "y", "g"]), values, max_size=3),
)
tables = st.sampled_from(["things"] * 8 + ["missing", "x"])
capacity = st.sampled_from(["NONE", "TOTAL", "INDEXES"])
conditions = st.sampled_from(
    [
        "attribute_not_exists(pk)",
        "attribute_exists(pk)",
        "x = :v",
        "size(x) > :v",
        "x = :nope",
        "begins_with(x, :v)",
        "bogus(",
    ]
)
updates = st.sampled_from(
    [
        "SET x = :v",
        "SET y = if_not_exists(y, :v)",
        "ADD x :v",
        "REMOVE x, y",
        "SET x = :v REMOVE x",
        "DELETE x :v",
        "SET pk = :v",
    ]
)


def _with_condition(draw_condition, request: dict, value: dict) -> dict:
    if draw_condition is not None:
        request["ConditionExpression"] = draw_condition
        request["ExpressionAttributeValues"] = {":v": value}
    return request


@st.composite
def requests(draw) -> tuple[str, dict]:
    table = draw(tables)
    kind = draw(
        st.sampled_from(
            [
                "put_item",
                "get_item",
                "update_item",
                "delete_item",
                "query",
                "scan",
                "batch_get_item",
                "batch_write_item",
                "transact_write_items",
                "transact_get_items",
                "describe_table",
                "list_tables",
            ]
        )
    )
    value = draw(values)
    condition = draw(st.none() | conditions)
    if kind == "put_item":
        request = {
            "TableName": table,
            "Item": draw(items),
            "ReturnConsumedCapacity": draw(capacity),
        }
        request["ReturnValues"] = draw(st.sampled_from(["NONE", "ALL_OLD", "ALL_OLD", "ALL_NEW"]))
        request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return kind, _with_condition(condition, request, value)
    if kind == "get_item":
        request = {"TableName": table, "Key": draw(keys), "ReturnConsumedCapacity": draw(capacity)}
        if draw(st.booleans()):
            request["ProjectionExpression"] = draw(st.sampled_from(["x", "pk, y", "x[0]", "#"]))
        return kind, request
    if kind == "update_item":
        request = {
            "TableName": table,
            "Key": draw(keys),
            "UpdateExpression": draw(updates),
            "ExpressionAttributeValues": {":v": value},
            "ReturnValues": draw(
                st.sampled_from(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
            ),
        }
        if condition is not None:
            request["ConditionExpression"] = condition
        return kind, request
    if kind == "delete_item":
        request = {"TableName": table, "Key": draw(keys), "ReturnValues": "ALL_OLD"}
        return kind, _with_condition(condition, request, value)
    if kind == "query":
        request = {
            "TableName": table,
            "KeyConditionExpression": draw(
                st.sampled_from(["pk = :p", "pk = :p AND sk > :s", "sk = :s", "pk < :p"])
            ),
            "ExpressionAttributeValues": {":p": draw(partition), ":s": draw(sort)},
            "ScanIndexForward": draw(st.booleans()),
            "ReturnConsumedCapacity": draw(capacity),
        }
        if draw(st.booleans()):
            request["Limit"] = draw(st.integers(1, 3))
        return kind, request
    if kind == "scan":
        request = {"TableName": table, "ReturnConsumedCapacity": draw(capacity)}
        if draw(st.booleans()):
            request["IndexName"] = "by-g"
        if draw(st.booleans()):
            request["Limit"] = draw(st.integers(1, 3))
        return kind, request
    if kind == "batch_get_item":
        wanted = draw(st.lists(keys, min_size=1, max_size=3))
        return kind, {"RequestItems": {table: {"Keys": wanted}}}
    if kind == "batch_write_item":
        writes = draw(
            st.lists(
                st.one_of(
                    items.map(lambda item: {"PutRequest": {"Item": item}}),
                    keys.map(lambda key: {"DeleteRequest": {"Key": key}}),
                ),
                min_size=1,
                max_size=3,
            )
        )
        return kind, {"RequestItems": {table: writes}, "ReturnConsumedCapacity": draw(capacity)}
    if kind == "transact_write_items":
        put = {"Put": {"TableName": table, "Item": draw(items)}}
        check = {
            "ConditionCheck": _with_condition(
                draw(conditions),
                {"TableName": "things", "Key": draw(keys)},
                value,
            )
        }
        check["ConditionCheck"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return kind, {"TransactItems": draw(st.permutations([put, check]))}
    if kind == "transact_get_items":
        gets = [
            {"Get": {"TableName": table, "Key": key}} for key in draw(st.lists(keys, max_size=2))
        ]
        return kind, {"TransactItems": gets or [{"Get": {"TableName": table, "Key": {}}}]}
    if kind == "describe_table":
        return kind, {"TableName": table}
    return kind, {"Limit": draw(st.integers(1, 3))}


# ------------------------------------------------------------------ comparing


def _outcome(client, kind: str, request: dict):
    # A TableId in the body changes its CRC too.
    blank = _BLANKED + (("x-amz-crc32",) if kind == "describe_table" else ())
    try:
        return "answer", _normalized(getattr(client, kind)(**request), blank)
    except ClientError as exc:
        return type(exc), _normalized(exc.response, blank)
    except Exception as exc:  # botocore's own refusals (ParamValidationError...)
        return type(exc), str(exc)


_BLANKED = ("RequestId", "x-amzn-requestid", "TableId")


def _normalized(value, blank: tuple):
    """The answer with request ids and the random TableId blanked."""
    if isinstance(value, dict):
        return {
            key: "-" if key in blank else _normalized(member, blank)
            for key, member in value.items()
        }
    if isinstance(value, list):
        return [_normalized(member, blank) for member in value]
    return value


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    client_name=st.sampled_from(sorted(CLIENTS)),
    calls=st.lists(requests(), min_size=1, max_size=8),
)
def test_fast_and_wire_paths_answer_alike(client_name, calls):
    client = CLIENTS[client_name]
    clock = ManualClock(1_700_000_000.5)
    with (
        ddblite.connect(":memory:", clock=clock) as fast_db,
        ddblite.connect(":memory:", clock=clock) as wire_db,
    ):
        for db in (fast_db, wire_db):
            db.call("CreateTable", TABLE)
        for kind, request in calls:
            with Mock(db=fast_db):
                fast = _outcome(client, kind, request)
            with Mock(db=wire_db, fast=False):
                wire = _outcome(client, kind, request)
            event(
                f"{kind}: {getattr(fast[0], '__name__', fast[0])}"
            )  # --hypothesis-show-statistics
            assert fast[0] is wire[0], (kind, request, fast, wire)
            assert mock_fast.differences(fast[1], wire[1]) == [], (kind, request, fast, wire)
            clock.advance(1.25)
