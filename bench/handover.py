"""What a handover (移交 / 接收, issue 18) costs: writing the package of a whole archive
(``export_package``), the receiver's checks alone (``check_package``) and the whole import into a
fresh second archive (``receive_package``: the checks again, then filing, previews and indexing).

    .venv/bin/python bench/handover.py                          # SQLite, 40 households x 5 documents x 3 pages
    .venv/bin/python bench/handover.py --households 10 --documents 4 --pages 2 --profile import
    .venv/bin/python bench/handover.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

The source archive holds real stored originals: scanned multi-page PDFs (one 200 dpi greyscale
JPEG per page, drawn with Pillow in a CJK font and wrapped by fpdf2, each document's PDF unique),
stored through ``store_original`` (encrypted, signed), with page text, a stored preview per page
and a searchable PDF as the pipeline leaves them (as ``tests/retention_helpers.store_document``
does), so no OCR runs. Both archives live in temporary ``DOSSIER_HOME`` folders (removed at the
end); with ``--postgres`` each gets a fresh database on that server (dropped at the end).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dossier import pagetext  # noqa: E402
from dossier.actor import Actor  # noqa: E402
from dossier.archive import Archive  # noqa: E402
from dossier.config import Settings  # noqa: E402
from dossier.db import dispose_engines  # noqa: E402
from dossier.models import DocumentStatus, ObjectKey, Page  # noqa: E402
from dossier.seed import DOCUMENT_TYPES  # noqa: E402
from dossier.services import history  # noqa: E402
from dossier.services.documents import NewDocument, store_original  # noqa: E402
from dossier.services.households import add_household  # noqa: E402
from dossier.setup import initialise  # noqa: E402
from handover.checks import check_package  # noqa: E402
from handover.export import Selection, export_package  # noqa: E402
from handover.receive import receive_package  # noqa: E402
from search.hooks import documents_changed  # noqa: E402

PASSWORD = "bench-password-1"
DPI = 200
A4_PX = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))  # 1654 x 2339
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
SENTENCES = [
    "业主应当按时缴纳物业服务费，逾期未缴的按合同约定处理。",
    "物业服务企业负责共用部位、共用设施设备的日常维修和养护。",
    "装修施工前应当告知物业服务企业，并遵守管理规约的有关规定。",
    "报修事项已于当日派员上门处理，维修记录由业主签字确认。",
    "本合同一式两份，甲乙双方各执一份，自双方签字之日起生效。",
    "车辆停放应当服从管理，不得占用消防通道和绿化用地。",
    "钥匙领用登记表由业主本人签收，遗失补办须书面申请。",
    "紧急联络人信息变更时，业主应当及时书面告知管理处。",
]


# --- the source archive -----------------------------------------------------------------------


def page_pool(count: int, seed: int) -> list[bytes]:
    """``count`` distinct scanned pages: A4 at 200 dpi, greyscale JPEG (quality 70), ~25 lines of
    CJK text with a little noise, as a flatbed scanner would give."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    font = ImageFont.truetype(FONT, 34)
    pool = []
    for n in range(count):
        image = Image.new("L", A4_PX, 248)
        draw = ImageDraw.Draw(image)
        draw.text((150, 130), f"物业档案  第 {n + 1} 页", fill=10, font=font)
        for line in range(25):
            draw.text((150, 230 + line * 78), rng.choice(SENTENCES), fill=rng.randint(10, 60), font=font)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70, dpi=(DPI, DPI))
        pool.append(buffer.getvalue())
    return pool


def scanned_pdf(pages: list[bytes], title: str) -> bytes:
    """A scanned PDF: one full-page JPEG per page, passed through as is (DCTDecode); the title in
    the document information makes every document's bytes unique."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_title(title)
    for jpeg in pages:
        pdf.add_page()
        pdf.image(io.BytesIO(jpeg), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def store_document(
    archive: Archive,
    household_id: int,
    type_code: str,
    title: str,
    original: bytes,
    texts: list[str],
    day: date,
) -> int:
    """A stored original with its page text, a stored preview per page and a stored searchable
    PDF, indexed status (as ``tests/retention_helpers.store_document``)."""
    from dossier.models import Household

    with archive.session() as session:
        console = Actor.console()
        household = session.get(Household, household_id)
        assert household is not None
        new = NewDocument(
            household=household,
            type_code=type_code,
            title=title,
            media_type="application/pdf",
            original_name=f"{title}.pdf",
            document_date=day,
        )
        new.paper_cabinet, new.paper_box, new.paper_position = "1", f"{household_id:03d}", "1"
        doc = store_original(archive, session, console, new, io.BytesIO(original))
        for number, text in enumerate(texts, start=1):
            key = f"derivatives/{doc.id}/0/preview-{number:06d}.webp"
            stored = archive.vault.put(key, io.BytesIO(b"RIFF preview " + text.encode()))
            session.add(
                ObjectKey(object_key=key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
            )
            page = Page(
                document_id=doc.id,
                number=number,
                source="ocr",
                preview_key=key,
                dpi=DPI,
                confidence=91.5,
                language="chi_sim",
            )
            pagetext.store(archive, page, text, confidential=False)
            session.add(page)
        pdf_key = f"derivatives/{doc.id}/0/searchable.pdf"
        stored = archive.vault.put(pdf_key, io.BytesIO(b"%PDF-1.4 searchable"))
        session.add(
            ObjectKey(object_key=pdf_key, wrapped_key=stored.wrapped_key, master_key_id=stored.master_key_id)
        )
        doc.searchable_pdf_key = pdf_key
        doc.page_count = len(texts)
        doc.status = DocumentStatus.INDEXED
        history.append(session, doc, history.PROCESSED, actor=None)  # as the pipeline signs its text
        return doc.id


def build(archive: Archive, households: int, documents: int, pages: int, seed: int = 18) -> tuple[int, int]:
    """The households and their documents; returns (documents, bytes of the originals)."""
    rng = random.Random(seed)
    pool = page_pool(max(pages * 4, 12), seed)
    types = [code for code, _name, _expected in DOCUMENT_TYPES]
    ids, size = [], 0
    for h in range(households):
        with archive.session() as session:
            household = add_household(
                session,
                Actor.console(),
                archive.fields,
                f"{h // 20 + 1}-{h // 10 % 2 + 1}-{h % 10 + 1:02d}01",
                community=f"测试小区{h % 3 + 1}",
                owner=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=f"138{rng.randrange(10**8):08d}",
            )
            household_id = household.id
        for d in range(documents):
            type_code = types[(h + d) % len(types)]
            title = f"{type_code} {h + 1}-{d + 1}"
            chosen = (
                rng.sample(pool, pages) if pages <= len(pool) else [rng.choice(pool) for _ in range(pages)]
            )
            original = scanned_pdf(chosen, f"{title} {uuid.uuid4().hex}")
            texts = ["".join(rng.choice(SENTENCES) for _ in range(25)) for _ in range(pages)]
            day = date(2010 + rng.randrange(15), rng.randint(1, 12), rng.randint(1, 28))
            ids.append(store_document(archive, household_id, type_code, title, original, texts, day))
            size += len(original)
    documents_changed(archive, ids)
    return len(ids), size


# --- measuring --------------------------------------------------------------------------------


def _rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _tree_bytes(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _timed(name: str, profile: str | None, call: Callable[[], Any]) -> tuple[Any, float]:
    profiler = cProfile.Profile() if profile == name else None
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    try:
        result = call()
    finally:
        if profiler is not None:
            profiler.disable()
    elapsed = time.perf_counter() - start
    if profiler is not None:
        print(f"--- cProfile of {name} (top 20 by cumulative time, then by own time) ---", file=sys.stderr)
        stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
        stats.sort_stats("cumulative").print_stats(20)
        stats.sort_stats("tottime").print_stats(15)
    return result, elapsed


def _line(name: str, seconds: float, documents: int, pages: int, mib: float) -> str:
    return (
        f"  {name:<34} {seconds:7.1f} s   {documents / seconds:7.1f} documents/s   "
        f"{pages / seconds:7.1f} pages/s   {mib / seconds:6.1f} MiB/s"
    )


def run(
    source_url: str | None,
    target_url: str | None,
    households: int,
    documents: int,
    pages: int,
    profile: str | None,
) -> None:
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-handover-"))
    try:
        archives = []
        for name, url in (("source", source_url), ("target", target_url)):
            env = {"DOSSIER_HOME": str(work / name)}
            if url:
                env["DOSSIER_DATABASE_URL"] = url
            settings = Settings.from_env(env)
            initialise(settings, admin_password=PASSWORD)
            archives.append(Archive(settings))
        source, target = archives
        rss_start = _rss_mib()

        start = time.perf_counter()
        count, original_bytes = build(source, households, documents, pages)
        page_count = count * pages
        print(
            f"source archive: {households} households x {documents} documents x {pages} pages = "
            f"{count:,} documents, {page_count:,} pages, originals {original_bytes / 2**20:.1f} MiB "
            f"({original_bytes / count / 1024:.0f} KiB each), built in {time.perf_counter() - start:.1f} s"
        )
        print(f"database: {source.settings.database_url.split('://')[0]}")

        out = work / "package"
        actor = Actor.console()

        def export() -> Any:
            with source.session() as session:
                return export_package(source, session, actor, Selection(everything=True), out)

        result, export_s = _timed("export", profile, export)
        files, package_bytes = _tree_bytes(out)
        mib = package_bytes / 2**20
        assert result.counts["documents"] == count, result.counts
        print(f"package: {files:,} files, {mib:.1f} MiB ({package_bytes / 1e9:.3f} GB)")
        print(
            "  (MiB/s below: the whole package's bytes written or read per second; the originals "
            f"are {original_bytes / package_bytes:.0%} of it)"
        )
        print(_line("export (export_package)", export_s, count, page_count, mib))
        rss_export = _rss_mib()

        report, check_s = _timed("check", profile, lambda: check_package(target, out))
        if not report.ok:
            print(f"  the checks refused the package: {[f.message for f in report.findings[:5]]}")
            return
        print(_line("checks alone (check_package)", check_s, count, page_count, mib))
        rss_check = _rss_mib()

        def receive() -> Any:
            with target.session() as session:
                return receive_package(target, session, actor, out)

        report, import_s = _timed("import", profile, receive)
        assert report.accepted and report.filed["pages"] == page_count, report.filed
        print(_line("import (receive_package, all of it)", import_s, count, page_count, mib))
        print(
            f"    of which filing, previews, indexing  {import_s - check_s:7.1f} s   "
            f"(import minus the checks alone)"
        )
        print(
            f"peak RSS: {_rss_mib():.1f} MiB (after setup {rss_start:.1f}, after export {rss_export:.1f}, "
            f"after checks {rss_check:.1f}); largest child process {_rss_mib(resource.RUSAGE_CHILDREN):.1f} MiB"
        )
    finally:
        dispose_engines()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40)
    parser.add_argument("--documents", type=int, default=5, help="documents per household")
    parser.add_argument("--pages", type=int, default=3, help="pages per document")
    parser.add_argument("--postgres", metavar="URL", help="measure on fresh databases of this server")
    parser.add_argument(
        "--profile", choices=("export", "check", "import"), help="run this phase under cProfile (stderr)"
    )
    args = parser.parse_args()
    shape = (args.households, args.documents, args.pages, args.profile)
    if not args.postgres:
        run(None, None, *shape)
        return
    import psycopg

    names = [f"dossier_bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = args.postgres.replace("+psycopg", "")
    base = args.postgres.rsplit("/", 1)[0]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        run(f"{base}/{names[0]}", f"{base}/{names[1]}", *shape)
    finally:
        dispose_engines()
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
