"""Sign in and out (Flask-Login). Every attempt is recorded in the access log; a failure never
says whether the username or the password was wrong."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, login_user, logout_user

from dossier.actor import Actor
from dossier.models import User
from dossier.services.access import record_access
from dossier.services.users import authenticate
from webapp.access import public, requires_login
from webapp.context import WebUser, actor, anonymous_actor, db, principal, session_tag
from webapp.forms import LoginForm, LogoutForm
from webapp.security import LoginThrottle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.session_protection = "strong"
THROTTLE = "dossier.login_throttle"


def login_throttle() -> LoginThrottle:
    """The app's failed-login counter (one per app, in memory)."""
    return current_app.extensions.setdefault(THROTTLE, LoginThrottle())


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
    wait = throttle.retry_after(username, address)
    if wait:
        record_access(db(), anonymous_actor(), "login", detail=f"{username} (throttled)"[:200], outcome="denied")
        flash(_("登录失败次数过多，请 %(minutes)d 分钟后再试。", minutes=math.ceil(wait / 60)), "error")
        return render_template("auth/login.html", form=form), 429

    user = authenticate(db(), username, form.password.data)
    if user is None:
        throttle.failed(username, address)
        record_access(db(), anonymous_actor(), "login", detail=username, outcome="denied")
        flash(_("用户名或密码错误"), "error")
        return render_template("auth/login.html", form=form)

    throttle.succeeded(username, address)
    web_user = WebUser(user)
    session.clear()                      # a fresh session for the signed-in user
    login_user(web_user)
    session.permanent = True             # PERMANENT_SESSION_LIFETIME (8 hours)
    record_access(db(), Actor.from_user(web_user, "web", address), "login", detail=username)
    return redirect(safe_next(form.next.data) or url_for("main.dashboard"))


@bp.post("/logout")
@requires_login
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.dashboard"))
    record_access(db(), actor(), "logout", detail=actor().username)
    logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))
