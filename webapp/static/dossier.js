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
    // The document print view's button: static/viewer.js (it logs the print when printed).
    // Forms that ask first: data-confirm names a <dialog> on the page (its text and buttons are
    // the page's); its button with value="ok" sends the form, any other closes it.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      var dialog = document.getElementById(form.getAttribute("data-confirm"));
      if (!dialog || typeof dialog.showModal !== "function") { return; }
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-confirmed") === "1") { return; }
        event.preventDefault();
        dialog.returnValue = "";
        dialog.showModal();
      });
      dialog.addEventListener("close", function () {
        if (dialog.returnValue === "ok") { form.setAttribute("data-confirmed", "1"); form.submit(); }
      });
    });
    // The phone menu (a popover, base.html; it opens and closes without script): closed when
    // the window grows past phone width, where the nav sits in the bar again.
    var menu = document.getElementById("mainmenu");
    if (menu && typeof menu.hidePopover === "function" && window.matchMedia) {
      var phone = window.matchMedia("(max-width: 720px)");
      if (phone.addEventListener) {
        phone.addEventListener("change", function () {
          if (!phone.matches && menu.matches(":popover-open")) { menu.hidePopover(); }
        });
      }
    }
    // Open the "new household" panel when the dashboard links to it.
    if (window.location.hash === "#new-household") {
      var panel = document.getElementById("new-household");
      if (panel) { panel.open = true; }
    }
  });
})();
