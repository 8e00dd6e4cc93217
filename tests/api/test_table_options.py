"""CreateTable / UpdateTable / DescribeTable options beyond the key schema:
SSESpecification -> SSEDescription, WarmThroughput, ResourcePolicy, and the ones
described as given (TableClass, OnDemandThroughput, DeletionProtectionEnabled)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import create_table, error_of

ACCOUNT = "123456789012"
POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                   "Action": "dynamodb:GetItem", "Resource": "*"}],
})
DEFAULT_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}


def _table(client) -> dict:
    return client.describe_table(TableName="things")["Table"]


def test_a_plain_table_has_no_sse_description_and_the_default_warm_throughput(client):
    created = create_table(client)["TableDescription"]
    assert "SSEDescription" not in created
    assert created["WarmThroughput"] == DEFAULT_WARM
    assert "SSEDescription" not in _table(client)
    assert _table(client)["WarmThroughput"] == DEFAULT_WARM


def test_sse_with_the_aws_managed_key(client):
    created = create_table(client, SSESpecification={"Enabled": True})["TableDescription"]
    sse = created["SSEDescription"]
    assert sse["Status"] == "ENABLED"
    assert sse["SSEType"] == "KMS"
    assert sse["KMSMasterKeyArn"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert _table(client)["SSEDescription"] == sse


def test_sse_with_a_customer_key(client):
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11112222-3333-4444-5555-666677778888"
    create_table(client, SSESpecification={"Enabled": True, "SSEType": "KMS",
                                           "KMSMasterKeyId": key})
    assert _table(client)["SSEDescription"] == {
        "Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}
    create_table(client, name="by-id", SSESpecification={
        "Enabled": True, "KMSMasterKeyId": "11112222-3333-4444-5555-666677778888"})
    assert client.describe_table(TableName="by-id")["Table"]["SSEDescription"][
        "KMSMasterKeyArn"] == key


def test_sse_disabled_is_the_aws_owned_key(client):
    create_table(client, SSESpecification={"Enabled": False})
    assert "SSEDescription" not in _table(client)


def test_sse_type_outside_its_enum(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        create_table(client, SSESpecification={"Enabled": True, "SSEType": "RSA"})
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'RSA' at 'sSESpecification.sSEType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [AES256, KMS]",
    )


def test_update_table_switches_encryption(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_table(TableName="things", SSESpecification={"Enabled": False})
    assert error_of(excinfo) == ("ValidationException", "Table is already encrypted by default")
    updated = client.update_table(TableName="things", SSESpecification={"Enabled": True})
    assert updated["TableDescription"]["SSEDescription"]["Status"] == "UPDATING"
    assert _table(client)["SSEDescription"]["Status"] == "ENABLED"
    client.update_table(TableName="things", SSESpecification={"Enabled": False})
    assert "SSEDescription" not in _table(client)


def test_warm_throughput_is_validated_and_described(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        create_table(client, WarmThroughput={"ReadUnitsPerSecond": 0, "WriteUnitsPerSecond": 0})
    assert error_of(excinfo) == (
        "ValidationException",
        "2 validation errors detected: Value '0' at 'warmThroughput.readUnitsPerSecond' failed "
        "to satisfy constraint: Member must have value greater than or equal to 1; Value '0' at "
        "'warmThroughput.writeUnitsPerSecond' failed to satisfy constraint: Member must have "
        "value greater than or equal to 1",
    )
    created = create_table(client, WarmThroughput={"ReadUnitsPerSecond": 20000,
                                                   "WriteUnitsPerSecond": 9000})
    warm = {"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 9000, "Status": "ACTIVE"}
    assert created["TableDescription"]["WarmThroughput"] == warm
    assert _table(client)["WarmThroughput"] == warm
    client.update_table(TableName="things", WarmThroughput={"ReadUnitsPerSecond": 30000})
    assert _table(client)["WarmThroughput"] == {**warm, "ReadUnitsPerSecond": 30000}


def test_update_table_with_only_warm_throughput_is_a_change(client):
    create_table(client)
    client.update_table(TableName="things", WarmThroughput={"WriteUnitsPerSecond": 5000})
    assert _table(client)["WarmThroughput"]["WriteUnitsPerSecond"] == 5000


def test_other_options_are_described_as_given(client):
    create_table(client, TableClass="STANDARD_INFREQUENT_ACCESS", DeletionProtectionEnabled=True,
                 OnDemandThroughput={"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 20})
    table = _table(client)
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table["DeletionProtectionEnabled"] is True
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 20}


def test_create_table_resource_policy_is_kept(client):
    created = create_table(client, ResourcePolicy=POLICY)["TableDescription"]
    stored = client.get_resource_policy(ResourceArn=created["TableArn"])
    assert stored["Policy"] == POLICY
    assert stored["RevisionId"].isdigit()


def test_create_table_resource_policy_is_checked(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        create_table(client, ResourcePolicy="{not json")
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Invalid policy document: the policy is not "
        "valid JSON",
    )
    assert client.list_tables()["TableNames"] == []


def test_tag_lengths_at_create_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        create_table(client, Tags=[{"Key": "k" * 129, "Value": "v" * 257}])
    assert error_of(excinfo) == (
        "ValidationException",
        f"2 validation errors detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to "
        "satisfy constraint: Member must have length less than or equal to 128; "
        f"Value '{'v' * 257}' at 'tags.1.member.value' failed to satisfy constraint: Member "
        "must have length less than or equal to 256",
    )


def _gsi_table(client, **index_extra):
    return client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "byG", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], **index_extra}])


def test_a_gsi_keeps_its_warm_and_on_demand_throughput(client):
    _gsi_table(client, WarmThroughput={"ReadUnitsPerSecond": 15000,
                                       "WriteUnitsPerSecond": 6000},
               OnDemandThroughput={"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 40})
    [gsi] = _table(client)["GlobalSecondaryIndexes"]
    assert gsi["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 6000,
                                     "Status": "ACTIVE"}
    assert gsi["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 40}


def test_a_gsi_warm_throughput_is_validated(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        _gsi_table(client, WarmThroughput={"ReadUnitsPerSecond": 0})
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '0' at "
        "'globalSecondaryIndexes.1.member.warmThroughput.readUnitsPerSecond' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1",
    )
