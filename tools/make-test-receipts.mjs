#!/usr/bin/env node
// Writes a set of receipts from other countries, with known values, as a
// dataset in the layout of ../shared/datasets/sroie-dev (images/*.jpg and
// labels.jsonl: company, date, address, total, and also currency, subtotal,
// tax, discount, tip, amount_due, line_items, vendor_phone and, for
// invoices, vendor_tax_id, the customer's name and address and, with
// --buyer-tax, its tax number, with --orders the purchase order and payment
// terms): the held-out check that extraction is not
// fitted to the Malaysian development receipts. Each receipt is made up
// from a seed (shop, street, items, prices, tax, how it is paid), laid out
// the way till printers of its country print (labels, date and amount
// formats, currency), printed by Debian's chromium and photographed or
// scanned badly on purpose (a slight turn, blur, low contrast, grey or
// yellowed paper, a darker table around the slip, JPEG at 55-90%). The same
// seed gives the same receipts.
//
//   node tools/make-test-receipts.mjs OUT_DIR [--count 60] [--seed 1] [--invoices] [--pdf]
//                                     [--countries us,uk,...,id] [--extras] [--credit] [--long]
//                                     [--buyer-tax] [--orders]
//
// --invoices makes A4 invoices of businesses in place of till slips: the
// vendor's letterhead (left, right or centred), the customer's block beside
// or under it, invoice number, date and due date, a table of items, net, tax
// and total in the country's words; labelled also with invoice_id, due_date
// and receiver_name (scan_bench scores those where a dataset has them).
// --pdf prints each document to a PDF with its text layer (images/*.pdf), as
// invoicing software does, in place of a scan or photo: the same documents as
// without it for a seed, upright and sharp, read without OCR.
// --countries names the countries whose documents are made, in turn: by default
// the first eight (us, uk, de, fr, es, it, nl, iso: Singapore); ch, au, in, pt,
// pl, ca, se, dk, no, fi, cz (Czechia), tr, id (Indonesia), hu, ro, gr (Greece, in
// Greek letters), bg (Bulgaria), ua (Ukraine) and ru (Russia, receipts only), in
// Cyrillic, are made only when named, so that a seed's default set stays the
// one earlier figures were measured on.
// --extras adds to receipts what real ones print around the prices: a
// discount before or after the subtotal, a tip where tax is added, unit prices
// on lines of their own, card slip or cashier lines, loyalty points; and to
// invoices items at two tax rates or a discount, a shipping charge, a deposit
// paid with the balance left to pay (also only when asked for).
// --credit (with --invoices) makes credit notes in place of invoices: the
// country's title ("CREDIT NOTE", "Gutschrift", "Avoir"...), the note's own
// number, the invoice it credits, and every amount printed negative; the
// labelled total is negative ("-1234.50").
// --long (with --invoices) makes invoices of 22 to 34 items over two A4 pages
// (a short header on the second, the totals at its end), as PDFs: with a text
// layer with --pdf, else the two pages scanned as pictures (images/*.pdf).
// --buyer-tax (with --invoices) prints the customer's tax number in its block,
// in the country's form (labelled receiver_tax_id).
// --orders (with --invoices) prints the customer's purchase order number and
// the payment terms, each on most invoices, in the country's words: among the
// invoice number and dates or, the terms, as a line at the foot (labelled
// purchase_order and payment_terms, the text after the label).
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
  console.error('usage: node tools/make-test-receipts.mjs OUT_DIR [--count N] [--seed S] [--invoices] [--pdf] [--countries a,b,...] [--extras] [--credit] [--long] [--buyer-tax] [--orders]');
  process.exit(2);
}
const out = path.resolve(args[0]);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const count = opt('--count', 60);
const seed = opt('--seed', 1);
// --invoices: A4 invoices of businesses, scanned or photographed, in place of
// till slips (labels also give invoice_id and due_date).
const invoices = args.includes('--invoices');
// --pdf: born-digital PDFs with a text layer in place of scans and photos.
const pdf = args.includes('--pdf');
// --countries: which countries' documents, in turn (the first eight unless
// named; the others are MORE_LOCALES').
const countriesArg = args.indexOf('--countries');
// --extras: receipts with what real ones add around the prices (discounts,
// tips, unit price lines, card slips, loyalty points), invoices with two tax
// rates or a discount, shipping and deposits, in place of plain ones.
const extras = args.includes('--extras');
// --credit: credit notes (negative amounts) in place of invoices.
const credit = args.includes('--credit');
// --long: invoices over two pages.
const long = args.includes('--long');
// --buyer-tax: the customer's tax number printed on invoices.
const buyerTax = args.includes('--buyer-tax');
// --orders: the purchase order and payment terms printed on invoices.
const orders = args.includes('--orders');

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

// Each country's currency (ISO 4217), labelled whether or not the document
// prints a mark: a reader is expected to know a Berlin receipt's euros.
const CURRENCY = {
  us: 'USD', uk: 'GBP', de: 'EUR', fr: 'EUR', es: 'EUR', it: 'EUR', nl: 'EUR', iso: 'SGD', ch: 'CHF', au: 'AUD',
  in: 'INR', pt: 'EUR', pl: 'PLN', ca: 'CAD', se: 'SEK', dk: 'DKK', no: 'NOK', fi: 'EUR', cz: 'CZK', tr: 'TRY',
  id: 'IDR', hu: 'HUF', ro: 'RON', gr: 'EUR', bg: 'BGN', ru: 'RUB', ua: 'UAH',
};

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
    apostrophe: `${group("'")}.${frac}`,
    // Lakh grouping: the last three digits, then pairs (1,23,456.00).
    indian: `${units.length > 3 ? `${units.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',')},${units.slice(-3)}` : units}.${frac}`,
    plain: `${units}.${frac}`,
    // Currencies printed without minor units (Indonesia's rupiah: 45.000).
    whole: group('.'),
    // ... and grouped by spaces (Hungary's forint: 12 345).
    wholeSpace: group(' '),
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

// The word for a discount on each country's receipts (--extras).
const DISCOUNT_WORDS = {
  us: 'Discount', uk: 'Discount', de: 'Rabatt', fr: 'Remise', es: 'Descuento', it: 'Sconto', nl: 'Korting',
  iso: 'Discount', ch: 'Rabatt', au: 'Discount', in: 'Discount', pt: 'Desconto', pl: 'Rabat', ca: 'Discount',
  se: 'Rabatt', dk: 'Rabat', no: 'Rabatt', fi: 'Alennus', cz: 'Sleva', tr: 'İndirim', id: 'Diskon',
  hu: 'Kedvezmény', ro: 'Reducere', gr: 'Έκπτωση', bg: 'Отстъпка', ua: 'Знижка', ru: 'Скидка',
};

// Countries beyond the first eight, made only when asked for (--countries), so
// that the sets of earlier seeds stay as they were. `taxes` prints the tax in
// several lines (India's CGST and SGST, Canada's GST and PST), `unit` gives
// the country's prices, `whole` rounds amounts to whole units (a currency
// printed without cents), `star` prints the fiscal "*" before receipt amounts,
// `tender` is the step cash is handed over in (cents), `cityFirst` writes the
// postcode and town before the street.
const MORE_LOCALES = {
  ch: {
    amount: 'apostrophe', currency: 'CHF ', before: true, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${String(d.y).slice(2)}`]),
    dateLabel: ['Datum:', 'Date:', ''],
    shops: ['Bäckerei', 'Apotheke', 'Confiserie', 'Metzgerei', 'Buchhandlung', 'Kiosk', 'Papeterie'],
    names: ['Sprüngli', 'Huber', 'Keller', 'Meier', 'Zum Löwen', 'Bachmann', 'Gerber'],
    street: () => `${pick(['Bahnhofstrasse', 'Marktgasse', 'Seestrasse', 'Kramgasse', 'Limmatquai'])} ${between(1, 120)}`,
    city: () => pick(['8001 Zürich', '3011 Bern', '4051 Basel', '6003 Luzern', '9000 St. Gallen']),
    items: ['Gipfeli', 'Zopf', 'Kaffee crème', 'Mineral', 'Birchermüesli', 'Schoggi', 'Zeitung', 'Bürli'],
    subtotal: ['Zwischentotal'],
    tax: (r) => pick([`MWST ${r}%`, `inkl. MWST ${r}%`]),
    taxRates: [8.1, 2.6],
    total: ['TOTAL CHF', 'Total', 'Zu bezahlen', 'TOTAL'],
    cash: ['Bar', 'BAR'], card: ['TWINT', 'Maestro', 'PostFinance'], change: ['Rückgeld', 'Zurück'],
    thanks: ['Merci für Ihren Einkauf', 'Uf Widerluege'],
    phone: () => `Tel. 0${between(21, 91)} ${between(100, 999)} ${between(10, 99)} ${between(10, 99)}`,
  },
  au: {
    amount: 'dot', currency: '$', before: true, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${String(d.y).slice(2)}`,
      `${d.d} ${MONTHS_EN[d.m - 1].charAt(0)}${MONTHS_EN[d.m - 1].slice(1).toLowerCase()} ${d.y}`]),
    dateLabel: ['Date:', 'DATE', ''],
    shops: ['Bakery', 'Newsagency', 'Chemist', 'Hardware', 'Café', 'Bottle Shop', 'Butchery'],
    names: ['Bondi', 'Harbourside', 'Wattle', 'Southern Cross', 'Kookaburra', 'Bayside', 'Red Gum'],
    street: () => `${between(1, 480)} ${pick(['George St', 'Collins Street', 'Queen St', 'Hay Street', 'King William St'])}`,
    city: () => pick(['Sydney NSW 2000', 'Melbourne VIC 3000', 'Brisbane QLD 4000', 'Perth WA 6000', 'Adelaide SA 5000']),
    items: ['Flat white', 'Meat pie', 'Lamington', 'Sausage roll', 'Milk 2L', 'Vegemite', 'Newspaper', 'Banana bread'],
    subtotal: ['Subtotal'],
    tax: (r) => pick([`GST ${r}% incl.`, 'Total includes GST', `GST included`]),
    taxRates: [10],
    total: ['TOTAL', 'Total', 'TOTAL AUD', 'Amount Due'],
    cash: ['CASH', 'Cash'], card: ['EFTPOS', 'VISA', 'MASTERCARD'], change: ['CHANGE', 'Change'],
    thanks: ['Thanks, see you again!', 'Cheers'],
    phone: () => `Ph (0${between(2, 8)}) ${between(8000, 9999)} ${between(1000, 9999)}`,
  },
  in: {
    amount: 'indian', currency: 'Rs.', before: true, taxIncluded: false,
    date: (d) => pick([`${pad2(d.d)}-${pad2(d.m)}-${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${d.y}`,
      `${pad2(d.d)}-${MONTHS_EN[d.m - 1].charAt(0)}${MONTHS_EN[d.m - 1].slice(1).toLowerCase()}-${d.y}`]),
    dateLabel: ['Date:', 'Bill Date:', 'Dt:'],
    shops: ['Sweets', 'Medicals', 'Restaurant', 'Stores', 'Bakery', 'Kirana Store', 'Cafe'],
    names: ['Sri Krishna', 'Annapoorna', 'Ganesh', 'Lakshmi', 'New Royal', 'Saravana', 'Shree Balaji'],
    street: () => `${between(1, 250)}, ${pick(['MG Road', 'Brigade Road', 'Linking Road', 'Anna Salai', 'Park Street'])}`,
    city: () => pick(['Bengaluru 560001', 'Mumbai 400050', 'Chennai 600002', 'Kolkata 700016', 'New Delhi 110001']),
    items: ['Masala Dosa', 'Filter Coffee', 'Paneer Tikka', 'Veg Biryani', 'Gulab Jamun', 'Lassi', 'Paracetamol', 'Atta 5kg'],
    unit: () => between(20, 900) * 100,
    subtotal: ['Sub Total', 'Gross Amount', 'Total Amount'],
    taxes: () => {
      const r = pick([2.5, 6, 9]);
      return [[`CGST ${r}%`, r], [`SGST ${r}%`, r]];
    },
    total: ['Grand Total', 'NET AMOUNT', 'Bill Amount', 'TOTAL'],
    cash: ['Cash', 'CASH'], card: ['UPI', 'Card', 'Paytm'], change: ['Balance', 'Change'],
    thanks: ['Thank You! Visit Again', 'GSTIN: 29AAB' + 'CS1234F1Z5'],
    phone: () => `Ph: +91 ${between(70000, 99999)} ${between(10000, 99999)}`,
  },
  pt: {
    amount: 'comma', currency: '€', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}-${pad2(d.m)}-${d.y}`, `${d.y}-${pad2(d.m)}-${pad2(d.d)}`, `${pad2(d.d)}/${pad2(d.m)}/${d.y}`]),
    dateLabel: ['Data:', 'DATA', ''],
    shops: ['Pastelaria', 'Farmácia', 'Livraria', 'Padaria', 'Mercearia', 'Café', 'Drogaria'],
    names: ['Lusitana', 'Central', 'Aurora', 'do Mercado', 'São Bento', 'Alfama', 'Estrela'],
    street: () => `${pick(['Rua Augusta', 'Avenida da Liberdade', 'Rua de Santa Catarina', 'Praça do Comércio', 'Rua das Flores'])} ${between(1, 200)}`,
    city: () => pick(['1100-048 Lisboa', '4000-322 Porto', '3000-150 Coimbra', '8000-138 Faro', '4700-435 Braga']),
    items: ['Pastel de nata', 'Bica', 'Galão', 'Pão', 'Água 1,5L', 'Sumo laranja', 'Jornal', 'Torrada'],
    subtotal: ['Subtotal', 'Total s/ IVA'],
    tax: (r) => pick([`IVA ${r}%`, `IVA incluído ${r}%`]),
    taxRates: [23, 13, 6],
    total: ['TOTAL', 'Total a pagar', 'TOTAL EUR'],
    cash: ['Numerário', 'NUMERARIO'], card: ['Multibanco', 'MB WAY', 'Cartão'], change: ['Troco', 'TROCO'],
    thanks: ['Obrigado pela sua visita', 'Volte sempre'],
    phone: () => `Tel: ${between(210, 299)} ${between(100, 999)} ${between(100, 999)}`,
  },
  pl: {
    amount: 'comma', currency: 'zł', before: false, taxIncluded: true,
    date: (d) => pick([`${d.y}-${pad2(d.m)}-${pad2(d.d)}`, `${pad2(d.d)}.${pad2(d.m)}.${d.y}`]),
    dateLabel: ['', 'Data:'],
    shops: ['Piekarnia', 'Apteka', 'Sklep', 'Kawiarnia', 'Księgarnia', 'Delikatesy'],
    names: ['Nowak', 'Kowalski', 'Pod Lipą', 'Zdrowie', 'Wiśniewski', 'Centrum', 'Stokrotka'],
    street: () => `ul. ${pick(['Marszałkowska', 'Floriańska', 'Piotrkowska', 'Długa', 'Świętojańska'])} ${between(1, 150)}`,
    city: () => pick(['00-624 Warszawa', '31-019 Kraków', '90-001 Łódź', '80-831 Gdańsk', '50-001 Wrocław']),
    items: ['Chleb', 'Kawa', 'Mleko 1L', 'Pączek', 'Masło', 'Woda 1,5L', 'Gazeta', 'Rogal'],
    subtotal: ['Sprzedaż opodatk. A'],
    tax: (r) => pick([`PTU A ${r}%`, `Kwota A ${r}%`]),
    taxRates: [23, 8],
    total: ['SUMA PLN', 'SUMA', 'Razem PLN', 'DO ZAPŁATY'],
    cash: ['Gotówka', 'GOTÓWKA'], card: ['Karta', 'KARTA'], change: ['Reszta', 'RESZTA'],
    thanks: ['Dziękujemy, zapraszamy ponownie', 'PARAGON FISKALNY'],
    phone: () => `tel. ${between(12, 91)} ${between(100, 999)} ${between(10, 99)} ${between(10, 99)}`,
  },
  ca: {
    amount: 'dot', currency: '$', before: true, taxIncluded: false,
    date: (d) => pick([`${d.y}-${pad2(d.m)}-${pad2(d.d)}`, `${pad2(d.m)}/${pad2(d.d)}/${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${d.y}`]),
    dateLabel: ['Date:', 'DATE', ''],
    shops: ['Hardware', 'Bakery', 'Pharmacy', 'Coffee House', 'Grocer', 'Books'],
    names: ['Maple Leaf', 'Northern', 'Lakeshore', 'Rideau', 'Granville', 'Bluenose', 'Prairie'],
    street: () => `${between(10, 2999)} ${pick(['Yonge St', 'Granville Street', 'Rue Sainte-Catherine', 'Jasper Ave', 'Portage Ave'])}`,
    city: () => pick(['Toronto, ON M5B 2H1', 'Vancouver, BC V6Z 1Y6', 'Edmonton, AB T5J 1N4', 'Winnipeg, MB R3C 4T3']),
    items: ['Double-double', 'Timbits 10pc', 'Butter tarts', 'Maple syrup', 'Milk 2L', 'Bagel', 'Poutine', 'Batteries'],
    subtotal: ['Subtotal', 'SUBTOTAL'],
    taxes: () => pick([[['GST 5%', 5], ['PST 7%', 7]], [['HST 13%', 13]], [['GST', 5]], [['HST 15%', 15]]]),
    total: ['TOTAL', 'Total', 'AMOUNT DUE'],
    cash: ['CASH', 'Cash'], card: ['INTERAC', 'DEBIT', 'VISA'], change: ['CHANGE', 'Change'],
    thanks: ['Thank you! Merci!', 'Please come again'],
    phone: () => `Tel: (${between(204, 905)}) ${between(200, 989)}-${between(1000, 9999)}`,
  },
  se: {
    amount: 'space', currency: 'kr', before: false, taxIncluded: true,
    date: (d) => pick([`${d.y}-${pad2(d.m)}-${pad2(d.d)}`, `${String(d.y).slice(2)}-${pad2(d.m)}-${pad2(d.d)}`]),
    dateLabel: ['Datum:', 'Datum', ''],
    shops: ['Bageri', 'Konditori', 'Apotek', 'Blommor', 'Järnhandel', 'Kafé', 'Bokhandel'],
    names: ['Söder', 'Gamla Stan', 'Lindqvist', 'Björk', 'Ekström', 'Nordstjärnan', 'Vasa'],
    street: () => `${pick(['Drottninggatan', 'Storgatan', 'Kungsgatan', 'Västerlånggatan', 'Sveavägen'])} ${between(1, 120)}`,
    city: () => pick(['111 52 Stockholm', '411 05 Göteborg', '211 22 Malmö', '753 20 Uppsala', '582 24 Linköping']),
    items: ['Kanelbulle', 'Kaffe', 'Smörgås', 'Mjölk 1,5L', 'Semla', 'Kladdkaka', 'Tidning', 'Knäckebröd'],
    subtotal: ['Delsumma'],
    tax: (r) => pick([`Moms ${r}%`, `varav moms ${r}%`]),
    taxRates: [25, 12, 6],
    total: ['SUMMA', 'Totalt', 'Att betala', 'TOTALT SEK'],
    cash: ['Kontant', 'KONTANT'], card: ['Kort', 'Swish', 'VISA'], change: ['Växel', 'Tillbaka'],
    thanks: ['Tack för besöket!', 'Välkommen åter'],
    phone: () => `Tel: 0${between(8, 90)}-${between(100, 999)} ${between(10, 99)} ${between(10, 99)}`,
  },
  dk: {
    amount: 'comma', currency: 'kr.', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${String(d.y).slice(2)}`]),
    dateLabel: ['Dato:', 'Dato', ''],
    shops: ['Bageri', 'Apotek', 'Kiosk', 'Boghandel', 'Slagter', 'Café', 'Blomster'],
    names: ['Nørrebro', 'Østerbro', 'Jensens', 'Havnen', 'Lykke', 'Christianshavn', 'Møllen'],
    street: () => `${pick(['Strøget', 'Vesterbrogade', 'Nørregade', 'Søndergade', 'Algade'])} ${between(1, 150)}`,
    city: () => pick(['1160 København K', '8000 Aarhus C', '5000 Odense C', '9000 Aalborg', '2100 København Ø']),
    items: ['Wienerbrød', 'Kaffe', 'Rugbrød', 'Smørrebrød', 'Mælk 1L', 'Kanelsnegl', 'Avis', 'Øl'],
    subtotal: ['Subtotal', 'Mellemsum'],
    tax: (r) => pick([`Moms ${r}%`, `Heraf moms ${r}%`, 'Moms udgør']),
    taxRates: [25],
    total: ['I ALT', 'Total', 'At betale', 'TOTAL DKK'],
    cash: ['Kontant', 'KONTANT'], card: ['Dankort', 'MobilePay', 'VISA/Dankort'], change: ['Byttepenge', 'Retur'],
    thanks: ['Tak for besøget', 'På gensyn'],
    phone: () => `Tlf. ${between(20, 99)} ${between(10, 99)} ${between(10, 99)} ${between(10, 99)}`,
  },
  no: {
    amount: 'space', currency: 'kr', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${String(d.y).slice(2)}`]),
    dateLabel: ['Dato:', 'Dato', ''],
    shops: ['Bakeri', 'Apotek', 'Kiosk', 'Bokhandel', 'Kafé', 'Jernvare', 'Blomster'],
    names: ['Bryggen', 'Fjordgløtt', 'Holmen', 'Solbakken', 'Nordlys', 'Grünerløkka', 'Bjørkly'],
    street: () => `${pick(['Karl Johans gate', 'Storgata', 'Torggata', 'Bryggen', 'Kongens gate'])} ${between(1, 90)}`,
    city: () => pick(['0154 Oslo', '5003 Bergen', '7011 Trondheim', '4006 Stavanger', '9008 Tromsø']),
    items: ['Skolebolle', 'Kaffe', 'Vaffel', 'Brunost', 'Melk 1L', 'Pølse', 'Avis', 'Kanelbolle'],
    subtotal: ['Sum varer', 'Delsum'],
    tax: (r) => pick([`MVA ${r}%`, `Herav mva ${r}%`]),
    taxRates: [25, 15],
    total: ['TOTALT', 'Å BETALE', 'Sum', 'Totalt NOK'],
    cash: ['Kontant'], card: ['BankAxept', 'Vipps', 'VISA'], change: ['Veksel', 'Tilbake'],
    thanks: ['Takk for handelen!', 'Velkommen igjen'],
    phone: () => `Tlf: ${between(20, 99)} ${between(10, 99)} ${between(10, 99)} ${between(10, 99)}`,
  },
  fi: {
    amount: 'space', currency: '€', before: false, taxIncluded: true,
    date: (d) => pick([`${d.d}.${d.m}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${d.y}`]),
    dateLabel: ['Pvm:', 'Päiväys:', ''],
    shops: ['Leipomo', 'Apteekki', 'Kahvila', 'Kirjakauppa', 'Kukkakauppa', 'Rautakauppa'],
    names: ['Keskusta', 'Aalto', 'Kallio', 'Sampo', 'Mäkinen', 'Helmi', 'Pohjola'],
    street: () => `${pick(['Aleksanterinkatu', 'Mannerheimintie', 'Hämeenkatu', 'Kauppakatu', 'Pohjoisesplanadi'])} ${between(1, 80)}`,
    city: () => pick(['00100 Helsinki', '33100 Tampere', '20100 Turku', '90100 Oulu', '40100 Jyväskylä']),
    items: ['Korvapuusti', 'Kahvi', 'Karjalanpiirakka', 'Maito 1L', 'Ruisleipä', 'Pulla', 'Lehti', 'Munkki'],
    subtotal: ['Välisumma'],
    tax: (r) => pick([`ALV ${r}%`, `Sis. ALV ${r}%`]),
    taxRates: [25.5, 14, 10],
    total: ['YHTEENSÄ', 'Yhteensä', 'Maksettava', 'SUMMA'],
    cash: ['Käteinen', 'KÄTEINEN'], card: ['Kortti', 'Pankkikortti', 'VISA'], change: ['Takaisin', 'Vaihtoraha'],
    thanks: ['Kiitos käynnistä!', 'Tervetuloa uudelleen'],
    phone: () => `Puh. 0${between(9, 50)} ${between(100, 999)} ${between(1000, 9999)}`,
  },
  cz: {
    amount: 'space', currency: 'Kč', before: false, taxIncluded: true,
    date: (d) => pick([`${d.d}.${d.m}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${d.d}. ${d.m}. ${d.y}`]),
    dateLabel: ['Datum:', 'Datum prodeje:', ''],
    shops: ['Pekařství', 'Lékárna', 'Kavárna', 'Knihkupectví', 'Potraviny', 'Cukrárna'],
    names: ['U Zlatého lva', 'Novák', 'Svoboda', 'Vltava', 'Dvořák', 'Na Poříčí', 'U Tří pštrosů'],
    street: () => `${pick(['Václavské náměstí', 'Národní', 'Karlova', 'Masarykova', 'Husova'])} ${pick([`${between(1, 80)}`, `${between(100, 2999)}/${between(1, 60)}`])}`,
    city: () => pick(['110 00 Praha 1', '602 00 Brno', '301 00 Plzeň', '702 00 Ostrava', '370 01 České Budějovice']),
    items: ['Rohlík', 'Káva', 'Chléb', 'Koláč', 'Mléko 1l', 'Pivo', 'Noviny', 'Trdelník'],
    subtotal: ['Mezisoučet'],
    tax: (r) => pick([`DPH ${r}%`, `z toho DPH ${r}%`]),
    taxRates: [21, 12],
    total: ['CELKEM', 'Celkem Kč', 'K ÚHRADĚ', 'Celkem k úhradě'],
    cash: ['Hotově', 'HOTOVOST'], card: ['Platební karta', 'KARTA'], change: ['Vráceno', 'Vrátit'],
    thanks: ['Děkujeme za nákup', 'Na shledanou'],
    phone: () => `Tel: +420 ${between(200, 799)} ${between(100, 999)} ${between(100, 999)}`,
  },
  tr: {
    amount: 'comma', currency: 'TL', before: false, taxIncluded: true, star: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${d.y}`]),
    dateLabel: ['TARİH:', 'TARIH', ''],
    shops: ['Fırın', 'Eczane', 'Kafe', 'Market', 'Kitabevi', 'Pastane', 'Büfe'],
    names: ['Yıldız', 'Boğaziçi', 'Çınar', 'Anadolu', 'Güneş', 'Lale', 'Kardeşler'],
    street: () => `${pick(['İstiklal Cad.', 'Atatürk Cad.', 'Bağdat Cad.', 'Cumhuriyet Cad.', 'Kızılay Sok.'])} No:${between(1, 250)}`,
    city: () => pick(['34433 Beyoğlu/İstanbul', '06420 Çankaya/Ankara', '35210 Konak/İzmir', '07100 Muratpaşa/Antalya', '16010 Osmangazi/Bursa']),
    items: ['Simit', 'Çay', 'Ayran', 'Poğaça', 'Su 0,5L', 'Börek', 'Gazete', 'Baklava'],
    subtotal: ['ARA TOPLAM'],
    tax: (r) => pick(['TOPKDV', `KDV %${r}`]),
    taxRates: [20, 10, 1],
    total: ['TOPLAM', 'GENEL TOPLAM', 'TOPLAM TL'],
    cash: ['NAKİT', 'Nakit'], card: ['KREDİ KARTI', 'K.KARTI'], change: ['PARA ÜSTÜ', 'Para Üstü'],
    thanks: ['TEŞEKKÜR EDERİZ', 'Yine bekleriz'],
    phone: () => `Tel: 0${between(212, 488)} ${between(100, 999)} ${between(10, 99)} ${between(10, 99)}`,
  },
  id: {
    amount: 'whole', currency: 'Rp ', before: true, taxIncluded: false, whole: true, tender: 5000000,
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`,
      `${d.d} ${['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'][d.m - 1]} ${d.y}`]),
    dateLabel: ['Tanggal:', 'Tgl:', ''],
    shops: ['Warung', 'Toko', 'Kedai Kopi', 'Apotek', 'Bakery', 'Rumah Makan'],
    names: ['Sederhana', 'Sinar Jaya', 'Bintang', 'Mekar Sari', 'Sumber Rejeki', 'Cahaya', 'Maju Jaya'],
    street: () => `Jl. ${pick(['Sudirman', 'Thamrin', 'Gajah Mada', 'Malioboro', 'Diponegoro'])} No. ${between(1, 200)}`,
    city: () => pick(['Jakarta Pusat 10110', 'Bandung 40111', 'Yogyakarta 55271', 'Surabaya 60271', 'Denpasar 80111']),
    items: ['Nasi Goreng', 'Es Teh Manis', 'Kopi Susu', 'Mie Ayam', 'Sate Ayam', 'Air Mineral', 'Roti Bakar', 'Bakso'],
    unit: () => between(5, 90) * 500 * 100,
    subtotal: ['Subtotal', 'Sub Total'],
    tax: (r) => pick([`PPN ${r}%`, `PB1 ${r}%`, `Pajak ${r}%`]),
    taxRates: [10, 11],
    total: ['TOTAL', 'Total Bayar', 'GRAND TOTAL', 'Jumlah'],
    cash: ['Tunai', 'TUNAI', 'Cash'], card: ['Debit BCA', 'QRIS', 'Kartu Kredit'], change: ['Kembali', 'Kembalian'],
    thanks: ['Terima kasih atas kunjungan Anda', 'Terima Kasih'],
    phone: () => `Telp. (0${between(21, 361)}) ${between(100, 999)}${between(1000, 9999)}`,
  },
  hu: {
    amount: 'wholeSpace', currency: 'Ft', before: false, taxIncluded: true, whole: true, tender: 100000, cityFirst: true,
    date: (d) => pick([`${d.y}.${pad2(d.m)}.${pad2(d.d)}.`, `${d.y}. ${pad2(d.m)}. ${pad2(d.d)}.`, `${d.y}-${pad2(d.m)}-${pad2(d.d)}`]),
    dateLabel: ['Dátum:', 'Kelt:', ''],
    shops: ['Pékség', 'Gyógyszertár', 'Kávézó', 'Könyvesbolt', 'Cukrászda', 'Élelmiszer', 'Virágbolt'],
    names: ['Kovács', 'Szabó', 'Duna', 'Aranyhal', 'Tisza', 'Napfény', 'Hőforrás'],
    street: () => `${pick(['Váci utca', 'Andrássy út', 'Rákóczi út', 'Király utca', 'Fő utca', 'Széchenyi tér'])} ${between(1, 120)}.`,
    city: () => pick(['1052 Budapest', '6720 Szeged', '4024 Debrecen', '7621 Pécs', '9021 Győr']),
    items: ['Kifli', 'Kávé', 'Pogácsa', 'Tej 1 l', 'Rétes', 'Újság', 'Túró Rudi', 'Kenyér'],
    unit: () => between(15, 500) * 1000,
    subtotal: ['RÉSZÖSSZEG', 'Részösszeg'],
    tax: (r) => pick([`ÁFA ${r}%`, `${r}% ÁFA tartalom`]),
    taxRates: [27, 18, 5],
    total: ['ÖSSZESEN', 'Összesen', 'FIZETENDŐ', 'Végösszeg'],
    cash: ['KÉSZPÉNZ', 'Készpénz'], card: ['BANKKÁRTYA', 'Bankkártya', 'SZÉP kártya'], change: ['VISSZAJÁRÓ', 'Visszajáró'],
    thanks: ['Köszönjük a vásárlást!', 'Viszontlátásra'],
    phone: () => `Tel.: +36 ${between(1, 99)} ${between(100, 999)} ${between(1000, 9999)}`,
  },
  ro: {
    amount: 'comma', currency: 'lei', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${d.y}-${pad2(d.m)}-${pad2(d.d)}`]),
    dateLabel: ['DATA:', 'Data:', ''],
    shops: ['Brutăria', 'Farmacia', 'Cafenea', 'Librăria', 'Cofetăria', 'Magazin', 'Florăria'],
    names: ['Carpați', 'Dunărea', 'Popescu', 'Ionescu', 'Miorița', 'Bucegi', 'Ștefănescu'],
    street: () => `${pick(['Str. Lipscani', 'Bd. Unirii', 'Calea Victoriei', 'Str. Republicii', 'Bd. Eroilor'])} nr. ${between(1, 150)}`,
    city: () => pick(['030167 București', '400001 Cluj-Napoca', '700259 Iași', '300011 Timișoara', '500030 Brașov']),
    items: ['Covrigi', 'Cafea', 'Plăcintă', 'Lapte 1L', 'Pâine', 'Apă minerală', 'Ziar', 'Papanași'],
    subtotal: ['SUBTOTAL', 'Subtotal'],
    tax: (r) => pick([`TVA ${r}%`, `TOTAL TVA ${r}%`, `TVA A ${r}%`]),
    taxRates: [19, 9, 5],
    total: ['TOTAL', 'TOTAL LEI', 'Total de plată'],
    cash: ['NUMERAR', 'Numerar'], card: ['CARD', 'Card bancar'], change: ['REST', 'Rest'],
    thanks: ['Vă mulțumim!', 'La revedere!'],
    phone: () => `Tel: 07${between(20, 99)} ${between(100, 999)} ${between(100, 999)}`,
  },
  gr: {
    amount: 'comma', currency: '€', before: false, taxIncluded: true,
    // Greek till slips print capitals without accents.
    upper: (t) => t.normalize('NFD').replace(/[\u0301\u0308]/g, '').toUpperCase().normalize('NFC'),
    date: (d) => pick([`${pad2(d.d)}/${pad2(d.m)}/${d.y}`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`, `${pad2(d.d)}/${pad2(d.m)}/${String(d.y).slice(2)}`]),
    dateLabel: ['ΗΜΕΡΟΜΗΝΙΑ:', 'Ημ/νία:', ''],
    shops: ['Αρτοποιείο', 'Φαρμακείο', 'Καφενείο', 'Βιβλιοπωλείο', 'Ζαχαροπλαστείο', 'Παντοπωλείο', 'Ανθοπωλείο'],
    names: ['Ακρόπολις', 'Ολυμπία', 'Παπαδόπουλος', 'Αιγαίο', 'Δελφοί', 'Νικολάου', 'Ερμής'],
    street: () => `${pick(['Ερμού', 'Λεωφ. Συγγρού', 'Πανεπιστημίου', 'Αθηνάς', 'Τσιμισκή', 'Αγίου Νικολάου'])} ${between(1, 150)}`,
    city: () => pick(['10563 Αθήνα', '54624 Θεσσαλονίκη', '26221 Πάτρα', '71202 Ηράκλειο', '18535 Πειραιάς']),
    items: ['Κουλούρι', 'Καφές φρέντο', 'Τυρόπιτα', 'Γάλα 1L', 'Ψωμί', 'Νερό 500ml', 'Εφημερίδα', 'Σπανακόπιτα'],
    subtotal: ['ΥΠΟΣΥΝΟΛΟ', 'Υποσύνολο'],
    tax: (r) => pick([`ΦΠΑ ${r}%`, `Φ.Π.Α. ${r}%`]),
    taxRates: [24, 13, 6],
    total: ['ΣΥΝΟΛΟ', 'Σύνολο', 'ΠΛΗΡΩΤΕΟ', 'ΓΕΝΙΚΟ ΣΥΝΟΛΟ'],
    cash: ['ΜΕΤΡΗΤΑ', 'Μετρητά'], card: ['ΚΑΡΤΑ', 'Κάρτα', 'VISA'], change: ['ΡΕΣΤΑ', 'Ρέστα'],
    thanks: ['ΕΥΧΑΡΙΣΤΟΥΜΕ ΠΟΛΥ', 'Καλή σας ημέρα'],
    phone: () => `Τηλ. 2${between(10, 89)} ${between(100, 999)} ${between(1000, 9999)}`,
  },
  bg: {
    // Till slips of Bulgaria print leva with a point (the euro came in 2026,
    // after the dates made here).
    amount: 'plain', currency: 'лв.', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${d.y} г.`, `${pad2(d.d)}-${pad2(d.m)}-${d.y}`]),
    dateLabel: ['ДАТА:', 'Дата:', ''],
    shops: ['Пекарна', 'Аптека', 'Кафе', 'Книжарница', 'Сладкарница', 'Магазин', 'Цветарница'],
    names: ['Витоша', 'Родопи', 'Иванов', 'Балкан', 'Черноморец', 'Петрови', 'Шипка'],
    street: () => `${pick(['ул. Витоша', 'бул. Цар Освободител', 'ул. Граф Игнатиев', 'бул. Васил Левски', 'ул. Раковски'])} ${pick(['', '№ '])}${between(1, 150)}`,
    city: () => pick(['1000 София', 'гр. Пловдив 4000', '9000 Варна', 'гр. Бургас 8000', '7000 Русе']),
    items: ['Баничка', 'Кафе', 'Боза', 'Мляко 1л', 'Хляб', 'Минерална вода', 'Вестник', 'Кифла'],
    subtotal: ['МЕЖДИННА СУМА', 'Междинна сума'],
    tax: (r) => pick([`ДДС ${r}%`, `ДДС Б ${r}%`]),
    taxRates: [20, 9],
    total: ['ОБЩА СУМА', 'ОБЩО', 'Обща сума', 'СУМА'],
    cash: ['В БРОЙ', 'В брой'], card: ['КАРТА', 'Дебитна карта', 'ПЛАЩАНЕ С КАРТА'], change: ['РЕСТО', 'Ресто'],
    thanks: ['БЛАГОДАРИМ ВИ!', 'Заповядайте отново'],
    phone: () => `Тел.: 0${between(2, 99)} ${between(100, 999)} ${between(100, 999)}`,
  },
  ru: {
    // Russian till receipts print "=" before their amounts ("ИТОГ =1234.50").
    amount: 'plain', currency: '₽', before: false, taxIncluded: true, mark: '=',
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${String(d.y).slice(2)}`]),
    dateLabel: ['ДАТА', 'Дата:', ''],
    shops: ['Пекарня', 'Аптека', 'Кофейня', 'Книжный магазин', 'Кондитерская', 'Продукты', 'Цветы'],
    names: ['Волга', 'Берёзка', 'Иванов', 'Север', 'Уют', 'Смирнов', 'Радуга'],
    street: () => `${pick(['ул. Ленина', 'пр. Мира', 'ул. Пушкина', 'Невский пр.', 'ул. Гагарина'])}, д. ${between(1, 150)}`,
    city: () => pick(['101000 Москва', '190000 Санкт-Петербург', '420111 Казань', '630099 Новосибирск', '620014 Екатеринбург']),
    items: ['Хлеб', 'Кофе', 'Пельмени', 'Молоко 1л', 'Сыр', 'Вода минеральная', 'Газета', 'Пирожок'],
    unit: () => between(30, 900) * 100,
    subtotal: ['ПОДЫТОГ', 'Подытог'],
    tax: (r) => pick([`НДС ${r}%`, `в т.ч. НДС ${r}%`, `СУММА НДС ${r}%`]),
    taxRates: [20, 10],
    total: ['ИТОГ', 'ИТОГО', 'ИТОГО К ОПЛАТЕ', 'Итог'],
    cash: ['НАЛИЧНЫМИ', 'Наличными'], card: ['БЕЗНАЛИЧНЫМИ', 'КАРТА', 'Безналичными'], change: ['СДАЧА', 'Сдача'],
    thanks: ['СПАСИБО ЗА ПОКУПКУ!', 'Ждём вас снова'],
    phone: () => `Тел.: +7 ${between(495, 999)} ${between(100, 999)}-${between(10, 99)}-${between(10, 99)}`,
  },
  ua: {
    amount: 'space', currency: 'грн', before: false, taxIncluded: true,
    date: (d) => pick([`${pad2(d.d)}.${pad2(d.m)}.${d.y}`, `${pad2(d.d)}.${pad2(d.m)}.${String(d.y).slice(2)}`, `${d.y}-${pad2(d.m)}-${pad2(d.d)}`]),
    dateLabel: ['ДАТА:', 'Дата:', ''],
    shops: ['Пекарня', 'Аптека', "Кав'ярня", 'Книгарня', 'Кондитерська', 'Магазин', 'Квіти'],
    names: ['Дніпро', 'Карпати', 'Шевченко', 'Полтава', 'Світанок', 'Коваленко', 'Їжачок'],
    street: () => `${pick(['вул. Хрещатик', 'просп. Свободи', 'вул. Шевченка', 'вул. Грушевського', 'бул. Лесі Українки'])}, ${between(1, 150)}`,
    city: () => pick(['01001 Київ', '79000 Львів', '65000 Одеса', '61000 Харків', '49000 Дніпро']),
    items: ['Хліб', 'Кава', 'Вареники', 'Молоко 1л', 'Сир', 'Вода мінеральна', 'Газета', 'Пиріжок'],
    unit: () => between(15, 450) * 100,
    subtotal: ['ПРОМІЖНИЙ ПІДСУМОК', 'Підсумок'],
    tax: (r) => pick([`ПДВ ${r}%`, `ПДВ А ${r}%`]),
    taxRates: [20, 7],
    total: ['СУМА', 'ДО СПЛАТИ', 'Сума до сплати', 'ВСЬОГО'],
    cash: ['ГОТІВКА', 'Готівка'], card: ['КАРТКА', 'Безготівкова', 'Картка'], change: ['РЕШТА', 'Решта'],
    thanks: ['ДЯКУЄМО ЗА ПОКУПКУ!', 'Гарного дня'],
    phone: () => `Тел.: +380 ${between(44, 99)} ${between(100, 999)} ${between(10, 99)} ${between(10, 99)}`,
  },
};

const COUNTRIES = countriesArg >= 0 ? args[countriesArg + 1].split(',') : Object.keys(LOCALES);
for (const key of COUNTRIES) {
  if (!LOCALES[key] && !MORE_LOCALES[key]) {
    console.error(`make-test-receipts: no country "${key}" (${[...Object.keys(LOCALES), ...Object.keys(MORE_LOCALES)].join(', ')})`);
    process.exit(2);
  }
}
const countryOf = (i) => COUNTRIES[i % COUNTRIES.length];

// The labels of a document's amounts beside its total (as SCHEMA.md's fields:
// decimal strings; a discount as the positive amount taken off), left out
// when the document prints none, and its currency.
function amountLabels(key, amounts) {
  const out = { currency: CURRENCY[key] };
  for (const [name, cents] of Object.entries(amounts)) {
    if (cents !== null && cents !== 0) out[name] = money(cents, 'plain');
  }
  return out;
}

// A tax number as printed on an invoice (label and all) and its value: the
// identifier `value` picks out of it (where two are printed, the VAT one).
function printedId(text, value) {
  return { text, value: text.match(value)[0].trim() };
}

// A phone number's value: what follows its label ("Tel:", "Ph", "Τηλ.").
const phoneValue = (text) => text.replace(/^[^\d(+]*/, '');

// A line item's label: what it is, how many, the price of one, the amount.
function itemLabel(text, qty, unitCents, cents) {
  return { description: text, quantity: String(qty), unit_price: money(unitCents, 'plain'), amount: money(cents, 'plain') };
}

function receipt(i) {
  const key = countryOf(i);
  const L = LOCALES[key] ?? MORE_LOCALES[key];
  const cur = (cents) => (L.before ? `${L.currency}${money(cents, L.amount)}` : `${money(cents, L.amount)} ${L.currency}`);
  const bare = (cents) => `${L.mark ?? (L.star ? '*' : '')}${money(cents, L.amount)}`;
  const whole = (cents) => (L.whole ? Math.round(cents / 100) * 100 : cents);
  const shop = pick(L.shops);
  const name = pick(L.names);
  const company = chance(0.5) ? `${shop} ${name}` : `${name} ${shop}`;
  const addressLines = [L.street(), L.city()];
  if (L.cityFirst) addressLines.reverse();
  const d = { y: between(2016, 2025), m: between(1, 12), d: between(1, 28) };
  const printedDate = L.date(d);
  const iso = `${d.y}-${pad2(d.m)}-${pad2(d.d)}`;
  const items = [];
  for (let k = between(2, 7); k > 0; --k) {
    const qty = chance(0.7) ? 1 : between(2, 4);
    const unit = L.unit ? L.unit() : between(45, 2499);
    items.push({ text: pick(L.items), qty, cents: qty * unit });
  }
  const itemsSum = items.reduce((a, it) => a + it.cents, 0);
  // With --extras (and only then, so that a seed's plain set stays as it
  // was): a discount before or after the subtotal, a tip where tax is added,
  // unit prices on their own lines, card slip or cashier lines, loyalty lines.
  const x = { discount: 0, label: '', afterSubtotal: false, tipRate: 0, units: false, slip: false, loyalty: null };
  if (extras) {
    x.units = chance(0.4);
    if (chance(0.35)) {
      const pct = pick([5, 10, 15, 20]);
      x.discount = whole(Math.round((itemsSum * pct) / 100));
      x.label = `${DISCOUNT_WORDS[key]} ${pct}%`;
      x.afterSubtotal = chance(0.5);
    }
    if (!L.taxIncluded && chance(0.4)) x.tipRate = pick([10, 15, 18, 20]);
    x.slip = chance(0.6);
    if (chance(0.4)) x.loyalty = pick(['points', 'saved', 'member']);
  }
  const subtotal = itemsSum - x.discount;
  // Taxes in several lines are added to the prices (label, cents).
  const taxLines = L.taxes ? L.taxes().map(([label, r]) => [label, whole(Math.round((subtotal * r) / 100))]) : null;
  const rate = taxLines ? 0 : pick(L.taxRates);
  let tax;
  let total;
  if (taxLines) {
    tax = taxLines.reduce((a, [, cents]) => a + cents, 0);
    total = subtotal + tax;
  } else if (L.taxIncluded) {
    total = subtotal;
    tax = whole(Math.round((total * rate) / (100 + rate)));
  } else {
    tax = whole(Math.round((subtotal * rate) / 100));
    total = subtotal + tax;
  }
  const tip = whole(Math.round((subtotal * x.tipRate) / 100));
  total += tip;
  const card = chance(0.4);
  const step = L.tender ?? 1000;
  const given = card ? total : Math.ceil(total / step) * step + (chance(0.3) ? step : 0);
  const rows = [];
  const row = (l, r, cls = '') => rows.push(`<div class="row ${cls}"><span>${l}</span><span>${r}</span></div>`);
  const line = (t, cls = '') => rows.push(`<div class="${cls}">${t}</div>`);
  // Labels are the text as printed (in capitals when printed so).
  const upper = chance(0.5);
  const printed = (t) => (upper ? (L.upper ? L.upper(t) : t.toUpperCase()) : t);
  line(printed(company), 'name');
  for (const a of addressLines) line(printed(a), 'c');
  const phone = chance(0.7) ? L.phone() : null;
  if (phone) line(phone, 'c');
  rows.push('<br>');
  const dateLine = `${pick(L.dateLabel)} ${printedDate}`.trim();
  const time = `${pad2(between(7, 21))}:${pad2(between(0, 59))}`;
  const dateAtTop = chance(0.7);
  if (dateAtTop) row(dateLine, time);
  if (chance(0.5)) line(`${pick(['Receipt', 'No.', 'Bon', 'Ticket', 'Beleg'])} ${between(1000, 99999)}`);
  rows.push('<div class="rule"></div>');
  for (const it of items) {
    if (x.units && it.qty > 1) {
      line(`&nbsp;&nbsp;${it.qty} x ${bare(it.cents / it.qty)}`);
      row(it.text, bare(it.cents));
    } else {
      row(it.qty > 1 ? `${it.qty} x ${it.text}` : it.text, bare(it.cents));
    }
  }
  rows.push('<div class="rule"></div>');
  if (x.discount && !x.afterSubtotal) row(x.label, `-${bare(x.discount)}`);
  const printedSubtotal = !L.taxIncluded || chance(0.4) ? (x.afterSubtotal ? itemsSum : subtotal) : null;
  if (printedSubtotal !== null) row(pick(L.subtotal), bare(printedSubtotal));
  if (x.discount && x.afterSubtotal) row(x.label, `-${bare(x.discount)}`);
  if (taxLines) for (const [label, cents] of taxLines) row(label, bare(cents));
  else if (!L.taxIncluded) row(L.tax(rate), bare(tax));
  if (tip) row(pick(['Tip', 'TIP', 'Gratuity']), bare(tip));
  const totalLabel = pick(L.total);
  row(`${totalLabel}`, chance(0.5) ? cur(total) : bare(total), 'total');
  if (card) {
    row(pick(L.card), bare(total));
    if (x.slip) {
      line(`Card **** **** **** ${between(1000, 9999)}`);
      line(`AUTH CODE ${between(100000, 999999)}  TID ${between(10000000, 99999999)}`);
    }
  } else {
    row(pick(L.cash), bare(given));
    row(pick(L.change), bare(given - total));
    if (x.slip) line(`${pick(['Cashier', 'Kasse', 'Caisse', 'Till'])}: ${between(1, 12)}  ${pick(['Anna', 'Marco', 'Lee', 'Sofia'])}`);
  }
  if (x.loyalty === 'points') row('Points balance', `${between(1, 9)},${between(100, 999)}`);
  if (x.loyalty === 'saved') row('You saved', bare(x.discount || between(50, 500)));
  if (x.loyalty === 'member') line(`Member ${between(1000000, 9999999)}`);
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
  let table = photo ? pick(['#5b4a3a', '#3c3f44', '#8a8f96']) : '#ffffff';
  // A PDF is printed, not captured (and a CSS filter would print as a picture).
  const capture = pdf ? '' : `transform: rotate(${turn.toFixed(2)}deg); filter: blur(${blur}px);`;
  if (pdf) table = '#ffffff';
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: ${table}; }
    .r { width: ${width}px; margin: 24px auto; padding: 18px 14px; background: ${paper}; color: ${ink};
         font-family: ${font}, monospace; font-size: ${size}px; line-height: 1.35;
         ${capture} }
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
      ...(phone ? { vendor_phone: phoneValue(phone) } : {}),
      ...amountLabels(key, { subtotal: printedSubtotal, tax, discount: x.discount, tip }),
      line_items: items.map((it) => itemLabel(it.text, it.qty, it.cents / it.qty, it.cents)),
    },
  };
}

// What each country's invoices say, beside its receipts' LOCALES entry.
const INVOICE_WORDS = {
  us: {
    title: ['INVOICE', 'Invoice'], number: ['Invoice No.', 'Invoice #', 'Invoice Number:'],
    date: ['Invoice Date:', 'Date:', 'Date of issue:'], due: ['Due Date:', 'Payment due:'],
    billTo: ['Bill To', 'BILL TO:', 'Customer'], kinds: ['Consulting', 'Supply Co.', 'Logistics', 'Engineering', 'Software'],
    legal: ['LLC', 'Inc.', 'Corp.'], taxId: () => printedId(`EIN ${between(10, 99)}-${between(1000000, 9999999)}`, /\d+-\d+/),
    services: ['Consulting services', 'Software license (annual)', 'Freight, pallet', 'Installation labor (hours)', 'Maintenance plan'],
    subtotal: ['Subtotal', 'SUBTOTAL'], tax: (r) => pick([`Sales Tax (${r}%)`, `Tax ${r}%`]), rates: [6, 7, 8.25],
    total: ['Total', 'TOTAL', 'Amount Due', 'Balance Due', 'TOTAL DUE'], country: 'USA',
    terms: ['Payment terms: Net 30', 'Please pay within 30 days.', 'Thank you for your business!'],
  },
  uk: {
    title: ['INVOICE', 'TAX INVOICE', 'VAT Invoice'], number: ['Invoice No.', 'Invoice number:', 'Inv. No:'],
    date: ['Invoice date:', 'Date:', 'Tax point:'], due: ['Due date:', 'Payment due:'],
    billTo: ['Invoice to:', 'Bill to', 'Customer:'], kinds: ['Consulting', 'Supplies', 'Joinery', 'Print', 'Electrical'],
    legal: ['Ltd', 'Limited', 'LLP'], taxId: () => printedId(`VAT Reg. No. GB ${between(100, 999)} ${between(1000, 9999)} ${between(10, 99)}`, /GB[\d ]+/),
    services: ['Design work', 'Printing, 500 leaflets', 'Site visit', 'Labour (hours)', 'Materials'],
    subtotal: ['Subtotal', 'Net total', 'Total net'], tax: (r) => pick([`VAT @ ${r}%`, `VAT ${r}%`]), rates: [20],
    total: ['Total', 'TOTAL DUE', 'Amount due', 'Invoice total'], country: 'United Kingdom',
    terms: ['Payment within 30 days of invoice date.', 'Please quote the invoice number with your payment.'],
  },
  de: {
    title: ['RECHNUNG', 'Rechnung'], number: ['Rechnungsnummer:', 'Rechnungs-Nr.:', 'Rechnung Nr.'],
    date: ['Rechnungsdatum:', 'Datum:'], due: ['Fällig am:', 'Zahlbar bis:'],
    billTo: ['Rechnungsempfänger:', 'An:', 'Kunde:'], kinds: ['Bau', 'Elektrotechnik', 'Beratung', 'Logistik', 'Druckerei'],
    legal: ['GmbH', 'GmbH & Co. KG', 'AG', 'e.K.'], taxId: () => printedId(`USt-IdNr.: DE${between(100000000, 999999999)}`, /DE\d+/),
    services: ['Wartung Heizungsanlage', 'Arbeitszeit (Std.)', 'Beratungsleistung', 'Materialkosten', 'Anfahrtspauschale'],
    subtotal: ['Zwischensumme', 'Nettobetrag', 'Summe netto'], tax: (r) => pick([`zzgl. MwSt. ${r} %`, `USt. ${r} %`, `MwSt ${r}%`]),
    rates: [19, 7], total: ['Gesamtbetrag', 'Rechnungsbetrag', 'Summe brutto', 'Gesamt'], country: 'Deutschland',
    terms: ['Zahlbar innerhalb von 14 Tagen ohne Abzug.', 'Vielen Dank für Ihren Auftrag.'],
  },
  fr: {
    title: ['FACTURE', 'Facture'], number: ['Facture n°', 'N° de facture :', 'Numéro :'],
    date: ['Date :', 'Date de facture :', 'Date d’émission :'], due: ['Échéance :', 'Date d’échéance :'],
    billTo: ['Client :', 'Facturé à :', 'Destinataire :'], kinds: ['Conseil', 'Bâtiment', 'Imprimerie', 'Transports', 'Informatique'],
    legal: ['SARL', 'SAS', 'EURL'], taxId: () => printedId(`SIRET ${between(100, 999)} ${between(100, 999)} ${between(100, 999)} ${between(10000, 99999)}`, /[\d ]+$/),
    services: ['Prestation de conseil', 'Main d’œuvre (heures)', 'Fournitures', 'Déplacement', 'Maintenance annuelle'],
    subtotal: ['Total HT', 'Montant HT', 'Sous-total HT'], tax: (r) => pick([`TVA ${r} %`, `TVA (${r}%)`]), rates: [20, 10],
    total: ['Total TTC', 'TOTAL TTC', 'Net à payer', 'Montant TTC'], country: 'France',
    terms: ['Paiement à 30 jours.', 'Pénalités de retard : 3 fois le taux d’intérêt légal.'],
  },
  es: {
    title: ['FACTURA', 'Factura'], number: ['Factura nº', 'Nº factura:', 'Número de factura:'],
    date: ['Fecha:', 'Fecha de factura:', 'Fecha de emisión:'], due: ['Vencimiento:', 'Fecha de vencimiento:'],
    billTo: ['Cliente:', 'Facturar a:'], kinds: ['Consultores', 'Construcciones', 'Imprenta', 'Transportes', 'Informática'],
    legal: ['S.L.', 'S.A.', 'S.L.U.'], taxId: () => printedId(`CIF B${between(10000000, 99999999)}`, /B\d+/),
    services: ['Servicios de consultoría', 'Mano de obra (horas)', 'Material de oficina', 'Transporte', 'Mantenimiento'],
    subtotal: ['Base imponible', 'Subtotal'], tax: (r) => pick([`IVA ${r}%`, `IVA (${r} %)`]), rates: [21, 10],
    total: ['Total factura', 'TOTAL', 'Total a pagar', 'IMPORTE TOTAL'], country: 'España',
    terms: ['Forma de pago: transferencia bancaria a 30 días.', 'Gracias por su confianza.'],
  },
  it: {
    title: ['FATTURA', 'Fattura'], number: ['Fattura n.', 'Numero fattura:', 'N. documento:'],
    date: ['Data:', 'Data fattura:', 'Data documento:'], due: ['Scadenza:', 'Data scadenza:'],
    billTo: ['Cliente:', 'Destinatario:', 'Spett.le'], kinds: ['Consulenze', 'Costruzioni', 'Tipografia', 'Trasporti', 'Informatica'],
    legal: ['S.r.l.', 'S.p.A.', 'S.n.c.'], taxId: () => printedId(`P.IVA IT${between(10000000000, 99999999999)}`, /IT\d+/),
    services: ['Consulenza tecnica', 'Manodopera (ore)', 'Materiale di consumo', 'Trasporto', 'Canone assistenza'],
    subtotal: ['Imponibile', 'Totale imponibile'], tax: (r) => pick([`IVA ${r}%`, `IVA (${r}%)`]), rates: [22, 10],
    total: ['Totale fattura', 'TOTALE', 'Totale documento', 'Netto a pagare'], country: 'Italia',
    terms: ['Pagamento: bonifico bancario 30 gg d.f.', 'Grazie per la fiducia.'],
  },
  nl: {
    title: ['FACTUUR', 'Factuur'], number: ['Factuurnummer:', 'Factuurnr.:'],
    date: ['Factuurdatum:', 'Datum:'], due: ['Vervaldatum:', 'Uiterste betaaldatum:'],
    billTo: ['Factuur aan:', 'Klant:', 'Aan:'], kinds: ['Advies', 'Bouw', 'Drukkerij', 'Transport', 'Installatietechniek'],
    legal: ['B.V.', 'V.O.F.'], taxId: () => printedId(`BTW-nr. NL${between(100000000, 999999999)}B01`, /NL\w+/),
    services: ['Advieswerkzaamheden', 'Arbeidsloon (uren)', 'Materialen', 'Voorrijkosten', 'Onderhoudscontract'],
    subtotal: ['Subtotaal', 'Totaal excl. BTW'], tax: (r) => pick([`BTW ${r}%`, `BTW (${r}%)`]), rates: [21, 9],
    total: ['Totaal', 'Totaal incl. BTW', 'Te betalen'], country: 'Nederland',
    terms: ['Gelieve binnen 30 dagen te betalen.', 'Bedankt voor uw opdracht.'],
  },
  iso: {
    title: ['TAX INVOICE', 'INVOICE'], number: ['Invoice No:', 'Invoice #'],
    date: ['Date:', 'Invoice Date:'], due: ['Due Date:', 'Payment Due:'],
    billTo: ['Bill To:', 'Sold To:'], kinds: ['Engineering', 'Trading', 'Logistics', 'Solutions', 'Services'],
    legal: ['Pte Ltd', 'Pte. Ltd.'], taxId: () => printedId(`GST Reg No: ${between(100000000, 999999999)}${pick(['A', 'K', 'M'])}`, /\d+[A-Z]$/),
    services: ['Consultancy fee', 'Labour charges', 'Spare parts', 'Delivery charge', 'Service contract'],
    subtotal: ['Subtotal', 'Sub-Total'], tax: (r) => pick([`GST ${r}%`, `Add GST ${r}%`]), rates: [8, 9],
    total: ['Total', 'TOTAL AMOUNT', 'Grand Total', 'Total Due'], country: 'Singapore',
    terms: ['Payment by bank transfer within 30 days.', 'Thank you for your business.'],
  },
};

// The invoices of MORE_LOCALES' countries.
const MORE_INVOICE_WORDS = {
  ch: {
    title: ['RECHNUNG', 'Rechnung'], number: ['Rechnungsnummer:', 'Rechnung Nr.', 'Beleg-Nr.:'],
    date: ['Rechnungsdatum:', 'Datum:'], due: ['Zahlbar bis:', 'Fällig am:'],
    billTo: ['Rechnungsadresse:', 'Kunde:', 'An:'], kinds: ['Treuhand', 'Informatik', 'Bau', 'Transporte', 'Druck'],
    legal: ['AG', 'GmbH', 'Sàrl'], taxId: () => printedId(`MWST-Nr. CHE-${between(100, 999)}.${between(100, 999)}.${between(100, 999)} MWST`, /CHE-.*/),
    services: ['Beratung (Std.)', 'Softwarewartung', 'Material', 'Reisekosten', 'Jahrespauschale'],
    subtotal: ['Total exkl. MWST', 'Zwischentotal'], tax: (r) => pick([`MWST ${r}%`, `zzgl. MWST ${r} %`]), rates: [8.1],
    total: ['Total CHF', 'Rechnungsbetrag', 'Total inkl. MWST'], country: 'Schweiz',
    terms: ['Zahlbar innert 30 Tagen netto.', 'Besten Dank für Ihren Auftrag.'],
  },
  au: {
    title: ['TAX INVOICE', 'Tax Invoice'], number: ['Invoice No.', 'Invoice #', 'Invoice Number:'],
    date: ['Date:', 'Invoice Date:', 'Issue date:'], due: ['Due Date:', 'Payment due:'],
    billTo: ['Bill To:', 'Invoice To:', 'Customer:'], kinds: ['Plumbing', 'Electrical', 'Consulting', 'Landscaping', 'Logistics'],
    legal: ['Pty Ltd', 'Pty. Ltd.'], taxId: () => printedId(`ABN ${between(10, 99)} ${between(100, 999)} ${between(100, 999)} ${between(100, 999)}`, /[\d ]+$/),
    services: ['Labour (hours)', 'Call-out fee', 'Materials', 'Consulting services', 'Site inspection'],
    subtotal: ['Subtotal', 'Total ex GST'], tax: (r) => pick([`GST ${r}%`, 'GST']), rates: [10],
    total: ['Total', 'TOTAL AUD', 'Amount Due', 'Total inc GST'], country: 'Australia',
    terms: ['Payment within 14 days.', 'EFT to BSB 062-000, Account 1234 5678.'],
  },
  in: {
    title: ['TAX INVOICE', 'Tax Invoice'], number: ['Invoice No.', 'Invoice No:', 'Bill No.'],
    date: ['Invoice Date:', 'Date:', 'Dated:'], due: ['Due Date:', 'Payment Due:'],
    billTo: ['Bill To:', 'Buyer:', 'Billed To:'], kinds: ['Technologies', 'Enterprises', 'Traders', 'Infotech', 'Industries'],
    legal: ['Pvt. Ltd.', 'Private Limited', 'LLP'], taxId: () => printedId(`GSTIN: ${between(10, 36)}AAB${pick(['C', 'F', 'P'])}S${between(1000, 9999)}F1Z${between(1, 9)}`, /\d+AAB\w+/),
    services: ['Software development', 'Annual maintenance', 'Steel rods', 'Freight charges', 'Installation'],
    unit: () => between(500, 90000) * 100,
    subtotal: ['Taxable Value', 'Sub Total', 'Total before tax'], tax: (r) => pick([`IGST @ ${r}%`, `IGST ${r}%`]), rates: [18, 12],
    total: ['Grand Total', 'Total Amount', 'Invoice Total', 'Amount Payable'], country: 'India',
    terms: ['Subject to Bengaluru jurisdiction.', 'E. & O.E.'],
  },
  pt: {
    title: ['FATURA', 'Fatura'], number: ['Fatura n.º', 'N.º da fatura:', 'Fatura FT'],
    date: ['Data:', 'Data de emissão:'], due: ['Vencimento:', 'Data de vencimento:'],
    billTo: ['Cliente:', 'Exmo.(s) Sr.(s)'], kinds: ['Consultoria', 'Construções', 'Informática', 'Transportes', 'Gráfica'],
    legal: ['Lda.', 'S.A.', 'Unipessoal Lda.'], taxId: () => printedId(`NIF ${between(500000000, 599999999)}`, /\d+/),
    services: ['Serviços de consultoria', 'Mão de obra (horas)', 'Material de escritório', 'Transporte', 'Manutenção'],
    subtotal: ['Total s/ IVA', 'Base tributável', 'Subtotal'], tax: (r) => pick([`IVA ${r}%`, `IVA (${r}%)`]), rates: [23],
    total: ['Total', 'TOTAL', 'Total a pagar', 'Total (EUR)'], country: 'Portugal',
    terms: ['Pagamento a 30 dias.', 'Obrigado pela preferência.'],
  },
  pl: {
    title: ['FAKTURA VAT', 'Faktura'], number: ['Faktura nr', 'Numer faktury:', 'Nr faktury:'],
    date: ['Data wystawienia:', 'Data:'], due: ['Termin płatności:', 'Płatne do:'],
    billTo: ['Nabywca:', 'Odbiorca:'], kinds: ['Budownictwo', 'Informatyka', 'Transport', 'Doradztwo', 'Handel'],
    legal: ['Sp. z o.o.', 'S.A.', 'sp.j.'], taxId: () => printedId(`NIP ${between(100, 999)}-${between(100, 999)}-${between(10, 99)}-${between(10, 99)}`, /[\d-]+$/),
    services: ['Usługa doradcza', 'Robocizna (godz.)', 'Materiały', 'Transport', 'Serwis roczny'],
    subtotal: ['Wartość netto', 'Razem netto'], tax: (r) => pick([`VAT ${r}%`, `Kwota VAT ${r}%`]), rates: [23, 8],
    total: ['Razem brutto', 'Do zapłaty', 'Wartość brutto', 'RAZEM'], country: 'Polska',
    terms: ['Sposób płatności: przelew 14 dni.', 'Dziękujemy za współpracę.'],
  },
  ca: {
    title: ['INVOICE', 'Invoice', 'FACTURE / INVOICE'], number: ['Invoice No.', 'Invoice #', 'Invoice Number:'],
    date: ['Invoice Date:', 'Date:'], due: ['Due Date:', 'Payment due:'],
    billTo: ['Bill To:', 'Sold To:', 'Customer:'], kinds: ['Consulting', 'Construction', 'Logistics', 'Software', 'Printing'],
    legal: ['Inc.', 'Ltd.', 'Corp.'], taxId: () => printedId(`GST/HST No. ${between(100000000, 999999999)} RT0001`, /\d+ RT\d+/),
    services: ['Consulting services', 'Labour (hours)', 'Materials', 'Freight', 'Annual support'],
    subtotal: ['Subtotal', 'SUBTOTAL'], tax: (r) => pick([`HST ${r}%`, `HST (${r}%)`]), rates: [13, 15],
    total: ['Total', 'TOTAL CAD', 'Amount Due', 'Balance Due'], country: 'Canada',
    terms: ['Net 30.', 'Thank you for your business!'],
  },
  se: {
    title: ['FAKTURA', 'Faktura'], number: ['Fakturanummer:', 'Fakturanr:', 'Faktura nr'],
    date: ['Fakturadatum:', 'Datum:'], due: ['Förfallodatum:', 'Förfallodag:'],
    billTo: ['Kund:', 'Fakturaadress:', 'Till:'], kinds: ['Bygg', 'Konsult', 'Data', 'Transport', 'Tryckeri'],
    legal: ['AB', 'Aktiebolag'], taxId: () => printedId(`Org.nr ${between(556000, 559999)}-${between(1000, 9999)}`, /[\d-]+$/),
    services: ['Konsulttjänster (tim)', 'Material', 'Resekostnader', 'Licens', 'Arbetskostnad'],
    subtotal: ['Summa exkl. moms', 'Netto', 'Delsumma'], tax: (r) => pick([`Moms ${r}%`, `Moms ${r} %`]), rates: [25],
    total: ['Att betala', 'Summa att betala', 'Totalt SEK', 'Att betala (SEK)'], country: 'Sverige',
    terms: ['Betalningsvillkor: 30 dagar netto.', 'Bankgiro 123-4567'],
  },
  dk: {
    title: ['FAKTURA', 'Faktura'], number: ['Fakturanr.:', 'Fakturanummer:'],
    date: ['Fakturadato:', 'Dato:'], due: ['Forfaldsdato:', 'Betalingsfrist:'],
    billTo: ['Kunde:', 'Faktureres til:'], kinds: ['Byg', 'Rådgivning', 'IT', 'Transport', 'Tryk'],
    legal: ['ApS', 'A/S', 'I/S'], taxId: () => printedId(`CVR-nr. ${between(10000000, 99999999)}`, /\d+/),
    services: ['Rådgivning (timer)', 'Materialer', 'Kørsel', 'Licens', 'Arbejdsløn'],
    subtotal: ['Subtotal', 'Beløb ekskl. moms', 'Netto'], tax: (r) => pick([`Moms ${r}%`, `Moms (${r}%)`]), rates: [25],
    total: ['Total DKK', 'I alt', 'At betale', 'Total inkl. moms'], country: 'Danmark',
    terms: ['Betalingsbetingelser: netto 14 dage.', 'Tak for handlen.'],
  },
  no: {
    title: ['FAKTURA', 'Faktura'], number: ['Fakturanr.:', 'Fakturanummer:'],
    date: ['Fakturadato:', 'Dato:'], due: ['Forfallsdato:', 'Forfall:'],
    billTo: ['Kunde:', 'Fakturamottaker:'], kinds: ['Bygg', 'Rådgivning', 'Data', 'Transport', 'Trykkeri'],
    legal: ['AS', 'ASA'], taxId: () => printedId(`Org.nr. ${between(900, 999)} ${between(100, 999)} ${between(100, 999)} MVA`, /\d[\d ]+MVA/),
    services: ['Konsulenttimer', 'Materiell', 'Reisekostnader', 'Lisens', 'Arbeid'],
    subtotal: ['Sum eks. mva', 'Netto', 'Delsum'], tax: (r) => pick([`MVA ${r}%`, `Mva ${r} %`]), rates: [25],
    total: ['Å betale', 'Sum inkl. mva', 'Totalt NOK', 'Beløp å betale'], country: 'Norge',
    terms: ['Betalingsfrist 14 dager.', 'Kontonr. 1234.56.78903'],
  },
  fi: {
    title: ['LASKU', 'Lasku'], number: ['Laskun numero:', 'Laskunro:'],
    date: ['Laskun päivämäärä:', 'Päiväys:', 'Päivämäärä:'], due: ['Eräpäivä:', 'Eräpäivä'],
    billTo: ['Asiakas:', 'Laskutusosoite:', 'Vastaanottaja:'], kinds: ['Rakennus', 'Konsultointi', 'Tietotekniikka', 'Kuljetus', 'Paino'],
    legal: ['Oy', 'Oyj', 'Ky'], taxId: () => printedId(`Y-tunnus ${between(1000000, 3299999)}-${between(0, 9)}`, /[\d-]+$/),
    services: ['Konsultointi (h)', 'Materiaalit', 'Matkakulut', 'Lisenssi', 'Työ'],
    subtotal: ['Veroton hinta', 'Yhteensä ilman ALV', 'Välisumma'], tax: (r) => pick([`ALV ${r}%`, `ALV ${r} %`]), rates: [25.5, 24],
    total: ['Yhteensä', 'Maksettava', 'Yhteensä EUR', 'Laskun summa'], country: 'Suomi',
    terms: ['Maksuehto 14 päivää netto.', 'Viitenumero 12345'],
  },
  cz: {
    title: ['FAKTURA', 'Faktura - daňový doklad'], number: ['Číslo faktury:', 'Faktura č.', 'Variabilní symbol:'],
    date: ['Datum vystavení:', 'Vystaveno:'], due: ['Datum splatnosti:', 'Splatnost:'],
    billTo: ['Odběratel:', 'Příjemce:'], kinds: ['Stavby', 'Informatika', 'Doprava', 'Poradenství', 'Tisk'],
    legal: ['s.r.o.', 'a.s.', 'spol. s r.o.'], taxId: () => printedId(`IČO: ${between(10000000, 99999999)} DIČ: CZ${between(10000000, 99999999)}`, /CZ\d+/),
    services: ['Poradenství (hod.)', 'Materiál', 'Cestovné', 'Licence', 'Práce'],
    subtotal: ['Základ daně', 'Celkem bez DPH', 'Mezisoučet'], tax: (r) => pick([`DPH ${r}%`, `DPH ${r} %`]), rates: [21],
    total: ['Celkem k úhradě', 'K úhradě', 'Celkem Kč', 'CELKEM'], country: 'Česká republika',
    terms: ['Splatnost 14 dní.', 'Děkujeme za spolupráci.'],
  },
  tr: {
    title: ['FATURA', 'e-Arşiv Fatura'], number: ['Fatura No:', 'Fatura No', 'Belge No:'],
    date: ['Fatura Tarihi:', 'Düzenleme Tarihi:', 'Tarih:'], due: ['Son Ödeme Tarihi:', 'Vade Tarihi:'],
    billTo: ['Sayın', 'Alıcı:', 'Müşteri:'], kinds: ['İnşaat', 'Bilişim', 'Lojistik', 'Danışmanlık', 'Matbaa'],
    legal: ['Ltd. Şti.', 'A.Ş.', 'San. ve Tic. Ltd. Şti.'],
    taxId: () => printedId(`Vergi Dairesi: ${pick(['Kadıköy', 'Çankaya', 'Konak'])} VKN: ${between(1000000000, 9999999999)}`, /\d+$/),
    services: ['Danışmanlık hizmeti', 'Malzeme', 'Nakliye', 'Yazılım lisansı', 'İşçilik'],
    subtotal: ['Ara Toplam', 'Mal Hizmet Toplam Tutarı', 'KDV Matrahı'], tax: (r) => pick([`KDV (%${r})`, `Hesaplanan KDV %${r}`]), rates: [20],
    total: ['Genel Toplam', 'Ödenecek Tutar', 'Vergiler Dahil Toplam Tutar', 'TOPLAM'], country: 'Türkiye',
    terms: ['Ödeme 30 gün içinde yapılmalıdır.', 'Teşekkür ederiz.'],
  },
  id: {
    title: ['INVOICE', 'FAKTUR', 'Faktur'], number: ['No. Faktur:', 'Nomor Invoice:', 'Invoice No:'],
    date: ['Tanggal:', 'Tanggal Faktur:'], due: ['Jatuh Tempo:', 'Tanggal Jatuh Tempo:'],
    billTo: ['Kepada Yth.', 'Ditagihkan kepada:', 'Pembeli:'], kinds: ['Teknologi', 'Konstruksi', 'Logistik', 'Konsultan', 'Percetakan'],
    legal: ['PT', 'CV'], legalFirst: true,
    taxId: () => printedId(`NPWP: ${between(10, 99)}.${between(100, 999)}.${between(100, 999)}.${between(1, 9)}-${between(100, 999)}.000`, /[\d.-]+$/),
    services: ['Jasa konsultasi', 'Material', 'Biaya pengiriman', 'Lisensi perangkat lunak', 'Jasa pemasangan'],
    unit: () => between(5, 900) * 10000 * 100,
    subtotal: ['Subtotal', 'Dasar Pengenaan Pajak', 'Jumlah'], tax: (r) => pick([`PPN ${r}%`, `PPN (${r}%)`]), rates: [11, 12],
    total: ['Total', 'TOTAL', 'Grand Total', 'Jumlah Tagihan'], country: 'Indonesia',
    terms: ['Pembayaran paling lambat 30 hari.', 'Terima kasih atas kerja sama Anda.'],
  },
  hu: {
    title: ['SZÁMLA', 'Számla'], number: ['Számla sorszáma:', 'Számlaszám:', 'Sorszám:'],
    date: ['Számla kelte:', 'Kiállítás dátuma:'], due: ['Fizetési határidő:', 'Esedékesség:'],
    billTo: ['Vevő:', 'Vevő neve:'], kinds: ['Építő', 'Informatikai', 'Szállítmányozási', 'Tanácsadó', 'Nyomdaipari'],
    legal: ['Kft.', 'Zrt.', 'Bt.'], taxId: () => printedId(`Adószám: ${between(10000000, 99999999)}-${between(1, 5)}-${between(10, 44)}`, /[\d-]+$/),
    services: ['Tanácsadás (óra)', 'Anyagköltség', 'Kiszállási díj', 'Szoftverlicenc', 'Munkadíj'],
    unit: () => between(5, 900) * 1000 * 100,
    subtotal: ['Nettó összesen', 'Nettó érték'], tax: (r) => pick([`ÁFA ${r}%`, `ÁFA (${r}%)`]), rates: [27],
    total: ['Bruttó összesen', 'Fizetendő', 'Végösszeg', 'Összesen'], country: 'Magyarország',
    terms: ['Fizetési mód: átutalás', 'Köszönjük megrendelését!'],
  },
  ro: {
    title: ['FACTURĂ', 'Factură fiscală', 'FACTURA'], number: ['Număr factură:', 'Factura nr.', 'Seria și nr.:'],
    date: ['Data emiterii:', 'Data facturii:', 'Data:'], due: ['Data scadenței:', 'Scadență:'],
    billTo: ['Cumpărător:', 'Client:', 'Beneficiar:'], kinds: ['Construcții', 'Consultanță', 'Transport', 'Tipografie', 'Software'],
    legal: ['S.R.L.', 'SRL', 'S.A.'], taxId: () => printedId(`CUI: RO${between(1000000, 49999999)} Reg. Com.: J40/${between(100, 9999)}/${between(2005, 2023)}`, /RO\d+/),
    services: ['Consultanță (ore)', 'Materiale', 'Transport', 'Licență software', 'Manoperă'],
    subtotal: ['Total fără TVA', 'Subtotal', 'Valoare netă'], tax: (r) => pick([`TVA ${r}%`, `TVA (${r}%)`]), rates: [19],
    total: ['Total de plată', 'TOTAL', 'Total factură', 'Total cu TVA'], country: 'România',
    terms: ['Plata în 30 de zile.', 'Vă mulțumim pentru colaborare.'],
  },
  gr: {
    title: ['ΤΙΜΟΛΟΓΙΟ', 'Τιμολόγιο Πώλησης', 'ΤΙΜΟΛΟΓΙΟ ΠΑΡΟΧΗΣ ΥΠΗΡΕΣΙΩΝ'], number: ['Αριθμός:', 'Αρ. Τιμολογίου:', 'Α/Α:'],
    date: ['Ημερομηνία:', 'Ημερομηνία έκδοσης:'], due: ['Ημερομηνία λήξης:', 'Προθεσμία πληρωμής:'],
    billTo: ['Πελάτης:', 'Προς:', 'Στοιχεία πελάτη:'], kinds: ['Κατασκευαστική', 'Συμβουλευτική', 'Μεταφορική', 'Τυπογραφική', 'Πληροφορική'],
    legal: ['Α.Ε.', 'Ε.Π.Ε.', 'Ι.Κ.Ε.'], taxId: () => printedId(`ΑΦΜ: ${between(100000000, 999999999)} ΔΟΥ: ${pick(['Α΄ Αθηνών', 'Ζ΄ Θεσσαλονίκης', 'Πατρών'])}`, /\d+/),
    services: ['Συμβουλευτικές υπηρεσίες (ώρες)', 'Υλικά', 'Μεταφορά', 'Άδεια λογισμικού', 'Εργασία'],
    subtotal: ['Καθαρή αξία', 'Σύνολο προ ΦΠΑ', 'Υποσύνολο'], tax: (r) => pick([`ΦΠΑ ${r}%`, `Φ.Π.Α. (${r}%)`]), rates: [24],
    total: ['Σύνολο', 'ΠΛΗΡΩΤΕΟ ΠΟΣΟ', 'Γενικό σύνολο', 'Πληρωτέο'], country: 'Ελλάδα',
    terms: ['Τρόπος πληρωμής: τραπεζική κατάθεση', 'Ευχαριστούμε για τη συνεργασία.'],
  },
  bg: {
    title: ['ФАКТУРА', 'Фактура', 'ОРИГИНАЛ ФАКТУРА'], number: ['Фактура №', 'Номер:', '№ на фактура:'],
    date: ['Дата на издаване:', 'Дата:'], due: ['Срок за плащане:', 'Падеж:'],
    billTo: ['Получател:', 'Клиент:', 'Купувач:'], kinds: ['Строй', 'Консулт', 'Транс', 'Принт', 'Софт'],
    legal: ['ЕООД', 'ООД', 'АД'], taxId: () => { const n = between(100000000, 999999999); return printedId(`ЕИК: ${n} ИН по ДДС: BG${n}`, /BG\d+/); },
    services: ['Консултантски услуги (часове)', 'Материали', 'Транспорт', 'Софтуерен лиценз', 'Труд'],
    subtotal: ['Данъчна основа', 'Сума без ДДС', 'Междинна сума'], tax: (r) => pick([`ДДС ${r}%`, `ДДС (${r}%)`]), rates: [20],
    total: ['Сума за плащане', 'ОБЩО', 'Обща сума', 'Всичко за плащане'], country: 'България',
    terms: ['Начин на плащане: по банков път', 'Благодарим Ви за доверието!'],
  },
  ua: {
    title: ['РАХУНОК', 'Рахунок-фактура', 'Рахунок на оплату'], number: ['Рахунок №', 'Номер:', '№ рахунку:'],
    date: ['Дата:', 'Дата складання:'], due: ['Сплатити до:', 'Термін оплати:'],
    billTo: ['Покупець:', 'Платник:', 'Одержувач:'], kinds: ['Буд', 'Консалт', 'Транс', 'Друк', 'Софт'],
    legal: ['ТОВ', 'ПП'], legalFirst: true, taxId: () => printedId(`ЄДРПОУ ${between(10000000, 99999999)}`, /\d+/),
    services: ['Консультаційні послуги (год)', 'Матеріали', 'Транспортні послуги', 'Ліцензія на ПЗ', 'Роботи'],
    subtotal: ['Разом без ПДВ', 'Сума без ПДВ'], tax: (r) => pick([`ПДВ ${r}%`, `ПДВ (${r}%)`]), rates: [20],
    total: ['Всього з ПДВ', 'Разом до сплати', 'ВСЬОГО', 'До сплати'], country: 'Україна',
    terms: ['Оплата протягом 14 днів.', 'Дякуємо за співпрацю!'],
  },
};

// What invoices with --extras add, in each country's words: a shipping charge,
// a payment already made with what is left to pay, and the reduced tax rate
// some items are taxed at (null: one rate for all).
const INVOICE_EXTRAS = {
  us: { shipping: ['Shipping', 'Shipping & handling'], paid: ['Deposit paid', 'Less: payment received'], balance: ['Balance due', 'Amount due'], reduced: null },
  uk: { shipping: ['Delivery', 'Carriage'], paid: ['Less deposit paid', 'Amount paid'], balance: ['Balance due', 'Amount outstanding'], reduced: 5 },
  de: { shipping: ['Versandkosten', 'Versand'], paid: ['Anzahlung', 'Bereits bezahlt'], balance: ['Restbetrag', 'Noch zu zahlen'], reduced: 7 },
  fr: { shipping: ['Frais de port', 'Livraison'], paid: ['Acompte versé', 'Déjà payé'], balance: ['Reste à payer', 'Solde dû'], reduced: 5.5 },
  es: { shipping: ['Gastos de envío', 'Portes'], paid: ['Anticipo', 'Pagado a cuenta'], balance: ['Pendiente de pago', 'Saldo pendiente'], reduced: 10 },
  it: { shipping: ['Spese di spedizione', 'Trasporto'], paid: ['Acconto versato', 'Acconto'], balance: ['Saldo da pagare', 'Residuo da pagare'], reduced: 10 },
  nl: { shipping: ['Verzendkosten', 'Bezorgkosten'], paid: ['Aanbetaling', 'Reeds betaald'], balance: ['Openstaand bedrag', 'Nog te betalen'], reduced: 9 },
  iso: { shipping: ['Delivery charge', 'Transport'], paid: ['Deposit received', 'Less: paid'], balance: ['Balance due', 'Amount due'], reduced: null },
  ch: { shipping: ['Versandkosten', 'Porto'], paid: ['Anzahlung', 'Bereits bezahlt'], balance: ['Restbetrag', 'Offener Betrag'], reduced: 2.6 },
  au: { shipping: ['Freight', 'Delivery'], paid: ['Deposit paid', 'Less amount paid'], balance: ['Balance due', 'Amount owing'], reduced: null },
  in: { shipping: ['Freight charges', 'Packing & forwarding'], paid: ['Advance received', 'Less: advance'], balance: ['Balance payable', 'Net payable'], reduced: 5 },
  pt: { shipping: ['Portes', 'Transporte'], paid: ['Adiantamento', 'Valor pago'], balance: ['Valor em dívida', 'Saldo a pagar'], reduced: 13 },
  pl: { shipping: ['Koszty wysyłki', 'Transport'], paid: ['Zaliczka', 'Zapłacono'], balance: ['Pozostało do zapłaty', 'Do zapłaty'], reduced: 8 },
  ca: { shipping: ['Shipping', 'Freight'], paid: ['Deposit', 'Payment received'], balance: ['Balance Due', 'Amount Owing'], reduced: null },
  se: { shipping: ['Frakt', 'Fraktkostnad'], paid: ['Förskott', 'Redan betalt'], balance: ['Kvar att betala', 'Återstår'], reduced: 12 },
  dk: { shipping: ['Fragt', 'Levering'], paid: ['Forudbetaling', 'Indbetalt'], balance: ['Restbeløb', 'Rest at betale'], reduced: null },
  no: { shipping: ['Frakt', 'Levering'], paid: ['Forskudd', 'Innbetalt'], balance: ['Restbeløp', 'Gjenstående'], reduced: 15 },
  fi: { shipping: ['Toimituskulut', 'Rahti'], paid: ['Ennakkomaksu', 'Maksettu'], balance: ['Jäljellä maksettavaa', 'Avoin saldo'], reduced: 14 },
  cz: { shipping: ['Doprava', 'Poštovné'], paid: ['Záloha', 'Uhrazeno zálohou'], balance: ['Zbývá uhradit', 'Zbývá k úhradě'], reduced: 12 },
  tr: { shipping: ['Kargo', 'Nakliye'], paid: ['Ön ödeme', 'Ödenen'], balance: ['Kalan tutar', 'Kalan borç'], reduced: 10 },
  id: { shipping: ['Ongkos kirim', 'Biaya kirim'], paid: ['Uang muka', 'DP'], balance: ['Sisa tagihan', 'Sisa pembayaran'], reduced: null },
  hu: { shipping: ['Szállítási díj', 'Fuvardíj'], paid: ['Előleg', 'Már kifizetve'], balance: ['Fennmaradó összeg', 'Hátralék'], reduced: 5 },
  ro: { shipping: ['Transport', 'Cheltuieli de transport'], paid: ['Avans', 'Achitat'], balance: ['Rest de plată', 'Sold de plată'], reduced: 9 },
  gr: { shipping: ['Μεταφορικά', 'Έξοδα αποστολής'], paid: ['Προκαταβολή', 'Ήδη πληρωμένο'], balance: ['Υπόλοιπο', 'Υπόλοιπο πληρωτέο'], reduced: 13 },
  bg: { shipping: ['Транспорт', 'Доставка'], paid: ['Аванс', 'Платено'], balance: ['Остатък за плащане', 'Остатък'], reduced: 9 },
  ua: { shipping: ['Доставка', 'Транспортування'], paid: ['Аванс', 'Передоплата'], balance: ['Залишок до сплати', 'Залишок'], reduced: 7 },
};

// What invoices with --orders print in each country: the labels of the
// customer's purchase order number and of the payment terms, and terms as
// its businesses write them.
const ORDER_WORDS = {
  us: { po: ['PO Number:', 'P.O. #', 'Purchase Order:'], terms: ['Terms:', 'Payment Terms:'], values: ['Net 30', 'Net 15', 'Due on receipt', '2% 10, Net 30'] },
  uk: { po: ['Purchase order:', 'PO number:', 'Your order no.:'], terms: ['Payment terms:', 'Terms:'], values: ['30 days', '14 days net', 'Due on receipt'] },
  de: { po: ['Bestellnummer:', 'Ihre Bestellung:', 'Bestell-Nr.:'], terms: ['Zahlungsbedingungen:', 'Zahlungsziel:'], values: ['14 Tage netto', '30 Tage netto', 'sofort ohne Abzug', '10 Tage 2% Skonto, 30 Tage netto'] },
  fr: { po: ['Bon de commande :', 'N° de commande :', 'Votre commande :'], terms: ['Conditions de paiement :', 'Conditions de règlement :'], values: ['30 jours fin de mois', 'à réception de facture', '45 jours net'] },
  es: { po: ['Nº de pedido:', 'Pedido:', 'Orden de compra:'], terms: ['Condiciones de pago:', 'Plazo de pago:'], values: ['30 días', 'transferencia a 30 días', 'al contado'] },
  it: { po: ['Ordine n.', 'Rif. ordine:', "Ordine d'acquisto:"], terms: ['Condizioni di pagamento:', 'Termini di pagamento:'], values: ['30 gg d.f.', 'bonifico 60 gg f.m.', 'rimessa diretta'] },
  nl: { po: ['Ordernummer:', 'Inkoopordernummer:', 'Uw ordernummer:'], terms: ['Betalingsvoorwaarden:', 'Betalingstermijn:'], values: ['30 dagen', '14 dagen netto', '8 dagen'] },
  iso: { po: ['PO No.:', 'Purchase Order:'], terms: ['Terms:', 'Payment Terms:'], values: ['30 days', 'C.O.D.', 'Net 60'] },
  ch: { po: ['Bestellnummer:', 'Ihre Bestellung:'], terms: ['Zahlungsbedingungen:', 'Zahlungsfrist:'], values: ['30 Tage netto', '10 Tage 2% Skonto, 30 Tage netto', '20 Tage'] },
  au: { po: ['PO Number:', 'Purchase Order:', 'Order No:'], terms: ['Terms:', 'Payment Terms:'], values: ['14 days', '30 days EOM', 'COD'] },
  in: { po: ['PO No.:', "Buyer's Order No.:", 'P.O. Number:'], terms: ['Payment Terms:', 'Terms of Payment:'], values: ['30 days', 'Immediate', '45 days credit'] },
  pt: { po: ['Nº de encomenda:', 'Encomenda:', 'Requisição:'], terms: ['Condições de pagamento:', 'Prazo de pagamento:'], values: ['30 dias', 'Pronto pagamento', '60 dias'] },
  pl: { po: ['Nr zamówienia:', 'Zamówienie:'], terms: ['Warunki płatności:', 'Termin płatności:'], values: ['14 dni', '30 dni', 'przelew 14 dni'] },
  ca: { po: ['PO Number:', 'P.O. No.:', 'Purchase Order:'], terms: ['Terms:', 'Payment Terms:'], values: ['Net 30', 'Due on receipt', 'Net 15'] },
  se: { po: ['Ordernummer:', 'Beställningsnummer:', 'Ert ordernr:'], terms: ['Betalningsvillkor:'], values: ['30 dagar netto', '10 dagar', '20 dagar'] },
  dk: { po: ['Ordrenummer:', 'Rekvisitionsnr.:', 'Jeres ordre:'], terms: ['Betalingsbetingelser:'], values: ['netto 14 dage', 'løbende måned + 30 dage', 'netto 8 dage'] },
  no: { po: ['Ordrenummer:', 'Deres ordre:', 'Bestillingsnr.:'], terms: ['Betalingsbetingelser:', 'Betalingsvilkår:'], values: ['14 dager netto', '30 dager', '10 dager'] },
  fi: { po: ['Tilausnumero:', 'Tilaus:'], terms: ['Maksuehdot:', 'Maksuehto:'], values: ['14 päivää netto', '30 pv netto', '7 päivää'] },
  cz: { po: ['Číslo objednávky:', 'Objednávka č.:'], terms: ['Platební podmínky:'], values: ['14 dní', 'převodem 14 dní', '30 dní'] },
  tr: { po: ['Sipariş No:', 'Sipariş Numarası:'], terms: ['Ödeme Koşulları:', 'Vade:'], values: ['30 gün', 'Peşin', '60 gün vadeli'] },
  id: { po: ['No. PO:', 'Nomor Pesanan:'], terms: ['Syarat Pembayaran:', 'Termin:'], values: ['30 hari', 'Tunai', '14 hari'] },
  hu: { po: ['Rendelésszám:', 'Megrendelés száma:'], terms: ['Fizetési feltételek:'], values: ['8 nap', 'átutalás 15 nap', '30 nap'] },
  ro: { po: ['Nr. comandă:', 'Comanda nr.:'], terms: ['Termen de plată:', 'Condiții de plată:'], values: ['30 de zile', '15 zile', 'la vedere'] },
  gr: { po: ['Αρ. παραγγελίας:', 'Παραγγελία:'], terms: ['Όροι πληρωμής:'], values: ['30 ημέρες', 'Επί πιστώσει 60 ημερών', 'Μετρητοίς'] },
  bg: { po: ['Поръчка №:', 'Номер на поръчка:'], terms: ['Условия на плащане:', 'Срок на плащане:'], values: ['30 дни', 'по банков път 14 дни', '7 дни'] },
  ua: { po: ['Замовлення №:', 'Номер замовлення:'], terms: ['Умови оплати:', 'Термін оплати:'], values: ['14 днів', '30 банківських днів', 'передоплата'] },
};

// What credit notes (--credit) print in each country: their title, the label
// of their own number, and of the invoice they credit.
const CREDIT_NOTES = {
  us: { title: ['CREDIT NOTE', 'Credit Memo'], number: ['Credit Note No.', 'Credit Memo #'], ref: ['Original invoice:', 'Against invoice:'] },
  uk: { title: ['CREDIT NOTE', 'Credit Note'], number: ['Credit Note No.', 'Credit note number:'], ref: ['Original invoice:', 'Invoice ref:'] },
  de: { title: ['GUTSCHRIFT', 'Rechnungskorrektur'], number: ['Gutschrift Nr.', 'Gutschriftsnummer:'], ref: ['zur Rechnung Nr.', 'Bezug: Rechnung'] },
  fr: { title: ['AVOIR', "Facture d'avoir"], number: ['Avoir n°', "N° d'avoir :"], ref: ["Facture d'origine :", 'Réf. facture :'] },
  es: { title: ['FACTURA RECTIFICATIVA', 'Nota de crédito'], number: ['Nº rectificativa:', 'Número:'], ref: ['Factura rectificada:', 'Ref. factura:'] },
  it: { title: ['NOTA DI CREDITO', 'Nota di credito'], number: ['Nota di credito n.', 'Numero:'], ref: ['Rif. fattura:', 'Fattura di riferimento:'] },
  nl: { title: ['CREDITNOTA', 'Creditfactuur'], number: ['Creditnotanummer:', 'Creditnota nr.'], ref: ['Betreft factuur:', 'Oorspronkelijke factuur:'] },
  iso: { title: ['CREDIT NOTE'], number: ['Credit Note No:'], ref: ['Original Invoice:'] },
  ch: { title: ['GUTSCHRIFT', 'Gutschrift'], number: ['Gutschrift Nr.'], ref: ['zu Rechnung:'] },
  au: { title: ['ADJUSTMENT NOTE', 'CREDIT NOTE'], number: ['Credit Note No.'], ref: ['Original invoice:'] },
  in: { title: ['CREDIT NOTE'], number: ['Credit Note No.'], ref: ['Against Invoice No.'] },
  pt: { title: ['NOTA DE CRÉDITO'], number: ['Nota de crédito n.º', 'NC'], ref: ['Fatura de origem:', 'Ref. fatura:'] },
  pl: { title: ['FAKTURA KORYGUJĄCA', 'Korekta'], number: ['Faktura korygująca nr'], ref: ['Do faktury nr'] },
  ca: { title: ['CREDIT NOTE', 'Credit Memo'], number: ['Credit Memo #'], ref: ['Original invoice:'] },
  se: { title: ['KREDITFAKTURA'], number: ['Kreditfaktura nr'], ref: ['Avser faktura:'] },
  dk: { title: ['KREDITNOTA'], number: ['Kreditnota nr.'], ref: ['Vedr. faktura:'] },
  no: { title: ['KREDITNOTA'], number: ['Kreditnota nr.'], ref: ['Gjelder faktura:'] },
  fi: { title: ['HYVITYSLASKU'], number: ['Hyvityslaskun numero:'], ref: ['Hyvitettävä lasku:'] },
  cz: { title: ['OPRAVNÝ DAŇOVÝ DOKLAD', 'Dobropis'], number: ['Dobropis č.'], ref: ['K faktuře č.'] },
  tr: { title: ['İADE FATURASI'], number: ['Fatura No:'], ref: ['İade edilen fatura:'] },
  id: { title: ['NOTA KREDIT'], number: ['No. Nota Kredit:'], ref: ['Atas Faktur:'] },
  hu: { title: ['JÓVÁÍRÓ SZÁMLA', 'Helyesbítő számla'], number: ['Sorszám:'], ref: ['Eredeti számla:'] },
  ro: { title: ['FACTURĂ DE STORNARE', 'Notă de credit'], number: ['Număr:'], ref: ['Stornează factura:'] },
  gr: { title: ['ΠΙΣΤΩΤΙΚΟ ΤΙΜΟΛΟΓΙΟ', 'Πιστωτικό τιμολόγιο'], number: ['Αριθμός:', 'Αρ. Πιστωτικού:'], ref: ['Σχετ. τιμολόγιο:'] },
  bg: { title: ['КРЕДИТНО ИЗВЕСТИЕ', 'Кредитно известие'], number: ['Номер:', 'Кредитно известие №'], ref: ['Към фактура №', 'Към фактура:'] },
  ua: { title: ['КРЕДИТ-НОТА', 'Коригування до рахунку'], number: ['Номер:', 'Кредит-нота №'], ref: ['До рахунку №', 'До рахунку:'] },
};

// An A4 invoice of a business: the vendor's letterhead, the customer, the
// invoice's number and dates, a table of items, net + tax = total. Labels as
// the receipts' (company and address of the vendor, date of the invoice,
// total) and also invoice_id and due_date.
function invoice(i) {
  const key = countryOf(i);
  const L = LOCALES[key] ?? MORE_LOCALES[key];
  const W = INVOICE_WORDS[key] ?? MORE_INVOICE_WORDS[key];
  const bare = (cents) => money(cents, L.amount);
  const cur = (cents) => (L.before ? `${L.currency}${money(cents, L.amount)}` : `${money(cents, L.amount)} ${L.currency}`);
  // A business's name; its legal form first where the country writes it so ("PT").
  const business = () => {
    const [name, kind, legal] = [pick(L.names), pick(W.kinds), pick(W.legal)];
    return W.legalFirst ? `${legal} ${name} ${kind}` : `${name} ${kind} ${legal}`;
  };
  const company = business();
  const withCountry = chance(0.3);
  const addressLines = [L.street(), L.city(), ...(withCountry ? [W.country] : [])];
  if (L.cityFirst) [addressLines[0], addressLines[1]] = [addressLines[1], addressLines[0]];
  const buyer = business();
  const buyerLines = [L.street(), L.city()];
  if (L.cityFirst) buyerLines.reverse();
  const d = { y: between(2016, 2025), m: between(1, 12), d: between(1, 28) };
  const issued = new Date(Date.UTC(d.y, d.m - 1, d.d));
  const dueAt = new Date(issued.getTime() + pick([14, 30, 45]) * 86400000);
  const due = { y: dueAt.getUTCFullYear(), m: dueAt.getUTCMonth() + 1, d: dueAt.getUTCDate() };
  // One date form for the whole page, as software prints.
  const state = rand();
  const form = (x) => { const keep = rand; rand = () => state; const s = L.date(x); rand = keep; return s; };
  const iso = (x) => `${x.y}-${pad2(x.m)}-${pad2(x.d)}`;
  const number = pick([
    `INV-${d.y}-${String(between(1, 9999)).padStart(4, '0')}`,
    String(between(10000, 999999)),
    `${pick(['RE', 'F', 'FA', 'A'])}${d.y}${String(between(1, 999)).padStart(3, '0')}`,
    `${between(1, 99)}/${d.y}`,
  ]);
  // A credit note has its own number and names the invoice it credits.
  const C = credit ? CREDIT_NOTES[key] : null;
  const own = C ? pick([`CN-${d.y}-${String(between(1, 999)).padStart(4, '0')}`, `GS${between(1000, 99999)}`,
    `${between(1, 99)}/K/${d.y}`]) : number;
  const sg = C ? -1 : 1;  // every amount printed negative on a credit note
  const items = [];
  for (let k = long ? between(22, 34) : between(1, 8); k > 0; --k) {
    const qty = chance(0.5) ? 1 : between(2, 12);
    const unit = W.unit ? W.unit() : between(500, 120000);
    items.push({ text: pick(W.services), qty, unit, cents: qty * unit });
  }
  const itemsSum = items.reduce((a, it) => a + it.cents, 0);
  const rate = pick(W.rates);
  // With --extras (only then, so that a seed's plain set stays as it was):
  // items at two tax rates or a discount, a shipping charge, a payment made.
  const x = { reduced: 0, discount: 0, discountLabel: '', shipping: 0, shippingLabel: '', paid: 0, paidLabel: '', balanceLabel: '' };
  if (extras && !credit) {
    const E = INVOICE_EXTRAS[key];
    if (E.reduced && items.length > 1 && chance(0.4)) {
      x.reduced = E.reduced;
      items.forEach((it, k) => { it.reduced = k % 2 === 1; });
    } else if (chance(0.35)) {
      const pct = pick([5, 10, 15]);
      x.discount = Math.round((itemsSum * pct) / (L.whole ? 10000 : 100)) * (L.whole ? 100 : 1);
      x.discountLabel = `${DISCOUNT_WORDS[key]} ${pct}%`;
    }
    if (chance(0.3)) {
      x.shipping = L.whole ? between(10, 200) * 100000 : between(500, 6000);
      x.shippingLabel = pick(E.shipping);
    }
    if (chance(0.3)) {
      x.paid = pick([0.3, 0.5]);
      x.paidLabel = pick(E.paid);
      x.balanceLabel = pick(E.balance);
    }
  }
  const net = itemsSum - x.discount + x.shipping;
  const reducedBase = items.reduce((a, it) => a + (it.reduced ? it.cents : 0), 0);
  const taxOf = (base, r) => (L.whole ? Math.round((base * r) / 10000) * 100 : Math.round((base * r) / 100));
  const taxStd = taxOf(net - reducedBase, rate);
  const taxReduced = x.reduced ? taxOf(reducedBase, x.reduced) : 0;
  const tax = taxStd + taxReduced;
  const total = net + tax;
  const paid = x.paid ? Math.round((total * x.paid) / 100) * 100 : 0;

  const phone = chance(0.7) ? L.phone() : null;
  const taxId = chance(0.7) ? W.taxId() : null;
  const buyerId = buyerTax ? W.taxId() : null;
  // With --orders: the customer's order number and the terms, each on most
  // invoices; the terms among the meta rows or as a line at the foot.
  const O = orders ? ORDER_WORDS[key] : null;
  const po = O && chance(0.8) ? { label: pick(O.po), value: pick([
    `PO-${d.y}-${String(between(1, 9999)).padStart(4, '0')}`, String(between(4500000000, 4509999999)),
    `${pick(['BC', 'B', 'ORD', 'P'])}${between(1000, 99999)}`, `${between(100, 9999)}/${d.y}`]) } : null;
  const terms = O && chance(0.8) ? { label: pick(O.terms), value: pick(O.values), foot: chance(0.4) } : null;
  const vendorBlock = `<div class="vendor"><div class="vname">${company}</div>${addressLines.join('<br>')}` +
    `${phone ? `<br>${phone}` : ''}${taxId ? `<br>${taxId.text}` : ''}</div>`;
  const meta = [[pick(C ? C.number : W.number), own], [pick(W.date), form(d)], [pick(W.due), form(due)]];
  if (C) meta.push([pick(C.ref), number]);
  if (po) meta.push([po.label, po.value]);
  if (terms && !terms.foot) meta.push([terms.label, terms.value]);
  const metaBlock = `<table class="meta">${meta.map(([l, v]) => `<tr><td>${l}</td><td>${v}</td></tr>`).join('')}</table>`;
  const buyerBlock = `<div class="buyer"><b>${pick(W.billTo)}</b><br>${buyer}<br>${buyerLines.join('<br>')}` +
    `${buyerId ? `<br>${buyerId.text}` : ''}</div>`;
  const title = `<div class="title">${pick(C ? C.title : W.title)}</div>`;
  const layout = between(0, 2);
  let head;
  if (layout === 0) head = `<div class="two">${vendorBlock}<div>${title}${metaBlock}</div></div><div class="two">${buyerBlock}<div></div></div>`;
  else if (layout === 1) head = `${title}<div class="two">${buyerBlock}<div>${vendorBlock}</div></div>${metaBlock}`;
  else head = `<div class="center">${vendorBlock}</div>${title}<div class="two">${buyerBlock}${metaBlock}</div>`;
  const rowOf = (it) => `<tr><td>${it.text}</td><td class="n">${it.qty}</td><td class="n">${bare(it.unit)}</td><td class="n">${bare(sg * it.cents)}</td></tr>`;
  const rows = items.map(rowOf).join('');
  const tr = (l, v, cls = '') => `<tr${cls ? ` class="${cls}"` : ''}><td>${l}</td><td class="n">${v}</td></tr>`;
  const subtotalLabel = pick(W.subtotal);
  const taxLabel = W.tax(rate);
  const totalLabel = pick(W.total);
  const totalText = chance(0.6) ? cur(sg * total) : bare(sg * total);
  const totals = `<table class="totals">${tr(subtotalLabel, bare(sg * itemsSum))}` +
    `${x.discount ? tr(x.discountLabel, `-${bare(x.discount)}`) : ''}` +
    `${x.shipping ? tr(x.shippingLabel, bare(x.shipping)) : ''}` +
    `${tr(taxLabel, bare(sg * taxStd))}${x.reduced ? tr(W.tax(x.reduced), bare(taxReduced)) : ''}` +
    `${tr(totalLabel, totalText, 'grand')}` +
    `${paid ? tr(x.paidLabel, `-${bare(paid)}`) + tr(x.balanceLabel, bare(total - paid)) : ''}</table>`;
  // (With --orders, the foot prints the labelled terms or nothing, so that no
  // other terms contradict them.)
  const footText = O ? (terms?.foot ? `${terms.label} ${terms.value}` : '') : pick(W.terms);
  const foot = `<div class="foot">${footText}</div>`;

  const font = pick(['"Liberation Sans"', '"Liberation Serif"', '"DejaVu Sans"']);
  const photo = chance(0.25);
  const turn = (rand() * 2 - 1) * (photo ? 2 : 0.6);
  const blur = chance(0.5) ? (rand() * 0.5).toFixed(2) : 0;
  const paper = pick(['#ffffff', '#f6f6f3', '#eeeeea']);
  let table = photo ? pick(['#5b4a3a', '#3c3f44', '#8a8f96']) : '#ffffff';
  // A PDF is printed, not captured (and a CSS filter would print as a picture).
  const capture = pdf ? '' : `transform: rotate(${turn.toFixed(2)}deg); filter: blur(${blur}px);`;
  if (pdf) table = '#ffffff';
  // Over two pages (--long): each page a sheet of its own.
  const sheet = long ? `.sheet { width: 760px; height: 1095px; overflow: hidden; padding-top: 10px; box-sizing: border-box;
    page-break-after: always; background: ${table}; } .p { height: 1075px; overflow: hidden; }` : '';
  // (Drawn in the order the page's style and table header always were.)
  const fontSize = between(13, 15);
  const nameSize = pick([18, 20, 24]);
  const titleSize = pick([22, 26, 30]);
  const itemsHead = `<tr><th>${pick(['Description', 'Item'])}</th><th class="n">${pick(['Qty', 'Quantity'])}</th><th class="n">${pick(['Unit price', 'Rate', 'Price'])}</th><th class="n">${pick(['Amount', 'Total'])}</th></tr>`;
  let body;
  if (long) {
    const first = between(14, 17);
    const pageNo = (k) => `<div class="foot">${pick(['Page', 'Seite', 'Page', 'Pag.'])} ${k}/2</div>`;
    body = `<div class="sheet"><div class="p">${head}<table class="items">${itemsHead}${items.slice(0, first).map(rowOf).join('')}</table>${pageNo(1)}</div></div>` +
      `<div class="sheet"><div class="p"><div class="cont">${company} &middot; ${own}</div>` +
      `<table class="items">${itemsHead}${items.slice(first).map(rowOf).join('')}</table>${totals}${foot}${pageNo(2)}</div></div>`;
  } else {
    body = `<div class="p">${head}
    <table class="items">${itemsHead}${rows}</table>
    ${totals}${foot}</div>`;
  }
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: ${table}; }
    .p { width: 700px; min-height: 960px; margin: 20px auto; padding: 40px 44px; background: ${paper}; color: #111;
         font-family: ${font}, sans-serif; font-size: ${fontSize}px; line-height: 1.4;
         ${capture} box-sizing: border-box; }
    .vname { font-size: ${nameSize}px; font-weight: bold; margin-bottom: 4px; }
    .title { font-size: ${titleSize}px; font-weight: bold; letter-spacing: 1px; margin: 8px 0; }
    .two { display: flex; justify-content: space-between; margin: 14px 0; gap: 40px; }
    .center { text-align: center; }
    .meta td { padding: 1px 10px 1px 0; }
    table.items { width: 100%; border-collapse: collapse; margin-top: 20px; }
    .items th { text-align: left; border-bottom: 1.5px solid #111; padding: 4px; }
    .items td { padding: 4px; border-bottom: 0.5px solid #bbb; }
    .n { text-align: right; white-space: nowrap; }
    .totals { margin-left: auto; margin-top: 16px; min-width: 40%; }
    .totals td { padding: 2px 6px; }
    .grand td { font-weight: bold; border-top: 1.5px solid #111; }
    .foot { margin-top: 40px; font-size: 12px; color: #333; }
    .cont { font-size: 12px; color: #333; margin-bottom: 8px; }
    ${sheet}
  </style></head><body>${body}</body></html>`;
  const id = `I${String(seed).padStart(2, '0')}${String(i).padStart(4, '0')}-${key}`;
  return {
    id,
    html,
    width: 760,
    pages: long ? 2 : 1,
    scale: pick([1.5, 2, 2.5]),
    quality: between(60, 90),
    label: {
      id, file: `images/${id}.jpg`, company, date: iso(d), address: addressLines.join(' '),
      total: money(sg * total, 'plain'), invoice_id: own, due_date: iso(due), receiver_name: buyer,
      receiver_address: buyerLines.join(' '),
      ...(phone ? { vendor_phone: phoneValue(phone) } : {}),
      ...(taxId ? { vendor_tax_id: taxId.value } : {}),
      ...(buyerId ? { receiver_tax_id: buyerId.value } : {}),
      ...(po ? { purchase_order: po.value } : {}),
      ...(terms ? { payment_terms: terms.value } : {}),
      ...amountLabels(key, { subtotal: sg * itemsSum, tax: sg * tax, discount: x.discount, amount_due: paid ? total - paid : 0 }),
      line_items: items.map((it) => itemLabel(it.text, it.qty, it.unit, sg * it.cents)),
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
    const r = invoices ? invoice(i) : receipt(i);
    const page = await browser.newPage({ viewport: { width: r.width ?? 520, height: 400 }, deviceScaleFactor: r.scale });
    await page.setContent(r.html);
    if (r.pages > 1) {
      // Two A4 sheets: printed with their text, or scanned as pictures.
      r.label.file = r.label.file.replace(/\.jpg$/, '.pdf');
      const size = { width: '760px', height: '1095px', printBackground: true };
      if (!pdf) {
        const shots = [];
        for (const el of await page.$$('.sheet')) {
          shots.push((await el.screenshot({ type: 'jpeg', quality: r.quality })).toString('base64'));
        }
        await page.setContent(`<!doctype html><html><head><style>body { margin: 0; }
          img { display: block; width: 760px; height: 1095px; page-break-after: always; }</style></head><body>` +
          `${shots.map((b) => `<img src="data:image/jpeg;base64,${b}">`).join('')}</body></html>`);
      }
      await page.pdf({ path: path.join(out, r.label.file), ...size });
    } else if (pdf) {
      r.label.file = r.label.file.replace(/\.jpg$/, '.pdf');
      const width = r.width ?? 520;
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.pdf({ path: path.join(out, r.label.file), width: `${width}px`, height: `${height}px`, printBackground: true });
    } else {
      await page.screenshot({ path: path.join(out, r.label.file), type: 'jpeg', quality: r.quality, fullPage: true });
    }
    await page.close();
    labels.push(JSON.stringify(r.label));
    if ((i + 1) % 10 === 0 || i + 1 === count) process.stderr.write(`make-test-receipts: ${i + 1}/${count}\n`);
  }
} finally {
  await browser.close();
}
writeFileSync(path.join(out, 'labels.jsonl'), `${labels.join('\n')}\n`);
console.log(`make-test-receipts: ${count} receipts in ${out}`);
