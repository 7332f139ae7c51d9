/* After an htmx swap, keyboard focus moves to what changed, so someone on a keyboard or a
   screen reader goes on from there; otherwise focus falls to the top of the page whenever the
   element holding it is replaced.

   - A position published: its contribution, at the top of the list (#just-published); a reply
     published: the reply, under what it answers. The status line saying so is written again,
     since text that arrives with its live region is not announced.
   - A form refused: its error summary (role=alert).
   - "Show more": the first of the contributions it added.
   - A reply or endorsement form opened under a contribution: its first field; an endorsement
     made or withdrawn: the line saying so.
   - The list sorted or filtered: focus stays on the form that asked, and the list's status
     line says the list changed.
   - A negotiator's review or note saved (the curation list): the item's title, which says its
     review state; refused: the error.
   Live news moves nothing (the reader did not ask; its status line announces it). The
   moderation queue has its own (queue.js).

   htmx swaps synchronously after htmx:beforeSwap (no swap delay is set), so a task queued
   there runs once the new content is in place. */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";
  var ANNOUNCE_AFTER_MS = 50;

  function focus(element) {
    if (!element) {
      return false;
    }
    if (!element.matches(FOCUSABLE)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return true;
  }

  function announce(region, text) {
    if (!region) {
      return;
    }
    var message = text || region.textContent;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, ANNOUNCE_AFTER_MS);
  }

  function articleOf(item) {
    return item.querySelector("article") || item;
  }

  /* A contribution shown as just published that "Show more" or another order now lists too
     stays in the list only: one place, one id. */
  function dropRepeated() {
    var block = document.getElementById("just-published");
    if (!block) {
      return;
    }
    var mine = block.querySelectorAll("li.contribution");
    for (var i = 0; i < mine.length; i++) {
      if (document.querySelectorAll("[id='" + mine[i].id + "']").length > 1) {
        mine[i].remove();
      }
    }
    if (!block.querySelector("li")) {
      block.textContent = "";
    }
  }

  function afterPosition() {
    var form = document.getElementById("contribution-form");
    if (!form || focus(form.querySelector(".error-summary"))) {
      return;
    }
    var notice = form.querySelector("[role=status]");
    var mine = document.querySelector("#just-published li.contribution");
    focus(mine ? articleOf(mine) : notice);
    announce(notice);
  }

  function afterMore(more) {
    var list = more.parentNode;
    var before = more.previousElementSibling;
    return function () {
      dropRepeated();
      var first = before ? before.nextElementSibling : list.firstElementChild;
      if (first && first.id !== "more") {
        focus(articleOf(first));
      }
    };
  }

  function afterList() {
    dropRepeated();
    var controls = document.querySelector("form.list-controls[data-updated-message]");
    announce(document.getElementById("live-status"), controls && controls.dataset.updatedMessage);
  }

  function firstField(slot) {
    return slot.querySelector("form textarea") ||
      slot.querySelector("form input[type=radio]:checked") ||
      slot.querySelector("form input[type=radio]");
  }

  function inSlot(slot) {
    return function () {
      if (focus(slot.querySelector(".error-summary"))) {
        return;
      }
      var status = slot.querySelector("[role=status]");
      var reply = slot.querySelector("li.contribution");
      if (reply) {
        focus(articleOf(reply));
        announce(status);
        return;
      }
      if (!focus(firstField(slot))) {
        focus(status || slot.firstElementChild);
      }
    };
  }

  function afterCurationItem(item) {
    var id = item.id;
    return function () {
      var fresh = document.getElementById(id);
      if (fresh) {
        focus(fresh.querySelector(".field-error") || fresh.querySelector(".curation-item-title"));
      }
    };
  }

  function planFor(target) {
    if (target.id === "contribution-form") {
      return afterPosition;
    }
    if (target.id === "more") {
      return afterMore(target);
    }
    if (target.id === "discussion-list") {
      return afterList;
    }
    if (target.matches(".slot")) {
      return inSlot(target);
    }
    if (target.matches("li.curation-item")) {
      return afterCurationItem(target);
    }
    return null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!event.detail.shouldSwap || !target || !target.matches) {
      return;
    }
    var plan = planFor(target);
    if (plan) {
      window.setTimeout(plan, 0);
    }
  });
})();
