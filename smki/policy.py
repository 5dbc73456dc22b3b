"""The SMKI and DUIS policies (``policies/smki.toml``, ``policies/duis.toml``), read and checked.

Validated by hand rather than with pydantic: a pre-commit run on one file should not pay for
importing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import policies
from ssc.errors import InputError

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str


@dataclass(frozen=True)
class DuisProfile:
    canonicalization: str
    signature_method: str
    digest_method: str
    reference_uri: str
    transforms: tuple[tuple[str, ...], ...]
    signatures_per_document: int
    curve: str


@dataclass(frozen=True)
class SmkiPolicy:
    roles: dict[int, str]
    xml_signing_roles: frozenset[str]
    organisation_policy_oid: str
    rules: dict[str, Rule]
    profile: DuisProfile

    def role_name(self, code: int | None) -> str | None:
        return None if code is None else self.roles.get(code)


def _need(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind):
        raise InputError(f"expected {kind.__name__}", path=where, field=key)
    return value


@cache
def load_policy() -> SmkiPolicy:
    """The policy in force (shipped TOML, overridden by ``SSC_POLICY``), validated."""
    smki, _ = policies.read("smki")
    duis, _ = policies.read("duis")
    where = "policies/smki.toml"
    roles_table = _need(smki, "roles", dict, where)
    try:
        roles = {int(code): str(name) for code, name in roles_table.items()}
    except ValueError:
        raise InputError("role codes must be integers", path=where, field="roles") from None
    certs = _need(smki, "certificates", dict, where)
    xml_roles = frozenset(_need(certs, "xml_signing_roles", list, where))
    if not xml_roles <= set(roles.values()):
        raise InputError("names a role missing from [roles]", path=where, field="xml_signing_roles")
    rules = {}
    for rule_id, rule in _need(smki, "rules", dict, where).items():
        severity = _need(rule, "severity", str, where)
        if severity not in SEVERITIES:
            raise InputError(f"severity must be one of {SEVERITIES}", path=where, field=rule_id)
        rules[rule_id] = Rule(rule_id, severity, _need(rule, "summary", str, where))
    sig = _need(duis, "signature", dict, "policies/duis.toml")
    profile = DuisProfile(
        canonicalization=_need(sig, "canonicalization", str, "policies/duis.toml"),
        signature_method=_need(sig, "signature_method", str, "policies/duis.toml"),
        digest_method=_need(sig, "digest_method", str, "policies/duis.toml"),
        reference_uri=_need(sig, "reference_uri", str, "policies/duis.toml"),
        transforms=tuple(tuple(t) for t in _need(sig, "transforms", list, "policies/duis.toml")),
        signatures_per_document=_need(sig, "signatures_per_document", int, "policies/duis.toml"),
        curve=_need(sig, "curve", str, "policies/duis.toml"),
    )
    return SmkiPolicy(
        roles=roles,
        xml_signing_roles=xml_roles,
        organisation_policy_oid=_need(certs, "organisation_policy_oid", str, where),
        rules=rules,
        profile=profile,
    )
