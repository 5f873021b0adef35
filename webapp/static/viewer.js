// Dossier: the document viewer's page image (zoom, turn, the query's marks) and the print view's
// print log. The pages work without it: the image then shows at the column's width, unmarked.
// Kept in a static file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var STEP = 1.25;
  var MIN_ZOOM = 0.1;
  var MAX_ZOOM = 5;

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // --- the page image ---------------------------------------------------------------------
  function initViewer() {
    var stage = document.getElementById("page-stage");
    var img = document.getElementById("page-preview");
    if (!stage || !img) { return; }
    var frame = stage.querySelector(".page-frame");
    var sheet = stage.querySelector(".page-sheet");
    var marks = document.getElementById("page-marks");
    var level = document.getElementById("zoom-level");
    var state = { fit: true, zoom: 1, rotate: 0, shown: 1 };

    // The query's matches: rectangles in percent of the image (no text comes with them).
    var boxes = [];
    try { boxes = JSON.parse(marks.getAttribute("data-boxes") || "[]"); } catch (e) { boxes = []; }
    boxes.forEach(function (b) {
      var mark = document.createElement("div");
      mark.className = "page-mark";
      mark.style.left = b[0] + "%";
      mark.style.top = b[1] + "%";
      mark.style.width = b[2] + "%";
      mark.style.height = b[3] + "%";
      marks.appendChild(mark);
    });

    function fitZoom() {
      var sideways = state.rotate % 180 !== 0;
      var width = sideways ? img.naturalHeight : img.naturalWidth;
      var room = stage.clientWidth - 2;
      return width > 0 && room > 0 ? room / width : 1;
    }

    function layout() {
      if (!img.naturalWidth) { return; }
      // Keep the middle of what is in view in the middle.
      var cx = stage.scrollWidth > stage.clientWidth ? (stage.scrollLeft + stage.clientWidth / 2) / stage.scrollWidth : 0.5;
      var cy = stage.scrollHeight > stage.clientHeight ? (stage.scrollTop + stage.clientHeight / 2) / stage.scrollHeight : 0.5;
      var zoom = state.fit ? fitZoom() : state.zoom;
      var w = img.naturalWidth * zoom;
      var h = img.naturalHeight * zoom;
      var sideways = state.rotate % 180 !== 0;
      var fw = sideways ? h : w;
      var fh = sideways ? w : h;
      frame.style.width = fw + "px";
      frame.style.height = fh + "px";
      sheet.style.width = w + "px";
      sheet.style.height = h + "px";
      sheet.style.left = (fw - w) / 2 + "px";
      sheet.style.top = (fh - h) / 2 + "px";
      sheet.style.transform = "rotate(" + state.rotate + "deg)";
      state.shown = zoom;
      stage.scrollLeft = cx * stage.scrollWidth - stage.clientWidth / 2;
      stage.scrollTop = cy * stage.scrollHeight - stage.clientHeight / 2;
      if (level) { level.textContent = Math.round(zoom * 100) + "%"; }
      stage.setAttribute("data-zoom", zoom.toFixed(3));
      stage.setAttribute("data-rotate", String(state.rotate));
    }

    function zoomBy(factor) {
      state.zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, state.shown * factor));
      state.fit = false;
      layout();
    }

    function turn(degrees) {
      state.rotate = (state.rotate + degrees + 360) % 360;
      layout();
    }

    function act(button) {
      var zoom = button.getAttribute("data-zoom");
      if (zoom === "in") { zoomBy(STEP); } else if (zoom === "out") { zoomBy(1 / STEP); } else if (zoom === "fit") { state.fit = true; layout(); }
      var rotate = button.getAttribute("data-rotate");
      if (rotate) { turn(parseInt(rotate, 10)); }
    }

    document.querySelectorAll("#viewer-tools [data-zoom], #viewer-tools [data-rotate], #zoom-level").forEach(function (el) {
      el.hidden = false;
      if (el.tagName === "BUTTON") { el.addEventListener("click", function () { act(el); }); }
    });
    stage.classList.add("js-stage");
    stage.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key;
      if (key === "+" || key === "=") { zoomBy(STEP); } else if (key === "-" || key === "_") { zoomBy(1 / STEP); } else if (key === "0") { state.fit = true; layout(); } else if (key === "r" || key === "R") { turn(90); } else if (key === "l" || key === "L") { turn(-90); } else { return; }
      event.preventDefault();
    });
    window.addEventListener("resize", function () { if (state.fit) { layout(); } });
    if (img.complete && img.naturalWidth) { layout(); } else { img.addEventListener("load", layout); }
  }

  // --- the print view: the print is logged when the browser starts printing -----------------
  function initPrint() {
    var form = document.getElementById("print-form");
    if (!form) { return; }
    var status = document.getElementById("print-status");
    var recorded = false;

    function say(which) {
      if (status && status.getAttribute(which)) { status.textContent = status.getAttribute(which); }
    }

    function record() {
      if (recorded) { return; }
      recorded = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        keepalive: true
      }).then(function (response) {
        say(response.ok ? "data-done" : "data-failed");
      }).catch(function () { say("data-failed"); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      recorded = false;
      record();
      window.print();
    });
    // The browser's own print command (Ctrl+P, the menu) logs the print too, once per print.
    window.addEventListener("beforeprint", record);
    window.addEventListener("afterprint", function () { recorded = false; });
  }

  ready(function () {
    initViewer();
    initPrint();
  });
})();
