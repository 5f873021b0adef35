"""Why a file was refused is stored as a message of the catalog (code and parameters), read back
in each reader's language; reports stored before the catalog (English sentences) stay readable,
and the batch page still translates the known ones."""

from __future__ import annotations

from dossier.archive import Archive
from dossier.catalog import text
from dossier.errors import InvalidInput
from dossier.models import Batch, BatchItem, BatchOutcome
from ingest import reasons
from webapp.batches import batch_files


def test_a_reason_with_a_nested_message_round_trips():
    stored = reasons.dump(text("intake.part_not_filed", reason=text("document.not_found", id=7)))
    message = reasons.load(stored)
    assert message is not None and message.code == "intake.part_not_filed"
    assert message.zh == "这些页面未能归档：没有编号为 7 的文件。"
    assert message.en == "the pages could not be filed: there is no document 7"
    assert not reasons.is_legacy(stored)


def test_a_tools_own_words_go_to_the_log_not_into_the_reason(caplog):
    exc = InvalidInput("ingest.image_damaged", label="scan.png", technical="broken data stream")
    with caplog.at_level("INFO", logger="ingest.reasons"):
        stored = reasons.dump(reasons.of_error(exc, "scan.png"))
    assert "broken data stream" not in stored
    assert reasons.load(stored).zh == "scan.png 已损坏或不完整，无法解码。"
    assert "scan.png: ingest.image_damaged (broken data stream)" in caplog.text


def test_an_old_english_reason_reads_as_it_was_written():
    for stored in (
        "tesseract could not read page 2",
        '{"code": "not json',
        '{"code": "no.such", "params": {}}',
    ):
        message = reasons.load(stored)
        assert message is not None and message.zh == stored and message.en == stored
        assert reasons.is_legacy(stored)
    assert reasons.load(None) is None and reasons.load("") is None


def test_the_batch_page_shows_new_reasons_and_known_old_ones_in_chinese(web_archive):
    with Archive(web_archive.settings).session() as session:
        batch = Batch(created_by_name="console", source="cli")
        session.add(batch)
        session.flush()
        rows = [
            (BatchOutcome.REJECTED, reasons.dump(text("ingest.empty_file", label="a.pdf"))),
            (BatchOutcome.UNFILED, "pages before the first cover sheet"),  # stored before the catalog
            (BatchOutcome.UNFILED, reasons.dump(text("intake.sheet_unreadable"))),
            (BatchOutcome.REJECTED, "some old English reason"),
        ]
        for position, (outcome, error) in enumerate(rows, start=1):
            session.add(
                BatchItem(
                    batch_id=batch.id,
                    position=position,
                    file_name=f"{position}.pdf",
                    outcome=outcome,
                    error=error,
                )
            )
        session.commit()
        _, files = batch_files(session, batch.id)
    assert [f["error"] for f in files] == [
        "a.pdf 是空文件（0 字节），扫描件未保存成功。",
        "这些页面在第一张封面之前，无法确定归属。",
        "前一张封面的二维码无法识读。",
        "some old English reason",
    ]
