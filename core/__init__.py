"""The shared core below both domains: the register file (db), errors, the Environment, the audit
trail, the output-format registry and the atomic writer.

It imports only `policies` (data): `assurance`, `smki`, the TUI and the CLI stand on it, never
the other way round (the import contract in pyproject.toml).
"""
