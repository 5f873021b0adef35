"""Every use of Whoosh's internals, in one place, for exactly one version of whoosh-reloaded.

Dossier uses Whoosh's public API (``whoosh.index``, ``whoosh.fields``, ``whoosh.analysis``,
searchers and readers) in ``search/whoosh_engine.py``. What the public API does not offer is
here, and only here:

* ``DossierCodec``: Whoosh's W3 codec whose posting lists are written and read in Dossier's own
  binary layout (``search.postings``, documented there) instead of W3's own block format. It
  overrides W3's block writer (``W3PostingsWriter._write_block``) and block reader
  (``W3LeafMatcher._read_header`` / ``_goto`` / ``_read_*``), so Whoosh's own matchers and its
  segment merging read and write the same layout. Term vectors are refused (Dossier stores
  none) and posting lists are never inlined into the term dictionary.
* ``PackedPositions``: a posting's positions as raw little-endian uint32.
* ``DossierFieldWriter``: field lengths read once per field while a segment is written.
* Readers' private parts: the term dictionary and postings file (:func:`read_term`,
  :func:`raw_matcher`), segment ids (:func:`segment_id`), deleted documents, and the name of
  Whoosh's table-of-contents files (:func:`holds_index`).

These depend on attributes and methods Whoosh does not promise to keep, so the version is
pinned (``pyproject.toml``: ``whoosh-reloaded==PINNED_VERSION``) and checked when this module is
imported: any other version stops with a ``ConfigurationError`` before anything is read or
written. Upgrading Whoosh means: change the pin and ``PINNED_VERSION`` together, and run
``tests/test_search_whoosh_compat.py``, which compares :func:`read_term` with Whoosh's own
matcher before and after a merge.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import whoosh

from dossier.catalog import text
from dossier.errors import ConfigurationError

PINNED_VERSION = "2.7.5"
DISTRIBUTION = "whoosh-reloaded"


def check_version(distribution_version: str | None, module_version: str) -> None:
    """Stop unless both the installed distribution and the imported ``whoosh`` module are the
    pinned version (another distribution, such as the original ``Whoosh``, also provides a
    ``whoosh`` module)."""
    if distribution_version == PINNED_VERSION and module_version == PINNED_VERSION:
        return
    found = (
        text("search.whoosh_found", distribution=DISTRIBUTION, version=distribution_version)
        if distribution_version
        else text("search.whoosh_missing", distribution=DISTRIBUTION)
    )
    raise ConfigurationError(
        "search.whoosh_version",
        distribution=DISTRIBUTION,
        pinned=PINNED_VERSION,
        found=found,
        module=module_version,
    )


def installed_versions() -> tuple[str | None, str]:
    """(version of the installed distribution or None, version of the imported module)."""
    try:
        distribution_version: str | None = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        distribution_version = None
    return distribution_version, whoosh.versionstring()


check_version(*installed_versions())

# Whoosh's internals, imported only once the version is known to be the pinned one.
from array import array  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter  # noqa: E402
from whoosh.formats import Positions  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402
from whoosh.util.numeric import byte_to_length, length_to_byte  # noqa: E402

from search import postings  # noqa: E402
from search.postings import TermArrays  # noqa: E402


class PackedPositions(Positions):
    """Whoosh's ``Positions`` with each posting's positions stored as raw little-endian uint32
    (Whoosh serialises a list of deltas). Frequency is the number of positions."""

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        # An analyzer that can give each term's positions at once (DossierTokenizer) skips
        # Whoosh's one-Token-object-per-term loop; every token weighs 1.
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, poslist in term_positions(value).items():
            yield term, len(poslist), len(poslist) * boost, self.encode(poslist)

    def encode(self, poslist: list[int]) -> bytes:
        a = array("I", poslist)
        if sys.byteorder == "big":
            a.byteswap()
        return a.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return np.frombuffer(valuestring, dtype="<u4").tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


class DossierPostingsWriter(W3PostingsWriter):
    """W3's postings writer, each block written in ``search.postings``' layout."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(postings.MAGIC)
        self._terminfo.add_block(self)
        fmt = self._format
        values = None if fmt.fixed_value_size() == 0 else self._values
        self._postfile.write(
            postings.encode_block(
                self._ids,
                self._weights,
                values,
                positions=isinstance(fmt, PackedPositions),
                last=last,
                min_length=length_to_byte(self._minlength),
                max_length=length_to_byte(self._maxlength),
                max_weight=self._maxweight,
            )
        )
        self._blockcount += 1
        self._new_block()


class DossierLeafMatcher(W3LeafMatcher):
    """Whoosh's postings matcher over ``search.postings`` blocks (Whoosh's own queries and
    segment merging read postings through it)."""

    def __init__(
        self, postfile: Any, startoffset: int, length: int, format_: Any, term: Any = None, scorer: Any = None
    ):
        self._positions = isinstance(format_, PackedPositions)
        self._header: postings.BlockHeader | None = None
        self._data: postings.Block | None = None
        self._values: tuple[bytes | None, ...] | None = None
        super().__init__(postfile, startoffset, length, format_, term=term, byteids=False, scorer=scorer)

    def _read_header(self) -> None:
        magic = self._postfile.get(self._startoffset, 4)
        if magic != postings.MAGIC:
            raise postings.LayoutError(f"not a Dossier posting list (starts with {magic!r})")
        self._baseoffset = self._startoffset + 4

    def _goto(self, position: int) -> None:
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        header = postings.BlockHeader.unpack_from(self._postfile.get(position, postings.HEADER_SIZE))
        self._header = header
        self._blockoffset = position
        self._dataoffset = position + postings.HEADER_SIZE
        self._nextoffset = self._dataoffset + header.data_length
        self._lastblock = header.last
        self._blocklength = header.count
        self._maxid = header.last_id
        self._maxweight = header.max_weight
        self._compression = 0
        self._minlength = byte_to_length(header.min_length)
        self._maxlength = byte_to_length(header.max_length)

    def block_min_id(self) -> int:
        assert self._header is not None
        return self._header.first_id

    def _read_data(self) -> None:
        buf = self._postfile.get(self._blockoffset, self._nextoffset - self._blockoffset)
        self._data = postings.decode_block(buf)[1]

    def _block(self) -> postings.Block:
        if self._data is None:
            self._read_data()
        assert self._data is not None
        return self._data

    def _read_ids(self) -> None:
        self._ids = self._block().ids.tolist()

    def _read_weights(self) -> None:
        self._weights = self._block().weights.tolist()

    def _read_values(self) -> None:
        block = self._block()
        if self._fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            self._values = postings.split_values(block, self._positions)


class _LengthsByField:
    """A per-document reader's field lengths, read once per field into a list. Whoosh asks for
    a document's field length once per posting (for its blocks' length bounds); reading the
    column each time was a sixth of the time spent writing a segment."""

    def __init__(self, lengths: Any):
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self._fields.get(fieldname)
        if column is None:
            get = self._lengths.doc_field_length
            column = self._fields[fieldname] = [
                get(d, fieldname, default) for d in range(self._lengths.doc_count_all())
            ]
        return column[docnum]


class DossierFieldWriter(W3FieldWriter):
    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        super().add_postings(schema, _LengthsByField(lengths) if lengths else lengths, items)


class DossierCodec(W3Codec):
    """Whoosh's W3 codec with posting lists in ``search.postings``' layout, blocks of
    ``postings.BLOCK_LIMIT`` postings, never inlined in the term dictionary, no term vectors."""

    def __init__(self) -> None:
        super().__init__(blocklimit=postings.BLOCK_LIMIT, compression=0, inlinelimit=0)

    def field_writer(self, storage: Any, segment: Any) -> DossierFieldWriter:
        return DossierFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> DossierPostingsWriter:
        if byteids:
            raise ValueError("DossierCodec does not store term vectors")
        return DossierPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=False, compression=0, inlinelimit=self._inlinelimit
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            raise postings.LayoutError(
                "posting lists inlined in the term dictionary are not Dossier's layout"
            )
        offset, length = terminfo.extent()
        return DossierLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


# --- readers' private parts ------------------------------------------------------------------


def _term_info(reader: Any, fieldname: str, text: str) -> Any:
    try:
        return reader._terms.term_info(fieldname, reader._text_to_bytes(fieldname, text))
    except (TermNotFound, KeyError):
        return None


def read_term(reader: Any, fieldname: str, text: str) -> TermArrays | None:
    """The postings of ``fieldname:text`` in one segment reader (of a ``DossierCodec`` index)
    as arrays, None when it has none."""
    terminfo = _term_info(reader, fieldname, text)
    if terminfo is None:
        return None
    if terminfo.is_inlined():
        raise postings.LayoutError("posting lists inlined in the term dictionary are not Dossier's layout")
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length unpacked
        length = length[0]
    buf = reader._terms._postfile.get(offset, length)
    return postings.decode_postings(buf, isinstance(reader.schema[fieldname].format, PackedPositions))


def raw_matcher(reader: Any, fieldname: str, text: str) -> Any:
    """Whoosh's own matcher over a term's postings, deleted documents included (what Whoosh
    merges segments with); for tests."""
    return reader._terms.matcher(
        fieldname, reader._text_to_bytes(fieldname, text), reader.schema[fieldname].format
    )


def segment_id(reader: Any) -> str:
    """The id of a segment reader's segment (stable for the segment's life)."""
    return str(reader.segment().segment_id())


def deleted_docs(reader: Any) -> frozenset[int]:
    """A segment reader's deleted document numbers (Whoosh keeps them apart from the postings)."""
    return reader.deleted_docs_set if reader.has_deletions() else frozenset()


def holds_index(folder: Path) -> bool:
    """Whether ``folder`` holds Whoosh table-of-contents files (``_MAIN_<generation>.toc``),
    without reading them: an index of an older Dossier may not be readable by this one."""
    return any(folder.glob("_*_*.toc"))
