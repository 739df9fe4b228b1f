// Scrub previews on the watch page: a seek bar under the player that shows, under the
// pointer or while it is dragged, the frame at that moment (the video's storyboard, a WebVTT
// thumbnails track: "sheet.jpg#xywh=x,y,w,h"), its chapter and its time, and marks where each
// chapter starts (the chapters track). Moved by keyboard, it seeks and says the time. Without
// this file the bar stays hidden and the player's controls seek.
(function () {
  "use strict";

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = String(seconds % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + rest : minutes + ":" + rest;
  }

  function cueAt(track, time) {
    var cues = track.cues;
    if (!cues) return null;
    for (var index = 0; index < cues.length; index += 1) {
      if (cues[index].startTime <= time && time < cues[index].endTime) return cues[index];
    }
    return cues.length ? cues[cues.length - 1] : null;
  }

  function setUp(root) {
    var scrubber = root.querySelector && root.querySelector("[data-scrubber]");
    var video = document.getElementById("video-player");
    var boardElement = video && video.querySelector("track[data-storyboard]");
    var chaptersElement = video && video.querySelector("track[data-chapters]");
    if (!scrubber || !(boardElement || chaptersElement) || scrubber.dataset.enhanced) return;
    scrubber.dataset.enhanced = "true";
    var range = scrubber.querySelector("[data-scrubber-range]");
    var preview = scrubber.querySelector("[data-scrubber-preview]");
    var frame = scrubber.querySelector("[data-scrubber-frame]");
    var label = scrubber.querySelector("[data-scrubber-time]");
    var chapterLabel = scrubber.querySelector("[data-scrubber-chapter]");
    // Their cues load, nothing is drawn over the video.
    var board = boardElement && boardElement.track;
    if (board) board.mode = "hidden";
    var chapters = chaptersElement && chaptersElement.track;
    if (chapters) chapters.mode = "hidden";
    var total = Number(range.max) || 1;
    var pressed = false;
    scrubber.hidden = false;

    function say(time) {
      range.setAttribute(
        "aria-valuetext",
        scrubber.dataset.timeOf.replace("{at}", clock(time)).replace("{total}", clock(total)),
      );
    }

    function show(time) {
      var cue = board && cueAt(board, time);
      var chapter = chapters && cueAt(chapters, time);
      label.textContent = clock(time);
      chapterLabel.textContent = chapter ? chapter.getCueAsHTML().textContent : "";
      if (cue) {
        var parts = cue.text.trim().split("#xywh=");
        var box = (parts[1] || "0,0,0,0").split(",").map(Number);
        frame.style.backgroundImage = 'url("' + parts[0] + '")';
        frame.style.backgroundPosition = -box[0] + "px " + -box[1] + "px";
        frame.style.width = box[2] + "px";
        frame.style.height = box[3] + "px";
      }
      preview.hidden = false;
      // From the bar's start edge (its right in a right-to-left page), kept within the bar.
      var bar = range.getBoundingClientRect();
      var strip = scrubber.getBoundingClientRect();
      var rtl = getComputedStyle(range).direction === "rtl";
      var start = rtl ? strip.right - bar.right : bar.left - strip.left;
      var half = preview.getBoundingClientRect().width / 2;
      var at = Math.min(Math.max((time / total) * bar.width, half), bar.width - half);
      preview.style.insetInlineStart = start + at - half + "px";
    }

    function timeAt(event) {
      var rect = range.getBoundingClientRect();
      var fraction = (event.clientX - rect.left) / rect.width;
      if (getComputedStyle(range).direction === "rtl") fraction = 1 - fraction;
      return Math.min(Math.max(fraction, 0), 1) * total;
    }

    // Where each chapter but the first starts, over the bar.
    function mark() {
      if (!chapters || !chapters.cues || !chapters.cues.length) return;
      var old = scrubber.querySelector("[data-scrubber-marks]");
      if (old) old.remove();
      var marks = document.createElement("div");
      marks.className = "scrubber__marks";
      marks.dataset.scrubberMarks = "";
      marks.setAttribute("aria-hidden", "true");
      Array.prototype.forEach.call(chapters.cues, function (chapter) {
        if (chapter.startTime <= 0) return;
        var spot = document.createElement("span");
        spot.className = "scrubber__mark";
        spot.style.insetInlineStart = (Math.min(chapter.startTime / total, 1) * 100) + "%";
        marks.appendChild(spot);
      });
      range.after(marks);
    }
    if (chaptersElement) chaptersElement.addEventListener("load", mark);
    mark();

    range.addEventListener("pointermove", function (event) { show(timeAt(event)); });
    range.addEventListener("pointerdown", function () { pressed = true; });
    range.addEventListener("pointerup", function () { pressed = false; });
    range.addEventListener("pointerleave", function () { if (!pressed) preview.hidden = true; });
    range.addEventListener("blur", function () { preview.hidden = true; });
    range.addEventListener("input", function () {
      var time = Number(range.value);
      video.currentTime = time;
      say(time);
      show(time);
    });
    video.addEventListener("timeupdate", function () {
      if (pressed || document.activeElement === range) return;
      range.value = String(video.currentTime);
      say(video.currentTime);
    });
    say(Number(range.value));
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
