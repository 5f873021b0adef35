"""Throughput and memory of the encrypted object path: Vault.put and Vault.open on a big stream.

Generates N MiB on the fly (nothing is held in memory or read from disk), stores it through the
Vault (AES-256-GCM chunks, SHA-256 and SM3 of the plaintext) and reads it back, checking the
digest. Prints MiB/s for put and get and the process's peak RSS.

    .venv/bin/python bench/storage_stream.py --mib 512
    .venv/bin/python bench/storage_stream.py --mib 256 --minio 127.0.0.1:9000 --json

MinIO credentials come from --access-key/--secret-key or DOSSIER_MINIO_ACCESS_KEY/SECRET_KEY.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import LocalStore, MasterKey, ObjectStore, Vault  # noqa: E402

MiB = 1 << 20


class GeneratedStream(io.RawIOBase):
    """``size`` bytes of a repeating pseudo-random pattern, produced as they are read."""

    _PERIOD = MiB + 7

    def __init__(self, size: int):
        super().__init__()
        pattern = random.Random(42).randbytes(self._PERIOD)
        self._pattern = pattern + pattern
        self._size = size
        self._position = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = MiB
        n = min(n, self._size - self._position, self._PERIOD)
        if n <= 0:
            return b""
        offset = self._position % self._PERIOD
        data = self._pattern[offset : offset + n]
        self._position += n
        self.sha256.update(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MiB if sys.platform == "darwin" else peak / 1024


def run(store: ObjectStore, name: str, mib: int) -> dict:
    store.ensure_ready()
    vault = Vault(store, MasterKey.generate())
    key = f"bench/{os.getpid()}-{int(time.time())}.enc"
    source = GeneratedStream(mib * MiB)
    try:
        started = time.perf_counter()
        stored = vault.put(key, source)
        put_seconds = time.perf_counter() - started

        digest = hashlib.sha256()
        started = time.perf_counter()
        with vault.open(key, stored.wrapped_key) as plain:
            while block := plain.read(MiB):
                digest.update(block)
        get_seconds = time.perf_counter() - started
    finally:
        vault.delete(key)
    if not (stored.sha256 == source.sha256.hexdigest() == digest.hexdigest()):
        raise SystemExit(f"{name}: the data read back differs from the data stored")
    return {
        "backend": name,
        "store": store.describe(),
        "mib": mib,
        "stored_bytes": stored.stored_size,
        "put_seconds": round(put_seconds, 3),
        "get_seconds": round(get_seconds, 3),
        "put_mib_per_s": round(mib / put_seconds, 1),
        "get_mib_per_s": round(mib / get_seconds, 1),
        "peak_rss_mib_so_far": round(peak_rss_mib(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512, help="size of the generated stream (default 512)")
    parser.add_argument("--dir", type=Path, help="folder for the local store (default: a temporary one)")
    parser.add_argument("--minio", metavar="ENDPOINT", help="also run against MinIO at host:port")
    parser.add_argument("--bucket", default="dossier-bench")
    parser.add_argument("--access-key", default=os.environ.get("DOSSIER_MINIO_ACCESS_KEY", "minioadmin"))
    parser.add_argument("--secret-key", default=os.environ.get("DOSSIER_MINIO_SECRET_KEY", "minioadmin"))
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    if args.mib <= 0:
        parser.error("--mib must be positive")

    baseline = peak_rss_mib()
    results = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="dossier-bench-") as folder:
        results.append(run(LocalStore(Path(folder) / "objects"), "local", args.mib))
    if args.minio:
        from storage.minio_store import MinioStore

        store = MinioStore(args.minio, args.access_key, args.secret_key, args.bucket)
        try:
            results.append(run(store, "minio", args.mib))
        finally:
            store.close()

    summary = {
        "mib": args.mib,
        "python": sys.version.split()[0],
        "baseline_rss_mib": round(baseline, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "results": results,
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"Vault round trip of {args.mib} MiB generated on the fly (AES-256-GCM, SHA-256 + SM3)")
    for r in results:
        print(
            f"  {r['backend']:<6} put {r['put_mib_per_s']:>7.1f} MiB/s ({r['put_seconds']:.2f} s)   "
            f"get {r['get_mib_per_s']:>7.1f} MiB/s ({r['get_seconds']:.2f} s)   [{r['store']}]"
        )
    print(
        f"  peak RSS {summary['peak_rss_mib']:.1f} MiB (after imports: {summary['baseline_rss_mib']:.1f} MiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
