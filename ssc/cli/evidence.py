"""`ssc evidence` sub-commands (parsing and printing only; the work is in assurance.evidence)."""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
from pathlib import Path

from core.errors import InputError
from ssc.cli import iso_date


def _environment_faults(handler):
    """A fault of the environment (disk full, register locked, no permission) as one line, exit 2."""

    @functools.wraps(handler)
    def run(args, env) -> int:
        try:
            return handler(args, env)
        except sqlite3.Error as exc:
            raise InputError(
                f"the register could not be used: {exc}; nothing was changed", path=str(env.db_path)
            ) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            where = exc.filename if exc.filename is not None else None
            raise InputError(f"{exc.strerror or exc}", path=str(where) if where else None) from None

    return run


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    parser = sub.add_parser(
        "evidence",
        help="the documents records rest on, kept and proven",
        description="Files kept inside the register, named by SHA-256, "
        "stored once however often cited, never deleted (only withdrawn), "
        "every change in the audit trail.",
    )
    commands = parser.add_subparsers(dest="evidence_command", metavar="SUBCOMMAND", required=True)

    p = commands.add_parser(
        "add",
        help="store files with a record",
        description="Store each FILE with RECORD (an id, or TYPE:ID where ids "
        "of two types coincide). Types are recognised by content (policy: "
        "policies/evidence.toml); all files are stored or none.",
        epilog="Exit status: 0 stored, 2 bad input (nothing written).",
    )
    p.add_argument("record", metavar="RECORD")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--kind", default="other", help="report, response, plan, letter, other… (policy)"
    )
    p.add_argument(
        "--effective",
        type=iso_date,
        metavar="DATE",
        help="the date the document takes effect (default: today)",
    )
    p.add_argument("--classification", metavar="C", help="default: the record's; never below it")
    p.add_argument("--reason", required=True, help="why, kept in the audit trail")
    p.add_argument("--as-of", dest="as_of", type=iso_date, metavar="DATE", help=argparse.SUPPRESS)
    p.set_defaults(handler=add_command)

    p = commands.add_parser("list", help="evidence of one record, or all")
    p.add_argument("record", nargs="?", metavar="RECORD")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=list_command)

    p = commands.add_parser(
        "export",
        help="write a file's stored bytes back",
        epilog="Exit status: 0 written, 1 the stored bytes no longer match "
        "their hash (nothing written), 2 bad input.",
    )
    p.add_argument("evidence_id", metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="- for stdout")
    p.set_defaults(handler=export_command)

    p = commands.add_parser("withdraw", help="withdraw evidence (never deleted)")
    p.add_argument("evidence_id", metavar="ID")
    p.add_argument("--reason", required=True, help="why, kept in the audit trail")
    p.set_defaults(handler=withdraw_command)

    p = commands.add_parser(
        "verify",
        help="re-hash every stored file against its hash and audit event",
        epilog="Exit status: 0 intact, 1 naming each file that is not.",
    )
    p.set_defaults(handler=verify_command)


def _open(env, *, reading: bool = False):
    from assurance.store import Register

    if reading and not Path(env.db_path).exists():
        raise InputError("no register here", path=str(env.db_path))
    return Register.open(env.db_path, actor=env.actor, clock=env.clock, policies=env.policies)


@_environment_faults
def add_command(args, env) -> int:
    from assurance.evidence import add_files

    with _open(env) as register:
        added = add_files(
            register,
            args.record,
            args.files,
            kind=args.kind,
            effective=args.effective,
            classification=args.classification,
            reason=args.reason,
            today=env.today(),
        )
    for entry in added:
        item = entry.evidence
        note = "" if entry.new else " (already held)"
        print(f"{item.id} {item.sha256} {item.name}{note}", file=env.stdout)
    return 0


def _row(item) -> tuple:
    state = "withdrawn" if item.withdrawn else ""
    return (
        item.id,
        item.record,
        item.kind,
        item.name,
        item.size,
        item.sha256[:12],
        item.effective,
        item.classification,
        state,
    )


@_environment_faults
def list_command(args, env) -> int:
    from assurance.evidence import list_evidence
    from assurance.evidence.store import resolve_record
    from assurance.tables import format_table

    with _open(env, reading=True) as register:
        if args.record:
            record = resolve_record(register, args.record)
            items = list_evidence(register.conn, record.id, record_type=record.type_name)
        else:
            items = list_evidence(register.conn)
    if args.format == "json":
        env.stdout.write(
            json.dumps([item.to_interchange() for item in items], ensure_ascii=False) + "\n"
        )
        return 0
    if items:
        env.stdout.write(
            format_table(
                ("id", "record", "kind", "name", "size", "sha256", "effective", "class", ""),
                [_row(i) for i in items],
            )
        )
    print(f"{len(items)} evidence file(s)", file=env.stderr)
    return 0


@_environment_faults
def export_command(args, env) -> int:
    from assurance.evidence import write_to

    with _open(env, reading=True) as register:
        if args.output == "-":
            item = write_to(
                register.conn, args.evidence_id, None, stdout=getattr(env.stdout, "buffer", None)
            )
        else:
            item = write_to(register.conn, args.evidence_id, Path(args.output))
    print(f"exported {item.id} ({item.size} bytes, SHA-256 {item.sha256})", file=env.stderr)
    return 0


@_environment_faults
def withdraw_command(args, env) -> int:
    from assurance.evidence import withdraw

    with _open(env) as register:
        item = withdraw(register, args.evidence_id, reason=args.reason)
    print(f"withdrew evidence {item.id} ({item.name})", file=env.stdout)
    return 0


@_environment_faults
def verify_command(args, env) -> int:
    from assurance.evidence import list_evidence, verify

    with _open(env, reading=True) as register:
        problems = verify(register.conn)
        count = len(list_evidence(register.conn))
    for problem in problems:
        print(f"NOT intact: {problem}", file=env.stdout)
    if problems:
        return 1
    print(f"evidence intact: {count} file(s) match their hashes and audit events", file=env.stdout)
    return 0
