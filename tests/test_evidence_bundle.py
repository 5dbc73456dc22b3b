"""Export and import with the evidence files: a bundle (folder or .zip), lossless, all or nothing, hostile zips refused."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SSC

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def source(ssc, tmp_path):
    """A register with records and evidence: on a Party, an assessment, a finding; one withdrawn."""
    for argv in (
        ("party", "add", "id=P1", "name=Fenland Shared Services", "roles=large_supplier"),
        ("assessment", "add", "id=A1", "party=P1", "kind=FUSA", "fieldwork_end=2019-10-18"),
        (
            "finding",
            "add",
            "id=F1",
            "assessment=A1",
            "sec_ref=G5.14",
            "title=Stale",
            "severity=low",
        ),
    ):
        assert ssc(*argv, "--reason", "setup").status == 0
    files = tmp_path / "files"
    files.mkdir()
    (files / "report.pdf").write_bytes(PDF + os.urandom(3 * 1024 * 1024))
    (files / "plan.txt").write_text("Plan: patch by March.\n")
    (files / "same.pdf").write_bytes((files / "report.pdf").read_bytes())
    assert (
        ssc(
            "evidence",
            "add",
            "A1",
            str(files / "report.pdf"),
            str(files / "plan.txt"),
            "--kind",
            "report",
            "--effective",
            "2019-11-08",
            "--reason",
            "in",
        ).status
        == 0
    )
    assert (
        ssc(
            "evidence", "add", "F1", str(files / "same.pdf"), "--kind", "plan", "--reason", "in"
        ).status
        == 0
    )
    assert ssc("evidence", "add", "P1", str(files / "plan.txt"), "--reason", "in").status == 0
    assert ssc("evidence", "withdraw", "E0004", "--reason", "filed on the wrong record").status == 0
    assert (
        ssc(
            "decide", "A1", "--status", "approved", "--date", "2019-12-11", "--reason", "SSC"
        ).status
        == 0
    )
    return ssc


def lines(path: Path) -> list[str]:
    return sorted(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_round_trip_is_lossless(source, tmp_path, name):
    out = tmp_path / name
    result = source("export", "--bundle", str(out))
    assert result.status == 0, result.stderr
    target = SSC(tmp_path / "target.db")
    imported = target("import", str(out))
    assert imported.status == 0, imported.stderr
    assert "4 evidence" in imported.stderr
    assert target("evidence", "verify").status == 0 and target("audit", "verify").status == 0
    again = tmp_path / ("again" + (".zip" if name.endswith(".zip") else ""))
    assert target("export", "--bundle", str(again)).status == 0
    if name.endswith(".zip"):
        with zipfile.ZipFile(out) as first, zipfile.ZipFile(again) as second:
            assert sorted(first.namelist()) == sorted(second.namelist())
            for entry in first.namelist():
                if entry.startswith("blobs/") and entry != "blobs/":
                    assert hashlib.sha256(first.read(entry)).hexdigest() == entry.split("/")[1]
            assert sorted(first.read("register.jsonl").splitlines()) == sorted(
                second.read("register.jsonl").splitlines()
            )
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    else:
        assert lines(out / "register.jsonl") == lines(again / "register.jsonl")
        assert sorted(p.name for p in (out / "blobs").iterdir()) == sorted(
            p.name for p in (again / "blobs").iterdir()
        )
        assert len(list((out / "blobs").iterdir())) == 2  # deduplicated
        assert stat.S_IMODE(out.stat().st_mode) == 0o700
        assert stat.S_IMODE((out / "register.jsonl").stat().st_mode) == 0o600
    assert (
        source("evidence", "list", "--format", "json").stdout
        == target("evidence", "list", "--format", "json").stdout
    )
    withdrawn = [
        e
        for e in json.loads(target("evidence", "list", "--format", "json").stdout)
        if e.get("withdrawn")
    ]
    assert [e["id"] for e in withdrawn] == ["E0004"]
    exported = tmp_path / "report-back.pdf"
    assert target("evidence", "export", "E0001", "-o", str(exported)).status == 0
    assert exported.read_bytes() == (tmp_path / "files" / "report.pdf").read_bytes()


def test_export_refuses_to_overwrite(source, tmp_path):
    (tmp_path / "there").mkdir()
    assert source("export", "--bundle", str(tmp_path / "there")).status == 2


def _empty(target: SSC) -> bool:
    return target("export").stdout == ""


def test_a_blob_whose_bytes_do_not_match_its_name_refuses_everything(source, tmp_path):
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    blob = next(p for p in (out / "blobs").iterdir() if p.stat().st_size > 1000)
    data = bytearray(blob.read_bytes())
    data[-1] ^= 1
    blob.write_bytes(bytes(data))
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2 and blob.name in result.stderr and "nothing" in result.stderr
    assert _empty(target)


def test_a_missing_blob_is_named_by_file_and_line(source, tmp_path):
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    for blob in (out / "blobs").iterdir():
        if blob.stat().st_size < 1000:
            blob.unlink()
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2 and "register.jsonl:" in result.stderr and "sha256" in result.stderr
    assert _empty(target)


def test_a_symlinked_blob_is_refused(source, tmp_path):
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    blob = next((out / "blobs").iterdir())
    blob.unlink()
    blob.symlink_to("/etc/passwd")
    target = SSC(tmp_path / "target.db")
    assert target("import", str(out)).status == 2 and _empty(target)


def test_evidence_lines_are_checked_like_records(source, tmp_path):
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    records = out / "register.jsonl"
    text = records.read_text()
    bad = []
    for line in text.splitlines():
        data = json.loads(line)
        if data.get("id") == "E0001":
            data.update(kind="rumour", name="../../etc/passwd", effective="yesterday")
        if data.get("id") == "E0002":
            data.update(record="NOPE")
        bad.append(json.dumps(data))
    records.write_text("\n".join(bad) + "\n")
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2
    for field in ("kind", "name", "effective", "record"):
        assert f": {field}: " in result.stderr, (field, result.stderr)
    assert _empty(target)


def _zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _bundle_entries(source: SSC, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "ok.zip"
    assert source("export", "--bundle", str(out)).status == 0
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize(
    "hostile",
    [
        "../evil",
        "/etc/cron.d/evil",
        "blobs/../../evil",
        "blobs/" + "A" * 64,
        "register.jsonl/../x",
        "blobs\\..\\evil",
    ],
)
def test_hostile_zip_entry_names_are_refused(source, tmp_path, hostile):
    entries = _bundle_entries(source, tmp_path)
    entries[hostile] = b"x"
    path = _zip(tmp_path / "hostile.zip", entries)
    target = SSC(tmp_path / "target.db")
    result = target("import", str(path))
    assert result.status == 2 and "unexpected entry" in result.stderr
    assert _empty(target)
    assert not (tmp_path / "evil").exists()


def test_a_zip_bomb_stops_at_the_limit(source, tmp_path):
    entries = _bundle_entries(source, tmp_path)
    bomb = b"\0" * (8 * 1024 * 1024)
    name = hashlib.sha256(bomb).hexdigest()
    entries[f"blobs/{name}"] = bomb
    path = _zip(tmp_path / "bomb.zip", entries, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"blobs/{name}")
        assert info.compress_size * 100 < info.file_size  # it inflates a hundredfold and more
    policy = tmp_path / "policy.toml"
    policy.write_text("[evidence.storage]\nmax_bytes = 4194304\n")
    target = SSC(tmp_path / "target.db", policy_file=policy)
    result = target("import", str(path))
    assert result.status == 2 and "over the limit" in result.stderr
    assert _empty(target)


def test_a_zip_that_lies_about_sizes_is_refused(source, tmp_path):
    entries = _bundle_entries(source, tmp_path)
    path = _zip(tmp_path / "liar.zip", entries, zipfile.ZIP_DEFLATED)
    data = bytearray(path.read_bytes())
    # Every central directory record of a blob says it holds 16 bytes.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        name = bytes(data[at + 46 : at + 46 + name_length])
        if name.startswith(b"blobs/") and len(name) > 10:
            data[at + 24 : at + 28] = (16).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    target = SSC(tmp_path / "target.db")
    result = target("import", str(path))
    assert result.status == 2 and "Traceback" not in result.stderr
    assert _empty(target)


def test_a_duplicated_entry_is_refused(source, tmp_path):
    entries = _bundle_entries(source, tmp_path)
    path = tmp_path / "dup.zip"
    _zip(path, entries)
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as archive:
        archive.writestr("register.jsonl", b"")
    target = SSC(tmp_path / "target.db")
    result = target("import", str(path))
    assert result.status == 2 and "twice" in result.stderr and _empty(target)


def test_importing_twice_is_refused_whole(source, tmp_path):
    out = tmp_path / "bundle.zip"
    assert source("export", "--bundle", str(out)).status == 0
    before = source("audit", "head").stdout
    result = source("import", str(out))
    assert result.status == 2 and "already" in result.stderr
    assert source("audit", "head").stdout == before


def test_a_zip_declaring_too_many_entries_is_refused_before_reading_them(
    source, tmp_path, monkeypatch
):
    import assurance.bundle as bundle

    out = tmp_path / "bundle.zip"
    assert source("export", "--bundle", str(out)).status == 0
    parsed = []
    monkeypatch.setattr(bundle, "MAX_ENTRIES", 2)
    monkeypatch.setattr(bundle.zipfile, "ZipFile", lambda *a, **k: parsed.append(a) or 1 / 0)
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2 and "declares 3 entries" in result.stderr
    assert parsed == []  # refused from the end record, the directory never parsed


def _edit_lines(records: Path, edits: dict[str, dict]) -> None:
    """Apply ``edits`` (by evidence or record id) to the bundle's JSON Lines."""
    out = []
    for line in records.read_text().splitlines():
        data = json.loads(line)
        data.update(edits.get(data.get("id"), {}))
        out.append(json.dumps(data))
    records.write_text("\n".join(out) + "\n")


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            {"E0001": {"media_type": "application/x-msdownload"}},
            ": media_type: 'application/x-msdownload' is not",
        ),
        ({"E0002": {"id": "E0001"}}, ": id: evidence 'E0001' appears twice (first at line"),
        ({"E0001": {"record_type": "rumour"}}, ": record_type: expected one of"),
        (
            {"E0001": {"classification": "TOP-HAT"}},
            ": classification: expected one of WHITE, GREEN, AMBER, RED",
        ),
        (
            {"E0001": {"classification": "green"}},
            ": classification: GREEN is below its assessment's RED",
        ),
        # A Finding that takes the Assessment's id: the line that cites A1 without a type is ambiguous.
        (
            {"F1": {"id": "A1"}, "E0001": {"record_type": None}},
            ": record: 'A1' names several records; add record_type",
        ),
    ],
)
def test_each_evidence_line_rule_names_its_field(source, tmp_path, edits, expected):
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    _edit_lines(out / "register.jsonl", edits)
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and _empty(target)


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        # A text file declared a PDF: its first bytes give it away before anything is stored.
        (
            {"E0002": {"media_type": "application/pdf"}},
            "are not a pdf file as its evidence line says",
        ),
        ({"E0002": {"size": 3}}, ": size: size 3 but its blob holds"),
    ],
)
def test_a_blob_that_belies_its_line_refuses_everything(source, tmp_path, edits, expected):
    out = tmp_path / "bundle.zip"
    folder = tmp_path / "bundle"
    assert source("export", "--bundle", str(folder)).status == 0
    _edit_lines(folder / "register.jsonl", edits)
    _zip(
        out,
        {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in [folder / "register.jsonl", *(folder / "blobs").iterdir()]
        },
    )
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert result.status == 2 and expected in result.stderr, result.stderr
    assert _empty(target)


def test_evidence_lines_may_cite_records_already_in_the_register(source, tmp_path):
    """A bundle of evidence only, onto a register that holds its records: the records are found
    there, with their classification, and the blobs the register has are not needed again."""
    out = tmp_path / "bundle"
    assert source("export", "--bundle", str(out)).status == 0
    records = out / "register.jsonl"
    everything = records.read_text().splitlines()
    target = SSC(tmp_path / "target.db")
    plain = tmp_path / "records.jsonl"
    plain.write_text("\n".join(x for x in everything if json.loads(x)["type"] != "evidence") + "\n")
    assert target("import", str(plain)).status == 0
    records.write_text(
        "\n".join(x for x in everything if json.loads(x)["type"] == "evidence") + "\n"
    )
    _edit_lines(records, {"E0001": {"classification": "AMBER"}})  # below the Assessment's RED
    result = target("import", str(out))
    assert (
        result.status == 2
        and ": classification: AMBER is below its assessment's RED" in result.stderr
    )
    _edit_lines(records, {"E0001": {"classification": "RED"}})
    assert target("import", str(out)).status == 0
    assert target("evidence", "verify").status == 0 and target("audit", "verify").status == 0


def _encrypted(path: Path) -> Path:
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")  # the first central directory record: flag bit 0, encrypted
    data[at + 8] |= 1
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p, e: _zip(p, {k: v for k, v in e.items() if k != "register.jsonl"}),
            "a bundle holds register.jsonl",
        ),
        (lambda p, e: p.write_bytes(b"PK\x03\x04 not really a zip") and p, "not a readable zip"),
        (lambda p, e: _encrypted(_zip(p, e)), "is encrypted"),
    ],
)
def test_a_broken_zip_is_refused_unread(source, tmp_path, make, expected):
    path = tmp_path / "broken.zip"
    make(path, _bundle_entries(source, tmp_path))
    target = SSC(tmp_path / "target.db")
    result = target("import", str(path))
    assert result.status == 2 and expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and _empty(target)


def test_a_records_file_over_its_bound_is_refused_unread(source, tmp_path, monkeypatch):
    import assurance.bundle as bundle

    out = tmp_path / "bundle.zip"
    assert source("export", "--bundle", str(out)).status == 0
    monkeypatch.setattr(bundle, "MAX_RECORDS_BYTES", 100)
    target = SSC(tmp_path / "target.db")
    result = target("import", str(out))
    assert (
        result.status == 2 and "register.jsonl is" in result.stderr and "over 100" in result.stderr
    )
    assert _empty(target)
