// Field extraction: from the recognised words of a page to the schema fields
// of an extraction (vendor_name, vendor_address, invoice_date, due_date,
// total, subtotal, tax, tip, currency), each with its value, a confidence, the
// page, the box of the words it came from and the text as recognised.
//
// The extractor weighs candidates by general evidence, never by shop: labels
// in several languages on the value's line, the line to its left or above, or
// a column header ("TOTAL", "GRAND TOTAL", "AMOUNT DUE", "SUMME", "TOTAL TTC",
// "JUMLAH"; "SUBTOTAL", "ZWISCHENSUMME"; "GST", "VAT", "MwSt", "TVA"), words
// that argue against a value ("CHANGE", "CASH", "ROUNDING", "DISCOUNT",
// "TOTAL QTY"), position on the page, arithmetic (subtotal + tax = total; cash
// - change = total), text size and OCR confidence. Confidence combines the
// OCR word confidence with the strength of the evidence, and drops when a
// competing value is nearly as well supported.
//
// Thread safety: ExtractFields is reentrant (no shared state beyond immutable
// keyword tables).
#pragma once

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

// Reads the fields of `page` (boxes already in pixels of the page as
// uploaded) into `out.fields`, with `page_number` (from 1) as each field's
// page, and adds to `out.warnings`.
//
// A field that is not found is left out; no field is ever set to an empty
// value. When `out` already holds a field (an earlier page), it is replaced
// only by a value read with higher confidence, so that a multi-page document
// can be read page by page into one extraction.
//
// Amounts are formatted with the minor digits of the currency found
// ("9.00"; "1280" for JPY), two when no currency is printed. Currency is set
// only from signs or codes actually printed ("RM", "€", "EUR"), never guessed.
// Dates are ISO 8601. Text fields are as printed with white space collapsed.
//
// The vendor is the most name-like line near the top (a legal form such as
// "SDN BHD" or "GmbH", large text, before its registration number and
// address); the address is the lines after it up to a phone, tax number,
// title or date line, joined with single spaces. invoice_date prefers a date
// labelled DATE / TARIKH / DATUM / INVOICE DATE, then the first one near the
// top; due and expiry dates are never the invoice date.
//
// Warnings: "subtotal + tax != total" when all three are present and their
// sum disagrees by more than a tip or rounding printed on the page.
void ExtractFields(const OcrPage& page, int page_number, core::Extraction& out);

// A value worth reading again: on line `line` of the page, right of its
// label, from x = `x0` to the line's end (a date is read again with its
// whole line and the lines around it).
struct Reread {
  size_t line = 0;
  int x0 = 0;
  bool date = false;   // the value is a date (else an amount)
  bool total = false;  // the amount is a total or an amount due
};

// The values of `page` worth reading again, alone and at a comfortable text
// height: those labelled as a total, an amount due, a subtotal, tax, payment
// or a date that are missing or were read with low confidence. At most
// `max_lines`, the most needed first (no value before a doubtful one).
std::vector<Reread> LinesToReread(const OcrPage& page, size_t max_lines);

// Whether `words` (a row's label, left of its amount) name a sum of the
// document by the extractor's labels in all its languages: a total,
// subtotal, amount due, balance or amount before tax ("Välisumma", "ДО
// СПЛАТИ", "Beløb ekskl. moms", "Sum eks. mva"), its keywords two thirds
// of its words or more ("Fishing net" is no net amount).
bool IsSumLabel(const std::vector<OcrWord>& words);

}  // namespace invoices::extract
