// Dossier: the intake pages' enhancements (the plain form and the plain report work without them).
// Upload page: drag and drop, a list of what was chosen, a size check and a check of the household
// and type before sending, then the upload itself with a progress bar (see webapp/intake.py).
// Batch page: polls the batch's progress every 2 s while documents wait or are being read.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function formatSize(bytes) {
    if (bytes >= 1073741824) { return (bytes / 1073741824).toFixed(1) + " GB"; }
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1) + " MB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KB"; }
    return bytes + " B";
  }

  function isHidden(path) {
    return path.split("/").some(function (part) { return part.charAt(0) === "."; });
  }

  // --- upload page ------------------------------------------------------------------------
  function setupUpload(form) {
    var zone = document.getElementById("dropzone");
    var filesInput = document.getElementById("files");
    var folderInput = document.getElementById("folder");
    var picked = document.getElementById("picked");
    var summary = document.getElementById("picked-summary");
    var list = document.getElementById("picked-list");
    var clear = document.getElementById("picked-clear");
    var submit = document.getElementById("intake-submit");
    var note = document.getElementById("submit-note");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    if (!zone || !filesInput || !folderInput) { return; }

    zone.classList.add("enhanced");
    zone.querySelectorAll(".picker-button").forEach(function (label) { label.classList.add("btn"); });

    function chosen() {
      var out = [];
      Array.prototype.forEach.call(filesInput.files || [], function (f) { out.push({ file: f, path: f.name }); });
      Array.prototype.forEach.call(folderInput.files || [], function (f) {
        var path = f.webkitRelativePath || f.name;
        if (!isHidden(path)) { out.push({ file: f, path: path }); }
      });
      return out;
    }

    function tooBig(total) { return maxBytes > 0 && total > maxBytes; }

    function render() {
      var items = chosen();
      var total = items.reduce(function (sum, it) { return sum + it.file.size; }, 0);
      list.textContent = "";
      if (!items.length) {
        picked.hidden = true;
        zone.classList.remove("has-files");
        submit.disabled = false;
        return;
      }
      picked.hidden = false;
      zone.classList.add("has-files");
      summary.textContent = "已选择 " + items.length + " 个文件，合计 " + formatSize(total);
      summary.classList.toggle("over", tooBig(total));
      if (tooBig(total)) {
        summary.textContent += "，超过单次上限 " + formatSize(maxBytes) + "，请分批上传";
      }
      submit.disabled = tooBig(total);
      items.slice(0, 200).forEach(function (it) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.className = "picked-name";
        name.textContent = it.path;
        var size = document.createElement("span");
        size.className = "picked-size muted";
        size.textContent = formatSize(it.file.size);
        li.appendChild(name);
        li.appendChild(size);
        list.appendChild(li);
      });
      if (items.length > 200) {
        var more = document.createElement("li");
        more.className = "muted";
        more.textContent = "……另有 " + (items.length - 200) + " 个文件";
        list.appendChild(more);
      }
    }

    filesInput.addEventListener("change", render);
    folderInput.addEventListener("change", render);
    clear.addEventListener("click", function () {
      filesInput.value = "";
      folderInput.value = "";
      render();
    });

    // Dropped folders are walked (hidden files skipped) and their files join the file input.
    function readEntries(entry, prefix, out) {
      return new Promise(function (resolve) {
        if (entry.isFile) {
          entry.file(function (file) { out.push(file); resolve(); }, function () { resolve(); });
          return;
        }
        var reader = entry.createReader();
        var entries = [];
        (function next() {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              Promise.all(entries.filter(function (e) { return e.name.charAt(0) !== "."; })
                .map(function (e) { return readEntries(e, prefix + entry.name + "/", out); })).then(resolve);
              return;
            }
            entries = entries.concat(Array.prototype.slice.call(batch));
            next();
          }, function () { resolve(); });
        })();
      });
    }

    function addFiles(files) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(filesInput.files || [], function (f) { dt.items.add(f); });
      files.forEach(function (f) { dt.items.add(f); });
      filesInput.files = dt.files;
      render();
    }

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!zone.contains(event.relatedTarget)) { zone.classList.remove("dragging"); }
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
      var items = event.dataTransfer.items;
      var entries = [];
      if (items && items.length && items[0].webkitGetAsEntry) {
        Array.prototype.forEach.call(items, function (item) {
          var entry = item.kind === "file" ? item.webkitGetAsEntry() : null;
          if (entry && entry.name.charAt(0) !== ".") { entries.push(entry); }
        });
      }
      if (entries.length) {
        var out = [];
        Promise.all(entries.map(function (e) { return readEntries(e, "", out); })).then(function () { addFiles(out); });
      } else {
        addFiles(Array.prototype.slice.call(event.dataTransfer.files || []));
      }
    });

    var submitLabel = submit.textContent;
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { setBusy(false); render(); }   // back from the batch page
    });

    // Before a large upload is sent: the household and type are checked (no files sent), then the
    // files go by XMLHttpRequest with a progress bar; a refusal is shown here and the chosen files
    // stay chosen. Without files (nothing to lose) or without the script, the form posts as usual.
    var checkUrl = form.getAttribute("data-check-url");
    var errorBox = document.getElementById("intake-error");
    var progressBox = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var barLabel = document.getElementById("upload-label");
    var noteText = note ? note.textContent : "";
    var sending = false;

    function setBusy(busy, text) {
      sending = busy;
      submit.disabled = busy;
      submit.textContent = busy ? (text || "正在上传…") : submitLabel;
      if (!busy) {
        if (progressBox) { progressBox.hidden = true; }
        if (note) { note.textContent = noteText; }
      }
    }

    function clearErrors() {
      if (errorBox) { errorBox.hidden = true; errorBox.textContent = ""; }
      form.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
      form.querySelectorAll(".field.has-error").forEach(function (el) { el.classList.remove("has-error"); });
    }

    function showErrors(message, fields) {
      Object.keys(fields || {}).forEach(function (name) {
        var input = form.elements[name];
        var box = input && input.closest ? input.closest(".field") : null;
        if (!box) { return; }
        box.classList.add("has-error");
        var p = document.createElement("p");
        p.className = "field-error";
        p.textContent = fields[name];
        box.appendChild(p);
      });
      if (errorBox) {
        errorBox.textContent = message + " 已选择的文件仍保留，改正后可直接重新上传。";
        errorBox.hidden = false;
        errorBox.scrollIntoView({ block: "center" });
      }
    }

    function usesForm() {   // without a manifest or a split stack, the form says where files go
      var manifest = form.elements.manifest;
      var split = document.getElementById("split");
      return !(manifest && manifest.files && manifest.files.length) && !(split && split.checked);
    }

    function precheck() {
      if (!checkUrl || !usesForm() || !window.fetch) { return Promise.resolve({ ok: true }); }
      var params = new URLSearchParams();
      ["household", "community", "type_code", "document_date", "retention_class"].forEach(function (name) {
        var input = form.elements[name];
        if (input && input.value) { params.set(name, input.value); }
      });
      return fetch(checkUrl + "?" + params.toString(), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store"
      }).then(function (response) {
        if (!response.ok) { return { ok: true }; }   // the upload itself will say what is wrong
        return response.json();
      }).catch(function () { return { ok: true }; });
    }

    function errorPageText(xhr) {
      try {
        var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
        var card = doc.querySelector(".error-card");
        if (card) {
          var title = card.querySelector("h1");
          var detail = card.querySelector("p.muted");
          return (title ? title.textContent.trim() : "") + (detail ? "：" + detail.textContent.trim() : "");
        }
      } catch (e) { /* fall through */ }
      return "";
    }

    function send(items, total) {
      var data = new FormData(form);
      data.delete("folder");   // sent again below with each file's path inside the folder
      Array.prototype.forEach.call(folderInput.files || [], function (f) {
        data.append("folder", f, f.webkitRelativePath || f.name);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      if (progressBox) { progressBox.hidden = false; }
      if (bar) { bar.value = 0; }
      if (barLabel) { barLabel.textContent = "0 / " + formatSize(total); }
      if (note) {
        note.textContent = "正在上传 " + items.length + " 个文件（" + formatSize(total) + "），请勿关闭或刷新本页。";
      }
      setBusy(true, "正在上传…");
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable || !bar) { return; }
        var percent = Math.min(100, Math.round(100 * event.loaded / event.total));
        bar.value = percent;
        if (barLabel) {
          barLabel.textContent = formatSize(Math.min(event.loaded, total)) + " / " + formatSize(total) +
            "（" + percent + "%）";
        }
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) { bar.removeAttribute("value"); }   // indeterminate: the server is storing the files
        if (barLabel) { barLabel.textContent = "已上传，正在保存并检查文件…"; }
        submit.textContent = "正在保存…";
      });
      xhr.addEventListener("load", function () {
        var body = null;
        if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        }
        if (body && body.ok && body.redirect) { window.location.assign(body.redirect); return; }
        setBusy(false);
        if (body && body.error) { showErrors(body.error, body.fields); return; }
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL.split("?")[0] !== form.action) {
          window.location.assign(xhr.responseURL);   // sent elsewhere (the sign-in page, say)
          return;
        }
        showErrors(errorPageText(xhr) || ("上传未完成（错误 " + xhr.status + "），请重试。"), {});
      });
      xhr.addEventListener("error", function () {
        setBusy(false);
        showErrors("网络中断，上传未完成。", {});
      });
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      var items = chosen();
      var total = items.reduce(function (sum, it) { return sum + it.file.size; }, 0);
      if (tooBig(total)) { event.preventDefault(); render(); return; }
      if (!items.length || !window.FormData || !window.XMLHttpRequest) {
        // Nothing chosen (nothing to lose): the server answers with the form and the reasons.
        window.setTimeout(function () { submit.disabled = true; submit.textContent = "正在提交…"; }, 0);
        return;
      }
      event.preventDefault();
      if (sending) { return; }
      clearErrors();
      setBusy(true, "正在检查…");
      precheck().then(function (result) {
        if (result && result.ok === false) {
          setBusy(false);
          showErrors(result.error || "归档信息有误。", result.fields);
          return;
        }
        send(items, total);
      });
    });
    render();
  }

  // --- batch page -------------------------------------------------------------------------
  var STATUS_CLASSES = ["st-indexed", "st-queued", "st-processing", "st-duplicate", "st-rejected", "st-failed",
    "st-destroyed"];

  function setupBatch(overall) {
    var url = overall.getAttribute("data-progress-url");
    if (!url || overall.getAttribute("data-final") === "1") { return; }
    var failures = 0;
    var timer = null;

    function updateRow(row, doc) {
      var badge = row.querySelector("[data-role=status]");
      if (badge && row.getAttribute("data-status") !== doc.status) {
        STATUS_CLASSES.forEach(function (c) { badge.classList.remove(c); });
        badge.classList.add("st-" + doc.status);
        badge.textContent = doc.status_name;
        row.setAttribute("data-status", doc.status);
      }
      var cell = row.querySelector("[data-role=progress]");
      var pages = row.querySelector("[data-role=pages]");
      if (doc.page_count && pages) { pages.textContent = doc.page_count; }
      if (!cell) { return; }
      if (doc.final) {
        cell.textContent = "";
        var mark = document.createElement("span");
        mark.className = doc.status === "indexed" ? "done-mark" : "muted";
        mark.textContent = doc.status === "indexed" ? "完成" : "—";
        cell.appendChild(mark);
        return;
      }
      var bar = cell.querySelector("progress");
      var label = cell.querySelector(".bar-label");
      if (bar) {
        if (doc.page_count) {
          bar.max = doc.page_count;
          bar.value = doc.pages_done;
        } else if (doc.status === "processing") {
          bar.removeAttribute("value");     // indeterminate: the pages are being counted
        }
      }
      if (label) {
        label.textContent = doc.page_count ? (doc.pages_done + " / " + doc.page_count + " 页") : "等待识别";
      }
    }

    function updateOverall(data) {
      var bar = document.getElementById("overall-progress");
      var label = document.getElementById("overall-label");
      var o = data.overall;
      if (bar) { bar.value = o.percent; bar.textContent = o.percent + "%"; }
      if (label) {
        label.textContent = "识别进度 " + o.done + " / " + o.documents + " 个文件" +
          (o.page_count ? "，" + o.pages_done + " / " + o.page_count + " 页" : "");
      }
    }

    function updateCounts() {
      var counts = {};
      document.querySelectorAll("tr.file-row").forEach(function (row) {
        var status = row.getAttribute("data-status");
        counts[status] = (counts[status] || 0) + 1;
      });
      document.querySelectorAll(".count-chip[data-count]").forEach(function (chip) {
        var n = counts[chip.getAttribute("data-count")] || 0;
        chip.hidden = n === 0;
        chip.querySelector("strong").textContent = n;
      });
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          document.querySelectorAll("tr[data-doc-id]").forEach(function (row) {
            var doc = data.documents[row.getAttribute("data-doc-id")];
            if (doc) { updateRow(row, doc); }
          });
          updateOverall(data);
          updateCounts();
          if (data.final) {
            // Every file is done: show the final report (errors, low-resolution warnings).
            window.location.reload();
            return;
          }
          timer = window.setTimeout(poll, 2000);
        })
        .catch(function () {
          failures += 1;
          if (failures < 5) { timer = window.setTimeout(poll, 2000 * failures); }
        });
    }
    timer = window.setTimeout(poll, 2000);
  }

  ready(function () {
    var form = document.getElementById("intake-form");
    if (form) { setupUpload(form); }
    var overall = document.getElementById("overall");
    if (overall) { setupBatch(overall); }
  });
})();
