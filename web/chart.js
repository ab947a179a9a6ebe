// A horizontal bar chart in inline SVG, drawn at the container's width so that text keeps its size.
import { formatUnits } from './util.js';

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// groups: [{key, units, count}] from util.groupTotals; label(key) gives the text shown.
export function barChart(groups, { width = 600, currency = '', title = '', label = (k) => k } = {}) {
  const row = 28;
  const gap = 6;
  const labelW = Math.min(170, Math.round(width * 0.34));
  const valueW = Math.min(120, Math.round(width * 0.28));
  const barMax = Math.max(20, width - labelW - valueW - 16);
  const height = groups.length * (row + gap) + gap;
  const max = groups.reduce((m, g) => (g.units > m ? g.units : m), 1n);

  const svg = el('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart',
    'aria-label': `${title}: ` + groups.map((g) => `${label(g.key)} ${formatUnits(g.units)} ${currency}`.trim()).join('; '),
  });
  groups.forEach((g, i) => {
    const y = gap + i * (row + gap);
    const w = g.units > 0n ? Math.max(2, Number((g.units * BigInt(barMax)) / max)) : 0;
    const group = el('g', { class: 'bar' });
    group.append(el('title', {}, `${label(g.key)}: ${formatUnits(g.units)}${currency ? ' ' + currency : ''} (${g.count} invoice${g.count === 1 ? '' : 's'})`));
    let name = label(g.key);
    const maxChars = Math.floor(labelW / 7.2);
    if (name.length > maxChars) name = name.slice(0, maxChars - 1) + '…';
    group.append(el('text', { x: labelW - 8, y: y + row / 2, 'text-anchor': 'end', 'dominant-baseline': 'central' }, name));
    group.append(el('rect', { x: labelW, y, width: w, height: row, rx: 3 }));
    group.append(el('text', { x: labelW + w + 6, y: y + row / 2, 'dominant-baseline': 'central', class: 'value' },
      formatUnits(g.units)));
    svg.append(group);
  });
  return svg;
}
