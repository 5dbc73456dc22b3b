"""`ssc smki` sub-commands: ``check-keys`` and ``certs`` (parsing only; the work is in ``smki``)."""

from __future__ import annotations

import argparse

from smki.formats import CERTIFICATES, KEY_SEPARATION
from ssc.cli import iso_date


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
    smki = sub.add_parser("smki", help="SMKI certificates and DUIS XML signing-key separation")
    commands = smki.add_subparsers(dest="smki_command", metavar="SUBCOMMAND", required=True)

    check = commands.add_parser(
        "check-keys",
        help="verify signed DUIS requests; prove the XML signing key is not an SMKI signing key",
        description="Verify every ds:Signature of every XML file under PATH and check the "
        "signing key against the SMKI certificates (rules KS001-KS008).",
        epilog="Exit status: 0 no errors, 1 error findings (any finding with --strict), "
        "2 usage or input error.",
    )
    check.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="signed XML documents, certificates, or directories of them",
    )
    check.add_argument(
        "--certs",
        action="append",
        default=[],
        metavar="PATH",
        help="certificate file or directory for the store (repeatable)",
    )
    check.add_argument(
        "--as-of",
        dest="as_of",
        type=iso_date,
        metavar="DATE",
        help="check certificate validity on this date (default: today)",
    )
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    KEY_SEPARATION.add_arguments(check)
    check.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for many documents (default: CPU count)",
    )
    check.set_defaults(handler=check_keys)

    certs = commands.add_parser(
        "certs",
        help="list certificates with their SMKI profile and days left",
        epilog="Exit status: 1 where any certificate expires within the horizon.",
    )
    certs.add_argument("paths", nargs="+", metavar="PATH")
    certs.add_argument("--as-of", dest="as_of", type=iso_date, metavar="DATE")
    certs.add_argument(
        "--horizon",
        type=int,
        default=None,
        metavar="DAYS",
        help="days ahead that count as expiring (default from policies/expiry.toml)",
    )
    CERTIFICATES.add_arguments(certs)
    certs.set_defaults(handler=list_certificates)


def _missing(exc: FileNotFoundError) -> int:
    from core.errors import InputError

    raise InputError("no such file or directory; check the path", path=str(exc))


def check_keys(args: argparse.Namespace, env) -> int:
    from smki import render
    from smki.keysep import check_key_separation
    from smki.policy import load_policy
    from ssc import __version__

    output_format = KEY_SEPARATION.choose(args.format, args.output)
    try:
        report = check_key_separation(
            args.paths, args.certs, env.today(), jobs=args.jobs, policy=env.policy(load_policy)
        )
    except FileNotFoundError as exc:
        return _missing(exc)
    content = KEY_SEPARATION.render(output_format, report, version=__version__)
    output_format.write(content, args.output, stdout=env.stdout)
    print(render.report_summary(report), file=env.stderr)  # a message: stderr, whatever the format
    return report.exit_status(args.strict)


def list_certificates(args: argparse.Namespace, env) -> int:
    from smki import expiry, render
    from smki.certificates import load_certificates
    from smki.policy import load_policy

    output_format = CERTIFICATES.choose(args.format, args.output)
    try:
        certs, problems = load_certificates(args.paths, env.policy(load_policy))
    except FileNotFoundError as exc:
        return _missing(exc)
    as_of = env.today()
    policy = env.policy(expiry.load_policy)
    horizon = args.horizon if args.horizon is not None else policy.default_horizon_days
    rows = [render.certificate_row(c, as_of, policy, horizon) for c in certs]
    for p in problems:
        print(f"{p.path}:{p.line}: KS008 {p.message}; left out", file=env.stderr)
    content = CERTIFICATES.render(
        output_format, rows, as_of=as_of, horizon=horizon, problems=problems
    )
    output_format.write(content, args.output, stdout=env.stdout)
    return 1 if any(r["severity"] != expiry.Severity.OK for r in rows) else 0
