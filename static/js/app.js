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

  // Search as you type, but not from one stray letter, and never by pulling the page away
  // from a video that is playing: there, Enter searches.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.search-box")) return;
    var typed = event.detail.triggeringEvent && event.detail.triggeringEvent.type === "input";
    if (!typed) return;
    var query = form.querySelector("input[name=q]").value.trim();
    var video = document.getElementById("video-player");
    var playing = video && !video.paused && !video.ended;
    var onSearchPage = location.pathname.indexOf("/search") === 0;
    if (playing || (!onSearchPage && query.length < 2)) event.preventDefault();
  });

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

  // The bell's dropdown. htmx loads it into the panel; a second click, a click elsewhere,
  // Escape or leaving the page closes it. Without JavaScript the bell is a plain link.
  function bellPanel() { return document.getElementById("bell-panel"); }
  function closeBell(focus) {
    var panel = bellPanel();
    var button = document.getElementById("bell-button");
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  }
  document.addEventListener("click", function (event) {
    var panel = bellPanel();
    if (!panel) return;
    var button = document.getElementById("bell-button");
    if (button.contains(event.target) && !panel.hidden) {
      // Open: this click closes it instead of loading it again.
      event.preventDefault();
      event.stopPropagation();
      closeBell(false);
    } else if (!panel.contains(event.target) && !button.contains(event.target)) {
      closeBell(false);
    } else if (panel.contains(event.target) && event.target.closest("a")) {
      closeBell(false);
    }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeBell(true);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = bellPanel();
    if (panel && event.detail.target === panel) {
      var reopened = !panel.hidden;
      panel.hidden = false;
      document.getElementById("bell-button").setAttribute("aria-expanded", "true");
      // After "Mark all as read" inside it, keep the keyboard in the panel.
      if (reopened) panel.querySelector("h2").focus();
    }
  });
  // Tabbing out of the dropdown closes it.
  document.addEventListener("focusout", function (event) {
    var bell = document.getElementById("bell");
    var panel = bellPanel();
    if (!bell || !panel || panel.hidden) return;
    if (event.relatedTarget && !bell.contains(event.relatedTarget)) closeBell(false);
  });
})();
