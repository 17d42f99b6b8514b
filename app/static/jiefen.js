/* The frame's script: the menu toggle (folds the side menu on wide screens, opens it on
   narrow ones), print buttons and "add a row" buttons. No framework, nothing from outside, no inline handlers
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
(function () {
  /* "Add a term" (data-jf-add-row="<id of the rows' container>"): a copy of the last row,
     emptied and numbered next, up to the container's data-jf-max. Without this script the
     button posts the form and the server answers with one more row. */
  var adders = document.querySelectorAll("[data-jf-add-row]");
  function renumber(value, index) { return value.replace(/-\d+-/, "-" + index + "-"); }
  function addRow(button) {
    var box = document.getElementById(button.getAttribute("data-jf-add-row"));
    var body = box && box.querySelector("tbody");
    if (!body || !body.rows.length) { return; }
    var max = parseInt(box.getAttribute("data-jf-max") || "0", 10);
    var index = body.rows.length;
    if (max && index >= max) { button.disabled = true; return; }
    var row = body.rows[index - 1].cloneNode(true);
    var fields = row.querySelectorAll("input, select, textarea");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.name) { field.name = renumber(field.name, index); }
      if (field.id) { field.id = renumber(field.id, index); }
      if (field.tagName === "SELECT") {
        field.value = box.getAttribute("data-jf-select-default") || "";
        if (field.selectedIndex < 0) { field.selectedIndex = 0; }
      } else if (field.type === "checkbox") {
        field.checked = false;
      } else {
        field.value = "";
      }
    }
    var errors = row.querySelectorAll(".error-message");
    for (var j = 0; j < errors.length; j++) { errors[j].parentNode.removeChild(errors[j]); }
    var cells = row.querySelectorAll(".has-error");
    for (var k = 0; k < cells.length; k++) { cells[k].classList.remove("has-error"); }
    body.appendChild(row);
    if (max && body.rows.length >= max) { button.disabled = true; }
    var first = row.querySelector("textarea, input, select");
    if (first) { first.focus(); }
  }
  for (var i = 0; i < adders.length; i++) {
    adders[i].addEventListener("click", function (event) {
      event.preventDefault();
      addRow(event.currentTarget);
    });
  }
}());
