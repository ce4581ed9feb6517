// The map beside the results on /leaders and on /gatherings: the same leaders (at their public
// points) or in-person gatherings (at their venues) as the list, numbered as the cards are. It
// frames the search circle, not the markers: leaders listed for working online, far away, stay off
// the frame. The page's data-map holds {tiles, origin, radius_km, cards, markers}: `cards` names
// the attribute of the list items the markers stand for; each marker has number, lat, lng, url,
// label, detail and beyond.
(function () {
  "use strict";
  var fold = document.querySelector("[data-map-fold]");
  var element = document.querySelector("[data-map]");
  if (!fold || !element || typeof L === "undefined") return;
  var data = JSON.parse(element.getAttribute("data-map"));
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var wide = window.matchMedia("(min-width: 60em)");

  // Beside the list on wide screens (always open), folded above it on phones.
  fold.hidden = false;
  fold.open = wide.matches;
  fold.classList.toggle("search-map-fold--wide", wide.matches);

  var map = null;
  var markers = {};  // card number -> marker
  var cluster = null;
  var frame = null;

  function draw() {
    map = L.map(element, {scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still,
                          markerZoomAnimation: !still});
    L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: 18}).addTo(map);
    // The origin above the markers and clusters (markerPane is 600), under popups (700).
    map.createPane("origin").style.zIndex = 650;

    var points = [];
    if (data.origin) {
      var here = L.latLng(data.origin.lat, data.origin.lng);
      if (data.radius_km) {
        L.circle(here, {radius: data.radius_km * 1000, className: "search-map__radius", interactive: false})
          .addTo(map);
        frame = here.toBounds(data.radius_km * 2000);
      }
      [["search-map__origin-halo", 16], ["search-map__origin", 16]].forEach(function (ring) {
        L.circleMarker(here, {radius: ring[1], className: ring[0], interactive: false, pane: "origin"}).addTo(map);
      });
      points.push(here);
    }

    // Several gatherings often meet at one venue: a cluster opens them apart.
    cluster = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 32, animate: !still});
    data.markers.forEach(function (item) {
      var icon = L.divIcon({className: "search-map__pin", html: "<span>" + item.number + "</span>",
                            iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14]});
      // Not in the Tab order: the numbered list holds the same ones, a Tab each.
      var marker = L.marker([item.lat, item.lng], {icon: icon, keyboard: false,
                                                   title: item.number + ". " + item.label + (item.distance ? ", " + item.distance : "")});
      // Built from DOM nodes, not HTML strings, so names are never read as markup.
      var popup = document.createElement("div");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.number + ". " + item.label;
      popup.appendChild(link);
      if (item.detail) {
        var detail = document.createElement("div");
        detail.textContent = item.detail;
        popup.appendChild(detail);
      }
      marker.bindPopup(popup);
      marker.on("mouseover", function () { highlight(item.number, true); });
      marker.on("mouseout", function () { highlight(item.number, false); });
      cluster.addLayer(marker);
      markers[item.number] = marker;
      if (!item.beyond) points.push(L.latLng(item.lat, item.lng));
    });
    map.addLayer(cluster);
    cluster.on("animationend", refresh);
    map.on("zoomend moveend", refresh);

    if (frame) {
      map.fitBounds(frame, {padding: [12, 12], animate: false});
    } else if (points.length) {
      // No circle (nobody within it: the nearest leaders; or no place): frame what is listed.
      map.fitBounds(L.latLngBounds(points), {paddingTopLeft: [30, 40], paddingBottomRight: [30, 20],
                                              maxZoom: 11, animate: false});
    } else {
      map.setView([20, 0], 1);
    }
    element.setAttribute("data-map-ready", String(data.markers.length));
  }

  // The card's marker (or the cluster holding it) stands out while the card is hovered or focused.
  var active = null;
  function iconOf(number) {
    var marker = markers[number];
    if (!marker || !map) return null;
    var shown = cluster.getVisibleParent(marker);
    return shown && shown.getElement ? shown.getElement() : null;
  }
  function highlight(number, on) {
    var card = document.querySelector("[" + data.cards + "][data-number='" + number + "']");
    if (card) card.classList.toggle("is-highlighted", on);
    var icon = iconOf(number);
    if (icon) icon.classList.toggle("is-highlighted", on);
    active = on ? number : null;
  }
  function refresh() {
    document.querySelectorAll(".leaflet-marker-icon.is-highlighted").forEach(function (icon) {
      icon.classList.remove("is-highlighted");
    });
    if (active !== null) highlight(active, true);
  }
  document.querySelectorAll("[" + data.cards + "][data-number]").forEach(function (card) {
    var number = Number(card.getAttribute("data-number"));
    card.addEventListener("mouseenter", function () { highlight(number, true); });
    card.addEventListener("mouseleave", function () { highlight(number, false); });
    card.addEventListener("focusin", function () { highlight(number, true); });
    card.addEventListener("focusout", function () { highlight(number, false); });
  });

  if (fold.open) {
    draw();
  } else {
    fold.addEventListener("toggle", function () {
      if (!fold.open) return;
      if (map === null) draw(); else map.invalidateSize();
    });
  }
  wide.addEventListener("change", function (event) {
    fold.classList.toggle("search-map-fold--wide", event.matches);
    if (event.matches) fold.open = true;
    if (fold.open && map === null) draw();
    if (map) { map.invalidateSize(); if (frame) map.fitBounds(frame, {padding: [12, 12], animate: false}); }
  });
  window.leadersMap = function () { return map; };  // for the browser tests: the map's bounds
})();
