/* The moderation queue with htmx: a decided item leaves the list (the server answers with
   nothing in its place and a status message), and focus moves to the next item, so a
   moderator working from the keyboard goes on where they were; after the last one, to the
   status. A refused decision comes back as the item with its errors: focus goes to the
   first error. Without this script focus would fall back to the top of the page.

   htmx swaps synchronously after htmx:beforeSwap (no swap delay is set), so a task queued
   there runs once the new content is in place. */
(function () {
  "use strict";

  function focus(element) {
    if (!element) {
      return;
    }
    if (!element.hasAttribute("tabindex") && !element.matches("a, button, input, select, textarea")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var item = event.detail.target;
    if (!item.matches || !item.matches("li.queue-item")) {
      return;
    }
    var id = item.id;
    var following = item.nextElementSibling || item.previousElementSibling;
    var decided = event.detail.xhr.status === 200;
    window.setTimeout(function () {
      if (decided) {
        focus(following ? following.querySelector(".queue-item-title") : document.getElementById("queue-status"));
        return;
      }
      var refused = document.getElementById(id);
      focus(refused && (refused.querySelector(".field-error") || refused));
    }, 0);
  });
})();
