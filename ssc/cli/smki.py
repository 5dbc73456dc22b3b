"""`ssc` sub-commands for the smki area (parsing only; the work is done in the package)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands to the `ssc` parser."""
