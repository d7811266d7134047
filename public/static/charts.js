/* Trend charts of the disclosure pages. Each <div class="chart"
   data-chart="ID"> is drawn from the JSON in <script type="application/json"
   id="ID"> (no inline script: the CSP allows only this file and the
   vendored ECharts). The HTML table and a one-sentence summary beside each
   chart carry the same figures for screen readers, for print and without
   JavaScript; a chart that cannot be drawn stays hidden. */
(function () {
  'use strict';
  if (!window.echarts || !document.querySelectorAll) { return; }
  var palette = ['#0a4a8f', '#a8101a', '#0b6b2f', '#9a6700'];

  function format(v) {
    if (v === null || v === undefined || isNaN(v)) { return '—'; }
    return Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 6 });
  }
  // axisUnit is how the value axis reads the figures: figures in 万元 of
  // 10,000 万元 or more read in 亿元 (an axis label "120万" over "单位：万元"
  // would mean 120 万万元), anything else in its own unit.
  function axisUnit(data) {
    var max = 0;
    data.series.forEach(function (s) {
      s.data.forEach(function (v) { if (v !== null && Math.abs(v) > max) { max = Math.abs(v); } });
    });
    if (data.unit === '万元' && max >= 1e4) { return { name: '单位：亿元', divisor: 1e4 }; }
    if (data.unit === '%') { return { name: '%', divisor: 1, suffix: '%' }; }
    return { name: '单位：' + data.unit, divisor: 1 };
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute('data-chart'));
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    if (!data || !data.categories || !data.categories.length) { return; }
    el.classList.add('chart-ready');
    var narrow = el.clientWidth < 480;
    var axis = axisUnit(data);
    var chart = window.echarts.init(el, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      color: palette,
      textStyle: { fontFamily: 'inherit' },
      tooltip: {
        trigger: 'axis', confine: true,
        valueFormatter: function (v) { return format(v) + (data.unit === '%' ? '%' : ' ' + data.unit); }
      },
      legend: { bottom: 0, itemGap: narrow ? 8 : 16, textStyle: { fontSize: narrow ? 11 : 13 } },
      grid: { left: 4, right: 12, top: 32, bottom: narrow ? 64 : 36, containLabel: true },
      xAxis: { type: 'category', data: data.categories, axisLabel: { fontSize: narrow ? 11 : 12, hideOverlap: true } },
      yAxis: {
        type: 'value', name: axis.name,
        nameTextStyle: { align: 'left', fontSize: 12 },
        axisLabel: {
          fontSize: narrow ? 10 : 12,
          formatter: function (v) {
            return (v / axis.divisor).toLocaleString('zh-CN', { maximumFractionDigits: 2 }) + (axis.suffix || '');
          }
        }
      },
      series: data.series.map(function (s) {
        return { name: s.name, type: s.type, data: s.data, barMaxWidth: 28, connectNulls: false, symbolSize: 7 };
      })
    });
    var pending = 0;
    window.addEventListener('resize', function () {
      if (pending) { return; }
      pending = window.setTimeout(function () { pending = 0; chart.resize(); }, 150);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.chart[data-chart]'), draw);
}());
