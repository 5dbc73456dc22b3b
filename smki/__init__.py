"""SMKI: certificates, signed DUIS documents, key separation, certificate and CPA expiry.

Public entry points live in their modules (kept light to import):
:func:`smki.certificates.load_certificates` and :func:`smki.keysep.check_key_separation`.
"""
