#!/usr/bin/env node
// Writes a set of receipts from other countries, with known values, as a
// dataset in the layout of ../shared/datasets/sroie-dev (images/*.jpg and
// labels.jsonl: company, date, address, total): the held-out check that
// extraction is not fitted to the Malaysian development receipts. Each
// receipt is made up from a seed (shop, street, items, prices, tax, how it
// is paid), laid out the way till printers of its country print (labels,
// date and amount formats, currency), printed by Debian's chromium and
// photographed or scanned badly on purpose (a slight turn, blur, low
// contrast, grey or yellowed paper, a darker table around the slip, JPEG
// at 55-90%). The same seed gives the same receipts.
//
//   node tools/make-test-receipts.mjs OUT_DIR [--count 60] [--seed 1]
//
// Needs chromium and tests/node_modules (scripts/install-deps). Nothing it
// writes is committed; `make bench-foreign` makes the set and scores it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(repo, 'tests', 'package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
if (args.length < 1 || args[0].startsWith('-')) {
  console.error('usage: node tools/make-test-receipts.mjs OUT_DIR [--count N] [--seed S]');
  process.exit(2);
}
const out = path.resolve(args[0]);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const count = opt('--count', 60);
const seed = opt('--seed', 1);

// mulberry32: a small seeded generator, so that a seed names one set.
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = rng(seed);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const chance = (p) => rand() < p;

const pad2 = (n) => String(n).padStart(2, '0');
const MONTHS_EN = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

// Amounts in cents printed in a country's style.
function money(cents, style) {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const units = String(Math.floor(abs / 100));
  const frac = pad2(abs % 100);
  const group = (sep) => units.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const s = {
    dot: `${group(',')}.${frac}`,
    comma: `${group('.')},${frac}`,
    space: `${group(' ')},${frac}`,
    plain: `${units}.${frac}`,
  }[style];
  return neg ? `-${s}` : s;
}

// What each country's receipts say and how they write dates and amounts.
const LOCALES = {
  us: {
    amount: 'dot', currency: '$', before: true, taxIncluded: false,
    date: (d) => pick([
      `${pad2(d.m)}/${pad2(d.d)}/${d.y}`,
      `${pad2(d.m)}/${pad2(d.d)}/${String(d.y).slice(2)}`,
      `${MONTHS_EN[d.m - 1].charAt(0)}${MONTHS_EN[d.m - 1].slice(1).toLowerCase()} ${d.d}, ${d.y}`,
    ]),
    dateLabel: ['Date:', 'DATE', ''],
    shops: ['Hardware', 'Deli', 'Market', 'Pharmacy', 'Coffee Co.', 'Grocery', 'Books', 'Diner', 'Supply Co.'],
    names: ['Maple', 'Riverside', 'Oak Street', 'Hudson', 'Liberty', 'Sunset', 'Pioneer', 'Lakeview', 'Granite'],
    street: () => `${between(10, 9899)} ${pick(['Main St', 'Elm Street', 'Oak Ave', 'Broadway', 'Market St', 'Pine Rd'])}`,
    city: () => pick(['Springfield, IL 62704', 'Portland, OR 97205', 'Austin, TX 78701', 'Madison, WI 53703', 'Albany, NY 12207']),
    items: ['Coffee', 'Bagel', 'Milk 1gal', 'Bread', 'Eggs dozen', 'Paper towels', 'Batteries AA', 'Notebook', 'Apples', 'Soda 12pk'],
    subtotal: ['Subtotal', 'SUBTOTAL', 'Sub Total'],
    tax: (r) => pick([`Sales Tax ${r}%`, `TAX ${r}%`, 'Tax']),
    taxRates: [6, 7, 8.25, 8.875],
    total: ['TOTAL', 'Total', 'BALANCE DUE', 'AMOUNT DUE'],
    cash: ['CASH', 'Cash'], card: ['VISA', 'MASTERCARD', 'DEBIT'], change: ['CHANGE', 'Change Due'],
    thanks: ['THANK YOU!', 'Thanks for shopping with us', 'Have a nice day'],
    phone: () => `Tel (${between(200, 989)}) ${between(200, 989)}-${between(1000, 9999)}`,
  },
  uk: {
    amount: 'dot', currency: '£', before: true, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${String(d.y).slice(2)}`,
      `${pad2(d.d)} ${MONTHS_EN[d.m - 1]} ${d.y}`]),
    dateLabel: ['Date:', 'DATE', ''],
    shops: ['Bakery', 'Newsagents', 'Hardware', 'Fish & Chips', 'Stores', 'Chemist', 'Books', 'Café'],
    names: ['Baker Street', 'Kingsway', 'Rose & Crown', 'Highgate', 'Camden', 'Windsor', 'Thornbury', 'Abbey'],
    street: () => `${between(1, 240)} ${pick(['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Mill Lane'])}`,
    city: () => pick(['London W1U 6TQ', 'Leeds LS1 4DY', 'Bristol BS1 5TR', 'York YO1 7HH', 'Bath BA1 1LT']),
    items: ['Sourdough loaf', 'Milk 2pt', 'Tea bags 80', 'Scones x4', 'Newspaper', 'Crisps', 'Sandwich', 'Flat white'],
    subtotal: ['Subtotal', 'SUB TOTAL'],
    tax: (r) => pick([`VAT ${r}% incl.`, `incl. VAT ${r}%`, 'VAT']),
    taxRates: [20, 5],
    total: ['TOTAL', 'Total', 'BALANCE DUE', 'TOTAL TO PAY'],
    cash: ['CASH', 'Cash'], card: ['CARD', 'VISA DEBIT', 'CONTACTLESS'], change: ['CHANGE', 'Change'],
    thanks: ['Thank you for your custom', 'Please call again'],
    phone: () => `Tel: 0${between(113, 208)} ${between(100, 999)} ${between(1000, 9999)}`,
  },
  de: {
    amount: 'comma', currency: 'EUR', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${String(d.y).slice(2)}`]),
    dateLabel: ['Datum:', ''],
    shops: ['Bäckerei', 'Metzgerei', 'Apotheke', 'Getränkemarkt', 'Buchhandlung', 'Eisenwaren', 'Café'],
    names: ['Müller', 'Schmidt', 'Becker', 'Hoffmann', 'Wagner', 'Schäfer', 'Krause', 'Neumann'],
    street: () => `${pick(['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Marktplatz', 'Gartenstraße'])} ${between(1, 120)}`,
    city: () => pick(['10115 Berlin', '80331 München', '50667 Köln', '20095 Hamburg', '70173 Stuttgart']),
    items: ['Brötchen', 'Roggenbrot', 'Kaffee', 'Apfelschorle', 'Käsekuchen', 'Milch 1L', 'Butter', 'Zeitung'],
    subtotal: ['Zwischensumme'],
    tax: (r) => pick([`MwSt ${r}%`, `enth. MwSt ${r}%`, `USt ${r}%`]),
    taxRates: [19, 7],
    total: ['SUMME', 'Summe', 'Gesamtbetrag', 'Zu zahlen', 'GESAMT'],
    cash: ['Bar', 'BAR', 'Gegeben'], card: ['EC-Karte', 'Kartenzahlung', 'girocard'], change: ['Rückgeld', 'Zurück'],
    thanks: ['Vielen Dank für Ihren Einkauf!', 'Auf Wiedersehen'],
    phone: () => `Tel. 0${between(30, 89)} ${between(100000, 999999)}`,
  },
  fr: {
    amount: 'comma', currency: '€', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${String(d.y).slice(2)}`]),
    dateLabel: ['Date :', 'Le', ''],
    shops: ['Boulangerie', 'Pharmacie', 'Librairie', 'Épicerie', 'Boucherie', 'Café', 'Quincaillerie'],
    names: ['Dupont', 'Martin', 'du Marché', 'de la Gare', 'Lefèvre', 'Moreau', 'Saint-Michel', 'des Halles'],
    street: () => `${between(1, 90)} ${pick(['rue de la Paix', 'avenue Victor Hugo', 'boulevard Voltaire', 'place de la République', 'rue du Commerce'])}`,
    city: () => pick(['75002 Paris', '69002 Lyon', '13001 Marseille', '31000 Toulouse', '44000 Nantes']),
    items: ['Baguette', 'Croissant', 'Pain au chocolat', 'Café', 'Eau minérale', 'Fromage', 'Journal', 'Tarte'],
    subtotal: ['SOUS-TOTAL', 'Total HT'],
    tax: (r) => pick([`TVA ${r}%`, `dont TVA ${r}%`]),
    taxRates: [20, 10, 5.5],
    total: ['TOTAL TTC', 'TOTAL', 'Net à payer', 'MONTANT TTC'],
    cash: ['ESPECES', 'Espèces'], card: ['CB', 'Carte bancaire'], change: ['Rendu', 'RENDU MONNAIE'],
    thanks: ['Merci de votre visite', 'A bientôt'],
    phone: () => `Tél : 0${between(1, 5)} ${between(10, 99)} ${between(10, 99)} ${between(10, 99)} ${between(10, 99)}`,
  },
  es: {
    amount: 'comma', currency: '€', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`]),
    dateLabel: ['Fecha:', 'FECHA', ''],
    shops: ['Farmacia', 'Panadería', 'Librería', 'Ferretería', 'Cafetería', 'Supermercado'],
    names: ['Central', 'García', 'del Sol', 'La Plaza', 'Martínez', 'San Juan', 'El Puerto'],
    street: () => `${pick(['Calle Mayor', 'Avenida de la Constitución', 'Calle Real', 'Paseo del Prado', 'Gran Vía'])} ${between(1, 150)}`,
    city: () => pick(['28013 Madrid', '08002 Barcelona', '41001 Sevilla', '46002 Valencia', '29015 Málaga']),
    items: ['Pan', 'Café con leche', 'Agua 1,5L', 'Tostada', 'Zumo naranja', 'Periódico', 'Aceite oliva', 'Queso'],
    subtotal: ['Subtotal', 'BASE IMPONIBLE'],
    tax: (r) => pick([`IVA ${r}%`, `IVA incluido ${r}%`]),
    taxRates: [21, 10],
    total: ['TOTAL', 'IMPORTE TOTAL', 'TOTAL A PAGAR'],
    cash: ['EFECTIVO', 'Efectivo'], card: ['TARJETA', 'Tarjeta'], change: ['CAMBIO', 'Cambio'],
    thanks: ['Gracias por su visita', 'Vuelva pronto'],
    phone: () => `Tel: ${between(910, 988)} ${between(100, 999)} ${between(100, 999)}`,
  },
  it: {
    amount: 'comma', currency: '€', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`]),
    dateLabel: ['Data:', 'DATA', ''],
    shops: ['Farmacia', 'Panificio', 'Bar', 'Libreria', 'Ferramenta', 'Pizzeria', 'Alimentari'],
    names: ['Rossi', 'Bianchi', 'Centrale', 'Da Mario', 'Ferrari', 'Roma', 'Esposito'],
    street: () => `${pick(['Via Roma', 'Corso Italia', 'Via Garibaldi', 'Piazza Duomo', 'Via Dante'])} ${between(1, 120)}`,
    city: () => pick(['00184 Roma', '20121 Milano', '50122 Firenze', '10121 Torino', '40121 Bologna']),
    items: ['Caffè', 'Cornetto', 'Acqua', 'Pane', 'Giornale', 'Latte', 'Pizza margherita', 'Biscotti'],
    subtotal: ['SUBTOTALE', 'Imponibile'],
    tax: (r) => pick([`IVA ${r}%`, `di cui IVA ${r}%`]),
    taxRates: [22, 10],
    total: ['TOTALE', 'TOTALE COMPLESSIVO', 'TOTALE EURO'],
    cash: ['CONTANTI', 'Contanti'], card: ['CARTA', 'Bancomat'], change: ['RESTO', 'Resto'],
    thanks: ['Grazie e arrivederci'],
    phone: () => `Tel. 0${between(2, 6)} ${between(1000000, 9999999)}`,
  },
  nl: {
    amount: 'comma', currency: '€', before: true, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}-${pad2(d.m)}-${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${String(d.y).slice(2)}`]),
    dateLabel: ['Datum:', ''],
    shops: ['Bakkerij', 'Apotheek', 'Boekhandel', 'IJzerhandel', 'Koffiebar', 'Supermarkt'],
    names: ['De Vries', 'Jansen', 'Bakker', 'Het Centrum', 'Van Dijk', 'De Molen'],
    street: () => `${pick(['Kalverstraat', 'Dorpsstraat', 'Marktplein', 'Stationsweg', 'Kerkstraat'])} ${between(1, 200)}`,
    city: () => pick(['1012 NX Amsterdam', '3011 AD Rotterdam', '3511 LX Utrecht', '2511 BT Den Haag']),
    items: ['Brood', 'Koffie', 'Melk', 'Kaas', 'Appeltaart', 'Krant', 'Stroopwafels', 'Thee'],
    subtotal: ['Subtotaal'],
    tax: (r) => pick([`BTW ${r}%`, `incl. BTW ${r}%`]),
    taxRates: [21, 9],
    total: ['TOTAAL', 'Totaal', 'Te betalen'],
    cash: ['Contant', 'CONTANT'], card: ['PIN', 'Pinbetaling'], change: ['Wisselgeld', 'Terug'],
    thanks: ['Bedankt voor uw bezoek'],
    phone: () => `Tel: 0${between(10, 79)}-${between(1000000, 9999999)}`,
  },
  iso: {
    amount: 'dot', currency: 'SGD', before: false, taxIncluded: false,
    date: (d) => pick([`${d.y}-${pad2(d.m)}-${pad2(d.d)}`, `${pad2(d.d)} ${MONTHS_EN[d.m - 1]} ${d.y}`,
      `${pad2(d.d)}-${MONTHS_EN[d.m - 1]}-${String(d.y).slice(2)}`]),
    dateLabel: ['Date:', 'Txn Date:', ''],
    shops: ['Trading', 'Enterprise', 'Kitchen', 'Mart', 'Electronics', 'Bookstore'],
    names: ['Golden Lotus', 'Harbour', 'Jade', 'Lucky Star', 'Orchard', 'Silver Bay'],
    street: () => `${between(1, 500)} ${pick(['Orchard Road', 'Bukit Timah Road', 'Tanjong Pagar Road', 'Serangoon Road'])}`,
    city: () => pick(['Singapore 238801', 'Singapore 088539', 'Singapore 218227']),
    items: ['Kopi', 'Chicken Rice', 'Laksa', 'USB Cable', 'Notebook A5', 'Iced Tea', 'Fried Noodles', 'Pen Set'],
    subtotal: ['Subtotal', 'Sub-Total'],
    tax: (r) => pick([`GST ${r}%`, `Service Charge & GST ${r}%`]),
    taxRates: [7, 8, 9],
    total: ['TOTAL', 'GRAND TOTAL', 'NETT TOTAL'],
    cash: ['CASH'], card: ['NETS', 'VISA'], change: ['CHANGE'],
    thanks: ['Thank you, please come again'],
    phone: () => `Tel: +65 ${between(6000, 6999)} ${between(1000, 9999)}`,
  },
};

function receipt(i) {
  const key = Object.keys(LOCALES)[i % Object.keys(LOCALES).length];
  const L = LOCALES[key];
  const cur = (cents) => (L.before ? `${L.currency}${money(cents, L.amount)}` : `${money(cents, L.amount)} ${L.currency}`);
  const bare = (cents) => money(cents, L.amount);
  const shop = pick(L.shops);
  const name = pick(L.names);
  const company = chance(0.5) ? `${shop} ${name}` : `${name} ${shop}`;
  const addressLines = [L.street(), L.city()];
  const d = { y: between(2016, 2025), m: between(1, 12), d: between(1, 28) };
  const printedDate = L.date(d);
  const iso = `${d.y}-${pad2(d.m)}-${pad2(d.d)}`;
  const items = [];
  for (let k = between(2, 7); k > 0; --k) {
    const qty = chance(0.7) ? 1 : between(2, 4);
    const unit = between(45, 2499);
    items.push({ text: pick(L.items), qty, cents: qty * unit });
  }
  const subtotal = items.reduce((a, it) => a + it.cents, 0);
  const rate = pick(L.taxRates);
  let tax;
  let total;
  if (L.taxIncluded) {
    total = subtotal;
    tax = Math.round((total * rate) / (100 + rate));
  } else {
    tax = Math.round((subtotal * rate) / 100);
    total = subtotal + tax;
  }
  const card = chance(0.4);
  const given = card ? total : Math.ceil(total / 1000) * 1000 + (chance(0.3) ? 1000 : 0);
  const rows = [];
  const row = (l, r, cls = '') => rows.push(`<div class="row ${cls}"><span>${l}</span><span>${r}</span></div>`);
  const line = (t, cls = '') => rows.push(`<div class="${cls}">${t}</div>`);
  // Labels are the text as printed (in capitals when printed so).
  const upper = chance(0.5);
  const printed = (t) => (upper ? t.toUpperCase() : t);
  line(printed(company), 'name');
  for (const a of addressLines) line(printed(a), 'c');
  if (chance(0.7)) line(L.phone(), 'c');
  rows.push('<br>');
  const dateLine = `${pick(L.dateLabel)} ${printedDate}`.trim();
  const time = `${pad2(between(7, 21))}:${pad2(between(0, 59))}`;
  const dateAtTop = chance(0.7);
  if (dateAtTop) row(dateLine, time);
  if (chance(0.5)) line(`${pick(['Receipt', 'No.', 'Bon', 'Ticket', 'Beleg'])} ${between(1000, 99999)}`);
  rows.push('<div class="rule"></div>');
  for (const it of items) {
    row(it.qty > 1 ? `${it.qty} x ${it.text}` : it.text, bare(it.cents));
  }
  rows.push('<div class="rule"></div>');
  if (!L.taxIncluded || chance(0.4)) row(pick(L.subtotal), bare(subtotal));
  if (!L.taxIncluded) row(L.tax(rate), bare(tax));
  const totalLabel = pick(L.total);
  row(`${totalLabel}`, chance(0.5) ? cur(total) : bare(total), 'total');
  if (card) {
    row(pick(L.card), bare(total));
  } else {
    row(pick(L.cash), bare(given));
    row(pick(L.change), bare(given - total));
  }
  if (L.taxIncluded) row(L.tax(rate), bare(tax));
  if (!dateAtTop) {
    rows.push('<br>');
    row(dateLine, time);
  }
  rows.push('<br>');
  line(pick(L.thanks), 'c');

  // How it was printed and captured.
  const font = pick(['"Liberation Mono"', '"DejaVu Sans Mono"', '"Liberation Sans"', '"Liberation Serif"']);
  const size = between(13, 18);
  const width = between(300, 420);
  const photo = chance(0.3);
  const turn = (rand() * 2 - 1) * (photo ? 2.5 : 0.8);
  const blur = chance(0.5) ? (rand() * 0.6).toFixed(2) : 0;
  const paper = pick(['#ffffff', '#f4f4f0', '#f2eddc', '#e8e8e8']);
  const ink = pick(['#000', '#222', '#333', '#444']);
  const table = photo ? pick(['#5b4a3a', '#3c3f44', '#8a8f96']) : '#ffffff';
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: ${table}; }
    .r { width: ${width}px; margin: 24px auto; padding: 18px 14px; background: ${paper}; color: ${ink};
         font-family: ${font}, monospace; font-size: ${size}px; line-height: 1.35;
         transform: rotate(${turn.toFixed(2)}deg); filter: blur(${blur}px); }
    .name { font-size: ${Math.round(size * pick([1.2, 1.4, 1.6]))}px; font-weight: bold; text-align: center; }
    .c { text-align: center; }
    .row { display: flex; justify-content: space-between; }
    .total { font-weight: bold; font-size: ${Math.round(size * pick([1, 1.15, 1.3]))}px; }
    .rule { border-top: 1px dashed ${ink}; margin: 4px 0; }
  </style></head><body><div class="r">${rows.join('\n')}</div></body></html>`;
  const id = `F${String(seed).padStart(2, '0')}${String(i).padStart(4, '0')}-${key}`;
  return {
    id,
    html,
    scale: pick([1, 1.5, 2]),
    quality: between(55, 90),
    label: {
      id, file: `images/${id}.jpg`, company: printed(company), date: iso,
      address: addressLines.map(printed).join(' '),
      total: money(total, 'plain'),
    },
  };
}

mkdirSync(path.join(out, 'images'), { recursive: true });
const executablePath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const labels = [];
try {
  for (let i = 0; i < count; ++i) {
    const r = receipt(i);
    const page = await browser.newPage({ viewport: { width: 520, height: 400 }, deviceScaleFactor: r.scale });
    await page.setContent(r.html);
    await page.screenshot({ path: path.join(out, r.label.file), type: 'jpeg', quality: r.quality, fullPage: true });
    await page.close();
    labels.push(JSON.stringify(r.label));
    if ((i + 1) % 10 === 0 || i + 1 === count) process.stderr.write(`make-test-receipts: ${i + 1}/${count}\n`);
  }
} finally {
  await browser.close();
}
writeFileSync(path.join(out, 'labels.jsonl'), `${labels.join('\n')}\n`);
console.log(`make-test-receipts: ${count} receipts in ${out}`);
