// Small progressive enhancements; the site works without this file.
(function () {
  "use strict";

  // Buttons only needed without JavaScript (e.g. "Apply" beside filters that apply by
  // themselves) are hidden once this file runs.
  function hideNoJs(root) {
    root.querySelectorAll("[data-no-js]").forEach(function (element) { element.hidden = true; });
    // And controls that need it are shown.
    root.querySelectorAll("[data-js-only]").forEach(function (element) { element.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { hideNoJs(document); });
  document.addEventListener("htmx:load", function (event) { hideNoJs(event.target); });

  // Close the account menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
