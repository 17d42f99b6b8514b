/* The dashboard's charts (ECharts, vendored in static/vendor/echarts). The figures come from
   the page's JSON block (#dashboard-data), the same numbers as the tables under the charts;
   nothing is fetched and no inline handler is used (the Content-Security-Policy allows this
   site's files only). */
(function () {
  var block = document.getElementById("dashboard-data");
  if (!block || typeof echarts === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var font = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var blue = "#1677ff", grey = "#bfbfbf", green = "#389e0d";
  var charts = [];

  function draw(id, option) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var chart = echarts.init(box, null, { renderer: "svg" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: "axis" };
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(categories, current, previous, horizontal) {
    var category = { type: "category", data: categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    var series = [{ name: data.labels.cases, type: "bar", data: current, itemStyle: { color: blue } }];
    if (previous) {
      series.push({ name: data.labels.previous, type: "bar", data: previous, itemStyle: { color: grey } });
    }
    return {
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { inverse: true }) : value,
      series: series
    };
  }

  draw("chart-months", {
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.cases, type: "bar", data: data.month_counts, itemStyle: { color: blue }, barMaxWidth: 36 },
      { name: data.labels.cases, type: "line", data: data.month_counts, itemStyle: { color: green }, smooth: false }
    ]
  });
  draw("chart-types", bars(data.types, data.type_counts, data.type_previous, true));
  draw("chart-areas", bars(data.areas, data.area_counts, data.area_previous, false));
  draw("chart-visits", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.scores },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.labels.visits, type: "bar", data: data.score_counts, itemStyle: { color: green }, barMaxWidth: 36 }]
  });

  function resize() {
    for (var i = 0; i < charts.length; i++) { charts[i].resize(); }
  }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);  /* printed, the cards take the whole width */
}());
