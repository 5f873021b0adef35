"""Administration (管理处经理): users and the folder catalog's expected document types."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dossier.errors import DossierError, PermissionDenied
from dossier.permissions import ROLE_NAMES_ZH, Permission
from dossier.services.folders import list_document_types, set_expected
from dossier.services.users import add_user, list_users
from webapp.access import requires
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
