"""`ssc tui`: the terminal UI (parsing only; the work is done in the ``tui`` package)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    from ssc.cli import iso_date

    parser = sub.add_parser(
        "tui",
        help="the terminal UI: register, meeting, statuses, deadlines, reports",
        description="Open the secretariat's terminal UI on the register.",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open on a fresh demo register (a temporary file unless --db is given)",
    )
    parser.add_argument(
        "--as-of", type=iso_date, metavar="DATE", help="work as of DATE (default: today)"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="browse and report; change nothing"
    )
    parser.add_argument(
        "--certs",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="SMKI certificate file or folder to watch for expiry (repeatable)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder the reports are written to (default: the current folder)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env) -> int:
    from core.errors import InputError
    from tui.app import run as run_app
    from tui.state import Session

    db_path = env.db_path
    # --db is global (before or after ``tui``); None here means it was not given at all.
    if args.demo and args.db is None:
        db_path = Path(tempfile.mkdtemp(prefix="ssc-demo-")) / "register.db"
    elif args.demo and Path(db_path).exists() and Path(db_path).stat().st_size > 0:
        raise InputError(
            "--demo fills a fresh register; this file already exists", path=str(db_path)
        )
    for path in args.certs:
        if not path.exists():
            raise InputError("no such certificate file or folder", path=str(path))
    session = Session(
        db_path=db_path,
        actor=env.actor,
        today=env.today(),
        read_only=args.read_only,
        demo=args.demo,
        certs=tuple(args.certs),
        out_dir=args.out or Path.cwd(),
    )
    if args.demo:
        print(f"ssc: demo register at {db_path}", file=env.stderr)
    return run_app(session, demo=args.demo, policies=env.policies)
