"""Random statements never escape as a Python error: every answer is DynamoDB's."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddblite
from ddblite.errors import DynamoDBError, InternalServerError

WORDS = [
    "SELECT", "INSERT", "INTO", "UPDATE", "DELETE", "FROM", "WHERE", "VALUE", "SET", "REMOVE",
    "AND", "OR", "NOT", "IN", "IS", "MISSING", "NULL", "BETWEEN", "ORDER", "BY", "DESC",
    "RETURNING", "ALL", "MODIFIED", "OLD", "NEW", "*", "things", '"things"', "pk", "sk", "a",
    "b.c", "l[0]", "'x'", "1", "-2.5", "?", "=", "<>", "<", ">=", "(", ")", "[", "]", "{", "}",
    "<<", ">>", ",", ":", ".", "+", "begins_with", "contains", "size", "set_add",
    "list_append", "true", "'pk'",
]
statements = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)
params = st.lists(st.one_of(st.just({"S": "k"}), st.just({"N": "1"}), st.just({"BOOL": True}),
                            st.just({"SS": ["x"]})), max_size=3)

_db = ddblite.connect(":memory:")
_db.call("CreateTable", {
    "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements, params)
def test_random_statements_answer_as_dynamodb(text, values):
    request = {"Statement": text}
    if values:
        request["Parameters"] = values
    try:
        response = _db.call("ExecuteStatement", request)
    except DynamoDBError as exc:
        assert not isinstance(exc, InternalServerError), exc.message
    else:
        assert isinstance(response.get("Items", []), list)


@settings(max_examples=300, deadline=None)
@given(st.lists(statements, min_size=1, max_size=3))
def test_random_batches_answer_as_dynamodb(texts):
    members = [{"Statement": text} for text in texts]
    for operation, member in (("BatchExecuteStatement", "Statements"),
                              ("ExecuteTransaction", "TransactStatements")):
        try:
            response = _db.call(operation, {member: members})
        except DynamoDBError as exc:
            assert not isinstance(exc, InternalServerError), exc.message
        else:
            assert isinstance(response.get("Responses", []), list)
