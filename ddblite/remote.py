"""Remote mode: the Database API over any DynamoDB-compatible endpoint, through boto3.

`ddblite.connect("http://host:port")` (or `connect(endpoint_url=..., region=...,
aws_access_key_id=..., aws_secret_access_key=...)`) returns a RemoteDatabase whose
`client()`, `Table` / `create_table`, `transaction()`, `transact_get` and the Table
API's `query_all` / `scan_all` run against DynamoDB, ScyllaDB Alternator, DynamoDB
Local or `ddblite serve`, so code written against an embedded ddblite runs on a
cluster unchanged. The Table API is ddblite's own (ddblite.table) with boto3 as the
transport: one code path, whichever side the data lives on.
"""

from __future__ import annotations

from typing import Any

from ddblite import errors
from ddblite.client import snake_case
from ddblite.transfer.sides import endpoint_client

# What exists only next to a local store: the storage engine, its clock, durability;
# and any Database method a RemoteDatabase lacks (triggers, usage... as they come).
LOCAL_ONLY = frozenset(("storage", "catalog", "clock", "durability", "path", "sync",
                        "account_id"))


_BOTH: dict[tuple[type, type], type] = {}


def _translated(exc: Exception, client: Any) -> Exception:
    """A botocore ClientError re-raised as an instance of both ddblite's error class and
    the client's modeled one for its code, so `except client.exceptions.X` and
    `except ddblite.errors.X` both catch it, as with an embedded database."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return exc
    error = response.get("Error", {})
    code = error.get("Code", "")
    ours = errors.ERRORS_BY_CODE.get(code)
    if ours is None:
        return exc
    modeled = type(exc)
    both = _BOTH.get((ours, modeled))
    if both is None:
        both = _BOTH[(ours, modeled)] = type(code, (ours, modeled), {})
    extra = {key: value for key, value in response.items()
             if key not in ("Error", "ResponseMetadata", "message")}
    return both(error.get("Message", ""), **extra)


class RemoteDatabase:
    """A Database-shaped handle on an endpoint: DynamoDB's API only, through boto3."""

    remote = True

    def __init__(self, endpoint_url: str | None, region: str = "us-east-1",
                 **credentials: Any) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._credentials = credentials
        self._client = endpoint_client(endpoint_url, region, **credentials) \
            if endpoint_url else _default_client(region, **credentials)
        self.closed = False

    def call(self, operation: str, params: dict | None = None, region: str | None = None) -> dict:
        """Run one DynamoDB operation with a low-level request dict."""
        if self.closed:
            raise RuntimeError("the database is closed")
        client = self._client if region in (None, self.region) else self.client(region)
        try:
            response = getattr(client, snake_case(operation))(**(params or {}))
        except errors.DynamoDBError:
            raise
        except Exception as exc:
            translated = _translated(exc, client)
            if translated is exc:
                raise
            raise translated from exc
        response.pop("ResponseMetadata", None)
        return response

    def client(self, region_name: str | None = None):
        """The boto3 DynamoDB client for the endpoint (a real one: waiters, paginators)."""
        if region_name in (None, self.region):
            return self._client
        if self.endpoint_url:
            return endpoint_client(self.endpoint_url, region_name, **self._credentials)
        return _default_client(region_name, **self._credentials)

    def Table(self, name: str):  # noqa: N802 - boto3's resource spells it so
        from ddblite.table import Table

        return Table(self, name)  # type: ignore[arg-type]

    def create_table(self, **kwargs: Any):
        from ddblite.table import create_table

        table = create_table(self, **kwargs)  # type: ignore[arg-type]
        # A cluster builds tables asynchronously; ddblite's Table waits as boto3's does.
        self._client.get_waiter("table_exists").wait(TableName=table.name)
        return table

    def transaction(self, client_request_token: str | None = None, **options: Any):
        from ddblite.table import Transaction

        return Transaction(self, client_request_token, **options)  # type: ignore[arg-type]

    def transact_get(self, gets: list, **options: Any) -> list[dict | None]:
        from ddblite.table import transact_get

        return transact_get(self, gets, **options)  # type: ignore[arg-type]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._client.close()

    def __enter__(self) -> RemoteDatabase:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        from ddblite.database import Database

        if name in LOCAL_ONLY or (not name.startswith("_") and hasattr(Database, name)):
            raise AttributeError(
                f"'{name}' is local-only: a remote ddblite database ({self.endpoint_url or 'AWS'}) "
                "speaks only DynamoDB's API; open a data directory with ddblite.connect(path) "
                "for it"
            )
        raise AttributeError(f"'RemoteDatabase' object has no attribute '{name}'")


def _default_client(region: str, **credentials: Any):
    import boto3

    return boto3.session.Session().client("dynamodb", region_name=region, **credentials)
