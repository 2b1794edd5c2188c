/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Bring a form's error summary into view and focus so screen readers read it.
  var summary = document.querySelector(".form-errors");
  if (summary) {
    summary.focus();
  }
  // Escape closes the phone menu and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector(".nav-compact[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });
})();
