"""OCR quality on synthetic scans: our pipeline against plain ``tesseract -l chi_sim``.

Usage: python bench/ocr_quality.py [--pages N] [--json] [--seed S] [--english auto|always|never]
                                  [--png] [--psm N] [--dense]

Half the pages are Simplified, half Traditional; each is an A4 page at 300 dpi rendered from the
sample property-management texts in ``tests/synthetic.py`` (``--dense``: the contract pages of
1,000-1,500 characters the throughput benchmark uses), skewed at random within +/-2
degrees, with gaussian noise, a slight blur and a JPEG round-trip. For every page the benchmark
runs

* baseline: ``tesseract page.png - -l chi_sim`` on the degraded page, as a naive integration
  would;
* ours: ``prepare_for_ocr`` then ``ocr_page`` (script detection, one run with the chosen
  model, text clean-up).

CER is edit distance over reference length with whitespace ignored, summed over pages (so long
pages weigh more); "nfkc" folds full-width/half-width variants first. Two worker processes,
each tesseract single-threaded (OMP_THREAD_LIMIT=1), as in production on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["OMP_THREAD_LIMIT"] = "1"


def _edits(reference: str, hypothesis: str, nfkc: bool) -> tuple[int, int]:
    from tests.synthetic import cer

    ref_len = len("".join(reference.split()))
    return round(cer(reference, hypothesis, nfkc=nfkc) * ref_len), ref_len


def run_page(args: tuple[int, int, bool | str, str, int, bool]) -> dict:
    index, seed, english, pdf_image, psm, dense = args
    from ingest._tools import run_tool
    from ingest.ocr import ocr_page
    from ingest.preprocess import prepare_for_ocr
    from tests.synthetic import bench_page, save_page

    image, truth, script = bench_page(index, seed=seed, dense=dense)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        page = save_page(image, Path(tmp) / "page.png")

        started = time.perf_counter()
        raw = run_tool(["tesseract", page, "-", "-l", "chi_sim", "--dpi", "300"]).stdout.decode(
            "utf-8", "replace"
        )
        baseline_seconds = time.perf_counter() - started

        started = time.perf_counter()
        prepared = prepare_for_ocr(page, keep_image=True)
        prepare_seconds = time.perf_counter() - started
        result = ocr_page(prepared, Path(tmp) / "page.pdf", english=english, pdf_image=pdf_image, psm=psm)
        ours_seconds = time.perf_counter() - started
        pdf_bytes = result.pdf_path.stat().st_size

    row = {
        "page": index,
        "script": script,
        "language": result.language,
        "script_method": result.script.method,
        "skew_found": prepared.skew_degrees,
        "confidence": result.confidence,
        "baseline_seconds": round(baseline_seconds, 2),
        "prepare_seconds": round(prepare_seconds, 2),
        "ours_seconds": round(ours_seconds, 2),
        "pdf_bytes": pdf_bytes,
    }
    for name, text in (("baseline", raw), ("ours", result.text)):
        for nfkc in (False, True):
            edits, length = _edits(truth, text, nfkc)
            key = f"{name}_{'nfkc_' if nfkc else ''}"
            row[key + "edits"] = edits
            row["chars"] = length
    return row


def summarise(rows: list[dict]) -> dict:
    def rate(subset: list[dict], key: str) -> float:
        chars = sum(r["chars"] for r in subset)
        return round(sum(r[key] for r in subset) / chars, 4) if chars else 0.0

    summary: dict = {"pages": len(rows)}
    groups = {"overall": rows}
    for script in ("simplified", "traditional"):
        groups[script] = [r for r in rows if r["script"] == script]
    for name, subset in groups.items():
        if not subset:
            continue
        summary[name] = {
            "pages": len(subset),
            "chars": sum(r["chars"] for r in subset),
            "baseline_cer": rate(subset, "baseline_edits"),
            "ours_cer": rate(subset, "ours_edits"),
            "baseline_cer_nfkc": rate(subset, "baseline_nfkc_edits"),
            "ours_cer_nfkc": rate(subset, "ours_nfkc_edits"),
            "script_correct": sum(
                1
                for r in subset
                if r["language"] == ("chi_sim" if r["script"] == "simplified" else "chi_tra")
            ),
            "baseline_seconds_per_page": round(sum(r["baseline_seconds"] for r in subset) / len(subset), 2),
            "ours_seconds_per_page": round(sum(r["ours_seconds"] for r in subset) / len(subset), 2),
        }
    summary["mean_pdf_kib_per_page"] = round(sum(r["pdf_bytes"] for r in rows) / len(rows) / 1024)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="number of pages (half per script)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--english",
        choices=["auto", "always", "never"],
        default="auto",
        help="when Chinese pages also get the English model (default: auto)",
    )
    parser.add_argument("--png", action="store_true", help="give tesseract the lossless PNG, not a JPEG")
    parser.add_argument("--psm", type=int, default=6, help="tesseract page segmentation mode for ours")
    parser.add_argument("--dense", action="store_true", help="dense contract pages instead of short records")
    args = parser.parse_args(argv)

    jobs = [
        (
            i,
            args.seed,
            {"auto": "auto", "always": True, "never": False}[args.english],
            "png" if args.png else "jpeg",
            args.psm,
            args.dense,
        )
        for i in range(args.pages)
    ]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(run_page, jobs))
    summary = summarise(rows)
    summary["wall_seconds"] = round(time.perf_counter() - started, 1)
    summary["workers"] = args.workers

    if args.json:
        print(json.dumps({"summary": summary, "pages": rows}, ensure_ascii=False))
        return 0
    print(
        f"{summary['pages']} synthetic A4 pages at 300 dpi, skew within ±2°, noise, blur, JPEG; "
        f"{args.workers} workers, {summary['wall_seconds']} s wall"
    )
    print(
        f"{'':12} {'pages':>5} {'chars':>6} {'baseline CER':>13} {'ours CER':>9} "
        f"{'(nfkc) base':>12} {'ours':>6} {'script ok':>9} {'s/page base':>11} {'ours':>5}"
    )
    for name in ("overall", "simplified", "traditional"):
        if name not in summary:
            continue
        s = summary[name]
        print(
            f"{name:12} {s['pages']:>5} {s['chars']:>6} {s['baseline_cer']:>13.2%} {s['ours_cer']:>9.2%} "
            f"{s['baseline_cer_nfkc']:>12.2%} {s['ours_cer_nfkc']:>6.2%} {s['script_correct']:>6}/{s['pages']:<2} "
            f"{s['baseline_seconds_per_page']:>11.2f} {s['ours_seconds_per_page']:>5.2f}"
        )
    print(f"searchable PDF: {summary['mean_pdf_kib_per_page']} KiB per page")
    for r in rows:
        print(
            f"  page {r['page']:>2} {r['script']:<11} -> {r['language']:<7} ({r['script_method']}) "
            f"skew {r['skew_found']:+.2f}°  conf {r['confidence']:.1f}  "
            f"CER base {r['baseline_edits'] / r['chars']:.2%} ours {r['ours_edits'] / r['chars']:.2%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
