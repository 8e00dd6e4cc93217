"""UpdateTable: validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "
THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def provisioned(client):
    create_table(client, BillingMode="PROVISIONED", ProvisionedThroughput=THROUGHPUT)


def test_member_constraints(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("UpdateTable", {"TableName": "things", "BillingMode": "X",
                                "ProvisionedThroughput": {"ReadCapacityUnits": 0,
                                                          "WriteCapacityUnits": 1}})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1; "
        "Value 'X' at 'billingMode' failed to satisfy constraint: Member must satisfy enum "
        "value set: [PROVISIONED, PAY_PER_REQUEST]"
    )


def test_nothing_to_change(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_table(TableName="missing")
    assert error_of(excinfo)[1] == (
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
    )


def test_missing_table(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.update_table(TableName="missing", BillingMode="PAY_PER_REQUEST")
    assert error_of(excinfo)[1] == "Requested resource not found: Table: missing not found"


def test_billing_rules(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_table(TableName="things", BillingMode="PROVISIONED")
    assert error_of(excinfo)[1] == (
        INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
    )
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_table(TableName="things", ProvisionedThroughput=THROUGHPUT)
    assert error_of(excinfo)[1] == (
        INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
        "BillingMode is PAY_PER_REQUEST"
    )
    # On-demand to on-demand is accepted.
    client.update_table(TableName="things", BillingMode="PAY_PER_REQUEST")


def test_same_throughput_is_refused(client):
    provisioned(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_table(TableName="things", ProvisionedThroughput=THROUGHPUT)
    assert error_of(excinfo)[1] == (
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested "
        "ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. "
        "Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for "
        "current limits and how to request higher limits."
    )


def test_throughput_changes(client, clock):
    provisioned(client)
    up = client.update_table(TableName="things",
                             ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                    "WriteCapacityUnits": 5})["TableDescription"]
    assert up["TableStatus"] == "UPDATING"
    assert up["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert "LastIncreaseDateTime" in up["ProvisionedThroughput"]
    down = client.update_table(TableName="things",
                               ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                      "WriteCapacityUnits": 1})["TableDescription"]
    assert down["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 1
    assert client.describe_table(TableName="things")["Table"]["TableStatus"] == "ACTIVE"


def test_switch_billing_mode_both_ways(client):
    provisioned(client)
    on_demand = client.update_table(TableName="things",
                                    BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert on_demand["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in on_demand["BillingModeSummary"]
    assert on_demand["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    back = client.update_table(TableName="things", BillingMode="PROVISIONED",
                               ProvisionedThroughput=THROUGHPUT)["TableDescription"]
    assert back["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert back["ProvisionedThroughput"]["ReadCapacityUnits"] == 5


def test_other_settings(client):
    create_table(client)
    client.update_table(TableName="things", DeletionProtectionEnabled=True,
                        TableClass="STANDARD_INFREQUENT_ACCESS",
                        OnDemandThroughput={"MaxReadRequestUnits": 10,
                                            "MaxWriteRequestUnits": 20})
    table = client.describe_table(TableName="things")["Table"]
    assert table["DeletionProtectionEnabled"] is True
    assert table["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 20}
