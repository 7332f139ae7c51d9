/* Quote a passage of the key message: select words of its text, press "Quote this passage",
   and they become the passage your contribution comments on (the last form you used: your
   position, or a reply you are writing). Without this script a sentence is chosen from the
   form's list instead.

   The passage is read from the page's text nodes, leaving out footnote numbers and the links
   after highlighted passages, so it is exactly the text the server finds it in (the key
   message without footnote markers); its start is sent too, as the same words may appear
   more than once.

   From the keyboard: "Select words to quote" makes the text a read-only text box for a
   moment (contenteditable, every edit refused), so the browser's own caret and Shift+arrow
   selection work there, as a screen reader expects of a text box; Enter quotes the
   selection, Escape or leaving the text ends it. (Caret browsing, F7, works too.) */
(function () {
  "use strict";

  var SKIPPED = ".fn-ref, [data-quote-skip]";
  var MIN_CHARS = 3;
  var SHOWN_CHARS = 120;

  var source = document.querySelector("[data-quote-source]");
  var action = document.querySelector("[data-quote-action]");
  if (!source || !action) {
    return;
  }
  var button = action.querySelector("button");
  var preview = action.querySelector("[data-quote-preview]");
  var keys = document.querySelector("[data-quote-keys]");

  var chosen = null; // {text, start} of the selection waiting to be quoted
  var lastForm = null; // the contribution form the reader used last

  function counted(node) {
    return !node.parentElement.closest(SKIPPED);
  }

  function textNodes() {
    var walker = document.createTreeWalker(source, NodeFilter.SHOW_TEXT);
    var nodes = [];
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (counted(node)) {
        nodes.push(node);
      }
    }
    return nodes;
  }

  /* Characters of the marker-free text before the boundary point (container, offset). */
  function offsetOf(nodes, container, offset) {
    var probe = document.createRange();
    probe.setStart(container, offset);
    var count = 0;
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i] === container) {
        return count + offset;
      }
      if (probe.comparePoint(nodes[i], 0) >= 0) {
        return count; // this text starts at or after the point
      }
      count += nodes[i].data.length;
    }
    return count;
  }

  function selectedPassage() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return null;
    }
    var range = selection.getRangeAt(0);
    if (!range.intersectsNode(source)) {
      return null;
    }
    var nodes = textNodes();
    var plain = nodes.map(function (node) { return node.data; }).join("");
    var start = offsetOf(nodes, range.startContainer, range.startOffset);
    var end = offsetOf(nodes, range.endContainer, range.endOffset);
    var text = plain.slice(start, end);
    var trimmed = text.trim();
    if (trimmed.length < MIN_CHARS) {
      return null;
    }
    return { text: trimmed, start: start + text.indexOf(trimmed) };
  }

  function shorten(text) {
    return text.length > SHOWN_CHARS ? text.slice(0, SHOWN_CHARS - 1) + "…" : text;
  }

  function onSelectionChange() {
    var passage = selectedPassage();
    if (passage) {
      chosen = passage;
      preview.textContent = "“" + shorten(passage.text) + "”";
      action.hidden = false;
    } else if (!window.getSelection().isCollapsed) {
      hide(); // something else is selected now
    }
    // A collapsed selection (focus moved, e.g. to the button) keeps the offer open.
  }

  function hide() {
    chosen = null;
    action.hidden = true;
  }

  function targetField() {
    if (lastForm && document.contains(lastForm)) {
      return lastForm.querySelector("[data-quote-field]");
    }
    return document.querySelector("#contribution-form [data-quote-field]") || document.querySelector("[data-quote-field]");
  }

  function optionFor(select, passage) {
    var custom = select.querySelector("option[data-quote-custom]");
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === passage.text && select.options[i] !== custom) {
        return select.options[i]; // one of the listed sentences
      }
    }
    if (!custom) {
      custom = document.createElement("option");
      custom.setAttribute("data-quote-custom", "");
      select.insertBefore(custom, select.options[1] || null);
    }
    custom.value = passage.text;
    custom.textContent = "“" + shorten(passage.text) + "”";
    return custom;
  }

  function quote() {
    var field = targetField();
    if (!chosen || !field) {
      return;
    }
    var select = field.querySelector("select[name=quote_text]");
    var option = optionFor(select, chosen);
    option.dataset.start = String(chosen.start);
    option.selected = true;
    field.querySelector("[data-quote-start]").value = String(chosen.start);
    var status = field.querySelector("[data-quote-status]");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = status.dataset.quotedMessage; }, 50);
    hide();
    window.getSelection().removeAllRanges();
    select.focus();
    select.scrollIntoView({ block: "center" });
  }

  /* The keyboard's way in: the text as a read-only text box, the caret at its start. */
  var TEXT_BOX = {
    contenteditable: "true",
    role: "textbox",
    "aria-readonly": "true",
    "aria-multiline": "true",
    "aria-describedby": "quote-keys-hint",
    spellcheck: "false",
    inputmode: "none", // no on-screen keyboard over the text on a touch screen
  };

  function selectingByKeyboard() {
    return source.getAttribute("contenteditable") === "true";
  }

  function startKeyboardSelection() {
    hide(); // a passage selected before is not what Enter will quote
    TEXT_BOX["aria-label"] = keys.dataset.textLabel;
    Object.keys(TEXT_BOX).forEach(function (name) { source.setAttribute(name, TEXT_BOX[name]); });
    source.focus();
    window.getSelection().collapse(source, 0);
  }

  function stopKeyboardSelection() {
    Object.keys(TEXT_BOX).forEach(function (name) { source.removeAttribute(name); });
  }

  function onTextKey(event) {
    if (!selectingByKeyboard()) {
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      if (chosen) {
        stopKeyboardSelection();
        quote();
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      stopKeyboardSelection();
      keys.querySelector("button").focus();
    }
  }

  function refuseEdit(event) {
    if (selectingByKeyboard()) {
      event.preventDefault();
    }
  }

  function offerKeyboardSelection() {
    if (!keys) {
      return;
    }
    keys.hidden = false;
    keys.querySelector("button").addEventListener("click", startKeyboardSelection);
    source.addEventListener("keydown", onTextKey);
    ["beforeinput", "paste", "drop", "cut"].forEach(function (type) { source.addEventListener(type, refuseEdit); });
    source.addEventListener("focusout", function (event) {
      if (!source.contains(event.relatedTarget)) {
        stopKeyboardSelection(); // the selection stays, and "Quote this passage" with it
      }
    });
  }

  function revealHints(root) {
    var hints = root.querySelectorAll ? root.querySelectorAll("[data-quote-js-hint]") : [];
    for (var i = 0; i < hints.length; i++) {
      hints[i].hidden = false;
    }
  }

  document.addEventListener("selectionchange", onSelectionChange);
  // Pressing the button must not clear the selection it is about to quote.
  button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("click", quote);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !action.hidden) {
      hide();
    }
  });
  document.addEventListener("focusin", function (event) {
    var form = event.target.closest && event.target.closest("form");
    if (form && form.querySelector("[data-quote-field]")) {
      lastForm = form;
    }
  });
  // Choosing a listed sentence forgets where a selected passage started.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-quote-field] select[name=quote_text]")) {
      var option = event.target.selectedOptions[0];
      var field = event.target.closest("[data-quote-field]");
      field.querySelector("[data-quote-start]").value = (option && option.dataset.start) || "";
    }
  });
  offerKeyboardSelection();
  revealHints(document);
  document.addEventListener("htmx:load", function (event) { revealHints(event.target); });
})();
