"""CreateTable: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "
HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK_S = [{"AttributeName": "pk", "AttributeType": "S"}]
THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def request(**overrides):
    params = {"TableName": "things", "KeySchema": HASH, "AttributeDefinitions": PK_S,
              "ProvisionedThroughput": THROUGHPUT}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def message_of(db, **overrides):
    with pytest.raises(ValidationException) as excinfo:
        db.call("CreateTable", request(**overrides))
    return error_of(excinfo)[1]


# ------------------------------------------------------------------ serialization


def test_wrong_json_types(db):
    with pytest.raises(SerializationException):
        db.call("CreateTable", request(KeySchema="pk"))
    with pytest.raises(SerializationException):
        db.call("CreateTable", request(ProvisionedThroughput={"ReadCapacityUnits": "5",
                                                              "WriteCapacityUnits": 5}))


# ------------------------------------------------------------------ validation


def test_table_name_rules(db):
    assert message_of(db, TableName=None) == (
        "The parameter 'TableName' is required but was not present in the request"
    )
    assert message_of(db, TableName="ab") == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"
    )
    assert message_of(db, TableName="", KeySchema=[], AttributeDefinitions=[]) == (
        "2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at "
        "'tableName' failed to satisfy constraint: Member must have length greater than or "
        "equal to 3"
    )
    assert "less than or equal to 255" in message_of(db, TableName="a" * 256)


def test_member_constraints(db):
    assert message_of(db, KeySchema=[{"AttributeName": "pk", "KeyType": "INVALID"}]) == (
        "1 validation error detected: Value 'INVALID' at 'keySchema.1.member.keyType' failed "
        "to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"
    )
    assert message_of(
        db, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "INVALID"}]
    ) == (
        "1 validation error detected: Value 'INVALID' at "
        "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
        "must satisfy enum value set: [B, N, S]"
    )
    three = HASH + [{"AttributeName": "sk", "KeyType": "RANGE"},
                    {"AttributeName": "x", "KeyType": "RANGE"}]
    assert message_of(db, KeySchema=three) == (
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH),"
        " KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=x,"
        " keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have "
        "length less than or equal to 2"
    )
    assert message_of(db, ProvisionedThroughput={"ReadCapacityUnits": 0,
                                                 "WriteCapacityUnits": 1}) == (
        "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1"
    )
    both = message_of(db, BillingMode="INVALID_MODE",
                      KeySchema=[{"AttributeName": "pk", "KeyType": "INVALID"}])
    assert both.startswith("2 validation errors detected: Value 'INVALID_MODE' at 'billingMode'")
    assert "keySchema.1.member.keyType" in both


def test_billing_mode_rules(db):
    assert message_of(db, BillingMode="PAY_PER_REQUEST") == (
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST"
    )
    assert message_of(db, ProvisionedThroughput=None) == (
        INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
        "BillingMode is PROVISIONED"
    )
    assert message_of(db, ProvisionedThroughput={"ReadCapacityUnits": 10**12 + 1,
                                                 "WriteCapacityUnits": 1}) == (
        f"Given value {10**12 + 1} for ReadCapacityUnits is out of bounds"
    )


def test_key_schema_meaning(db):
    sk = {"AttributeName": "sk", "KeyType": "RANGE"}
    both_defs = PK_S + [{"AttributeName": "sk", "AttributeType": "S"}]
    assert message_of(db, KeySchema=HASH + [{"AttributeName": "pk", "KeyType": "RANGE"}]) == (
        "Invalid KeySchema: Some index key attribute have no definition"
    )
    assert message_of(db, KeySchema=[{"AttributeName": "x", "KeyType": "HASH"}]) == (
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [x], AttributeDefinitions: [pk]"
    )
    assert message_of(db, KeySchema=[sk, HASH[0]], AttributeDefinitions=both_defs) == (
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    )
    assert message_of(db, KeySchema=HASH + [dict(sk, KeyType="HASH")],
                      AttributeDefinitions=both_defs) == (
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
    )
    assert message_of(db, AttributeDefinitions=both_defs) == (
        INVALID + "Number of attributes in KeySchema does not exactly match number of "
        "attributes defined in AttributeDefinitions"
    )


def index(name, *keys, projection="ALL", throughput=True):
    made = {
        "IndexName": name,
        "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"))],
        "Projection": {"ProjectionType": projection},
    }
    if throughput:
        made["ProvisionedThroughput"] = THROUGHPUT
    return made


def test_index_rules(db):
    defs = PK_S + [{"AttributeName": n, "AttributeType": "S"} for n in ("sk", "a", "b")]
    composite = HASH + [{"AttributeName": "sk", "KeyType": "RANGE"}]
    assert message_of(db, AttributeDefinitions=PK_S + [defs[2]],
                      LocalSecondaryIndexes=[index("lsi1", "pk", "a", throughput=False)]) == (
        INVALID + "Table KeySchema does not have a range key, which is required when "
        "specifying a LocalSecondaryIndex"
    )
    assert message_of(db, KeySchema=composite, AttributeDefinitions=defs[:3],
                      LocalSecondaryIndexes=[index("lsi1", "a", "sk", throughput=False)]) == (
        INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema "
        "for index: lsi1. index hash key: a, table hash key: pk"
    )
    assert message_of(db, KeySchema=composite, AttributeDefinitions=defs,
                      GlobalSecondaryIndexes=[index("same", "a"), index("same", "b")]) == (
        INVALID + "Duplicate index name: same"
    )
    assert message_of(db, KeySchema=composite, AttributeDefinitions=defs[:2],
                      GlobalSecondaryIndexes=[index("gsi1", "zz")]) == (
        INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [zz], AttributeDefinitions: [pk, sk]"
    )
    assert message_of(db, KeySchema=composite, AttributeDefinitions=defs[:3],
                      GlobalSecondaryIndexes=[index("gsi1", "a", projection="KEYS_ONLY") | {
                          "Projection": {"ProjectionType": "KEYS_ONLY",
                                         "NonKeyAttributes": ["x"]}}]) == (
        INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"
    )
    assert message_of(db, AttributeDefinitions=PK_S + [defs[2]], BillingMode="PAY_PER_REQUEST",
                      ProvisionedThroughput=None, GlobalSecondaryIndexes=[index("gsi1", "a")]) == (
        INVALID + "ProvisionedThroughput should not be specified for index: gsi1 when "
        "BillingMode is PAY_PER_REQUEST"
    )
    assert message_of(db, GlobalSecondaryIndexes=[]) == (
        INVALID + "List of GlobalSecondaryIndexes is empty"
    )


def test_existing_table(client):
    create_table(client)
    with pytest.raises(client.exceptions.ResourceInUseException) as excinfo:
        create_table(client)
    assert error_of(excinfo) == ("ResourceInUseException", "Table already exists: things")


# ------------------------------------------------------------------ behaviour


def test_provisioned_table_description(client, clock):
    response = client.create_table(**request(TableName="prov"))
    description = response["TableDescription"]
    assert description["TableStatus"] == "CREATING"
    assert description["TableName"] == "prov"
    assert description["KeySchema"] == HASH
    assert description["AttributeDefinitions"] == PK_S
    assert description["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5
    }
    assert description["ItemCount"] == 0 and description["TableSizeBytes"] == 0
    assert isinstance(description["CreationDateTime"], datetime)
    assert description["CreationDateTime"].tzinfo is not None
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:\d{12}:table/prov", description["TableArn"])
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", description["TableId"]
    )
    assert "BillingModeSummary" not in description
    assert description["DeletionProtectionEnabled"] is False
    assert client.describe_table(TableName="prov")["Table"]["TableStatus"] == "ACTIVE"


def test_on_demand_table_with_indexes_stream_and_tags(client):
    defs = [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "a")]
    response = client.create_table(
        TableName="rich",
        KeySchema=HASH + [{"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=defs,
        BillingMode="PAY_PER_REQUEST",
        LocalSecondaryIndexes=[index("lsi1", "pk", "a", throughput=False)],
        GlobalSecondaryIndexes=[{**index("gsi1", "a", throughput=False),
                                 "Projection": {"ProjectionType": "INCLUDE",
                                                "NonKeyAttributes": ["x"]}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        Tags=[{"Key": "team", "Value": "core"}],
        DeletionProtectionEnabled=True,
        TableClass="STANDARD_INFREQUENT_ACCESS",
    )["TableDescription"]
    assert response["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert response["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    (lsi,) = response["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "lsi1" and lsi["IndexArn"].endswith(":table/rich/index/lsi1")
    (gsi,) = response["GlobalSecondaryIndexes"]
    assert gsi["IndexStatus"] == "CREATING"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}
    assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert response["StreamSpecification"] == {"StreamEnabled": True,
                                               "StreamViewType": "NEW_IMAGE"}
    assert response["LatestStreamArn"].startswith(response["TableArn"] + "/stream/")
    assert response["DeletionProtectionEnabled"] is True
    assert response["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    described = client.describe_table(TableName="rich")["Table"]
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    tags = client.list_tags_of_resource(ResourceArn=response["TableArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "core"}]
