"""The rows of the CPA CSV returns, as pydantic models: what a valid row must hold."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PositiveInt, model_validator


def _iso_date(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected an ISO date (YYYY-MM-DD), found {value!r}") from None
    return value


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
OptionalIsoDate = Annotated[
    dt.date | None, BeforeValidator(lambda value: _iso_date(_blank_to_none(value)))
]
Text = Annotated[str, Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]

#: The columns each kind of CSV must have (more are allowed and kept as ``extra``).
CERTIFICATE_COLUMNS = (
    "cpa_id",
    "manufacturer",
    "device_type",
    "model",
    "hardware_version",
    "firmware_version",
    "valid_from",
    "expires",
    "status",
)
PRODUCT_COLUMNS = ("device_type", "manufacturer", "model", "hardware_version", "firmware_version")
INVENTORY_DEVICE_COLUMNS = ("supplier", "device_id", *PRODUCT_COLUMNS)
INVENTORY_COUNT_COLUMNS = ("supplier", "count", *PRODUCT_COLUMNS)
PLAN_COLUMNS = ("supplier", "cpa_id", "requested", "due", "received", "target_firmware")


class _Row(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", frozen=True)


class CertificateRow(_Row):
    """A CPA certificate on the CPL: one product (manufacturer, model, hardware, firmware)."""

    cpa_id: Text
    manufacturer: Text
    device_type: Text
    model: Text
    hardware_version: Text
    firmware_version: Text
    valid_from: IsoDate
    #: The expiry date, or for a lifetime certificate its renewal date.
    expires: IsoDate
    status: Text

    @model_validator(mode="after")
    def _valid_from_before_expiry(self) -> CertificateRow:
        if self.expires < self.valid_from:
            raise ValueError("expires is before valid_from")
        return self


class InventoryGroup(_Row):
    """Installed devices of one Supplier and one product: a row of a grouped return, or the
    product columns shared by the rows of a per-device return."""

    supplier: Text
    device_type: Text
    manufacturer: Text
    model: Text
    hardware_version: Text
    firmware_version: Text
    count: PositiveInt = 1


class PlanRow(_Row):
    """A remediation plan the SSC asked a Supplier for, for one certificate."""

    supplier: Text
    cpa_id: Text
    requested: IsoDate
    due: IsoDate
    received: OptionalIsoDate = None
    target_firmware: OptionalText = None

    @model_validator(mode="after")
    def _due_after_request(self) -> PlanRow:
        if self.due < self.requested:
            raise ValueError("due is before requested")
        return self
