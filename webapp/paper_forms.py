"""Forms of the loan register (借阅登记) and the cabinet count (库房清点). Shape checks only:
``paper.loans`` and ``paper.inventory`` decide what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from dossier.models import LoanManner, ReminderChannel, ReturnCondition
from paper.loans import CHANNEL_NAMES_ZH, CONDITION_NAMES_ZH, MANNER_NAMES_ZH
from webapp.forms import DATE_INPUT, DATE_MAX, NONE_IF_BLANK, STRIP, choice

NOTE = {"filters": NONE_IF_BLANK, "validators": [Optional(), Length(max=500)]}


class LendForm(FlaskForm):
    """登记借阅: one line of the register."""

    document_id = IntegerField(
        _l("文件编号"),
        validators=[DataRequired(_l("请填写文件编号")), NumberRange(1, 2_000_000_000)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    borrower = StringField(
        _l("借阅人"), filters=STRIP, validators=[DataRequired(_l("请填写借阅人")), Length(max=128)]
    )
    unit = StringField(
        _l("单位或户号"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=128)],
        render_kw={"placeholder": _l("如：工程部、A-3-1201")},
    )
    purpose = StringField(
        _l("借阅目的"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写借阅目的")), Length(max=200)],
        render_kw={"placeholder": _l("如：办理产权变更")},
    )
    manner = SelectField(
        _l("借阅方式"), choices=[choice(str(m), MANNER_NAMES_ZH[m]) for m in LoanManner], default="take"
    )
    due = StringField(
        _l("应还日期"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写应还日期")), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    approved_by = SelectField(_l("批准人"), choices=[], validators=[Optional()], default="")
    approver_password = PasswordField(
        _l("批准人密码"),
        validators=[Optional(), Length(max=256)],
        render_kw={"autocomplete": "off", "placeholder": _l("指定批准人时，由批准人输入")},
    )
    note = StringField(_l("备注"), **NOTE)
    submit = SubmitField(_l("登记借阅"))

    def __init__(self, *args, approver_choices: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.approved_by.choices = [choice("", str(_l("无需批准（普通文件）")))] + list(
            approver_choices or []
        )


class RenewForm(FlaskForm):
    due = StringField(
        _l("新的应还日期"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写新的应还日期")), Length(max=DATE_MAX)],
        render_kw=DATE_INPUT,
    )
    note = StringField(_l("续借说明"), **NOTE)
    submit = SubmitField(_l("续借"))


class ReturnForm(FlaskForm):
    condition = RadioField(
        _l("归还查验"),
        choices=[choice(str(c), CONDITION_NAMES_ZH[c]) for c in ReturnCondition],
        validators=[DataRequired(_l("请选择归还查验结果：完好、缺页或损坏"))],
    )
    note = StringField(_l("查验说明"), **NOTE)
    submit = SubmitField(_l("登记归还"))


class RemindForm(FlaskForm):
    channel = SelectField(
        _l("催还方式"),
        choices=[choice(str(c), CHANNEL_NAMES_ZH[c]) for c in ReminderChannel],
        default="phone",
    )
    note = StringField(_l("催还记录"), **NOTE)
    submit = SubmitField(_l("登记催还"))


class CountForm(FlaskForm):
    """登记清点 of one cabinet: the ``missing`` boxes are the shelf's documents (set by the view)."""

    cabinet = HiddenField(validators=[DataRequired(), Length(max=32)])
    month = StringField(
        _l("清点月份"),
        filters=STRIP,
        validators=[DataRequired(_l("请填写清点月份")), Length(max=7)],
        render_kw={"type": "month"},
    )
    missing = SelectMultipleField(
        _l("未找到"), choices=[], coerce=int, validate_choice=False, validators=[Optional()]
    )
    extra = TextAreaField(
        _l("多出的物品（每行一件；台账上的文件写 #编号）"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3, "placeholder": _l("如：#128\n无标签的装修押金收据一张")},
    )
    note = StringField(_l("备注"), **NOTE)
    submit = SubmitField(_l("登记清点结果"))

    def __init__(self, *args, shelf_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.missing.choices = [choice(str(i), str(i)) for i in shelf_ids or []]


class ResolveForm(FlaskForm):
    note = StringField(
        _l("处理说明"),
        filters=STRIP,
        validators=[DataRequired(_l("请说明差异如何处理")), Length(max=500)],
        render_kw={"placeholder": _l("如：已在 B-03 盒找到并归位")},
    )
    submit = SubmitField(_l("处理"))
