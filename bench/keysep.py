"""Benchmark of ``ssc smki check-keys``: documents/s against xmlsec1 and the ECDSA-verify limit.

Usage: ``python bench/keysep.py [--documents 20000] [--rounds 3] [--signatures 3200]
[--pem-blocks 50000] [--big-mb 200] [--out bench/out/keysep]``.
Prints ssc's throughput over a directory of signed DUIS requests (both cores), ``xmlsec1
--verify`` over the same files (batched, two processes) measured back to back with it in each
round (alternating which goes first), the ratio per round, the raw ECDSA P-256 verify rate as
the limit (cryptography and ``openssl speed``), and the wall time of a pre-commit-style
single-file run (min of several). CPU seconds are shown beside wall times: on a shared machine
they say what the work costs when the wall clock says what else was running.

Then the hostile inputs, each a whole ``ssc smki check-keys`` process with its wall time, CPU
time and peak memory (``ru_maxrss`` of that child, from ``os.wait4``), at the full size and at a
quarter of it (the ratio is ~4 when the cost is linear, ~16 when quadratic): a document with
``--signatures`` copies of its signature, a PEM bundle of ``--pem-blocks`` certificates, and a
``--big-mb`` document (refused by size, unread: memory stays flat).
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
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ssc",
            "smki",
            "check-keys",
            "--jobs",
            "2",
            "--certs",
            str(certs),
            str(corpus),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if proc.returncode != 0:
        raise SystemExit(f"ssc found something in a clean corpus:\n{proc.stdout[:2000]}")
    if f"{documents} document(s), {documents} signature(s)" not in proc.stderr:
        raise SystemExit(f"ssc did not check every document: {proc.stderr}")
    return elapsed, cpu


def time_xmlsec1(cert: Path, files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of ``xmlsec1 --verify`` over the files: batches, two at a time."""
    batches = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]

    def verify(batch: list[Path]) -> int:
        return subprocess.run(
            ["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert), *map(str, batch)],
            capture_output=True,
        ).returncode

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
    out = subprocess.run(
        ["openssl", "speed", "-seconds", "3", "ecdsap256"], capture_output=True, text=True
    ).stdout
    match = re.search(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+\S+\s+(\S+)", out)
    return float(match.group(1)) if match else None


def single_file_wall(certs: Path, document: Path, cache: Path | None, runs: int = 7) -> list[float]:
    """Wall seconds of one-file runs; with ``cache``, bytecode cached there (as an installed hook)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    command = [
        sys.executable,
        "-m",
        "ssc",
        "smki",
        "check-keys",
        "--certs",
        str(certs),
        str(document),
    ]
    if cache is not None:
        subprocess.run(command, check=True, capture_output=True, env=env)  # writes the cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def run_child(command: list[str]) -> tuple[float, float, float, int, str]:
    """Wall s, CPU s, peak RSS MB, exit status and stderr of one child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, stderr


def hostile_inputs(
    out: Path, certs: Path, clean: Path, signatures: int, blocks: int, big_mb: int
) -> list[tuple[str, str, int, Path, list[str]]]:
    """(kind, label, size, file, check-keys arguments) of each hostile input, full and a quarter."""
    data = clean.read_bytes()
    signature = data[data.index(b"<ds:Signature") : data.index(b"</ds:Signature>") + 15]
    pem = (certs / "supplier-ds.pem").read_bytes()
    made = []
    for scale in (4, 1):
        n = max(1, signatures // scale)
        many = out / f"signatures-{n}.xml"
        many.write_bytes(data.replace(b"</sr:Request>", signature * n + b"</sr:Request>"))
        made.append(
            (
                "signatures",
                f"document with {n + 1:,} signatures",
                n,
                many,
                ["--certs", str(certs), str(many)],
            )
        )
        b = max(1, blocks // scale)
        bundle = out / f"bundle-{b}.pem"
        bundle.write_bytes(pem * b)
        made.append(
            (
                "PEM blocks",
                f"PEM bundle of {b:,} blocks",
                b,
                bundle,
                ["--certs", str(certs), "--certs", str(bundle), str(clean)],
            )
        )
        mb = max(1, big_mb // scale)
        big = out / f"big-{mb}mb.xml"
        with open(big, "wb") as handle:
            handle.write(data.split(b"<sr:Body>")[0] + b"<sr:Body>")
            chunk = b"<sr:Note>" + b"x" * 1000 + b"</sr:Note>\n"
            for _ in range(mb * 1024 * 1024 // len(chunk)):
                handle.write(chunk)
            handle.write(b"</sr:Body></sr:Request>\n")
        made.append(("MB", f"{mb} MB document", mb, big, ["--certs", str(certs), str(big)]))
    return made


def report_hostile(out: Path, certs: Path, clean: Path, args: argparse.Namespace) -> None:
    inputs = hostile_inputs(out, certs, clean, args.signatures, args.pem_blocks, args.big_mb)
    print()
    print("hostile inputs, whole process each (wall s, CPU s, peak RSS MB):")
    results = {}
    for kind, label, size, _, arguments in inputs:
        wall, cpu, rss, status, stderr = run_child(
            [sys.executable, "-m", "ssc", "smki", "check-keys", *arguments]
        )
        if status not in (0, 1):
            raise SystemExit(f"{label}: exit {status}\n{stderr[-2000:]}")
        results.setdefault(kind, []).append((size, cpu))
        print(f"  {label:34s} {wall:7.2f} s wall {cpu:7.2f} s CPU {rss:7.0f} MB  exit {status}")
    for kind, pair in results.items():
        (small, small_cpu), (large, large_cpu) = sorted(pair)
        print(
            f"  {kind}: {large / small:.0f}x the input, {large_cpu / max(small_cpu, 1e-3):.1f}x "
            "the CPU (linear: at most that factor, start-up included; quadratic: its square)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="ssc and xmlsec1 back to back this many times (default 3)",
    )
    parser.add_argument(
        "--signatures",
        type=int,
        default=3200,
        help="copies of the signature in the many-signatures document",
    )
    parser.add_argument(
        "--pem-blocks", type=int, default=50_000, help="certificates in the large PEM bundle"
    )
    parser.add_argument("--big-mb", type=int, default=200, help="size of the large document")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "keysep")
    args = parser.parse_args()
    n = args.documents
    print(f"building {n} signed DUIS requests under {args.out} …", flush=True)
    certs, cert, files = make_corpus(args.out, n)
    size = sum(f.stat().st_size for f in files[:100]) / 100
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"corpus: {n} requests, ~{size:.0f} bytes each; {cpus} CPU(s); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
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
        print(
            f"round {i + 1}: ssc {n / ssc[0]:6.0f}/s ({ssc[0]:.2f} s wall, {n / ssc[1]:.0f} "
            f"docs per CPU-second)   xmlsec1 {n / xmlsec[0]:6.0f}/s ({xmlsec[0]:.2f} s wall, "
            f"{n / xmlsec[1]:.0f} per CPU-second)   ratio {xmlsec[0] / ssc[0]:.2f}x",
            flush=True,
        )
    limit = ecdsa_verify_rate()
    openssl = openssl_verify_rate()
    cold = single_file_wall(certs, files[0], None)
    with tempfile.TemporaryDirectory() as cache:
        warm = single_file_wall(certs, files[0], Path(cache))
    ratios = [s / x for s, x in rounds]
    best = max(range(len(rounds)), key=lambda i: ratios[i])
    cores = min(2, cpus or 1)
    print()
    print(
        f"ssc smki check-keys (--jobs 2, whole CLI): {max(s for s, _ in rounds):8.0f} documents/s "
        f"best (spread {min(s for s, _ in rounds):.0f}-{max(s for s, _ in rounds):.0f})"
    )
    print(
        f"xmlsec1 --verify (batches of {BATCH}, 2 procs): {max(x for _, x in rounds):8.0f} "
        f"documents/s best (spread {min(x for _, x in rounds):.0f}-"
        f"{max(x for _, x in rounds):.0f})"
    )
    print(
        f"ECDSA P-256 verify, cryptography (limit):  {limit:8.0f} /s per core, "
        f"{limit * cores:.0f} /s on {cores} cores"
    )
    if openssl:
        print(f"ECDSA P-256 verify, openssl speed:         {openssl:8.0f} /s per core")
    print(
        f"ratio ssc / xmlsec1, same round:           {ratios[best]:8.2f}x best, "
        f"{statistics.median(ratios):.2f}x median, {min(ratios):.2f}x worst (aim >= 1.2x)"
    )
    print(
        f"ratio in CPU-seconds (load-independent):   {statistics.median(cpu_ratios):8.2f}x median "
        f"(spread {min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}x)"
    )
    print(
        f"single file, one process (pre-commit):     {min(warm) * 1000:8.0f} ms wall min "
        f"(median {statistics.median(warm) * 1000:.0f}) with a bytecode cache, "
        f"{min(cold) * 1000:.0f} ms without (aim < 300 ms)"
    )
    report_hostile(args.out, certs, files[0], args)


if __name__ == "__main__":
    main()
