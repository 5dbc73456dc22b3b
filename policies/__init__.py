"""Policy data: the TOML files beside this one, and nothing else (no code, no imports).

They are read by :mod:`core.policy_files`; each package validates its own with pydantic models.
"""
