"""Peak memory of ingesting one long scanned PDF (target: under 500 MB for 500 pages).

Usage: python bench/ingest_memory.py [--pages 500] [--processes P] [--json]

Builds a PDF of N scanned A4 pages at 300 dpi (each a short line of Chinese text, so that OCR is
quick: memory is driven by page rasters, not by how much text a page holds), then runs
``dossier ingest FILE --wait`` in a fresh embedded archive and samples the memory of the whole
process tree (the command, its forked worker processes, and any tool they run) every 50 ms.

The figure that counts is the PSS (proportional set size) summed over the tree: each page
shared between processes (the interpreter and libraries a forked worker inherits, loaded OCR
models) counts once, split between its sharers, so the sum is what the tree really occupies.
Summed RSS counts every shared page once per process and overstates a forked tree; it is
reported beside it, with the largest single process's RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOSSIER = str(Path(sys.executable).with_name("dossier"))
CHUNK = 25


def build_pdf(pages: int, folder: Path) -> Path:
    """Pages are rendered CHUNK at a time and joined with qpdf, so building stays small too."""
    from tests.synthetic import make_pdf, render_page

    parts = []
    for start in range(0, pages, CHUNK):
        images = [
            render_page(
                f"第{n + 1}页 装修档案 A-3-1201 押金收据", paper="A4", dpi=300, font_pt=14, noise=4, seed=n
            )
            for n in range(start, min(pages, start + CHUNK))
        ]
        parts.append(make_pdf(images, folder / f"part-{start:05d}.pdf", dpi=300))
    out = folder / "long.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, parts), "--", str(out)], check=True)
    for part in parts:
        part.unlink()
    return out


def tree_memory(root: psutil.Process) -> tuple[int, int, int, list[tuple[str, int]]]:
    """(summed PSS, summed RSS, largest RSS, [(process, PSS)]) of ``root`` and its
    descendants, in bytes."""
    pss = rss = largest = 0
    parts: list[tuple[str, int]] = []
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0, []
    for process in processes:
        try:
            info = process.memory_full_info()  # reads /proc/PID/smaps_rollup
            name = "main" if process.pid == root.pid else process.name()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        pss += info.pss
        rss += info.rss
        largest = max(largest, info.rss)
        parts.append((name, info.pss))
    return pss, rss, largest, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dossier-memory-") as tmp:
        pdf = build_pdf(args.pages, Path(tmp))
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
        env["DOSSIER_HOME"] = str(Path(tmp) / "home")
        subprocess.run(
            [DOSSIER, "init", "--admin-password", "bench-password-1"],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run([DOSSIER, "household", "add", "A-3-1201"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                DOSSIER,
                "ingest",
                str(pdf),
                "--household",
                "A-3-1201",
                "--type",
                "renovation",
                "--wait",
                "--processes",
                str(args.processes),
                "--json",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        root = psutil.Process(proc.pid)
        peak = {"pss": 0, "rss": 0, "largest": 0, "parts": []}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                pss, rss, largest, parts = tree_memory(root)
                if pss > peak["pss"]:
                    peak["parts"] = parts
                peak["pss"] = max(peak["pss"], pss)
                peak["rss"] = max(peak["rss"], rss)
                peak["largest"] = max(peak["largest"], largest)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, err = proc.communicate()
        done.set()
        sampler.join()
        seconds = time.perf_counter() - started
        report = json.loads(out)
        document = report["documents"][0]
        if document["status"] != "indexed" or document["pages"] != args.pages:
            sys.exit(f"ingest did not finish: {document} {err.strip()[-300:]}")

    result = {
        "pages": args.pages,
        "peak_pss_mb": round(peak["pss"] / 2**20, 1),
        "peak_rss_mb": round(peak["rss"] / 2**20, 1),
        "peak_single_process_mb": round(peak["largest"] / 2**20, 1),
        "seconds": round(seconds, 1),
        "at_peak_pss_mb": [[name, round(value / 2**20, 1)] for name, value in peak["parts"]],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"ingest of a {args.pages}-page scanned PDF (A4, 300 dpi), {args.processes} processes")
        print(f"  peak PSS of the process tree  {result['peak_pss_mb']:7.1f} MB  (target < 500 MB)")
        print(
            f"  peak RSS of the tree, summed  {result['peak_rss_mb']:7.1f} MB  (counts shared pages per process)"
        )
        print(f"  peak RSS of one process       {result['peak_single_process_mb']:7.1f} MB")
        print(f"  time                          {seconds:7.1f} s")
        print(
            "  at the PSS peak: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in result["at_peak_pss_mb"])
        )


if __name__ == "__main__":
    main()
