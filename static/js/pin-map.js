// Profile editor: click the map (or drag the pin) to fill the latitude and longitude fields.
// The fields stay the accessible way in; the map is an extra for people who can point.
(function () {
  "use strict";
  var element = document.querySelector("[data-pin-map]");
  var lat = document.getElementById("pin_lat");
  var lng = document.getElementById("pin_lng");
  if (!element || !lat || !lng || typeof L === "undefined") return;
  var data = JSON.parse(element.getAttribute("data-pin-map"));
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  element.hidden = false;
  var map = L.map(element, {scrollWheelZoom: false, zoomAnimation: !still, fadeAnimation: !still});
  L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: 18}).addTo(map);
  var marker = null;

  function place(latlng, fromFields) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, {draggable: true, title: "Your pin", alt: "Your pin"}).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng(), false); });
    }
    if (!fromFields) {
      lat.value = latlng.lat.toFixed(5);
      lng.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(5);
      element.setAttribute("data-pin", lat.value + "," + lng.value);
    }
  }

  if (lat.value && lng.value) {
    var start = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
    map.setView(start, 11);
    place(start, true);
  } else if (data.center) {
    map.setView([data.center.lat, data.center.lng], 10);
  } else {
    map.setView([20, 0], 2);
  }
  map.on("click", function (event) { place(event.latlng, false); });
  [lat, lng].forEach(function (field) {
    field.addEventListener("change", function () {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (!isNaN(a) && !isNaN(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) place(L.latLng(a, b), true);
    });
  });
  // A map drawn inside a closed <details> has no size until it opens.
  var details = element.closest("details");
  if (details) details.addEventListener("toggle", function () { map.invalidateSize(); });
  element.setAttribute("data-pin-map-ready", "true");
})();
