// The raftka web console's one script (served at /ui/assets/lag-chart.js): draws a consumer
// group's lag over time with uPlot from the samples the page embeds as JSON (#lag-data), and
// hides the table that shows the same samples when JavaScript is off.
(() => {
  const data = document.getElementById('lag-data');
  const target = document.getElementById('lag-chart');
  if (!data || !target || typeof uPlot !== 'function') return;
  const lag = JSON.parse(data.textContent || '{}');
  if (!Array.isArray(lag.times) || lag.times.length === 0) return;
  const colors = ['#1d2430', '#2457c5', '#c5531f', '#1e7a34', '#8a35b8', '#b3261e', '#0f7f85', '#a07a00'];
  const series = [{}].concat(
    lag.series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: i === 0 ? 2 : 1, spanGaps: true })),
  );
  const width = Math.max(320, Math.min(1200, target.parentElement.clientWidth - 2));
  // eslint-disable-next-line no-new
  new uPlot(
    { width, height: 220, series, axes: [{}, { label: 'lag (records)' }], scales: { x: { time: true } } },
    [lag.times].concat(lag.series.map((s) => s.values)),
    target,
  );
  document.body.classList.add('charted');
})();
