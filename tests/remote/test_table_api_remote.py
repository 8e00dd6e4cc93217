"""The Table API's own tests, run through remote mode: `db` here is
ddblite.connect("http://...") against a ddblite server (see conftest.py)."""

from tests.table.test_table import *  # noqa: F403 - re-run those tests on a remote db
from tests.table.test_transactions import *  # noqa: F403
