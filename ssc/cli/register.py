"""`ssc` sub-commands for the register area (parsing only; the work is done in the package)."""

from __future__ import annotations

import argparse
import json

from assurance.descriptors import DESCRIPTORS, RecordType
from ssc.cli import iso_date, whole_number

#: `ssc due --category`: the register's own, then those of the types with a date to chase.
DUE_CATEGORIES = tuple(
    dict.fromkeys(
        (
            "assessment",
            "follow_up",
            "response",
            "action",
            "letter",
            "basis",
            *(d.due_category for d in DESCRIPTORS.values() if d.due_category),
        )
    )
)


def record_fields(type_name: str) -> str:
    """The fields `add`/`edit` take as FIELD=VALUE, for the help (the model checks them): the
    id first, then the model's own fields, the classification last."""
    from assurance.models import RECORD_TYPES

    own = [
        name
        for name in RECORD_TYPES[type_name].model_fields
        if name not in ("id", "classification", "withdrawn", "withdrawn_reason")
    ]
    return " ".join(["id", *own, "classification"])


class _FieldsHelp(argparse.ArgumentParser):
    """A parser whose description names the record type's fields, read from its model only
    when the help is shown (the models load pydantic, which `ssc --help` need not)."""

    fields_of: str | None = None

    def format_help(self) -> str:
        if self.fields_of is not None and self.description is None:
            self.description = (
                f"Fields: {record_fields(self.fields_of)}, and any extra field. "
                "Lists are comma-separated; an empty value (field=) clears a field."
            )
        return super().format_help()


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    p = sub.add_parser(
        "import",
        help="load JSON Lines or CSV into the register, all or nothing",
        description="Load records from JSON Lines (spec/interchange.md) or CSV files. "
        "Every record is checked first; on any error nothing is written and each "
        "bad file:line:field is named. A CSV file's type comes from --type, a `type` "
        "column, or its name (parties.csv, findings.csv…); lists are `;`-separated.",
        epilog="Exit status: 0 imported, 2 invalid input (nothing written).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files to import (- for stdin)")
    p.add_argument("--type", choices=tuple(DESCRIPTORS), help="record type of the CSV files")
    _reason(p)
    p.set_defaults(handler=import_command)

    p = sub.add_parser(
        "export",
        help="write the whole register as JSON Lines",
        description="Every record, withdrawn ones too, as JSON Lines; importing the "
        "output into an empty register gives the same register.",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.add_argument(
        "--bundle",
        metavar="DIR",
        help="write a bundle with the evidence files: a "
        "folder, or a .zip (register.jsonl and blobs/ named by SHA-256)",
    )
    p.set_defaults(handler=export_command)

    p = sub.add_parser(
        "demo",
        help="fill an empty register with a realistic fictional data set",
        epilog="Exit status: 2 if the register is not empty.",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        type=iso_date,
        metavar="DATE",
        help="date the demo's two years end (default: today)",
    )
    p.add_argument(
        "--seed",
        type=whole_number(2**63 - 1),
        default=2019,
        help="the same seed and date give the same register",
    )
    p.set_defaults(handler=demo_command)

    p = sub.add_parser(
        "due",
        help="assessments, follow-ups, responses, actions and letters due",
        description="What is due or overdue: the next assessment per Party and cycle, "
        "follow-up FUSAs after Deferred or Rejected, User Security Assessment "
        "Responses, remediation actions, Director's Letters awaiting a decision.",
        epilog="Exit status: 0 nothing overdue, 1 something overdue, 2 usage error.",
    )
    p.add_argument("--as-of", dest="as_of", type=iso_date, metavar="DATE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--party", metavar="ID", help="only this Party")
    p.add_argument(
        "--category",
        action="append",
        choices=DUE_CATEGORIES,
        help="only these categories (repeatable)",
    )
    p.add_argument("--overdue", action="store_true", help="only what is overdue")
    p.add_argument(
        "--within",
        type=whole_number(36_500),
        metavar="DAYS",
        help="only what falls due within DAYS",
    )
    p.set_defaults(handler=due_command)

    audit = sub.add_parser("audit", help="the tamper-evident audit trail")
    commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    p = commands.add_parser(
        "verify",
        help="check the hash chain, the schema, the records and the CPA register against the trail",
        description="Checks the chain of events and its head, that the "
        "schema is exactly what ssc's migrations create, and that every record "
        "and the CPA register match their last audited state.",
        epilog="Exit status: 0 intact, 1 tampering found (the first bad event "
        "is named), 2 not a register or unreadable.",
    )
    p.add_argument(
        "--expect-head",
        metavar="HASH",
        help="a head noted earlier (ssc audit head): "
        "it must still be in the trail (later events are fine)",
    )
    p.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="a signed statement from `ssc audit "
        "checkpoint`: its signature and its head as event N (needs --public-key)",
    )
    p.add_argument("--public-key", metavar="FILE", help="the checkpoint key's public half (PEM)")
    p.set_defaults(handler=audit_verify_command)
    p = commands.add_parser("log", help="the events, newest first")
    # Free text: the trail also holds evidence, CPA imports and the register's creation, and
    # each component names its own entities (core.db.COMPONENTS); an unknown one lists nothing.
    p.add_argument(
        "--entity",
        metavar="KIND",
        help="only events about this kind of thing: a record type, evidence, cpa_import…",
    )
    p.add_argument("--id", dest="entity_id", metavar="ID")
    p.add_argument(
        "--limit",
        type=whole_number(2**63 - 1),
        default=50,
        help="at most this many (0: all; default 50)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=audit_log_command)
    p = commands.add_parser(
        "head", help="the number of events and the last hash, to keep elsewhere"
    )
    p.set_defaults(handler=audit_head_command)
    p = commands.add_parser(
        "checkpoint",
        help="a signed statement of the trail's events, head and time",
        description="Verifies the trail, then prints a short statement (register id, events, head, "
        "time, public key) signed with an Ed25519 key kept outside the register, to quote in the "
        "Panel paper and check later with `ssc audit verify --checkpoint FILE --public-key FILE`.",
        epilog="Exit status: 0 signed, 1 the trail is not intact (nothing signed), 2 usage error.",
    )
    p.add_argument(
        "--key",
        metavar="FILE",
        help="the private key (PEM, mode 0600; default $SSC_CHECKPOINT_KEY)",
    )
    p.add_argument(
        "--new-key",
        metavar="FILE",
        help="create a key pair instead: FILE (0600) and "
        "FILE.pub; keep FILE away from the register",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        default="-",
        help="write the statement here (default: stdout)",
    )
    p.set_defaults(handler=audit_checkpoint_command)

    p = sub.add_parser(
        "decide",
        help="record the status the SSC set on an assessment or letter",
        description="Create a decision on SUBJECT (an assessment or a letter id) and "
        "say what follows from it.",
    )
    p.add_argument("subject", metavar="SUBJECT")
    p.add_argument(
        "--status",
        required=True,
        help="e.g. approved, approved_subject_to, deferred, "
        "rejected; compliant, potentially_non_compliant, non_compliant",
    )
    p.add_argument("--date", required=True, type=iso_date, help="the SSC meeting")
    p.add_argument("--conditions", help="required for approved_subject_to")
    p.add_argument("--notes")
    p.add_argument("--id", dest="decision_id", help="the decision's id (default: generated)")
    p.add_argument(
        "--supersedes",
        metavar="DECISION_ID",
        help="correct that decision on SUBJECT: it is withdrawn with --reason (required) "
        "and this one records that it supersedes it, in one transaction",
    )
    _reason(p)
    p.set_defaults(handler=decide_command)

    for descriptor in DESCRIPTORS.values():
        _record_commands(sub, descriptor)


def _reason(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--reason", required=required, help="why, kept in the audit trail")


def _record_commands(sub: argparse._SubParsersAction, descriptor: RecordType) -> None:
    """`ssc <type> add|edit|list|show|withdraw`, from the type's descriptor."""
    type_name = descriptor.name
    parser = sub.add_parser(type_name, help=descriptor.help or descriptor.plural)
    commands = parser.add_subparsers(
        dest="record_command",
        metavar="SUBCOMMAND",
        required=True,
        parser_class=_fields_parser(type(parser)),
    )

    def with_fields(name: str, **kwargs) -> argparse.ArgumentParser:
        p = commands.add_parser(name, **kwargs)
        p.fields_of = type_name
        return p

    p = with_fields(
        "add",
        help=f"add a {type_name}",
        epilog=f"Example: ssc {type_name} add {descriptor.example}" if descriptor.example else None,
    )
    p.add_argument("assignments", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--set", dest="more", action="append", default=[], metavar="FIELD=VALUE")
    _reason(p)
    p.set_defaults(handler=add_command, type_name=type_name)

    p = with_fields("edit", help=f"change fields of a {type_name}")
    p.add_argument("record_id", metavar="ID")
    p.add_argument("assignments", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--set", dest="more", action="append", default=[], metavar="FIELD=VALUE")
    _reason(p)
    p.set_defaults(handler=edit_command, type_name=type_name)

    p = commands.add_parser(
        "list",
        help=f"list {type_name} records",
        description="FIELD=VALUE filters keep records whose field equals the "
        "value (a list field: contains it).",
    )
    p.add_argument("filters", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--withdrawn", action="store_true", help="include withdrawn records")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=list_command, type_name=type_name)

    p = commands.add_parser(
        "show", help=f"a {type_name}, its related records and its audit history"
    )
    p.add_argument("record_id", metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=show_command, type_name=type_name)

    p = commands.add_parser("withdraw", help=f"withdraw a {type_name} (records are never deleted)")
    p.add_argument("record_id", metavar="ID")
    _reason(p, required=True)
    p.set_defaults(handler=withdraw_command, type_name=type_name)


def _fields_parser(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """The ``ssc`` parser class (its error habits) with the fields named lazily in its help."""
    return type("FieldsParser", (_FieldsHelp, base), {})


# -- handlers: open the register, call one package function, print -----------------------------
def _open(env, *, write: bool = True):
    """The register: to write (created and migrated on first use), or read-only, never created."""
    from assurance.store import Register

    return Register.open(
        env.db_path, actor=env.actor, write=write, clock=env.clock, policies=env.policies
    )


def _json(env, data) -> None:
    # One compact dumps: the C encoder (an indent would fall back to the slow pure-Python one).
    env.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")


def import_command(args, env) -> int:
    from assurance.bundle import import_bundle, is_bundle
    from assurance.interchange import import_paths

    if any(is_bundle(path) for path in args.paths):  # a bundle with evidence files
        if len(args.paths) != 1:
            from core.errors import InputError

            raise InputError("a bundle is imported on its own", field="PATH")
        with _open(env) as register:
            done = import_bundle(register, args.paths[0], reason=args.reason)
        print(
            f"imported {len(done.records)} record(s) and {len(done.evidence)} evidence file(s)",
            file=env.stderr,
        )
        return 0
    with _open(env) as register:
        records = import_paths(
            register, args.paths, type_name=args.type, stdin=env.stdin, reason=args.reason
        )
    counts: dict[str, int] = {}
    for record in records:
        counts[record.type_name] = counts.get(record.type_name, 0) + 1
    detail = ", ".join(f"{n} {t}" for t, n in counts.items())
    print(f"imported {len(records)} record(s){': ' + detail if detail else ''}", file=env.stderr)
    return 0


def export_command(args, env) -> int:
    from assurance.interchange import export
    from core.output import private_file

    with _open(env, write=False) as register:
        if args.bundle:  # records and evidence files (assurance.bundle)
            from assurance.bundle import write_bundle

            done = write_bundle(register, args.bundle)
            print(
                f"exported {done.records} record(s), {done.evidence} evidence line(s), "
                f"{done.blobs} file(s)",
                file=env.stderr,
            )
            return 0
        with private_file(args.output or "-", stdout=env.stdout) as stream:
            count = export(register, stream)
        from assurance.evidence import list_evidence

        files = len(list_evidence(register.conn))
    print(f"exported {count} record(s)", file=env.stderr)
    if files:
        print(
            f"note: {files} evidence file(s) not included; `ssc export --bundle DIR|FILE.zip` "
            "carries them",
            file=env.stderr,
        )
    return 0


def demo_command(args, env) -> int:
    from assurance.demo import populate

    with _open(env) as register:
        populate(register, today=env.today(), seed=args.seed)
        counts = {t: register.count(t) for t in DESCRIPTORS}
    print(
        f"demo register as of {env.today().isoformat()} in {env.db_path}: "
        + ", ".join(f"{n} {t}" for t, n in counts.items()),
        file=env.stderr,
    )
    return 0


def due_command(args, env) -> int:
    from assurance.due import compute_due, json_text
    from assurance.tables import format_table

    as_of = env.today()
    with _open(env, write=False) as register:
        items = compute_due(
            register,
            as_of,
            party=args.party,
            categories=args.category,
            overdue_only=args.overdue,
            within_days=args.within,
        )
    overdue = sum(1 for i in items if i.overdue)
    if args.format == "json":
        env.stdout.write(json_text(as_of, items) + "\n")
    elif items:
        # The description names what is due; the category is in --format json.
        rows = [
            (
                i.due.isoformat(),
                f"{i.days_overdue:+d}" if i.days_overdue else "0",
                i.party_name[:18],
                i.subject or "",
                i.description,
            )
            for i in items
        ]
        env.stdout.write(format_table(("due", "days", "party", "subject", "what is due"), rows))
        print(
            f"{len(items)} due, {overdue} overdue as of {as_of.isoformat()} "
            "(days: + overdue, - left)",
            file=env.stderr,
        )
    else:
        print(f"nothing due as of {as_of.isoformat()}", file=env.stderr)
    return 1 if overdue else 0


def audit_verify_command(args, env) -> int:
    from core import audit
    from core.errors import InputError

    expect_head = audit.parse_head(args.expect_head) if args.expect_head else None
    expect_count, note = None, ""
    if bool(args.checkpoint) != bool(args.public_key):
        raise InputError("--checkpoint and --public-key go together", field="--checkpoint")
    if args.checkpoint:
        from pathlib import Path

        from assurance import checkpoint

        statement = checkpoint.read(Path(args.checkpoint))
        wrong = checkpoint.signature_holds(
            statement, checkpoint.load_public_key(Path(args.public_key))
        )
        if wrong is not None:
            print(f"checkpoint NOT valid: {wrong}", file=env.stdout)
            return 1
        if expect_head is not None and expect_head != statement.head:
            raise InputError(
                "--expect-head and --checkpoint name different heads", field="--expect-head"
            )
        expect_head, expect_count = audit.parse_head(statement.head), statement.events
        note = f"; checkpoint of {statement.at} (event {statement.events}) holds"
    from core.db import read_snapshot

    with _open(env, write=False) as register, read_snapshot(register.conn):
        problem = register.verify_audit(expect_head=expect_head, expect_count=expect_count)
        count, head = audit.head(register.conn)  # the head that was verified
        if (
            problem is None
            and args.checkpoint
            and audit.register_id(register.conn) != statement.register
        ):
            problem = audit.Tampering(
                None, "the checkpoint is of another register (or this one was recreated since)"
            )
    if problem is not None:
        print(f"audit trail NOT intact: {problem}", file=env.stdout)
        return 1
    print(f"audit trail intact: {count} event(s), head {head}{note}", file=env.stdout)
    return 0


def audit_checkpoint_command(args, env) -> int:
    import os
    from pathlib import Path

    from assurance import checkpoint
    from core import audit
    from core.errors import InputError
    from core.output import write_private

    if args.new_key:
        target = Path(args.new_key)
        public = target.with_name(target.name + ".pub")
        for path in (target, public):
            if path.exists():
                raise InputError(
                    "already exists; a checkpoint key is never overwritten", path=str(path)
                )
        private_pem, public_pem, name = checkpoint.new_key()
        write_private(target, private_pem)
        write_private(public, public_pem)
        os.chmod(public, 0o644)  # the public half is for the paper's readers
        print(
            f"new checkpoint key {target} (keep it outside the register, 0600); public key "
            f"{public}: {name}",
            file=env.stderr,
        )
        return 0
    key_path = args.key or os.environ.get("SSC_CHECKPOINT_KEY")
    if not key_path:
        raise InputError(
            "give the signing key with --key FILE or SSC_CHECKPOINT_KEY "
            "(make one with --new-key FILE)",
            field="--key",
        )
    key = checkpoint.load_private_key(Path(key_path))
    from core.db import read_snapshot

    with _open(env, write=False) as register, read_snapshot(register.conn):
        problem = register.verify_audit()
        count, head = audit.head(register.conn)  # signed only as verified, in one snapshot
        register_id = audit.register_id(register.conn)
    if problem is not None:
        print(f"audit trail NOT intact: {problem}; nothing signed", file=env.stderr)
        return 1
    statement = checkpoint.sign(
        key, register=register_id or "", events=count, head=head, at=env.clock()
    )
    write_private(args.output, statement.text(), stdout=env.stdout)
    return 0


def audit_log_command(args, env) -> int:
    from assurance.tables import format_table
    from core import audit

    with _open(env, write=False) as register:
        events = list(
            audit.events(
                register.conn,
                entity=args.entity,
                entity_id=args.entity_id,
                newest_first=True,
                limit=args.limit or None,
            )
        )
    if args.format == "json":
        _json(env, [event.__dict__ for event in events])
        return 0
    rows = [
        (
            e.seq,
            e.at[:19].replace("T", " "),
            e.actor,
            e.action,
            f"{e.entity} {e.entity_id}",
            e.reason or "",
        )
        for e in events
    ]
    env.stdout.write(format_table(("seq", "at (UTC)", "actor", "action", "record", "reason"), rows))
    return 0


def audit_head_command(args, env) -> int:
    from core import audit

    with _open(env, write=False) as register:
        count, head = audit.head(register.conn)
    print(f"{head} {count}", file=env.stdout)
    return 0


def decide_command(args, env) -> int:
    from assurance.records import decide, supersede_decision

    with _open(env) as register:
        if args.supersedes:
            outcome = supersede_decision(
                register,
                args.supersedes,
                subject=args.subject,
                status=args.status,
                date=args.date,
                conditions=args.conditions,
                notes=args.notes,
                decision_id=args.decision_id,
                reason=args.reason,
            )
        else:
            outcome = decide(
                register,
                args.subject,
                status=args.status,
                date=args.date,
                conditions=args.conditions,
                notes=args.notes,
                decision_id=args.decision_id,
                reason=args.reason,
            )
    for line in outcome.consequences:
        print(line, file=env.stdout)
    return 0


def add_command(args, env) -> int:
    from assurance.records import add_record, parse_assignments

    with _open(env) as register:
        record = add_record(
            register,
            args.type_name,
            parse_assignments(args.assignments + args.more),
            reason=args.reason,
        )
    print(f"added {record.type_name} {record.id}", file=env.stdout)
    return 0


def edit_command(args, env) -> int:
    from assurance.records import edit_record, parse_assignments

    with _open(env) as register:
        record = edit_record(
            register,
            args.type_name,
            args.record_id,
            parse_assignments(args.assignments + args.more),
            reason=args.reason,
        )
    print(f"changed {record.type_name} {record.id}", file=env.stdout)
    return 0


def withdraw_command(args, env) -> int:
    with _open(env) as register:
        record = register.withdraw(args.type_name, args.record_id, reason=args.reason)
    print(f"withdrew {record.type_name} {record.id}", file=env.stdout)
    return 0


def list_command(args, env) -> int:
    from assurance.records import list_records, parse_assignments
    from assurance.tables import format_table, heading

    with _open(env, write=False) as register:
        records = list_records(
            register,
            args.type_name,
            parse_assignments(args.filters),
            include_withdrawn=args.withdrawn,
        )
    if args.format == "json":
        _json(env, [r.to_interchange() for r in records])
        return 0
    columns = DESCRIPTORS[args.type_name].list_columns
    rows = [
        [getattr(r, c, None) for c in columns] + (["withdrawn"] if r.withdrawn else [])
        for r in records
    ]
    headings = [heading(c) for c in columns]
    if any(r.withdrawn for r in records):
        headings.append("")
        rows = [row + [""] * (len(headings) - len(row)) for row in rows]
    env.stdout.write(format_table(headings, rows))
    print(f"{len(records)} {args.type_name} record(s)", file=env.stderr)
    return 0


def show_command(args, env) -> int:
    from assurance.records import show_record

    with _open(env, write=False) as register:
        view = show_record(register, args.type_name, args.record_id)
    record = view.record.to_interchange()
    if args.format == "json":
        _json(
            env,
            {
                "record": record,
                "related": [r.to_interchange() for r in view.related],
                "history": [e.__dict__ for e in view.history],
            },
        )
        return 0
    out = env.stdout
    width = max(len(k) for k in record)
    for key, value in record.items():
        text = ", ".join(value) if isinstance(value, list) else str(value)
        out.write(f"{key.ljust(width)}  {text}\n")
    if view.related:
        out.write("\nrelated:\n")
        for other in view.related:
            label = (
                getattr(other, "name", None)
                or getattr(other, "title", None)
                or getattr(other, "status", None)
                or getattr(other, "kind", None)
                or ""
            )
            date = next(
                (
                    getattr(other, f)
                    for f in ("date", "fieldwork_end", "received", "due")
                    if getattr(other, f, None)
                ),
                "",
            )
            gone = " (withdrawn)" if other.withdrawn else ""
            out.write(
                f"  {other.type_name:<10} {other.id:<12} {date!s:<10} {label}{gone}"[:80].rstrip()
                + "\n"
            )
    out.write("\nhistory:\n")
    for event in view.history:
        why = f" - {event.reason}" if event.reason else ""
        changed = ""
        if event.before and event.after:
            names = sorted(
                k
                for k in set(event.before) | set(event.after)
                if event.before.get(k) != event.after.get(k)
            )
            changed = f" ({', '.join(names)})"
        out.write(
            f"  {event.seq:>6} {event.at[:19].replace('T', ' ')} {event.actor} "
            f"{event.action}{changed}{why}\n"
        )
    return 0
