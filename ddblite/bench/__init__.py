"""`ddblite bench`: YCSB-style workloads against ddblite or any DynamoDB endpoint.

    from ddblite.bench import Config, run
    report = run(Config(workload="C", records=10_000, operations=100_000, threads=2))

See driver.Config for the knobs, workloads for the mixes and user workloads, report
for the result's fields.
"""

from ddblite.bench.driver import Config, run
from ddblite.bench.report import format_table, plot

__all__ = ["Config", "format_table", "plot", "run"]
