// The upload form, enhanced: a translated file picker that names the chosen file, drag and
// drop, title from the file name, the details checked before a byte of the file is sent, a
// size check, a progress bar (bytes, percent, time left) with Cancel, a warning before
// leaving mid-upload, and Retry when the connection drops. The file goes by the resumable
// upload protocol (tus, with the vendored tus-js-client): a dropped connection is retried,
// and the same file chosen again after a reload goes on from where the server has it; the
// form then names the upload in place of the file. Without tus-js-client the file goes in
// the form itself, and without this file the form is a plain multipart POST.
(function () {
  "use strict";

  // No progress for this long and the connection is taken as lost: while the file is being
  // sent, and (longer: the server checks and stores the file) while its answer is awaited.
  var STALLED_SENDING_MS = 60 * 1000;
  var STALLED_WAITING_MS = 5 * 60 * 1000;
  var ABANDONED_KEY = "video-share:upload-abandoned";

  var RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];

  // The upload under way, if any: {form, timer, done, upload (tus, while its file is sent)}.
  var active = null;

  function formOf(node) {
    return node && node.closest ? node.closest("#upload-form") : null;
  }

  function text(form, key) {
    var template = form.querySelector("template[data-upload-strings]");
    var node = template && template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent.trim() : "";
  }

  // Sizes as the server writes them (decimal_size): decimal units, one decimal, the units
  // and decimal mark of the page's language.
  function formatBytes(form, bytes) {
    var format = JSON.parse(form.dataset.sizes);
    var power = 1;
    var scaled = Math.round(bytes / 100) / 10;
    while (scaled >= 1000 && power < format.units.length) {
      power += 1;
      scaled = Math.round((bytes / Math.pow(1000, power)) * 10) / 10;
    }
    return format.units[power - 1]
      .replace("%s", scaled.toFixed(1).replace(".", format.decimal))
      .replace(/ /g, "\u00a0");
  }

  function formatSeconds(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = String(seconds % 60).padStart(2, "0");
    return minutes + ":" + rest;
  }

  function showError(form, message, retry) {
    form.querySelector("[data-upload-retry]").hidden = !retry;
    var errors = form.querySelector("#id_file-errors");
    if (!errors) return;
    errors.textContent = "";
    if (!message) return;
    var paragraph = document.createElement("p");
    paragraph.textContent = message;
    errors.appendChild(paragraph);
  }

  function fileInput(form) {
    return form.querySelector("input[type=file]");
  }

  function showFileName(form) {
    var label = form.querySelector("[data-file-name]");
    var file = fileInput(form).files[0];
    if (!label.dataset.none) label.dataset.none = label.textContent.trim();
    label.textContent = file ? "" : label.dataset.none;
    if (file) {
      // Isolated, so that a name in another script keeps its own direction.
      var name = document.createElement("bdi");
      name.textContent = file.name;
      label.append(name, " (" + formatBytes(form, file.size) + ")");
    }
  }

  function fillTitle(form, file) {
    var title = form.querySelector("#id_title");
    if (title && !title.value.trim() && file) {
      title.value = file.name.replace(/\.[^.]+$/, "").replace(/[_]+/g, " ").trim().slice(0, 100);
    }
  }

  function setBusy(form, busy) {
    form.querySelector("[data-upload-progress]").hidden = !busy;
    form.querySelector("[data-upload-cancel]").hidden = !busy;
    form.querySelector("[data-upload-submit]").disabled = busy;
    if (busy) form.querySelector("[data-upload-retry]").hidden = true;
  }

  function uploadTitle(form) {
    var title = form.querySelector("#id_title").value.trim();
    var file = fileInput(form).files[0];
    return title || (file ? file.name : "");
  }

  // Ends the upload under way; why ("cancelled", "lost", "left") decides what is said. A
  // resumable upload stays on the server (to go on later) unless it was cancelled.
  function stop(reason) {
    if (!active) return;
    var form = active.form;
    var upload = active.upload;
    form.dataset.stopReason = reason;
    if (reason === "left") {
      sessionStorage.setItem(
        ABANDONED_KEY,
        text(form, upload ? "left-resumable" : "left").replace("{title}", uploadTitle(form)),
      );
    }
    if (upload) {
      upload.abort(reason === "cancelled");
      stopped(form, reason);
    } else {
      htmx.trigger(form, "htmx:abort");
    }
  }

  function stopped(form, reason) {
    finish();
    setBusy(form, false);
    form.querySelector("[data-upload-progress] progress").value = 0;
    var key = reason === "left" ? "cancelled" : reason;
    if (reason === "lost" && form.dataset.resumable) key = "lost-resumable";
    showError(form, text(form, key), reason === "lost");
  }

  function finish() {
    if (active) clearTimeout(active.timer);
    active = null;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function showProgress(form, loaded, total) {
    var percent = Math.floor((loaded / total) * 100);
    // Time left from this page's pace: bytes sent before a resume took no time here.
    if (form.dataset.startedBytes === undefined) form.dataset.startedBytes = String(loaded);
    var sentHere = loaded - Number(form.dataset.startedBytes);
    var elapsed = (Date.now() - Number(form.dataset.startedAt)) / 1000;
    var left = sentHere > 0 ? (elapsed / sentHere) * (total - loaded) : 0;
    if (active && active.form === form) {
      active.done = loaded >= total;
      watch();
    }
    form.querySelector("[data-upload-progress] progress").value = percent;
    // Going on from bytes sent earlier: no pace to tell the time left by yet.
    var key = loaded >= total ? "processing" : sentHere > 0 ? "progress" : "resuming";
    form.querySelector("[data-upload-text]").textContent = text(form, key)
      .replace("{done}", formatBytes(form, loaded))
      .replace("{total}", formatBytes(form, total))
      .replace("{percent}", percent)
      .replace("{left}", formatSeconds(left));
  }

  function resumableInput(form) {
    return form.querySelector("input[name=resumable]");
  }

  // Sends the chosen file by tus, then the form naming it (`send` issues the form's request).
  function sendResumable(form, send) {
    var input = fileInput(form);
    var file = input.files[0];
    var named = resumableInput(form);
    if (!file || named.value) {
      // No file: the server says to choose one. Already sent (the form was refused for
      // something else, then corrected): the form names it again.
      send();
      return;
    }
    var upload = new tus.Upload(file, {
      endpoint: form.dataset.resumable,
      chunkSize: Number(form.dataset.chunkBytes) || Infinity,
      retryDelays: RETRY_DELAYS_MS,
      metadata: { filename: file.name, filetype: file.type },
      headers: { "X-CSRFToken": csrfToken() },
      removeFingerprintOnSuccess: true,
      onProgress: function (loaded, total) {
        showProgress(form, loaded, total);
      },
      onError: function (error) {
        if (!active || active.upload !== upload) return;
        var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        var said = error.originalResponse ? error.originalResponse.getBody() : "";
        stopped(form, "lost");
        // The server's own words for a refusal (too large, over quota, signed out).
        if (status >= 400 && status < 500 && said) showError(form, said, status !== 413 && status !== 403);
      },
      onSuccess: function () {
        if (!active || active.upload !== upload) return;
        named.value = upload.url.split("/").pop();
        active.upload = null;
        send();
      },
    });
    form.dataset.startedAt = String(Date.now());
    delete form.dataset.startedBytes;
    delete form.dataset.stopReason;
    active = { form: form, timer: null, done: false, upload: upload };
    watch();
    setBusy(form, true);
    upload.findPreviousUploads().then(function (previous) {
      if (!active || active.upload !== upload) return;
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  function watch() {
    clearTimeout(active.timer);
    active.timer = setTimeout(
      function () {
        stop("lost");
      },
      active.done ? STALLED_WAITING_MS : STALLED_SENDING_MS,
    );
  }

  // The details (title, description, tags, visibility) are each checked by the server, the
  // file left out, as they change (their hx-* attributes) and all again before the upload.
  function checkDetails(form) {
    var seen = {};
    var fields = Array.prototype.filter.call(form.querySelectorAll("[hx-post][name]"), function (field) {
      var first = !seen[field.name];
      seen[field.name] = true;
      return first;
    });
    return Promise.all(
      fields.map(function (field) {
        return htmx.ajax("POST", field.getAttribute("hx-post"), {
          source: field,
          target: field.getAttribute("hx-target"),
          swap: "outerHTML",
        });
      }),
    ).then(function () {
      return !form.querySelector(".field__errors:not(#id_file-errors) p");
    });
  }

  function focusFirstError(form) {
    var errors = form.querySelector(".field__errors p");
    var holder = errors && errors.closest(".field, .dropzone");
    var control = holder && holder.querySelector("input, textarea, select");
    if (control) control.focus();
  }

  document.addEventListener("change", function (event) {
    var form = formOf(event.target);
    if (form && event.target.type === "file") {
      if (resumableInput(form)) resumableInput(form).value = "";
      showError(form, "");
      showFileName(form);
      fillTitle(form, event.target.files[0]);
    }
  });

  // Drag and drop onto the drop zone puts the file into the real file input.
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (zone) {
        event.preventDefault();
        zone.classList.add("dropzone--over");
      }
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (!zone) return;
      zone.classList.remove("dropzone--over");
      if (name === "drop" && event.dataTransfer.files.length) {
        event.preventDefault();
        var input = zone.querySelector("input[type=file]");
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  document.addEventListener("htmx:confirm", function (event) {
    var form = formOf(event.detail.elt);
    if (form && event.detail.elt === form) {
      // Refuse a file over the limit, or details the server would refuse, before sending a
      // byte of the file.
      event.preventDefault();
      var input = fileInput(form);
      var limit = input.dataset.maxBytes;
      if (limit !== undefined && input.files[0] && input.files[0].size > Number(limit)) {
        showError(form, form.dataset.tooLarge);
        return;
      }
      checkDetails(form).then(
        function (valid) {
          if (!valid) focusFirstError(form);
          else if (form.dataset.resumable && window.tus && tus.isSupported)
            sendResumable(form, function () {
              // The file is on the server: the form names it instead of sending it again.
              fileInput(form).disabled = true;
              event.detail.issueRequest(true);
            });
          else event.detail.issueRequest(true);
        },
        function () {
          showError(form, form.dataset.failed, false);
        },
      );
      return;
    }
    // Anything that would replace the page (a boosted link, a search) while a file is being
    // sent asks first: leaving ends the upload.
    var target = event.detail.target;
    if (active && target && target.contains(active.form)) {
      var question = text(active.form, active.upload ? "leave-resumable" : "leave");
      if (window.confirm(question)) stop("left");
      else event.preventDefault();
    }
  });

  // Closing the tab, reloading, or a link that loads a whole page: the browser's own warning.
  window.addEventListener("beforeunload", function (event) {
    if (active) event.preventDefault();
  });
  window.addEventListener("pagehide", function () {
    if (active) stop("left");
  });
  window.addEventListener("offline", function () {
    if (active) stop("lost");
  });

  // The next page says what became of an upload left behind.
  function sayAbandoned() {
    var message = sessionStorage.getItem(ABANDONED_KEY);
    var region = document.querySelector(".messages");
    if (!message || !region) return;
    sessionStorage.removeItem(ABANDONED_KEY);
    var paragraph = document.createElement("p");
    paragraph.className = "message message--error";
    paragraph.textContent = message;
    region.appendChild(paragraph);
  }
  document.addEventListener("DOMContentLoaded", sayAbandoned);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === document.body) sayAbandoned();
  });

  document.addEventListener("htmx:beforeSend", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    form.dataset.startedAt = String(Date.now());
    delete form.dataset.startedBytes;
    delete form.dataset.stopReason;
    active = { form: form, timer: null, done: false };
    watch();
    setBusy(form, true);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = formOf(event.target);
    if (!form || event.target !== form || !event.detail.lengthComputable) return;
    showProgress(form, event.detail.loaded, event.detail.total);
  });

  document.addEventListener("click", function (event) {
    var form = formOf(event.target);
    if (!form) return;
    if (event.target.closest("[data-upload-cancel]")) stop("cancelled");
    if (event.target.closest("[data-upload-retry]")) form.requestSubmit();
  });

  // The answer is in: the upload is over (and the navigation to the new video that may
  // follow must not be taken for leaving the page).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    if (formOf(event.detail.elt) === event.detail.elt) finish();
  });

  // A refusal comes back as the whole page, of which only the error lists are swapped in
  // (hx-select-oob): the form, and the file chosen in it, stay.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    finish();
    fileInput(form).disabled = false;
    if (event.detail.successful && !event.detail.xhr.getResponseHeader("HX-Location")) {
      setBusy(form, false);
      focusFirstError(form);
    }
  });

  document.addEventListener("htmx:xhr:abort", function (event) {
    var form = formOf(event.target);
    if (!form || event.target !== form) return;
    fileInput(form).disabled = false;
    stopped(form, form.dataset.stopReason || "cancelled");
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    setBusy(form, false);
    // A refused upload (too large, signed out, too many at once) comes with a page that
    // says why, in the user's language. Trying again may help unless the file is too large
    // or the person signed out.
    var status = event.detail.xhr.status;
    var page = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
    var reason = page.querySelector("[data-refusal]");
    showError(
      form,
      reason
        ? reason.textContent.trim()
        : status === 413
          ? form.dataset.tooLarge
          : form.dataset.failed,
      status !== 413 && status !== 403,
    );
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    finish();
    setBusy(form, false);
    showError(form, text(form, "lost"), true);
  });
})();
