// Payment QR codes printed on invoices: the EPC069-12 "GiroCode" (a SEPA
// credit transfer; BCD ... SCT) and the Swiss QR-bill (SPC ... EPD). Their
// payload states the creditor, IBAN, amount and currency exactly, so a code
// found on a page is better evidence of the amount to pay than anything OCR
// reads around it.
//
// Parsing is pure and strict: a payload that breaks its specification
// (header, field count, lengths, IBAN or reference check digits, amount
// format) is invalid_argument, because a payment read wrong is worse than one
// not read. Detection reads QR codes with zxing-cpp and keeps those that
// parse.
//
// Thread safety: every function is reentrant (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invoices/core/decimal.h"
#include "invoices/core/error.h"
#include "invoices/core/extraction.h"
#include "invoices/extract/image.h"

namespace invoices::extract {

enum class PaymentQrKind {
  kEpcGiroCode,  // EPC069-12 SEPA credit transfer, versions 001 and 002
  kSwissQrBill,  // Swiss Payments Code, version 02xx
};

// "epc" or "swiss".
std::string_view KindName(PaymentQrKind kind);

struct PaymentQr {
  PaymentQrKind kind = PaymentQrKind::kEpcGiroCode;
  std::string iban;           // upper case, no spaces; checksum verified
  std::string bic;            // EPC only; empty when absent
  std::string creditor_name;  // the beneficiary, as encoded
  // The amount to pay; nullopt when the code leaves it open (the payer fills
  // it in). EPC amounts are 0.01 to 999999999.99 EUR; Swiss ones 0.00 to
  // 999999999.99 (0.00 is a notification-only bill).
  std::optional<core::Decimal> amount;
  std::string currency;        // "EUR" (EPC; Swiss too) or "CHF"
  std::string reference_type;  // "RF" (ISO 11649), "QRR", "SCOR", "NON", ""
  std::string reference;       // without spaces; empty when absent
  std::string message;         // unstructured remittance text, or empty
  // Where the code was found, in pixels of the image searched (set by
  // FindPaymentQrCodes; the caller maps it to the page as uploaded and sets
  // `page`).
  std::optional<core::BBox> bbox;
  int page = 0;  // from 1; 0 when unknown
};

// True when `iban` (spaces allowed, any case) has a valid ISO 13616 form:
// country letters, two check digits, alphanumerics, the length registered
// for the country where it is known, and mod 97 == 1.
bool IsValidIban(std::string_view iban);

// Parses an EPC069-12 payload (lines separated by LF or CR LF). The payload
// bytes are in the character set its third line names (1 = UTF-8, 2..8 =
// ISO 8859-1, -2, -4, -5, -7, -10, -15); text fields come back as UTF-8.
core::Result<PaymentQr> ParseEpcQr(std::string_view payload);

// Parses a Swiss QR-bill payload (UTF-8, lines separated by LF or CR LF):
// SPC, version 02xx, coding 1, a CH/LI IBAN, the creditor (address type S or
// K), the amount and currency (CHF or EUR), the debtor, the reference (QRR
// needs a QR-IBAN and a 27-digit reference with its mod-10 check digit; SCOR
// a valid ISO 11649 creditor reference; NON no reference), the message and
// the trailer EPD.
core::Result<PaymentQr> ParseSwissQr(std::string_view payload);

// Dispatches on the first line ("BCD" or "SPC"); any other payload is
// invalid_argument.
core::Result<PaymentQr> ParsePaymentQr(std::string_view payload);

// Every payment QR code in `image` (an upright page), each once, in reading
// order of detection. QR codes that are not payment codes, or that break
// their specification, are skipped. Never fails: a page without a readable
// code gives an empty list.
std::vector<PaymentQr> FindPaymentQrCodes(const GrayImage& image);

// Merges what a payment code states into an extraction:
// - with an amount (and not the 0.00 of a notification bill): amount_due is
//   set from it with confidence 1, and so is total unless the extraction
//   already tells a different total from its amount due (a prepayment);
//   currency is set with confidence 1. A value replaced that differed adds
//   a warning ("payment QR code: total 12.00 replaced by 12.50").
// - vendor_name is set to the creditor name (confidence 0.9: the creditor
//   can be a factor rather than the seller) only when absent.
// - SCHEMA.md has no field for the IBAN or the reference, so they are
//   appended to `text` as one line ("Payment QR (epc): IBAN ..., reference
//   ..."), where a search finds them.
// Fields set carry the code's page and bbox.
void ApplyPaymentQr(const PaymentQr& qr, core::Extraction& extraction);

}  // namespace invoices::extract
