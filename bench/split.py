"""Cover-sheet detection on a scanned stack, against the OCR time of the same stack.

Usage: python bench/split.py [--pages N] [--sample S] [--tiff] [--json]

Makes a synthetic stack of N pages (default 200) in which every fifth page is a cover sheet
(40 in 200), each followed by four dense contract pages (``tests.synthetic.bench_page``: A4,
300 dpi, 1,000-1,500 characters, skew, noise, blur, JPEG). The sheets are drawn by
``dossier.services.coversheets`` and scanned the same way: every third one upside down, all
skewed by up to ±3°, blurred, noisy and JPEG-compressed. The stack is one PDF (``--tiff``: one
multi-page TIFF).

Times ``ingest.separate.detect_pages`` over the whole stack (rendering every page small, reading
QR codes, measuring bars and ink: everything the split needs before OCR, in one process) and
counts the sheets found. The OCR time is *estimated*: S content pages (default 6) taken from the
stack are read exactly as the pipeline reads a page (``ingest.pipeline.read_page``: preprocess,
script detection, OCR with words and PDF layer, preview; in this process, one page at a time),
and the mean time per page is multiplied by the number of content pages (OCR never runs on the
sheets). Target: every sheet found, detection under 5 % of the OCR time.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVERY = 5  # one sheet, then four content pages


def make_page(job: tuple[int, str, bytes]) -> str:
    """Page ``index`` of the stack as a PGM file in ``folder``."""
    index, folder, key = job
    from PIL import Image

    from dossier.services.coversheets import SheetFacts, draw_sheet
    from tests.synthetic import bench_page, degrade

    if index % EVERY == 0:
        number = index // EVERY
        facts = SheetFacts(
            "DEFAULT", f"A-{number % 30 + 1}-{1201 + number}", "renovation", title=f"装修申请 {number}"
        )
        image = draw_sheet(
            facts, community_name="翠湖花园", archive_no=f"CH-R-{number:04d}", type_name="装修档案", key=key
        ).convert("L")
        skew = ((number * 7) % 13 - 6) / 2.0  # -3.0 .. +3.0 degrees
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        if number % 3 == 0:
            image = image.rotate(180)
        image = degrade(image, noise=6, blur=0.8, jpeg_quality=80, seed=index)
    else:
        image, _, _ = bench_page(index, dense=True)
    path = Path(folder) / f"page-{index:04d}.pgm"
    Image.frombytes("L", image.size, image.convert("L").tobytes()).save(path)
    return str(path)


def build_stack(pages: int, folder: Path, key: bytes, tiff: bool, processes: int) -> tuple[Path, list[str]]:
    from PIL import Image

    with ProcessPoolExecutor(processes) as pool:
        paths = list(pool.map(make_page, [(i, str(folder), key) for i in range(pages)]))
    images = [Image.open(p) for p in paths]
    if tiff:
        out = folder / "stack.tif"
        images[0].save(
            out, "TIFF", save_all=True, append_images=images[1:], dpi=(300, 300), compression="tiff_lzw"
        )
    else:
        out = folder / "stack.pdf"
        images[0].save(out, "PDF", resolution=300.0, save_all=True, append_images=images[1:])
    return out, paths


def estimate_ocr(paths: list[str], sample: int, workdir: Path) -> float:
    """Seconds per content page, as the pipeline reads one (mean over ``sample`` pages)."""
    from PIL import Image

    from ingest.pipeline import read_page
    from ingest.rasterise import PageImage

    content = [p for i, p in enumerate(paths) if i % EVERY != 0]
    step = max(1, len(content) // sample)
    chosen = content[::step][:sample]
    seconds = 0.0
    for index, path in enumerate(chosen):
        copy = workdir / f"ocr-{index}.pgm"
        copy.write_bytes(Path(path).read_bytes())
        with Image.open(copy) as image:
            size = image.size
        started = time.perf_counter()
        read_page(PageImage(index + 1, copy, 300.0, 300, *size), workdir)
        seconds += time.perf_counter() - started
    return seconds / len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--sample", type=int, default=6, help="content pages OCR'd to estimate the OCR time")
    parser.add_argument("--tiff", action="store_true", help="a multi-page TIFF stack instead of a PDF")
    parser.add_argument(
        "--processes",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="processes for drawing the synthetic pages (not for the timings)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from ingest.detect import detect
    from ingest.separate import detect_pages

    key = secrets.token_bytes(32)
    with tempfile.TemporaryDirectory(prefix="dossier-split-bench-") as tmp:
        folder = Path(tmp)
        stack, paths = build_stack(args.pages, folder, key, args.tiff, args.processes)
        started = time.perf_counter()
        detection = detect_pages(stack, detect(stack), key, workdir=folder)
        detect_seconds = time.perf_counter() - started
        found = sum(1 for p in detection.pages if p.kind == "sheet")
        misread = [p.number for p in detection.pages if (p.kind == "sheet") != ((p.number - 1) % EVERY == 0)]
        ocr_per_page = estimate_ocr(paths, args.sample, folder)

    sheets = len(range(0, args.pages, EVERY))
    content_pages = args.pages - sheets
    ocr_seconds = ocr_per_page * content_pages
    result = {
        "pages": args.pages,
        "format": "tiff" if args.tiff else "pdf",
        "sheets": sheets,
        "found": found,
        "wrong_pages": misread,
        "full_resolution_reads": detection.full_resolution_reads,
        "detect_seconds": round(detect_seconds, 2),
        "detect_ms_per_page": round(1000 * detect_seconds / args.pages, 1),
        "ocr_seconds_per_page": round(ocr_per_page, 2),
        "ocr_sample": args.sample,
        "ocr_seconds_estimated": round(ocr_seconds, 1),
        "detect_share_of_ocr": round(detect_seconds / ocr_seconds, 4),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.pages}-page {result['format'].upper()} stack, {sheets} cover sheets, {content_pages} content pages"
    )
    print(
        f"  detection        {detect_seconds:7.1f} s  ({result['detect_ms_per_page']} ms/page, one process; "
        f"{detection.full_resolution_reads} page(s) read again at full resolution)"
    )
    print(f"  sheets found     {found:7d} of {sheets}" + (f"  WRONG at pages {misread}" if misread else ""))
    print(
        f"  OCR (estimated)  {ocr_seconds:7.1f} s  ({ocr_per_page:.2f} s/page as the pipeline reads a page, "
        f"mean of {args.sample} content pages, times {content_pages} content pages)"
    )
    print(f"  detection / OCR  {100 * detect_seconds / ocr_seconds:7.2f} %  (target < 5 %)")


if __name__ == "__main__":
    main()
