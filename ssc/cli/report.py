"""`ssc` sub-commands for the report area (parsing only; the work is done in the package)."""

from __future__ import annotations

import argparse

from assurance.formats import PANEL
from core.env import Environment
from core.errors import InputError

PARTS = ("main", "appendix")


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    report = sub.add_parser(
        "report",
        help="reports from the register: the monthly Panel report",
        description="Reports from the register.",
    )
    commands = report.add_subparsers(dest="report_command", metavar="COMMAND", required=True)
    panel = commands.add_parser(
        "panel",
        help="the SSC section of the monthly Panel paper, or its confidential Appendix A",
        description=(
            "The SSC section (3.1-3.6) of the month's SEC Panel Sub-Committee Report, from the "
            "decisions taken that month; or its confidential Appendix A (RED, named recipients "
            "only). The main part is built from counts and the records at or below its ceiling "
            "(at most GREEN) and nothing else; its classification is computed from what went "
            "in. A tripwire searches every rendering for every restricted value of the register: "
            "generation stops (exit 2) rather than leak."
        ),
    )
    panel.add_argument(
        "--month",
        required=True,
        metavar="YYYY-MM",
        help="the month of the SSC's decisions, e.g. 2019-12",
    )
    panel.add_argument(
        "--part",
        choices=PARTS,
        default="main",
        help="main (the paper's section, default) or appendix (Appendix A, RED)",
    )
    PANEL.add_arguments(panel)
    panel.add_argument(
        "--paper-ref",
        metavar="SECP_…",
        help="the Panel paper reference for the header, e.g. SECP_66_1503_19",
    )
    panel.add_argument(
        "--classification",
        metavar="WHITE|GREEN",
        help="the main part's ceiling (default: the policy's, GREEN); the paper "
        "is marked with the highest classification that went in; "
        "highlights above the ceiling are left out",
    )
    panel.set_defaults(handler=panel_handler)


def panel_handler(args: argparse.Namespace, env: Environment) -> int:
    from assurance.report import appendix_part, main_part, parse_month, render
    from assurance.store import Register

    month = parse_month(args.month)
    output_format = PANEL.choose(args.format, args.output)
    if args.part == "appendix" and args.classification:
        raise InputError(
            "Appendix A is always RED; --classification is for the main part",
            field="--classification",
        )
    with Register.open(
        env.db_path, actor=env.actor, write=False, clock=env.clock, policies=env.policies
    ) as register:
        if args.part == "main":
            report, document = main_part(
                register, month, classification=args.classification, paper_ref=args.paper_ref
            )
            for withheld in report.withheld:
                print(
                    f"ssc: note: highlight {withheld.id} is {withheld.classification}, above this "
                    f"{report.classification} report: left out",
                    file=env.stderr,
                )
        else:
            _, document = appendix_part(register, month, paper_ref=args.paper_ref)
    output_format.write(render(document, output_format.name), args.output, stdout=env.stdout)
    return 0
