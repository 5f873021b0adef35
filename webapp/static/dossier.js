// Dossier: small progressive enhancements (the pages work without them).
// Kept in a static file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Completeness bars: the width comes from data-pct (no inline styles under the CSP).
    document.querySelectorAll(".meter-bar[data-pct]").forEach(function (bar) {
      var pct = parseFloat(bar.getAttribute("data-pct"));
      if (!isFinite(pct)) { pct = 0; }
      bar.style.width = Math.max(0, Math.min(100, pct)) + "%";
    });
    // Print buttons (the certificate of destruction).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // The print view's button (the print itself was recorded when the page was served).
    var printNow = document.getElementById("print-now");
    if (printNow) { printNow.addEventListener("click", function () { window.print(); }); }
    // Open the "new household" panel when the dashboard links to it.
    if (window.location.hash === "#new-household") {
      var panel = document.getElementById("new-household");
      if (panel) { panel.open = true; }
    }
  });
})();
