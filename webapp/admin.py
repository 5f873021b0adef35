"""Administration (管理处经理): users and the folder catalog's expected document types.

Each user has a page (``admin.user``): 姓名 and role, reset password, disable / enable, the last
sign-ins from the access log, and API tokens (create, list, revoke). A generated password or a
new token is shown once, in the response to the POST that made it, never in a redirect or the
session. The rules (who may, the last administrator) are the service's (``dossier.services.users``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier.errors import DossierError, PermissionDenied
from dossier.models import Role
from dossier.permissions import ROLE_NAMES_ZH, Permission
from dossier.services.folders import list_document_types, set_expected
from dossier.services.users import (
    add_user,
    issue_token,
    list_tokens,
    list_users,
    recent_logins,
    revoke_token,
    set_active,
    set_password,
    set_profile,
    user_for_admin,
)
from webapp.access import requires
from webapp.account_forms import ActiveForm, ProfileForm, ResetPasswordForm, RevokeTokenForm, TokenForm
from webapp.context import actor, db, discard_changes
from webapp.errors import user_message
from webapp.forms import ExpectedTypesForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _render(user_form: UserForm | None = None, status: int = 200, generated: dict | None = None):
    session, who = db(), actor()
    return render_template(
        "admin/index.html",
        users=list_users(session, who),
        user_form=user_form or UserForm(formdata=None),
        types_form=ExpectedTypesForm(formdata=None),
        document_types=list_document_types(session),
        generated=generated,
    ), status


@bp.get("")
@requires(Permission.ADMIN)
def index():
    return _render()


@bp.post("/users")
@requires(Permission.ADMIN)
def add_user_view():
    form = UserForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    try:
        user, generated = add_user(
            db(),
            actor(),
            form.username.data,
            form.role.data,
            form.password.data or None,
            form.display_name.data,
        )
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render(form, exc.http_status)
    role_name = ROLE_NAMES_ZH.get(user.role, user.role)
    if generated:
        # Shown once, in this response only (never put in the session cookie or a redirect).
        return _render(generated={"username": user.username, "password": generated, "role": role_name})
    flash(_("已添加用户 %(name)s（%(role)s）。", name=user.username, role=role_name), "success")
    return redirect(url_for("admin.index"))


@bp.post("/document-types")
@requires(Permission.ADMIN)
def expected_types():
    form = ExpectedTypesForm()
    if not form.validate_on_submit():
        return _render(status=400)
    session, who = db(), actor()
    wanted = set(request.form.getlist("expected"))
    known = {t.code: t for t in list_document_types(session)}
    changed = 0
    # Unknown codes go to the service, which refuses them with a clear message.
    for code in sorted(wanted - known.keys()):
        set_expected(session, who, code, True)
    for code, row in known.items():
        if (code in wanted) != row.expected:
            set_expected(session, who, code, code in wanted)
            changed += 1
    flash(
        _("档案目录已保存（%(n)d 项有变动）。", n=changed) if changed else _("档案目录没有变动。"), "success"
    )
    return redirect(url_for("admin.index") + "#catalog")


# --- one user ------------------------------------------------------------------------------------

RECENT_LOGINS = 8


def _user_page(username: str, status: int = 200, *, secret: dict | None = None, **forms):
    """The page about one user; ``forms`` replaces a blank form by the one just submitted."""
    session, who = db(), actor()
    target = user_for_admin(session, who, username)
    profile = ProfileForm(
        formdata=None, data={"display_name": target.display_name or "", "role": target.role}
    )
    return render_template(
        "admin/user.html",
        target=target,
        is_self=target.id == who.user_id,
        logins=recent_logins(session, who, username, RECENT_LOGINS),
        tokens=list_tokens(session, who, username),
        profile_form=forms.get("profile_form") or profile,
        reset_form=forms.get("reset_form") or ResetPasswordForm(formdata=None),
        token_form=forms.get("token_form") or TokenForm(formdata=None),
        active_form=ActiveForm(formdata=None, data={"active": "1" if not target.active else "0"}),
        revoke_form=RevokeTokenForm(formdata=None),
        secret=secret,
    ), status


def _refused(username: str, exc: DossierError, **forms):
    """A change the service refused: nothing of it is kept; the page again with the reason."""
    if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
        raise exc
    discard_changes()
    flash(user_message(exc), "error")
    return _user_page(username, exc.http_status, **forms)


def _back(username: str, anchor: str = ""):
    return redirect(url_for("admin.user", username=username) + anchor)


@bp.get("/users/<username>")
@requires(Permission.ADMIN)
def user(username: str):
    return _user_page(username)


@bp.post("/users/<username>/profile")
@requires(Permission.ADMIN)
def user_profile(username: str):
    form = ProfileForm()
    if not form.validate_on_submit():
        return _user_page(username, 400, profile_form=form)
    try:
        changes = set_profile(
            db(), actor(), username, display_name=form.display_name.data, role=form.role.data
        )
    except DossierError as exc:
        return _refused(username, exc, profile_form=form)
    if not changes:
        flash(_("没有变动。"), "info")
        return _back(username)
    flash(_("已保存 %(name)s 的姓名和角色。", name=username), "success")
    if "role" in changes and username == actor().username and form.role.data != Role.ADMIN:
        return redirect(url_for("main.dashboard"))  # no longer an administrator: this page is closed
    return _back(username)


@bp.post("/users/<username>/password")
@requires(Permission.ADMIN)
def user_password(username: str):
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(username, 400, reset_form=form)
    try:
        generated = set_password(db(), actor(), username, form.password.data or None)
    except DossierError as exc:
        return _refused(username, exc, reset_form=form)
    if generated:
        return _user_page(username, secret={"kind": "password", "value": generated})
    flash(_("已重置 %(name)s 的密码；其已登录的会话均已退出。", name=username), "success")
    return _back(username)


@bp.post("/users/<username>/active")
@requires(Permission.ADMIN)
def user_active(username: str):
    form = ActiveForm()
    if not form.validate_on_submit():
        return _user_page(username, 400)
    active = form.active.data == "1"
    try:
        set_active(db(), actor(), username, active)
    except DossierError as exc:
        return _refused(username, exc)
    if active:
        flash(_("已启用用户 %(name)s。", name=username), "success")
    else:
        flash(_("已停用用户 %(name)s：其登录已退出，API 令牌已全部吊销。", name=username), "success")
    return _back(username)


@bp.post("/users/<username>/tokens")
@requires(Permission.ADMIN)
def user_token_create(username: str):
    form = TokenForm()
    if not form.validate_on_submit():
        return _user_page(username, 400, token_form=form)
    try:
        token = issue_token(db(), actor(), username, form.name.data)
    except DossierError as exc:
        return _refused(username, exc, token_form=form)
    return _user_page(username, secret={"kind": "token", "value": token})


@bp.post("/users/<username>/tokens/<int:token_id>/revoke")
@requires(Permission.ADMIN)
def user_token_revoke(username: str, token_id: int):
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        return _user_page(username, 400)
    try:
        row = revoke_token(db(), actor(), username, token_id)
    except DossierError as exc:
        return _refused(username, exc)
    flash(_("已吊销令牌 %(prefix)s…。", prefix=row.prefix), "success")
    return _back(username, "#tokens")
