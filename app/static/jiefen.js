/* The frame's only script: the menu toggle (folds the side menu on wide screens, opens it
   on narrow ones). No framework, nothing from outside. */
(function () {
  var button = document.getElementById("jf-toggle");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var wide = window.matchMedia("(min-width: 1200px)").matches;
    document.body.classList.toggle(wide ? "jf-menu-folded" : "jf-menu-open");
  });
}());
