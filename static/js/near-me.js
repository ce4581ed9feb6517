// The search bar's "Near" box (/leaders and the home page): "Use my location" and place
// suggestions. The form works without this file.
(function () {
  "use strict";
  var YOUR_LOCATION = "Your location";
  document.querySelectorAll("[data-search-form]").forEach(function (form) {
    var near = form.querySelector("input[name=near]");
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    var locate = form.querySelector("[data-locate]");
    var button = form.querySelector("[data-locate-button]");
    var clear = form.querySelector("[data-locate-clear]");
    var status = form.querySelector("[data-locate-status]");
    var places = document.getElementById("near-places");
    if (!near || !lat || !lng) return;

    function located() { return near.value === YOUR_LOCATION && lat.value !== "" && lng.value !== ""; }
    function showClear() { if (clear) clear.hidden = !located(); }

    function forget() {
      lat.value = "";
      lng.value = "";
      showClear();
    }

    // A typed place replaces a location found earlier: the hidden coordinates are then stale.
    near.addEventListener("input", function () {
      if (near.value !== YOUR_LOCATION) forget();
      suggest(near.value);
    });
    // "Your location" is a label, not text to edit: the first key typed replaces it.
    near.addEventListener("focus", function () { if (located()) near.select(); });

    if (clear) {
      clear.addEventListener("click", function () {
        near.value = "";
        forget();
        status.textContent = "";
        near.focus();
      });
    }

    if (navigator.geolocation && locate) {
      locate.hidden = false;
      showClear();
      button.addEventListener("click", function () {
        status.textContent = "Finding your location…";
        button.disabled = true;
        navigator.geolocation.getCurrentPosition(function (position) {
          // About 100 m is plenty to find leaders; we never need more of the visitor's position.
          lat.value = position.coords.latitude.toFixed(3);
          lng.value = position.coords.longitude.toFixed(3);
          near.value = YOUR_LOCATION;
          button.disabled = false;
          showClear();
          status.textContent = "Searching near your location…";
          tidy();
          form.submit();
        }, function () {
          button.disabled = false;
          status.textContent = "We could not get your location. Type a place in “Near” instead.";
        }, {maximumAge: 600000, timeout: 15000});
      });
    }

    // Shorter links to share: empty fields are left out of the address (the server reads them
    // as empty anyway). Re-enabled when the page comes back from the history.
    function tidy() {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && field.value === "" && field.type !== "checkbox") field.disabled = true;
      });
    }
    form.addEventListener("submit", tidy);
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("input:disabled, select:disabled").forEach(function (field) { field.disabled = false; });
    });

    var timer = null;
    var lastQuery = "";
    function suggest(text) {
      clearTimeout(timer);
      text = text.trim();
      if (!places || text.length < 2 || text === lastQuery || text === YOUR_LOCATION) return;
      timer = setTimeout(function () {
        lastQuery = text;
        fetch((form.getAttribute("data-places-url") || form.action.replace(/\/leaders$/, "") + "/api/places") +
              "?q=" + encodeURIComponent(text),
              {headers: {Accept: "application/json"}})
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
  });
})();
