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
    iter_file_names,
    load_certificate_bytes,
    load_certificates,
)
from smki.findings import Finding, finding
from smki.policy import load_policy
from smki.store import CertificateStore

XML_SUFFIXES = frozenset({".xml"})
#: Below this many documents one process is faster than starting workers.
PARALLEL_THRESHOLD = 200
#: Documents per task: large enough that a task's round trip is noise, small enough that the
#: workers finish together.
_CHUNK = 256


@dataclass
class KeySeparationReport:
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0
    signatures: int = 0
    certificates: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def exit_status(self, strict: bool = False) -> int:
        return 1 if self.errors or (strict and self.findings) else 0


def _kind(path: str, named: bool) -> str | None:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in XML_SUFFIXES:
        return "xml"
    if suffix in CERTIFICATE_SUFFIXES:
        return "cert"
    if suffix == ".json":
        return "cert" if b"BEGIN CERTIFICATE-----" in Path(path).read_bytes() else None
    if not named and suffix:
        return None  # keys, scripts, READMEs beside the requests: not ours
    head = Path(path).read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "xml"
    if b"-----BEGIN" in head and b"CERTIFICATE-----" in head:
        return "cert"
    return None


def _separation_of_certificates(store: CertificateStore) -> list[Finding]:
    """KS001 for XmlSign/DspXmlSign certificates issued over another role's key."""
    xml_roles = load_policy().xml_signing_roles
    out = []
    for cert in store.certificates:
        if cert.is_smki and cert.role_name in xml_roles:
            holders = store.other_role_holders(cert.spki_sha256)
            if holders:
                roles = ", ".join(f"{h.role_name} {h.key_usage}" for h in holders)
                out.append(finding(
                    "KS001", cert.path, cert.line,
                    f"{cert.role_name} certificate (serial {cert.serial}) has the public key of "
                    f"SMKI certificate(s) of another role ({roles}): "
                    + "; ".join(h.describe() for h in holders), holders))
    return out


# Worker state, set before forking so that workers share the parsed store.
_STORE: CertificateStore | None = None
_AS_OF: dt.date | None = None


def _check_chunk(paths: Sequence[str]) -> tuple[list[Finding], int]:
    """Every finding of some documents, and their signatures: one small result per task."""
    from smki.signatures import check_document

    findings: list[Finding] = []
    signatures = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        found, count = check_document(path, data, _STORE, _AS_OF)
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

    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
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
) -> KeySeparationReport:
    """Check every signed document under ``paths`` against the store of certificates.

    Certificates among ``paths`` join the store built from ``cert_paths``. Raises
    ``FileNotFoundError`` naming the first path that does not exist.
    """
    global _STORE, _AS_OF
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(str(path))
    certs: list[Certificate]
    certs, problems = load_certificates(cert_paths)
    documents: list[str] = []
    for named in map(str, paths):
        for file in iter_file_names([named]):
            kind = _kind(file, file == named)
            if kind == "xml":
                documents.append(file)
            elif kind == "cert":
                found, bad = load_certificate_bytes(Path(file).read_bytes(), file)
                certs += found
                problems += bad
    store = CertificateStore(certs)
    report = KeySeparationReport(certificates=len(store.certificates), documents=len(documents))
    report.findings += [finding("KS008", p.path, p.line, p.message + "; left out of the store")
                        for p in problems]
    report.findings += _separation_of_certificates(store)
    _STORE, _AS_OF = store, as_of
    jobs = jobs if jobs is not None else available_cpus()
    for found, signatures in _check_files(documents, jobs):
        report.findings += found
        report.signatures += signatures
    report.findings.sort(key=Finding.sort_key)
    return report
