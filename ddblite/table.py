"""The native-Python Table API: boto3's ``Table`` resource over an embedded database.

``Table(db, "name")`` (and ``create_table(db, **kwargs)``) give the methods, keyword
arguments and response shapes of ``boto3.resource("dynamodb").Table(...)``, with
plain Python values in and out (see ddblite.typeconv: numbers come back as Decimal,
binaries as :class:`Binary`, sets as set). Conditions may be strings or condition
objects, ddblite's (ddblite.conditions) or boto3's; they are rendered with the
placeholders boto3 would send. Every call is one ``db.call`` with the low-level
request, so the Table API shares every line of semantics with the other front doors.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ddblite.conditions import Attr, ConditionExpressionBuilder, Key, is_condition
from ddblite.errors import DynamoDBError, ResourceNotFoundException
from ddblite.recursion import recursion_room
from ddblite.typeconv import Binary, deserialize_item, serialize, serialize_item

if TYPE_CHECKING:
    from ddblite.database import Database

__all__ = ["Attr", "BatchWriter", "Binary", "Key", "Table", "create_table"]


# ---------------------------------------------------------------- calling the engine


def _call(db: Database, operation: str, params: dict) -> dict:
    """One operation through db.call, with a boto3-shaped error and ResponseMetadata."""
    try:
        response = db.call(operation, params)
    except DynamoDBError as exc:
        exc.operation_name = operation
        raise
    response["ResponseMetadata"] = {
        "RequestId": uuid.uuid4().hex.upper(),
        "HTTPStatusCode": 200,
        "HTTPHeaders": {},
        "RetryAttempts": 0,
    }
    return response


# ---------------------------------------------------------------- requests: native -> low level

# Condition objects are rendered per request in boto3's order: every
# condition-shaped member in argument order, then the key condition; one
# placeholder numbering for all of them.
_CONDITION_MEMBERS = frozenset(("ConditionExpression", "FilterExpression"))
_KEY_CONDITION_MEMBER = "KeyConditionExpression"


def _has_condition_object(params: dict) -> bool:
    for member in ("ConditionExpression", "FilterExpression", _KEY_CONDITION_MEMBER):
        value = params.get(member)
        if value is not None and not isinstance(value, str):
            return True
    return False


def _render_conditions(params: dict) -> dict:
    request = dict(params)
    builder = ConditionExpressionBuilder()
    names: dict[str, str] = {}
    values: dict[str, Any] = {}

    def render(member: str, key_condition: bool) -> None:
        value = request[member]
        if is_condition(value):
            with recursion_room():  # a deep condition object must reach the 4 KB check
                built = builder.build_expression(value, is_key_condition=key_condition)
            request[member] = built.condition_expression
            names.update(built.attribute_name_placeholders)
            values.update(built.attribute_value_placeholders)

    for member in params:
        if member in _CONDITION_MEMBERS:
            render(member, False)
    if _KEY_CONDITION_MEMBER in params:
        render(_KEY_CONDITION_MEMBER, True)
    # The generated placeholders win over the caller's, as in boto3.
    if names:
        request["ExpressionAttributeNames"] = {
            **(request.get("ExpressionAttributeNames") or {}), **names
        }
    if values:
        request["ExpressionAttributeValues"] = {
            **(request.get("ExpressionAttributeValues") or {}), **values
        }
    return request


def _legacy_conditions(conditions: Any) -> Any:
    """Expected / AttributeUpdates / KeyConditions / QueryFilter / ScanFilter values."""
    if not isinstance(conditions, dict):
        return conditions
    converted = {}
    for name, condition in conditions.items():
        if isinstance(condition, dict):
            condition = dict(condition)
            if "Value" in condition:
                condition["Value"] = serialize(condition["Value"])
            if isinstance(condition.get("AttributeValueList"), (list, tuple)):
                condition["AttributeValueList"] = [
                    serialize(value) for value in condition["AttributeValueList"]
                ]
        converted[name] = condition
    return converted


_INPUT_CONVERTERS = {
    "Item": serialize_item,
    "Key": serialize_item,
    "ExclusiveStartKey": serialize_item,
    "ExpressionAttributeValues": serialize_item,
    "Expected": _legacy_conditions,
    "AttributeUpdates": _legacy_conditions,
    "KeyConditions": _legacy_conditions,
    "QueryFilter": _legacy_conditions,
    "ScanFilter": _legacy_conditions,
}


def low_level_request(params: dict, table_name: str) -> dict:
    """A Table method's keyword arguments as the low-level request for db.call."""
    if _has_condition_object(params):
        params = _render_conditions(params)
    request = {}
    for member, value in params.items():
        converter = _INPUT_CONVERTERS.get(member)
        request[member] = converter(value) if converter is not None else value
    request["TableName"] = table_name  # the table's own name, whatever was passed
    return request


# ---------------------------------------------------------------- responses: low level -> native


def _items(items: list) -> list:
    return [deserialize_item(item) for item in items]


def _collection_metrics(metrics: Any) -> Any:
    if isinstance(metrics, dict) and "ItemCollectionKey" in metrics:
        metrics = dict(metrics)
        metrics["ItemCollectionKey"] = deserialize_item(metrics["ItemCollectionKey"])
    return metrics


_OUTPUT_CONVERTERS = {
    "Item": deserialize_item,
    "Attributes": deserialize_item,
    "Items": _items,
    "LastEvaluatedKey": deserialize_item,
    "ItemCollectionMetrics": _collection_metrics,
}


def native_response(response: dict) -> dict:
    """A low-level response with every AttributeValue turned into a native value."""
    native = {}
    for member, value in response.items():
        converter = _OUTPUT_CONVERTERS.get(member)
        native[member] = converter(value) if converter is not None else value
    return native


# ---------------------------------------------------------------- the Table resource


def _snake_case(name: str) -> str:
    # "SSEDescription" -> "sse_description", "TableArn" -> "table_arn", as boto3 names them.
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


_DESCRIPTION_MEMBERS = (
    "AttributeDefinitions", "TableName", "KeySchema", "TableStatus", "CreationDateTime",
    "ProvisionedThroughput", "TableSizeBytes", "ItemCount", "TableArn", "TableId",
    "BillingModeSummary", "LocalSecondaryIndexes", "GlobalSecondaryIndexes",
    "StreamSpecification", "LatestStreamLabel", "LatestStreamArn", "GlobalTableVersion",
    "Replicas", "GlobalTableWitnesses", "GlobalTableSettingsReplicationMode",
    "RestoreSummary", "SSEDescription", "ArchivalSummary", "TableClassSummary",
    "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput",
    "MultiRegionConsistency",
)
# table.item_count -> "ItemCount": the attributes boto3's Table loads from DescribeTable.
DESCRIPTION_ATTRIBUTES = {_snake_case(member): member for member in _DESCRIPTION_MEMBERS}


class _Meta:
    """``table.meta``: the boto3-shaped client and the loaded description (``data``)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    @property
    def client(self):
        return self._table._db.client()

    @property
    def data(self) -> dict | None:
        return self._table._description


class Table:
    """boto3's Table resource over one ddblite database: ``Table(db, "name")``.

    Description attributes (``item_count``, ``key_schema``, ``table_status``...)
    are loaded by DescribeTable on first use and kept until ``reload()``.
    """

    def __init__(self, db: Database, name: str) -> None:
        self._db = db
        self.name = name
        self._description: dict | None = None
        self.meta = _Meta(self)

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and other._db is self._db and other.name == self.name

    def __hash__(self) -> int:
        return hash(("Table", self.name))

    def __getattr__(self, attribute: str) -> Any:
        member = DESCRIPTION_ATTRIBUTES.get(attribute)
        if member is None:
            raise AttributeError(f"'dynamodb.Table' object has no attribute '{attribute}'")
        if self._description is None:
            self.load()
        return self._description.get(member)

    # -------------------------------------------------------- table actions

    def load(self) -> None:
        """Read the table's description (DescribeTable)."""
        self._description = _call(self._db, "DescribeTable", {"TableName": self.name})["Table"]

    reload = load

    def delete(self) -> dict:
        return _call(self._db, "DeleteTable", {"TableName": self.name})

    def update(self, **kwargs: Any) -> Table:
        """UpdateTable; returns the table with the new description, as boto3 does."""
        kwargs["TableName"] = self.name
        response = _call(self._db, "UpdateTable", kwargs)
        updated = Table(self._db, self.name)
        updated._description = response["TableDescription"]
        return updated

    def wait_until_exists(self) -> None:
        """Tables are ACTIVE as soon as they are created here: one DescribeTable."""
        self.load()

    def wait_until_not_exists(self) -> None:
        """Deletion is immediate here: succeeds when the table is gone."""
        try:
            self.load()
        except ResourceNotFoundException:
            return
        raise RuntimeError(f"Waiter TableNotExists failed: table {self.name} still exists")

    # -------------------------------------------------------- item actions

    def _request(self, operation: str, kwargs: dict) -> dict:
        request = low_level_request(kwargs, self.name)
        return native_response(_call(self._db, operation, request))

    def put_item(self, **kwargs: Any) -> dict:
        return self._request("PutItem", kwargs)

    def get_item(self, **kwargs: Any) -> dict:
        return self._request("GetItem", kwargs)

    def update_item(self, **kwargs: Any) -> dict:
        return self._request("UpdateItem", kwargs)

    def delete_item(self, **kwargs: Any) -> dict:
        return self._request("DeleteItem", kwargs)

    def query(self, **kwargs: Any) -> dict:
        return self._request("Query", kwargs)

    def scan(self, **kwargs: Any) -> dict:
        return self._request("Scan", kwargs)

    def query_all(self, **kwargs: Any) -> Iterator[dict]:
        """Every item a Query matches, following LastEvaluatedKey page by page.

        ``Limit`` still bounds each page (DynamoDB's meaning), not the total.
        """
        return self._every_item("Query", kwargs)

    def scan_all(self, **kwargs: Any) -> Iterator[dict]:
        """Every item a Scan returns, following LastEvaluatedKey page by page."""
        return self._every_item("Scan", kwargs)

    def _every_item(self, operation: str, kwargs: dict) -> Iterator[dict]:
        request = low_level_request(kwargs, self.name)
        while True:
            response = _call(self._db, operation, request)
            for item in response.get("Items", ()):
                yield deserialize_item(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            # The low-level key goes straight back: no round trip through native values.
            request = {**request, "ExclusiveStartKey": last_key}

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> BatchWriter:
        """A context manager buffering puts and deletes into BatchWriteItem calls."""
        return BatchWriter(self._db, self.name, overwrite_by_pkeys=overwrite_by_pkeys)


def create_table(db: Database, **kwargs: Any) -> Table:
    """CreateTable; returns the Table with its description loaded, as boto3's resource."""
    response = _call(db, "CreateTable", kwargs)
    table = Table(db, response["TableDescription"]["TableName"])
    table._description = response["TableDescription"]
    return table


# ---------------------------------------------------------------- batch_writer


class BatchWriter:
    """boto3's batch writer: buffers requests, sends 25 at a time, resends unprocessed ones.

    Each request is converted when it is added, so a bad value fails at the
    put_item/delete_item that brought it (boto3 only finds out at the flush), and
    later changes to the caller's dict do not leak into the buffered request.
    With ``overwrite_by_pkeys`` a new request replaces a buffered one for the same
    key values, so one batch never names a key twice.
    """

    def __init__(self, db: Database, table_name: str, flush_amount: int = 25,
                 overwrite_by_pkeys: list[str] | None = None) -> None:
        self._db = db
        self._table_name = table_name
        self._flush_amount = flush_amount
        self._overwrite_by_pkeys = overwrite_by_pkeys
        # (key values for dedup or None, low-level write request)
        self._buffer: list[tuple[list | None, dict]] = []

    def put_item(self, Item: dict) -> None:  # noqa: N803 - boto3's argument name
        self._add(Item, {"PutRequest": {"Item": serialize_item(Item)}})

    def delete_item(self, Key: dict) -> None:  # noqa: N803 - boto3's argument name
        self._add(Key, {"DeleteRequest": {"Key": serialize_item(Key)}})

    def _add(self, native: dict, request: dict) -> None:
        dedup_key = None
        if self._overwrite_by_pkeys:
            dedup_key = [native[name] for name in self._overwrite_by_pkeys]
            self._buffer = [entry for entry in self._buffer if entry[0] != dedup_key]
        self._buffer.append((dedup_key, request))
        if len(self._buffer) >= self._flush_amount:
            self._flush()

    def _dedup_key_of(self, request: dict) -> list | None:
        if not self._overwrite_by_pkeys:
            return None
        if "PutRequest" in request:
            attributes = request["PutRequest"]["Item"]
        else:
            attributes = request["DeleteRequest"]["Key"]
        native = deserialize_item({name: attributes[name] for name in self._overwrite_by_pkeys})
        return [native[name] for name in self._overwrite_by_pkeys]

    def _flush(self) -> None:
        sending = self._buffer[: self._flush_amount]
        self._buffer = self._buffer[self._flush_amount :]
        response = _call(self._db, "BatchWriteItem", {
            "RequestItems": {self._table_name: [request for _, request in sending]}
        })
        unprocessed = (response.get("UnprocessedItems") or {}).get(self._table_name, ())
        # Unprocessed requests go straight into the next batch, as boto3 does.
        self._buffer.extend((self._dedup_key_of(request), request) for request in unprocessed)

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        while self._buffer:
            self._flush()


# ---------------------------------------------------------------- transactions


def _table_name(table: Table | str) -> str:
    return table.name if isinstance(table, Table) else table


class Transaction:
    """Native-value TransactWriteItems: actions collected, then one all-or-nothing call.

        with db.transaction() as tx:
            tx.put(accounts, Item={"id": "b", "balance": 10},
                   ConditionExpression=Attr("id").not_exists())
            tx.update(accounts, Key={"id": "a"}, UpdateExpression="SET balance = balance - :v",
                      ConditionExpression=Attr("balance").gte(10),
                      ExpressionAttributeValues={":v": 10})
        # committed here; a cancelled transaction raises TransactionCanceledException

    Each action takes a Table (or a table name) and the keyword arguments of the
    matching Table method, with native values and condition objects.
    """

    def __init__(self, db: Database, client_request_token: str | None = None,
                 **options: Any) -> None:
        self._db = db
        self._options = options
        if client_request_token is not None:
            self._options["ClientRequestToken"] = client_request_token
        self.actions: list[dict] = []
        self.response: dict | None = None

    def _add(self, kind: str, table: Table | str, kwargs: dict) -> Transaction:
        self.actions.append({kind: low_level_request(kwargs, _table_name(table))})
        return self

    def put(self, table: Table | str, **kwargs: Any) -> Transaction:
        return self._add("Put", table, kwargs)

    def update(self, table: Table | str, **kwargs: Any) -> Transaction:
        return self._add("Update", table, kwargs)

    def delete(self, table: Table | str, **kwargs: Any) -> Transaction:
        return self._add("Delete", table, kwargs)

    def condition_check(self, table: Table | str, **kwargs: Any) -> Transaction:
        return self._add("ConditionCheck", table, kwargs)

    def commit(self) -> dict:
        """Send the actions as one TransactWriteItems; returns its (native) response."""
        self.response = native_response(_call(
            self._db, "TransactWriteItems", {"TransactItems": self.actions, **self._options}
        ))
        return self.response

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is None:
            self.commit()


def transact_get(db: Database, gets: list[tuple], **options: Any) -> list[dict | None]:
    """TransactGetItems with native values: (table, key[, Get options]) in, the items
    (or None where there is none) out, in order, from one consistent snapshot."""
    items = []
    for entry in gets:
        table, key = entry[0], entry[1]
        extra = dict(entry[2]) if len(entry) > 2 else {}
        items.append({"Get": low_level_request({"Key": key, **extra}, _table_name(table))})
    response = _call(db, "TransactGetItems", {"TransactItems": items, **options})
    return [deserialize_item(entry["Item"]) if "Item" in entry else None
            for entry in response["Responses"]]


def execute(db: Database, statement: str, params: tuple, consistent_read: bool = False
            ) -> list[dict]:
    """ExecuteStatement with native values: `?` parameters in, every item out (a SELECT's
    pages followed to the end; a write's RETURNING item, if any)."""
    request: dict[str, Any] = {"Statement": statement}
    if params:
        request["Parameters"] = [serialize(value) for value in params]
    if consistent_read:
        request["ConsistentRead"] = True
    found: list[dict] = []
    while True:
        response = _call(db, "ExecuteStatement", request)
        found.extend(_items(response.get("Items", [])))
        token = response.get("NextToken")
        if token is None:
            return found
        request["NextToken"] = token
