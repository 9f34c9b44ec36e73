// Draws every chart on a dashboard page from the JSON written beside it; the table beneath holds the numbers.
(function () {
  if (typeof echarts === "undefined") { return; }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var chart = JSON.parse(source.textContent);
    var instance = echarts.init(el);
    instance.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: chart.labels, axisLabel: { interval: el.clientWidth < 480 ? "auto" : 0, rotate: chart.labels.length > 6 ? 30 : 0 } },
      // Counts of things and people have no fractions on their axis; hours, money and shares may.
      yAxis: { type: "value", minInterval: ["%", "小时", "学时", "元", "分"].indexOf(chart.unit) < 0 ? 1 : 0 },
      series: chart.series.map(function (s) {
        return { name: s.name, type: chart.kind === "bar" ? "bar" : "line", data: s.data, smooth: false };
      })
    });
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();
