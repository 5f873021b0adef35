"""A document's DA/T 48-2009 encapsulation (EEP, 电子文件封装包): built, signed and checked.

``build_eep`` writes the XML (default namespace ``NS``; element names as the standard gives them)
from plain facts gathered by the exporter and signs its 被签名对象: the element serialised on its
own and canonicalised (C14N 2.0, ``strip_text=True``), then ``Signer.sign({"v": 1, "kind": "eep",
"c14n_sha256": ...})``. ``verify_eep`` parses a received file with defusedxml (no DTDs, no
entities), repeats the canonicalisation, checks the signature and returns the facts the receiver
compares with the manifest and the files. ``scan_attributes`` reads resolution and colour mode
from an original (Pillow for images, ``pdfimages -list`` for PDFs). Format:
docs/formats/handover-package.md.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from defusedxml import ElementTree as SafeET

from dossier.localtime import local
from dossier.signing import Signer, public_key_fingerprint, verify

log = logging.getLogger(__name__)

NS = "http://www.saac.gov.cn/standards/ERM/encapsulation"
EEP_VERSION = "2009"
FORMAT_TEXT = "本EEP根据中华人民共和国档案行业标准DA/T 48-2009《基于XML的电子文件封装规范》生成"
PACKAGE_TYPE = "原始型"
PACKAGE_TYPE_TEXT = "本封装包包含电子文件数据及其元数据，原始封装，未经修改"
SIGNATURE_RULE = (
    "被签名对象元素单独序列化后按 C14N 2.0 规范化（xml.etree.ElementTree.canonicalize，strip_text=True），"
    '对其 SHA-256 十六进制摘要以 Ed25519 签名记录 {"v": 1, "kind": "eep", "c14n_sha256": 摘要}'
    "（规范 JSON：键排序，分隔符为 , 与 :，UTF-8）"
)
ALGORITHM = "Ed25519"
UNKNOWN = "未知"
# 扫描色彩模式 by Pillow's mode (the first frame's).
_COLOUR_BY_MODE = {"1": "黑白二值", "L": "灰度", "LA": "灰度", "I": "灰度", "I;16": "灰度", "F": "灰度"}
_COLOUR = "彩色"
_PDF_COLOUR = {"gray": "灰度", "rgb": "彩色", "cmyk": "彩色", "index": "彩色", "lab": "彩色", "icc": "彩色"}

SIGNED_OBJECT = "被签名对象"


@dataclass
class FileFacts:
    """文件实体: the document's catalog facts and its original (电子属性, 数字化属性)."""

    archive_no: str
    fonds: str
    fonds_name: str
    category: str
    year: str
    retention: str
    item_no: str
    folder: str
    title: str
    type_name: str
    date: str
    confidentiality: str
    pages: str
    paper_location: str
    intake_record: str
    intake_signature: str
    metadata_record: str
    metadata_signature: str
    file_name: str
    size: int
    media_type: str
    sha256: str
    sm3: str
    resolution: str = UNKNOWN
    colour: str = UNKNOWN


@dataclass
class Business:
    """业务实体: one history entry or loan event."""

    ident: str
    person: str
    document: str
    status: str
    action: str
    at: str
    basis: str
    description: str


@dataclass
class Person:
    """机构人员实体: the archive or a person named in the business entries."""

    ident: str
    kind: str  # 机构 | 个人
    name: str
    position: str = ""


@dataclass
class EepFacts:
    archive_name: str
    created_at: datetime
    file: FileFacts
    business: list[Business] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _add(parent: ET.Element, tag: str, value: object = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attrs)
    if value is not None:
        element.text = str(value)
    return element


def _iso(moment: datetime) -> str:
    return local(moment).isoformat(timespec="seconds")


def _file_entity(parent: ET.Element, facts: EepFacts) -> None:
    f = facts.file
    entity = _add(_add(parent, "文件实体块"), "文件实体")
    _add(entity, "聚合层次", "文件")
    source = _add(entity, "来源")
    _add(source, "档案馆名称", facts.archive_name)
    _add(source, "全宗名称", f.fonds_name)
    for tag, value in (
        ("档号", f.archive_no),
        ("全宗号", f.fonds),
        ("门类代码", f.category),
        ("年度", f.year),
        ("保管期限", f.retention),
        ("件号", f.item_no),
        ("户号", f.folder),
        ("题名", f.title),
        ("文件类型", f.type_name),
        ("文件日期", f.date),
        ("密级", f.confidentiality),
        ("页数", f.pages),
        ("纸质原件存放位置", f.paper_location),
    ):
        _add(entity, tag, value)
    for tag, record, signature in (
        ("入库签名", f.intake_record, f.intake_signature),
        ("著录签名", f.metadata_record, f.metadata_signature),
    ):
        signed = _add(entity, tag)
        _add(signed, "签名记录", record)
        _add(signed, "签名结果", signature)
        _add(signed, "签名算法", ALGORITHM)
    electronic = _add(entity, "电子属性")
    _add(electronic, "计算机文件名", f.file_name)
    _add(electronic, "计算机文件大小", f.size)
    _add(electronic, "格式信息", f.media_type)
    _add(electronic, "数字摘要", f.sha256, 算法="SHA-256")
    _add(electronic, "数字摘要", f.sm3, 算法="SM3")
    digitised = _add(entity, "数字化属性")
    _add(digitised, "数字化对象形态", "纸质")
    _add(digitised, "扫描分辨率", f.resolution)
    _add(digitised, "扫描色彩模式", f.colour)


def _business_block(parent: ET.Element, business: list[Business]) -> None:
    block = _add(parent, "业务实体块")
    for b in business:
        entity = _add(block, "业务实体")
        for tag, value in (
            ("业务标识符", b.ident),
            ("机构人员标识符", b.person),
            ("文件标识符", b.document),
            ("业务状态", b.status),
            ("业务行为", b.action),
            ("行为时间", b.at),
            ("行为依据", b.basis),
            ("行为描述", b.description),
        ):
            _add(entity, tag, value)


def _people_block(parent: ET.Element, people: list[Person]) -> None:
    block = _add(parent, "机构人员实体块")
    for p in people:
        entity = _add(block, "机构人员实体")
        _add(entity, "机构人员标识符", p.ident)
        _add(entity, "机构人员类型", p.kind)
        _add(entity, "机构人员名称", p.name)
        _add(entity, "个人职位", p.position)


def _in_default_namespace(element: ET.Element, top: bool = True) -> ET.Element:
    """A copy of ``element`` with its tags unqualified and ``xmlns`` declared on the top one
    (ElementTree's own ``default_namespace`` refuses unqualified attributes such as 算法)."""
    copy = ET.Element(element.tag.removeprefix(f"{{{NS}}}"), dict(element.attrib))
    copy.text, copy.tail = element.text, None if top else element.tail
    copy.extend(_in_default_namespace(child, top=False) for child in element)
    if top:
        copy.set("xmlns", NS)
    return copy


def canonical_signed_object(element: ET.Element) -> bytes:
    """The 被签名对象 element on its own, canonicalised as 签名规则 says."""
    serialised = ET.tostring(_in_default_namespace(element), encoding="unicode")
    return ET.canonicalize(xml_data=serialised, strip_text=True).encode("utf-8")


def signature_record(c14n: bytes) -> dict[str, Any]:
    return {"v": 1, "kind": "eep", "c14n_sha256": hashlib.sha256(c14n).hexdigest()}


def build_eep(facts: EepFacts, signer: Signer) -> bytes:
    """The signed EEP of one document (UTF-8 XML with a declaration)."""
    root = ET.Element(_q("电子文件封装包"))
    _add(root, "封装包格式描述", FORMAT_TEXT)
    _add(root, "版本", EEP_VERSION)
    signed = _add(root, SIGNED_OBJECT, eep版本=EEP_VERSION)
    _add(signed, "封装包类型", PACKAGE_TYPE)
    _add(signed, "封装包类型描述", PACKAGE_TYPE_TEXT)
    _add(signed, "封装包创建时间", _iso(facts.created_at))
    _add(signed, "封装包创建单位", facts.archive_name)
    content = _add(signed, "封装内容")
    _file_entity(content, facts)
    _business_block(content, facts.business)
    _people_block(content, facts.people)
    signature = signer.sign(signature_record(canonical_signed_object(signed)))
    block = _add(_add(root, "电子签名块"), "电子签名")
    _add(block, "签名标识符", "1")
    _add(block, "签名规则", SIGNATURE_RULE)
    _add(block, "签名时间", _iso(facts.created_at))
    _add(block, "签名人", facts.archive_name)
    _add(block, "签名结果", signature)
    certificates = _add(block, "证书块")
    _add(certificates, "证书", signer.public_pem())
    _add(certificates, "证书引证", signer.fingerprint)
    _add(block, "签名算法标识", ALGORITHM)
    document = _in_default_namespace(root)
    ET.indent(document)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


# --- checking -----------------------------------------------------------------------------------


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path, {"e": NS})
    return None if found is None else (found.text or "").strip()


def _facts(root: ET.Element) -> dict[str, Any]:
    entity = root.find("e:被签名对象/e:封装内容/e:文件实体块/e:文件实体", {"e": NS})
    facts: dict[str, Any] = {
        "package_type": _text(root, "e:被签名对象/e:封装包类型"),
        "creator": _text(root, "e:被签名对象/e:封装包创建单位"),
        "key_fingerprint": _text(root, "e:电子签名块/e:电子签名/e:证书块/e:证书引证"),
    }
    names = {
        "archive_no": "档号",
        "fonds": "全宗号",
        "category": "门类代码",
        "year": "年度",
        "retention": "保管期限",
        "item_no": "件号",
        "folder": "户号",
        "title": "题名",
        "type_name": "文件类型",
        "date": "文件日期",
        "confidentiality": "密级",
        "pages": "页数",
        "file_name": "电子属性/e:计算机文件名",
        "size": "电子属性/e:计算机文件大小",
        "media_type": "电子属性/e:格式信息",
        "sha256": "电子属性/e:数字摘要[@算法='SHA-256']",
        "sm3": "电子属性/e:数字摘要[@算法='SM3']",
        "resolution": "数字化属性/e:扫描分辨率",
        "colour": "数字化属性/e:扫描色彩模式",
        "intake_record": "入库签名/e:签名记录",
        "intake_signature": "入库签名/e:签名结果",
        "metadata_record": "著录签名/e:签名记录",
        "metadata_signature": "著录签名/e:签名结果",
    }
    for key, path in names.items():
        facts[key] = _text(entity, f"e:{path}")
    business = root.findall("e:被签名对象/e:封装内容/e:业务实体块/e:业务实体", {"e": NS})
    facts["business"] = [
        {
            "action": _text(b, "e:业务行为"),
            "at": _text(b, "e:行为时间"),
            "person": _text(b, "e:机构人员标识符"),
        }
        for b in business
    ]
    return facts


def verify_eep(xml_bytes: bytes, public_key: Ed25519PublicKey) -> tuple[bool, dict[str, Any]]:
    """(whether the EEP's signature is ``public_key``'s over its 被签名对象, the facts it
    states). Malformed XML, a DTD or entities, another namespace or a missing part give
    ``(False, {"problem": <code>})`` with codes ``malformed``, ``namespace``, ``unsigned``."""
    try:
        root = SafeET.fromstring(xml_bytes)
    except (ET.ParseError, ValueError) as exc:  # defusedxml's refusals are ValueErrors
        log.info("EEP not parsed: %s", exc)
        return False, {"problem": "malformed"}
    if root.tag != _q("电子文件封装包"):
        return False, {"problem": "namespace"}
    signed = root.find(f"e:{SIGNED_OBJECT}", {"e": NS})
    signature = _text(root, "e:电子签名块/e:电子签名/e:签名结果")
    if signed is None or not signature:
        return False, {"problem": "unsigned"}
    facts = _facts(root)
    ok = verify(public_key, signature_record(canonical_signed_object(signed)), signature)
    ok = ok and facts["key_fingerprint"] == public_key_fingerprint(public_key)
    return ok, facts


# --- 数字化属性 -----------------------------------------------------------------------------------


def scan_attributes(path: Path, media_type: str) -> tuple[str, str]:
    """(扫描分辨率 like "300 dpi", 扫描色彩模式) of an original; 未知 where it does not say."""
    try:
        if media_type == "application/pdf":
            return _pdf_attributes(path)
        if media_type.startswith("image/"):
            return _image_attributes(path)
    except Exception as exc:  # noqa: BLE001 - a file we cannot read says nothing: 未知
        log.info("no scan attributes for %s: %s", path, exc)
    return UNKNOWN, UNKNOWN


def _dpi(value: object) -> str:
    if isinstance(value, (int, float)) and value > 0:
        return f"{round(value)} dpi"
    return UNKNOWN


def _image_attributes(path: Path) -> tuple[str, str]:
    from PIL import Image  # reason: only images need it

    with Image.open(path) as image:
        dpi = image.info.get("dpi")
        resolution = _dpi(float(dpi[0])) if isinstance(dpi, tuple) and dpi else UNKNOWN
        return resolution, _COLOUR_BY_MODE.get(image.mode, _COLOUR)


def _pdf_attributes(path: Path) -> tuple[str, str]:
    """From the first page's largest image (a scanned page is one image per page)."""
    listing = subprocess.run(
        ["pdfimages", "-list", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    best: tuple[int, str, str] | None = None
    for line in listing.splitlines()[2:]:
        cells = line.split()
        # page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
        if len(cells) < 14 or cells[2] != "image":
            continue
        try:
            area, bpc, ppi = int(cells[3]) * int(cells[4]), int(cells[7]), int(cells[12])
        except ValueError:
            continue
        colour = "黑白二值" if cells[5] == "gray" and bpc == 1 else _PDF_COLOUR.get(cells[5], UNKNOWN)
        if best is None or area > best[0]:
            best = (area, _dpi(ppi), colour)
    return (best[1], best[2]) if best else (UNKNOWN, UNKNOWN)
