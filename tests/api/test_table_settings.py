"""Resource policies, Contributor Insights, Kinesis destinations, replica auto scaling,
and the operations one local engine can only answer as "none here"."""

from __future__ import annotations

import json

import pytest

from tests.conftest import create_table, error_of

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "dynamodb:GetItem", "Resource": "*",
}]})
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/changes"


@pytest.fixture
def arn(client):
    return create_table(client)["TableDescription"]["TableArn"]


def _error(call, **params) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_resource_policy_lifecycle(client, arn, clock):
    assert _error(client.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"
    revision = client.put_resource_policy(ResourceArn=arn, Policy=POLICY)["RevisionId"]
    got = client.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (POLICY, revision)
    clock.advance(1)
    code, _ = _error(client.put_resource_policy, ResourceArn=arn, Policy=POLICY,
                     ExpectedRevisionId="0")
    assert code == "PolicyNotFoundException"
    newer = client.put_resource_policy(ResourceArn=arn, Policy=POLICY,
                                       ExpectedRevisionId=revision)["RevisionId"]
    assert newer != revision
    client.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=newer)
    assert _error(client.delete_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"


def test_policy_document_is_validated(client, arn):
    code, message = _error(client.put_resource_policy, ResourceArn=arn, Policy="{not json")
    assert code == "ValidationException"
    assert message.startswith("One or more parameter values were invalid: Invalid policy document")


def test_policy_on_a_missing_table_or_another_account(client, arn):
    missing = arn.replace("table/things", "table/missing")
    assert _error(client.put_resource_policy, ResourceArn=missing,
                  Policy=POLICY)[0] == "ResourceNotFoundException"
    foreign = arn.replace("123456789012", "000000000000")
    assert _error(client.get_resource_policy, ResourceArn=foreign)[0] == "AccessDeniedException"


def test_contributor_insights(client, arn):
    described = client.describe_contributor_insights(TableName="things")
    assert described["ContributorInsightsStatus"] == "DISABLED"
    updated = client.update_contributor_insights(TableName="things",
                                                 ContributorInsightsAction="ENABLE")
    assert updated["ContributorInsightsStatus"] == "ENABLING"
    described = client.describe_contributor_insights(TableName="things")
    assert described["ContributorInsightsStatus"] == "ENABLED"
    assert len(described["ContributorInsightsRuleList"]) == 4
    listed = client.list_contributor_insights()["ContributorInsightsSummaries"]
    assert listed == [{"TableName": "things", "ContributorInsightsStatus": "ENABLED",
                       "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}]
    client.update_contributor_insights(TableName="things", ContributorInsightsAction="DISABLE")
    assert client.describe_contributor_insights(
        TableName="things")["ContributorInsightsStatus"] == "DISABLED"
    code, _ = _error(client.describe_contributor_insights, TableName="things", IndexName="nope")
    assert code == "ResourceNotFoundException"


def test_kinesis_streaming_destination_lifecycle(client, arn):
    assert client.describe_kinesis_streaming_destination(
        TableName="things")["KinesisDataStreamDestinations"] == []
    enabled = client.enable_kinesis_streaming_destination(TableName="things", StreamArn=KINESIS)
    assert enabled["DestinationStatus"] == "ENABLING"
    assert _error(client.enable_kinesis_streaming_destination, TableName="things",
                  StreamArn=KINESIS)[0] == "ResourceInUseException"
    client.update_kinesis_streaming_destination(
        TableName="things", StreamArn=KINESIS,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    (destination,) = client.describe_kinesis_streaming_destination(
        TableName="things")["KinesisDataStreamDestinations"]
    assert destination == {"StreamArn": KINESIS, "DestinationStatus": "ACTIVE",
                           "ApproximateCreationDateTimePrecision": "MICROSECOND"}
    disabled = client.disable_kinesis_streaming_destination(TableName="things", StreamArn=KINESIS)
    assert disabled["DestinationStatus"] == "DISABLING"
    (destination,) = client.describe_kinesis_streaming_destination(
        TableName="things")["KinesisDataStreamDestinations"]
    assert destination["DestinationStatus"] == "DISABLED"


def test_replica_auto_scaling_of_a_single_region_table(client, arn):
    described = client.describe_table_replica_auto_scaling(TableName="things")
    assert described["TableAutoScalingDescription"] == {
        "TableName": "things", "TableStatus": "ACTIVE", "Replicas": []
    }
    assert _error(client.describe_table_replica_auto_scaling,
                  TableName="missing")[0] == "ResourceNotFoundException"


def test_global_tables_and_bulk_operations_answer_as_for_an_account_without_them(client):
    assert client.list_global_tables()["GlobalTables"] == []
    assert _error(client.describe_global_table,
                  GlobalTableName="things")[0] == "GlobalTableNotFoundException"
    code, message = _error(client.create_global_table, GlobalTableName="things",
                           ReplicationGroup=[{"RegionName": "us-east-1"}])
    assert code == "ValidationException"
    assert message.startswith("CreateGlobalTable is not available locally")
    assert client.list_bulk_operations()["BulkOperationsSummaryList"] == []
