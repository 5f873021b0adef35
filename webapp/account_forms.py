"""Forms of the account pages (one's own password) and of the administrator's page about a user.
Shape checks only; ``dossier.services.users`` decides what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Optional

from dossier.models import Role
from dossier.permissions import ROLE_NAMES_ZH
from webapp.forms import NONE_IF_BLANK, STRIP, choice

PASSWORD_MAX = 256


class PasswordChangeForm(FlaskForm):
    """修改密码: the current password, then the new one twice."""

    current_password = PasswordField(
        _l("当前密码"),
        validators=[DataRequired(_l("请输入当前密码")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    new_password = PasswordField(
        _l("新密码"),
        validators=[DataRequired(_l("请输入新密码")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )
    new_password_again = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(_l("请再次输入新密码")),
            EqualTo("new_password", _l("两次输入的新密码不一致")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("修改密码"))


class ProfileForm(FlaskForm):
    """A user's 姓名 and role."""

    display_name = StringField(_l("姓名"), filters=STRIP, validators=[Optional(), Length(max=128)])
    role = SelectField(_l("角色"), choices=[choice(str(r), ROLE_NAMES_ZH[r]) for r in Role])
    submit = SubmitField(_l("保存"))


class ResetPasswordForm(FlaskForm):
    """重置密码: typed by the administrator, or generated when left blank."""

    password = PasswordField(
        _l("新密码"),
        validators=[Optional(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "new-password", "placeholder": _l("留空则自动生成")},
    )
    submit = SubmitField(_l("重置密码"))


class ActiveForm(FlaskForm):
    """停用 or 启用 (``active`` is "0" or "1")."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
    submit = SubmitField(_l("确认"))


class TokenForm(FlaskForm):
    """A new API token and what it is for."""

    name = StringField(
        _l("用途"),
        filters=NONE_IF_BLANK,
        validators=[Optional(), Length(max=64)],
        render_kw={"placeholder": _l("如：物业收费系统对接"), "autocomplete": "off"},
    )
    submit = SubmitField(_l("创建令牌"))


class RevokeTokenForm(FlaskForm):
    """A bare POST with a CSRF token: revoke one token."""

    submit = SubmitField(_l("确认吊销"))
