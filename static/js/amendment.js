/* The field for one's own wording of the key message shows once a position that amends is
   chosen ("Support with amendments"): with any other it has nothing to ask. Without this
   script it is always there, its hint saying when to fill it in. A field the server refused
   stays shown, whatever is chosen, so its error is never hidden. Hidden, it is still sent:
   wording changed and then left under another position is refused, not silently lost. */
(function () {
  "use strict";

  function update(form) {
    var field = form.querySelector("[data-amendment-field]");
    if (!field) {
      return;
    }
    var chosen = form.querySelector("input[name=position]:checked");
    var amending = (field.dataset.amendingPositions || "").split(" ");
    var wanted = chosen !== null && amending.indexOf(chosen.value) >= 0;
    field.hidden = !(wanted || field.classList.contains("field-invalid"));
  }

  function updateWithin(root) {
    var fields = root.querySelectorAll ? root.querySelectorAll("[data-amendment-field]") : [];
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].closest("form")) {
        update(fields[i].closest("form"));
      }
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "position" && event.target.form) {
      update(event.target.form);
    }
  });
  updateWithin(document);
  document.addEventListener("htmx:load", function (event) { updateWithin(event.target); });
})();
