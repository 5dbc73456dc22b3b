"""The SMKI and DUIS policies (``policies/smki.toml``, ``policies/duis.toml``), read and checked.

Validated by hand rather than with pydantic: a pre-commit run on one file should not pay for
importing it. Signature profiles are named data; a document's profile is chosen once and passed
to every function that needs it (:meth:`SmkiPolicy.profile_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import policy_files
from core.env import shipped
from core.errors import InputError

SEVERITIES = ("error", "warning")
_SMKI = "policies/smki.toml"
_DUIS = "policies/duis.toml"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    description: str
    help: str
    #: 0.0-10.0, as GitHub code scanning reads ``security-severity``.
    security_severity: str


@dataclass(frozen=True)
class SignatureAlgorithm:
    uri: str
    key: str
    hash: str


@dataclass(frozen=True)
class SignatureProfile:
    """One kind of signed document: the algorithms, reference and key its signatures must use."""

    name: str
    document_elements: frozenset[str]
    canonicalization: str
    signature_method: str
    digest_method: str
    reference_uri: str
    transforms: tuple[tuple[str, ...], ...]
    signatures_per_document: int
    key: str
    curve: str
    #: From the algorithm table: the hash the digest and the signature use, the size of r and s.
    digest_hash: str
    signature_hash: str
    coordinate_bytes: int
    max_document_bytes: int
    max_signatures_verified: int


@dataclass(frozen=True)
class SmkiPolicy:
    roles: dict[int, str]
    xml_signing_roles: frozenset[str]
    organisation_policy_oid: str
    max_certificate_file_bytes: int
    rules: dict[str, Rule]
    help_uri: str
    profiles: dict[str, SignatureProfile]
    default_profile: SignatureProfile
    max_document_bytes: int

    def severity(self, rule: str) -> str:
        """A rule's severity ("error" or "warning") under this policy."""
        return self.rules[rule].severity

    def role_name(self, code: int | None) -> str | None:
        return None if code is None else self.roles.get(code)

    def profile_for(self, document_element: str) -> SignatureProfile:
        """The profile of a document, by its document element's local name."""
        for profile in self.profiles.values():
            if document_element in profile.document_elements:
                return profile
        return self.default_profile


def _need(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InputError(f"expected {name}", path=where, field=key)
    return value


def _positive(table: dict[str, Any], key: str, where: str) -> int:
    value = _need(table, key, int, where)
    if value < 1:
        raise InputError("must be a positive integer", path=where, field=key)
    return value


def _profile(
    name: str,
    table: dict[str, Any],
    digests: dict[str, str],
    signatures: dict[str, SignatureAlgorithm],
    curves: dict[str, int],
    limits: dict[str, int],
) -> SignatureProfile:
    where = f"{_DUIS} [profiles.{name}]"
    digest = _need(table, "digest_method", str, where)
    method = _need(table, "signature_method", str, where)
    curve = _need(table, "curve", str, where)
    key = _need(table, "key", str, where)
    if digest not in digests:
        raise InputError("not in [algorithms.digest]", path=where, field="digest_method")
    if method not in signatures:
        raise InputError("not in [algorithms.signature]", path=where, field="signature_method")
    if signatures[method].key != key:
        raise InputError(
            f"the signature method is for {signatures[method].key} keys", path=where, field="key"
        )
    if key == "ec" and curve not in curves:
        raise InputError("not in [algorithms.curves]", path=where, field="curve")
    transforms = _need(table, "transforms", list, where)
    if not all(isinstance(t, list) and all(isinstance(u, str) for u in t) for t in transforms):
        raise InputError("a list of lists of algorithm URIs", path=where, field="transforms")
    elements = _need(table, "document_elements", list, where)
    return SignatureProfile(
        name=name,
        document_elements=frozenset(map(str, elements)),
        canonicalization=_need(table, "canonicalization", str, where),
        signature_method=method,
        digest_method=digest,
        reference_uri=_need(table, "reference_uri", str, where),
        transforms=tuple(tuple(t) for t in transforms),
        signatures_per_document=_positive(table, "signatures_per_document", where),
        key=key,
        curve=curve,
        digest_hash=digests[digest],
        signature_hash=signatures[method].hash,
        coordinate_bytes=curves.get(curve, 0),
        max_document_bytes=limits["max_document_bytes"],
        max_signatures_verified=limits["max_signatures_verified"],
    )


_HASHES = frozenset({"sha1", "sha224", "sha256", "sha384", "sha512"})


def _algorithms(duis: dict[str, Any]):
    table = _need(duis, "algorithms", dict, _DUIS)
    where = f"{_DUIS} [algorithms]"
    digests = {str(k): v for k, v in _need(table, "digest", dict, where).items()}
    if not set(digests.values()) <= _HASHES:
        raise InputError(f"hash names are {sorted(_HASHES)}", path=where, field="digest")
    signatures = {}
    for uri, entry in _need(table, "signature", dict, where).items():
        if (
            not isinstance(entry, dict)
            or entry.get("hash") not in _HASHES
            or not isinstance(entry.get("key"), str)
        ):
            raise InputError(
                "each signature method is { key = ..., hash = ... }", path=where, field=uri
            )
        signatures[uri] = SignatureAlgorithm(uri, entry["key"], entry["hash"])
    curves = {}
    for curve, size in _need(table, "curves", dict, where).items():
        if not isinstance(size, int) or size < 1:
            raise InputError("octets per coordinate, a positive integer", path=where, field=curve)
        curves[curve] = size
    return digests, signatures, curves


def shipped_policy() -> SmkiPolicy:
    """The shipped policy alone: the default of the package API when no policy is passed."""
    return shipped(load_policy)


def load_policy(override: Path | None = None) -> SmkiPolicy:
    """The shipped TOML with ``override``'s ``[smki]`` and ``[duis]`` tables applied, validated
    (an Environment's ``env.policy(load_policy)`` passes its policy file)."""
    smki, _ = policy_files.read("smki", override)
    duis, _ = policy_files.read("duis", override)
    where = _SMKI
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
        at = f"{where} [rules.{rule_id}]"
        severity = _need(rule, "severity", str, at)
        if severity not in SEVERITIES:
            raise InputError(f"severity must be one of {SEVERITIES}", path=at, field="severity")
        score = _need(rule, "security_severity", (int, float), at)
        if not 0 <= score <= 10:
            raise InputError("a score from 0.0 to 10.0", path=at, field="security_severity")
        rules[rule_id] = Rule(
            rule_id,
            severity,
            _need(rule, "summary", str, at),
            _need(rule, "description", str, at),
            _need(rule, "help", str, at),
            f"{float(score):.1f}",
        )
    sarif = _need(smki, "sarif", dict, where)
    limits_table = _need(duis, "limits", dict, _DUIS)
    limits = {
        key: _positive(limits_table, key, f"{_DUIS} [limits]")
        for key in ("max_document_bytes", "max_signatures_verified")
    }
    digests, signatures, curves = _algorithms(duis)
    profiles = {
        name: _profile(name, table, digests, signatures, curves, limits)
        for name, table in _need(duis, "profiles", dict, _DUIS).items()
    }
    default = _need(duis, "default_profile", str, _DUIS)
    if default not in profiles:
        raise InputError("names no profile in [profiles]", path=_DUIS, field="default_profile")
    return SmkiPolicy(
        roles=roles,
        xml_signing_roles=xml_roles,
        organisation_policy_oid=_need(certs, "organisation_policy_oid", str, where),
        max_certificate_file_bytes=_positive(certs, "max_certificate_file_bytes", where),
        rules=rules,
        help_uri=_need(sarif, "help_uri", str, where),
        profiles=profiles,
        default_profile=profiles[default],
        max_document_bytes=limits["max_document_bytes"],
    )
