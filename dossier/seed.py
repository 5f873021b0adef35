"""Reference data seeded by ``dossier init`` (and extendable afterwards); retention classes are
seeded next to it by ``dossier.setup``, a layer above."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dossier.models import Community, DocumentType

# (code, Chinese name, expected in every folder's catalog by default)
DOCUMENT_TYPES: list[tuple[str, str, bool]] = [
    ("contract", "购房合同", True),
    ("move_in", "入住资料", True),
    ("id_document", "证件资料", True),
    ("contacts", "家庭成员/紧急联络人", True),
    ("renovation", "装修档案", False),
    ("keys", "钥匙领用", True),
    ("vehicle", "车辆档案", False),
    ("payment", "缴费记录", False),
    ("repair", "报修记录", False),
    ("complaint", "投诉与建议", False),
    ("incident", "事故/事件报告", False),
    ("correspondence", "往来函件", False),
    ("violation", "违规与欠费", False),
    ("change", "房屋变更/租户登记", False),
    ("photo", "照片影像", False),
    ("service", "个性化服务", False),
    ("other", "其他", False),
]

DEFAULT_COMMUNITY_CODE = "C001"
DEFAULT_COMMUNITY_NAME = "默认小区"


def seed_reference_data(session: Session) -> None:
    """Insert whatever reference rows are missing; never overwrites an edited row."""
    for order, (code, name, expected) in enumerate(DOCUMENT_TYPES):
        if session.get(DocumentType, code) is None:
            session.add(DocumentType(code=code, name=name, expected=expected, sort_order=order * 10))
    if session.query(Community).count() == 0:
        session.add(Community(code=DEFAULT_COMMUNITY_CODE, name=DEFAULT_COMMUNITY_NAME))
    session.flush()
