// Profile editor: "Use my location" fills the latitude and longitude fields from the browser.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-use-my-location]");
  const lat = document.getElementById("pin_lat");
  const lng = document.getElementById("pin_lng");
  const status = document.querySelector("[data-location-status]");
  if (!button || !lat || !lng || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(5);
        lng.value = position.coords.longitude.toFixed(5);
        status.textContent = "Location found. Save the profile to use it.";
      },
      () => { status.textContent = "Your location is not available. Type a place instead."; },
      { enableHighAccuracy: false, timeout: 10000 },
    );
  });
});
