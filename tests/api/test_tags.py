"""TagResource, UntagResource, ListTagsOfResource."""

from __future__ import annotations

import pytest

from ddblite.errors import ValidationException
from tests.conftest import create_table, error_of


def test_missing_members(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("TagResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/x"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_arn_checks(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.tag_resource(ResourceArn="not-a-valid-arn", Tags=[{"Key": "k", "Value": "v"}])
    assert error_of(excinfo) == (
        "ValidationException",
        "Invalid TableArn: Invalid ResourceArn provided as input not-a-valid-arn",
    )
    bad = "a:b:c:d:e:f/g"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.tag_resource(ResourceArn=bad, Tags=[{"Key": "k", "Value": "v"}])
    assert error_of(excinfo) == (
        "ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {bad}"
    )
    # DynamoDB Local's account: somebody else's for real DynamoDB and for ddblite.
    foreign = "arn:aws:dynamodb:us-east-1:000000000000:table/things"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.list_tags_of_resource(ResourceArn=foreign)
    assert error_of(excinfo)[0] == "AccessDeniedException"


def test_missing_table(client):
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/missing"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert error_of(excinfo)[1] == f"Requested resource not found: ResourcArn: {arn} not found"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.untag_resource(ResourceArn=arn, TagKeys=["k"])
    assert error_of(excinfo)[1] == "Requested resource not found"


def test_empty_lists(db):
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/things"
    with pytest.raises(ValidationException) as excinfo:
        db.call("TagResource", {"ResourceArn": arn, "Tags": []})
    assert error_of(excinfo)[1] == "Atleast one Tag needs to be provided as Input."
    with pytest.raises(ValidationException) as excinfo:
        db.call("UntagResource", {"ResourceArn": arn, "TagKeys": []})
    assert error_of(excinfo)[1] == "Atleast one Tag Key needs to be provided as Input."


def test_tag_lifecycle(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                               {"Key": "b", "Value": ""}])
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "2"}])
    tags = client.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [
        {"Key": "a", "Value": "2"}, {"Key": "b", "Value": ""}
    ]
    client.untag_resource(ResourceArn=arn, TagKeys=["a", "absent"])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": ""}]


def test_tag_rules(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}])
    assert error_of(excinfo)[0] == "ValidationException"
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert error_of(excinfo)[0] == "ValidationException"
