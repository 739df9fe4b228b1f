// The watch page player, enhanced: adaptive streaming (HLS, through the vendored hls.js where
// the browser has Media Source Extensions) with the quality "Auto" or as chosen, quality choice
// that keeps the position, subtitles and chapters, keyboard shortcuts, timestamp links that
// seek, Share with the current time, the view beacon and resume. Without this file the <video>
// still plays (HLS where the browser plays it itself, else the MP4 sources), its own controls
// offer the subtitles, ?t= and ?quality= still work.
(function () {
  "use strict";

  var QUALITY_KEY = "video-share:quality";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, data) {
    var token = csrfToken();
    if (!token) return;
    fetch(url, {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
      keepalive: true,
    }).catch(function () {});
  }

  function sources(video) {
    return Array.prototype.map.call(video.querySelectorAll("source[data-quality]"), function (source) {
      return {
        label: source.dataset.quality,
        height: Number(source.dataset.height),
        width: Number(source.dataset.width),
        url: source.getAttribute("src").split("#")[0],
      };
    });
  }

  var AUTO = "auto";
  // What hls.js needs of the browser, for our H.264/AAC renditions.
  var HLS_CODECS = 'video/mp4; codecs="avc1.640028,mp4a.40.2"';

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      if (window.Hls) return resolve();
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // HLS through hls.js: the quality follows the network ("Auto") unless one is chosen; the
  // menu and a remembered choice work as with the MP4 sources. Returns false (and plays the
  // MP4 sources) where hls.js cannot run.
  function setUpHls(video, list, wanted, select) {
    var source = video.querySelector("source[data-hls]");
    var supported = source && video.dataset.hlsScript && window.MediaSource &&
      MediaSource.isTypeSupported(HLS_CODECS);
    if (!supported) return false;
    video.dataset.quality = AUTO;
    loadScript(video.dataset.hlsScript).then(function () {
      if (!window.Hls || !Hls.isSupported()) return fallBack();
      var start = Number(video.dataset.start || 0);
      var hls = new Hls({
        startPosition: start || -1,
        // No sharper than the player shows, and 12 s ahead rather than 30: a student on
        // mobile data who stops early has not paid for much more, and a change in the
        // network is followed sooner.
        capLevelToPlayerSize: true,
        maxBufferLength: 12,
      });
      video.hls = hls;
      function levelOf(label) {
        var choice = list.find(function (s) { return s.label === label; });
        return choice ? hls.levels.findIndex(function (level) {
          return level.width === choice.width && level.height === choice.height;
        }) : -1;
      }
      function apply(label) {
        var level = label && label !== AUTO ? levelOf(label) : -1;
        hls.currentLevel = level;
        video.dataset.quality = level < 0 ? AUTO : label;
        if (select) select.value = video.dataset.quality;
      }
      hls.on(Hls.Events.MANIFEST_PARSED, function () { apply(wanted); });
      // Which rendition plays now (for the curious, and for tests).
      hls.on(Hls.Events.LEVEL_SWITCHED, function (event, data) {
        video.dataset.playing = String(hls.levels[data.level].height);
      });
      hls.on(Hls.Events.ERROR, function (event, data) {
        if (data.fatal) fallBack();
      });
      hls.loadSource(source.src);
      hls.attachMedia(video);
      if (select) {
        select.addEventListener("change", function (event) {
          localStorage.setItem(QUALITY_KEY, event.target.value);
          if (video.hls) apply(event.target.value);
        });
      }
    }, fallBack);

    function fallBack() {
      var time = video.currentTime;
      if (video.hls) video.hls.destroy();
      video.hls = null;
      video.removeAttribute("src");
      video.dataset.quality = "";
      source.remove();
      if (select) {
        var auto = select.querySelector('option[value="auto"]');
        if (auto) auto.remove();
      }
      var choice = list.find(function (s) { return s.label === wanted; }) || bestFit(video, list);
      video.dataset.start = String(time || video.dataset.start || 0);
      switchTo(video, choice, false);
      mp4Menu(video, list, select);
    }
    return true;
  }

  function mp4Menu(video, list, select) {
    if (!select || select.dataset.mp4) return;
    select.dataset.mp4 = "true";
    select.addEventListener("change", function (event) {
      var choice = list.find(function (s) { return s.label === event.target.value; });
      if (!choice) return;
      localStorage.setItem(QUALITY_KEY, choice.label);
      switchTo(video, choice, true);
    });
  }

  function bestFit(video, list) {
    // The smallest rendition at least as tall as the player on this screen, else the largest.
    var needed = (video.clientHeight || 360) * (window.devicePixelRatio || 1);
    var fitting = list.filter(function (s) { return s.height >= needed; });
    fitting.sort(function (a, b) { return a.height - b.height; });
    return fitting[0] || list.slice().sort(function (a, b) { return b.height - a.height; })[0];
  }

  function switchTo(video, choice, keepTime, resume) {
    if (!choice || video.dataset.quality === choice.label) return;
    var time = keepTime ? video.currentTime : Number(video.dataset.start || 0);
    var wasPlaying = resume === undefined ? !video.paused && !video.ended : resume;
    video.dataset.quality = choice.label;
    video.src = choice.url + (time ? "#t=" + time : "");
    video.addEventListener("loadedmetadata", function restore() {
      video.removeEventListener("loadedmetadata", restore);
      if (time && Math.abs(video.currentTime - time) > 0.5) video.currentTime = time;
      if (wasPlaying) video.play().catch(function () {});
    });
    var select = document.getElementById("quality-select");
    if (select) select.value = choice.label;
  }

  function setUpQuality(video) {
    var list = sources(video);
    if (!list.length) return;
    var fromUrl = new URLSearchParams(location.search).get("quality");
    var label = fromUrl || localStorage.getItem(QUALITY_KEY) || AUTO;
    var form = document.querySelector("[data-quality-form]");
    var select = form && form.querySelector("select");
    if (form) form.addEventListener("submit", function (event) { event.preventDefault(); });
    if (setUpHls(video, list, label, select)) return;
    // MP4 sources: the first one is playing (a chosen quality, else the best).
    var hlsSource = video.querySelector("source[data-hls]");
    if (hlsSource && video.canPlayType("application/vnd.apple.mpegurl") && label === AUTO) {
      // The browser plays the HLS itself (Safari): a chosen quality plays that MP4 instead.
      video.dataset.quality = AUTO;
    } else {
      video.dataset.quality = list[0].label;
      var wanted = list.find(function (s) { return s.label === label; });
      switchTo(video, wanted || bestFit(video, list), false);
    }
    mp4Menu(video, list, select);
  }

  function setUpRecovery(video) {
    // With media on object storage the browser reads from the presigned URL the site
    // redirected it to, and goes on asking that URL when the viewer seeks; once it has
    // expired, the read fails. The site's own URL gives a fresh one: load it again where the
    // viewer was, at most once a minute, so that a real outage still shows its error.
    var lastRetry = 0;
    // Whether the viewer wants it playing: a failed read leaves the element paused, with no
    // "pause" event.
    var wanted = false;
    video.addEventListener("play", function () { wanted = true; });
    video.addEventListener("pause", function () { wanted = false; });
    video.addEventListener("error", function () {
      var error = video.error;
      if (!error || error.code !== error.MEDIA_ERR_NETWORK) return;
      if (Date.now() - lastRetry < 60000) return;
      lastRetry = Date.now();
      var choice = sources(video).find(function (s) { return s.label === video.dataset.quality; });
      if (!choice) return;
      video.dataset.quality = "";
      switchTo(video, choice, true, wanted);
    });
  }

  function setUpTracking(video) {
    var played = 0;
    var last = null;
    var counted = false;
    var lastSaved = 0;
    function saveProgress() {
      // A page opened and left without playing puts nothing in History.
      if (!video.dataset.progressUrl || !video.duration || !played) return;
      lastSaved = Date.now();
      post(video.dataset.progressUrl, {
        position: video.currentTime.toFixed(1),
        duration: video.duration.toFixed(1),
      });
    }
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (last !== null && !video.seeking && now > last && now - last < 1.5) played += now - last;
      last = now;
      // A view counts once playback has really run for a few seconds: a POST, like the
      // progress reports, so that no link or image elsewhere can count one. No view URL: the
      // owner's own player, or an embed.
      if (!counted && played >= 5 && video.dataset.viewUrl) {
        counted = true;
        post(video.dataset.viewUrl, {});
      }
      if (!video.paused && Date.now() - lastSaved > 5000) saveProgress();
    });
    video.addEventListener("seeking", function () { last = null; });
    video.addEventListener("pause", saveProgress);
    video.addEventListener("ended", saveProgress);
    window.addEventListener("pagehide", saveProgress);
    document.addEventListener("htmx:beforeSwap", function leave(event) {
      if (event.detail.target === document.body) {
        saveProgress();
        document.removeEventListener("htmx:beforeSwap", leave);
      }
    });
  }

  // Subtitles: the button (and the key C) shows or hides those of the language chosen; whether
  // they are on, and in which language, is remembered for the next video.
  var CAPTIONS_KEY = "video-share:captions";

  function setUpCaptions(video) {
    var control = document.querySelector("[data-captions-control]");
    var tracks = Array.prototype.filter.call(video.textTracks, function (track) {
      return track.kind === "subtitles";
    });
    if (!control || !tracks.length) return;
    var button = control.querySelector("[data-captions-toggle]");
    var select = control.querySelector("[data-captions-language]");
    // The viewer's language, marked by the page, else the first.
    var chosen = select ? Number(select.value) : 0;

    function showing() {
      return tracks.findIndex(function (track) { return track.mode === "showing"; });
    }
    function show(index) {
      tracks.forEach(function (track, at) { track.mode = at === index ? "showing" : "disabled"; });
      localStorage.setItem(CAPTIONS_KEY, index < 0 ? "off" : tracks[index].language);
      update();
    }
    function update() {
      var index = showing();
      if (index >= 0) chosen = index;
      button.setAttribute("aria-pressed", String(index >= 0));
      if (select) select.value = String(chosen);
    }
    var remembered = localStorage.getItem(CAPTIONS_KEY);
    var known = tracks.findIndex(function (track) { return track.language === remembered; });
    if (remembered === "off") show(-1);
    else if (known >= 0) show(known);
    video.toggleCaptions = function () { show(showing() >= 0 ? -1 : chosen); };
    button.addEventListener("click", video.toggleCaptions);
    if (select) select.addEventListener("change", function () { show(Number(select.value)); });
    // The player's own menu (full screen) chooses too.
    video.textTracks.addEventListener("change", update);
    update();
  }

  // Chapters: the one playing is named beside the list's heading and marked in the list.
  function setUpChapters(video) {
    var element = video.querySelector("track[data-chapters]");
    var list = document.querySelector("[data-chapters-list]");
    if (!element || !list) return;
    var track = element.track;
    track.mode = "hidden"; // its cues load, nothing is drawn over the video
    var now = list.querySelector("[data-chapter-now]");
    track.addEventListener("cuechange", function () {
      var cue = track.activeCues && track.activeCues[0];
      now.textContent = cue ? cue.getCueAsHTML().textContent : "";
      list.querySelectorAll("[data-chapter-start]").forEach(function (link) {
        if (cue && Number(link.dataset.chapterStart) === Math.round(cue.startTime)) {
          link.setAttribute("aria-current", "true");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    });
  }

  function setUp(root) {
    var video = (root.querySelector && root.querySelector("#video-player")) ||
      (root.id === "video-player" ? root : null);
    if (!video || video.dataset.enhanced) return;
    video.dataset.enhanced = "true";
    setUpQuality(video);
    setUpRecovery(video);
    setUpTracking(video);
    setUpCaptions(video);
    setUpChapters(video);
  }

  function player() {
    return document.getElementById("video-player");
  }

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    var video = player();
    if (!video || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var onControl = event.target.closest && event.target.closest("button, summary, a");
    switch (event.key) {
      case " ":
        if (onControl || event.target === video) return; // native behaviour there
      // falls through
      case "k":
        if (video.paused) video.play().catch(function () {});
        else video.pause();
        break;
      case "j":
        video.currentTime = Math.max(0, video.currentTime - 10);
        break;
      case "l":
        video.currentTime = Math.min(video.duration || Infinity, video.currentTime + 10);
        break;
      case "f":
        if (document.fullscreenElement) document.exitFullscreen();
        else video.requestFullscreen().catch(function () {});
        break;
      case "m":
        video.muted = !video.muted;
        break;
      case "c":
        if (!video.toggleCaptions) return;
        video.toggleCaptions();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Timestamps such as 1:23 in descriptions (and comments) seek the player. Caught on the
  // way down, before hx-boost turns the click into a page load.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-seek]");
    var video = player();
    if (!link || !video) return;
    event.preventDefault();
    event.stopPropagation();
    video.currentTime = Number(link.dataset.seek);
    video.play().catch(function () {});
    video.scrollIntoView({ block: "nearest" });
  }, true);

  // Share: the link and the embed code, at the current time if asked (?t= in both).
  function shareFields(details) {
    var link = details.querySelector("[data-share-url]");
    var embed = details.querySelector("[data-embed-src]");
    var atTime = details.querySelector("[data-share-time]");
    var video = player();
    var seconds = atTime.checked && video ? Math.floor(video.currentTime) : 0;
    var url = new URL(link.dataset.shareUrl);
    if (seconds) url.searchParams.set("t", String(seconds));
    link.value = url.toString();
    if (embed) {
      var src = embed.dataset.embedSrc;
      var timed = seconds ? src + "?t=" + seconds : src;
      embed.value = embed.defaultValue.replace('src="' + src + '"', 'src="' + timed + '"');
    }
  }
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("[data-share]") || !details.open) return;
    var video = player();
    details.querySelector("[data-share-time]").checked = Boolean(video && video.currentTime >= 1);
    shareFields(details);
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-share-time]")) {
      shareFields(event.target.closest("[data-share]"));
    }
  });

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
