"""Renderers of key-separation reports and certificate listings: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from smki.certificates import Certificate
from smki.findings import one_line
from smki.keysep import KeySeparationReport

if TYPE_CHECKING:  # smki.expiry brings pydantic: not for the pre-commit path
    from smki.expiry import ExpiryPolicy

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {"error": "error", "warning": "warning"}


def report_text(report: KeySeparationReport, **_context: object) -> str:
    """One line per finding, ``PATH:LINE: RULE message``; a path is escaped as messages are."""
    lines = [f"{one_line(f.path)}:{f.line}: {f.rule} {f.message}" for f in report.findings]
    return "\n".join(lines) + ("\n" if lines else "")


def report_summary(report: KeySeparationReport) -> str:
    summary = (
        f"{report.documents} document(s), {report.signatures} signature(s), "
        f"{report.certificates} certificate(s): {report.errors} error(s), "
        f"{report.warnings} warning(s)"
    )
    if not report.store_given and any(f.rule == "KS003" for f in report.findings):
        summary += (
            "\nhint: no certificates were given; pass the SMKI certificates with "
            "--certs PATH (a directory, PEM bundle or key store) so that signing "
            "certificates can be found"
        )
    return summary


def report_json(report: KeySeparationReport, **_context: object) -> str:
    findings = [
        {
            "rule": f.rule,
            "severity": report.policy.severity(f.rule),
            "path": f.path,
            "line": f.line,
            "message": f.message,
            "certificates": [dataclasses.asdict(c) for c in f.certificates],
        }
        for f in report.findings
    ]
    return (
        json.dumps(
            {
                "findings": findings,
                "summary": {
                    "documents": report.documents,
                    "signatures": report.signatures,
                    "certificates": report.certificates,
                    "errors": report.errors,
                    "warnings": report.warnings,
                },
            },
            indent=2,
        )
        + "\n"
    )


_ROOT = "%SRCROOT%"


def artifact_uri(path: str, root: str | None = None) -> str:
    """A path as a SARIF artifact URI: relative to ``root`` (default the working directory),
    forward slashes, percent-encoded (spaces, ``#``, ``%``, non-ASCII)."""
    relative = os.path.relpath(os.path.abspath(path), root or os.getcwd())
    return quote(relative.replace(os.sep, "/"), safe="/-._~!$&'()*+,;=:@")


def _fingerprint(rule: str, uri: str, message: str) -> str:
    """Stable across line moves: the rule, the file and what was found."""
    return hashlib.sha256(f"{rule}\0{uri}\0{message}".encode()).hexdigest()[:32]


def report_sarif(report: KeySeparationReport, version: str, root: str | None = None) -> str:
    """SARIF 2.1.0 as GitHub code scanning takes it (rules described in full, fingerprints,
    ``security-severity``, relative percent-encoded URIs against ``%SRCROOT%``)."""
    policy = report.policy
    rules = policy.rules
    ids = sorted(rules)
    results = []
    for f in report.findings:
        uri = artifact_uri(f.path.removesuffix(" (embedded)"), root)
        result = {
            "ruleId": f.rule,
            "ruleIndex": ids.index(f.rule),
            "level": _LEVEL[policy.severity(f.rule)],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": _ROOT},
                        "region": {"startLine": max(1, f.line)},
                    }
                }
            ],
            "partialFingerprints": {
                "keySeparationFinding/v1": _fingerprint(f.rule, uri, f.message)
            },
            "properties": {"security-severity": rules[f.rule].security_severity},
        }
        related = [
            {
                "id": i,
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(c.path, root), "uriBaseId": _ROOT}
                },
                "message": {"text": f"{c.subject}, serial {c.serial}, {c.role}, {c.key_usage}"},
            }
            for i, c in enumerate(f.certificates)
            if not c.path.endswith(" (embedded)")
        ]
        if related:
            result["relatedLocations"] = related
        results.append(result)
    driver_rules = [
        {
            "id": r,
            "name": _rule_name(rules[r].summary),
            "shortDescription": {"text": rules[r].summary},
            "fullDescription": {"text": rules[r].description},
            "help": {"text": rules[r].help, "markdown": f"**{r}**: {rules[r].help}"},
            "helpUri": f"{policy.help_uri}",
            "defaultConfiguration": {"level": _LEVEL[rules[r].severity]},
            "properties": {
                "security-severity": rules[r].security_severity,
                "tags": ["security", "smki", "xmldsig"],
                "precision": "very-high",
            },
        }
        for r in ids
    ]
    base = Path(root or os.getcwd()).resolve().as_uri().rstrip("/") + "/"
    run = {
        "tool": {
            "driver": {
                "name": "ssc-smki-check-keys",
                "fullName": "ssc smki check-keys",
                "version": version,
                "semanticVersion": version,
                "informationUri": policy.help_uri,
                "rules": driver_rules,
            }
        },
        "originalUriBaseIds": {_ROOT: {"uri": base}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule_name(summary: str) -> str:
    """A rule's name as SARIF and GitHub want it: one PascalCase identifier."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", summary))


def _day(moment: dt.datetime | None) -> str | None:
    """A validity bound as a date, or None where the certificate's validity is unreadable."""
    return moment.date().isoformat() if moment is not None else None


def certificate_row(cert: Certificate, as_of: dt.date, policy: ExpiryPolicy, horizon: int) -> dict:
    """One row of `ssc smki certs`: the SMKI profile and the expiry alert, as CPA alerts put it."""
    from smki.expiry import classify

    days_left = cert.days_left(as_of)
    return {
        "path": cert.path,
        "line": cert.line,
        "subject": cert.subject,
        "serial": str(cert.serial),
        "role": cert.role_name,
        "role_code": cert.role,
        "eui64": cert.eui64,
        "key_usage": cert.key_usage,
        "policy_oids": list(cert.policy_oids),
        "public_key_sha256": cert.spki_sha256,
        "not_before": _day(cert.not_before),
        "not_after": _day(cert.not_after),
        "days_left": days_left,
        "severity": classify(days_left, policy, horizon).value,
        "smki": cert.is_smki,
        "not_smki_reason": cert.not_smki_reason,
    }


def certificates_json(rows: list[dict], as_of: dt.date, horizon: int, problems: list) -> str:
    return (
        json.dumps(
            {
                "as_of": as_of.isoformat(),
                "horizon_days": horizon,
                "certificates": rows,
                "problems": [
                    {"rule": "KS008", "path": p.path, "line": p.line, "message": p.message}
                    for p in problems
                ],
            },
            indent=2,
        )
        + "\n"
    )


def certificates_text(rows: list[dict], **_context: object) -> str:
    head = (
        "path",
        "subject",
        "role",
        "EUI-64",
        "usage",
        "public key SHA-256",
        "not after",
        "days left",
        "severity",
    )
    table = [head] + [
        (
            r["path"],
            r["subject"],
            r["role"] or "not SMKI",
            r["eui64"] or "-",
            r["key_usage"],
            r["public_key_sha256"][:16] + "…",
            r["not_after"],
            str(r["days_left"]),
            r["severity"],
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in table
    )
