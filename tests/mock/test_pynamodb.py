"""PynamoDB (a botocore user with its own connection layer) inside ddblite.mock."""

from __future__ import annotations

import pytest
from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from ddblite.mock import mock


class Thing(Model):
    class Meta:
        table_name = "things"
        region = "us-east-1"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    blob = BinaryAttribute(null=True, legacy_encoding=False)
    count = NumberAttribute(null=True)


@mock
def test_pynamodb_model_round_trip():
    assert not Thing.exists()
    Thing.create_table(wait=True)
    assert Thing.exists()
    Thing("a", blob=b"\x00\xff", count=3).save()
    with Thing.batch_write() as batch:
        for number in range(30):
            batch.save(Thing(f"k{number}", count=number))
    got = Thing.get("a")
    assert (got.blob, got.count) == (b"\x00\xff", 3)
    assert Thing.get("k29").count == 29
    got.delete()
    with pytest.raises(Thing.DoesNotExist):
        Thing.get("a")


class Event(Model):
    class Meta:
        table_name = "events"
        region = "us-east-1"
        billing_mode = "PAY_PER_REQUEST"

    stream = UnicodeAttribute(hash_key=True)
    at = NumberAttribute(range_key=True)
    kind = UnicodeAttribute(null=True)


@mock
def test_pynamodb_query_and_conditional_save():
    from pynamodb.exceptions import PutError

    Event.create_table(wait=True)
    for at in range(5):
        Event("s1", at, kind="even" if at % 2 == 0 else "odd").save()
    Event("s2", 0).save()
    found = list(Event.query("s1", Event.at >= 2, filter_condition=Event.kind == "even"))
    assert [event.at for event in found] == [2, 4]
    assert [e.at for e in Event.query("s1", scan_index_forward=False, limit=2)][:2] == [4, 3]
    # A save guarded by a condition that does not hold is refused, and changes nothing.
    with pytest.raises(PutError) as excinfo:
        Event("s1", 1, kind="changed").save(condition=Event.at.does_not_exist())
    assert excinfo.value.cause_response_code == "ConditionalCheckFailedException"
    assert Event.get("s1", 1).kind == "odd"
