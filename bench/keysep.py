"""Benchmark of ``ssc smki check-keys``: documents/s against xmlsec1 and the ECDSA-verify limit.

Usage: ``python bench/keysep.py [--documents 20000] [--rounds 3] [--out bench/out/keysep]``.
Prints ssc's throughput over a directory of signed DUIS requests (both cores), ``xmlsec1
--verify`` over the same files (batched, two processes) measured back to back with it in each
round (alternating which goes first), the ratio per round, the raw ECDSA P-256 verify rate as
the limit (cryptography and ``openssl speed``), and the wall time of a pre-commit-style
single-file run (min of several). CPU seconds are shown beside wall times: on a shared machine
they say what the work costs when the wall clock says what else was running.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_ssc(certs: Path, corpus: Path, documents: int) -> tuple[float, float]:
    """Wall and CPU seconds of the whole CLI over the corpus, two jobs."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.run([sys.executable, "-m", "ssc", "smki", "check-keys", "--jobs", "2",
                           "--certs", str(certs), str(corpus)], capture_output=True, text=True,
                          env=env)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"ssc found something in a clean corpus:\n{proc.stdout[:2000]}")
    if f"{documents} document(s), {documents} signature(s)" not in proc.stderr:
        raise SystemExit(f"ssc did not check every document: {proc.stderr}")
    return elapsed, cpu


def time_xmlsec1(cert: Path, files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of ``xmlsec1 --verify`` over the files: batches, two at a time."""
    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]

    def verify(batch: list[Path]) -> int:
        return subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert),
                               *map(str, batch)], capture_output=True).returncode

    start, cpu = time.perf_counter(), _children_cpu()
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(verify, batches))
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if any(codes):
        raise SystemExit("xmlsec1 rejected part of the clean corpus")
    return elapsed, cpu


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


def openssl_verify_rate() -> float | None:
    """``openssl speed -seconds 3 ecdsap256``: verifies per second on one core."""
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "ecdsap256"],
                         capture_output=True, text=True).stdout
    match = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+\S+\s+(\S+)", out)
    return float(match.group(1)) if match else None


def single_file_wall(certs: Path, document: Path, cache: Path | None, runs: int = 7) -> list[float]:
    """Wall seconds of one-file runs; with ``cache``, bytecode cached there (as an installed hook)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    command = [sys.executable, "-m", "ssc", "smki", "check-keys", "--certs", str(certs),
               str(document)]
    if cache is not None:
        subprocess.run(command, check=True, capture_output=True, env=env)  # writes the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="ssc and xmlsec1 back to back this many times (default 3)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "keysep")
    args = parser.parse_args()
    n = args.documents
    print(f"building {n} signed DUIS requests under {args.out} …", flush=True)
    certs, cert, files = make_corpus(args.out, n)
    size = sum(f.stat().st_size for f in files[:100]) / 100
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"corpus: {n} requests, ~{size:.0f} bytes each; {cpus} CPU(s); "
          f"load average {os.getloadavg()[0]:.2f}")
    rounds: list[tuple[float, float]] = []
    cpu_ratios: list[float] = []
    for i in range(args.rounds):
        # Alternate which goes first, so that neither always gets the quieter moment.
        if i % 2:
            ssc, xmlsec = time_ssc(certs, files[0].parent, n), time_xmlsec1(cert, files)
        else:
            xmlsec, ssc = time_xmlsec1(cert, files), time_ssc(certs, files[0].parent, n)
        rounds.append((n / ssc[0], n / xmlsec[0]))
        cpu_ratios.append(xmlsec[1] / ssc[1])
        print(f"round {i + 1}: ssc {n / ssc[0]:6.0f}/s ({ssc[0]:.2f} s wall, {n / ssc[1]:.0f} "
              f"docs per CPU-second)   xmlsec1 {n / xmlsec[0]:6.0f}/s ({xmlsec[0]:.2f} s wall, "
              f"{n / xmlsec[1]:.0f} per CPU-second)   ratio {xmlsec[0] / ssc[0]:.2f}x", flush=True)
    limit = ecdsa_verify_rate()
    openssl = openssl_verify_rate()
    cold = single_file_wall(certs, files[0], None)
    with tempfile.TemporaryDirectory() as cache:
        warm = single_file_wall(certs, files[0], Path(cache))
    ratios = [s / x for s, x in rounds]
    best = max(range(len(rounds)), key=lambda i: ratios[i])
    cores = min(2, cpus or 1)
    print()
    print(f"ssc smki check-keys (--jobs 2, whole CLI): {max(s for s, _ in rounds):8.0f} documents/s "
          f"best (spread {min(s for s, _ in rounds):.0f}-{max(s for s, _ in rounds):.0f})")
    print(f"xmlsec1 --verify (batches of {BATCH}, 2 procs): {max(x for _, x in rounds):8.0f} "
          f"documents/s best (spread {min(x for _, x in rounds):.0f}-"
          f"{max(x for _, x in rounds):.0f})")
    print(f"ECDSA P-256 verify, cryptography (limit):  {limit:8.0f} /s per core, "
          f"{limit * cores:.0f} /s on {cores} cores")
    if openssl:
        print(f"ECDSA P-256 verify, openssl speed:         {openssl:8.0f} /s per core")
    print(f"ratio ssc / xmlsec1, same round:           {ratios[best]:8.2f}x best, "
          f"{statistics.median(ratios):.2f}x median, {min(ratios):.2f}x worst (aim >= 1.2x)")
    print(f"ratio in CPU-seconds (load-independent):   {statistics.median(cpu_ratios):8.2f}x median "
          f"(spread {min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}x)")
    print(f"single file, one process (pre-commit):     {min(warm) * 1000:8.0f} ms wall min "
          f"(median {statistics.median(warm) * 1000:.0f}) with a bytecode cache, "
          f"{min(cold) * 1000:.0f} ms without (aim < 300 ms)")


if __name__ == "__main__":
    main()
