/* Reflection editor: a small formatting toolbar for the section textareas and autosave
 * (a new reflection's first autosave creates the draft, then the page autosaves to it).
 *
 * Progressive enhancement: without JavaScript the form posts normally (Save draft). With it,
 * drafts are saved every few seconds while the learner types and when a field loses focus,
 * sending the `version` read so that nobody's changes are overwritten (409 = someone saved
 * since; the learner is told and autosave stops).
 */
(function () {
  "use strict";

  var AUTOSAVE_EVERY_MS = 4000;

  // --- formatting toolbar ----------------------------------------------------------------
  var BUTTONS = [
    { label: "Bold", open: "<strong>", close: "</strong>" },
    { label: "Italic", open: "<em>", close: "</em>" },
    { label: "Paragraph", open: "<p>", close: "</p>" },
    { label: "Bulleted list", open: "<ul>\n<li>", close: "</li>\n</ul>" },
    { label: "Heading", open: "<h3>", close: "</h3>" },
    { label: "Link", open: '<a href="https://">', close: "</a>", link: true }
  ];

  function wrapSelection(textarea, spec) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var value = textarea.value;
    var selected = value.slice(start, end);
    var open = spec.open;
    if (spec.link && /^https?:\/\/\S+$/.test(selected.trim())) {
      open = '<a href="' + selected.trim().replace(/"/g, "&quot;") + '">';
    }
    textarea.value = value.slice(0, start) + open + selected + spec.close + value.slice(end);
    textarea.focus();
    var caret = start + open.length + selected.length;
    textarea.setSelectionRange(selected ? caret + spec.close.length : start + open.length, selected ? caret + spec.close.length : start + open.length);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function addToolbar(textarea) {
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var bar = document.createElement("div");
    bar.className = "toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting for " + (label ? label.textContent.replace("(optional)", "").trim() : "this section"));
    BUTTONS.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "toolbar-button";
      button.textContent = spec.label;
      button.addEventListener("click", function () { wrapSelection(textarea, spec); });
      bar.appendChild(button);
    });
    textarea.parentNode.insertBefore(bar, textarea);
  }

  // --- autosave --------------------------------------------------------------------------
  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = document.getElementById("autosave-status");
    var versionInput = form.querySelector('input[name="version"]');
    var dirty = false;
    var saving = false;
    var stopped = false;
    var pendingSubmitter = null;

    function afterSave() {
      if (pendingSubmitter !== null) {
        var submitter = pendingSubmitter;
        pendingSubmitter = null;
        stopped = true;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { submitter.click(); }
      }
    }

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("autosave-error", !!isError);
    }

    function save() {
      if (!dirty || saving || stopped) { return; }
      saving = true;
      dirty = false;
      var body = new FormData(form);
      // After signing in again (in another tab, when this session timed out) the page's
      // security token is stale: send the current one, from its cookie, so saving resumes.
      var csrf = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (csrf) { body.set("csrfmiddlewaretoken", decodeURIComponent(csrf[1])); }
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
        redirect: "manual"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("signed-out");
        }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        saving = false;
        if (result.status === 200 || result.status === 201) {
          versionInput.value = result.data.version;
          if (result.data.autosave_url) {
            // The first autosave of a new reflection created the draft: from now on this is
            // its edit form (saving, autosaving and reloading all go to the draft).
            url = result.data.autosave_url;
            form.setAttribute("action", result.data.edit_url);
            form.removeAttribute("data-autosave-creates");
            if (window.history && window.history.replaceState) {
              window.history.replaceState(null, "", result.data.edit_url);
            }
          }
          say("Saved at " + result.data.saved_at + ".");
          if (dirty && pendingSubmitter === null) {
            // Typing went on while this save was on its way: save that too, now, rather than
            // leave it for the next tick (a focusout during the save found it busy).
            save();
            return;
          }
        } else if (result.status === 409) {
          stopped = true;
          say(result.data.detail + " Automatic saving has stopped: copy any text you need, then reload the page.", true);
        } else {
          dirty = true;
          // A new reflection with its required fields still empty is not an error yet.
          say(result.data.detail || "Not saved yet: check the fields marked above.",
              !form.hasAttribute("data-autosave-creates"));
        }
        afterSave();
      }).catch(function () {
        saving = false;
        dirty = true;
        say("Not saved: you may be offline or signed out. Keep this page open, copy your text, and sign in again in another tab.", true);
        afterSave();
      });
    }

    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("focusout", function (event) {
      // Moving to a Save button: the form post saves everything, so do not race it.
      var next = event.relatedTarget;
      if (next && next.form === form && next.type === "submit") { return; }
      save();
    });
    window.setInterval(save, AUTOSAVE_EVERY_MS);
    form.addEventListener("submit", function (event) {
      if (saving) {
        // An autosave is on its way: wait for it (it brings the new version), then post.
        event.preventDefault();
        pendingSubmitter = event.submitter || null;
        return;
      }
      stopped = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), addToolbar);
    var form = document.querySelector("form[data-autosave-url]");
    if (form) { setupAutosave(form); }
  });
})();
