"""Scanning intake (扫描入库): upload scans, follow a batch while OCR runs, list the batches.

The upload goes through the same service as ``dossier ingest``: the files are saved to a
private folder under ``$DOSSIER_HOME/uploads`` (see ``webapp.uploads``), handed to
``ingest.intake.intake`` with ``source="web"``, queued for processing, and the folder is
deleted. Nothing waits for OCR: the batch page polls for progress.

With its script the page asks ``/intake/check`` about the household and type before sending the
files, and sends them itself (with a progress bar); the upload then answers in JSON (where to go
next, or why not) so a refusal leaves the chosen files in the page. Without the script the form
posts as usual and the answers are pages.
"""

from __future__ import annotations

import io
import math
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import Field

from dossier.dates import parse_date
from dossier.errors import DossierError, NotFound, PermissionDenied
from dossier.permissions import Permission
from dossier.services.folders import list_document_types
from dossier.services.households import community_names
from ingest import manifests
from ingest.intake import IntakeRequest, batch_document_ids, batch_report, display_name, intake
from ingest.names import check_destination
from ingest.queue import enqueue_documents
from ingest.split import assign_unfiled
from ingest.stackpages import unfiled_page_image
from retention.classes import list_classes
from webapp import batches as batch_pages
from webapp import uploads
from webapp.access import requires
from webapp.context import actor, archive, db, discard_changes
from webapp.errors import api_error, user_message
from webapp.forms import AssignForm, IntakeForm, choice

bp = Blueprint("intake", __name__)

PAGE_SIZE = 25
NAMES = {
    "STATUS_NAMES": batch_pages.STATUS_NAMES_ZH,
    "STATE_NAMES": batch_pages.BATCH_STATE_NAMES_ZH,
    "SOURCE_NAMES": batch_pages.SOURCE_NAMES_ZH,
}


def _form(**kwargs: Any) -> IntakeForm:
    types = [choice(t.code, t.name) for t in list_document_types(db())]
    classes = [choice(c.code, f"{c.code} {c.name}") for c in list_classes(db())]
    return IntakeForm(type_choices=types, class_choices=classes, **kwargs)


def _sent_by_script() -> bool:
    """The page's script sent the upload (and wants JSON, not a page, in answer)."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _json_refusal(form: IntakeForm, status: int) -> ResponseReturnValue:
    """What the script shows without reloading the page: the reasons (flashed ones taken back
    from the session, so they do not appear on the next page) and the fields they concern."""
    fields = {name: str(errors[0]) for name, errors in form.errors.items() if errors}
    messages = [str(m) for m in get_flashed_messages()]
    if not messages:
        messages = [_("请修改标出的项目后再上传。")] if fields else [_("上传未完成，请重试。")]
    response = jsonify(ok=False, error="".join(messages), fields=fields)
    response.status_code = status
    return response


def _render_form(form: IntakeForm, status: int = 200) -> ResponseReturnValue:
    if status >= 400 and _sent_by_script():
        return _json_refusal(form, status)
    session = db()
    return render_template(
        "intake/upload.html",
        form=form,
        households=batch_pages.household_choices(session),
        community_names=community_names(session),
        max_upload_bytes=current_app.config.get("MAX_CONTENT_LENGTH") or 0,
    ), status


def _refuse(form: IntakeForm, exc: DossierError, field: Field | None = None) -> ResponseReturnValue:
    """A mistake in the form: say so, keep what was typed, create nothing."""
    if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
        raise exc
    discard_changes()
    if field is not None:
        field.errors = list(field.errors) + [user_message(exc)]
    else:
        flash(user_message(exc), "error")
    return _render_form(form, 400)


@bp.get("/intake")
@requires(Permission.MANAGE_RECORDS)
def upload_form() -> ResponseReturnValue:
    form = _form(
        formdata=None,
        data={
            "household": (request.args.get("household") or "").strip()[:64] or None,
            "community": (request.args.get("community") or "").strip()[:128] or None,
        },
    )
    return _render_form(form)


@bp.post("/intake")
@requires(Permission.MANAGE_RECORDS)
def upload() -> ResponseReturnValue:
    form = _form()
    if not form.validate_on_submit():
        return _render_form(form, 400)
    files = uploads.chosen(form.files.data) + uploads.chosen(form.folder.data, skip_hidden=True)
    manifest = form.manifest.data if form.manifest.data and form.manifest.data.filename else None
    session, who, data = db(), actor(), form.data
    split = bool(data["split"])
    if split and manifest is not None:
        flash(_("按封面拆分时，封面已说明每份文件的归属，请不要同时上传批量清单。"), "error")
        return _render_form(form, 400)
    if manifest is None and not split:
        # One household and type for every file: check them before anything is saved.
        if not data["household"]:
            form.household.errors = [_("请填写户号，或上传批量清单。")]
        if not data["type_code"]:
            form.type_code.errors = [_("请选择文件类型。")]
    if not files:
        flash(_("请选择要上传的扫描文件（可多选，或选择整个文件夹）。"), "error")
    if not files or form.household.errors or form.type_code.errors:
        return _render_form(form, 400)

    common: dict[str, Any] = {}
    if manifest is None and not split:
        # The same check the page's script asks for before sending (``check``).
        checked = check_destination(
            session,
            who,
            household=data["household"],
            community=data["community"],
            type_code=data["type_code"],
            document_date=data["document_date"],
        )
        if not checked.ok:
            for name, message in checked.errors.items():
                form[name].errors = list(form[name].errors) + [message]
            return _render_form(form, 400)
        document_date = parse_date(data["document_date"])
        common = dict(
            household=data["household"],
            community=data["community"],
            type_code=data["type_code"],
            title=data["title"],
            document_date=document_date,
            confidential=bool(data["confidential"]),
        )

    label = display_name(manifest.filename) if manifest is not None else _folder_label(form)
    folder = uploads.new_upload_folder(archive().settings)
    try:
        saved = uploads.save_uploads(folder, files)
        if manifest is not None:
            try:
                specs = uploads.manifest_specs(folder, manifest, saved)
            except DossierError as exc:
                return _refuse(form, exc)
        elif split:
            specs = uploads.plain_specs(saved, split=True)
        else:
            specs = uploads.plain_specs(saved, **common)
        # The form's class is the batch's: a manifest row's own class wins (the service's rule);
        # split stacks follow their cover sheets.
        wanted = IntakeRequest(
            specs,
            source="web",
            label=label,
            retention_class=None if split else data["retention_class"] or None,
        )
        try:
            batch = intake(archive(), session, who, wanted)
        except DossierError as exc:  # the batch's class: refused before anything is stored
            return _refuse(form, exc)
        document_ids = batch_document_ids(session, batch.id)
    finally:
        uploads.remove_upload_folder(folder)  # the originals are in the store now (or refused)

    if document_ids:
        _enqueue(batch.id, document_ids)
    report = batch_report(session, batch.id, lang="zh")
    duplicates = sum(1 for d in report["documents"] if d["status"] == "duplicate")
    rejected = sum(1 for d in report["documents"] if d["status"] == "rejected")
    parts = [_("%(n)d 个已入库待识别", n=len(document_ids))] if document_ids else []
    if duplicates:
        parts.append(_("%(n)d 个重复", n=duplicates))
    if rejected:
        parts.append(_("%(n)d 个被拒收", n=rejected))
    unfiled = sum(1 for d in report["documents"] if d["status"] == "unfiled")
    if unfiled:
        parts.append(_("%(n)d 段页面待归档", n=unfiled))
    flash(
        _(
            "批次 %(id)d：收到 %(n)d 个文件，%(parts)s。",
            id=batch.id,
            n=len(report["documents"]),
            parts="，".join(parts),
        ),
        "warning" if rejected or unfiled else "success",
    )
    target = url_for("intake.batch", batch_id=batch.id)
    if _sent_by_script():
        return jsonify(ok=True, redirect=target)
    return redirect(target)


@bp.get("/intake/check")
@requires(Permission.MANAGE_RECORDS)
def check() -> ResponseReturnValue:
    """Whether the household and type the form names can be used, asked by the page before it
    sends the files: ``{"ok": true}`` or ``{"ok": false, "error": ..., "fields": {...}}``."""
    args = {key: (request.args.get(key) or "").strip()[:128] or None for key in _CHECKED}
    result = check_destination(db(), actor(), **args)
    if result.ok:
        return jsonify(ok=True, household=result.household, type_name=result.type_name)
    return jsonify(ok=False, error="".join(result.errors.values()), fields=result.errors)


_CHECKED = ("household", "community", "type_code", "document_date", "retention_class")


@bp.get("/intake/manifest-template.<any(csv, xlsx):kind>")
@requires(Permission.MANAGE_RECORDS)
def manifest_template(kind: str) -> ResponseReturnValue:
    """The batch manifest template (批量清单模板), with Chinese headers and example rows."""
    if kind == "csv":
        data, media_type = manifests.template_csv(), "text/csv; charset=utf-8"
    else:
        session = db()
        types = [(t.code, t.name) for t in list_document_types(session)]
        classes = [(c.code, c.name) for c in list_classes(session)]
        data, media_type = manifests.template_xlsx(types, classes), manifests.XLSX_MEDIA_TYPE
    return send_file(
        io.BytesIO(data), mimetype=media_type, as_attachment=True, download_name=f"批量清单模板.{kind}"
    )


def _enqueue(batch_id: int, document_ids: list[int]) -> None:
    try:
        enqueue_documents(archive().settings, document_ids)
    except Exception:  # noqa: BLE001 - the catalog says "queued"; the worker's sweep re-queues
        current_app.logger.exception("batch %s: queueing %d document(s) failed", batch_id, len(document_ids))
        flash(_("文件已入库，但暂时无法加入处理队列；后台处理服务恢复后会自动处理。"), "error")


def _folder_label(form: IntakeForm) -> str | None:
    """The chosen folder's name, as a label for the batch (None without a folder)."""
    for storage in uploads.chosen(form.folder.data, skip_hidden=True):
        parts = uploads.client_parts(storage.filename or "")
        if len(parts) > 1:
            return parts[0]
    return None


@bp.get("/intake/batches")
@requires(Permission.MANAGE_RECORDS)
def batches() -> ResponseReturnValue:
    page = request.args.get("page", type=int) or 1
    page = max(1, min(page, 100_000))
    total, rows = batch_pages.list_batches(db(), PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return render_template(
        "intake/batches.html",
        batches=rows,
        total=total,
        page=page,
        pages=pages,
        counted=batch_pages.COUNTED,
        **NAMES,
    )


def _assign_form(**kwargs: Any) -> AssignForm:
    """The form filing unfiled pages: the type starts empty and must be chosen (the first type
    in the list is 购房合同, kept permanently: not a default to fall into)."""
    types = [choice(t.code, t.name) for t in list_document_types(db())]
    return AssignForm(type_choices=types, blank_type=_("请选择文件类型"), **kwargs)


def _render_batch(batch_id: int, assign_form: AssignForm | None = None, status: int = 200) -> tuple[str, int]:
    session = db()
    summary, files = batch_pages.batch_files(session, batch_id)
    progress = batch_pages.batch_progress(archive(), session, batch_id)
    unfiled = any(f["status"] == "unfiled" for f in files)
    return render_template(
        "intake/batch.html",
        batch=summary,
        files=files,
        progress=progress,
        assign_form=(assign_form or _assign_form(formdata=None)) if unfiled else None,
        households=batch_pages.household_choices(session) if unfiled else [],
        **NAMES,
    ), status


@bp.get("/intake/batches/<int:batch_id>")
@requires(Permission.MANAGE_RECORDS)
def batch(batch_id: int) -> ResponseReturnValue:
    return _render_batch(batch_id)


@bp.post("/intake/batches/<int:batch_id>/items/<int:item_id>/assign")
@requires(Permission.MANAGE_RECORDS)
def assign(batch_id: int, item_id: int) -> ResponseReturnValue:
    """File unfiled pages of a split stack in the household and type the archivist names."""
    form = _assign_form()
    batch_pages.get_batch(db(), batch_id)
    if not form.validate_on_submit() or not form.type_code.data:
        if not form.type_code.data:
            form.type_code.errors = list(form.type_code.errors) + [_("请选择文件类型。")]
        flash(_("请填写户号并选择文件类型。"), "error")
        return _render_batch(batch_id, form, 400)
    data = form.data
    try:
        doc = assign_unfiled(
            archive(),
            db(),
            actor(),
            item_id,
            household=data["household"],
            community=data["community"],
            type_code=data["type_code"],
            title=data["title"],
            document_date=parse_date(data["document_date"]),
            confidential=bool(data["confidential"]),
            retention_class=data["retention_class"],
            batch_id=batch_id,
        )
    except DossierError as exc:
        if isinstance(exc, PermissionDenied) or exc.http_status >= 500:
            raise
        discard_changes()
        flash(user_message(exc), "error")
        return _render_batch(batch_id, form, 400)
    _enqueue(batch_id, [doc.id])
    flash(
        _(
            "已归档为文件 #%(id)d（档号 %(no)s），归入 %(code)s，等待文字识别。",
            id=doc.id,
            no=doc.archive_no,
            code=doc.household.code,
        )
        if doc.archive_no
        else _("已归档为文件 #%(id)d，归入 %(code)s，等待文字识别。", id=doc.id, code=doc.household.code),
        "success",
    )
    return redirect(url_for("intake.batch", batch_id=batch_id))


@bp.get("/intake/batches/<int:batch_id>/items/<int:item_id>/pages/<int:number>.png")
@requires(Permission.MANAGE_RECORDS)
def unfiled_page(batch_id: int, item_id: int, number: int) -> ResponseReturnValue:
    """One unfiled page of a split stack as a small image, to see what is being filed."""
    image = unfiled_page_image(archive(), db(), actor(), batch_id, item_id, number)
    response = Response(image, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/intake/batches/<int:batch_id>/progress")
@requires(Permission.MANAGE_RECORDS)
def progress(batch_id: int) -> ResponseReturnValue:
    try:
        return jsonify(batch_pages.batch_progress(archive(), db(), batch_id))
    except NotFound as exc:
        return api_error(404, exc.text)
