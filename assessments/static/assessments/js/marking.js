// Marking screen: number keys pick a level in the focused criterion (1 = first level).
// Arrow keys already move between levels natively (radio groups); this only adds shortcuts.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (!target || target.type !== "radio") return;
    var fieldset = target.closest("[data-criterion]");
    if (!fieldset || !/^[1-9]$/.test(event.key)) return;
    var radios = fieldset.querySelectorAll("input[type=radio]");
    var radio = radios[parseInt(event.key, 10) - 1];
    if (!radio) return;
    event.preventDefault();
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  });
  // Bring the error summary (or conflict message) into focus so it is announced.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
