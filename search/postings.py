"""A term's postings as numpy arrays, and the positions format that makes reading them cheap.

Matching a phrase of bigrams on a page at a time, in Python, costs tens of microseconds per
page: a stock word on most pages of a 100,000-page archive takes seconds. Dossier instead
matches whole posting lists at once with numpy (``search.matching``). For that it needs a term's
postings as arrays, which Whoosh's own ``Positions`` format makes slow: it pickles every
posting's position deltas, one unpickle per page. ``PackedPositions`` stores a posting's
positions as raw little-endian uint32, so :func:`read_term` decodes a whole posting list with
one zlib inflate and one unpickle per block of 128 postings and one ``numpy.frombuffer`` for all
positions.

:func:`read_term` reads Whoosh's W3 codec layout directly (block header, pickled
``(id deltas, weights, values)`` tuples): a test compares it with Whoosh's own postings reader,
so an upgrade of ``whoosh-reloaded`` that changed the layout fails there, not in production.

Decoded terms are kept in a process-wide LRU cache bounded in bytes (``DOSSIER_SEARCH_CACHE_MB``,
default 256). Segments never change once written (deletions are applied by the caller from the
reader's deleted set), so the cache key is the segment's id and stays valid across searcher
refreshes; a rebuilt index has new segment ids.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import threading
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.formats import Positions
from whoosh.reading import TermNotFound

_BLOCK_LENGTH = struct.Struct("!i")
_HEADER = 4                             # the "\x00\x00\x00\x00"-style magic before the first block
POSITION_BITS = 32                      # key = docnum << 32 | position


class PackedPositions(Positions):
    """Whoosh's ``Positions`` with each posting's positions stored as raw little-endian uint32
    (Whoosh pickles the deltas). Frequency is the number of positions."""

    def encode(self, poslist):
        a = array("I", poslist)
        if sys.byteorder == "big":
            a.byteswap()
        return a.tobytes()

    def decode_positions(self, valuestring):
        return np.frombuffer(valuestring, dtype="<u4").tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


@dataclass(frozen=True)
class TermArrays:
    """One term's postings in one segment (deleted documents included: callers mask them)."""
    docs: np.ndarray                    # int64 document numbers, ascending
    weights: np.ndarray                 # float64, the posting weights (frequency × field boost)
    keys: np.ndarray | None             # int64 docnum << 32 | position, ascending (None: no positions)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes + (self.keys.nbytes if self.keys is not None else 0)


def _keys(docs: np.ndarray, values: list[bytes]) -> np.ndarray:
    positions = np.frombuffer(b"".join(values), dtype="<u4").astype(np.int64)
    counts = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) >> 2
    return (np.repeat(docs, counts) << POSITION_BITS) | positions


def read_term(reader, fieldname: str, text: str) -> TermArrays | None:
    """The postings of ``fieldname:text`` in one segment reader, None when it has none."""
    try:
        tbytes = reader._text_to_bytes(fieldname, text)
        terminfo = reader._terms.term_info(fieldname, tbytes)
    except (TermNotFound, KeyError):
        return None
    packed = isinstance(reader.schema[fieldname].format, PackedPositions)
    if terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        docs = np.asarray(ids, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        return TermArrays(docs, w, _keys(docs, list(values)) if packed else None)
    offset, length = terminfo.extent()
    if isinstance(length, tuple):        # W3TermInfo.from_bytes leaves the length unpacked
        length = length[0]
    buf = reader._terms._postfile.get(offset, length)
    stream = io.BytesIO(buf)
    at = _HEADER
    id_parts, weight_parts, values = [], [], []
    while at < length:
        blocklength = abs(_BLOCK_LENGTH.unpack_from(buf, at)[0])
        stream.seek(at + 4)
        count, _maxid, _maxweight, compression, _mn, _mx = pickle.Unpickler(stream).load()
        data = buf[stream.tell(): at + 4 + blocklength]
        if compression:
            data = zlib.decompress(data)
        id_deltas, weights, vs = pickle.loads(data)
        ids = np.cumsum(np.asarray(id_deltas, dtype=np.int64))
        id_parts.append(ids)
        if weights is None:
            weight_parts.append(np.ones(count))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights))
        else:
            weight_parts.append(np.asarray(weights, dtype=np.float64))
        if packed:
            values.extend(vs)
        at += 4 + blocklength
    docs = np.concatenate(id_parts) if id_parts else np.empty(0, np.int64)
    w = np.concatenate(weight_parts) if weight_parts else np.empty(0)
    return TermArrays(docs, w, _keys(docs, values) if packed else None)


class TermCache:
    """Decoded terms, least recently used evicted first, bounded in bytes; thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, reader, fieldname: str, text: str) -> TermArrays | None:
        key = (reader.segment().segment_id(), fieldname, text)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        arrays = read_term(reader, fieldname, text)
        size = arrays.nbytes if arrays is not None else 64
        with self._lock:
            if key not in self._items and size <= self.max_bytes:
                self._items[key] = arrays
                self._bytes += size
                while self._bytes > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= old.nbytes if old is not None else 64
        return arrays

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes


def _cache_bytes() -> int:
    try:
        return max(0, int(os.environ.get("DOSSIER_SEARCH_CACHE_MB", "256"))) << 20
    except ValueError:
        return 256 << 20


term_cache = TermCache(_cache_bytes())
