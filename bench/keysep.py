"""Benchmark of ``ssc smki check-keys``: documents/s against xmlsec1 and the ECDSA-verify limit.

Usage: ``python bench/keysep.py [--documents 20000] [--out bench/out/keysep]``. Prints ssc's
throughput over a directory of signed DUIS requests (both cores), ``xmlsec1 --verify`` over the
same files in the same run (batched, two processes), the raw ECDSA P-256 verify rate as the
limit, the ratio to xmlsec1, and the wall time of one pre-commit-style single-file run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from testdata.smki_pki import build, request, sign_request  # noqa: E402

BATCH = 1000


def make_corpus(out: Path, documents: int) -> tuple[Path, Path, list[Path]]:
    if out.exists():
        shutil.rmtree(out)
    pki = build(out / "pki")
    party = pki.parties["xmlsign-supplier"]
    corpus = out / "requests"
    corpus.mkdir()
    files = []
    for i in range(documents):
        path = corpus / f"{i:06d}.xml"
        path.write_bytes(sign_request(request(counter=i), party.key, party.cert))
        files.append(path)
    return pki.certs, pki.certs / "xmlsign-supplier.pem", files


def time_ssc(certs: Path, corpus: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ssc", "smki", "check-keys", "--jobs", "2",
                           "--certs", str(certs), str(corpus)], capture_output=True, text=True,
                          env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"ssc found something in a clean corpus:\n{proc.stdout[:2000]}")
    return elapsed


def time_xmlsec1(cert: Path, files: list[Path]) -> float:
    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]

    def verify(batch: list[Path]) -> int:
        return subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert),
                               *map(str, batch)], capture_output=True).returncode

    start = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(verify, batches))
    elapsed = time.perf_counter() - start
    if any(codes):
        raise SystemExit("xmlsec1 rejected part of the clean corpus")
    return elapsed


def ecdsa_verify_rate(seconds: float = 2.0) -> float:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    data = b"x" * 700
    signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        count += 200
    return count / (time.perf_counter() - start)


def single_file_wall(certs: Path, document: Path, runs: int = 7) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ssc", "smki", "check-keys", "--certs", str(certs),
                        str(document)], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "keysep")
    args = parser.parse_args()
    n = args.documents
    print(f"building {n} signed DUIS requests under {args.out} …", flush=True)
    certs, cert, files = make_corpus(args.out, n)
    size = sum(f.stat().st_size for f in files[:100]) / 100
    print(f"corpus: {n} requests, ~{size:.0f} bytes each; {os.cpu_count()} CPU(s)")
    xmlsec = time_xmlsec1(cert, files)
    ssc = time_ssc(certs, files[0].parent)
    limit = ecdsa_verify_rate()
    single = single_file_wall(certs, files[0])
    ssc_rate, xmlsec_rate = n / ssc, n / xmlsec
    cores = min(2, os.cpu_count() or 1)
    print(f"ssc smki check-keys (--jobs 2, whole CLI): {ssc_rate:8.0f} documents/s ({ssc:.2f} s)")
    print(f"xmlsec1 --verify (batches of {BATCH}, 2 procs): {xmlsec_rate:8.0f} documents/s "
          f"({xmlsec:.2f} s)")
    print(f"ECDSA P-256 verify, cryptography (limit):  {limit:8.0f} /s per core, "
          f"{limit * cores:.0f} /s on {cores} cores")
    print(f"ratio ssc / xmlsec1:                       {ssc_rate / xmlsec_rate:8.2f}x (aim >= 1.2x)")
    print(f"single file, one process (pre-commit):     {single * 1000:8.0f} ms wall (aim < 300 ms)")


if __name__ == "__main__":
    main()
