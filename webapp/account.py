"""Accounts: every signed-in user changes their own password (修改密码, ``account.password``).

After a change every web session of the user ends, this one included, and they sign in again
with the new password: that proves the new password works, and a session someone else may have
opened with the old one cannot outlive it. The change (or a wrong current password) is in the
access log. Administrators manage other users on the 系统管理 pages (``webapp.admin``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from dossier.errors import DossierError, PermissionDenied
from dossier.services.users import MIN_PASSWORD_LENGTH, change_own_password
from webapp.access import requires_login
from webapp.account_forms import PasswordChangeForm
from webapp.context import actor, db, discard_changes
from webapp.errors import user_message

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(form: PasswordChangeForm, status: int = 200):
    return render_template("account/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status


@bp.route("/password", methods=["GET", "POST"])
@requires_login
def password():
    form = PasswordChangeForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, 400)
    try:
        change_own_password(db(), actor(), form.current_password.data, form.new_password.data)
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _page(form, exc.http_status)
    logout_user()
    session.clear()  # this session's row goes as the response leaves (the others are gone already)
    flash(_("密码已修改，请用新密码重新登录。"), "success")
    return redirect(url_for("auth.login"))
