"""Generate a large, realistic CPA data set (CPL, per-device inventory, plans), streamed to disk.

    python testdata/cpa/generate.py --devices 30000000 --suppliers 40 --certificates 300 OUT_DIR

Deterministic for a given ``--seed``. Memory stays flat whatever ``--devices``: rows are
written as they are made. Certificate expiries are spread around ``--as-of`` so that a report
on that date has expired, critical, warning and notice certificates; about 0.5% of devices run
firmware no certificate covers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

DEVICE_TYPES = ("ESME", "GSME", "CHF", "PPMID", "IHD", "GPF", "HCALCS")
MANUFACTURERS = ("EDMI", "Northwind Metering", "Fenwick Communications", "Ardent Devices",
                 "Bellweather Systems", "Copperleaf", "Dunmore Instruments", "Eastgate Energy Tech",
                 "Foxglove Metering", "Greystone Controls", "Harbour Meters", "Ironbridge IoT")  # fmt: skip


def products(count: int, rng: random.Random, as_of: dt.date) -> list[tuple[str, ...]]:
    """``count`` certificates: (cpa_id, manufacturer, type, model, hw, fw, from, expires, status)."""
    rows = []
    for n in range(count):
        manufacturer = MANUFACTURERS[n % len(MANUFACTURERS)]
        device_type = DEVICE_TYPES[n % len(DEVICE_TYPES)]
        model = f"{manufacturer[:2].upper()}-{100 + n // len(MANUFACTURERS)}{device_type[0]}"
        expires = as_of + dt.timedelta(days=rng.randint(-120, 5 * 365))
        valid_from = expires - dt.timedelta(days=3 * 365)
        status = "Withdrawn" if rng.random() < 0.02 else "Active"
        rows.append((f"CPA-{valid_from.year}-{n:04d}", manufacturer, device_type, model,
                     f"{1 + n % 3}.0", f"{2 + n % 5}.{n % 10}.{n % 7}", valid_from.isoformat(),
                     expires.isoformat(), status))  # fmt: skip
    return rows


def device_rows(
    devices: int, suppliers: list[str], certificates: list[tuple[str, ...]], rng: random.Random
) -> Iterator[tuple[str, ...]]:
    """Per-device rows, Supplier by Supplier, each on its own mix of products."""
    per_supplier = [devices // len(suppliers)] * len(suppliers)
    per_supplier[0] += devices - sum(per_supplier)
    for s, (supplier, total) in enumerate(zip(suppliers, per_supplier, strict=True)):
        mix = rng.sample(certificates, k=min(len(certificates), rng.randint(20, 80)))
        weights = [rng.paretovariate(1.2) for _ in mix]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        counts[0] += total - sum(counts)
        first = 0  # device serials run on across a Supplier's products: ids stay unique
        for (_, manufacturer, device_type, model, hw, fw, *_), count in zip(
            mix, counts, strict=True
        ):
            uncovered = count // 200
            for firmware, run in ((fw, count - uncovered), (f"{fw}-rc1", uncovered)):
                product = (device_type, manufacturer, model, hw, firmware)
                for serial in range(first, first + run):
                    yield (supplier, f"{s:02X}{serial:014X}", *product)
                first += run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--certificates", type=int, default=300)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2020, 1, 10))
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    certificates = products(args.certificates, rng, args.as_of)
    suppliers = [f"Supplier {n:02d}" for n in range(1, args.suppliers + 1)]
    with (args.out / "certificates.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["cpa_id", "manufacturer", "device_type", "model", "hardware_version",
                         "firmware_version", "valid_from", "expires", "status"])  # fmt: skip
        writer.writerows(certificates)
    with (args.out / "inventory.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["supplier", "device_id", "device_type", "manufacturer", "model",
                         "hardware_version", "firmware_version"])  # fmt: skip
        writer.writerows(device_rows(args.devices, suppliers, certificates, rng))
    with (args.out / "plans.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["supplier", "cpa_id", "requested", "due", "received", "target_firmware"])
        soon = [c for c in certificates if dt.date.fromisoformat(c[7]) <= args.as_of
                + dt.timedelta(days=180)]  # fmt: skip
        for certificate in soon:
            for supplier in rng.sample(suppliers, k=len(suppliers) // 2):
                requested = args.as_of - dt.timedelta(days=rng.randint(10, 60))
                due = requested + dt.timedelta(days=40)
                received = (
                    (requested + dt.timedelta(days=rng.randint(5, 60))).isoformat()
                    if rng.random() < 0.6
                    else ""
                )
                writer.writerow([supplier, certificate[0], requested.isoformat(), due.isoformat(),
                                 received, ""])  # fmt: skip


if __name__ == "__main__":
    main()
