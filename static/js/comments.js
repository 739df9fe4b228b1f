// The live comment section: shows each reader the controls that are theirs (broadcast
// fragments carry a visitor's), keeps replayed or raced events from showing a comment twice, opens
// reply forms in place, and holds new comments behind an "N new comments" button while the
// reader is typing or scrolled away.
(function () {
  "use strict";

  function me() {
    return document.body.dataset.userId || "";
  }

  // What the reader is to a comment: Comment.roles_of in video_share/models/comments.py.
  function rolesOf(comment) {
    var reader = me();
    var section = document.getElementById("comments");
    var roles = ["anyone", reader && comment.dataset.author === reader ? "author" : "not-author"];
    if (reader && section && section.dataset.videoOwner === reader) roles.push("owner");
    return roles;
  }

  // A broadcast copy of a comment (data-broadcast) shows the controls a visitor has; the reader
  // gets theirs by the one rule of who gets what (CONTROL_ROLES in video_share/models/comments.py,
  // which each control names in data-for): shown to whoever has one of its roles. The copies the
  // server rendered for the reader are theirs already.
  function revealControls(root) {
    root.querySelectorAll(".comment[data-broadcast]").forEach(function (comment) {
      var roles = rolesOf(comment);
      comment.querySelectorAll(":scope > .comment__main > .comment__actions > [data-for]")
        .forEach(function (control) {
          control.hidden = !control.dataset.for.split(" ").some(function (role) {
            return roles.indexOf(role) !== -1;
          });
        });
    });
  }

  // A broadcast copy of a comment (data-broadcast) is the same for everyone, so its like button
  // is never pressed (a visitor's: CommentControls.liked): keep the state the reader's own copies
  // (the page, their own clicks) had.
  var pressed = {};

  function keepLikes(root) {
    var comments = Array.prototype.slice.call(root.querySelectorAll(".comment"));
    if (root.classList && root.classList.contains("comment")) comments.unshift(root);
    comments.forEach(function (comment) {
      var like = comment.querySelector(":scope > .comment__main > .comment__actions .like");
      if (!like) return;
      if (comment.hasAttribute("data-broadcast")) {
        like.setAttribute("aria-pressed", pressed[comment.id] ? "true" : "false");
      } else {
        pressed[comment.id] = like.getAttribute("aria-pressed") === "true";
      }
    });
  }

  // The people the reader blocked (named by the page, which leaves their comments out).
  function isBlocked(comment) {
    var section = document.getElementById("comments");
    var blocked = section && section.dataset.blockedAuthors;
    return Boolean(blocked) && blocked.split(" ").indexOf(comment.dataset.author) !== -1;
  }

  // Nothing twice: an insertion whose comments are all on the page already is dropped; so is
  // one of a comment by someone the reader blocked (broadcast to everyone).
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !/^(comment-list|replies-)/.test(target.id || "")) return;
    var incoming = event.detail.fragment.querySelectorAll
      ? event.detail.fragment.querySelectorAll(".comment")
      : [];
    var fresh = Array.prototype.filter.call(incoming, function (comment) {
      return !document.getElementById(comment.id) && !isBlocked(comment);
    });
    if (incoming.length && !fresh.length) {
      event.detail.shouldSwap = false;
      event.preventDefault();
    }
  });

  var held = [];

  function readerIsBusy() {
    var list = document.getElementById("comment-list");
    if (!list) return false;
    var typing = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest("#comments textarea");
    // Scrolled past the top of the list: an insertion there would push what is read.
    return Boolean(typing) || list.getBoundingClientRect().top < 0;
  }

  function updatePill() {
    var pill = document.querySelector("[data-new-comments]");
    if (!pill) return;
    pill.hidden = held.length === 0;
    var template = document.getElementById("comments") &&
      document.getElementById("comments").dataset[held.length === 1 ? "newOne" : "newMany"];
    pill.textContent = (template || "{n}").replace("{n}", held.length);
  }

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    // A comment swapped in whole (edited, pinned) brings its replies, a blocked person's too.
    document.querySelectorAll("#comments .comment[data-author]").forEach(function (comment) {
      if (isBlocked(comment)) comment.remove();
    });
    revealControls(document);
    keepLikes(document);
    if (!target || target.id !== "comment-list") return;
    var first = target.firstElementChild;
    if (first && first.classList.contains("comment") && first.dataset.author !== me() && readerIsBusy()) {
      first.hidden = true;
      held.push(first);
      updatePill();
    }
  });

  document.addEventListener("click", function (event) {
    var pill = event.target.closest && event.target.closest("[data-new-comments]");
    if (pill) {
      held.forEach(function (comment) { comment.hidden = false; });
      held = [];
      updatePill();
      document.getElementById("comment-list").scrollIntoView({ block: "start" });
      return;
    }
    // "Reply" opens the reply form under the comment, in place.
    var reply = event.target.closest && event.target.closest("a[data-reply]");
    if (!reply) return;
    var id = reply.dataset.reply;
    var existing = document.getElementById("comment-form-" + id);
    event.preventDefault();
    event.stopPropagation();
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    var main = document.getElementById("comment-form");
    if (!main) {
      window.location.href = reply.href;
      return;
    }
    var form = main.cloneNode(true);
    form.id = "comment-form-" + id;
    form.querySelectorAll(".form-errors, .field__errors p").forEach(function (n) { n.remove(); });
    var parent = document.createElement("input");
    parent.type = "hidden";
    parent.name = "parent";
    parent.value = id;
    form.appendChild(parent);
    var area = form.querySelector("textarea");
    area.id = "id_body_" + id;
    area.value = "";
    area.placeholder = document.getElementById("comments").dataset.replyPlaceholder || "";
    var label = form.querySelector("label[for]");
    label.htmlFor = area.id;
    label.classList.add("visually-hidden");
    label.textContent = reply.textContent;
    form.querySelector("button[type=submit]").textContent = reply.textContent;
    var token = form.querySelector("input[name=client_token]");
    if (token) {
      token.id = "client-token-" + id;
      token.value = Math.random().toString(36).slice(2) + Date.now().toString(36);
    }
    reply.closest(".comment__main").querySelector(".replies").before(form);
    htmx.process(form);
    area.focus();
  }, true);

  // A draft outlives the page (a reader whose session ended logs in again and comes back to
  // it): kept for this tab until it is posted.
  function draftKey(area) {
    return "draft:" + location.pathname + "#" + area.id;
  }

  function keepDraft(area) {
    try {
      if (area.value) sessionStorage.setItem(draftKey(area), area.value);
      else sessionStorage.removeItem(draftKey(area));
    } catch (error) { /* storage refused: the draft lives as long as the page */ }
  }

  function restoreDrafts(root) {
    root.querySelectorAll("#comments form.comment-form textarea[name=body]").forEach(function (area) {
      var draft = null;
      try { draft = sessionStorage.getItem(draftKey(area)); } catch (error) { return; }
      if (draft && !area.value) area.value = draft;
    });
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area.matches && area.matches("#comments form.comment-form textarea[name=body]")) keepDraft(area);
  });

  // Posting keeps the form in place: clear what was sent (not what was typed since), and
  // close a reply form. A form with errors comes back instead, swapped in whole.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.matches && form.matches("form.comment-form")) {
      form.dataset.sent = form.querySelector("textarea").value;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.comment-form") || !event.detail.successful) return;
    if (event.detail.xhr.getResponseHeader("HX-Reswap") !== "none") return;
    var area = form.querySelector("textarea");
    if (area && area.value === form.dataset.sent) area.value = "";
    if (area) keepDraft(area);
    if (/^comment-form-\d+$/.test(form.id)) form.remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    revealControls(document);
    keepLikes(document);
    restoreDrafts(document);
  });
  document.addEventListener("htmx:load", function (event) {
    revealControls(document);
    keepLikes(event.target);
    restoreDrafts(event.target);
  });
})();
