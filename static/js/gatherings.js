// Gatherings: times in the visitor's own zone (the server wrote them in the gathering's, which
// stays the text without JavaScript), the form's sections for the chosen mode, and the
// browser's zone proposed where none is chosen yet.
(function () {
  "use strict";
  var browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }

  function parts(date, zone) {
    var format = new Intl.DateTimeFormat("en-GB", {timeZone: zone, weekday: "short", day: "numeric",
      month: "short", hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short"});
    var out = {};
    format.formatToParts(date).forEach(function (part) { out[part.type] = part.value; });
    // en-US names more zones by their letters ("EST" where en-GB says "GMT-5").
    new Intl.DateTimeFormat("en-US", {timeZone: zone, timeZoneName: "short"}).formatToParts(date)
      .forEach(function (part) { if (part.type === "timeZoneName") out.timeZoneName = part.value; });
    return out;
  }

  document.querySelectorAll("[data-local-time]").forEach(function (element) {
    var starts = new Date(element.getAttribute("data-starts"));
    var zone = element.getAttribute("data-zone");
    if (!browserZone || isNaN(starts.getTime())) return;
    var there = parts(starts, zone), mine = parts(starts, browserZone);
    if (there.timeZoneName === mine.timeZoneName && there.hour === mine.hour && there.day === mine.day) return;
    var day = (mine.day !== there.day) ? mine.weekday + " " + mine.day + " " + mine.month + ", " : "";
    var yours = document.createElement("span");
    yours.className = "gathering-time__yours";
    yours.textContent = " · " + day + mine.hour + ":" + mine.minute + " your time (" + mine.timeZoneName + ")";
    element.insertAdjacentElement("afterend", yours);
  });

  document.querySelectorAll("select[data-propose-zone]").forEach(function (select) {
    if (select.value || !browserZone) return;
    if (Array.prototype.some.call(select.options, function (o) { return o.value === browserZone; })) {
      select.value = browserZone;
    }
  });

  var form = document.querySelector("[data-gathering-form]");
  if (form) {
    var sections = form.querySelectorAll("[data-when-mode]");
    var show = function () {
      var chosen = form.querySelector("input[name=mode]:checked");
      var mode = chosen ? chosen.value : "online";
      sections.forEach(function (section) {
        section.hidden = section.getAttribute("data-when-mode").split(" ").indexOf(mode) < 0;
      });
    };
    form.querySelectorAll("input[name=mode]").forEach(function (input) { input.addEventListener("change", show); });
    show();
    var repeat = form.querySelector("select[name=repeat]"), count = form.querySelector("[data-when-repeat]");
    if (repeat && count) {
      var showCount = function () { count.hidden = !repeat.value; };
      repeat.addEventListener("change", showCount);
      showCount();
    }
  }
})();
