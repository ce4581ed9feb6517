// Profile editor, "Where you are": whatever the leader does last, typing a place or setting
// a pin, is what is saved. Typing clears the pin; a pin (map, typed point or "Use my
// location") takes over the place box. The hidden location_from field tells the server
// which came last, and "Will be saved: ..." says it on the page. Without this script the
// server decides by comparing the place box with what it showed (services.choose_location).
document.addEventListener("DOMContentLoaded", () => {
  const place = document.getElementById("place");
  const lat = document.getElementById("pin_lat");
  const lng = document.getElementById("pin_lng");
  const from = document.getElementById("location_from");
  const plan = document.querySelector("[data-will-be-saved]");
  if (!place || !lat || !lng || !from || !plan) return;
  const PIN_TEXT = "Pin on the map";
  let timer = null;

  function say(text, wait) {
    clearTimeout(timer);
    // While typing, wait for a pause, so screen readers are not told every letter.
    timer = setTimeout(() => { plan.textContent = `Will be saved: ${text}`; }, wait || 0);
  }

  function pinSet(where) {
    from.value = "pin";
    place.value = PIN_TEXT;
    say(`the pin on the map, ${where}`);
  }

  place.addEventListener("input", () => {
    keepSelection = false;
    from.value = "place";
    if (lat.value || lng.value) {
      lat.value = "";
      lng.value = "";
      document.dispatchEvent(new CustomEvent("pin-clear"));
    }
    const typed = place.value.trim().replace(/\s+/g, " ");
    say(typed ? `${typed} (the place you typed)` : "no location (the place box is empty)", 600);
  });
  // While the box describes a pin, typing in it replaces those words rather than adding to them.
  // (The mouseup of the click that focused the box would put the caret back: it is ignored.)
  let keepSelection = false;
  place.addEventListener("focus", () => {
    keepSelection = Boolean(lat.value && lng.value && place.value.startsWith(PIN_TEXT));
    if (keepSelection) place.select();
  });
  place.addEventListener("mouseup", (event) => {
    if (keepSelection) event.preventDefault();
    keepSelection = false;
  });
  place.addEventListener("blur", () => { keepSelection = false; });

  document.addEventListener("pin-set", () => pinSet("where you put it"));
  [lat, lng].forEach((field) => field.addEventListener("change", (event) => {
    if (!lat.value || !lng.value) return;
    pinSet(event.detail === "located" ? "at your location" : "at the point you typed");
  }));

  const locate = document.querySelector("[data-locate]");
  const button = document.querySelector("[data-use-my-location]");
  const status = document.querySelector("[data-location-status]");
  if (!locate || !button || !("geolocation" in navigator)) return;
  locate.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = "Finding your location…";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        button.disabled = false;
        const details = document.querySelector("[data-pin-details]");
        if (details) details.open = true;  // so the pin can be seen where it moved
        lat.value = position.coords.latitude.toFixed(5);
        lng.value = position.coords.longitude.toFixed(5);
        // The map and this script both follow the fields' change event.
        lng.dispatchEvent(new CustomEvent("change", {detail: "located"}));
        status.textContent = "Location found: the pin is on the map. Save the profile to use it.";
      },
      () => {
        button.disabled = false;
        status.textContent = "Your location is not available. Type a place instead.";
      },
      { enableHighAccuracy: false, timeout: 10000 },
    );
  });
});
