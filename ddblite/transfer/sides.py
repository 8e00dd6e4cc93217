"""The two ends of `ddblite copy`, `export` and `import`: a ddblite data directory or a
DynamoDB-compatible endpoint URL, each seen through a boto3-shaped client."""

from __future__ import annotations

import time
from typing import Any

DEFAULT_REGION = "us-east-1"


def is_endpoint(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def endpoint_client(url: str, region: str = DEFAULT_REGION, pool: int = 32, **credentials: Any):
    """A boto3 DynamoDB client for an endpoint. Without credentials anywhere (a local
    `ddblite serve`, DynamoDB Local) it signs with placeholder keys, as those accept any."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    if not credentials and session.get_credentials() is None:
        credentials = {"aws_access_key_id": "ddblite", "aws_secret_access_key": "ddblite"}
    config = Config(retries={"mode": "standard", "max_attempts": 10},
                    max_pool_connections=pool)
    return session.client("dynamodb", endpoint_url=url, region_name=region, config=config,
                          **credentials)


class Side:
    """One end: `client` is boto3-shaped; `db` is the local Database, if any."""

    def __init__(self, spec: str, region: str = DEFAULT_REGION, pool: int = 32) -> None:
        self.spec = spec
        self.db = None
        if is_endpoint(spec):
            self.client = endpoint_client(spec, region, pool)
        else:
            import ddblite

            self.db = ddblite.connect(spec, durability="lazy", region=region)
            self.client = self.db.client()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

    def __enter__(self) -> Side:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def table_names(self) -> list[str]:
        names, start = [], None
        while True:
            page = self.client.list_tables(**({"ExclusiveStartTableName": start} if start else {}))
            names.extend(page["TableNames"])
            start = page.get("LastEvaluatedTableName")
            if not start:
                return names

    def wait_active(self, name: str, timeout: float = 600.0, sleep=time.sleep) -> None:
        """Until the table (and its indexes) are ACTIVE; ddblite's are at once."""
        deadline = time.monotonic() + timeout
        while True:
            table = self.client.describe_table(TableName=name)["Table"]
            statuses = [table["TableStatus"]] + [
                index.get("IndexStatus", "ACTIVE")
                for index in table.get("GlobalSecondaryIndexes", ())
            ]
            if all(status == "ACTIVE" for status in statuses):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"table {name} did not become ACTIVE")
            sleep(1.0)


def creation_params(table: dict) -> dict[str, Any]:
    """CreateTable arguments that rebuild a table from its DescribeTable answer
    (keys, indexes, billing, stream, class); tags and TTL are separate calls."""
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    params: dict[str, Any] = {
        "TableName": table["TableName"],
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": table["AttributeDefinitions"],
        "BillingMode": billing,
    }
    provisioned = billing == "PROVISIONED"

    def capacity(throughput: dict) -> dict:
        return {"ReadCapacityUnits": max(1, throughput.get("ReadCapacityUnits", 1)),
                "WriteCapacityUnits": max(1, throughput.get("WriteCapacityUnits", 1))}

    if provisioned:
        params["ProvisionedThroughput"] = capacity(table.get("ProvisionedThroughput", {}))
    if table.get("LocalSecondaryIndexes"):
        params["LocalSecondaryIndexes"] = [
            {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            for index in table["LocalSecondaryIndexes"]
        ]
    if table.get("GlobalSecondaryIndexes"):
        gsis = []
        for index in table["GlobalSecondaryIndexes"]:
            gsi = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            if provisioned:
                gsi["ProvisionedThroughput"] = capacity(index.get("ProvisionedThroughput", {}))
            gsis.append(gsi)
        params["GlobalSecondaryIndexes"] = gsis
    stream = table.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        params["StreamSpecification"] = stream
    table_class = (table.get("TableClassSummary") or {}).get("TableClass")
    if table_class:
        params["TableClass"] = table_class
    return params
