// Proposal forms: a live word count for fields with a word limit, and focus on a fresh preview.
// Both are extras: the server counts the words again and keeps the limit.
(function () {
  "use strict";

  function countWords(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }

  function describe(words, limit) {
    if (words > limit) {
      var over = words - limit;
      return "You have " + over + " word" + (over === 1 ? "" : "s") + " too many (" +
        words + " of " + limit + " words)";
    }
    return words + " of " + limit + " words";
  }

  function wordCount(field) {
    var limit = parseInt(field.getAttribute("data-word-limit"), 10);
    if (!limit) return;
    var shown = document.createElement("p");
    shown.className = "word-count";
    shown.id = field.id + "-count";
    shown.setAttribute("data-word-count", "");
    // Screen readers hear a calm summary once typing pauses, not every keystroke.
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", spoken);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(shown.id);
    field.setAttribute("aria-describedby", described.join(" "));

    var timer = null;
    function update(announce) {
      var words = countWords(field.value);
      shown.textContent = describe(words, limit);
      shown.classList.toggle("word-count--over", words > limit);
      if (!announce) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = shown.textContent; }, 1000);
    }
    field.addEventListener("input", function () { update(true); });
    update(false);
  }

  document.querySelectorAll("textarea[data-word-limit]").forEach(wordCount);

  // After "Preview", bring the preview into view, unless an error summary already took focus.
  var preview = document.querySelector("[data-preview]");
  if (preview && !document.querySelector("[data-error-summary]")) preview.focus();
})();
