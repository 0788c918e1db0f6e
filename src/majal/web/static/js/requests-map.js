// Puts the rows of the requests table on a map: the table is the source, so the map never shows more than the page.
(function () {
  "use strict";
  const element = document.getElementById("requests-map");
  if (!element || !window.L) return;
  const data = element.dataset;
  const map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
  if (data.tileUrl) L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);
  const markers = [];
  document.querySelectorAll(data.rows).forEach(function (row) {
    if (!row.dataset.lat || !row.dataset.lon) return;
    const open = row.dataset.open === "true";
    const marker = L.circleMarker([Number(row.dataset.lat), Number(row.dataset.lon)], {
      radius: 7, weight: 2, color: open ? "#8a1c12" : "#0b5d4b", fillOpacity: 0.6,
    });
    const link = row.querySelector("a");
    const label = document.createElement("a");
    label.textContent = row.dataset.label;
    if (link) label.href = link.getAttribute("href");
    marker.bindPopup(label);
    markers.push(marker.addTo(map));
  });
  fetch(data.districtsUrl).then(function (r) { return r.json(); }).then(function (collection) {
    const outline = L.geoJSON(collection, { style: { color: "#505a64", weight: 1, fillOpacity: 0 }, interactive: false });
    outline.addTo(map);
    const bounds = markers.length ? L.featureGroup(markers).getBounds().extend(outline.getBounds()) : outline.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    element.dataset.markerCount = String(markers.length);
  });
})();
