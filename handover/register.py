"""The 移交接收登记表 (DA/T 93-2022 style handover register), as PDF and XLSX, for both sides.

One ``RegisterFacts`` describes a handover: direction (移交 or 接收), the package, both parties
(the receiver blank on the sender's copy), when, what it holds (households, documents, destroyed
items, pages, the originals' bytes as GB — 1024³ bytes — to three decimals), the digest
algorithms, the signing key's fingerprint, the result of each 四性 check (真实性, 完整性,
可用性, 安全性: 通过, 未通过 or 未检测, with a note) and blank signature lines for 移交人,
接收人 and 监交人. The PDF is drawn with fpdf2 and Noto Sans CJK (``dossier.fonts``); the XLSX
follows ``dossier.sheets``. Every label comes from the message catalog.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from dossier.catalog import zh
from dossier.fonts import find_font
from dossier.localtime import format_datetime
from dossier.sheets import Column, Table, xlsx_bytes

GB = 1024**3
FONT_FAMILY = "Noto Sans CJK SC"


class Direction(enum.StrEnum):
    EXPORT = "移交"
    IMPORT = "接收"


class Outcome(enum.StrEnum):
    PASSED = "通过"
    FAILED = "未通过"
    NOT_CHECKED = "未检测"


# The four properties of DA/T 70, in the order a register lists them.
PROPERTIES = ("真实性", "完整性", "可用性", "安全性")


@dataclass
class Check:
    property: str  # one of PROPERTIES
    outcome: Outcome = Outcome.NOT_CHECKED
    note: str = ""


@dataclass
class RegisterFacts:
    direction: Direction
    package_id: str
    sender: str  # 移交单位
    created_at: datetime
    households: int
    documents: int
    destroyed: int
    pages: int
    bytes: int
    key_fingerprint: str
    receiver: str = ""  # 接收单位: blank on the sender's copy
    digest_algorithms: str = "SHA-256、SM3"
    checks: list[Check] = field(default_factory=lambda: [Check(p) for p in PROPERTIES])

    @property
    def gigabytes(self) -> str:
        return f"{self.bytes / GB:.3f}"

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) of the register's facts, in order."""
        return [
            (zh("handover.register.direction"), str(self.direction)),
            (zh("handover.register.package_id"), self.package_id),
            (zh("handover.register.sender"), self.sender),
            (zh("handover.register.receiver"), self.receiver),
            (zh("handover.register.created_at"), format_datetime(self.created_at, seconds=True)),
            (zh("handover.register.households"), str(self.households)),
            (zh("handover.register.documents"), str(self.documents)),
            (zh("handover.register.destroyed"), str(self.destroyed)),
            (zh("handover.register.pages"), str(self.pages)),
            (zh("handover.register.gigabytes"), self.gigabytes),
            (zh("handover.register.digests"), self.digest_algorithms),
            (zh("handover.register.fingerprint"), self.key_fingerprint),
        ]

    def as_dict(self) -> dict:
        return {
            "direction": str(self.direction),
            "package_id": self.package_id,
            "sender": self.sender,
            "receiver": self.receiver,
            "created_at": self.created_at.isoformat(),
            "households": self.households,
            "documents": self.documents,
            "destroyed": self.destroyed,
            "pages": self.pages,
            "bytes": self.bytes,
            "gigabytes": self.gigabytes,
            "digest_algorithms": self.digest_algorithms,
            "key_fingerprint": self.key_fingerprint,
            "checks": [
                {"property": c.property, "outcome": str(c.outcome), "note": c.note} for c in self.checks
            ],
        }


SIGNATURE_ROLES = (
    "handover.register.handed_by",
    "handover.register.received_by",
    "handover.register.supervised_by",
)


def title() -> str:
    return zh("handover.register.title")


# --- XLSX --------------------------------------------------------------------------------------


def register_xlsx(facts: RegisterFacts) -> bytes:
    """One sheet: 项目, 内容, 说明; the facts, the four checks, then the signature lines."""
    rows: list[list[object]] = [[label, value, ""] for label, value in facts.rows()]
    rows += [
        [zh("handover.register.check", property=c.property), str(c.outcome), c.note] for c in facts.checks
    ]
    for role in SIGNATURE_ROLES:
        rows.append([zh(role), "", zh("handover.register.date_blank")])
    table = Table(
        title(),
        [
            Column(zh("handover.register.col_item"), width=22),
            Column(zh("handover.register.col_value"), width=44),
            Column(zh("handover.register.col_note"), width=40),
        ],
        rows,
    )
    return xlsx_bytes(table)


# --- PDF ---------------------------------------------------------------------------------------


def register_pdf(facts: RegisterFacts) -> bytes:
    """The register on one A4 page (more if the check notes are long)."""
    from fpdf import FPDF  # reason: only the register needs it
    from fpdf.fonts import FontFace

    regular, regular_index = find_font(FONT_FAMILY, "Regular")
    bold, bold_index = find_font(FONT_FAMILY, "Bold")
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("cjk", "", regular, collection_font_number=regular_index)
    pdf.add_font("cjk", "B", bold, collection_font_number=bold_index)
    pdf.set_title(title())
    pdf.set_creator(facts.sender)
    pdf.add_page()
    pdf.set_font("cjk", "B", 18)
    pdf.cell(0, 12, title(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    pdf.set_font("cjk", "", 10.5)
    with pdf.table(
        col_widths=(45, 129), line_height=8, first_row_as_headings=False, text_align="LEFT"
    ) as table:
        for label, value in facts.rows():
            row = table.row()
            row.cell(label, style=heading)
            row.cell(value or " ")
    pdf.ln(6)
    pdf.set_font("cjk", "B", 12)
    pdf.cell(0, 8, zh("handover.register.checks_heading"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", 10.5)
    with pdf.table(
        col_widths=(35, 30, 109), line_height=8, headings_style=heading, text_align="LEFT"
    ) as table:
        header = table.row()
        for code in (
            "handover.register.col_property",
            "handover.register.col_outcome",
            "handover.register.col_note",
        ):
            header.cell(zh(code))
        for check in facts.checks:
            row = table.row()
            row.cell(check.property)
            row.cell(str(check.outcome))
            row.cell(check.note or " ")
    pdf.ln(10)
    pdf.set_font("cjk", "", 11)
    for role in SIGNATURE_ROLES:
        line = zh("handover.register.signature_line", role=zh(role))
        pdf.cell(0, 12, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
