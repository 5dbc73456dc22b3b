"""Evidence: the documents each decision rested on, kept inside the register and proven intact.

The public surface: :func:`add_files`, :func:`list_evidence`, :func:`write_to`,
:func:`withdraw`, :func:`verify` (``ssc evidence``); :func:`decision_basis`,
:func:`changed_bases`, :func:`rested_on` and :func:`check_closing` (decisions and findings);
:func:`write_bundle` and :func:`import_bundle` (export and import with the files). Storage is
in :mod:`.store`, the policy in ``policies/evidence.toml``.
"""

from __future__ import annotations

from assurance.evidence.basis import (
    BasisChange,
    changed_bases,
    check_closing,
    decision_basis,
    rested_on,
)
from assurance.evidence.policy import EvidencePolicy, evidence_policy, load_evidence_policy
from assurance.evidence.store import (
    ENTITY,
    Added,
    Evidence,
    EvidenceTampered,
    Problem,
    add_files,
    audit_problem,
    audit_states,
    ensure_schema,
    list_evidence,
    verify,
    withdraw,
    write_to,
)

#: Audit-trail entities this package keeps (``audit verify`` tracks them with the records).
AUDITED = (ENTITY,)

__all__ = [
    "AUDITED", "Added", "BasisChange", "Evidence", "EvidencePolicy", "EvidenceTampered",
    "Problem", "add_files", "audit_problem", "audit_states", "changed_bases", "check_closing",
    "decision_basis", "ensure_schema", "evidence_policy", "import_bundle", "is_bundle",
    "list_evidence", "load_evidence_policy", "rested_on", "verify", "withdraw", "write_bundle",
    "write_to",
]


def __getattr__(name: str):
    # The bundle code (zip handling) loads only when an export or import asks for it.
    if name in ("write_bundle", "import_bundle", "is_bundle"):
        from assurance.evidence import bundle

        return getattr(bundle, name)
    raise AttributeError(name)
