"""The Whoosh compatibility layer: the pinned version, and Dossier's postings layout read back
both by ``search.postings`` and by Whoosh's own matchers (which merge segments with it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as wi

from dossier.errors import ConfigurationError
from search import postings, whoosh_compat
from search.postings import POSITION_BITS
from search.whoosh_compat import DossierCodec, raw_matcher, read_term
from search.whoosh_engine import WhooshEngine
from tests.test_search_index import entry

ROOT = Path(__file__).resolve().parent.parent


# --- the version check ---------------------------------------------------------------------


def test_the_installed_whoosh_is_the_pinned_one():
    assert whoosh_compat.installed_versions() == (whoosh_compat.PINNED_VERSION, whoosh_compat.PINNED_VERSION)


def test_pyproject_pins_the_version_the_compat_layer_checks():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"whoosh-reloaded=={whoosh_compat.PINNED_VERSION}" in [d.replace(" ", "") for d in deps]


@pytest.mark.parametrize(
    "distribution, module",
    [
        ("2.7.6", "2.7.6"),  # an upgrade of whoosh-reloaded
        (None, "2.7.4"),  # the original Whoosh package provides the module
        ("2.7.5", "2.7.4"),  # metadata and the imported code disagree
    ],
)
def test_another_whoosh_version_stops_with_a_clear_error(distribution, module):
    with pytest.raises(ConfigurationError, match=r"whoosh-reloaded==2\.7\.5") as err:
        whoosh_compat.check_version(distribution, module)
    assert "search/whoosh_compat.py" in str(err.value) and module in str(err.value)


def test_the_pinned_version_passes():
    whoosh_compat.check_version(whoosh_compat.PINNED_VERSION, whoosh_compat.PINNED_VERSION)


# --- the layout on its own -----------------------------------------------------------------


def _list(*blocks: bytes) -> bytes:
    return postings.MAGIC + b"".join(blocks)


def test_a_block_round_trips_with_the_narrowest_widths():
    ids = [3, 4, 300, 70_000]
    positions = [[0, 5], [7], [1, 2, 3], [65_536]]
    values = [np.asarray(p, dtype="<u4").tobytes() for p in positions]
    block = postings.encode_block(
        ids,
        [2.0, 1.0, 3.0, 1.0],
        values,
        positions=True,
        last=True,
        min_length=1,
        max_length=9,
        max_weight=3.0,
    )
    header, decoded = postings.decode_block(block)
    assert header.last and header.count == 4 and header.first_id == 3 and header.last_id == 70_000
    assert (header.id_width, header.length_width, header.item_width) == (4, 1, 4)
    assert header.weight_kind == postings.WEIGHTS_EACH and header.value_kind == postings.VALUES_POSITIONS
    assert len(block) == postings.HEADER_SIZE + header.data_length
    assert decoded.ids.tolist() == ids and decoded.weights.tolist() == [2.0, 1.0, 3.0, 1.0]
    assert postings.split_values(decoded, True) == tuple(values)
    ta = postings.decode_postings(_list(block), with_positions=True)
    assert ta.docs.tolist() == ids
    assert [(int(k) >> POSITION_BITS, int(k) & 0xFFFFFFFF) for k in ta.keys] == [
        (d, p) for d, ps in zip(ids, positions, strict=True) for p in ps
    ]


def test_weights_and_values_take_no_room_when_they_need_none():
    ones = postings.encode_block(
        [1, 2, 3], [1.0] * 3, None, positions=False, last=True, min_length=0, max_length=0, max_weight=1.0
    )
    same = postings.encode_block(
        [1, 2, 3], [1.5] * 3, None, positions=False, last=True, min_length=0, max_length=0, max_weight=1.5
    )
    assert len(ones) == postings.HEADER_SIZE + 3 and len(same) == postings.HEADER_SIZE + 3 + 4
    assert postings.decode_postings(_list(same), True).weights.tolist() == [1.5] * 3
    assert postings.decode_postings(_list(ones), True).keys is None


def test_several_blocks_and_raw_byte_values():
    first = postings.encode_block(
        [0, 1],
        [1.0, 1.0],
        [b"ab", b""],
        positions=False,
        last=False,
        min_length=0,
        max_length=0,
        max_weight=1.0,
    )
    second = postings.encode_block(
        [900], [1.0], [b"xyz"], positions=False, last=True, min_length=0, max_length=0, max_weight=1.0
    )
    assert postings.decode_postings(_list(first, second), False).docs.tolist() == [0, 1, 900]
    _, block = postings.decode_block(_list(first, second), 4 + len(first))
    assert postings.split_values(block, False) == (b"xyz",)


@pytest.mark.parametrize("damaged", [b"W3Bl" + b"\0" * 40, postings.MAGIC])
def test_bytes_in_another_layout_are_refused(damaged):
    with pytest.raises(postings.LayoutError):
        postings.decode_postings(damaged + b"\0" * postings.HEADER_SIZE, True)


# --- the codec inside Whoosh ---------------------------------------------------------------


def test_postings_read_as_arrays_equal_what_whoosh_reads(tmp_path):
    """read_term reads the layout itself: compare it with the postings matcher Whoosh uses and
    merges segments with (several blocks, weights with a field boost, deletions left in; then
    again after Whoosh merged the segments through the codec)."""
    e = WhooshEngine(tmp_path / "arrays")
    e.apply(
        {
            d: [entry(d, 1, "维修维修 基金" if d % 3 else "基金 维修", names="张三" if d == 5 else "李四")]
            for d in range(1, 2200)
        }
    )  # blocks of 1,024: three blocks
    e.apply({d: [entry(d, 1, "基金 维修 基金")] for d in range(2200, 2300)})  # a second segment
    e.apply({7: []})  # a deletion: still in the postings
    compare_with_whoosh(e)
    ix = wi.open_dir(str(e.live_dir()))
    ix.writer(codec=DossierCodec()).commit(optimize=True)
    ix.close()
    compare_with_whoosh(e)


def compare_with_whoosh(e: WhooshEngine) -> None:
    state = e._state()
    with state.lock:
        s = e._searcher(state)
    for sub, _ in s.leaf_searchers():
        reader = sub.reader()
        for field, text in (
            ("text", "维修"),
            ("text", "基"),
            ("names", "张三"),
            ("names", "李四"),
            ("type", "repair"),
        ):
            ta = read_term(reader, field, text)
            if (field, text) not in reader:
                assert ta is None
                continue
            m = raw_matcher(reader, field, text)
            ids, weights, positions = [], [], []
            while m.is_active():
                ids.append(m.id())
                weights.append(m.weight())
                if ta.keys is not None:
                    positions.extend((m.id(), p) for p in m.value_as("positions"))
                m.next()
            assert ta.docs.tolist() == ids
            assert ta.weights.tolist() == pytest.approx(weights)
            if ta.keys is not None:
                assert [(int(k) >> POSITION_BITS, int(k) & 0xFFFFFFFF) for k in ta.keys] == positions
    assert read_term(s.leaf_searchers()[0][0].reader(), "text", "没有") is None


def test_whoosh_own_skipping_reads_block_bounds_from_the_headers(tmp_path):
    e = WhooshEngine(tmp_path / "skip")
    e.apply({d: [entry(d, 1, "基金")] for d in range(1, 3000)})
    state = e._state()
    with state.lock:
        s = e._searcher(state)
    reader = s.leaf_searchers()[0][0].reader()
    m = raw_matcher(reader, "text", "基金")
    m.skip_to(2500)
    assert m.is_active() and m.id() == 2500
    assert m.block_min_id() == 2048 and m.block_max_id() == 2998  # the third block of 1,024


def test_term_vectors_are_refused():
    with pytest.raises(ValueError, match="term vectors"):
        DossierCodec().postings_writer(None, byteids=True)


def test_segment_ids_and_deletions(tmp_path):
    e = WhooshEngine(tmp_path / "seg")
    e.apply({1: [entry(1, 1, "基金")], 2: [entry(2, 1, "维修")]})
    e.apply({1: []})
    state = e._state()
    with state.lock:
        s = e._searcher(state)
    readers = [sub.reader() for sub, _ in s.leaf_searchers()]
    assert all(whoosh_compat.segment_id(r) for r in readers)
    assert sum(len(whoosh_compat.deleted_docs(r)) for r in readers) == 1
    assert whoosh_compat.holds_index(e.live_dir()) and not whoosh_compat.holds_index(tmp_path)
