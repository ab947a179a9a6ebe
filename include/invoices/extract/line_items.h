// Line items: from the recognised words of a page to the item rows of a
// receipt or invoice (description, quantity, unit price, amount), each with a
// confidence, the page and the box of its rows.
//
// The items are the rows between a column header ("Description Qty Price
// Amount", "Bezeichnung Menge Einzelpreis Betrag", "Désignation Qté Prix
// Montant") or, without one, the first row that looks like an item, and the
// first totals row ("Subtotal", "Total", "Summe", "Jumlah", or any "Label:
// amount" row), or the row of the subtotal or total already read (when read
// surely, or when that row is no item row). Rows are visual rows: OCR lines
// at the same height are read together even when layout analysis split the
// table into column blocks.
//
// An item row has a description (letters) and an amount at the right: the
// rightmost amount with decimals; tax codes and marks after it ("SR", "A",
// "*") are passed over. Quantity and unit price come from "2 x 3.50" /
// "2 @ 3.50" (also on a row of its own above or below the item, and "@
// 18.90" under it), a leading count ("1 HH TIGER 12 GLASSES 145.00"), the
// header's columns, or the pair of numbers whose product is the amount. A
// row of a count and a price that OCR misread ("3% 22,25", "AX 12,79",
// "2x 1775") prices the item beside it only when the arithmetic holds; a
// price misread into no amount is the one that makes the items add up
// (GarbledPriceCells below).
// Receipts that print an item on two rows (a code and description, then
// "1 8.49 8.49"; or numbers first and the description under them) are
// joined, the order decided per table by the text before the first and
// after the last row of numbers, then by which rows hold the barcodes. A
// line of text under an item with no amount of its own continues its
// description (unless it starts with a count: a sub-item); a line that is
// only a product code (barcode, "SKU 12345") is skipped.
//
// Rows that are no items are skipped: tax summaries ("SR @ 6%",
// "A 19% 10.00 1.90"), payments ("Cash", "Change", "Visa"), rounding, and
// discounts, labelled or printed as a negative amount. A discount is not an
// item here (the schema has a `discount` field, see identifiers.h);
// discount rows count only in the arithmetic.
//
// Confidence combines the OCR word confidence with the evidence: a header,
// quantity x unit price == amount, and the amounts (less discounts) adding up
// to the subtotal, the total, or the total less tax (those of `out.fields`
// when set, else the totals row's). Without a header, items are kept only
// when there are two or more or their sum agrees: a page with no items gives
// none rather than guesses.
//
// Thread safety: reentrant (no shared state beyond immutable tables).
#pragma once

#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

// Appends the items of `page` (boxes in pixels of the page as uploaded) to
// `out.line_items`, with `page_number` (from 1) as each item's page. Meant to
// run after ExtractFields: it uses the currency, subtotal, tax and total
// already in `out.fields`. Quantities are printed values without trailing
// zeros ("2", "1.5"); unit_price and amount are decimal strings with the
// currency's minor digits (more when printed with more: "2.059").
void ExtractLineItems(const OcrPage& page, int page_number,
                      core::Extraction& out);

// An item's price that OCR misread into no amount ("Tostada  LL36",
// "Fromage  16 iz", "Butter tarts  1352" among prices printed with
// decimals), or read among marks no currency makes ("29,56 ¢€"): words
// `first` to `last` (exclusive) of line `line`, at its right end, apart
// from the description before them, ending where the page's prices end;
// `box` covers them.
struct PriceCell {
  size_t line = 0, first = 0, last = 0;
  core::BBox box;
};

// The misread prices of `page` worth reading again alone, top to bottom,
// at most `max_cells`: only on a page with three or more prices with
// decimals ending in one column, and between the first and the last of
// them (a time of day above the items is no price). ExtractLineItems
// reads a price still misread from the arithmetic: the amount that makes
// the items add up, when it is the only one and its digits are those read.
std::vector<PriceCell> GarbledPriceCells(const OcrPage& page, size_t max_cells);

}  // namespace invoices::extract
