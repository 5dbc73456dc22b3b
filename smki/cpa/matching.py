"""Which CPA certificate covers which installed devices: matching on the product they are.

A device group is matched to the certificates of the same manufacturer, model, hardware
version and firmware version (compared without regard to case or repeated spaces). It is
counted under the matching certificates whose CPL status is active; when none is, under the
lapsed ones (Cancelled, Expired, Withdrawn) that still name it; when no certificate names it at
all, its firmware is uncovered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

ProductKey = tuple[str, str, str, str]


def product_key(
    manufacturer: str, model: str, hardware_version: str, firmware_version: str
) -> ProductKey:
    """The matching key of a product: its four parts, case-folded, spaces collapsed."""
    return tuple(
        " ".join(part.split()).casefold()  # type: ignore[return-value]
        for part in (manufacturer, model, hardware_version, firmware_version)
    )


@dataclass(frozen=True)
class Certificate:
    cpa_id: str
    manufacturer: str
    device_type: str
    model: str
    hardware_version: str
    firmware_version: str
    valid_from: dt.date
    expires: dt.date
    status: str
    active: bool

    @property
    def key(self) -> ProductKey:
        return product_key(
            self.manufacturer, self.model, self.hardware_version, self.firmware_version
        )


@dataclass(frozen=True)
class InstalledGroup:
    """Installed devices of one Supplier and one product."""

    supplier: str
    device_type: str
    manufacturer: str
    model: str
    hardware_version: str
    firmware_version: str
    devices: int

    @property
    def key(self) -> ProductKey:
        return product_key(
            self.manufacturer, self.model, self.hardware_version, self.firmware_version
        )


@dataclass
class Attribution:
    """Devices per certificate and Supplier, and the groups no certificate covers."""

    devices: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    uncovered: list[InstalledGroup] = field(default_factory=list)


def attribute(certificates: Iterable[Certificate], groups: Iterable[InstalledGroup]) -> Attribution:
    """Count each group's devices under the certificates that cover it (see the module)."""
    by_key: dict[ProductKey, list[Certificate]] = defaultdict(list)
    for certificate in certificates:
        by_key[certificate.key].append(certificate)
    result = Attribution()
    for group in groups:
        candidates = by_key.get(group.key, [])
        covering = [c for c in candidates if c.active] or candidates
        if not covering:
            result.uncovered.append(group)
        for certificate in covering:
            per_supplier = result.devices[certificate.cpa_id]
            per_supplier[group.supplier] = per_supplier.get(group.supplier, 0) + group.devices
    return result
