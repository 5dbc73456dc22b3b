"""Signature profiles are data: chosen by the document element, validated on load, and the fast
path takes hash and curve from the algorithm table (a SHA-1 profile verifies SHA-1 signatures)."""

from __future__ import annotations

import pytest

from core.errors import InputError
from smki.keysep import check_key_separation
from smki.policy import load_policy
from testdata.smki_pki import AS_OF, build, request, sign_request

SHA1_PROFILE = """
[duis.profiles.duis-request]
signature_method = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
digest_method = "http://www.w3.org/2000/09/xmldsig#sha1"
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return build(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def policy_file(tmp_path):
    """Write a policy file; return it (tests pass it on: nothing reads ``os.environ``)."""

    def use(text: str):
        path = tmp_path / "policy.toml"
        path.write_text(text)
        return path

    return use


def test_the_shipped_profiles(pki):
    policy = load_policy()
    assert set(policy.profiles) == {"duis-request", "dcc-response"}
    request_profile = policy.profile_for("Request")
    assert (request_profile.digest_hash, request_profile.signature_hash) == ("sha256", "sha256")
    assert request_profile.curve == "secp256r1" and request_profile.coordinate_bytes == 32
    assert policy.profile_for("Response").name == "dcc-response"
    assert policy.profile_for("Anything").name == "duis-request"


def test_a_sha1_profile_verifies_sha1_signatures_on_the_fast_path(pki, policy_file, tmp_path):
    party = pki.parties["xmlsign-supplier"]
    sha1 = tmp_path / "sha1.xml"
    sha1.write_bytes(sign_request(request(), party.key, party.cert, algorithm="sha1"))
    sha256 = pki.request("clean")
    before = check_key_separation([sha1, sha256], [pki.certs], AS_OF, jobs=1)
    assert {(f.path, f.rule) for f in before.findings} == {(str(sha1), "KS004")}
    sha1_policy = load_policy(policy_file(SHA1_PROFILE))
    after = check_key_separation([sha1, sha256], [pki.certs], AS_OF, jobs=1, policy=sha1_policy)
    assert {(f.path, f.rule) for f in after.findings} == {(str(sha256), "KS004")}
    tampered = tmp_path / "sha1-tampered.xml"
    tampered.write_bytes(sha1.read_bytes().replace(b"4.1.1", b"4.1.2"))
    (only,) = check_key_separation(
        [tampered], [pki.certs], AS_OF, jobs=1, policy=sha1_policy
    ).findings
    assert only.rule == "KS002" and "digest of reference 1" in only.message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[duis.profiles.duis-request]\ndigest_method = "urn:nowhere"\n', "digest_method"),
        ('[duis.profiles.duis-request]\ncurve = "secp999"\n', "curve"),
        ('[duis]\ndefault_profile = "nope"\n', "default_profile"),
        ("[duis.limits]\nmax_document_bytes = 0\n", "max_document_bytes"),
        (
            "[duis.profiles.duis-request]\nsignatures_per_document = true\n",
            "signatures_per_document",
        ),
        ("[smki.rules.KS001]\nsecurity_severity = 11\n", "security_severity"),
    ],
)
def test_a_bad_profile_is_refused_on_load_naming_the_field(policy_file, text, field):
    path = policy_file(text)
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert field in str(caught.value)


def test_a_bad_policy_is_exit_2_not_a_traceback(pki, policy_file, ssc):
    path = policy_file('[duis.profiles.duis-request]\ncurve = "secp999"\n')
    result = ssc.process(
        "smki",
        "check-keys",
        "--certs",
        str(pki.certs),
        str(pki.request("clean")),
        env={"SSC_POLICY": str(path)},
    )
    assert result.status == 2 and "curve" in result.stderr and "Traceback" not in result.stderr
