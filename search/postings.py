"""A term's postings as numpy arrays: the index codec and positions format that make it cheap.

Matching a phrase of bigrams a page at a time, in Python, costs tens of microseconds per page:
a stock word on most pages of a 100,000-page archive takes seconds. Dossier instead matches
whole posting lists at once with numpy (``search.matching``), which needs a term's postings
as arrays. Whoosh's own W3 codec makes that slow: each block of postings is a pickled tuple
of Python ints, floats and one pickled list of position deltas per page, so decoding costs
about a microsecond per posting whatever one does afterwards. Two Whoosh extension points
change that, the rest of Whoosh (term dictionary, columns, deletions, merging, commits) is used
as it is:

* ``PackedPositions`` (a ``whoosh.formats.Format``) stores a posting's positions as raw
  little-endian uint32;
* ``DossierCodec`` (a ``W3Codec``) writes each block of 1,024 postings (Whoosh: 128) as a few
  byte strings pickled with protocol 5 and not zlib-compressed: document-number deltas, value
  lengths and positions as uint16 when they fit (else uint32), weights as float32 (or one
  number when they are all equal). It reads them back for Whoosh's own matchers as well, so
  Whoosh still merges segments and runs its own queries on this layout.

:func:`read_term` then decodes a term's whole posting list with a few ``numpy.frombuffer``
calls per block. It reads the block layout directly: a test compares it with Whoosh's own
postings matcher, so a change of layout in an upgrade of ``whoosh-reloaded`` fails there, not
in production.

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
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.util.numeric import length_to_byte
from whoosh.formats import Positions
from whoosh.reading import TermNotFound

_BLOCK_LENGTH = struct.Struct("!i")
_HEADER = 4                             # the "\x00\x00\x00\x00"-style magic before the first block
POSITION_BITS = 32                      # key = docnum << 32 | position


class PackedPositions(Positions):
    """Whoosh's ``Positions`` with each posting's positions stored as raw little-endian uint32
    (Whoosh pickles the deltas). Frequency is the number of positions."""

    def word_values(self, value, analyzer, **kwargs):
        # An analyzer that can give each term's positions at once (DossierTokenizer) skips
        # Whoosh's one-Token-object-per-term loop; every token weighs 1.
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, poslist in term_positions(value).items():
            yield term, len(poslist), len(poslist) * boost, self.encode(poslist)

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


def _weights_of(raw, count: int) -> np.ndarray:
    if raw is None:
        return np.ones(count)
    if isinstance(raw, float):
        return np.full(count, raw)
    return np.frombuffer(raw, dtype="<f4").astype(np.float64)


def _pack(values: np.ndarray) -> tuple[str, bytes]:
    """Unsigned integers as little-endian uint16 when they fit, else uint32."""
    dtype = "<u2" if not len(values) or int(values.max()) < 65536 else "<u4"
    return dtype, values.astype(dtype).tobytes()


def _unpack(packed: tuple[str, bytes]) -> np.ndarray:
    return np.frombuffer(packed[1], dtype=packed[0])


class DossierPostingsWriter(W3PostingsWriter):
    """W3 blocks whose ids, weights and values are a few byte strings instead of tuples of
    Python objects, pickled with protocol 5 (Whoosh's protocol 2 pickles bytes through latin-1
    strings). Positions of ``PackedPositions`` postings are joined and stored as uint16 when
    they fit. Term vectors, which Dossier does not store, keep Whoosh's layout."""

    def _write_block(self, last=False):
        if self._byteids:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 5)
        compression = self._compression
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        infobytes = pickle.dumps((len(ids), ids[-1], self._maxweight, compression,
                                  length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write_int(-blocklength if last else blocklength)   # negative: the last block
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        ids = np.frombuffer(self._ids, dtype=np.uint32).astype(np.int64)
        return _pack(np.diff(ids, prepend=0))

    def _mini_weights(self):
        if self._byteids:
            return super()._mini_weights()
        w = np.frombuffer(self._weights, dtype=np.float32)
        if (w == 1.0).all():
            return None
        if (w == w[0]).all():
            return float(w[0])
        return w.astype("<f4").tobytes()

    def _mini_values(self):
        fixedsize = self._format.fixed_value_size()
        if self._byteids or not (fixedsize is None or fixedsize < 0):
            return super()._mini_values()
        lengths = np.fromiter(map(len, self._values), dtype=np.int64, count=len(self._values))
        blob = b"".join(self._values)
        if isinstance(self._format, PackedPositions):
            return "positions", _pack(lengths >> 2), _pack(np.frombuffer(blob, dtype="<u4"))
        return "bytes", _pack(lengths), blob


class DossierLeafMatcher(W3LeafMatcher):
    """Whoosh's postings matcher over ``DossierPostingsWriter`` blocks."""

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = np.cumsum(_unpack(self._data[0]), dtype=np.int64).tolist()

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = _weights_of(self._data[1], self._blocklength).tolist()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        vs = self._data[2]
        if not isinstance(vs, tuple):
            return super()._read_values()
        kind, lengths, blob = vs
        lengths = _unpack(lengths).astype(np.int64)
        if kind == "positions":
            blob = _unpack(blob).astype("<u4").tobytes()
            lengths = lengths << 2
        ends = np.cumsum(lengths).tolist()
        self._values = tuple(blob[a:b] for a, b in zip([0] + ends[:-1], ends))


class _LengthsByField:
    """A per-document reader's field lengths, read once per field into a list. Whoosh asks for
    a document's field length once per posting (for its blocks' length bounds); reading the
    column each time was a sixth of the time spent writing a segment."""

    def __init__(self, lengths):
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self._fields.get(fieldname)
        if column is None:
            get = self._lengths.doc_field_length
            column = self._fields[fieldname] = [get(d, fieldname, default)
                                                for d in range(self._lengths.doc_count_all())]
        return column[docnum]


class DossierFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, _LengthsByField(lengths) if lengths else lengths, items)


class DossierCodec(W3Codec):
    """Whoosh's W3 codec with ``DossierPostingsWriter`` blocks of 1,024 postings."""

    def __init__(self, blocklimit=1024, compression=0, inlinelimit=1):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return DossierFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return DossierPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return DossierLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


@dataclass(frozen=True)
class TermArrays:
    """One term's postings in one segment (deleted documents included: callers mask them)."""
    docs: np.ndarray                    # int64 document numbers, ascending
    weights: np.ndarray                 # float64, the posting weights (frequency × field boost)
    keys: np.ndarray | None             # int64 docnum << 32 | position, ascending (None: no positions)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.weights.nbytes + (self.keys.nbytes if self.keys is not None else 0)


def _keys(docs: np.ndarray, counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``docnum << 32 | position`` for every position (``counts[i]`` positions of ``docs[i]``)."""
    return (np.repeat(docs, counts) << POSITION_BITS) | positions.astype(np.int64)


def read_term(reader, fieldname: str, text: str) -> TermArrays | None:
    """The postings of ``fieldname:text`` in one segment reader (of a ``DossierCodec`` index),
    None when it has none."""
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
        keys = _keys(docs, np.fromiter(map(len, values), dtype=np.int64, count=len(values)) >> 2,
                     np.frombuffer(b"".join(values), dtype="<u4")) if packed else None
        return TermArrays(docs, w, keys)
    offset, length = terminfo.extent()
    if isinstance(length, tuple):        # W3TermInfo.from_bytes leaves the length unpacked
        length = length[0]
    buf = reader._terms._postfile.get(offset, length)
    stream = io.BytesIO(buf)
    at = _HEADER
    id_parts, weight_parts, length_parts, position_parts = [], [], [], []
    while at < length:
        blocklength = abs(_BLOCK_LENGTH.unpack_from(buf, at)[0])
        stream.seek(at + 4)
        count, _maxid, _maxweight, compression, _mn, _mx = pickle.Unpickler(stream).load()
        data = buf[stream.tell(): at + 4 + blocklength]
        if compression:
            data = zlib.decompress(data)
        id_deltas, weights, values = pickle.loads(data)
        id_parts.append(np.cumsum(_unpack(id_deltas), dtype=np.int64))
        weight_parts.append(_weights_of(weights, count))
        if packed:
            length_parts.append(_unpack(values[1]))
            position_parts.append(_unpack(values[2]))
        at += 4 + blocklength
    docs = np.concatenate(id_parts)
    w = np.concatenate(weight_parts)
    if not packed:
        return TermArrays(docs, w, None)
    return TermArrays(docs, w, _keys(docs, np.concatenate(length_parts).astype(np.int64),
                                     np.concatenate(position_parts)))


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
