"""Errors end in a clear sentence, never a traceback.

``DossierError`` → its ``http_status``: the API answers ``{"code", "error" (English), "error_zh"}``
from the message catalog; the web flashes the Chinese message and goes back (forms) or shows a
Chinese error page. Permission refusals never
say what was missing. 5xx answers carry no internals (the message goes to the server log).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dossier.catalog import CATALOG, Text
from dossier.errors import DossierError, PermissionDenied
from dossier.services.access import record_forbidden
from webapp.context import actor, db, discard_changes, is_api_request
from webapp.security import SMALL_BODY_BYTES, UPLOAD_ENDPOINTS


def status_title(code: int) -> str:
    titles = {
        400: _("请求有误"),
        401: _("需要登录"),
        403: _("无权访问"),
        404: _("页面不存在"),
        405: _("不支持的请求方式"),
        409: _("记录已存在"),
        413: _("提交的内容过大"),
        429: _("请求过于频繁"),
        500: _("系统内部错误"),
        503: _("服务暂不可用"),
    }
    return titles.get(code, _("请求未完成"))


def _upload_limit_text() -> str:
    if request.endpoint not in UPLOAD_ENDPOINTS:  # every other request: the small limit
        return _("提交的内容超过了 %(mb)d MB 的限制。", mb=SMALL_BODY_BYTES // (1024 * 1024))
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    parts = current_app.config.get("MAX_FORM_PARTS")
    if limit and request.endpoint == "handover.import_package":
        return _(
            "移交包不能超过 %(mb)d MB。更大的范围请让移交方按户或按小区分别生成移交包，逐个接收。",
            mb=limit // (1024 * 1024),
        )
    if not limit:
        return _("提交的内容超过了系统允许的大小。请分批上传。")
    return _(
        "一次上传的文件合计不能超过 %(mb)d MB（最多约 %(n)d 个文件）。请减少文件数量，分批上传。",
        mb=limit // (1024 * 1024),
        n=parts or 1000,
    )


def status_explanation(code: int) -> str:
    if code == 413:
        return _upload_limit_text()
    texts = {
        403: _("您的角色无权使用此页面。如需访问，请联系管理处经理。"),
        404: _("您要找的页面或记录不存在，可能已被移动或删除。"),
        405: _("此页面不接受这种请求方式。"),
        429: _("请稍后再试。"),
        500: _("系统处理请求时出错，请稍后重试；问题持续时请联系系统管理员。"),
        503: _("系统暂时无法完成请求，请稍后重试；问题持续时请联系系统管理员。"),
    }
    return texts.get(code, "")


def user_message(exc: DossierError) -> str:
    """The sentence shown to a web user: the catalog's Chinese text."""
    return exc.render("zh")


def safe_referrer() -> str | None:
    ref = request.referrer
    if not ref:
        return None
    parts = urlsplit(ref)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def error_page(code: int, message: str | None = None):
    return render_template(
        "error.html", code=code, title=status_title(code), message=message or status_explanation(code)
    ), code


def api_error(code: int, message: Text | None = None):
    """A JSON error: the message code, its English text (``error``) and its Chinese (``error_zh``)."""
    message = message or Text(f"http.{code}" if f"http.{code}" in CATALOG else "http.error")
    response = jsonify(code=message.code, error=message.en, error_zh=message.zh)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dossier"'
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DossierError)
    def _dossier_error(exc: DossierError):
        discard_changes()
        code = exc.http_status
        if isinstance(exc, PermissionDenied):
            record_forbidden(db(), actor(), f"{request.method} {request.path}")
            return api_error(403) if is_api_request() else error_page(403)
        if code >= 500:
            g._dossier_failed = True
            app.logger.error("request %s %s failed: %s", request.method, request.path, exc.message)
            return api_error(code) if is_api_request() else error_page(code)
        if is_api_request():
            return api_error(code, exc.text)
        if request.method == "POST":
            back = safe_referrer()
            if back:
                flash(user_message(exc), "error")
                return redirect(back)
        return error_page(code, user_message(exc))

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        discard_changes()
        if is_api_request():
            return api_error(400, Text("http.csrf"))
        return error_page(400, _("安全校验失败：表单已过期或缺少校验码。请返回并刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        if code >= 400:
            discard_changes()
        if is_api_request():
            response = api_error(code)
            if code == 405 and exc.get_response().headers.get("Allow"):
                response.headers["Allow"] = exc.get_response().headers["Allow"]
            return response
        if code < 400:
            return exc
        return error_page(code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        g._dossier_failed = True
        discard_changes()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return api_error(500) if is_api_request() else error_page(500)
