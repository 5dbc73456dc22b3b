"""Renderers of key-separation reports and certificate listings: text, JSON and SARIF 2.1.0."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from smki.certificates import Certificate
from smki.keysep import KeySeparationReport
from smki.policy import load_policy

if TYPE_CHECKING:  # smki.expiry brings pydantic: not for the pre-commit path
    from smki.expiry import ExpiryPolicy

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning"}


def report_text(report: KeySeparationReport) -> str:
    lines = [f"{f.path}:{f.line}: {f.rule} {f.message}" for f in report.findings]
    return "\n".join(lines) + ("\n" if lines else "")


def report_summary(report: KeySeparationReport) -> str:
    return (f"{report.documents} document(s), {report.signatures} signature(s), "
            f"{report.certificates} certificate(s): {report.errors} error(s), "
            f"{report.warnings} warning(s)")


def report_json(report: KeySeparationReport) -> str:
    findings = [
        {"rule": f.rule, "severity": f.severity, "path": f.path, "line": f.line,
         "message": f.message, "certificates": [dataclasses.asdict(c) for c in f.certificates]}
        for f in report.findings
    ]
    return json.dumps({
        "findings": findings,
        "summary": {"documents": report.documents, "signatures": report.signatures,
                    "certificates": report.certificates, "errors": report.errors,
                    "warnings": report.warnings},
    }, indent=2) + "\n"


def _uri(path: str) -> str:
    p = Path(path)
    try:
        p = p.resolve().relative_to(Path.cwd())
    except ValueError:
        return p.resolve().as_uri()
    return p.as_posix()


def report_sarif(report: KeySeparationReport, version: str) -> str:
    rules = load_policy().rules
    ids = sorted(rules)
    results = []
    for f in report.findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": ids.index(f.rule),
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(f.path.removesuffix(" (embedded)"))},
                "region": {"startLine": max(1, f.line)},
            }}],
        }
        if f.certificates:
            result["relatedLocations"] = [
                {"id": i, "physicalLocation": {"artifactLocation": {"uri": _uri(c.path)}},
                 "message": {"text": f"{c.subject}, serial {c.serial}, {c.role}, {c.key_usage}"}}
                for i, c in enumerate(f.certificates)
                if not c.path.endswith(" (embedded)")
            ] or None
            if result["relatedLocations"] is None:
                del result["relatedLocations"]
        results.append(result)
    run = {
        "tool": {"driver": {
            "name": "ssc smki check-keys",
            "version": version,
            "rules": [{"id": r, "shortDescription": {"text": rules[r].summary},
                       "defaultConfiguration": {"level": _LEVEL[rules[r].severity]}}
                      for r in ids],
        }},
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def certificate_row(cert: Certificate, as_of: dt.date, policy: ExpiryPolicy, horizon: int) -> dict:
    """One row of `ssc smki certs`: the SMKI profile and the expiry alert, as CPA alerts put it."""
    from smki.expiry import classify

    days_left = cert.days_left(as_of)
    return {
        "path": cert.path, "line": cert.line, "subject": cert.subject, "serial": str(cert.serial),
        "role": cert.role_name, "role_code": cert.role, "eui64": cert.eui64,
        "key_usage": cert.key_usage, "policy_oids": list(cert.policy_oids),
        "public_key_sha256": cert.spki_sha256,
        "not_before": cert.not_before.date().isoformat(),
        "not_after": cert.not_after.date().isoformat(),
        "days_left": days_left, "severity": classify(days_left, policy, horizon).value,
        "smki": cert.is_smki,
        "not_smki_reason": cert.not_smki_reason,
    }


def certificates_json(rows: list[dict], as_of: dt.date, horizon: int, problems: list) -> str:
    return json.dumps({
        "as_of": as_of.isoformat(), "horizon_days": horizon, "certificates": rows,
        "problems": [{"rule": "KS008", "path": p.path, "line": p.line, "message": p.message}
                     for p in problems],
    }, indent=2) + "\n"


def certificates_text(rows: list[dict]) -> str:
    head = ("path", "subject", "role", "EUI-64", "usage", "public key SHA-256", "not after",
            "days left", "severity")
    table = [head] + [
        (r["path"], r["subject"], r["role"] or "not SMKI", r["eui64"] or "-", r["key_usage"],
         r["public_key_sha256"][:16] + "…", r["not_after"], str(r["days_left"]), r["severity"])
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                   for row in table)
