/* Registry maps: facility markers loaded as GeoJSON and clustered in the browser (Supercluster), district
 * boundaries with names, a legend and a layer per facility kind.
 *
 * Built by geo/maps.py (folium); needs Leaflet and Supercluster, both served by the app.
 * Everything that comes from the data (names, ids, labels) goes into the page with textContent or
 * as a DOM node, never as HTML, so a facility named <img src=x onerror=alert(1)> shows as text.
 *
 * Points: GeoJSON FeatureCollection of Point features with short property names
 *   i facility_id, n name, e name_en, k kind, o ownership, s shared (1/0), d district_code, m demo (1/0).
 * Coordinates are drawn as given: the server shifts them to GCJ-02 when the tiles need it (crs=gcj02).
 *
 * Hooks for pages and tests: window.registryMarkersReady (performance.now() when every point has been
 * indexed and the clusters and markers of the visible area are drawn), window.registryMarkerCount, the 'registry:markers-ready' event on document
 * (detail: {count, map}), and window.registryMaps (the Leaflet maps built here).
 */
(function () {
  'use strict';

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function lookup(table, key) {
    if (table && Object.prototype.hasOwnProperty.call(table, key)) { return table[key]; }
    return key === undefined || key === null ? '' : String(key);
  }

  function fetchJson(url) {
    // Same mode and credentials as the page's <link rel=preload as=fetch crossorigin>, so the download
    // started by the preload scanner is reused.
    return fetch(url, {credentials: 'same-origin'})
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ': HTTP ' + response.status); }
        return response.json();
      });
  }

  function facilityHref(options, id) {
    return options.facilityUrl + encodeURIComponent(id);
  }

  function popupContent(p, options) {
    var labels = options.labels;
    var box = el('div', 'registry-popup');
    var title = el('a', 'registry-popup-title', p.n);
    title.href = facilityHref(options, p.i);
    title.target = '_top';  // the map may be in an iframe of the results page: open the facility there
    box.appendChild(title);
    if (p.e && p.e !== p.n) { box.appendChild(el('div', 'registry-popup-subtitle', p.e)); }
    var table = el('table', 'registry-popup-fields');
    var rows = [
      [labels.kind, lookup(labels.kinds, p.k)],
      [labels.ownership, lookup(labels.ownerships, p.o)],
      [labels.shared, p.s ? labels.yes : labels.no],
      [labels.district, lookup(options.districtNames, p.d)]
    ];
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('th', null, row[0]));
      tr.appendChild(el('td', null, row[1]));
      table.appendChild(tr);
    });
    box.appendChild(table);
    if (p.m) { box.appendChild(el('div', 'registry-popup-demo', labels.demo)); }
    var more = el('a', 'registry-popup-link', labels.details);
    more.href = facilityHref(options, p.i);
    more.target = '_top';
    box.appendChild(more);
    return box;
  }

  function kindIcon(kind) {
    return L.divIcon({className: 'registry-marker registry-kind-' + kind, iconSize: [14, 14], iconAnchor: [7, 7],
                      popupAnchor: [0, -6]});
  }

  // A cluster of every kind at once: a small pie of its kinds (conic-gradient) around the total count;
  // its title and aria-label say the count of each kind.
  function clusterIcon(counts, total, options) {
    var size = total < 10 ? 'small' : total < 100 ? 'medium' : 'large';
    var px = size === 'small' ? 32 : size === 'medium' ? 38 : 44;
    var stops = [], parts = [], at = 0;
    options.kinds.forEach(function (kind) {
      var n = counts[kind] || 0;
      if (!n) { return; }
      var next = at + 360 * n / total;
      stops.push(options.colors[kind] + ' ' + at.toFixed(1) + 'deg ' + next.toFixed(1) + 'deg');
      parts.push(lookup(options.labels.kinds, kind) + ' ' + n);
      at = next;
    });
    var pie = el('div', 'registry-cluster-pie');
    pie.style.background = 'conic-gradient(' + stops.join(',') + ')';
    pie.title = parts.join(' · ');
    pie.setAttribute('aria-label', parts.join(' · '));
    pie.appendChild(el('span', null, total));
    return L.divIcon({html: pie, className: 'registry-cluster registry-cluster-' + size, iconSize: [px, px]});
  }

  function addLegend(map, options) {
    var legend = L.control({position: 'bottomright'});
    legend.onAdd = function () {
      var box = el('div', 'registry-legend leaflet-bar');
      if (options.labels.legend) { box.appendChild(el('div', 'registry-legend-title', options.labels.legend)); }
      options.kinds.forEach(function (kind) {
        var row = el('div', 'registry-legend-row');
        var swatch = el('span', 'registry-legend-swatch registry-kind-' + kind);
        swatch.style.background = options.colors[kind];
        row.appendChild(swatch);
        row.appendChild(el('span', null, lookup(options.labels.kinds, kind)));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function districtLayer(map, source, options) {
    var layer = L.geoJSON(null, {
      interactive: options.districtsInteractive,
      style: function (feature) {
        var own = options.highlight && feature.properties && feature.properties.code === options.highlight;
        return own ? {color: '#0b5394', weight: 2.5, opacity: 1, fillColor: '#0b5394', fillOpacity: 0.12}
                   : {color: '#555', weight: 1.2, opacity: 0.8, fillColor: '#8fa8c8', fillOpacity: 0.06};
      },
      onEachFeature: function (feature, shape) {
        var name = feature.properties && (options.lang === 'en' && feature.properties.name_en
          ? feature.properties.name_en : feature.properties.name);
        if (name && options.districtLabels) {
          shape.bindTooltip(el('span', null, name), {permanent: true, direction: 'center',
                                                     className: 'registry-district-label'});
        }
      }
    });
    layer.addTo(map);
    var loaded = typeof source === 'string' ? fetchJson(source) : Promise.resolve(source);
    return loaded.then(function (geojson) {
      layer.addData(geojson);
      layer.bringToBack();
      fitFirstView(map, layer, options);
      return layer;
    });
  }

  function markersReady(map, count) {
    // Wait for the frame that paints the markers just added.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        window.registryMarkerCount = count;
        window.registryMarkersReady = performance.now();
        document.dispatchEvent(new CustomEvent('registry:markers-ready', {detail: {count: count, map: map}}));
      });
    });
  }

  // The first view: all of Hangzhou's districts (or, on a facility map, its district and neighbours).
  function fitFirstView(map, layer, options) {
    var bounds = null;
    if (options.highlight) {
      layer.eachLayer(function (shape) {
        if (shape.feature && shape.feature.properties.code === options.highlight) { bounds = shape.getBounds(); }
      });
      if (bounds) { bounds = bounds.pad(0.35); }
    } else if (options.fitDistricts) {
      bounds = layer.getBounds();
    }
    if (bounds && bounds.isValid()) {
      map.fitBounds(bounds, {animate: false, padding: [6, 6]});
      map.registryFitted = true;
      map.on('resize', function () { map.fitBounds(bounds, {animate: false, padding: [6, 6]}); });
    }
  }

  // ONE Supercluster index for every kind: a cluster counts its kinds (map/reduce) and shows them as a pie,
  // so markers of different kinds never sit on top of each other. Only the clusters and markers of the
  // visible area are on the map, redrawn after each move; loading 50,000 points takes a fraction of a second.
  function clusterLayer(map, features, options, layer) {
    var kinds = options.kinds;
    var index = new Supercluster({
      radius: options.clusterRadius, minZoom: options.minZoom, maxZoom: options.clusterUntilZoom - 1,
      map: function (p) { var counts = {}; kinds.forEach(function (k) { counts[k] = p.k === k ? 1 : 0; }); return counts; },
      reduce: function (acc, p) { kinds.forEach(function (k) { acc[k] += p[k]; }); }
    });
    index.load(features);
    var icons = {};
    kinds.forEach(function (kind) { icons[kind] = kindIcon(kind); });
    function draw() {
      var b = map.getBounds().pad(0.25);
      var zoom = Math.round(map.getZoom());
      var items = index.getClusters([b.getWest(), Math.max(b.getSouth(), -85), b.getEast(), Math.min(b.getNorth(), 85)],
                                    zoom);
      var markers = [];
      for (var n = 0; n < items.length; n += 1) {
        var item = items[n];
        var c = item.geometry.coordinates;
        var marker;
        if (item.properties.cluster) {
          marker = L.marker([c[1], c[0]], {icon: clusterIcon(item.properties, item.properties.point_count, options),
                                           keyboard: false});
          marker.clusterId = item.properties.cluster_id;
        } else {
          marker = L.marker([c[1], c[0]], {icon: icons[item.properties.k], keyboard: false});
          marker.feature = item;
        }
        markers.push(marker);
      }
      layer.clearLayers();
      for (var m = 0; m < markers.length; m += 1) { layer.addLayer(markers[m]); }
    }
    layer.on('click', function (event) {
      var marker = event.layer;
      if (marker.clusterId !== undefined) {
        var zoom = Math.min(index.getClusterExpansionZoom(marker.clusterId), map.getMaxZoom());
        map.setView(marker.getLatLng(), zoom);
      } else if (marker.feature) {
        L.popup({maxWidth: 320}).setLatLng(marker.getLatLng())
          .setContent(popupContent(marker.feature.properties, options)).openOn(map);
      }
    });
    map.on('moveend', draw);
    draw();
    return features.length;
  }

  function loadPoints(map, options) {
    var layer = L.featureGroup().addTo(map);  // a FeatureGroup passes its markers' clicks on
    var timings = window.registryTimings = {start: performance.now()};
    return fetchJson(options.pointsUrl).then(function (data) {
      timings.fetched = performance.now();
      var located = [];
      var features = data.features || [];
      var bounds = L.latLngBounds([]);
      for (var n = 0; n < features.length; n += 1) {
        var feature = features[n];
        var c = feature.geometry && feature.geometry.coordinates;
        if (!c || typeof c[0] !== 'number' || typeof c[1] !== 'number') { continue; }  // no location: not drawn
        if (options.kinds.indexOf(feature.properties.k) < 0) { continue; }
        located.push(feature);
        bounds.extend([c[1], c[0]]);
      }
      if (options.fitPoints && !map.registryFitted && bounds.isValid()) {
        map.fitBounds(bounds.pad(0.05), {maxZoom: 14, animate: false});
      }
      var total = clusterLayer(map, located, options, layer);
      timings.indexed = performance.now();
      markersReady(map, total);
    }).catch(function (error) {
      window.registryMarkersError = String(error);
      if (window.console) { console.error(error); }
    });
  }

  function results(map, options) {
    window.registryMaps = window.registryMaps || [];
    window.registryMaps.push(map);
    map.registryCrs = options.crs;
    addLegend(map, options);
    // The districts first (the first view fits them), then the points.
    var districts = options.districts ? districtLayer(map, options.districts, options)
      .catch(function (error) { window.registryDistrictsError = String(error); }) : Promise.resolve(null);
    return districts.then(function () { return loadPoints(map, options); });
  }

  function facility(map, options) {
    window.registryMaps = window.registryMaps || [];
    window.registryMaps.push(map);
    map.registryCrs = options.crs;
    if (options.districts) { districtLayer(map, options.districts, options); }
    var marker = L.marker(options.point, {icon: kindIcon(options.kind || 'facility'), keyboard: false}).addTo(map);
    if (options.name) { marker.bindTooltip(el('span', null, options.name)); }
    markersReady(map, 1);
  }

  window.RegistryMap = {results: results, facility: facility, popupContent: popupContent};
}());
