"""Web forms (Flask-WTF: every POST form carries a CSRF token). Only shape checks here; the
services decide what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

try:  # wtforms >= 3.3 wants SelectChoice objects; older releases take (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - depends on the installed wtforms
    SelectChoice = None

from dossier.models import HouseholdStatus, HouseholdUse, Role
from dossier.permissions import ROLE_NAMES_ZH
from dossier.services.households import STATUS_NAMES_ZH, USE_NAMES_ZH
from retention.paper import DEFAULT_METHOD as DEFAULT_PAPER_METHOD


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value):
    value = _strip(value)
    return value or None


STRIP = [_strip]
NONE_IF_BLANK = [_blank_to_none]
DATE_MAX = 16  # the longest date dossier.dates accepts: 2024年12月31日, with room for spaces


def choice(value: str, label: str):
    return SelectChoice(value=value, label=label) if SelectChoice is not None else (value, label)


def use_choices(blank: str | None = None) -> list:
    choices = [choice(str(u), USE_NAMES_ZH[u]) for u in HouseholdUse]
    return ([choice("", blank)] + choices) if blank is not None else choices


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(_l("请输入用户名")), Length(max=64)],
        filters=STRIP,
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(_l("请输入密码")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("登录"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("退出"))


class HouseholdFilterForm(FlaskForm):
    """The GET filter on the households list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("关键字"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=64)],
        render_kw={"placeholder": _l("户号 / 档案编号 / 姓名 / 电话")},
    )
    community = StringField(
        _l("小区"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=128)],
        render_kw={"list": "community-names"},
    )
    building = StringField(_l("楼栋"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    floor = IntegerField(_l("楼层"), validators=[Optional()])
    use = SelectField(_l("用途"), choices=[], validators=[Optional()], default="")
    status = SelectField(_l("状态"), choices=[], validators=[Optional()], default="")
    owner = StringField(_l("业主姓名"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)])
    page = IntegerField(validators=[Optional(), NumberRange(1, 100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use.choices = use_choices(blank=str(_l("全部")))
        self.status.choices = [choice("", str(_l("全部")))] + [
            choice(str(s), STATUS_NAMES_ZH[s]) for s in HouseholdStatus
        ]


class HouseholdForm(FlaskForm):
    code = StringField(
        _l("户号"),
        validators=[DataRequired(_l("请填写户号")), Length(max=64)],
        filters=STRIP,
        render_kw={"placeholder": "A-3-1201"},
    )
    community = StringField(
        _l("小区"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=128)],
        render_kw={"list": "community-names", "placeholder": _l("留空为默认小区")},
    )
    use = SelectField(_l("用途"), choices=use_choices(), default=HouseholdUse.RESIDENTIAL)
    building = StringField(_l("楼栋"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    unit = StringField(_l("单元"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    floor = IntegerField(_l("楼层"), validators=[Optional(), NumberRange(-10, 300)])
    room = StringField(_l("房号"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    area = StringField(_l("面积（㎡）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=16)])
    owner = StringField(_l("业主姓名"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)])
    phone = StringField(_l("联系电话"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    id_number = StringField(
        _l("身份证号"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("建档"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use.choices = use_choices()


class UserForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(_l("请填写用户名")), Length(max=64)],
        filters=STRIP,
        render_kw={"autocomplete": "off"},
    )
    display_name = StringField(_l("姓名"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)])
    role = SelectField(
        _l("角色"), choices=[choice(str(r), ROLE_NAMES_ZH[r]) for r in Role], default=Role.STAFF
    )
    password = PasswordField(
        _l("初始密码"),
        validators=[Optional(), Length(max=256)],
        render_kw={"autocomplete": "new-password", "placeholder": _l("留空则自动生成")},
    )
    submit = SubmitField(_l("添加用户"))


class ExpectedTypesForm(FlaskForm):
    """The document types every folder should hold; the checkboxes are named ``expected``."""

    submit = SubmitField(_l("保存档案目录"))


class IntakeForm(FlaskForm):
    """Scans to take in. Without a manifest every file goes to one household with the same
    metadata; with one, each row says where its file goes (the fields above are then unused).
    The view checks what depends on the manifest; the services check the values."""

    household = StringField(
        _l("户号"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=64)],
        render_kw={"list": "household-codes", "placeholder": "A-3-1201", "autocomplete": "off"},
    )
    community = StringField(
        _l("小区"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=128)],
        render_kw={"list": "community-names", "placeholder": _l("户号重复时填写")},
    )
    type_code = SelectField(_l("文件类型"), choices=[], validators=[Optional()], default="")
    title = StringField(
        _l("标题"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=256)],
        render_kw={"placeholder": _l("留空则用文件名")},
    )
    document_date = StringField(
        _l("文件日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw={"type": "date"},
    )
    retention_class = SelectField(_l("保管期限"), choices=[], validators=[Optional()], default="")
    confidential = BooleanField(_l("保密文件（仅限有权限的人员查看）"))
    files = MultipleFileField(
        _l("选择文件"),
        render_kw={
            "accept": ".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/tiff,image/jpeg,image/png"
        },
    )
    folder = MultipleFileField(_l("选择文件夹"), render_kw={"webkitdirectory": True})
    manifest = FileField(
        _l("批量清单（CSV 或 Excel，可选）"),
        render_kw={
            "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )
    split = BooleanField(_l("整叠扫描，按封面分隔页拆分归档（无需填写户号和类型）"))
    submit = SubmitField(_l("上传并入库"))

    def __init__(self, *args, type_choices: list | None = None, class_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_code.choices = [choice("", str(_l("请选择")))] + list(type_choices or [])
        self.retention_class.choices = [choice("", str(_l("按文件类型默认")))] + list(class_choices or [])


class FilingForm(FlaskForm):
    """Type, title, date, retention and confidentiality of documents to file (shared below)."""

    type_code = SelectField(_l("文件类型"), choices=[], validators=[Optional()], default="")
    title = StringField(_l("标题"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=60)])
    document_date = StringField(
        _l("文件日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw={"type": "date"},
    )
    retention_class = StringField(
        _l("保管期限"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=16)]
    )
    confidential = BooleanField(_l("保密文件"))

    def __init__(self, *args, type_choices: list | None = None, blank_type: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [choice("", blank_type)] if blank_type else []
        self.type_code.choices = blank + list(type_choices or [])


class CoverSheetForm(FilingForm):
    """打印封面: the households are the checked ``household`` boxes (ids), checked by the view."""

    back = HiddenField()
    submit = SubmitField(_l("打印封面"))


class AssignForm(FilingForm):
    """File the unfiled pages of a split stack in a household."""

    household = StringField(
        _l("户号"),
        filters=NONE_IF_BLANK,
        validators=[DataRequired(_l("请填写户号")), Length(max=64)],
        render_kw={"list": "household-codes", "autocomplete": "off"},
    )
    community = StringField(_l("小区"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)])
    submit = SubmitField(_l("归档"))


class PurposeForm(FlaskForm):
    """查阅目的: asked before a confidential document is shown (kept in the access log)."""

    purpose = StringField(
        _l("查阅目的"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写查阅目的")), Length(max=200)],
        render_kw={"placeholder": _l("例如：办理产权变更，核对业主身份"), "autocomplete": "off"},
    )
    page = HiddenField()
    q = HiddenField()
    submit = SubmitField(_l("确认并查看"))


# --- retention and destruction -------------------------------------------------------------------

DATE_INPUT = {"type": "date"}


class DueFilterForm(FlaskForm):
    """The GET filter on the due list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    as_of = StringField(
        _l("截至日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    household = StringField(_l("户号"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=64)])
    type_code = SelectField(_l("文件类型"), choices=[], validators=[Optional()], default="")
    class_code = SelectField(_l("保管期限"), choices=[], validators=[Optional()], default="")

    def __init__(self, *args, type_choices: list | None = None, class_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_code.choices = [choice("", str(_l("全部")))] + list(type_choices or [])
        self.class_code.choices = [choice("", str(_l("全部")))] + list(class_choices or [])


class ProposeForm(FlaskForm):
    """Draw up a destruction list of what the due filter shows (the filter rides along hidden)."""

    as_of = HiddenField()
    household = HiddenField()
    type_code = HiddenField()
    class_code = HiddenField()
    submit = SubmitField(_l("编制销毁清册"))


class StrikeForm(FlaskForm):
    document_id = HiddenField(validators=[DataRequired()])
    reason = StringField(
        _l("剔除理由"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写剔除理由")), Length(max=500)],
        render_kw={"placeholder": _l("如：业主要求保留、仍在使用")},
    )
    extend_years = IntegerField(
        _l("延长保管（年）"),
        validators=[Optional(), NumberRange(1, 50)],
        render_kw={"placeholder": _l("可不填")},
    )
    submit = SubmitField(_l("剔除"))


class ConfirmForm(FlaskForm):
    """A bare POST with a CSRF token (approve, execute)."""

    submit = SubmitField(_l("确认"))


class ExecuteForm(FlaskForm):
    """Execute a destruction list: its number typed again confirms it (checked by the service)."""

    confirm_number = StringField(
        _l("输入清册编号以确认"),
        filters=STRIP,
        validators=[DataRequired(_l("请输入清册编号以确认销毁")), Length(max=32)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("执行销毁"))


class PaperForm(FlaskForm):
    shredded_by = StringField(
        _l("销毁人"), filters=STRIP, validators=[DataRequired(_l("请填写销毁人")), Length(max=128)]
    )
    witness_1 = StringField(
        _l("监销人一"), filters=STRIP, validators=[DataRequired(_l("至少需要两名监销人")), Length(max=128)]
    )
    witness_2 = StringField(
        _l("监销人二"), filters=STRIP, validators=[DataRequired(_l("至少需要两名监销人")), Length(max=128)]
    )
    witness_3 = StringField(_l("监销人三"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)])
    method = StringField(
        _l("销毁方式"),
        filters=STRIP,
        default=DEFAULT_PAPER_METHOD,
        validators=[DataRequired(), Length(max=128)],
    )
    destroyed_on = StringField(
        _l("销毁日期"), filters=STRIP, validators=[DataRequired(), Length(max=DATE_MAX)], render_kw=DATE_INPUT
    )
    submit = SubmitField(_l("登记纸质原件销毁"))


class HoldForm(FlaskForm):
    household = StringField(
        _l("户号"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=64)],
        render_kw={"placeholder": "A-3-1201"},
    )
    document_id = IntegerField(_l("或文件编号"), validators=[Optional(), NumberRange(1)])
    reason = StringField(
        _l("冻结理由"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写冻结理由")), Length(max=500)],
        render_kw={"placeholder": _l("如：诉讼保全、投诉未结、产权纠纷")},
    )
    submit = SubmitField(_l("冻结（暂停销毁）"))


class ReleaseForm(FlaskForm):
    reason = StringField(_l("解除理由"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("解除冻结"))


class CloseHouseholdForm(FlaskForm):
    closed_on = StringField(
        _l("结档日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    reopen = BooleanField(_l("撤销结档（恢复在用）"))
    confirmed = HiddenField()  # set by the confirmation step before a household is closed
    submit = SubmitField(_l("保存"))


class AuditRunForm(FlaskForm):
    """Start an audit run from the auditor's page."""

    household = StringField(
        _l("业户（户号，可留空）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=64)]
    )
    sample = IntegerField(_l("抽检件数（留空为全部）"), validators=[Optional(), NumberRange(1, 100_000)])
    submit = SubmitField(_l("开始检测"))


class AccessLogFilterForm(FlaskForm):
    """The GET filter on the access log (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    user = StringField(_l("用户"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=64)])
    action = StringField(_l("操作"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    household = StringField(_l("业户"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=64)])
    document = IntegerField(_l("文件编号"), validators=[Optional(), NumberRange(1)])
    outcome = SelectField(_l("结果"), choices=[], validators=[Optional()], default="")
    date_from = StringField(
        _l("起始日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw={"type": "date"},
    )
    date_to = StringField(
        _l("截止日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw={"type": "date"},
    )
    page = IntegerField(validators=[Optional(), NumberRange(1, 1_000_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [
            choice("", str(_l("全部"))),
            choice("ok", str(_l("成功"))),
            choice("denied", str(_l("拒绝"))),
        ]


class CorrectionForm(FlaskForm):
    """更正: a document's record as it should read, and why (the view sends only what differs)."""

    title = StringField(
        _l("题名"), filters=STRIP, validators=[DataRequired(_l("请填写题名")), Length(max=256)]
    )
    type_code = SelectField(_l("文件类型"), choices=[], validators=[DataRequired()])
    document_date = StringField(
        _l("文件日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    confidential = SelectField(_l("密级"), choices=[], validators=[DataRequired()])
    retention_class = SelectField(_l("保管期限"), choices=[], validators=[DataRequired()])
    household = StringField(
        _l("业户（户号）"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写户号")), Length(max=64)],
        render_kw={"autocomplete": "off"},
    )
    community = StringField(
        _l("小区"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=128)],
        render_kw={"placeholder": _l("户号重复时填写")},
    )
    reason = StringField(
        _l("更正理由"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写更正理由")), Length(max=500)],
        render_kw={"placeholder": _l("如：题名录错、归错了户")},
    )
    submit = SubmitField(_l("保存更正"))

    def __init__(self, *args, type_choices: list, class_choices: list, levels: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.type_code.choices = type_choices
        self.retention_class.choices = class_choices
        self.confidential.choices = levels


class PaperLocationForm(FlaskForm):
    """Where the paper original is kept (柜/盒/位); all three blank: no paper original kept."""

    cabinet = StringField(_l("柜"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    box = StringField(_l("盒"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    position = StringField(_l("位"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    submit = SubmitField(_l("保存存放位置"))


# --- households: corrections (facts, parties, communities) ------------------------------------


class HouseholdEditForm(FlaskForm):
    """A household's facts as they should be, and why (the archive number is not editable)."""

    code = StringField(_l("户号"), validators=[DataRequired(_l("请填写户号")), Length(max=64)], filters=STRIP)
    community = StringField(
        _l("小区"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写小区")), Length(max=128)],
        render_kw={"list": "community-names"},
    )
    use = SelectField(_l("用途"), choices=use_choices(), default=HouseholdUse.RESIDENTIAL)
    building = StringField(_l("楼栋"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    unit = StringField(_l("单元"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    floor = StringField(_l("楼层"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=8)])
    room = StringField(_l("房号"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    area = StringField(_l("面积（㎡）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=16)])
    reason = StringField(
        _l("修改理由"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写修改理由")), Length(max=500)],
        render_kw={"placeholder": _l("如：建档时楼栋录错")},
    )
    submit = SubmitField(_l("保存修改"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.use.choices = use_choices()


class PartyForm(FlaskForm):
    """An owner, tenant or emergency contact; ``reason`` is required when editing (the view says)."""

    role = SelectField(_l("身份"), choices=[], default="owner")
    name = StringField(
        _l("姓名"), filters=STRIP, validators=[DataRequired(_l("请填写姓名")), Length(max=128)]
    )
    phone = StringField(_l("联系电话"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)])
    id_number = StringField(
        _l("身份证号"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "off"},
    )
    clear_id_number = BooleanField(_l("删除已登记的身份证号"))
    emergency_contact = StringField(
        _l("紧急联络人"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=128)]
    )
    emergency_phone = StringField(
        _l("紧急联络电话"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=32)]
    )
    since = StringField(
        _l("入住日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    until = StringField(
        _l("迁出日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    reason = StringField(_l("修改理由"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("保存"))

    def __init__(self, *args, role_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(role_choices or [])


class MoveOutForm(FlaskForm):
    on = StringField(
        _l("迁出日期"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    note = StringField(_l("说明（可不填）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("登记迁出"))


class RemovePartyForm(FlaskForm):
    reason = StringField(
        _l("删除理由"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写删除理由")), Length(max=500)],
        render_kw={"placeholder": _l("如：误录，并非本户人员")},
    )
    confirm = BooleanField(
        _l("确认删除这条登记（仅用于纠正误录；已搬走的请用“登记迁出”）"),
        validators=[DataRequired(_l("请勾选确认"))],
    )
    submit = SubmitField(_l("删除登记"))


class CommunityRenameForm(FlaskForm):
    name = StringField(
        _l("正确名称"), filters=STRIP, validators=[DataRequired(_l("请填写小区名称")), Length(max=128)]
    )
    reason = StringField(
        _l("理由（可不填）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("改名"))


class CommunityMergeForm(FlaskForm):
    """Merge one community into another; the target's name typed again confirms it."""

    target = SelectField(_l("并入小区"), choices=[], validators=[DataRequired(_l("请选择并入的小区"))])
    confirm_name = StringField(
        _l("再次输入并入小区的名称以确认"),
        filters=STRIP,
        validators=[DataRequired(_l("请输入并入小区的名称以确认")), Length(max=128)],
        render_kw={"autocomplete": "off"},
    )
    reason = StringField(
        _l("理由（可不填）"), filters=NONE_IF_BLANK, validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField(_l("合并"))

    def __init__(self, *args, target_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = [choice("", str(_l("请选择")))] + list(target_choices or [])
