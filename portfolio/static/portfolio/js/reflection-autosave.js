/* Autosave a learner can trust, for the reflection form (a new reflection's first autosave
 * creates the draft; the page then autosaves to it).
 *
 * - Status always in view (the sticky bar at the top of the form): "Saving…", "Saved 18:04",
 *   "Not saved — retrying …".
 * - Saves about a second after typing stops (at most every 5 s while typing goes on) and
 *   when a field loses focus, sending the `version` read, so nobody's changes are overwritten.
 * - Until the server has acknowledged it, a copy of the form is kept in this browser
 *   (localStorage), and leaving the page asks first. On reload, a copy the server does not
 *   have is offered back.
 * - No connection, a server error or a lapsed sign-in: retried with backoff (2 s doubling to
 *   a minute), at once when the browser says it is online again.
 * - 409, someone saved since (another tab): shown at the top of the page with both texts,
 *   theirs and yours, to copy from; keep yours (save over theirs) or load theirs.
 * - Each answer carries the identifier check that submission runs: its findings are shown
 *   beside their fields straight away (so a valid NHS number is flagged as it is typed).
 *
 * Without JavaScript the form posts normally (Save draft).
 */
(function () {
  "use strict";

  var QUIET_MS = 1000;      // save this long after the last keystroke...
  var MAX_WAIT_MS = 5000;   // ...but at least this often while typing goes on
  var RETRY_MS = [2000, 4000, 8000, 16000, 32000, 60000];
  var PREFIX = "reflect-unsaved:";

  var form = document.querySelector("form[data-autosave-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var statusBox = document.getElementById("autosave-status");
  var conflictBox = document.getElementById("autosave-conflict");
  var restoreBox = document.getElementById("autosave-restore");
  var versionInput = form.querySelector('input[name="version"]');
  var storage = null;
  try { storage = window.localStorage; storage.getItem("x"); } catch (e) { storage = null; }
  // Keyed by the person too: on a shared computer nobody is offered someone else's text.
  var owner = PREFIX + (form.getAttribute("data-draft-owner") || "") + ":";
  var key = owner + form.getAttribute("data-draft-key");

  var edits = 0;          // changes made on this page...
  var savedEdits = 0;     // ...of which the server has acknowledged this many
  var saving = false;
  var stopped = false;    // a conflict, or the form is being posted
  var leaving = false;
  var quietTimer = null;
  var firstUnsaved = 0;
  var retryTimer = null;
  var failures = 0;
  var pendingSubmitter = null;
  var lastFindings = "";

  // --- status ---------------------------------------------------------------------------
  function say(text, kind) {
    statusBox.textContent = text;
    statusBox.classList.toggle("autosave-error", kind === "error");
    statusBox.classList.toggle("autosave-saved", kind === "saved");
  }

  // --- what the form holds ------------------------------------------------------------------
  function snapshot() {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "version" || typeof value !== "string") { return; }
      (fields[name] = fields[name] || []).push(value);
    });
    return fields;
  }

  function fill(fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || el.name === "csrfmiddlewaretoken" || el.name === "version") { return; }
      var values = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else if (el.type !== "hidden" && el.type !== "submit") {
        el.value = values[0] || "";
        if (el.tagName === "TEXTAREA") { el.dispatchEvent(new Event("reflect:set-content")); }
      }
    });
  }

  function sameText(a, b) {
    var norm = function (fields) {
      var out = {};
      Object.keys(fields).forEach(function (name) {
        out[name] = fields[name].map(function (v) {
          return v.replace(/<p><\/p>/g, "").replace(/&nbsp;|\u00a0/g, " ").replace(/\s+/g, " ").trim();
        }).join("\u0001");
      });
      return out;
    };
    var x = norm(a), y = norm(b);
    return Object.keys(x).concat(Object.keys(y)).every(function (n) { return (x[n] || "") === (y[n] || ""); });
  }

  // --- the copy in this browser -------------------------------------------------------------
  function keepCopy() {
    if (!storage) { return; }
    try {
      storage.setItem(key, JSON.stringify({
        fields: snapshot(), version: Number(versionInput.value || 0), at: Date.now(), posted: false
      }));
    } catch (e) { /* full or refused: the server copy is all there is */ }
  }
  function readCopy() {
    if (!storage) { return null; }
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function dropCopy() { if (storage) { storage.removeItem(key); } }

  // --- plain text of HTML, for showing two versions side by side -------------------------------
  function plainText(html) {
    var marked = String(html || "").replace(/<\/(p|h[1-6]|li|blockquote)>/gi, "$&\n").replace(/<br\s*\/?>/gi, "\n");
    var doc = new DOMParser().parseFromString(marked, "text/html");
    return (doc.body.textContent || "").replace(/\n{3,}/g, "\n\n").trim();
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function labelOf(name) {
    var label = form.querySelector('label[for="id_' + name + '"]');
    return label ? label.textContent.replace("(optional)", "").trim() : name;
  }

  // --- identifier findings --------------------------------------------------------------------
  function showFindings(findings) {
    if (!findings) { return; }
    var text = JSON.stringify(findings);
    if (text === lastFindings) { return; }  // unchanged: say nothing new to screen readers
    lastFindings = text;
    Array.prototype.forEach.call(form.querySelectorAll(".identifier-findings"), function (box) {
      var field = box.id.replace(/^id_/, "").replace(/_findings$/, "");
      var list = findings[field] || [];
      box.textContent = "";
      if (!list.length) { return; }
      var ul = element("ul", "findings");
      list.forEach(function (f) {
        var li = element("li", "finding" + (f.blocking ? " finding-blocking" : ""));
        var head = element("p");
        head.appendChild(element("strong", "", (f.blocking ? "Must be removed" : "Check this") + ": " + f.label));
        head.appendChild(document.createTextNode(" "));
        head.appendChild(element("span", "excerpt", f.match));
        li.appendChild(head);
        li.appendChild(element("p", "", f.message));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    });
  }

  // --- conflict: both texts kept --------------------------------------------------------------
  function showConflict(data) {
    stopped = true;
    var theirs = data.theirs || null;
    var mine = snapshot();
    conflictBox.textContent = "";
    conflictBox.appendChild(element("h2", "", theirs
      ? "Not saved: this reflection was saved elsewhere at " + theirs.saved_at
      : "Not saved"));
    conflictBox.appendChild(element("p", "", data.detail || ""));
    conflictBox.appendChild(element("p", "", theirs
      ? "Both versions are below: copy what you need, then keep yours (it replaces the other) or load the other one. Your text stays in the form until you choose."
      : "Copy your text from below before you leave this page."));
    var names = theirs ? Object.keys(theirs.sections) : Object.keys(mine).filter(function (n) { return /^section_/.test(n); });
    if (theirs && theirs.title !== (mine.title || [""])[0]) { names.unshift("title"); }
    names.forEach(function (name) {
      var yours = name === "title" ? (mine.title || [""])[0] : plainText((mine[name] || [""])[0]);
      var other = !theirs ? null : name === "title" ? theirs.title : plainText(theirs.sections[name].html);
      if (theirs && yours === other) { return; }
      var label = theirs && theirs.sections[name] ? theirs.sections[name].label : labelOf(name);
      conflictBox.appendChild(element("h3", "", label));
      var columns = element("div", "conflict-columns");
      if (theirs) {
        var a = element("div");
        a.appendChild(element("h4", "", "Saved elsewhere at " + theirs.saved_at));
        a.appendChild(element("div", "conflict-text conflict-theirs", other || "(empty)"));
        columns.appendChild(a);
      }
      var b = element("div");
      b.appendChild(element("h4", "", "Yours, on this page (not saved)"));
      b.appendChild(element("div", "conflict-text conflict-yours", yours || "(empty)"));
      columns.appendChild(b);
      conflictBox.appendChild(columns);
    });
    var actions = element("div", "conflict-actions");
    if (theirs) {
      var keep = element("button", "button", "Keep my version");
      keep.type = "button";
      keep.addEventListener("click", function () {
        versionInput.value = theirs.version;
        conflictBox.hidden = true;
        stopped = false;
        edits += 1;
        save();
      });
      actions.appendChild(keep);
      var load = element("button", "button button-secondary", "Load the other version");
      load.type = "button";
      load.addEventListener("click", function () {
        dropCopy();
        leaving = true;
        window.location.reload();
      });
      actions.appendChild(load);
    }
    conflictBox.appendChild(actions);
    conflictBox.hidden = false;
    say("Not saved — a newer version was saved elsewhere: see the top of the page.", "error");
    conflictBox.scrollIntoView({ block: "start" });
    conflictBox.focus({ preventScroll: true });
  }

  // --- saving ---------------------------------------------------------------------------------
  function schedule() {
    window.clearTimeout(quietTimer);
    var now = Date.now();
    if (!firstUnsaved) { firstUnsaved = now; }
    var wait = Math.max(0, Math.min(QUIET_MS, firstUnsaved + MAX_WAIT_MS - now));
    quietTimer = window.setTimeout(save, wait);
  }

  function retryLater(message) {
    var delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
    failures += 1;
    say("Not saved — retrying in " + Math.round(delay / 1000) + " s. " + message, "error");
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(save, delay);
  }

  function afterSave() {
    if (pendingOther !== null) {
      // Another form of the page (attach or remove a file) waited for the text to be saved.
      var other = pendingOther;
      pendingOther = null;
      if (edits === savedEdits) {
        leaving = true;
        if (other.form.requestSubmit) { other.form.requestSubmit(other.submitter); } else { other.form.submit(); }
      }
      return;
    }
    if (pendingSubmitter !== null) {
      var submitter = pendingSubmitter;
      pendingSubmitter = null;
      stopped = true;
      leaving = true;
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { submitter.click(); }
    }
  }

  function created(data) {
    // The first autosave of a new reflection made the draft: from now on this is its edit
    // form (saving, autosaving and reloading all go to the draft).
    url = data.autosave_url;
    form.setAttribute("action", data.edit_url);
    form.removeAttribute("data-autosave-creates");
    var id = /\/reflections\/(\d+)\//.exec(data.edit_url);
    var copy = readCopy();
    dropCopy();
    if (id) { key = owner + "reflection-" + id[1]; }
    if (copy && edits > savedEdits) { keepCopy(); }
    if (window.history && window.history.replaceState) { window.history.replaceState(null, "", data.edit_url); }
  }

  function save() {
    window.clearTimeout(quietTimer);
    window.clearTimeout(retryTimer);
    if (edits === savedEdits || saving || stopped) { return; }
    saving = true;
    firstUnsaved = 0;
    var sending = edits;
    var body = new FormData(form);
    // After signing in again (in another tab, when this session timed out) the page's
    // security token is stale: send the current one, from its cookie, so saving resumes.
    var csrf = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (csrf) { body.set("csrfmiddlewaretoken", decodeURIComponent(csrf[1])); }
    say("Saving…");
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { return { status: response.status || 0, data: {} }; }
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      saving = false;
      var data = result.data || {};
      showFindings(data.findings);
      if (result.status === 200 || result.status === 201) {
        failures = 0;
        versionInput.value = data.version;
        form.setAttribute("data-server-version", data.version);
        if (data.autosave_url) { created(data); }
        savedEdits = sending;
        if (edits === savedEdits) { dropCopy(); } else { keepCopy(); }
        say("Saved " + data.saved_at, "saved");
        if (edits > savedEdits && pendingSubmitter === null) { schedule(); }
      } else if (result.status === 409) {
        showConflict(data);
      } else if (result.status === 400) {
        failures = 0;
        // A new reflection with its required fields still empty is not an error yet.
        say(data.detail || "Not saved yet: check the fields marked above.",
            form.hasAttribute("data-autosave-creates") ? "" : "error");
      } else if (result.status === 401 || result.status === 403 || result.status === 0) {
        retryLater("You may have been signed out: sign in again in another tab. Your text is kept in this browser.");
      } else {
        retryLater("The server did not answer properly. Your text is kept in this browser.");
      }
      afterSave();
    }).catch(function () {
      saving = false;
      retryLater(navigator.onLine === false
        ? "You are offline; saving resumes when the connection comes back. Your text is kept in this browser."
        : "No connection. Your text is kept in this browser.");
      afterSave();
    });
  }

  // --- a copy left from before: offer it back ----------------------------------------------------
  function offerRestore() {
    var copy = readCopy();
    if (!copy || !copy.fields) { return; }
    var serverVersion = Number(form.getAttribute("data-server-version") || 0);
    var serverUpdated = Number(form.getAttribute("data-server-updated") || 0) * 1000;
    var current = snapshot();
    // Posted with Save draft: the post saved it (a new reflection's post made the draft).
    var posted = copy.posted && (serverVersion > copy.version || form.hasAttribute("data-autosave-creates"));
    if (posted || sameText(copy.fields, current)) { dropCopy(); return; }
    if (copy.version < serverVersion && copy.at < serverUpdated) { dropCopy(); return; }  // older than the server's
    var when = new Date(copy.at);
    var time = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    restoreBox.textContent = "";
    restoreBox.appendChild(element("h2", "", "Unsaved text from " + time + " was found in this browser"));
    restoreBox.appendChild(element("p", "", "It was typed here but never reached the server. Restore it to go on where you left off (it is then saved), or discard it."));
    var actions = element("div", "conflict-actions");
    var restore = element("button", "button", "Restore my unsaved text");
    restore.type = "button";
    restore.addEventListener("click", function () {
      fill(copy.fields);
      restoreBox.hidden = true;
      edits += 1;
      keepCopy();
      save();
    });
    var discard = element("button", "button button-secondary", "Discard it");
    discard.type = "button";
    discard.addEventListener("click", function () { dropCopy(); restoreBox.hidden = true; });
    actions.appendChild(restore);
    actions.appendChild(discard);
    restoreBox.appendChild(actions);
    restoreBox.hidden = false;
  }

  // --- wiring ------------------------------------------------------------------------------------
  function changed(event) {
    if (!event.target.name) { return; }  // the link box and other helpers post nothing
    edits += 1;
    keepCopy();
    if (!stopped) { schedule(); }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("focusout", function (event) {
    // Moving to a Save button: the form post saves everything, so do not race it.
    var next = event.relatedTarget;
    if (next && next.form === form && next.type === "submit") { return; }
    if (edits > savedEdits) { save(); }
  });
  window.addEventListener("online", function () {
    failures = 0;
    if (edits > savedEdits) { save(); }
  });
  window.addEventListener("offline", function () {
    if (edits > savedEdits) { say("Not saved — offline. Saving resumes when the connection comes back; your text is kept in this browser.", "error"); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || (edits === savedEdits && !saving)) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });
  // The page's other forms (attach or remove a file) leave the page: save the text first, then
  // go on, so nobody is asked "leave the page?" for an attachment.
  var pendingOther = null;
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || !(other instanceof HTMLFormElement) || event.defaultPrevented) { return; }
    if (edits === savedEdits && !saving) { leaving = true; return; }
    event.preventDefault();
    pendingOther = { form: other, submitter: event.submitter || null };
    say("Saving your text first…");
    if (!saving) { save(); }
  });
  form.addEventListener("submit", function (event) {
    if (saving) {
      // An autosave is on its way: wait for it (it brings the new version), then post.
      event.preventDefault();
      pendingSubmitter = event.submitter || null;
      return;
    }
    stopped = true;
    leaving = true;
    var copy = readCopy();
    if (copy) {
      copy.posted = true;
      copy.version = Number(versionInput.value || 0);
      try { storage.setItem(key, JSON.stringify(copy)); } catch (e) { /* ignore */ }
    }
  });

  offerRestore();
})();
