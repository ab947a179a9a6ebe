// Identifiers, parties and labelled extras: the schema fields that name
// rather than count. From the recognised words of a page to invoice_id,
// vendor_tax_id, receiver_tax_id, vendor_phone, purchase_order,
// payment_terms, receiver_name, receiver_address, discount and amount_due,
// each with its value, a confidence, the page, the box of the words it came
// from and the text as recognised.
//
// Evidence is general, never per shop: labels in several languages
// ("Invoice No", "Rechnungsnummer", "N° de facture", "No. Resit", and
// weaker ones such as "Slip No" and "Transaction No"; "GST Reg No",
// "USt-IdNr", "P.IVA", "ABN"; "Tel", "Tél", "H/P"; "P.O. No",
// "Bestellnummer"; "Payment terms", "Zahlbar innerhalb 14 Tagen"; "Bill to",
// "Rechnungsempfänger", "Facturé à"; "Discount", "Rabatt"; "Amount due",
// "Net à payer") with the value on the same row (also when OCR read label
// and value as separate blocks), right of it, or below it; the shape of the
// value (an identifier has digits and is no date or amount; a tax number has
// at least seven digits; a phone number is digits with +, spaces, dashes or
// parentheses); EU VAT numbers by their format alone ("DE123456789"); and
// position (the first tax number near the top is the vendor's, one inside
// the block after "Bill to" or labelled "Customer VAT" the receiver's).
// Layout stands in for a label OCR lost: on an invoice, a company's name
// (with its legal form) and address at the top that is not the vendor's is
// the receiver; printed above the name ExtractFields took for the vendor's,
// or beside it when that name is the labelled receiver's, it is the vendor,
// and vendor_name and vendor_address are replaced (at lower confidence).
// Confidence combines the OCR word confidence with the strength of the
// evidence: lower for a label matched within one edit, a label without its
// "No" ("Invoice: 123", or "RECEIPT CS00018751" at the start of a row), a
// value below or right of its label rather than after it, a stray
// character read between label and value ("INVOICE NO s 18341"), or a
// rival value nearly as well supported.
//
// Thread safety: reentrant (no shared state beyond immutable tables).
#pragma once

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {

// Reads the fields above from `page` (boxes in pixels of the page as
// uploaded) into `out.fields`, with `page_number` (from 1) as each field's
// page. Meant to run after ExtractFields, whose currency it uses to format
// amounts.
//
// A field that is not found is left out; no field is ever set to an empty
// value. A field already in `out` (ExtractFields, an earlier page) is
// replaced only by a value read with higher confidence, as ExtractFields
// does.
//
// Values: identifiers, tax numbers and phone numbers as printed, white space
// collapsed ("DE 123 456 789" stays spaced; O/0 confusions are not undone);
// payment_terms the printed phrase ("Net 30", "Zahlbar innerhalb 14 Tagen
// ohne Abzug"); receiver_name the first line of the receiver's block and
// receiver_address the following lines joined with single spaces; discount
// and amount_due decimal strings with the currency's minor digits, the
// discount as a positive amount whether printed "-5.00", "(5.00)" or "5.00".
void ExtractIdentifiers(const OcrPage& page, int page_number,
                        core::Extraction& out);

}  // namespace invoices::extract
