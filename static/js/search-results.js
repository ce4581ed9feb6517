// /leaders after a search: focus moves to the results heading, so the next Tab is the first
// result and screen readers hear how many were found. Without this file "Skip to results" does it.
(function () {
  "use strict";
  var heading = document.querySelector("[data-results-title][data-searched]");
  if (!heading || document.querySelector("[data-error-summary]")) return;
  heading.focus({preventScroll: true});
  // Results first: when the first result is not wholly in view (a phone, filters open), the
  // page scrolls to the heading.
  var first = document.querySelector("[data-results] li, [data-online-results] li") || heading;
  var box = first.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) heading.scrollIntoView({block: "start"});
})();
