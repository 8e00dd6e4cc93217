"""A boto3-shaped DynamoDB client over an embedded database.

Method names, keyword arguments and response dicts are boto3's. The client
has no logic of its own: each method is one `Database.call`.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import TYPE_CHECKING, Any

from ddblite import errors
from ddblite.dispatch import dispatch

if TYPE_CHECKING:
    from ddblite.database import Database

OPERATIONS = (
    "BatchGetItem",
    "BatchWriteItem",
    "CreateTable",
    "DeleteItem",
    "DeleteTable",
    "DescribeContinuousBackups",
    "DescribeEndpoints",
    "DescribeLimits",
    "DescribeTable",
    "DescribeTimeToLive",
    "GetItem",
    "ListTables",
    "ListTagsOfResource",
    "PutItem",
    "Query",
    "Scan",
    "TagResource",
    "UntagResource",
    "UpdateContinuousBackups",
    "UpdateItem",
    "UpdateTable",
    "UpdateTimeToLive",
)


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_REQUEST_ID_PREFIX = os.urandom(10).hex().upper()
_request_counter = itertools.count(1)


def _request_id() -> str:
    # Unique per call and cheap: a per-process random prefix and a counter.
    return f"{_REQUEST_ID_PREFIX}{next(_request_counter):012X}"


class _Exceptions:
    """`client.exceptions.<Code>`, as boto3 offers it."""

    ClientError = errors.DynamoDBError

    def __getattr__(self, name: str) -> type[errors.DynamoDBError]:
        try:
            return errors.ERRORS_BY_CODE[name]
        except KeyError:
            raise AttributeError(name) from None


class Client:
    """boto3.client("dynamodb")-compatible methods over one Database."""

    exceptions = _Exceptions()

    def __init__(self, db: Database, region_name: str) -> None:
        self._db = db
        self.region_name = region_name

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if self._db.closed:
            raise RuntimeError("the database is closed")
        try:
            response = dispatch(self._db, operation, params, self.region_name)
        except errors.DynamoDBError as exc:
            exc.operation_name = operation
            raise
        response["ResponseMetadata"] = {
            "RequestId": _request_id(),
            "HTTPStatusCode": 200,
            "HTTPHeaders": {},
            "RetryAttempts": 0,
        }
        return response

    def can_paginate(self, operation_name: str) -> bool:
        return False

    def close(self) -> None:
        pass


def _make_method(operation: str):
    def method(self: Client, **kwargs: Any) -> dict[str, Any]:
        return self._call(operation, kwargs)

    method.__name__ = snake_case(operation)
    method.__qualname__ = f"Client.{method.__name__}"
    method.__doc__ = f"DynamoDB {operation}, with boto3's arguments and response shape."
    return method


for _operation in OPERATIONS:
    setattr(Client, snake_case(_operation), _make_method(_operation))
