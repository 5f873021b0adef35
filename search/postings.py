"""A term's postings as numpy arrays, and the binary layout they are stored in.

Matching a phrase of bigrams a page at a time, in Python, costs tens of microseconds per page:
a stock word on most pages of a 100,000-page archive takes seconds. Dossier instead matches
whole posting lists at once with numpy (``search.matching``), which needs a term's postings as
arrays, cheap to decode. Whoosh keeps the term dictionary, columns, deletions, merging and
commits; the posting lists themselves are written by ``search.whoosh_compat.DossierCodec`` in
the layout below, which this module defines, encodes and decodes. It knows nothing of Whoosh.

Layout (``LAYOUT_VERSION`` 1)
-----------------------------

Every integer and float is little-endian; nothing is compressed; there is no padding.

A **posting list** (one term in one segment: the bytes Whoosh's term dictionary points at) is::

    magic   4 bytes   b"DPL1"
    block   repeated; the last one has bit 0 of its flags set

A **block** holds up to ``BLOCK_LIMIT`` (1,024) postings: a 28-byte header, then its data.

Header (``struct`` format ``"<8B4If"``)::

    offset  size  field
     0      1     flags         bit 0: last block of the posting list; the other bits are 0
     1      1     id_width      bytes per document-number delta: 1, 2 or 4
     2      1     weight_kind   0: every weight is 1.0 (no weight bytes)
                                1: every weight is the same float32 (4 bytes)
                                2: one float32 per posting (4 × count bytes)
     3      1     value_kind    0: no values; 1: positions; 2: raw bytes per posting
     4      1     length_width  bytes per value length: 1, 2 or 4 (0 when value_kind is 0)
     5      1     item_width    bytes per position: 1, 2 or 4 (value_kind 1); 1 (value_kind 2);
                                0 (value_kind 0)
     6      1     min_length    shortest field length in the block, in Whoosh's one-byte scale
     7      1     max_length    longest field length in the block, likewise
     8      4     count         postings in the block (uint32, at least 1)
    12      4     first_id      document number of the block's first posting (uint32)
    16      4     last_id       document number of the block's last posting (uint32)
    20      4     data_length   bytes of data after this header (uint32)
    24      4     max_weight    the block's largest weight (float32)

Data, in this order::

    ids       count × id_width         unsigned: each document number minus the previous one
                                       (0 for the first), so ids = first_id + cumsum(deltas)
    weights   0, 4 or 4 × count        float32, as weight_kind says
    lengths   count × length_width     unsigned: the number of positions (value_kind 1) or of
                                       bytes (value_kind 2) of each posting; absent for kind 0
    items     sum(lengths) × item_width
                                       positions (unsigned, ascending within a posting,
                                       posting after posting) or the postings' raw bytes

Widths are the smallest of 1, 2 and 4 bytes that hold the block's largest value, so a block
of a common bigram stores most deltas and position counts in one byte and positions in two.
Decoding a posting list is a ``struct.unpack_from`` and a few ``numpy.frombuffer`` calls per
block, with no copy before the arrays are built.

Decoded terms are kept in a process-wide LRU cache bounded in bytes (:data:`term_cache`, sized
from ``Settings.search_cache_mb``, ``DOSSIER_SEARCH_CACHE_MB``, 256 MB by default). Segments
never change once written (deletions are applied by the caller from the reader's deleted set),
so the cache key is the segment's id and stays valid across searcher refreshes; a rebuilt
index has new segment ids.
"""

from __future__ import annotations

import struct
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LAYOUT_VERSION = 1
MAGIC = b"DPL1"
BLOCK_LIMIT = 1024
POSITION_BITS = 32  # key = docnum << 32 | position
DEFAULT_CACHE_MB = 256

HEADER = struct.Struct("<8B4If")
HEADER_SIZE = HEADER.size  # 28
_F32 = struct.Struct("<f")

LAST_BLOCK = 0x01
WEIGHTS_ONE, WEIGHTS_SAME, WEIGHTS_EACH = 0, 1, 2
VALUES_NONE, VALUES_POSITIONS, VALUES_BYTES = 0, 1, 2
_UINT: dict[int, np.dtype[Any]] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_F4: np.dtype[Any] = np.dtype("<f4")


class LayoutError(ValueError):
    """Bytes that are not a posting list in this layout (an index written by another version)."""


def _uint(width: int) -> np.dtype[Any]:
    try:
        return _UINT[width]
    except KeyError:
        raise LayoutError(f"no integer width {width} in this layout") from None


def _width(largest: int) -> int:
    return 1 if largest < 0x100 else 2 if largest < 0x10000 else 4


def _packed(values: np.ndarray) -> tuple[int, bytes]:
    """Unsigned integers in the narrowest of 1, 2, 4 bytes: (width, bytes)."""
    width = _width(int(values.max())) if len(values) else 1
    return width, values.astype(_UINT[width]).tobytes()


@dataclass(frozen=True)
class BlockHeader:
    last: bool
    id_width: int
    weight_kind: int
    value_kind: int
    length_width: int
    item_width: int
    min_length: int
    max_length: int
    count: int
    first_id: int
    last_id: int
    data_length: int
    max_weight: float

    @classmethod
    def unpack_from(cls, buf: bytes, offset: int = 0) -> BlockHeader:
        flags, *fields = HEADER.unpack_from(buf, offset)
        return cls(bool(flags & LAST_BLOCK), *fields)


def encode_block(
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes] | None,
    *,
    positions: bool,
    last: bool,
    min_length: int,
    max_length: int,
    max_weight: float,
) -> bytes:
    """One block (header and data). ``ids`` ascending document numbers; ``weights`` one per
    posting; ``values`` None (no values) or one byte string per posting: with ``positions``,
    each is that posting's positions as little-endian uint32 (``whoosh_compat.PackedPositions``),
    stored as value_kind 1; otherwise stored as they are (value_kind 2). ``min_length`` and
    ``max_length`` are already in Whoosh's one-byte scale."""
    count = len(ids)
    if not count:
        raise ValueError("a block holds at least one posting")
    docs = np.asarray(ids, dtype=np.int64)
    id_width, id_bytes = _packed(np.diff(docs, prepend=docs[0]))
    w = np.asarray(weights, dtype=_F4)
    if (w == 1.0).all():
        weight_kind, weight_bytes = WEIGHTS_ONE, b""
    elif (w == w[0]).all():
        weight_kind, weight_bytes = WEIGHTS_SAME, w[:1].tobytes()
    else:
        weight_kind, weight_bytes = WEIGHTS_EACH, w.tobytes()
    if values is None:
        value_kind, length_width, item_width, value_bytes = VALUES_NONE, 0, 0, b""
    else:
        if len(values) != count:
            raise ValueError(f"{len(values)} values for {count} postings")
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=count)
        blob = b"".join(values)
        if positions:
            value_kind = VALUES_POSITIONS
            length_width, length_bytes = _packed(lengths >> 2)
            item_width, item_bytes = _packed(np.frombuffer(blob, dtype=_UINT[4]))
        else:
            value_kind = VALUES_BYTES
            length_width, length_bytes = _packed(lengths)
            item_width, item_bytes = 1, blob
        value_bytes = length_bytes + item_bytes
    data_length = len(id_bytes) + len(weight_bytes) + len(value_bytes)
    header = HEADER.pack(
        LAST_BLOCK if last else 0,
        id_width,
        weight_kind,
        value_kind,
        length_width,
        item_width,
        min_length,
        max_length,
        count,
        int(docs[0]),
        int(docs[-1]),
        data_length,
        max_weight,
    )
    return b"".join((header, id_bytes, weight_bytes, value_bytes))


@dataclass(frozen=True)
class Block:
    """One decoded block. ``lengths`` and ``items`` are None for value_kind 0; ``items`` is an
    unsigned array of positions (value_kind 1) or bytes (value_kind 2)."""

    ids: np.ndarray  # int64
    weights: np.ndarray  # float64
    lengths: np.ndarray | None  # unsigned, one per posting
    items: np.ndarray | bytes | None


def _weights(buf: bytes, at: int, kind: int, count: int) -> tuple[np.ndarray, int]:
    if kind == WEIGHTS_ONE:
        return np.ones(count), at
    if kind == WEIGHTS_SAME:
        return np.full(count, _F32.unpack_from(buf, at)[0]), at + 4
    if kind == WEIGHTS_EACH:
        return np.frombuffer(buf, _F4, count, at).astype(np.float64), at + 4 * count
    raise LayoutError(f"unknown weight kind {kind}")


def decode_block(buf: bytes, offset: int = 0) -> tuple[BlockHeader, Block]:
    """The block whose header starts at ``offset`` of ``buf`` (header and data in ``buf``)."""
    h = BlockHeader.unpack_from(buf, offset)
    at = offset + HEADER_SIZE
    end = at + h.data_length
    ids = np.cumsum(np.frombuffer(buf, _uint(h.id_width), h.count, at), dtype=np.int64) + h.first_id
    weights, at = _weights(buf, at + h.count * h.id_width, h.weight_kind, h.count)
    if h.value_kind == VALUES_NONE:
        return h, Block(ids, weights, None, None)
    lengths = np.frombuffer(buf, _uint(h.length_width), h.count, at)
    at += h.count * h.length_width
    if h.value_kind == VALUES_POSITIONS:
        items: np.ndarray | bytes = np.frombuffer(buf, _uint(h.item_width), (end - at) // h.item_width, at)
    elif h.value_kind == VALUES_BYTES:
        items = bytes(buf[at:end])
    else:
        raise LayoutError(f"unknown value kind {h.value_kind}")
    return h, Block(ids, weights, lengths, items)


def split_values(block: Block, positions: bool) -> tuple[bytes, ...]:
    """Each posting's value as Whoosh's matchers expect it: for positions, the posting's
    positions as little-endian uint32 bytes (``PackedPositions``); else its raw bytes."""
    if block.lengths is None or block.items is None:
        return (b"",) * len(block.ids)
    lengths = block.lengths.astype(np.int64)
    if positions:
        assert isinstance(block.items, np.ndarray)
        blob = block.items.astype(_UINT[4]).tobytes()
        lengths = lengths << 2
    else:
        assert isinstance(block.items, bytes)
        blob = block.items
    ends = np.cumsum(lengths).tolist()
    return tuple(blob[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True))


@dataclass(frozen=True)
class TermArrays:
    """One term's postings in one segment (deleted documents included: callers mask them)."""

    docs: np.ndarray  # int64 document numbers, ascending
    weights: np.ndarray  # float64, the posting weights (frequency × field boost)
    keys: np.ndarray | None  # int64 docnum << 32 | position, ascending (None: no positions)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes + (self.keys.nbytes if self.keys is not None else 0)


def keys_of(docs: np.ndarray, counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``docnum << 32 | position`` for every position (``counts[i]`` positions of ``docs[i]``)."""
    return (np.repeat(docs, counts) << POSITION_BITS) | positions.astype(np.int64)


def decode_postings(buf: bytes, with_positions: bool) -> TermArrays:
    """A whole posting list (``MAGIC`` and its blocks) as arrays; positions are read only
    when ``with_positions`` (and the blocks hold positions)."""
    if buf[:4] != MAGIC:
        raise LayoutError(f"not a Dossier posting list (starts with {bytes(buf[:4])!r})")
    unpack = HEADER.unpack_from
    at, size = 4, len(buf)
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    length_parts: list[np.ndarray] = []
    position_parts: list[np.ndarray] = []
    while True:
        (
            flags,
            id_width,
            weight_kind,
            value_kind,
            length_width,
            item_width,
            _mn,
            _mx,
            count,
            first_id,
            _last_id,
            data_length,
            _mw,
        ) = unpack(buf, at)
        at += HEADER_SIZE
        end = at + data_length
        if end > size:
            raise LayoutError("a posting block runs past the end of its list")
        id_parts.append(np.cumsum(np.frombuffer(buf, _uint(id_width), count, at), dtype=np.int64) + first_id)
        w, at = _weights(buf, at + count * id_width, weight_kind, count)
        weight_parts.append(w)
        if with_positions and value_kind == VALUES_POSITIONS:
            length_parts.append(np.frombuffer(buf, _uint(length_width), count, at))
            at += count * length_width
            position_parts.append(np.frombuffer(buf, _uint(item_width), (end - at) // item_width, at))
        at = end
        if flags & LAST_BLOCK:
            break
        if at >= size:
            raise LayoutError("a posting list ends without its last block")
    if len(id_parts) == 1:
        docs, weights = id_parts[0], weight_parts[0]
    else:
        docs, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
    if not with_positions or len(position_parts) != len(id_parts):
        return TermArrays(docs, weights, None)
    counts = np.concatenate(length_parts).astype(np.int64) if len(length_parts) > 1 else length_parts[0]
    positions = np.concatenate(position_parts) if len(position_parts) > 1 else position_parts[0]
    return TermArrays(docs, weights, keys_of(docs, counts, positions))


class TermCache:
    """Decoded terms, least recently used evicted first, bounded in bytes; thread-safe."""

    EMPTY_COST = 64  # what remembering "no such term" counts for

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, TermArrays | None] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @classmethod
    def _cost(cls, arrays: TermArrays | None) -> int:
        return arrays.nbytes if arrays is not None else cls.EMPTY_COST

    def get(self, key: Hashable, load: Callable[[], TermArrays | None]) -> TermArrays | None:
        """The cached value of ``key``, or ``load()`` (kept if it fits)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        arrays = load()
        size = self._cost(arrays)
        with self._lock:
            if key not in self._items and size <= self.max_bytes:
                self._items[key] = arrays
                self._bytes += size
                self._evict()
        return arrays

    def resize(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = max(0, max_bytes)
            self._evict()

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and self._items:
            _, old = self._items.popitem(last=False)
            self._bytes -= self._cost(old)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes


term_cache = TermCache(DEFAULT_CACHE_MB << 20)
