// The collection plan on a map: one colour per route (the palette of .route-N in majal.css), stops as small circles.
// The routes table under the map carries the same facts without script.
(function () {
  "use strict";
  const element = document.getElementById("plan-map");
  if (!element || !window.L) return;
  const data = element.dataset;
  const palette = ["#0b5d4b", "#b3471b", "#1d4e89", "#7a1f5c", "#5b6b00", "#6b3fa0", "#8a6d00", "#1f7a8c"];
  const colour = function (route) { return palette[(route - 1) % palette.length]; };
  const map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
  if (data.tileUrl) L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);

  // Codes and names are data: popups are built from text nodes so nothing can inject markup.
  function popup(properties) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const title = document.createElement("strong");
    title.textContent = properties.code + " · " + properties.arrival;
    box.append(title);
    return box;
  }

  fetch(data.mapUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      const layer = L.geoJSON(collection, {
        style: function (feature) { return { color: colour(feature.properties.route), weight: 3, opacity: 0.85 }; },
        pointToLayer: function (feature, latlng) {
          const site = feature.properties.kind !== "container";
          return L.circleMarker(latlng, { radius: site ? 8 : 4, weight: site ? 3 : 1, color: colour(feature.properties.route),
                                          fillOpacity: site ? 0.2 : 0.8 });
        },
        onEachFeature: function (feature, item) {
          if (feature.geometry.type === "Point") item.bindPopup(popup(feature.properties));
        },
      }).addTo(map);
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      element.dataset.routeCount = String(collection.features.filter(function (f) { return f.geometry.type === "LineString"; }).length);
    });
  fetch(data.districtsUrl).then(function (r) { return r.json(); }).then(function (collection) {
    L.geoJSON(collection, { style: { color: "#505a64", weight: 1, fillOpacity: 0 }, interactive: false }).addTo(map);
  });
})();
