// Dossier: background jobs' progress cards (audit runs, destruction). The card is drawn by the
// server; while its job is queued or running this polls GET /jobs/<id> (JSON) every 1.5 s and
// moves the bar. A card marked data-job-reload reloads its page when the job ends. Also: a button
// waiting for a confirmation typed again (data-must-match).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function part(card, role) { return card.querySelector("[data-role=" + role + "]"); }

  function show(el, text) {
    if (!el) { return; }
    el.textContent = text || "";
    el.hidden = !text;
  }

  function render(card, job) {
    card.setAttribute("data-job-status", job.status);
    card.className = card.className.replace(/\bjob-(queued|running|done|failed)\b/, "job-" + job.status);
    var status = part(card, "status");
    if (status) {
      status.textContent = job.status_name;
      status.className = "badge job-status st-" + job.status;
    }
    var bar = part(card, "bar");
    if (bar) {
      if (job.percent === null || job.percent === undefined) { bar.removeAttribute("value"); }
      else { bar.value = job.percent; }
    }
    var count = part(card, "count");
    if (count) { count.textContent = job.total === null ? "" : job.done + " / " + job.total; }
    var message = part(card, "message");
    if (message) {
      var failed = job.status === "failed";
      var prefix = failed ? card.getAttribute("data-failed-prefix") || "" : "";
      show(message, job.message ? prefix + job.message : "");
      message.classList.toggle("error-text", failed);
    }
    show(part(card, "note"), job.note);
    if (job.finished) {
      var live = part(card, "live");
      if (live) { live.hidden = true; }
      var result = part(card, "result");
      if (result && job.result_url) {
        result.href = job.result_url;
        result.textContent = job.result_label;
        result.hidden = false;
      }
    }
  }

  function watch(card) {
    var url = card.getAttribute("data-job-url");
    var failures = 0;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (job) {
          failures = 0;
          render(card, job);
          if (!job.finished) { window.setTimeout(poll, 1500); return; }
          if (card.getAttribute("data-job-reload") === "1") { window.location.reload(); }
        })
        .catch(function () {
          failures += 1;
          if (failures < 10) { window.setTimeout(poll, 1500 * failures); }
        });
    }
    window.setTimeout(poll, 1000);
  }

  ready(function () {
    // A confirmation typed again (the list's number before destruction): the button waits for
    // it to match (the server checks it too).
    document.querySelectorAll("input[data-must-match]").forEach(function (input) {
      var button = input.form && input.form.querySelector("button[type=submit]");
      if (!button) { return; }
      function check() { button.disabled = input.value.trim() !== input.getAttribute("data-must-match"); }
      input.addEventListener("input", check);
      check();
    });
    document.querySelectorAll("[data-job-url]").forEach(function (card) {
      var status = card.getAttribute("data-job-status");
      if (status === "queued" || status === "running") { watch(card); }
    });
  });
})();
