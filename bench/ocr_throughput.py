"""OCR throughput: the whole intake pipeline against raw tesseract on the same page images.

Usage: python bench/ocr_throughput.py [--pages N] [--processes P] [--json]

Makes N synthetic scanned A4 pages (300 dpi, Simplified and Traditional alternately, skew within
±2°, noise, blur, JPEG; ``tests/synthetic.py``) and times

* raw: the ``tesseract`` CLI on each page image, plain text out, one process per core,
  ``OMP_THREAD_LIMIT=1``, with the model that fits the page (``chi_sim+eng`` or ``chi_tra+eng``,
  which is what the pipeline ends up choosing; raw is told the script for free);
* pipeline: ``dossier ingest DIR --household ... --wait`` in a fresh embedded archive: storing
  the encrypted signed originals, rasterising, preprocessing (orientation, deskew, contrast),
  script detection, OCR with words, text and PDF layer, previews, searchable PDFs, catalog.

Prints pages/min for both and their ratio (target ≥ 0.9); ``--json`` prints one object
``{"pages", "raw_pages_per_min", "pipeline_pages_per_min", "ratio"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOSSIER = str(Path(sys.executable).with_name("dossier"))


def make_page(args: tuple[int, str]) -> str:
    index, folder = args
    from tests.synthetic import bench_page

    image, _, script = bench_page(index)
    path = Path(folder) / f"page-{index:04d}-{script}.jpg"
    image.save(path, "JPEG", quality=90, dpi=(300, 300))
    return str(path)


def raw_tesseract(path: str) -> None:
    model = "chi_tra+eng" if "traditional" in path else "chi_sim+eng"
    subprocess.run(["tesseract", path, "-", "-l", model, "--dpi", "300"], check=True,
                   capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dossier-throughput-") as tmp:
        scans = Path(tmp) / "scans"
        scans.mkdir()
        with ProcessPoolExecutor(args.processes) as pool:
            pages = list(pool.map(make_page, [(i, str(scans)) for i in range(args.pages)]))

        started = time.perf_counter()
        with ThreadPoolExecutor(args.processes) as pool:
            list(pool.map(raw_tesseract, pages))
        raw_seconds = time.perf_counter() - started

        env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
        env["DOSSIER_HOME"] = str(Path(tmp) / "home")

        def dossier(*cmd: str) -> str:
            return subprocess.run([DOSSIER, *cmd], env=env, check=True, capture_output=True, text=True).stdout

        dossier("init", "--admin-password", "bench-password-1")
        dossier("household", "add", "A-3-1201")
        started = time.perf_counter()
        report = json.loads(subprocess.run(
            [DOSSIER, "ingest", str(scans), "--household", "A-3-1201", "--type", "contract", "--wait",
             "--processes", str(args.processes), "--json"], env=env, capture_output=True, text=True).stdout)
        pipeline_seconds = time.perf_counter() - started
        statuses = {d["status"] for d in report["documents"]}
        if statuses != {"indexed"}:
            sys.exit(f"the pipeline did not index every page: {sorted(statuses)}")

    raw_ppm = args.pages / raw_seconds * 60
    pipeline_ppm = args.pages / pipeline_seconds * 60
    result = {"pages": args.pages, "raw_pages_per_min": round(raw_ppm, 1),
              "pipeline_pages_per_min": round(pipeline_ppm, 1), "ratio": round(pipeline_ppm / raw_ppm, 3)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.pages} synthetic A4 pages at 300 dpi, {args.processes} processes")
        print(f"  raw tesseract   {raw_ppm:7.1f} pages/min  ({raw_seconds:.1f} s)")
        print(f"  dossier ingest  {pipeline_ppm:7.1f} pages/min  ({pipeline_seconds:.1f} s)")
        print(f"  ratio           {pipeline_ppm / raw_ppm:7.3f}  (target >= 0.9)")


if __name__ == "__main__":
    main()
