/* Starts the Wagtail admin widgets whose templates we rewrote without inline script
   (reflect/templatetags/reflect_csp.py): each writes its call as a JSON data block,
     <script type="application/json" data-reflect-call="initDateChooser">["id_x", {...}]</script>
   and this makes the call, for the page as loaded and for forms added later (an inline
   panel's "Add"). Only the functions listed here can be called. */
(function () {
  "use strict";
  var CALLS = ["initDateChooser", "initTimeChooser", "initDateTimeChooser"];
  var CONSTRUCTORS = ["InlinePanel", "MultipleChooserPanel", "SnippetChooser"];
  var SELECTOR = 'script[type="application/json"][data-reflect-call], script[type="application/json"][data-reflect-new]';

  function start(node) {
    if (node.reflectStarted || !node.isConnected) { return; }
    node.reflectStarted = true;
    var name = node.getAttribute("data-reflect-call") || node.getAttribute("data-reflect-new");
    var make = node.hasAttribute("data-reflect-new");
    var known = make ? CONSTRUCTORS : CALLS;
    var fn = window[name];
    if (known.indexOf(name) === -1 || typeof fn !== "function") {
      window.console.error("admin-csp: not started: " + name);
      return;
    }
    var args = JSON.parse(node.textContent);
    if (make) {
      new (Function.prototype.bind.apply(fn, [null].concat(args)))();
    } else {
      fn.apply(window, args);
    }
  }

  function startWithin(root) {
    if (root.matches && root.matches(SELECTOR)) { start(root); }
    if (root.querySelectorAll) { root.querySelectorAll(SELECTOR).forEach(start); }
  }

  function init() {
    startWithin(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) {
        mutation.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) { startWithin(node); }
        });
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
