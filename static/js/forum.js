// The forum's enhancements; every page works without them (Reply and Quote open their own page).
(() => {
  "use strict";
  const DRAFT_EVERY_MS = 2500;

  function csrfOf(form) {
    const field = form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function randomToken() {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Drafts: what is typed is saved on the server every few seconds, for any device.
  function keepDrafts(form) {
    const body = form.querySelector("textarea[name=body]");
    const title = form.querySelector("input[name=title]");
    const status = form.querySelector("[data-draft-status]");
    const place = form.dataset.place || (body && body.dataset.place);
    if (!body || !place) return;
    let timer = null;
    let last = body.value + "\u0000" + (title ? title.value : "");
    const save = () => {
      const now = body.value + "\u0000" + (title ? title.value : "");
      if (now === last) return;
      const data = new FormData();
      data.append("csrf_token", csrfOf(form));
      data.append("place", place);
      data.append("body", body.value);
      if (title) data.append("title", title.value);
      fetch(form.dataset.draftUrl || "/forum/drafts", { method: "POST", body: data, credentials: "same-origin" })
        .then((answer) => {
          if (!answer.ok) throw new Error(String(answer.status));
          last = now;
          if (status) status.textContent = "Draft saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".";
        })
        .catch(() => { if (status) status.textContent = "Draft not saved: check your connection. Your text is still here."; });
    };
    const later = () => { clearTimeout(timer); timer = setTimeout(save, DRAFT_EVERY_MS); };
    body.addEventListener("input", later);
    if (title) title.addEventListener("input", later);
  }

  // @mentions: suggestions under the box while a name is typed after @.
  function suggestMentions(textarea) {
    const list = document.createElement("ul");
    list.className = "mention-list";
    list.id = (textarea.id || "body") + "-mentions-" + randomToken().slice(0, 6);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    textarea.after(list);
    textarea.setAttribute("aria-controls", list.id);
    textarea.setAttribute("aria-autocomplete", "list");
    let people = [];
    let chosen = -1;
    const typed = () => {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const match = /(?:^|[^\w@/.])@([\w-]{1,40})$/.exec(before);
      return match ? match[1] : null;
    };
    const close = () => { list.hidden = true; people = []; chosen = -1; textarea.removeAttribute("aria-activedescendant"); };
    const choose = (index) => {
      const word = typed();
      if (word === null || !people[index]) return close();
      const start = textarea.selectionStart - word.length;
      textarea.value = textarea.value.slice(0, start) + people[index].handle + " " + textarea.value.slice(textarea.selectionStart);
      textarea.selectionStart = textarea.selectionEnd = start + people[index].handle.length + 1;
      textarea.dispatchEvent(new Event("input"));
      close();
    };
    const draw = () => {
      list.replaceChildren(...people.map((person, index) => {
        const item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", index === chosen ? "true" : "false");
        item.textContent = person.name + " (@" + person.handle + ")";
        item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
        return item;
      }));
      list.hidden = people.length === 0;
      if (chosen >= 0) textarea.setAttribute("aria-activedescendant", list.id + "-" + chosen);
    };
    textarea.addEventListener("input", () => {
      const word = typed();
      if (word === null) return close();
      fetch("/forum/mentions?q=" + encodeURIComponent(word), { credentials: "same-origin" })
        .then((answer) => (answer.ok ? answer.json() : { people: [] }))
        .then((data) => { people = data.people || []; chosen = people.length ? 0 : -1; draw(); })
        .catch(close);
    });
    textarea.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        chosen = (chosen + (event.key === "ArrowDown" ? 1 : people.length - 1)) % people.length;
        draw();
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (chosen >= 0) { event.preventDefault(); choose(chosen); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    textarea.addEventListener("blur", () => setTimeout(close, 150));
  }

  function enhance(form) {
    keepDrafts(form);
    form.querySelectorAll("textarea[data-mentions]").forEach(suggestMentions);
  }

  // Reply under the message itself: the box from the template, sent to the same reply page.
  function openInline(link, quote) {
    const template = document.getElementById("inline-reply");
    if (!template) return false;
    const article = link.closest("article");
    const open = article.nextElementSibling;
    if (open && open.matches("form.message-form--inline")) {
      open.querySelector("textarea").focus();
      return true;
    }
    const form = template.content.firstElementChild.cloneNode(true);
    const id = "reply-to-" + article.id;
    form.action = link.href.split("?")[0];
    form.dataset.place = "thread:" + form.action.match(/threads\/(\d+)\/reply\/(\d+)/).slice(1).join(":");
    form.querySelector("input[name=form_token]").value = randomToken();
    form.querySelectorAll("[data-id]").forEach((input) => { input.id = id + "-" + input.dataset.id; });
    form.querySelectorAll("[data-label-for]").forEach((label) => { label.htmlFor = id + "-" + label.dataset.labelFor; });
    const textarea = form.querySelector("textarea");
    textarea.id = id + "-body";
    form.querySelector("label[data-label-for=body]").htmlFor = textarea.id;
    if (quote) textarea.value = quote;
    form.querySelector("[data-cancel]").addEventListener("click", () => { form.remove(); link.focus(); });
    article.after(form);
    enhance(form);
    textarea.focus();
    return true;
  }

  document.addEventListener("click", (event) => {
    const reply = event.target.closest("a[data-reply-to]");
    const quote = event.target.closest("a[data-quote]");
    if (reply && openInline(reply, "")) event.preventDefault();
    if (quote) {
      const article = quote.closest("article");
      const selection = String(window.getSelection ? window.getSelection() : "").trim();
      const inside = selection && article.querySelector(".message__body").textContent.includes(selection);
      if (inside) {
        const name = article.querySelector(".message__author").textContent.trim();
        const text = name + " wrote:\n\n" + selection.split("\n").map((line) => "> " + line).join("\n") + "\n\n";
        const replyLink = article.querySelector("a[data-reply-to]");
        if (replyLink && openInline(replyLink, text)) event.preventDefault();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-message-form]").forEach((form) => {
      const body = form.querySelector("textarea[name=body]");
      if (body && body.dataset.place) form.dataset.place = body.dataset.place;
      enhance(form);
    });
  });
})();
