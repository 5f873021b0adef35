"""Word boxes: the pipeline stores a page's OCR words with their boxes in the preview image (sealed
for a confidential document), and the viewer finds a query's words on the image from them.
Real tesseract on one small synthetic scan; the rest on stored boxes."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from dossier import pagetext
from dossier.models import Document, Page
from dossier.pagetext import WordBoxes
from dossier.services import households as hh
from dossier.services.documents import wrapped_key_for
from dossier.services.viewing import view_document, word_marks
from ingest import intake
from ingest.pipeline import process_document
from tests.search_helpers import add_doc, archivist_actor, staff_actor
from tests.synthetic import _font, make_pdf, render_page
from webapp.highlighting import query_finder

LINE = "业主装修申请表 维修基金 A-3-1201"
DPI, FONT_PT, MARGIN_MM = 200, 14, 15.0


@pytest.fixture
def folder(archive, console):
    with archive.session() as session:
        hh.add_household(session, console, None, "A-3-1201", owner="张三")
    return archive


def _ingest_scan(archive, console, tmp_path, *, confidential: bool = False) -> int:
    image = render_page(LINE, paper="strip", dpi=DPI, font_pt=FONT_PT, margin_mm=MARGIN_MM, noise=4, seed=2)
    pdf = make_pdf([image], tmp_path / "scan.pdf", dpi=DPI)
    spec = intake.FileSpec(
        path=pdf, name="scan.pdf", household="A-3-1201", type_code="renovation", confidential=confidential
    )
    with archive.session() as session:
        batch = intake.intake(archive, session, console, [spec])
        (doc_id,) = intake.batch_document_ids(session, batch.id)
    assert process_document(archive, doc_id) == "indexed"
    return doc_id


def test_ocr_words_are_stored_boxed_in_the_preview_and_a_query_lands_on_its_word(folder, console, tmp_path):
    doc_id = _ingest_scan(folder, console, tmp_path)
    with folder.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == doc_id)).one()
        assert page.words and page.words_enc is None
        words = pagetext.page_words(session, page)
        assert words is not None
        with folder.vault.open(page.preview_key, wrapped_key_for(session, page.preview_key)) as fh:
            preview = Image.open(io.BytesIO(fh.read()))
            preview.load()
        assert words.size == preview.size  # boxes in the preview's own pixels
        assert "维修基金" in "".join(w[0] for line in words.lines for w in line)

        view = view_document(session, archivist_actor(), doc_id, page=1, find=query_finder("维修基金"))
        (box,) = view.shown[0].boxes
    # Where the synthetic page drew the words, in percent of its width and height.
    font = _font("simplified", "sans", round(FONT_PT / 72 * DPI))
    width_px = round(148.0 / 25.4 * DPI)
    margin = round(MARGIN_MM / 25.4 * DPI)
    start = 100 * (margin + font.getlength("业主装修申请表 ")) / width_px
    end = 100 * (margin + font.getlength("业主装修申请表 维修基金")) / width_px
    left, top, width, height = box
    assert abs(left - start) < 2.5 and abs(left + width - end) < 2.5, (box, start, end)
    assert 0 < top < 40 and 2 < height < 20  # the first line's height, near the top
    # The box holds ink: the words are there on the preview.
    w, h = preview.size
    crop = preview.convert("L").crop(
        (
            round(left * w / 100),
            round(top * h / 100),
            round((left + width) * w / 100),
            round((top + height) * h / 100),
        )
    )
    assert crop.getextrema()[0] < 100


def test_a_confidential_pages_words_are_sealed_and_open_for_the_viewer(folder, console, tmp_path):
    doc_id = _ingest_scan(folder, console, tmp_path, confidential=True)
    with folder.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == doc_id)).one()
        assert page.words is None and page.words_enc and b"\xe7\xbb\xb4" not in page.words_enc
        view = view_document(
            session, archivist_actor(), doc_id, "核对", page=1, find=query_finder("A-3-1201")
        )
        boxes = view.shown[0].boxes  # A, 3 and 1201: the terms the analyser makes, as on the text
        assert len(boxes) == 3 and len({top for _, top, _, _ in boxes}) == 1
        # A correction that makes it ordinary opens the words with the text.
        doc = session.get(Document, doc_id)
        doc.confidentiality = "ordinary"
        assert pagetext.reseal(session, session, doc) == 1
        assert page.words and page.words_enc is None and page.text and page.text_enc is None


# --- matching on stored boxes (no OCR) --------------------------------------------------------

ID_NUMBER = "110101199003071234"
BOXES = WordBoxes.of(
    (1000, 500),
    [
        [("业主", 100, 50, 100, 40), ("张三", 200, 50, 100, 40), ("维修基金", 320, 50, 200, 40)],
        [("身份证", 100, 150, 150, 40), (ID_NUMBER, 260, 150, 400, 40)],
        [("Dossier", 100, 250, 140, 40), ("ABC-123", 250, 250, 140, 40)],
    ],
)


def test_a_match_marks_the_part_of_the_word_it_covers_one_box_per_line():
    (box,) = word_marks(BOXES, query_finder("基金"))
    assert box == (42.0, 10.0, 10.0, 8.0)  # the second half of 维修基金
    assert word_marks(BOXES, query_finder("张三维修")) == [(20.0, 10.0, 22.0, 8.0)]  # across two words
    assert word_marks(BOXES, query_finder("dossier")) == [(10.0, 50.0, 14.0, 8.0)]
    assert word_marks(BOXES, query_finder("物业")) == []


def test_a_masked_number_is_never_found_on_the_image():
    masked = staff_actor()
    from dossier.services.documents import text_mask

    mask = text_mask(masked)
    assert mask is not None
    assert word_marks(BOXES, query_finder(ID_NUMBER), mask) == []
    assert word_marks(BOXES, query_finder("199003071234"), mask) == []
    assert len(word_marks(BOXES, query_finder(ID_NUMBER), None)) == 1  # cleared: found
    assert len(word_marks(BOXES, query_finder("身份证"), mask)) == 1  # the rest still is


def test_pages_without_stored_boxes_show_no_image_marks(archive, console):
    with archive.session() as session:
        household = hh.add_household(session, console, None, "A-3-0101")
        session.flush()
        doc = add_doc(session, household.id, "payment", "维修基金", ["维修基金 缴费"])
        page = session.scalars(select(Page).where(Page.document_id == doc.id)).one()
        page.preview_key = "derivatives/x/preview.webp"  # never opened: the view reads the catalog only
        view = view_document(session, staff_actor(), doc.id, page=1, find=query_finder("维修"))
        assert view.shown[0].marks and view.shown[0].boxes == []
        pagetext.store_words(session, page, BOXES, confidential=False)
        view = view_document(session, staff_actor(), doc.id, page=1, find=query_finder("维修"))
        assert len(view.shown[0].boxes) == 1
