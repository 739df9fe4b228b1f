// The upload form, enhanced: drag and drop, title from the file name, a size check before
// sending, and a progress bar (bytes, percent, time left) with Cancel. Without this file
// the form is a plain multipart POST and works the same.
(function () {
  "use strict";

  function formOf(node) {
    return node && node.closest ? node.closest("#upload-form") : null;
  }

  function text(form, key) {
    var template = form.querySelector("template[data-upload-strings]");
    var node = template && template.content.querySelector('[data-key="' + key + '"]');
    return node ? node.textContent.trim() : "";
  }

  function formatBytes(bytes) {
    // Units named in the page's language (Intl knows them: "MB", "ميغابايت"…).
    var units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
    var index = 0;
    while (bytes >= 1024 && index < units.length - 1) {
      bytes /= 1024;
      index += 1;
    }
    return new Intl.NumberFormat(document.documentElement.lang, {
      style: "unit",
      unit: units[index],
      unitDisplay: "short",
      maximumFractionDigits: index ? 1 : 0,
    }).format(bytes);
  }

  function formatSeconds(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = String(seconds % 60).padStart(2, "0");
    return minutes + ":" + rest;
  }

  function showError(form, message) {
    var errors = form.querySelector("#id_file-errors");
    if (!errors) return;
    errors.textContent = "";
    if (!message) return;
    var paragraph = document.createElement("p");
    paragraph.textContent = message;
    errors.appendChild(paragraph);
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
  }

  document.addEventListener("change", function (event) {
    var form = formOf(event.target);
    if (form && event.target.type === "file") {
      showError(form, "");
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

  // Refuse a file over the limit before sending a byte of it.
  document.addEventListener("htmx:confirm", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    var input = form.querySelector("input[type=file]");
    var limit = Number(input.dataset.maxBytes || 0);
    if (limit && input.files[0] && input.files[0].size > limit) {
      event.preventDefault();
      showError(form, form.dataset.tooLarge);
    }
  });

  document.addEventListener("htmx:beforeSend", function (event) {
    var form = formOf(event.detail.elt);
    if (!form || event.detail.elt !== form) return;
    form.dataset.startedAt = String(Date.now());
    setBusy(form, true);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = formOf(event.target);
    if (!form || !event.detail.lengthComputable) return;
    var loaded = event.detail.loaded;
    var total = event.detail.total;
    var percent = Math.floor((loaded / total) * 100);
    var elapsed = (Date.now() - Number(form.dataset.startedAt)) / 1000;
    var left = loaded ? (elapsed / loaded) * (total - loaded) : 0;
    form.querySelector("[data-upload-progress] progress").value = percent;
    form.querySelector("[data-upload-text]").textContent =
      loaded >= total
        ? text(form, "processing")
        : text(form, "progress")
            .replace("{done}", formatBytes(loaded))
            .replace("{total}", formatBytes(total))
            .replace("{percent}", percent)
            .replace("{left}", formatSeconds(left));
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-upload-cancel]")) return;
    var form = formOf(event.target);
    htmx.trigger(form, "htmx:abort");
  });

  document.addEventListener("htmx:xhr:abort", function (event) {
    var form = formOf(event.target);
    if (!form) return;
    setBusy(form, false);
    form.querySelector("[data-upload-progress] progress").value = 0;
    showError(form, text(form, "cancelled"));
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = formOf(event.detail.elt);
    if (!form) return;
    setBusy(form, false);
    // A refused upload (too large, signed out, too many at once) comes with a page that
    // says why, in the user's language.
    var page = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
    var reason = page.querySelector("[data-refusal]");
    showError(
      form,
      reason
        ? reason.textContent.trim()
        : event.detail.xhr.status === 413
          ? form.dataset.tooLarge
          : form.dataset.failed,
    );
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = formOf(event.detail.elt);
    if (!form) return;
    setBusy(form, false);
    showError(form, form.dataset.failed);
  });
})();
