"""Operations a single local engine cannot carry out, answered in DynamoDB's shape.

Global tables (version 2017.11.29) replicate between regions, bulk imports read S3
and vector search needs vector indexes: none of that exists in one local store.
Their read operations answer as DynamoDB does for an account that has none (empty
lists, not-found errors); the ones that would start such work say plainly that it
is not available locally - never UnknownOperationException.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.errors import (
    GlobalTableNotFoundException,
    ResourceNotFoundException,
    ValidationException,
)
from ddblite.validate import Shape, expect_int, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database


def not_available(operation_name: str, needs: str) -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(
        f"{operation_name} is not available locally: it needs {needs}, which ddblite "
        "does not have"
    )


def _global_table_name(params: dict) -> str:
    name = expect_str(params, "GlobalTableName")
    shape = Shape()
    shape.table_name(name, "globalTableName")
    shape.done()
    return name


def _no_global_table(name: str) -> GlobalTableNotFoundException:  # type: ignore[valid-type]
    return GlobalTableNotFoundException(f"Global table not found: {name}")  # INFERRED


@operation("ListGlobalTables", reads=True)
def list_global_tables(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListGlobalTables", params)
    return {"GlobalTables": []}


@operation("DescribeGlobalTable", reads=True)
def describe_global_table(db: Database, params: dict, region: str) -> dict:
    raise _no_global_table(_global_table_name(params))


@operation("DescribeGlobalTableSettings", reads=True)
def describe_global_table_settings(db: Database, params: dict, region: str) -> dict:
    raise _no_global_table(_global_table_name(params))


@operation("UpdateGlobalTable")
def update_global_table(db: Database, params: dict, region: str) -> dict:
    raise _no_global_table(_global_table_name(params))


@operation("UpdateGlobalTableSettings")
def update_global_table_settings(db: Database, params: dict, region: str) -> dict:
    raise _no_global_table(_global_table_name(params))


@operation("CreateGlobalTable")
def create_global_table(db: Database, params: dict, region: str) -> dict:
    _global_table_name(params)
    raise not_available("CreateGlobalTable", "replication between AWS Regions")


@operation("ListBulkOperations", reads=True)
def list_bulk_operations(db: Database, params: dict, region: str) -> dict:
    expect_str(params, "NextToken")
    expect_int(params, "MaxResults")
    return {"BulkOperationsSummaryList": []}


def _no_bulk_operation(params: dict) -> ResourceNotFoundException:  # type: ignore[valid-type]
    return ResourceNotFoundException(  # INFERRED
        f"Requested resource not found: bulk operation {params.get('BulkOperationArn')} "
        "not found"
    )


@operation("DescribeBulkOperation", reads=True)
def describe_bulk_operation(db: Database, params: dict, region: str) -> dict:
    raise _no_bulk_operation(params)


@operation("CancelBulkOperation")
def cancel_bulk_operation(db: Database, params: dict, region: str) -> dict:
    raise _no_bulk_operation(params)


@operation("StartBulkPutItems")
def start_bulk_put_items(db: Database, params: dict, region: str) -> dict:
    raise not_available("StartBulkPutItems", "Amazon S3 input and output buckets")


@operation("SearchVectors", reads=True)
def search_vectors(db: Database, params: dict, region: str) -> dict:
    raise not_available("SearchVectors", "vector indexes")
