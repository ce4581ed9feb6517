// The "Near" field on /leaders: "Use my location" and place suggestions; the form works without it.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form) return;
  var near = form.querySelector("input[name=near]");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var locate = form.querySelector("[data-locate]");
  var button = form.querySelector("[data-locate-button]");
  var status = form.querySelector("[data-locate-status]");
  var places = document.getElementById("near-places");

  // Typing a place replaces a location found earlier.
  near.addEventListener("input", function () {
    lat.value = "";
    lng.value = "";
    suggest(near.value);
  });

  if (navigator.geolocation && locate) {
    locate.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        // About 100 m is plenty to find leaders; we never need more of the visitor's position.
        lat.value = position.coords.latitude.toFixed(3);
        lng.value = position.coords.longitude.toFixed(3);
        near.value = "";
        status.textContent = "Searching near your location…";
        form.submit();
      }, function () {
        button.disabled = false;
        status.textContent = "We could not get your location. Type a place in “Near” instead.";
      }, {maximumAge: 600000, timeout: 15000});
    });
  }

  var timer = null;
  var lastQuery = "";
  function suggest(text) {
    clearTimeout(timer);
    text = text.trim();
    if (!places || text.length < 2 || text === lastQuery) return;
    timer = setTimeout(function () {
      lastQuery = text;
      fetch("/api/places?q=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {places: []}; })
        .then(function (data) {
          places.replaceChildren.apply(places, data.places.map(function (place) {
            var option = document.createElement("option");
            option.value = place.label;
            return option;
          }));
        })
        .catch(function () { /* suggestions are a nicety; typing still works */ });
    }, 200);
  }
})();
