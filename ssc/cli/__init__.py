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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from core.env import Environment
from core.errors import SSCError
from ssc import __version__

#: Packages of the ``all`` extra, as imported: the base install (the pre-commit hook's) has only
#: what ``ssc smki check-keys`` needs (tests/test_architecture.py holds this to pyproject.toml).
OPTIONAL_PACKAGES = frozenset({"pydantic", "textual", "docx", "shtab"})
#: The modules of this package that add sub-commands, in the order ``--help`` lists them.
AREAS = ("register", "report", "evidence", "smki", "cpa", "tui", "completion")

#: Options every command takes, before or after its name: ``ssc --db R due`` = ``ssc due --db R``.
GLOBAL_HELP = {"--db": "the register file (default: $SSC_DB, else a per-user file)"}


class Parser(argparse.ArgumentParser):
    """``ssc``'s parser, and (as ``parser_class``) every sub-command's: usage errors are one line.

    argparse prints the whole usage before an error; in a cron mail or a CI log the error is
    then lost under it. This prints ``ssc: error: …`` and where to find the usage, exit 2.
    """

    def error(self, message: str, prog: str | None = None) -> NoReturn:
        prog = prog or self.prog
        command = prog.removeprefix("ssc").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"ssc: error: {where}{message}\nTry '{prog} --help' for more.\n")

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        # The innermost sub-command parses first: remember it, so that arguments left over
        # (which only the top parser reports) point to that command's --help, not ssc's.
        if getattr(namespace, "_ssc_prog", None) is None:
            namespace._ssc_prog = self.prog
        return namespace, extras

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        prog = vars(parsed).pop("_ssc_prog", None)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}", prog)
        return parsed


def _global_options(parser: argparse.ArgumentParser) -> None:
    """Give every parser under ``parser`` the global options, so they go before or after any
    sub-command name. Sub-parsers leave the value unset (SUPPRESS) unless given there, so
    ``ssc --db A cpa report`` is not undone by the report's own default."""
    if "--db" not in parser._option_string_actions:
        parser.add_argument("--db", type=Path, metavar="PATH", default=argparse.SUPPRESS,
                            help=GLOBAL_HELP["--db"])  # fmt: skip
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                _global_options(sub)


def iso_date(text: str) -> dt.date:
    """argparse type for ``--as-of`` and other dates: ISO 8601 ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def whole_number(upper: int) -> Callable[[str], int]:
    """argparse type for counts and day spans: a whole number from 0 to ``upper``.

    Bounded, so that a mistyped 10^30 is a usage error here rather than an overflow deep in
    date arithmetic or SQLite (which holds 64-bit integers).
    """

    def parse(text: str) -> int:
        text = text.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > upper:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from 0 to {upper:,}, got {text!r}"
            )
        return int(text)

    parse.__name__ = "whole number"  # argparse names the type in its message
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ssc",
        description="The SEC Security Sub-Committee secretariat's workbench.",
        epilog="Exit status: 0 nothing to report, 1 findings or alerts, 2 usage or input error.",
    )
    parser.add_argument("--version", action="version", version=f"ssc {__version__}")
    parser.set_defaults(db=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for area in AREAS:
        importlib.import_module(f"ssc.cli.{area}").register(sub)
    _global_options(parser)
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
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in OPTIONAL_PACKAGES:
            raise
        print(
            f"ssc: error: this command needs {exc.name}, which the base install leaves out; "
            "install everything with: pip install 'ssc[all]'",
            file=env.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("ssc: interrupted; nothing half-written was kept", file=env.stderr)
        return 130
    except BrokenPipeError:
        # Output piped to a command that stopped reading (e.g. `| head`).
        sys.stderr.close()
        return 0
    except Exception as exc:
        return _environment_fault(exc, env)


def _environment_fault(exc: Exception, env: Environment) -> int:
    """A fault of the environment (disk full, locked, no permission…) is exit 2 with one line,
    never a traceback and never 1 (which means tampering or findings); anything else is a bug
    and is raised as such."""
    from core.errors import describe_fault

    line = describe_fault(exc)
    if line is None:
        raise exc
    print(f"ssc: error: {line}", file=env.stderr)
    return 2
