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

  // The times a person enters (when a video is published) are in their own time zone: the
  // browser's, told to the server in this cookie (video_share/timezones.py).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("vs_tz=" + encodeURIComponent(zone)) === -1) {
      document.cookie = "vs_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax" +
        (location.protocol === "https:" ? "; Secure" : "");
    }
  } catch (error) { /* no Intl: the site's time zone */ }
  document.addEventListener("htmx:load", function (event) { hideNoJs(event.target); });

  // Search as you type, but not from one stray letter, and never by pulling the page away
  // from a video that is playing: there, Enter searches.
  function isTyping(triggeringEvent) {
    return Boolean(triggeringEvent) && triggeringEvent.type === "input";
  }
  // The address of the history entry that typing made, while it is the current one.
  var typedEntry = null;
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.search-box")) return;
    // History: while typing, the results change the address in place. A new entry comes only
    // when leaving a page that typing did not make (where the typing began, or a search that
    // was submitted), so Back goes there rather than through every pause; Enter or the button
    // keeps the typed search as it stands, and the next typing starts a new entry.
    var inPlace = typedEntry === location.pathname + location.search;
    form.setAttribute("hx-push-url", String(!inPlace));
    form.setAttribute("hx-replace-url", String(inPlace));
    var typed = isTyping(event.detail.triggeringEvent);
    if (!typed) return;
    var query = form.querySelector("input[name=q]").value.trim();
    var video = document.getElementById("video-player");
    var playing = video && !video.paused && !video.ended;
    var onSearchPage = location.pathname.indexOf("/search") === 0;
    if (playing || (!onSearchPage && query.length < 2)) event.preventDefault();
  });

  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var config = event.detail.requestConfig;
    var typed = config && config.elt.matches("form.search-box") && isTyping(config.triggeringEvent);
    typedEntry = typed ? event.detail.history.path : null;
    // A new address is a new page: the messages of the one before go (a new body brings its own).
    document.querySelectorAll(".messages .message").forEach(function (message) { message.remove(); });
  });

  // Messages can be dismissed one by one.
  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".message").remove();
  });

  // A field's error described what was in it before: it goes as soon as the field changes.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.getAttribute) return;
    (field.getAttribute("aria-describedby") || "").split(/\s+/).forEach(function (id) {
      var described = id && document.getElementById(id);
      if (described && described.classList.contains("field__errors")) described.replaceChildren();
    });
    var wrapper = field.closest(".field--invalid");
    if (wrapper) wrapper.classList.remove("field--invalid");
    field.removeAttribute("aria-invalid");
  });

  // On a phone the search field waits behind an icon; the icon opens it in the header, and
  // Escape in it puts it away again. (Without JavaScript the icon is a link to the search page,
  // where the field is open.)
  function setSearchOpen(toggle, open) {
    toggle.closest(".site-header").classList.toggle("site-header--searching", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open) document.getElementById("site-search").focus();
    else toggle.focus();
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-search-toggle]");
    if (toggle) setSearchOpen(toggle, toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.target.id !== "site-search") return;
    var toggle = document.querySelector("[data-search-toggle]");
    // Only where the icon is shown (a phone); Escape would also empty the field.
    if (!toggle || !toggle.getClientRects().length) return;
    event.preventDefault();
    setSearchOpen(toggle, false);
  });

  // Copy buttons ([data-copy] names the field): the field's value goes to the clipboard, and
  // the nearest [data-copy-status] says so. Without the clipboard API (a page not served over
  // HTTPS) the field is selected and copied the old way. Without JavaScript the buttons stay
  // hidden and the fields are there to select.
  function copyStatus(button) {
    for (var scope = button.parentElement; scope; scope = scope.parentElement) {
      var status = scope.querySelector("[data-copy-status]");
      if (status) return status;
    }
    return null;
  }
  function announce(status) {
    if (!status) return;
    // Emptied first, so that copying twice is announced twice.
    status.textContent = "";
    setTimeout(function () { status.textContent = status.dataset.copyStatus; }, 50);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = copyStatus(button);
    function copyBySelection() {
      field.focus();
      field.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      if (copied) announce(status);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { announce(status); }, copyBySelection);
    } else {
      copyBySelection();
    }
  });

  // Pop-ups: the account menu and Share are <details> (they open without JavaScript); the
  // bell's panel is filled by htmx and named by its button's aria-controls. They all close the
  // same way: Escape (the keyboard goes back to their button), a click elsewhere (opening
  // another one included), following a link inside, or tabbing out.
  function popupButton(popup) {
    return popup.querySelector(popup.matches("details") ? ":scope > summary" : "[aria-controls]");
  }
  function popupPanel(popup) {
    return document.getElementById(popupButton(popup).getAttribute("aria-controls"));
  }
  function isOpen(popup) {
    return popup.matches("details") ? popup.open : !popupPanel(popup).hidden;
  }
  function closePopup(popup, focus) {
    if (popup.matches("details")) {
      popup.open = false;
    } else {
      popupPanel(popup).hidden = true;
      popupButton(popup).setAttribute("aria-expanded", "false");
    }
    if (focus) popupButton(popup).focus();
  }
  function openPopups() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-popup]"), isOpen);
  }
  document.addEventListener("click", function (event) {
    openPopups().forEach(function (popup) {
      var onButton = popupButton(popup).contains(event.target);
      if (onButton && !popup.matches("details")) {
        // As a <summary> does: a second click closes it (rather than loading it again).
        event.preventDefault();
        event.stopPropagation();
        closePopup(popup, false);
      } else if (!popup.contains(event.target) || (!onButton && event.target.closest("a"))) {
        closePopup(popup, false);
      }
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openPopups().forEach(function (popup) { closePopup(popup, true); });
  });
  document.addEventListener("focusout", function (event) {
    var to = event.relatedTarget;
    openPopups().forEach(function (popup) {
      if (to && popup.contains(event.target) && !popup.contains(to)) closePopup(popup, false);
    });
  });

  // The bell's panel opens once htmx has filled it.
  function bellPanel() { return document.getElementById("bell-panel"); }
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
})();
