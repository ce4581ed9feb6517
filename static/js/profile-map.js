// The small map on a leader's profile page: only the public point, as an area circle for a
// leader who shares only their area, as a pin for one who shows the exact point. The words
// under the map say the same, so the page reads fine without it.
(function () {
  "use strict";
  var element = document.querySelector("[data-profile-map]");
  if (!element || typeof L === "undefined") return;
  var data = JSON.parse(element.getAttribute("data-profile-map"));
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  element.hidden = false;
  var map = L.map(element, {scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still});
  L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: 18}).addTo(map);
  var point = [data.lat, data.lng];
  if (data.radius_km) {
    map.fitBounds(L.latLng(point).toBounds(data.radius_km * 2000), {padding: [20, 20]});
    L.circle(point, {radius: data.radius_km * 1000, className: "profile-area__circle",
                     interactive: false}).addTo(map);
    element.setAttribute("data-profile-map-ready", "area");
  } else {
    L.marker(point, {title: data.text, alt: data.text, keyboard: false}).addTo(map);
    map.setView(point, 13);
    element.setAttribute("data-profile-map-ready", "point");
  }
})();
