"""The `ddblite` command: `ddblite serve`, `ddblite demo`, `export`, `import`, `copy`."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from ddblite.transfer.commands import add_commands as add_transfer_commands
from ddblite.transfer.commands import run as run_transfer_command

DEFAULT_PATH = "./ddblite-data"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _key_pair(text: str) -> tuple[str, str]:
    access_key, colon, secret = text.partition(":")
    if not colon or not access_key or not secret:
        raise argparse.ArgumentTypeError("expected ACCESS_KEY:SECRET")
    return access_key, secret


def _trigger(text: str) -> tuple[str, str]:
    table, _, target = text.partition("=")
    if not table or ":" not in target:
        raise argparse.ArgumentTypeError("expected TABLE=MODULE:FUNCTION")
    return table, target


def _origins(text: str) -> list[str]:
    return [origin.strip() for origin in text.split(",") if origin.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddblite", description="An embedded storage engine that speaks DynamoDB."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve DynamoDB's HTTP API on this machine")
    where = serve.add_mutually_exclusive_group()
    where.add_argument("--path", default=DEFAULT_PATH, help=f"data directory ({DEFAULT_PATH})")
    where.add_argument("--in-memory", action="store_true", help="keep nothing on disk")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    serve.add_argument(
        "--durability",
        choices=("full", "lazy", "nosync"),
        default=None,
        help="full: sync every commit (default); lazy: may lose the last commits on an OS "
        "crash, never corrupts; nosync: may corrupt on an OS crash (see the README)",
    )
    serve.add_argument(
        "--require-auth",
        type=_key_pair,
        metavar="ACCESS_KEY:SECRET",
        help="accept only requests signed (SigV4) with this key pair",
    )
    serve.add_argument(
        "--cors", type=_origins, metavar="ORIGINS", help="comma-separated browser origins, or *"
    )
    serve.add_argument(
        "--account-id", metavar="DIGITS",
        help="the 12-digit account ARNs name (123456789012); other accounts' ARNs are refused",
    )

    serve.add_argument(
        "--sweep-interval", type=float, default=None, metavar="SECONDS",
        help="how often expired TTL items are deleted (30; 0: never)",
    )
    serve.add_argument(
        "--usage-interval", type=float, default=None, metavar="SECONDS",
        help="how often each worker publishes its consumed capacity to the directory, for "
        "`ddblite stats` (1; 0: after every request)",
    )
    serve.add_argument(
        "--trigger", type=_trigger, action="append", metavar="TABLE=MODULE:FUNCTION",
        help="call FUNCTION(event) with batches of TABLE's stream records (repeatable)",
    )
    limits = serve.add_argument_group("connection limits (per worker process)")
    limits.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                        help="close a connection idle between requests or mid-body (60)")
    limits.add_argument("--header-timeout", type=float, metavar="SECONDS",
                        help="close a connection whose request headers take longer (20)")
    limits.add_argument("--max-header-bytes", type=int, metavar="BYTES",
                        help="header names and values together (65536)")
    limits.add_argument("--max-request-line", type=int, metavar="BYTES",
                        help="request target: path and query string (16384)")
    limits.add_argument("--max-connections", type=int, metavar="N",
                        help="open connections; more are answered 503 (1024, less under a "
                        "lower open-file limit)")
    serve.add_argument(
        "--throttle", action="store_true",
        help="enforce provisioned and on-demand throughput limits, as DynamoDB does",
    )

    commands.add_parser("demo", help="a short tour on an embedded, in-memory database")
    add_transfer_commands(commands)  # export, import, copy
    from ddblite import stats
    from ddblite.bench import command as bench

    bench.add_parser(commands)
    stats.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "demo":
        return _demo()
    if args.command in ("export", "import", "copy"):
        return run_transfer_command(args)
    if args.command == "bench":
        from ddblite.bench import command as bench

        return bench.main(args)
    if args.command == "stats":
        from ddblite import stats

        return stats.main(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


def _serve(args: argparse.Namespace) -> int:
    from ddblite.server.app import serve_options
    from ddblite.server.runner import bind, serve, url_of

    if args.in_memory and args.workers > 1:
        print("ddblite: --in-memory cannot be shared by several --workers", file=sys.stderr)
        return 2
    if args.host not in LOOPBACK:
        print(
            f"ddblite: warning: listening on {args.host}; ddblite is meant for this machine only",
            file=sys.stderr,
        )
    if args.trigger and args.workers > 1:
        # Each worker would run the trigger: one process delivers, once.
        print("ddblite: --trigger needs a single worker", file=sys.stderr)
        return 2
    if args.usage_interval is not None and args.usage_interval < 0:
        print("ddblite: --usage-interval takes seconds, 0 or more", file=sys.stderr)
        return 2
    path = ":memory:" if args.in_memory else args.path
    durability = "memory" if args.in_memory else args.durability
    limits = {
        name: getattr(args, name)
        for name in (
            "idle_timeout", "header_timeout", "max_header_bytes", "max_request_line",
            "max_connections",
        )
    }
    if args.account_id is not None and not (
        len(args.account_id) == 12 and args.account_id.isdigit()
    ):
        print("ddblite: --account-id takes 12 digits", file=sys.stderr)
        return 2
    options = serve_options(path, durability, args.require_auth, args.cors,
                            args.sweep_interval, args.trigger, account_id=args.account_id,
                            limits=limits, throttle=args.throttle,
                            usage_interval=args.usage_interval)
    sock = bind(args.host, args.port)
    url = url_of(sock)
    where = "in memory" if args.in_memory else args.path
    print(f"ddblite serving {where} at {url}", flush=True)
    print(f"  try: aws dynamodb list-tables --endpoint-url {url}", flush=True)
    # uvicorn finishes in-flight requests and closes the store on SIGINT/SIGTERM,
    # then re-raises the signal: let that end the process with status 0.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, _stopped)
    try:
        serve(sock, options, workers=args.workers)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _demo() -> int:
    import ddblite

    with ddblite.connect(":memory:") as db:
        client = db.client()
        print(">>> client.create_table(TableName='Music', ...)")
        client.create_table(
            TableName="Music",
            KeySchema=[
                {"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "Song", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "Artist", "AttributeType": "S"},
                {"AttributeName": "Song", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        item = {
            "Artist": {"S": "No One You Know"},
            "Song": {"S": "Call Me Today"},
            "Year": {"N": "2015"},
        }
        print(f">>> client.put_item(TableName='Music', Item={item})")
        client.put_item(TableName="Music", Item=item)
        key = {"Artist": {"S": "No One You Know"}, "Song": {"S": "Call Me Today"}}
        print(f">>> client.get_item(TableName='Music', Key={key})['Item']")
        print(client.get_item(TableName="Music", Key=key)["Item"])
        print(">>> client.list_tables()['TableNames']")
        print(client.list_tables()["TableNames"])
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
