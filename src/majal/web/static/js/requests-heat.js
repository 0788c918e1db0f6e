// The dashboard's heat map: where the open service requests are, over the district outlines. The charts on the page
// carry the same counts by district without script. Data come from the data-* attributes (no inline script).
(function () {
  "use strict";
  const element = document.getElementById("heat-map");
  if (!element || !window.L || !L.heatLayer) return;
  const data = element.dataset;
  const map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 })
    .setView([Number(data.centreLat), Number(data.centreLon)], 13);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);
  }

  function json(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      });
  }

  Promise.all([json(data.districtsUrl), json(data.heatUrl)])
    .then(function (answers) {
      const districts = answers[0];
      const heat = answers[1];
      const outlines = L.geoJSON(districts, {
        interactive: false,
        style: function () { return { color: "#1b1f23", weight: 1.5, opacity: 0.8, fill: false }; },
      }).addTo(map);
      if (districts.features.length) map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
      // Each point is a grid cell: [lat, lon, open requests]. Scale so that a busy cell, not the single busiest one,
      // reaches the top of the colour ramp.
      const counts = heat.points.map(function (point) { return point[2]; }).sort(function (a, b) { return a - b; });
      const busy = counts.length ? counts[Math.floor(0.95 * (counts.length - 1))] : 1;
      L.heatLayer(heat.points, { radius: 20, blur: 16, maxZoom: 14, max: Math.max(busy, 1), minOpacity: 0.3 })
        .addTo(map);
      element.dataset.heatPoints = String(heat.points.length);
    })
    .catch(function () { element.dataset.heatPoints = "error"; });
})();
