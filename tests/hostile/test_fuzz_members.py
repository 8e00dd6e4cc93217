"""Hypothesis throws random JSON at every member of every operation's request.

Requests are built from the input shapes (ddblite/_service_shapes.py): each member
is either a value of its declared type (so the request gets deep into the
handler) or any JSON value at all. Whatever comes back must be one of
DynamoDB's client errors: never an InternalServerError, never a Python
exception, through the embedded client and the HTTP server alike.
"""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddblite
from ddblite._service_shapes import OPERATIONS, SHAPES
from ddblite.errors import DynamoDBError
from tests.front_doors import session_server
from tests.hostile.wire import WireClient, code_of

TABLE = {
    "TableName": "things",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things"
NAMES = st.sampled_from(["pk", "sk", "a", "#a", ":a", "things", ARN, "", "b.c"])

SCALAR_JSON = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | NAMES
)
ANY_JSON = st.recursive(
    SCALAR_JSON,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4) | NAMES,
                                                                  inner, max_size=3),
    max_leaves=8,
)


def _attribute_value(depth: int) -> st.SearchStrategy:
    numbers = st.sampled_from(["1", "-2.5", "1e3", "0", "x", ""])
    plain = st.one_of(
        st.builds(lambda s: {"S": s}, st.text(max_size=5) | NAMES),
        st.builds(lambda n: {"N": n}, numbers),
        st.builds(lambda b: {"B": b}, st.sampled_from(["QQ==", "", "AAEC", "x"])),
        st.builds(lambda b: {"BOOL": b}, st.booleans()),
        st.just({"NULL": True}),
        st.builds(lambda s: {"SS": s}, st.lists(st.text(max_size=3), max_size=3)),
        st.builds(lambda s: {"NS": s}, st.lists(numbers, max_size=3)),
    )
    if depth <= 0:
        return plain
    inner = _attribute_value(depth - 1)
    return plain | st.builds(lambda v: {"L": v}, st.lists(inner, max_size=2)) | st.builds(
        lambda v: {"M": v}, st.dictionaries(NAMES, inner, max_size=2)
    )


ATTRIBUTE_VALUE = _attribute_value(2)


@functools.cache
def typed(name: str, depth: int = 0) -> st.SearchStrategy:
    """A value of shape `name`, each member of it sometimes replaced by any JSON."""
    spec = SHAPES[name]
    if depth > 4:
        return ANY_JSON
    if spec == "attributevalue":
        return ATTRIBUTE_VALUE | ANY_JSON
    if spec == "string":
        return NAMES | st.sampled_from(["ALL_NEW", "TOTAL", "PAY_PER_REQUEST", "EQ", "S"]) | (
            st.text(max_size=12)
        )
    if spec == "boolean":
        return st.booleans()
    if spec in ("integer", "long"):
        return st.integers(-3, 200)
    if spec == "double":
        return st.floats(-5, 5)
    if spec == "timestamp":
        return st.integers(0, 2**31)
    if spec == "blob":
        return st.sampled_from(["QQ==", "AAEC"])
    kind, inner = spec
    if kind == "list":
        return st.lists(member(inner, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(NAMES, member(inner, depth + 1), max_size=3)
    return st.fixed_dictionaries(
        {}, optional={name: member(shape, depth + 1) for name, shape in inner.items()}
    )


WRONG = SCALAR_JSON | st.lists(SCALAR_JSON, max_size=2) | st.dictionaries(NAMES, SCALAR_JSON,
                                                                          max_size=2)


def member(name: str, depth: int) -> st.SearchStrategy:
    # Mostly well typed, so that the one wrong member is met deep in the handler.
    right = st.deferred(lambda: typed(name, depth))
    return st.one_of(right, right, WRONG)


def request(operation: str) -> st.SearchStrategy:
    kind, members = SHAPES[OPERATIONS[operation]]
    fields = {}
    for name, shape in members.items():
        strategy = member(shape, 1)
        if name in ("TableName", "ResourceArn"):
            strategy = st.sampled_from(["things", ARN]) | strategy
        fields[name] = strategy
    return st.fixed_dictionaries({}, optional=fields)


FUZZ = settings(
    max_examples=int(os.environ.get("DDBLITE_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,  # the same requests every run: a failure reproduces
    suppress_health_check=list(HealthCheck),
    database=None,
)


def _fresh_db(clock):
    db = ddblite.connect(":memory:", clock=clock)
    db.call("CreateTable", TABLE)
    db.call("PutItem", {"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}})
    return db


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_embedded(operation, clock):
    db = _fresh_db(clock)

    @FUZZ
    @given(params=request(operation))
    def run(params):
        try:
            db.call(operation, params)
        except DynamoDBError as error:
            assert error.code != "InternalServerError", (params, error.message)

    try:
        run()
    finally:
        db.close()


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_server(operation, clock):
    server = session_server()
    db = _fresh_db(clock)
    server.app.db = db
    wire = WireClient(server.url)

    @FUZZ
    @given(params=request(operation))
    def run(params):
        status, body = wire.call(operation, params)
        assert status < 500, (params, body)
        if status != 200:
            assert code_of(body) != "InternalServerError", (params, body)

    try:
        run()
    finally:
        wire.close()
        server.app.db = None
        db.close()
