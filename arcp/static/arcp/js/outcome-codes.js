// Progressive enhancement of the ARCP outcome form: show only the reason codes that go with
// the chosen outcome (the groups and codes carry data-outcomes, rendered by the server), and
// untick hidden ones so they are not sent. Without this script every group shows and the
// server still checks the combination. No inline script: the site's CSP is script-src 'self'.
(function () {
  "use strict";
  document.querySelectorAll("fieldset[data-outcome-select]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-outcome-select"));
    if (!select) return;
    var noneHint = box.querySelector("[data-none-hint]");
    function fits(el, outcome) {
      return (el.getAttribute("data-outcomes") || "").split(" ").indexOf(outcome) !== -1;
    }
    function update() {
      var outcome = select.value;
      var shown = 0;
      box.querySelectorAll("fieldset.code-group").forEach(function (group) {
        var groupShown = !outcome || fits(group, outcome);
        group.hidden = !groupShown;
        group.querySelectorAll("li[data-outcomes]").forEach(function (item) {
          var itemShown = groupShown && (!outcome || fits(item, outcome));
          item.hidden = !itemShown;
          var input = item.querySelector("input");
          if (!itemShown && input) input.checked = false;
        });
        if (groupShown) shown += 1;
      });
      if (noneHint) noneHint.hidden = !outcome || shown > 0;
    }
    select.addEventListener("change", update);
    update();
  });
})();
