// Structured e-invoices: the XML of the European standard EN 16931 read
// exactly, in its two syntaxes: OASIS UBL 2.1 (`Invoice`, `CreditNote`) and
// UN/CEFACT Cross Industry Invoice (`CrossIndustryInvoice`, the XML that
// Factur-X, ZUGFeRD 2 and XRechnung embed in a PDF or send alone); and
// ZUGFeRD 1.0's older CII (`CrossIndustryDocument` in
// urn:ferd:CrossIndustryDocument:invoice:1p0), read with the same mapping
// where its elements only differ in name (HeaderExchangedDocument,
// ApplicableSupplyChainTradeAgreement, ...). Nothing is guessed: every
// field comes from the element the standard assigns to it, so each has
// confidence 1.
//
// The XML comes from strangers, so it is checked before it is parsed: a
// DOCTYPE (the vehicle of entity expansion bombs and external entities) is
// refused outright, as are documents beyond a size or a nesting depth. The
// parser never fetches anything.
//
// Thread safety: both functions are reentrant (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "invoices/core/error.h"
#include "invoices/core/extraction.h"

namespace invoices::extract {

struct EInvoiceLimits {
  // Larger documents are too_large. The biggest real e-invoices are a few
  // hundred kB (thousands of lines); embedded attachments can add megabytes.
  size_t max_bytes = 10 * 1024 * 1024;
  // Deeper element nesting is invalid_argument. EN 16931 documents nest about
  // 8 levels deep (UBL attachments and CII line items about 7).
  int max_depth = 64;
};

// True when the first element of `bytes` (after an optional BOM, the XML
// declaration, comments and processing instructions) is a UBL Invoice or
// CreditNote, a CII CrossIndustryInvoice or a ZUGFeRD 1.0
// CrossIndustryDocument in its standard namespace. Looks
// at no more than the first 64 kB; parses nothing.
bool LooksLikeEInvoice(std::span<const uint8_t> bytes);

// Reads an e-invoice into the SCHEMA.md extraction. `file` is echoed.
//
// Fields (each read only when the XML holds it; EN 16931 business terms):
//   vendor_*   the seller (BG-4): name is the legal name (BT-27), else the
//              trading name (BT-28); address is the postal address joined
//              as one line ("street, street 2, postcode city, region,
//              country code"); tax id is the VAT identifier (BT-31), else the
//              tax registration (BT-32); phone is the contact's (BT-42).
//   receiver_* the buyer (BG-7), likewise.
//   invoice_id BT-1; purchase_order BT-13; payment_terms BT-20;
//   invoice_date BT-2; due_date BT-9 (ISO dates);
//   currency   BT-5;
//   subtotal   total without VAT (BT-109), so that subtotal + tax = total
//              as on a receipt; tax the VAT total in the invoice currency
//              (BT-110); discount the document allowances (BT-107);
//   total      total with VAT (BT-112); amount_due the amount payable
//              (BT-115), which differs from total after a prepayment.
// Amounts are canonical decimals with at least the currency's minor digits
// ("250.33", "800.00"), never rounded: a unit price of "0.3725" stays.
// Line items: description (item name BT-153, else BT-154), quantity (BT-129),
// unit_price (net price BT-146, per the price base quantity as printed),
// amount (line net amount BT-131).
//
// Every field and line item has confidence 1 and page 0 (not read from a
// page). document: mime "application/xml", source "e-invoice", pages 1. text
// is a short plain summary (parties, lines, totals) for search.
//
// A credit note (UBL CreditNote, or type code 381 and its kin) is read with
// its amounts as printed (positive, as the standard writes them) and the
// warning "credit note": SCHEMA.md has no sign convention for credits.
//
// Errors: too_large beyond limits.max_bytes; invalid_argument for an empty
// document, any DOCTYPE or ENTITY declaration, nesting beyond
// limits.max_depth, and malformed (e.g. truncated) XML; unsupported_media_type
// for well-formed XML whose root is not one of the four e-invoice documents,
// and for XML in UTF-16 or UTF-32.
core::Result<core::Extraction> ReadEInvoice(std::span<const uint8_t> xml,
                                            std::string_view file,
                                            const EInvoiceLimits& limits = {});

}  // namespace invoices::extract
