"""The dashboard's SMKI certificates: a row per readable certificate, a problem line for the rest.

``tui.sources.smki_certificates`` dates each row by the certificate's ``not_after``; one whose
validity cannot be read never becomes a row (it is a problem, named by file), so the
dashboard never meets a certificate without an expiry.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from core.env import shipped
from tui import sources

TODAY = dt.date(2020, 1, 10)


def _certificate(not_after: dt.datetime) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expiry test")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - dt.timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.DER)


def test_a_certificate_whose_validity_cannot_be_read_is_a_problem_not_a_row(tmp_path):
    expires = dt.datetime(2020, 1, 20, 12, tzinfo=dt.UTC)
    (tmp_path / "good.der").write_bytes(_certificate(expires))
    broken = bytearray(_certificate(expires))
    at = broken.index(b"\x17\x0d")  # the first UTCTime of the validity
    broken[at] = 0x04  # now an OCTET STRING: the validity no longer reads
    (tmp_path / "broken.der").write_bytes(bytes(broken))

    rows, problems = sources.smki_certificates((tmp_path,), TODAY, shipped)

    assert [(row.path.rsplit("/", 1)[-1], row.not_after, row.days_left) for row in rows] == [
        ("good.der", dt.date(2020, 1, 20), 10)
    ]
    assert len(problems) == 1
    assert "broken.der" in problems[0] and "validity" in problems[0]
