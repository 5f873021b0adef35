"""Dossier's web app: Flask app factory, one blueprint per area, Simplified-Chinese templates.

Views are thin: they call the same service functions as the CLI (``dossier.services``) and
render what those return. See ``webapp.context`` for the per-request session and actor,
``webapp.access`` for the role checks every route carries, ``webapp.errors`` for how errors
become pages or JSON.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from dossier import localtime
from dossier.archive import Archive
from dossier.config import Settings
from dossier.keys import load_web_secret
from webapp import access, context, errors, security, sessions
from webapp.accesslog import bp as accesslog_bp
from webapp.account import bp as account_bp
from webapp.admin import bp as admin_bp
from webapp.api import bp as api_bp
from webapp.audit import bp as audit_bp
from webapp.auth import bp as auth_bp
from webapp.auth import login_manager
from webapp.corrections import bp as corrections_bp
from webapp.coversheets import bp as coversheets_bp
from webapp.documents import bp as documents_bp
from webapp.exports import bp as exports_bp
from webapp.handover import bp as handover_bp
from webapp.household_import import bp as household_import_bp
from webapp.households import bp as households_bp
from webapp.intake import bp as intake_bp
from webapp.jobs import bp as jobs_bp
from webapp.main import bp as main_bp
from webapp.paper import bp as paper_bp
from webapp.retention import bp as retention_bp
from webapp.search import bp as search_bp
from webapp.statistics import bp as statistics_bp
from webapp.templating import init_app as init_templating
from webapp.uploads import DossierRequest

DEFAULT_LOCALE = "zh_Hans_CN"
HERE = Path(__file__).parent
MAX_UPLOAD_FILES = 10_000  # multipart parts per request (files of a folder upload + fields)

csrf = CSRFProtect()
babel = Babel()


def create_app(settings: Settings | None = None, *, testing: bool = False) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.request_class = DossierRequest  # uploads spool under $DOSSIER_HOME, not in a RAM-backed /tmp
    app.config.update(
        SECRET_KEY=load_web_secret(settings),
        TESTING=testing,
        SESSION_COOKIE_NAME="dossier_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Set DOSSIER_SECURE_COOKIES=1 when the app is served over HTTPS (behind a proxy).
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the server-side session
        BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE,
        BABEL_DEFAULT_TIMEZONE=localtime.zone().key,  # DOSSIER_TIMEZONE, Beijing time by default
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
        # The intake upload's limit; every other request may carry 1 MiB (webapp.security), and
        # under waitress the limit is applied before the body is read (webapp.serving).
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,  # DOSSIER_MAX_UPLOAD_MB
        MAX_FORM_PARTS=MAX_UPLOAD_FILES,
    )
    assert isinstance(app.json, DefaultJSONProvider)
    app.json.ensure_ascii = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    app.extensions["dossier"] = Archive(settings)
    if settings.trusted_proxies:
        # The client's address and scheme as the proxies in front saw them (X-Forwarded-For/-Proto).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.trusted_proxies,
            x_proto=settings.trusted_proxies,
        )

    sessions.init_app(app, settings)  # server-side sessions in web_sessions
    context.init_app(app)
    security.init_app(app)  # body limits first: before CSRFProtect parses a body
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"])
    login_manager.init_app(app)
    init_templating(app)
    errors.register_error_handlers(app)

    for blueprint in (
        auth_bp,
        main_bp,
        search_bp,
        documents_bp,
        corrections_bp,
        households_bp,
        household_import_bp,
        exports_bp,
        intake_bp,
        coversheets_bp,
        retention_bp,
        audit_bp,
        accesslog_bp,
        admin_bp,
        account_bp,
        paper_bp,
        jobs_bp,
        statistics_bp,
        handover_bp,
        api_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens, never cookies: nothing for a forged form to ride on

    access.check_every_route_is_guarded(app)
    return app
