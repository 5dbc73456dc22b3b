"""Benchmark evidence storage: adding files against ``sha256sum`` over the same files, and the register's size.

    python bench/evidence.py                     # 1,000 files of 1 MB
    python bench/evidence.py --files 20 --mb 1   # a smoke run

Writes random files (incompressible, each distinct) into a scratch folder, then, in the same
run: ``sha256sum`` over all of them (the baseline: read and hash, nothing kept); ``ssc evidence
add`` of all of them as one whole process (read, type check, hash, store in the register, one
audit event each, one transaction); ``ssc evidence verify`` (re-hash everything stored); and
the register's size against the bytes stored. Caches are warm for both (each file is read
once before timing). Prints the figures and the ratio (aim: ssc at least 0.5x sha256sum's
throughput); deletes the scratch folder unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(argv: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env, cwd=REPO)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--mb", type=float, default=1.0, help="size of each file in MB (MiB)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="ssc-bench-evidence-"))
    try:
        files = scratch / "files"
        files.mkdir()
        size = int(args.mb * 1024 * 1024)
        paths = []
        for n in range(args.files):
            path = files / f"document-{n:05d}.pdf"
            with open(path, "wb") as out:
                out.write(b"%PDF-1.7\n")
                out.write(os.urandom(size - 9))
            paths.append(str(path))
        total = size * args.files
        mib = total / 1024**2
        for path in paths:  # warm the page cache for both runs alike
            with open(path, "rb") as stream:
                while stream.read(1 << 20):
                    pass

        baseline = run(["sha256sum", *paths])

        db = scratch / "register.db"
        env = {**os.environ, "SSC_DB": str(db), "SSC_ACTOR": "bench", "PYTHONPATH": str(REPO)}
        python = [sys.executable, "-m", "ssc"]
        subprocess.run(
            [
                *python,
                "party",
                "add",
                "id=P1",
                "name=Bench Ltd",
                "roles=other_user",
                "--reason",
                "bench",
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            cwd=REPO,
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        adding = run(
            [*python, "evidence", "add", "P1", *paths, "--kind", "report", "--reason", "bench"], env
        )
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        verifying = run([*python, "evidence", "verify"], env)

        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        register = db.stat().st_size

        print(f"{args.files} files of {args.mb:g} MiB ({mib:,.0f} MiB), same run:")
        print(f"  sha256sum                {baseline:7.2f} s  {mib / baseline:8.1f} MiB/s")
        print(
            f"  ssc evidence add         {adding:7.2f} s  {mib / adding:8.1f} MiB/s  "
            f"({baseline / adding:.2f}x sha256sum; peak RSS "
            f"{max(peak_kib, before) / 1024:.0f} MiB)"
        )
        print(
            f"  ssc evidence verify      {verifying:7.2f} s  {mib / verifying:8.1f} MiB/s  "
            f"({baseline / verifying:.2f}x sha256sum)"
        )
        print(
            f"  register size            {register / 1024**2:7.1f} MiB for {mib:,.1f} MiB stored "
            f"(overhead {100 * (register - total) / total:+.2f}%)"
        )
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
