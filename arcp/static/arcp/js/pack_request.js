// Watches a pack being made (arcp.pack_request_views): updates the status in place, shows the
// "no worker" note and the "Make it here now" button when it applies, and goes on to the pack
// when it is ready. No inline script (CSP). Without JavaScript the page's "Check again" works.
(function () {
  "use strict";
  var root = document.getElementById("pack-request");
  if (!root) return;
  var url = root.dataset.statusUrl;
  function field(name) { return root.querySelector('[data-field="' + name + '"]'); }
  function update(s) {
    if (s.next_url) { window.location.assign(s.next_url); return false; }
    field("status_label").textContent = s.status_label;
    var note = field("worker_note");
    note.textContent = s.worker_note || "";
    note.hidden = !s.worker_note;
    field("run_now").hidden = !s.worker_note;
    return true;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) { if (update(s)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 800);
})();
