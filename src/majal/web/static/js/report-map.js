// The report form's map: a tap places the problem (lat/lon hidden fields) and asks the server whether open reports
// of the same problem are already nearby. Without script, the district list and address field do the same job.
(function () {
  "use strict";
  const element = document.getElementById("report-map");
  if (!element || !window.L) return;
  const data = element.dataset;
  const form = document.getElementById("report-form");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");
  const status = document.getElementById("pin-status");
  const nearby = document.getElementById("nearby-live");
  const map = L.map(element, { zoomSnap: 0.25 }).setView([Number(data.centreLat), Number(data.centreLon)], 14);
  if (data.tileUrl) L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);
  fetch(data.districtsUrl).then(function (r) { return r.json(); }).then(function (collection) {
    const outline = L.geoJSON(collection, { style: { color: "#0b5d4b", weight: 1, fillOpacity: 0.04 }, interactive: false });
    outline.addTo(map);
    if (!lat.value && collection.features.length) map.fitBounds(outline.getBounds());
  });
  let marker = null;

  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: false }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    status.textContent = data.placedText;
    askNearby();
  }

  function chosenService() {
    const checked = form.querySelector("input[name=service_code]:checked");
    return checked ? checked.value : "";
  }

  function askNearby() {
    if (!lat.value || !chosenService()) return;
    const query = new URLSearchParams({ service_code: chosenService(), lat: lat.value, lon: lon.value });
    fetch(data.nearbyUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        // The fragment is rendered by our own templates (escaped); parse it rather than assigning innerHTML.
        const parsed = new DOMParser().parseFromString(html, "text/html");
        nearby.replaceChildren.apply(nearby, Array.from(parsed.body.childNodes));
      });
  }

  if (lat.value && lon.value) place(L.latLng(Number(lat.value), Number(lon.value)));
  map.on("click", function (event) { place(event.latlng); });
  form.addEventListener("change", function (event) { if (event.target.name === "service_code") askNearby(); });
})();
