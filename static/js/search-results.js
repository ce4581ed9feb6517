// /leaders after a search: focus moves to the results heading, so the next Tab is the first
// result and screen readers hear how many were found. Without this file "Skip to results" does it.
(function () {
  "use strict";
  var heading = document.querySelector("[data-results-title][data-searched]");
  if (!heading || document.querySelector("[data-error-summary]")) return;
  heading.focus({preventScroll: true});
  // On a phone the results may start below the fold: bring the heading up if it is not in view.
  var box = heading.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) heading.scrollIntoView({block: "start"});
})();
