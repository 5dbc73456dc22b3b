"""The ``ssc`` command: argument parsing and dispatch, nothing else.

Each area has a module here (``register``, ``report``, ``smki``, ``cpa``, ``tui``) that adds its
sub-commands with :func:`argparse` and, when one runs, imports the package function that does
the work. Nothing heavy is imported until a command needs it, so ``ssc --help`` starts fast.
No rule lives here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from ssc import __version__
from ssc.env import Environment
from ssc.errors import SSCError

#: The modules of this package that add sub-commands, in the order ``--help`` lists them.
AREAS = ("register", "report", "smki", "cpa", "tui", "evidence")


def iso_date(text: str) -> dt.date:
    """argparse type for ``--as-of`` and other dates: ISO 8601 ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssc",
        description="The SEC Security Sub-Committee secretariat's workbench.",
        epilog="Exit status: 0 nothing to report, 1 findings or alerts, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"ssc {__version__}")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="the register file (default: $SSC_DB, else a per-user file)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for area in AREAS:
        importlib.import_module(f"ssc.cli.{area}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is not None:
        env.db_path = args.db
    if getattr(args, "as_of", None) is not None:
        env.as_of = args.as_of
    try:
        return int(args.handler(args, env) or 0)
    except SSCError as exc:
        print(f"ssc: error: {exc}", file=env.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("ssc: interrupted; nothing half-written was kept", file=env.stderr)
        return 130
    except BrokenPipeError:
        # Output piped to a command that stopped reading (e.g. `| head`).
        sys.stderr.close()
        return 0
