/* The dispute map (民情地图): draws the areas of the JSON block #jf-map-data with the vendored
   ECharts (no tiles, nothing from outside), coloured by the chosen layer's count, and lists an
   area's cases under the map when the area is clicked (on the map or in the table), from
   /map/area/<id>/cases. Without this script the table's links load the same list with the page.
   No inline handlers: the Content-Security-Policy allows only this site's files. */
(function () {
  "use strict";
  var holder = document.getElementById("jf-map");
  var block = document.getElementById("jf-map-data");
  var section = document.getElementById("jf-map-cases");
  if (!block || !section) { return; }
  var data = JSON.parse(block.textContent);
  var text = data.text;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }

  function element(tag, attrs, content) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }

  function queryString(extra) {
    var params = new URLSearchParams();
    var all = Object.assign({}, data.query, extra);
    Object.keys(all).forEach(function (key) { if (all[key] !== "" && all[key] !== null) { params.set(key, all[key]); } });
    return params.toString();
  }

  function markRow(areaId) {
    var rows = document.querySelectorAll("#jf-map-table tbody tr");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("jf-map-selected", rows[i].getAttribute("data-area") === String(areaId));
    }
  }

  function render(answer) {
    section.textContent = "";
    var title = fill(text.casesOf, {area: answer.area.name}) + " · " + fill(text.total, {count: answer.total});
    section.appendChild(element("h5", {id: "jf-map-cases-title"}, title));
    if (!answer.rows.length) {
      section.appendChild(element("p", {"class": "text-muted"}, text.none));
    } else {
      var table = element("table", {"class": "table table-condensed table-striped", id: "jf-map-cases-table"});
      var head = element("tr");
      text.columns.forEach(function (label, i) {
        head.appendChild(element("th", i === text.columns.length - 1 ? {"class": "text-right"} : {}, label));
      });
      table.appendChild(element("thead")).appendChild(head);
      var body = table.appendChild(element("tbody"));
      answer.rows.forEach(function (row) {
        var tr = element("tr");
        var first = tr.appendChild(element("td"));
        first.appendChild(element("a", {href: row.url}, row.case_no));
        [row.title, row.type, row.status, row.area].forEach(function (value) { tr.appendChild(element("td", {}, value)); });
        tr.appendChild(element("td", {"class": "text-right"}, row.registered));
        body.appendChild(tr);
      });
      section.appendChild(table);
    }
    if (answer.pages > 1) {
      var pager = element("ul", {"class": "pager"});
      if (answer.page > 1) {
        var back = pager.appendChild(element("li", {"class": "previous"})).appendChild(element("a", {href: "#jf-map-cases"}, text.previous));
        back.addEventListener("click", function (event) { event.preventDefault(); load(answer.area.id, answer.page - 1); });
      }
      pager.appendChild(element("li", {}, fill(text.pageOf, {n: answer.page, total: answer.pages})));
      if (answer.page < answer.pages) {
        var on = pager.appendChild(element("li", {"class": "next"})).appendChild(element("a", {href: "#jf-map-cases"}, text.next));
        on.addEventListener("click", function (event) { event.preventDefault(); load(answer.area.id, answer.page + 1); });
      }
      section.appendChild(pager);
    }
    section.appendChild(element("p")).appendChild(element("a", {href: answer.list_url, id: "jf-map-full-list"}, text.fullList));
  }

  function load(areaId, page) {
    var url = data.casesUrl.replace("{id}", encodeURIComponent(areaId)) + "?" + queryString({page: page});
    markRow(areaId);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) { render(answer); section.scrollIntoView({behavior: "smooth", block: "start"}); })
      .catch(function () {
        section.textContent = "";
        section.appendChild(element("p", {"class": "text-danger"}, text.failed));
      });
  }

  var links = document.querySelectorAll("[data-jf-map-area]");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (event) {
      event.preventDefault();
      load(event.currentTarget.getAttribute("data-jf-map-area"), 1);
    });
  }

  if (!holder || !window.echarts) { return; }
  window.echarts.registerMap(data.mapName, data.geojson);
  var chart = window.echarts.init(holder, null, {renderer: "canvas"});
  var series = Object.keys(data.names).filter(function (key) { return key in data.values; }).map(function (key) {
    return {name: key, value: data.values[key]};
  });
  chart.setOption({
    tooltip: {
      trigger: "item",
      formatter: function (p) {
        return escapeHtml(data.names[p.name] || "") + "<br>" + escapeHtml(text.layer) + ": " + (p.value || 0);
      }
    },
    visualMap: {
      min: 0, max: data.max, calculable: true, left: 8, bottom: 8, text: [text.high, text.low],
      inRange: {color: data.colours}
    },
    series: [{
      type: "map", map: data.mapName, nameProperty: "key", roam: true, selectedMode: "single",
      aspectScale: data.aspectScale,
      label: {
        show: true, fontSize: 12, color: "#1f2329",
        formatter: function (p) { return (data.names[p.name] || "") + "\n" + (p.value || 0); }
      },
      emphasis: {label: {show: true}, itemStyle: {areaColor: "#ffd666"}},
      select: {label: {show: true}, itemStyle: {areaColor: "#ffc53d"}},
      itemStyle: {borderColor: "#ffffff", borderWidth: 1.5},
      data: series
    }]
  });
  chart.on("click", function (p) { if (p.name) { load(p.name, 1); } });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });
}());
