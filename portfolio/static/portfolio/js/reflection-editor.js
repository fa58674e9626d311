/* Reflection editor: each section's textarea becomes a rich-text editor (Tiptap/ProseMirror,
 * from django-prose-editor's static files: no CDN), with a word count per section and in total.
 *
 * The editor is limited to exactly what reflect/sanitize.py keeps: paragraphs, line breaks,
 * bold, italic, underline, headings 2-4, bulleted and numbered lists, quotes and links
 * (http, https, mailto; no target, no attributes but href). Anything else pasted in is
 * dropped by the editor's schema; the server sanitises whatever arrives all the same.
 *
 * Progressive enhancement: the textarea stays in the form and holds the editor's HTML, so the
 * form posts as before; without JavaScript (or if the module fails to load) it is a plain
 * text box. The module is loaded with import() from a URL the page gives
 * (data-editor-module): no import map, so the site's CSP needs no inline script. Tiptap's
 * injected <style> is off (injectCSS: false): its CSS comes from static files.
 *
 * Toolbar: role="toolbar", one tab stop (arrow keys, Home and End move between buttons);
 * each button has a visible name, a title and aria-pressed where it toggles. Alt+F10 in the
 * text moves to its toolbar, Escape in the toolbar goes back.
 *
 * Other scripts: a textarea's "input" event fires on every change (the autosave listens);
 * dispatch "reflect:set-content" on a textarea after changing its value (a restored copy)
 * and the editor shows the new value.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor-module]");
  if (!form) { return; }
  var areas = Array.prototype.slice.call(form.querySelectorAll("textarea[data-rich-text]"));
  if (!areas.length) { return; }

  // --- word counts (with or without the editor) -------------------------------------------
  var counters = [];
  var total = document.getElementById("word-total");

  function countWords(text) {
    var words = text.replace(/\u00a0/g, " ").match(/[^\s]+/g);
    return words ? words.length : 0;
  }

  function textOfHtml(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ").replace(/&[a-z#0-9]+;/gi, "x");
  }

  function plural(n) { return n + (n === 1 ? " word" : " words"); }

  function updateTotal() {
    var sum = counters.reduce(function (acc, c) { return acc + c.words; }, 0);
    total.textContent = "Total: " + plural(sum);
    total.hidden = false;
  }

  function addCounter(textarea, afterNode) {
    var out = document.createElement("p");
    out.className = "word-count";
    out.id = textarea.id + "_words";
    afterNode.after(out);
    var counter = { words: 0, set: function (text) {
      counter.words = countWords(text);
      out.textContent = plural(counter.words);
      updateTotal();
    } };
    counters.push(counter);
    return counter;
  }

  // --- the editor ---------------------------------------------------------------------------
  var BUTTONS = [
    { name: "bold", text: "Bold", title: "Bold (Ctrl+B)", keys: "Control+B",
      run: function (c) { return c.toggleBold(); }, active: function (e) { return e.isActive("bold"); } },
    { name: "italic", text: "Italic", title: "Italic (Ctrl+I)", keys: "Control+I",
      run: function (c) { return c.toggleItalic(); }, active: function (e) { return e.isActive("italic"); } },
    { name: "underline", text: "Underline", title: "Underline (Ctrl+U)", keys: "Control+U",
      run: function (c) { return c.toggleUnderline(); }, active: function (e) { return e.isActive("underline"); } },
    { name: "h2", text: "H2", label: "H2 heading", title: "Heading",
      run: function (c) { return c.toggleHeading({ level: 2 }); },
      active: function (e) { return e.isActive("heading", { level: 2 }); } },
    { name: "h3", text: "H3", label: "H3 subheading", title: "Subheading",
      run: function (c) { return c.toggleHeading({ level: 3 }); },
      active: function (e) { return e.isActive("heading", { level: 3 }); } },
    { name: "h4", text: "H4", label: "H4 minor heading", title: "Minor heading",
      run: function (c) { return c.toggleHeading({ level: 4 }); },
      active: function (e) { return e.isActive("heading", { level: 4 }); } },
    { name: "bulletList", text: "List", label: "List with bullets", title: "List with bullets",
      run: function (c) { return c.toggleBulletList(); }, active: function (e) { return e.isActive("bulletList"); } },
    { name: "orderedList", text: "Numbered", label: "Numbered list", title: "Numbered list",
      run: function (c) { return c.toggleOrderedList(); }, active: function (e) { return e.isActive("orderedList"); } },
    { name: "blockquote", text: "Quote", title: "Quote",
      run: function (c) { return c.toggleBlockquote(); }, active: function (e) { return e.isActive("blockquote"); } },
    { name: "link", text: "Link", title: "Link (Ctrl+K)", keys: "Control+K", link: true,
      active: function (e) { return e.isActive("link"); } },
    { name: "unlink", text: "Unlink", label: "Unlink (remove the link)", title: "Remove the link",
      run: function (c) { return c.extendMarkRange("link").unsetLink(); },
      enabled: function (e) { return e.isActive("link"); } },
    { name: "undo", text: "Undo", title: "Undo (Ctrl+Z)", keys: "Control+Z",
      run: function (c) { return c.undo(); }, enabled: function (e) { return e.can().undo(); } },
    { name: "redo", text: "Redo", title: "Redo (Ctrl+Shift+Z)", keys: "Control+Shift+Z",
      run: function (c) { return c.redo(); }, enabled: function (e) { return e.can().redo(); } }
  ];

  // The link schemes reflect/sanitize.py keeps; a link without a scheme (relative) is kept too.
  function allowedUri(url) {
    var bare = String(url || "").replace(/[\s\u0000-\u001f]/g, "");
    var scheme = /^([a-z][a-z0-9+.\-]*):/i.exec(bare);
    return !scheme || /^(https?|mailto)$/i.test(scheme[1]);
  }

  function normaliseUrl(value) {
    var url = value.trim();
    if (!url) { return ""; }
    if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(url)) { return "mailto:" + url; }
    if (!/^[a-z][a-z0-9+.\-]*:/i.test(url) && /^[^\s/]+\.[^\s/]+/.test(url)) { return "https://" + url; }
    return url;
  }

  function linkPanel(editor, textarea, toolbarButton, sectionLabel) {
    var id = textarea.id + "_link";
    var panel = document.createElement("div");
    panel.className = "link-panel";
    panel.hidden = true;
    panel.innerHTML =
      '<label for="' + id + '">Link address<span class="visually-hidden"></span></label>' +
      '<p class="hint" id="' + id + '_hint">For example https://www.example.org or an e-mail address.</p>' +
      '<p class="field-error" id="' + id + '_error" hidden></p>' +
      '<input type="url" id="' + id + '" inputmode="url" autocomplete="url" aria-describedby="' + id + '_hint">' +
      '<div class="link-panel-actions"><button type="button" class="button" data-act="apply">Add link</button>' +
      ' <button type="button" class="button button-secondary" data-act="cancel">Cancel</button></div>';
    panel.querySelector("label .visually-hidden").textContent = " for " + sectionLabel;
    var input = panel.querySelector("input");
    var error = panel.querySelector(".field-error");

    function close(backToText) {
      panel.hidden = true;
      error.hidden = true;
      if (backToText) { editor.commands.focus(); } else { toolbarButton.focus(); }
    }
    function apply() {
      var url = normaliseUrl(input.value);
      if (!url || !allowedUri(url) || /^(https?:|mailto:)?$/i.test(url)) {
        error.innerHTML = '<span class="visually-hidden">Error:</span> Enter a web address (https://…) or an e-mail address.';
        error.hidden = false;
        input.setAttribute("aria-describedby", id + "_error " + id + "_hint");
        input.focus();
        return;
      }
      input.setAttribute("aria-describedby", id + "_hint");
      var chain = editor.chain().focus();
      if (editor.isActive("link")) {
        chain.extendMarkRange("link").setLink({ href: url }).run();
      } else if (editor.state.selection.empty) {
        chain.insertContent({ type: "text", text: url, marks: [{ type: "link", attrs: { href: url } }] }).run();
      } else {
        chain.setLink({ href: url }).run();
      }
      close(true);
    }
    panel.addEventListener("click", function (event) {
      var act = event.target.getAttribute && event.target.getAttribute("data-act");
      if (act === "apply") { apply(); }
      if (act === "cancel") { close(true); }
    });
    panel.addEventListener("keydown", function (event) {
      // Enter must not post the whole form; Escape closes.
      if (event.key === "Enter" && event.target === input) { event.preventDefault(); apply(); }
      if (event.key === "Escape") { event.preventDefault(); close(false); }
    });
    return {
      element: panel,
      open: function () {
        input.value = editor.isActive("link") ? (editor.getAttributes("link").href || "") : "";
        panel.hidden = false;
        input.focus();
      }
    };
  }

  function toolbarFor(editor, textarea, label) {
    var bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting: " + label);
    bar.setAttribute("aria-controls", textarea.id + "_editor");
    var buttons = [];
    var link = null;
    BUTTONS.forEach(function (spec, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-button editor-button-" + spec.name;
      button.textContent = spec.text;
      button.title = spec.title;
      if (spec.label) { button.setAttribute("aria-label", spec.label); }
      if (spec.keys) { button.setAttribute("aria-keyshortcuts", spec.keys); }
      if (spec.active && !spec.link) { button.setAttribute("aria-pressed", "false"); }
      button.tabIndex = index === 0 ? 0 : -1;
      // A press with the mouse or a finger must not take the focus from the text: the
      // selection (and a bold or italic just chosen) stays where the person was typing, and
      // the next key goes to the text. Keyboard users reach the buttons with Tab or Alt+F10.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        if (button.getAttribute("aria-disabled") === "true") { return; }
        if (spec.link) { link.open(); return; }
        spec.run(editor.chain().focus()).run();
      });
      buttons.push({ spec: spec, element: button });
      bar.appendChild(button);
    });
    link = linkPanel(editor, textarea, buttons[9].element, label);

    bar.addEventListener("keydown", function (event) {
      var at = buttons.findIndex(function (b) { return b.element === document.activeElement; });
      if (at < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") { next = (at + 1) % buttons.length; }
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") { next = (at - 1 + buttons.length) % buttons.length; }
      if (event.key === "Home") { next = 0; }
      if (event.key === "End") { next = buttons.length - 1; }
      if (event.key === "Escape") { event.preventDefault(); editor.commands.focus(); return; }
      if (next === null) { return; }
      event.preventDefault();
      buttons[at].element.tabIndex = -1;
      buttons[next].element.tabIndex = 0;
      buttons[next].element.focus();
    });
    bar.addEventListener("focusin", function (event) {
      buttons.forEach(function (b) { b.element.tabIndex = b.element === event.target ? 0 : -1; });
    });

    function refresh() {
      buttons.forEach(function (b) {
        if (b.spec.active && b.element.hasAttribute("aria-pressed")) {
          b.element.setAttribute("aria-pressed", b.spec.active(editor) ? "true" : "false");
        }
        if (b.spec.enabled) {
          b.element.setAttribute("aria-disabled", b.spec.enabled(editor) ? "false" : "true");
        }
      });
    }
    return {
      element: bar,
      linkPanel: link,
      refresh: refresh,
      focus: function () {
        var current = buttons.find(function (b) { return b.element.tabIndex === 0; }) || buttons[0];
        current.element.focus();
      }
    };
  }

  function actuallyEmpty(html) {
    return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
  }

  function describedBy(textarea) {
    return [textarea.id + "_prompt", textarea.id + "_helptext", textarea.id + "_error",
      textarea.id + "_findings", "formatting-hint"]
      .filter(function (id) { return document.getElementById(id); }).join(" ");
  }

  function createEditor(E, textarea) {
    var labelElement = document.getElementById(textarea.id + "_label");
    var label = labelElement ? labelElement.textContent.replace("(optional)", "").trim() : "this section";
    var OrderedList = E.OrderedList.extend({ addAttributes: function () { return {}; } })
      .configure({ enableListAttributes: false });
    var ui = null;
    var Link = E.Link.extend({
      addKeyboardShortcuts: function () {
        return { "Mod-k": function () { if (ui) { ui.linkPanel.open(); } return true; } };
      }
    }).configure({
      openOnClick: false, autolink: false, linkOnPaste: true, enableTarget: false,
      defaultProtocol: "https", isAllowedUri: allowedUri,
      HTMLAttributes: { target: null, rel: null, class: null }
    });
    var Shortcuts = E.Extension.create({
      name: "reflectToolbarKeys",
      addKeyboardShortcuts: function () {
        return { "Alt-F10": function () { if (ui) { ui.focus(); } return true; } };
      }
    });
    var wrapper = document.createElement("div");
    wrapper.className = "prose-editor reflection-editor";
    textarea.before(wrapper);
    wrapper.append(textarea);
    var counter = addCounter(textarea, wrapper);
    var editor = new E.Editor({
      element: wrapper,
      injectCSS: false,
      content: textarea.value,
      extensions: [
        E.Document, E.Paragraph, E.Text, E.HardBreak, E.Bold, E.Italic, E.Underline,
        E.Heading.configure({ levels: [2, 3, 4] }), E.BulletList, OrderedList, E.ListItem,
        E.Blockquote, Link, E.UndoRedo || E.History, Shortcuts
      ],
      editorProps: {
        attributes: {
          id: textarea.id + "_editor",
          class: "reflection-editor-text",
          role: "textbox",
          "aria-multiline": "true",
          "aria-labelledby": textarea.id + "_label",
          "aria-describedby": describedBy(textarea)
        }
      },
      onUpdate: function () {
        textarea.value = actuallyEmpty(editor.getHTML());
        counter.set(editor.getText({ blockSeparator: " " }));
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      },
      onTransaction: function () { if (ui) { ui.refresh(); } }
    });
    ui = toolbarFor(editor, textarea, label);
    wrapper.insertBefore(ui.element, wrapper.firstChild);
    ui.element.after(ui.linkPanel.element);
    ui.refresh();
    counter.set(editor.getText({ blockSeparator: " " }));
    if (labelElement) {
      labelElement.addEventListener("click", function (event) { event.preventDefault(); editor.commands.focus(); });
    }
    textarea.addEventListener("reflect:set-content", function () {
      editor.commands.setContent(textarea.value, { emitUpdate: false });
      counter.set(editor.getText({ blockSeparator: " " }));
    });
    // Error summary links point at the textarea: send them to the editor.
    Array.prototype.forEach.call(document.querySelectorAll('a[href="#' + textarea.id + '"]'), function (a) {
      a.addEventListener("click", function (event) { event.preventDefault(); editor.commands.focus(); });
    });
    return editor;
  }

  function plainCounters() {
    // The module did not load: keep the textareas, count their words all the same.
    areas.forEach(function (textarea) {
      var counter = addCounter(textarea, textarea);
      var update = function () { counter.set(textOfHtml(textarea.value)); };
      textarea.addEventListener("input", update);
      textarea.addEventListener("reflect:set-content", update);
      update();
    });
  }

  import(form.getAttribute("data-editor-module")).then(function (E) {
    areas.forEach(function (textarea) { createEditor(E, textarea); });
    var hint = document.getElementById("formatting-hint");
    if (hint) { hint.hidden = false; }
    form.setAttribute("data-editor-ready", "");
  }).catch(function (error) {
    if (window.console) { window.console.error("The rich-text editor could not start:", error); }
    plainCounters();
    form.setAttribute("data-editor-ready", "plain");
  });
})();
