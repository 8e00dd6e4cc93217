"""A boto3-shaped DynamoDB client over an embedded database.

Method names, keyword arguments and response dicts are boto3's. The client
has no logic of its own: each method is one `Database.call`.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from typing import TYPE_CHECKING, Any

from ddblite import errors
from ddblite.dispatch import dispatch, known_operations

if TYPE_CHECKING:
    from ddblite.database import Database

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


class _BotocoreModels:
    """DynamoDB's service, paginator and waiter models as botocore ships them."""

    def __init__(self) -> None:
        try:
            import botocore.session
            from botocore.waiter import WaiterModel
        except ImportError:  # pragma: no cover - botocore is a test dependency
            raise RuntimeError("paginators, waiters and meta need botocore installed") from None
        session = botocore.session.get_session()
        loader = session.get_component("data_loader")
        self.service = session.get_service_model("dynamodb")
        self.pages = loader.load_service_model("dynamodb", "paginators-1")["pagination"]
        self.waiters = WaiterModel(loader.load_service_model("dynamodb", "waiters-2"))


@functools.cache
def _botocore_models() -> _BotocoreModels:
    return _BotocoreModels()


class _Meta:
    def __init__(self, region_name: str) -> None:
        from botocore.hooks import HierarchicalEmitter

        self.region_name = region_name
        self.endpoint_url = None
        self.service_model = _botocore_models().service
        self.events = HierarchicalEmitter()
        self.method_to_api_mapping = {snake_case(name): name for name in dynamodb_operations()}


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

    @functools.cached_property
    def meta(self) -> _Meta:
        """boto3's `client.meta`: region_name, service_model, events, method_to_api_mapping."""
        return _Meta(self.region_name)

    def can_paginate(self, operation_name: str) -> bool:
        return self.meta.method_to_api_mapping.get(operation_name) in _botocore_models().pages

    def get_paginator(self, operation_name: str):
        """botocore's paginator for a method name (`"scan"`), over this client."""
        from botocore.exceptions import OperationNotPageableError
        from botocore.paginate import Paginator

        operation = self.meta.method_to_api_mapping.get(operation_name)
        pages = _botocore_models().pages
        if operation not in pages:
            raise OperationNotPageableError(operation_name=operation_name)
        return Paginator(getattr(self, operation_name), pages[operation],
                         self.meta.service_model.operation_model(operation))

    @property
    def waiter_names(self) -> list[str]:
        return sorted(snake_case(name) for name in _botocore_models().waiters.waiter_names)

    def get_waiter(self, waiter_name: str):
        """botocore's waiter (`"table_exists"`, `"table_not_exists"`), over this client."""
        from botocore.waiter import create_waiter_with_client

        model = _botocore_models().waiters
        names = {snake_case(name): name for name in model.waiter_names}
        if waiter_name not in names:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        return create_waiter_with_client(names[waiter_name], model, self)

    def close(self) -> None:
        pass


def _make_method(operation: str):
    def method(self: Client, **kwargs: Any) -> dict[str, Any]:
        return self._call(operation, kwargs)

    method.__name__ = snake_case(operation)
    method.__qualname__ = f"Client.{method.__name__}"
    method.__doc__ = f"DynamoDB {operation}, with boto3's arguments and response shape."
    return method


def dynamodb_operations() -> list[str]:
    """The registered operations of the DynamoDB service (the Streams ones have their
    own client, ddblite.streams_client)."""
    from ddblite.server.app import STREAMS_OPERATIONS

    return [name for name in known_operations() if name not in STREAMS_OPERATIONS]


# One method per registered operation (ddblite.dispatch is the one list).
for _operation in dynamodb_operations():
    setattr(Client, snake_case(_operation), _make_method(_operation))
