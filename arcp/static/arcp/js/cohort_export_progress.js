// Polls the cohort export's JSON status and updates the progress page (no inline script: CSP).
(function () {
  "use strict";
  var root = document.getElementById("cohort-export");
  if (!root || root.dataset.running !== "true") return;
  var url = root.dataset.statusUrl;
  function field(name) { return root.querySelector('[data-field="' + name + '"]'); }
  function update(s) {
    field("status_label").textContent = s.status_label;
    field("done").textContent = s.done;
    field("total").textContent = s.total;
    var bar = field("progress");
    bar.max = s.total || 1;
    bar.value = s.done;
    bar.textContent = s.done + " of " + s.total;
    var note = field("worker_note");
    note.textContent = s.worker_note || "";
    note.hidden = !s.worker_note;
    if (s.error) { field("error").textContent = s.error; field("error").hidden = false; }
    if (s.download_url) {
      var box = field("download");
      box.querySelector("a").href = s.download_url;
      box.hidden = false;
    }
    return s.status === "queued" || s.status === "running";
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) { if (update(s)) setTimeout(poll, 2000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
