"""Evidence: the documents each decision rested on, kept inside the register and proven intact.

The public surface: :func:`add_files`, :func:`list_evidence`, :func:`write_to`,
:func:`withdraw`, :func:`verify` (``ssc evidence``); :func:`decision_basis`,
:func:`changed_bases`, :func:`rested_on` and :func:`check_closing` (decisions and findings).
Storage is in :mod:`.store`, the policy in ``policies/evidence.toml``; export and import with
the files (a bundle) is :mod:`assurance.bundle`, above both this package and the interchange.
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
    "AUDITED",
    "Added",
    "BasisChange",
    "Evidence",
    "EvidencePolicy",
    "EvidenceTampered",
    "Problem",
    "add_files",
    "audit_problem",
    "audit_states",
    "changed_bases",
    "check_closing",
    "decision_basis",
    "ensure_schema",
    "evidence_policy",
    "list_evidence",
    "load_evidence_policy",
    "rested_on",
    "verify",
    "withdraw",
    "write_to",
]
