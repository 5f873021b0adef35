"""OCR throughput: the whole intake pipeline against raw tesseract on the same page images.

Usage: python bench/ocr_throughput.py [--pages N] [--processes P] [--sparse] [--json]

Makes N synthetic scanned A4 pages (300 dpi, Simplified and Traditional alternately, skew within
±2°, noise, blur, JPEG; ``tests/synthetic.py``). By default the pages are dense, as most pages of
a real folder are: a contract page of 1,000-1,500 characters at 10.5-12 pt (tesseract takes
2-3 s on one). ``--sparse`` uses the short sample records instead (300-400 characters at the top
of the sheet, under a second in tesseract), where fixed per-page costs weigh far more.

Each page is one JPEG file (one document). The benchmark times

* pipeline: ``dossier ingest DIR --household ... --wait`` in a fresh embedded archive: storing
  the encrypted signed originals, rasterising, preprocessing (orientation, deskew, contrast),
  script detection, OCR with words, text and PDF layer, previews, searchable PDFs, catalog;
* raw: the ``tesseract`` CLI on each page image, plain text out, default settings, one process
  per core, ``OMP_THREAD_LIMIT=1``, with the models the pipeline read that page with (the
  script the catalog recorded for the page, plus English where the pipeline's rule adds it:
  ``ingest.ocr.models_for``). Raw is told the script for free.

The pipeline runs first (raw needs its choice of models), then raw. Prints pages/min for both
and their ratio (target ≥ 0.9), and the CPU seconds per page each used (all their processes;
less sensitive than wall time to other work on the machine, blind to idle cores); ``--json``
prints one object ``{"pages", "dense", "raw_pages_per_min", "pipeline_pages_per_min", "ratio",
"script_mismatches", "raw_models", "raw_cpu_seconds_per_page", "pipeline_cpu_seconds_per_page",
"cpu_ratio"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOSSIER = str(Path(sys.executable).with_name("dossier"))


def make_page(args: tuple[int, str, bool]) -> tuple[str, str, float]:
    """(file, script, share of Latin letters among letters and ideographs) of page ``index``."""
    index, folder, dense = args
    from ingest._hanzi import is_cjk
    from tests.synthetic import bench_page

    image, truth, script = bench_page(index, dense=dense)
    path = Path(folder) / f"page-{index:04d}-{script}.jpg"
    image.save(path, "JPEG", quality=90, dpi=(300, 300))
    latin = sum(1 for ch in truth if ch.isascii() and ch.isalpha())
    cjk = sum(1 for ch in truth if is_cjk(ch))
    return str(path), script, latin / max(1, latin + cjk)


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes and their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def raw_tesseract(job: tuple[str, str]) -> None:
    path, models = job
    subprocess.run(
        ["tesseract", path, "-", "-l", models, "--dpi", "300"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--sparse", action="store_true", help="short records instead of dense contract pages")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from ingest.ocr import models_for

    with tempfile.TemporaryDirectory(prefix="dossier-throughput-") as tmp:
        scans = Path(tmp) / "scans"
        scans.mkdir()
        with ProcessPoolExecutor(args.processes) as pool:
            pages = list(pool.map(make_page, [(i, str(scans), not args.sparse) for i in range(args.pages)]))

        env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
        home = Path(tmp) / "home"
        env["DOSSIER_HOME"] = str(home)

        def dossier(*cmd: str) -> str:
            return subprocess.run([DOSSIER, *cmd], env=env, check=True, capture_output=True, text=True).stdout

        dossier("init", "--admin-password", "bench-password-1")
        dossier("household", "add", "A-3-1201")
        started, cpu_before = time.perf_counter(), children_cpu()
        run = subprocess.run(
            [
                DOSSIER,
                "ingest",
                str(scans),
                "--household",
                "A-3-1201",
                "--type",
                "contract",
                "--wait",
                "--processes",
                str(args.processes),
                "--json",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        pipeline_seconds = time.perf_counter() - started
        pipeline_cpu = children_cpu() - cpu_before
        try:
            report = json.loads(run.stdout)
        except json.JSONDecodeError:
            sys.exit(f"dossier ingest failed: {run.stderr.strip()[-500:]}")
        statuses = {d["status"] for d in report["documents"]}
        if statuses != {"indexed"}:
            sys.exit(f"the pipeline did not index every page: {sorted(statuses)}")

        with sqlite3.connect(home / "dossier.db") as db:
            chosen = dict(
                db.execute(
                    "SELECT d.original_name, p.language FROM pages p JOIN documents d ON d.id = p.document_id"
                )
            )
        jobs, mismatches = [], 0
        for path, script, latin_share in pages:
            language = chosen[Path(path).name]
            mismatches += language != ("chi_sim" if script == "simplified" else "chi_tra")
            jobs.append((path, models_for(language, "auto", latin_share)))

        started, cpu_before = time.perf_counter(), children_cpu()
        with ThreadPoolExecutor(args.processes) as pool:
            list(pool.map(raw_tesseract, jobs))
        raw_seconds = time.perf_counter() - started
        raw_cpu = children_cpu() - cpu_before

    raw_ppm = args.pages / raw_seconds * 60
    pipeline_ppm = args.pages / pipeline_seconds * 60
    models = sorted({m for _, m in jobs})
    result = {
        "pages": args.pages,
        "dense": not args.sparse,
        "raw_pages_per_min": round(raw_ppm, 1),
        "pipeline_pages_per_min": round(pipeline_ppm, 1),
        "ratio": round(pipeline_ppm / raw_ppm, 3),
        "script_mismatches": mismatches,
        "raw_models": models,
        "raw_cpu_seconds_per_page": round(raw_cpu / args.pages, 3),
        "pipeline_cpu_seconds_per_page": round(pipeline_cpu / args.pages, 3),
        "cpu_ratio": round(raw_cpu / pipeline_cpu, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        kind = "sparse (short records)" if args.sparse else "dense (contract pages)"
        print(f"{args.pages} synthetic A4 pages at 300 dpi, {kind}, {args.processes} processes")
        print(
            f"  raw tesseract   {raw_ppm:7.1f} pages/min  ({raw_seconds:.1f} s; models {', '.join(models)})"
        )
        print(f"  dossier ingest  {pipeline_ppm:7.1f} pages/min  ({pipeline_seconds:.1f} s)")
        print(f"  ratio           {pipeline_ppm / raw_ppm:7.3f}  (target >= 0.9)")
        print(
            f"  CPU per page    raw {raw_cpu / args.pages:.2f} s, pipeline {pipeline_cpu / args.pages:.2f} s "
            f"(ratio {raw_cpu / pipeline_cpu:.3f}; all processes, the CLI's start and intake included)"
        )
        if mismatches:
            print(f"  WARNING: the pipeline chose the wrong script on {mismatches} page(s)")


if __name__ == "__main__":
    main()
