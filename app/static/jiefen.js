/* The frame's script: the menu toggle (folds the side menu on wide screens, opens it on
   narrow ones) and print buttons. No framework, nothing from outside, no inline handlers
   (the Content-Security-Policy allows only this site's files and nonce'd scripts). */
(function () {
  var printers = document.querySelectorAll("[data-jf-print]");
  for (var i = 0; i < printers.length; i++) {
    printers[i].addEventListener("click", function () { window.print(); });
  }
}());
(function () {
  var button = document.getElementById("jf-toggle");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var wide = window.matchMedia("(min-width: 1200px)").matches;
    document.body.classList.toggle(wide ? "jf-menu-folded" : "jf-menu-open");
  });
}());
