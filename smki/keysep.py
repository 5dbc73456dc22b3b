"""The key-separation check over an estate: certificates into a store, every signed document checked.

:func:`check_key_separation` is what ``ssc smki check-keys`` (and the pre-commit hook) runs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from smki.certificates import (
    CERTIFICATE_SUFFIXES,
    Certificate,
    looks_like_certificate,
    read_store,
)
from smki.files import Unreadable, iter_file_names, read_regular
from smki.findings import Finding, finding
from smki.policy import SmkiPolicy, shipped_policy
from smki.store import CertificateStore

XML_SUFFIXES = frozenset({".xml"})
#: Below this many documents one process is faster than starting workers.
PARALLEL_THRESHOLD = 200
#: Documents per task: large enough that a task's round trip is noise, small enough that the
#: workers finish together.
_CHUNK = 256


@dataclass
class KeySeparationReport:
    #: The policy the check ran under: it gives each finding's severity.
    policy: SmkiPolicy = field(default_factory=shipped_policy)
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    signatures: int = 0
    certificates: int = 0
    #: Whether any certificate store was given (KS003's hint when none was).
    store_given: bool = True

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if self.policy.severity(f.rule) == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if self.policy.severity(f.rule) == "warning")

    def exit_status(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.findings) else 0


_UTF16_HEADS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


def _sniff(head: bytes) -> str | None:
    """What a file's first bytes look like: "xml", "cert" or None."""
    if b"-----BEGIN" in head and b"CERTIFICATE-----" in head:
        return "cert"
    if head.startswith(_UTF16_HEADS):
        return "xml"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xml"
    return None


def _kind(path: str, named: bool, policy: SmkiPolicy) -> str | Unreadable | None:
    """Whether a file is a document, certificates, not ours (None), or unreadable.

    A file named on the command line is checked whatever its suffix: as certificates when it
    looks like them, else as a document. In a directory, the suffix decides, and files without
    one are sniffed; nothing that is not a regular file is opened.
    """
    suffix = os.path.splitext(path)[1].lower()
    if not named and suffix and suffix not in XML_SUFFIXES | CERTIFICATE_SUFFIXES | {".json"}:
        return None  # keys, scripts, READMEs beside the requests: not ours
    if suffix in XML_SUFFIXES:
        return "xml"
    if suffix in CERTIFICATE_SUFFIXES:
        return "cert"
    if suffix == ".json":
        whole = read_regular(path, policy.max_certificate_file_bytes)
        if isinstance(whole, Unreadable):
            return whole
        if b"BEGIN CERTIFICATE-----" in whole:
            return "cert"
        return "xml" if named else None
    head = read_regular(path, 1 << 16, head=4096)
    if isinstance(head, Unreadable):
        return head
    sniffed = _sniff(head)
    if named:
        return sniffed or ("cert" if looks_like_certificate(path, head) and head else "xml")
    return sniffed


def _separation_of_certificates(store: CertificateStore) -> list[Finding]:
    """KS001 for XmlSign/DspXmlSign certificates issued over another role's key."""
    xml_roles = store.policy.xml_signing_roles
    out = []
    for cert in store.certificates:
        if cert.is_smki and cert.role_name in xml_roles:
            holders = store.other_role_holders(cert.spki_sha256)
            if holders:
                roles = ", ".join(f"{h.role_name} {h.key_usage}" for h in holders)
                out.append(
                    finding(
                        "KS001",
                        cert.path,
                        cert.line,
                        f"{cert.role_name} certificate (serial {cert.serial}) has the public key of "
                        f"SMKI certificate(s) of another role ({roles}): "
                        + "; ".join(h.describe() for h in holders),
                        holders,
                    )
                )
    return out


# Worker state, set before forking so that workers share the parsed store.
_STORE: CertificateStore | None = None
_AS_OF: dt.date | None = None


def check_one(path: str, store: CertificateStore, as_of: dt.date) -> tuple[list[Finding], int]:
    """Every finding of one document file, whatever happens: a fault stays with its file."""
    from smki.signatures import check_document

    data = read_regular(path, store.policy.max_document_bytes)
    if isinstance(data, Unreadable):
        return [finding("KS005", path, 1, f"document {data.reason}")], 0
    try:
        return check_document(path, data, store, as_of)
    except Exception as exc:  # a bug or a resource limit: this file's finding, not the run's end
        return [
            finding(
                "KS005",
                path,
                1,
                "document could not be checked: internal error "
                f"({type(exc).__name__}); please report it",
            )
        ], 0


def _check_chunk(paths: Sequence[str]) -> tuple[list[Finding], int]:
    """Every finding of some documents, and their signatures: one small result per task.

    Findings are plain frozen dataclasses of strings and ints, so a worker's result always
    pickles back to the parent.
    """
    findings: list[Finding] = []
    signatures = 0
    # Set by check_key_separation before the workers start (forked, they inherit them).
    assert _STORE is not None and _AS_OF is not None
    for path in paths:
        found, count = check_one(path, _STORE, _AS_OF)
        if found:
            findings += found
        signatures += count
    return findings, signatures


def available_cpus() -> int:
    """CPUs this process may run on (its affinity, as containers and taskset set it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _check_files(paths: Sequence[str], jobs: int) -> Iterable[tuple[list[Finding], int]]:
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        return [_check_chunk(paths)]
    import gc
    import multiprocessing

    import smki.signatures  # noqa: F401 - imported once here, shared by the forked workers

    chunks = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    gc.freeze()  # the store and the modules stay shared pages in the workers
    pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        results = list(pool.imap_unordered(_check_chunk, chunks))
    finally:
        pool.close()
        pool.join()
        gc.unfreeze()
    return results


def check_key_separation(
    paths: Iterable[Path | str],
    cert_paths: Iterable[Path | str] = (),
    as_of: dt.date | None = None,
    jobs: int | None = None,
    policy: SmkiPolicy | None = None,
) -> KeySeparationReport:
    """Check every signed document under ``paths`` against the store of certificates, under
    ``policy`` (roles, limits, signature profiles, severities; default: the shipped one).

    Certificates among ``paths`` join the store built from ``cert_paths``. Raises
    ``FileNotFoundError`` naming the first path that does not exist at all (a dangling symlink
    exists: it is a finding).
    """
    global _STORE, _AS_OF
    policy = policy or shipped_policy()
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    names = [os.fspath(p) for p in paths]
    cert_paths = list(cert_paths)
    for name in names:
        if not os.path.lexists(name):
            raise FileNotFoundError(name)
    certs: list[Certificate]
    certs, problems = read_store(cert_paths, policy)
    documents: list[str] = []
    unreadable: list[Finding] = []
    for named in names:
        for file in iter_file_names([named]):
            kind = _kind(file, file == named, policy)
            if isinstance(kind, Unreadable):
                unreadable.append(finding("KS005", file, 1, f"file {kind.reason}"))
            elif kind == "xml":
                documents.append(file)
            elif kind == "cert":
                loaded, bad = read_store([file], policy)
                certs += loaded
                problems += bad
    store = CertificateStore(certs, policy)
    report = KeySeparationReport(
        policy=policy, certificates=len(store.certificates), documents=len(documents)
    )
    report.findings += unreadable
    report.findings += [finding("KS008", p.path, p.line, p.message) for p in problems]
    report.findings += _separation_of_certificates(store)
    report.store_given = bool(cert_paths) or bool(certs)
    _STORE, _AS_OF = store, as_of
    jobs = jobs if jobs is not None else available_cpus()
    for found, signatures in _check_files(documents, jobs):
        report.findings += found
        report.signatures += signatures
    report.findings.sort(key=Finding.sort_key)
    return report
