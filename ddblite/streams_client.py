"""A boto3-shaped DynamoDB Streams client over an embedded database.

`db.streams_client()` answers what `boto3.client("dynamodbstreams")` would:
list_streams, describe_stream, get_shard_iterator, get_records. Each method is one
dispatch call, like the DynamoDB client's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.client import Client, snake_case

if TYPE_CHECKING:
    from ddblite.database import Database

STREAMS_OPERATIONS = ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")


class StreamsClient:
    """boto3.client("dynamodbstreams")-compatible methods over one Database."""

    exceptions = Client.exceptions

    def __init__(self, db: Database, region_name: str) -> None:
        self._client = Client(db, region_name)
        self.region_name = region_name

    def can_paginate(self, operation_name: str) -> bool:
        return False

    def close(self) -> None:
        pass


def _make_method(operation: str):
    def method(self: StreamsClient, **kwargs: Any) -> dict[str, Any]:
        return self._client._call(operation, kwargs)

    method.__name__ = snake_case(operation)
    method.__qualname__ = f"StreamsClient.{method.__name__}"
    method.__doc__ = f"DynamoDB Streams {operation}, with boto3's arguments and response shape."
    return method


for _operation in STREAMS_OPERATIONS:
    setattr(StreamsClient, snake_case(_operation), _make_method(_operation))
