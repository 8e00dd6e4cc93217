"""Helpers the operation modules share: table lookup and response pieces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.dispatch import current_operation
from ddblite.engine.catalog import TableInfo
from ddblite.errors import AccessDeniedException, ResourceNotFoundException
from ddblite.storage import ReadTxn

if TYPE_CHECKING:
    from ddblite.database import Database


def table_name_of(name: str) -> str:
    """TableName may also be a table ARN: arn:aws:dynamodb:REGION:ACCOUNT:table/NAME."""
    if name.startswith("arn:"):
        _, _, resource = name.partition(":table/")
        return resource.split("/", 1)[0]
    return name


def region_of(name: str, region: str) -> str:
    if name.startswith("arn:"):
        parts = name.split(":")
        if len(parts) > 3 and parts[3]:
            return parts[3]
    return region


def check_account(db: Database, name: str) -> None:
    """A table ARN of another account: AccessDeniedException, as DynamoDB answers."""
    parts = name.split(":", 5)
    if len(parts) > 4 and parts[4] != db.account_id:
        operation = current_operation.get()
        raise AccessDeniedException(
            f"User: arn:aws:iam::{db.account_id}:root is not authorized to perform: "
            f"dynamodb:{operation} on resource: {name}"
        )


def find_table(db: Database, txn: ReadTxn, region: str, name: str) -> TableInfo:
    """The table a request names, or DynamoDB's ResourceNotFoundException."""
    if name.startswith("arn:"):
        check_account(db, name)
    table = db.catalog.get(txn, region_of(name, region), table_name_of(name))
    if table is None or table.record.get("status") == "DELETING":
        raise ResourceNotFoundException("Requested resource not found")
    return table


def table_arn(db: Database, region: str, name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{db.account_id}:table/{name}"


def page_response(page: Any, select: str | None, project: Any, key_names: tuple[str, ...],
                  capacity: dict | None) -> dict[str, Any]:
    """A Query/Scan answer: Items (unless COUNT), Count, ScannedCount, LastEvaluatedKey
    (the key attributes named, of the last item read) and ConsumedCapacity."""
    response: dict[str, Any] = {}
    if select != "COUNT":
        items = page.items
        response["Items"] = items if project is None else [project(item) for item in items]
    response["Count"] = len(page.items)
    response["ScannedCount"] = page.scanned
    if page.last is not None:
        last = page.last
        response["LastEvaluatedKey"] = {name: last[name] for name in key_names if name in last}
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response
