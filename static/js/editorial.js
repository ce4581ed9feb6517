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

  // Once a preview is open, keep its post current while the author types (drawn by the server,
  // through the same Markdown pipeline as the blog). Without JavaScript, press Preview again.
  var previewBody = preview && preview.querySelector("[data-preview-body]");
  var bodyField = document.querySelector("textarea[name=body]");
  if (previewBody && bodyField && window.fetch) {
    var token = bodyField.form && bodyField.form.querySelector("input[name=csrf_token]");
    var pending = null;
    var asked = 0;
    bodyField.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        var mine = ++asked;
        var data = new FormData();
        data.append("body", bodyField.value);
        if (token) data.append("csrf_token", token.value);
        fetch(preview.getAttribute("data-preview-url"), {
          method: "POST", body: data, credentials: "same-origin",
          headers: {"Accept": "application/json"}
        }).then(function (response) {
          return response.ok ? response.json() : null;
        }).then(function (answer) {
          if (!answer || mine !== asked) return;  // a later keystroke already asked again
          previewBody.innerHTML = answer.body_html ||
            "<p>Not written yet: you can send the pitch first.</p>";
          previewBody.setAttribute("data-preview-fresh", String(mine));
        }).catch(function () { /* the Preview button still works */ });
      }, 600);
    });
  }
})();
