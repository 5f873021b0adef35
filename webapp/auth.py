"""Sign in and out (Flask-Login). Every attempt is recorded in the access log; a failure never
says whether the username or the password was wrong.

The session lives on the server (``webapp.sessions``): signing in starts a new one under a new
id, signing out deletes it. Attempts are throttled by address and by name (``webapp.security``);
a name that is not a user's is logged only as a short keyed hash (it may be a password typed
into the wrong box).
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, login_user, logout_user

from dossier.actor import Actor
from dossier.models import User
from dossier.services.access import record_login, record_logout
from dossier.services.users import authenticate, username_exists
from webapp.access import public, requires_login
from webapp.context import WebUser, actor, anonymous_actor, archive, db, principal, session_tag
from webapp.forms import LoginForm, LogoutForm
from webapp.security import LoginThrottle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.session_protection = "strong"
THROTTLE = "dossier.login_throttle"


def login_throttle() -> LoginThrottle:
    """The app's sign-in throttle (its counts live in the catalog; the object holds the key)."""
    throttle = current_app.extensions.get(THROTTLE)
    if throttle is None:
        throttle = current_app.extensions[THROTTLE] = LoginThrottle.for_archive(archive())
    return throttle


def _logged_name(username: str) -> str:
    """The name as the access log keeps it: a user's name as typed, any other only as a hash."""
    return username if username_exists(db(), username) else login_throttle().label(username)


@login_manager.user_loader
def load_user(user_id: str) -> WebUser | None:
    raw_id, _sep, tag = (user_id or "").partition(".")
    try:
        uid = int(raw_id)
    except ValueError:
        return None
    user = db().get(User, uid)
    # A deactivated user, or one whose password changed since this session began, is signed out.
    if user is None or not user.active or session_tag(user) != tag:
        return None
    return WebUser(user)


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site (never another host), else None."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if principal() is not None:
        return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), (400 if request.method == "POST" else 200)

    username = form.username.data
    address = request.remote_addr
    throttle = login_throttle()
    wait = throttle.retry_after(db(), username, address)
    if wait:
        record_login(db(), anonymous_actor(), f"{_logged_name(username)} (throttled)", refused=True)
        flash(_("登录失败次数过多，请 %(minutes)d 分钟后再试。", minutes=math.ceil(wait / 60)), "error")
        return render_template("auth/login.html", form=form), 429

    user = authenticate(db(), username, form.password.data)
    if user is None:
        throttle.failed(db(), username, address)
        record_login(db(), anonymous_actor(), _logged_name(username), refused=True)
        flash(_("用户名或密码错误"), "error")
        return render_template("auth/login.html", form=form)

    throttle.succeeded(db(), username, address)
    web_user = WebUser(user)
    session.clear()  # a new server-side session, under a new id, for this user
    login_user(web_user)  # not permanent: Flask-Login's strong protection applies
    record_login(db(), Actor.from_user(web_user, "web", address), username)
    return redirect(safe_next(form.next.data) or url_for("main.dashboard"))


@bp.post("/logout")
@requires_login
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.dashboard"))
    record_logout(db(), actor())
    logout_user()
    session.clear()  # the session's row is deleted as the response leaves
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))
