// The map above the results on /leaders: the same leaders as the list, at their public points.
(function () {
  "use strict";
  var element = document.querySelector("[data-map]");
  if (!element || typeof L === "undefined") return;
  var data = JSON.parse(element.getAttribute("data-map"));
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(element, {scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still,
                            markerZoomAnimation: !still});
  L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: 18}).addTo(map);

  var bounds = [];
  if (data.origin) {
    var here = [data.origin.lat, data.origin.lng];
    L.circleMarker(here, {radius: 7, className: "search-map__origin", interactive: false}).addTo(map);
    if (data.radius_km) {
      L.circle(here, {radius: data.radius_km * 1000, className: "search-map__radius", interactive: false})
        .addTo(map);
    }
    bounds.push(here);
  }

  var cluster = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40, animate: !still});
  data.leaders.forEach(function (leader) {
    var label = leader.name + (leader.distance ? ", " + leader.distance : "");
    var marker = L.marker([leader.lat, leader.lng], {title: label, alt: label});
    // Built from DOM nodes, not HTML strings, so names are never read as markup.
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = leader.url;
    link.textContent = leader.name;
    popup.appendChild(link);
    if (leader.distance || leader.online) {
      var detail = document.createElement("div");
      detail.textContent = [leader.distance, leader.online ? "Online" : ""].filter(Boolean).join(" · ");
      popup.appendChild(detail);
    }
    marker.bindPopup(popup);
    cluster.addLayer(marker);
    bounds.push([leader.lat, leader.lng]);
  });
  map.addLayer(cluster);
  // Extra room at the top: a marker's pin stands above its point.
  map.fitBounds(bounds, {paddingTopLeft: [30, 50], paddingBottomRight: [30, 20], maxZoom: 11});
  element.setAttribute("data-map-ready", String(data.leaders.length));
})();
