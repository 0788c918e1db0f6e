// Draws the commune's districts on a Leaflet map. The table under the map carries the same facts without script.
(function () {
  "use strict";
  const element = document.getElementById("map");
  if (!element || !window.L) return;
  const data = element.dataset;
  const map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView([Number(data.centreLat), Number(data.centreLon)], 13);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution }).addTo(map);
  }
  const palette = ["#0b5d4b", "#8a4f00", "#1d4e89", "#7a1f5c", "#3d5a00", "#6b3fa0"];
  const locale = document.documentElement.lang === "ar" ? "ar-MA" : document.documentElement.lang;
  const formatter = new Intl.NumberFormat(locale);
  const areaFormatter = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  // Names are data: build the popup with text nodes so no name can inject markup.
  function popup(properties) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const title = document.createElement("strong");
    title.textContent = properties.name;
    const facts = document.createElement("dl");
    [[data.populationLabel, formatter.format(properties.population)],
     [data.areaLabel, areaFormatter.format(properties.area_km2)]].forEach(function (pair) {
      const term = document.createElement("dt");
      term.textContent = pair[0];
      const value = document.createElement("dd");
      value.textContent = pair[1];
      facts.append(term, value);
    });
    box.append(title, facts);
    return box;
  }

  fetch(data.districtsUrl, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (collection) {
      let index = 0;
      const layer = L.geoJSON(collection, {
        style: function () {
          const colour = palette[index++ % palette.length];
          return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.18 };
        },
        onEachFeature: function (feature, districtLayer) {
          const label = document.createElement("span");
          label.textContent = feature.properties.name;
          districtLayer.bindTooltip(label, { sticky: true });
          districtLayer.bindPopup(popup(feature.properties));
        },
      }).addTo(map);
      if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      element.dataset.districtCount = String(collection.features.length);
    })
    .catch(function () { element.dataset.districtCount = "error"; });
})();
