// The lamps as coloured dots: green working, red waiting for repair, orange repair under way. The lamps of the
// visible area are fetched again when the map moves (the endpoint answers at most 10,000).
(function () {
  "use strict";
  const element = document.getElementById("lamp-map");
  if (!element || !window.L) return;
  const data = element.dataset;
  const colours = { working: "#2e7d32", fault: "#c62828", repair: "#ef8f00" };
  const labels = { working: data.labelWorking, fault: data.labelFault, repair: data.labelRepair };
  const map = L.map(element, { preferCanvas: true, zoomSnap: 0.25 });
  if (data.tileUrl) L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);
  const lamps = L.layerGroup().addTo(map);
  let shown = 0;

  function draw(collection) {
    lamps.clearLayers();
    collection.features.forEach(function (feature) {
      const [lon, lat] = feature.geometry.coordinates;
      const state = feature.properties.state;
      const marker = L.circleMarker([lat, lon], {
        radius: state === "working" ? 3 : 6, weight: 1, color: "#1f2328", fillColor: colours[state], fillOpacity: 0.9,
      });
      marker.bindPopup(feature.properties.pole_number + " — " + (labels[state] || state));
      lamps.addLayer(marker);
    });
    shown = collection.features.length;
    element.dataset.lampCount = String(shown);
  }

  function load() {
    const b = map.getBounds();
    const box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
    fetch(data.lampsUrl + "?bbox=" + box.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(draw);
  }

  fetch(data.districtsUrl).then(function (r) { return r.json(); }).then(function (collection) {
    const outline = L.geoJSON(collection, { style: { color: "#505a64", weight: 1, fillOpacity: 0 }, interactive: false });
    outline.addTo(map);
    if (outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), { padding: [8, 8] });
    else map.setView([Number(data.centreLat), Number(data.centreLon)], 14);
    map.on("moveend", load);
    load();
  });
})();
