"""Reading the policy files: the shipped TOML in `policies/`, overridden table by table by a user's
file, passed explicitly (an Environment's ``policies.file``: ``SSC_POLICY`` unless a test gives
another). Nothing here reads the process environment.

The rules live in the TOML files; the packages that use them validate them with their own
pydantic models. ``policies`` itself is data only: it imports nothing.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read(name: str, override: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """Return the policy ``name`` (e.g. ``"register"``) as a dict, and the sources it came from.

    ``override`` may hold a table ``[name]`` whose keys replace the shipped ones; without it
    the shipped policy is returned as it is.
    """
    shipped = resources.files("policies").joinpath(f"{name}.toml")
    data = tomllib.loads(shipped.read_text(encoding="utf-8"))
    sources = [f"policies/{name}.toml"]
    if override is not None:
        try:
            user_data = tomllib.loads(override.read_text(encoding="utf-8"))
        except FileNotFoundError:
            from core.errors import InputError

            raise InputError("policy file not found (SSC_POLICY)", path=str(override)) from None
        except tomllib.TOMLDecodeError as exc:
            from core.errors import InputError

            raise InputError(f"not valid TOML: {exc}", path=str(override)) from None
        if name in user_data:
            data = _merge(data, user_data[name])
            sources.append(str(override))
    return data, sources
