"""`python -m ddblite ...` is the `ddblite` command."""

from ddblite.cli import main

raise SystemExit(main())
