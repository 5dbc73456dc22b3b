"""`ssc` sub-commands for the cpa area (parsing only; the work is done in the package)."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.env import Environment
from smki.cpa.formats import CPA
from ssc.cli import iso_date

KINDS = ("certificates", "inventory", "plans")


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    cpa = sub.add_parser(
        "cpa",
        help="CPA certificates, installed devices and remediation plans: expiry alerts",
        description="The CPA register: load the CPL and the Suppliers' returns, report expiry.",
    )
    commands = cpa.add_subparsers(dest="cpa_command", metavar="COMMAND", required=True)

    load = commands.add_parser(
        "import",
        help="load a CSV of certificates, inventory or plans (all or nothing)",
        description=(
            "Load one CSV return, all or nothing. certificates upsert by cpa_id; an inventory "
            "replaces the previous inventory of each Supplier in it; plans upsert by "
            "(supplier, cpa_id). Extra columns are kept."
        ),
    )
    load.add_argument("kind", choices=KINDS)
    load.add_argument("file", type=Path, metavar="FILE.csv")
    load.set_defaults(handler=import_command)

    report = commands.add_parser(
        "report",
        help="certificates expired or expiring, devices per Supplier, plan states",
        description=(
            "Every CPA certificate expired or expiring within the horizon, worst first, with "
            "each Supplier's installed devices and remediation plan. Exit 1 when anything "
            "needs acting on."
        ),
    )
    report.add_argument(
        "--as-of",
        dest="as_of",
        type=iso_date,
        metavar="DATE",
        help="the date to report as of (default: today)",
    )
    report.add_argument(
        "--horizon",
        type=_non_negative,
        metavar="DAYS",
        help="how many days ahead to look (default: policies/expiry.toml)",
    )
    CPA.add_arguments(report)
    report.set_defaults(handler=report_command)


def import_command(args: argparse.Namespace, env: Environment) -> int:
    from smki.cpa.importer import import_csv
    from smki.cpa.policy import load_policy
    from smki.cpa.schema import open_register

    policy = env.policy(load_policy)
    conn = open_register(env.db_path)
    try:
        summary = import_csv(
            conn, args.kind, args.file, policy=policy, actor=env.actor, now=env.clock()
        )
    finally:
        conn.close()
    detail = (
        f" for {len(summary.suppliers)} Supplier(s) in {summary.groups} group(s)"
        if summary.kind == "inventory"
        else ""
    )
    print(
        f"imported {summary.rows} {summary.kind} row(s) from {summary.file}{detail}",
        file=env.stderr,
    )
    return 0


def report_command(args: argparse.Namespace, env: Environment) -> int:
    from smki.cpa.policy import load_policy
    from smki.cpa.report import build_report, empty_imports
    from smki.cpa.schema import open_register

    output_format = CPA.choose(args.format, args.output)
    policy = env.policy(load_policy)
    conn = open_register(env.db_path, write=False)
    try:
        report = build_report(conn, env.today(), policy, args.horizon)
        empty = empty_imports(conn)
    finally:
        conn.close()
    # Without plans the report still says something true (every plan is missing); without
    # certificates or inventory it would only look like an all-clear.
    for kind in (k for k in ("certificates", "inventory") if k in empty):
        print(f"ssc: hint: the CPA register ({env.db_path}) holds no {kind}: "
              f"run `ssc cpa import {kind} FILE.csv` first", file=env.stderr)  # fmt: skip
    output_format.write(CPA.render(output_format, report), args.output, stdout=env.stdout)
    return 1 if report.needs_action else 0
