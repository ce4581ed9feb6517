// Profile editor: click the map (or drag the pin) to fill the latitude and longitude fields.
// The fields stay the accessible way in; the map is an extra for people who can point.
// It tells profile.js about a pin set here with a "pin-set" event, and follows the fields
// when they change (typed, or filled by "Use my location"); "pin-clear" removes the pin.
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

  function show(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng, {draggable: true, title: "Your pin", alt: "Your pin"}).addTo(map);
      marker.on("dragend", function () { setByMap(marker.getLatLng()); });
    }
    element.setAttribute("data-pin", lat.value + "," + lng.value);
  }

  function setByMap(latlng) {
    lat.value = latlng.lat.toFixed(5);
    lng.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(5);
    show(latlng);
    element.dispatchEvent(new CustomEvent("pin-set", {bubbles: true, detail: {via: "map"}}));
  }

  function fromFields() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (isNaN(a) || isNaN(b) || Math.abs(a) > 90 || Math.abs(b) > 180) return null;
    return L.latLng(a, b);
  }

  var start = fromFields();
  if (start) {
    map.setView(start, 11);
    show(start);
  } else if (data.center) {
    map.setView([data.center.lat, data.center.lng], 10);
  } else {
    map.setView([20, 0], 2);
  }
  map.on("click", function (event) { setByMap(event.latlng); });
  [lat, lng].forEach(function (field) {
    field.addEventListener("change", function () {
      var point = fromFields();
      if (!point) return;
      map.invalidateSize();  // the <details> around the map may have just been opened
      show(point);
      map.setView(point, Math.max(map.getZoom(), 11), {animate: !still});
    });
  });
  document.addEventListener("pin-clear", function () {
    if (marker) {
      map.removeLayer(marker);
      marker = null;
    }
    element.removeAttribute("data-pin");
  });
  // A map drawn inside a closed <details> has no size until it opens.
  var details = element.closest("details");
  if (details) details.addEventListener("toggle", function () { map.invalidateSize(); });
  element.setAttribute("data-pin-map-ready", "true");
})();
