"""ingest.preprocess: pages come back upright, straight and black on white."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ingest.preprocess import measure_skew, normalise_contrast, prepare_for_ocr
from tests.synthetic import SHORT_TEXTS, render_page, sample_text, save_page

TEXT = SHORT_TEXTS["simplified"] + "\n已于2024年4月28日缴纳保证金"


def _render(**kw) -> Image.Image:
    return render_page(TEXT, paper="A6", dpi=300, noise=6, blur=0.5, seed=3, **kw)


@pytest.fixture(scope="module")
def upright() -> Image.Image:
    return _render()


def _thumb(image: Image.Image) -> np.ndarray:
    """A coarse ink map, for comparing page orientation without caring about exact pixels."""
    small = image.convert("L").resize((image.width // 16, image.height // 16), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float64) < 235


def _looks_like(prepared: Image.Image, reference: Image.Image) -> bool:
    """Whether the prepared page matches the upright reference better than its half-turn."""
    if (prepared.size[0] > prepared.size[1]) != (reference.size[0] > reference.size[1]):
        return False
    prepared = prepared.resize(reference.size)
    same = np.mean(_thumb(prepared) != _thumb(reference))
    flipped = np.mean(_thumb(prepared) != _thumb(reference.rotate(180)))
    return same < flipped


@pytest.mark.parametrize("turn", [180, 90, 270])
def test_turned_pages_come_back_upright(tmp_path, upright, turn):
    source = save_page(_render(rotate=turn), tmp_path / "page.png")
    prepared = prepare_for_ocr(source, tmp_path / "prepared.png")
    # render_page turns counter-clockwise; putting it right takes the same turn clockwise.
    assert prepared.rotation_applied == turn
    assert prepared.orientation_method == "layout"  # decided without running tesseract
    with Image.open(prepared.path) as result:
        assert _looks_like(result, upright)


def test_upright_page_is_left_alone(tmp_path, upright):
    prepared = prepare_for_ocr(save_page(upright, tmp_path / "page.png"), tmp_path / "prepared.png")
    assert prepared.rotation_applied == 0
    assert abs(prepared.skew_degrees) < 0.1
    assert prepared.text_box is not None
    left, top, right, bottom = prepared.text_box
    assert 0 <= left < right <= prepared.width and 0 <= top < bottom <= prepared.height


def test_orientation_by_tesseract_osd(tmp_path):
    # OSD needs a few dozen characters in the band to be confident: a denser page than above.
    text = sample_text("simplified", 1)[:180]
    page = render_page(text, paper="A6", dpi=300, font_pt=10, noise=6, blur=0.5, seed=3, rotate=180)
    prepared = prepare_for_ocr(
        save_page(page, tmp_path / "page.png"), tmp_path / "prepared.png", orientation="osd"
    )
    assert prepared.orientation_method == "osd"
    assert prepared.rotation_applied == 180


def test_skewed_page_is_straightened(tmp_path):
    source = save_page(_render(skew=1.5), tmp_path / "page.png")
    assert measure_skew(source) == pytest.approx(1.5, abs=0.3)
    prepared = prepare_for_ocr(source, tmp_path / "prepared.png")
    assert prepared.skew_degrees == pytest.approx(1.5, abs=0.3)
    assert prepared.rotation_applied == 0
    assert abs(measure_skew(prepared.path)) <= 0.3


def test_skew_on_a_page_fed_upside_down(tmp_path, upright):
    source = save_page(_render(skew=-1.0, rotate=180), tmp_path / "page.png")
    prepared = prepare_for_ocr(source, tmp_path / "prepared.png")
    assert prepared.rotation_applied == 180
    assert prepared.skew_degrees == pytest.approx(-1.0, abs=0.3)
    assert abs(measure_skew(prepared.path)) <= 0.3


def test_blank_page_passes_through(tmp_path):
    blank = render_page("", paper="A6", dpi=300, noise=8, seed=1)
    prepared = prepare_for_ocr(save_page(blank, tmp_path / "blank.png"), tmp_path / "prepared.png")
    assert (prepared.rotation_applied, prepared.skew_degrees) == (0, 0.0)
    assert prepared.orientation_method == "blank"
    assert prepared.text_box is None


def test_contrast_normalisation_whitens_grey_paper():
    page = render_page(TEXT, paper="strip", dpi=150)
    grey = page.point(lambda v: 60 + v * 120 // 255)  # dark ink 60, grey paper 180
    out = np.asarray(normalise_contrast(grey))
    assert np.median(out) == 255  # the paper
    assert out.min() == 0  # the ink
    blank = Image.new("L", (100, 100), 200)
    assert normalise_contrast(blank).getextrema() == (200, 200)  # nothing to stretch


def test_large_print_is_read_at_a_lower_resolution_small_print_is_not(tmp_path):
    # 12 pt lines are ~48 px tall at 300 dpi: shrunk to ~30 px, but not below 200 dpi.
    large = prepare_for_ocr(
        save_page(_render(), tmp_path / "large.png"), tmp_path / "large.jpg", keep_image=True
    )
    assert large.dpi == 200 and large.image.size == (large.width, large.height)
    assert abs(large.width - round(105 / 25.4 * 200)) <= 2
    with Image.open(large.path) as written:
        assert written.format == "JPEG" and written.size == (large.width, large.height)
    # 7 pt lines are already under 30 px: the page keeps its resolution.
    small = render_page(TEXT, paper="A6", dpi=300, font_pt=7, noise=6, blur=0.5, seed=3)
    kept = prepare_for_ocr(save_page(small, tmp_path / "small.png"), tmp_path / "small.png")
    assert kept.dpi == 300 and kept.width == small.width
    # ...and so does any page when asked to.
    assert prepare_for_ocr(tmp_path / "large.png", tmp_path / "same.png", downscale=False).dpi == 300


def test_a_page_of_one_line_is_not_turned(tmp_path):
    # One line has no gaps across it: the profile test alone took it for a page turned sideways.
    page = render_page("第1页 装修档案 A-3-1201 押金收据", paper="A5", dpi=300, font_pt=14, noise=4, seed=1)
    prepared = prepare_for_ocr(save_page(page, tmp_path / "line.png"), tmp_path / "prepared.png")
    assert prepared.rotation_applied == 0
    assert prepared.line_box is not None and prepared.line_box[2] - prepared.line_box[0] > 600
