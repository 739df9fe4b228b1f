// Playlists, enhanced: beside the player, the list shows the current video and, when a video
// ends, the next one plays (Autoplay, remembered on this device); on a playlist's page its
// owner drags rows to reorder it. Without this file the Next link, the list's links and the
// Move up / Move down buttons do all of it by hand.
(function () {
  "use strict";

  var AUTOPLAY_KEY = "video-share:playlist-autoplay";
  // The page that the next video was opened for: it starts playing when it arrives.
  var PLAY_NEXT_KEY = "video-share:play-next";

  function read(storage, key) {
    try { return window[storage].getItem(key); } catch (error) { return null; }
  }
  function write(storage, key, value) {
    try {
      if (value === null) window[storage].removeItem(key);
      else window[storage].setItem(key, value);
    } catch (error) { /* private browsing: not remembered */ }
  }

  function setUpPanel(root) {
    var panel = root.querySelector && root.querySelector("[data-playlist-panel]");
    if (!panel || panel.dataset.enhanced) return;
    panel.dataset.enhanced = "true";
    var autoplay = panel.querySelector("[data-playlist-autoplay]");
    if (autoplay) autoplay.checked = read("localStorage", AUTOPLAY_KEY) !== "off";
    // The current video in view within the list, a little below its top.
    var list = panel.querySelector("[data-playlist-list]");
    var current = panel.querySelector("[data-playlist-current]");
    if (list && current) {
      var offset = current.getBoundingClientRect().top - list.getBoundingClientRect().top;
      list.scrollTop += offset - list.clientHeight / 4;
    }
    if (read("sessionStorage", PLAY_NEXT_KEY) === location.pathname + location.search) {
      write("sessionStorage", PLAY_NEXT_KEY, null);
      var video = document.getElementById("video-player");
      // Playing as soon as it can, whichever source (HLS or MP4) it ends up loading.
      if (video) { video.autoplay = true; video.play().catch(function () {}); }
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-playlist-autoplay]")) {
      write("localStorage", AUTOPLAY_KEY, event.target.checked ? null : "off");
    }
  });

  // "ended" does not bubble: caught on its way down.
  document.addEventListener("ended", function (event) {
    if (event.target.id !== "video-player") return;
    var next = document.querySelector("[data-playlist-next]");
    var autoplay = document.querySelector("[data-playlist-autoplay]");
    if (!next || !autoplay || !autoplay.checked) return;
    var url = new URL(next.href);
    write("sessionStorage", PLAY_NEXT_KEY, url.pathname + url.search);
    next.click(); // a boosted link: the page stays the same document, so it may play
  }, true);

  // Reordering by dragging: the row lands before or after the one it is dropped on, and its
  // new place is posted as Move's `to` (from 1); the list comes back in its new order.
  var dragged = null;
  function rowAt(event) {
    var row = event.target.closest && event.target.closest(".playlist-item[draggable=true]");
    return row && dragged && row !== dragged && row.parentElement === dragged.parentElement ? row : null;
  }
  function after(row, event) {
    var box = row.getBoundingClientRect();
    return event.clientY > box.top + box.height / 2;
  }
  function clearMarks() {
    document.querySelectorAll(".playlist-item--drop-before, .playlist-item--drop-after").forEach(function (row) {
      row.classList.remove("playlist-item--drop-before", "playlist-item--drop-after");
    });
  }
  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest(".playlist-item[draggable=true]");
    if (!row) return;
    dragged = row;
    row.classList.add("playlist-item--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.video);
  });
  document.addEventListener("dragover", function (event) {
    var row = rowAt(event);
    if (!row) return;
    event.preventDefault();
    clearMarks();
    row.classList.add(after(row, event) ? "playlist-item--drop-after" : "playlist-item--drop-before");
  });
  document.addEventListener("drop", function (event) {
    var row = rowAt(event);
    if (!row) return;
    event.preventDefault();
    var others = Array.prototype.filter.call(row.parentElement.children, function (item) {
      return item !== dragged;
    });
    var place = others.indexOf(row) + (after(row, event) ? 1 : 0);
    var items = row.closest("[data-reorder-url]");
    htmx.ajax("POST", items.dataset.reorderUrl, {
      target: "#playlist-items",
      swap: "outerHTML",
      values: { video: dragged.dataset.video, to: String(place + 1) },
    });
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("playlist-item--dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("DOMContentLoaded", function () { setUpPanel(document); });
  document.addEventListener("htmx:load", function (event) { setUpPanel(event.target); });
})();
