"""The CPA report's renderers: csv, html and prometheus say what the report says."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from test_cpa_report import load_edmi

from smki.cpa.formats import renderer
from smki.cpa.formats.csv import text as csv_text
from smki.cpa.policy import Classification
from smki.cpa.report import (
    CertificateAlert,
    CpaReport,
    SupplierExposure,
    Totals,
    UncoveredDevices,
)
from smki.expiry import ExpiryPolicy, Severity


def run(ssc, fmt: str, as_of: str = "2020-01-21"):
    load_edmi(ssc)
    return ssc("cpa", "report", "--as-of", as_of, "--format", fmt)


def test_prometheus_output_parses_and_carries_the_figures(ssc):
    result = run(ssc, "prometheus")
    assert result.status == 1
    families = {f.name: f for f in text_string_to_metric_families(result.stdout)}
    expiry = families["ssc_cpa_certificate_expiry_timestamp_seconds"]
    assert expiry.type == "gauge"
    seconds = {s.labels["cpa_id"]: s.value for s in expiry.samples}
    as_of = families["ssc_cpa_report_as_of_timestamp_seconds"].samples[0].value
    assert (seconds["CPA-2017-0142"] - as_of) / 86400 == 38  # the JSON's days_left
    affected = {(s.labels["cpa_id"], s.labels["supplier"]): s.value
                for s in families["ssc_cpa_devices_affected"].samples}  # fmt: skip
    assert affected[("CPA-2017-0142", "Delta Gas & Power")] == 1200
    states = {(s.labels["supplier"], s.labels["state"]) for s in families["ssc_cpa_plan_state"].samples
              if s.labels["cpa_id"] == "CPA-2017-0142" and s.value == 1}  # fmt: skip
    assert ("Brook Power", "overdue") in states and ("Delta Gas & Power", "missing") in states
    assert families["ssc_cpa_needs_action"].samples[0].value == 1
    uncovered = families["ssc_cpa_uncovered_devices"].samples
    assert [(s.labels["firmware_version"], s.value) for s in uncovered] == [("2.0.9", 3)]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_report_renders_self_contained_and_printable(ssc):
    result = run(ssc, "html")
    assert result.status == 1
    page = _Page()
    page.feed(result.stdout)
    page.close()
    text = "".join(page.text)
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert {"html", "head", "style", "body", "table", "h1"} <= set(page.tags)
    assert page.external == []  # no stylesheet, script or image fetched from elsewhere
    assert "@media print" in result.stdout
    assert "Delta Gas & Power" in text and "Delta Gas &amp; Power" in result.stdout
    assert "CPA-2017-0142" in text and "overdue" in text


def test_the_csv_report_has_one_row_per_certificate_and_supplier(ssc):
    rows = list(csv.DictReader(io.StringIO(run(ssc, "csv").stdout)))
    delta = [r for r in rows if r["supplier"] == "Delta Gas & Power" and r["kind"] == "certificate"]
    assert {(r["cpa_id"], r["devices"], r["plan"]) for r in delta} == {
        ("CPA-2017-0142", "1200", "missing"),
        ("CPA-2017-0143", "800", "missing"),
    }
    assert [r["firmware_version"] for r in rows if r["kind"] == "uncovered"] == ["2.0.9"]


def test_formats_agree_with_json(ssc):
    load_edmi(ssc)
    data = json.loads(ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(
        ssc("cpa", "report", "--as-of", "2020-01-21", "--format", "csv").stdout)))  # fmt: skip
    from_json = {(c["cpa_id"], s["supplier"], s["devices"], s["plan"])
                 for c in data["certificates"] for s in c["suppliers"]}  # fmt: skip
    from_csv = {(r["cpa_id"], r["supplier"], int(r["devices"]), r["plan"])
                for r in rows if r["kind"] == "certificate" and r["supplier"]}  # fmt: skip
    assert from_json == from_csv


text = st.text(max_size=15)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1))
exposures = st.builds(SupplierExposure, supplier=text, devices=st.integers(0, 10**8),
                      plan=st.sampled_from(["missing", "requested", "overdue", "received"]),
                      requested=st.none() | dates, due=st.none() | dates, received=st.none() | dates,
                      target_firmware=st.none() | text.filter(bool), late=st.booleans(),
                      needs_action=st.booleans())  # fmt: skip
alerts = st.builds(CertificateAlert, cpa_id=text, manufacturer=text, device_type=text, model=text,
                   hardware_version=text, firmware_version=text, valid_from=dates, expires=dates,
                   status=text, days_left=st.integers(-5000, 5000),
                   severity=st.sampled_from([s for s in Severity if s is not Severity.OK]),
                   installed_devices=st.integers(0, 10**8),
                   suppliers=st.lists(exposures, max_size=3).map(tuple),
                   needs_action=st.booleans())  # fmt: skip
uncovered = st.builds(UncoveredDevices, supplier=text, device_type=text, manufacturer=text,
                      model=text, hardware_version=text, firmware_version=text,
                      devices=st.integers(1, 10**8), needs_action=st.booleans())  # fmt: skip


AMBER = Classification(level="AMBER", marking="AMBER — need-to-know",
                       sentence="This document is classified as Amber.")  # fmt: skip


def _report(certificates, uncovered_devices) -> CpaReport:
    totals = Totals(len(certificates), 0, {}, 0, 0, {}, 0)
    return CpaReport(dt.date(2020, 1, 10), 180, ExpiryPolicy(critical_days=30, warning_days=90,
                     default_horizon_days=180), tuple(certificates), tuple(uncovered_devices),
                     totals, AMBER)  # fmt: skip


@given(st.lists(alerts, max_size=4), st.lists(uncovered, max_size=3))
def test_csv_round_trips_any_report(certificates, uncovered_devices):
    report = _report(certificates, uncovered_devices)
    rows = list(csv.DictReader(io.StringIO(renderer("csv")(report), newline="")))
    expected = []
    t = csv_text  # what a spreadsheet would run as a formula comes back with a leading '
    for c in certificates:
        for e in c.suppliers or [None]:
            expected.append((t(c.cpa_id), t(c.manufacturer), t(c.model), t(c.firmware_version),
                             str(c.days_left), t(e.supplier) if e else "",
                             str(e.devices) if e else "", e.plan if e else ""))  # fmt: skip
    got = [(r["cpa_id"], r["manufacturer"], r["model"], r["firmware_version"], r["days_left"],
            r["supplier"], r["devices"], r["plan"]) for r in rows if r["kind"] == "certificate"]  # fmt: skip
    assert got == expected
    assert [
        (r["supplier"], r["model"], int(r["devices"])) for r in rows if r["kind"] == "uncovered"
    ] == [(t(u.supplier), t(u.model), u.devices) for u in uncovered_devices]
    assert {r["classification"] for r in rows} <= {"AMBER"}
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+@\t\r"]


@given(st.lists(alerts, max_size=3), st.lists(uncovered, max_size=2))
def test_prometheus_parses_whatever_the_labels_hold(certificates, uncovered_devices):
    report = _report(certificates, uncovered_devices)
    families = {f.name: f for f in text_string_to_metric_families(renderer("prometheus")(report))}
    got = sorted((s.labels["cpa_id"], s.value)
                 for s in families["ssc_cpa_certificate_installed_devices"].samples)  # fmt: skip
    assert got == sorted((c.cpa_id, c.installed_devices) for c in certificates)
