#include "invoices/extract/fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

core::Extraction Extract(const OcrPage& page, int page_number = 1) {
  core::Extraction out;
  ExtractFields(page, page_number, out);
  return out;
}

core::Extraction Extract(const std::string& text, float confidence = 0.9f) {
  return Extract(PageFromText(text, confidence));
}

std::string Value(const core::Extraction& e, const std::string& name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? "<none>" : it->second.value;
}

double Conf(const core::Extraction& e, const std::string& name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? -1 : it->second.confidence;
}

std::string Dump(const core::Extraction& e) { return core::ToJson(e).dump(2); }

// The box of the word `word` on the first line of `page` containing `line`.
core::BBox WordBox(const OcrPage& page, const std::string& line,
                   const std::string& word) {
  for (const OcrLine& l : page.lines) {
    if (l.Text().find(line) == std::string::npos) continue;
    for (const OcrWord& w : l.words) {
      if (w.text == word) return w.box;
    }
  }
  ADD_FAILURE() << "no word " << word << " on a line with " << line;
  return {};
}

// Every field is well formed: valid for its kind, never empty, on page 1
// with a box and text, confidence in 0..1.
void ExpectWellFormed(const core::Extraction& e) {
  for (const auto& [name, field] : e.fields) {
    EXPECT_TRUE(core::ValidateFieldValue(name, field.value)) << name;
    EXPECT_FALSE(field.value.empty()) << name;
    EXPECT_GT(field.confidence, 0) << name;
    EXPECT_LE(field.confidence, 1) << name;
    EXPECT_EQ(field.page, 1) << name;
    ASSERT_TRUE(field.bbox) << name;
    ASSERT_TRUE(field.text) << name;
    EXPECT_FALSE(field.text->empty()) << name;
  }
}

// -------------------------------------------------------- whole documents

constexpr char kMalaysianReceipt[] = R"(tan woon yann
BOOK TA .K (TAMAN DAYA) SDN BHD
(861354-T)
NO.53 55,57 & 59, JALAN SAGU 18,
TAMAN DAYA,
81100 JOHOR BAHRU,
JOHOR.
GST REG NO : 000780566528
TAX INVOICE
Document No : TD01167104
Date : 25/12/2018 8:13:39 PM
Cashier : MANIS
CODE/DESC                 QTY   PRICE   AMOUNT
9556939040118 KF MODELLING CLAY KIDDY FISH
                            1    8.49     8.49 SR
Total Qty : 1.00
Total Sales (Excluding GST) :             8.49
GST 6% :                                  0.51
Total Sales (Inclusive GST) :             9.00
Rounding Adjustment                       0.00
Total (RM) :                              9.00
Cash                                     10.00
CHANGE                                    1.00
GST Summary              Amount(RM)   Tax(RM)
SR @ 6%                       8.49       0.51
GOODS SOLD ARE NOT RETURNABLE
THANK YOU, PLEASE COME AGAIN)";

TEST(ExtractFieldsTest, MalaysianReceiptWithGstSummaryAndCash) {
  const OcrPage page = PageFromText(kMalaysianReceipt);
  const core::Extraction e = Extract(page);
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  EXPECT_EQ(Value(e, "vendor_name"), "BOOK TA .K (TAMAN DAYA) SDN BHD");
  EXPECT_EQ(Value(e, "vendor_address"),
            "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, "
            "JOHOR.");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-12-25");
  EXPECT_EQ(Value(e, "total"), "9.00");
  EXPECT_EQ(Value(e, "subtotal"), "8.49");
  EXPECT_EQ(Value(e, "tax"), "0.51");
  EXPECT_EQ(Value(e, "currency"), "MYR");
  EXPECT_TRUE(e.warnings.empty());
  EXPECT_GT(Conf(e, "total"), 0.8);
  EXPECT_GT(Conf(e, "vendor_name"), 0.7);

  // The total's box is the box of its own word, on the last total line.
  const core::Field& total = e.fields.at("total");
  EXPECT_EQ(*total.bbox, WordBox(page, "Total (RM)", "9.00"));
  EXPECT_EQ(*total.text, "9.00");
  const core::Field& date = e.fields.at("invoice_date");
  EXPECT_EQ(*date.bbox, WordBox(page, "Date :", "25/12/2018"));
  EXPECT_EQ(*date.text, "25/12/2018");
  // The vendor box spans the whole line.
  const core::Field& vendor = e.fields.at("vendor_name");
  EXPECT_EQ(vendor.bbox->x0, WordBox(page, "SDN BHD", "BOOK").x0);
  EXPECT_EQ(vendor.bbox->x1, WordBox(page, "SDN BHD", "BHD").x1);
}

TEST(ExtractFieldsTest, GermanInvoiceWithSummeAndMwSt) {
  const OcrPage page = PageFromText(R"(Müller & Söhne GmbH
Hauptstraße 12
80331 München
Tel. 089 123456
USt-IdNr.: DE123456789

Rechnung
Rechnungsnummer: 2018-0042
Rechnungsdatum: 10.03.2018
Fällig am: 09.04.2018

Pos  Bezeichnung          Menge   Einzelpreis       Gesamt
1    Beratung                10        100,00     1.000,00
2    Reisekosten              1         37,39        37,39

Zwischensumme                                     1.037,39
zzgl. 19% MwSt                                      197,11
Summe                                         1.234,50 EUR

Zahlbar innerhalb von 30 Tagen ohne Abzug.)");
  const core::Extraction e = Extract(page);
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  EXPECT_EQ(Value(e, "vendor_name"), "Müller & Söhne GmbH");
  EXPECT_EQ(Value(e, "vendor_address"), "Hauptstraße 12 80331 München");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-10");
  EXPECT_EQ(Value(e, "due_date"), "2018-04-09");
  EXPECT_EQ(Value(e, "total"), "1234.50");
  EXPECT_EQ(Value(e, "subtotal"), "1037.39");
  EXPECT_EQ(Value(e, "tax"), "197.11");
  EXPECT_EQ(Value(e, "currency"), "EUR");
  EXPECT_EQ(*e.fields.at("total").text, "1.234,50");
  EXPECT_EQ(*e.fields.at("total").bbox, WordBox(page, "Summe", "1.234,50"));
  EXPECT_TRUE(e.warnings.empty());
}

TEST(ExtractFieldsTest, UsRestaurantReceiptWithTaxAndTip) {
  const core::Extraction e = Extract(R"(BLUE BOTTLE DINER
1234 Market Street
San Francisco, CA 94103
Tel (415) 555-0134

Server: Maria        Table 12
Date: 03/28/2018  7:45 PM
Check #4521

2 Burger               $25.90
1 Caesar Salad         $11.50
2 Iced Tea              $7.00

Subtotal               $44.40
Tax 8.5%                $3.77
Tip                     $8.00
Total                  $56.17

VISA **** 1234         $56.17
Thank you!)");
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  EXPECT_EQ(Value(e, "vendor_name"), "BLUE BOTTLE DINER");
  EXPECT_EQ(Value(e, "vendor_address"),
            "1234 Market Street San Francisco, CA 94103");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-28");
  EXPECT_EQ(Value(e, "total"), "56.17");
  EXPECT_EQ(Value(e, "subtotal"), "44.40");
  EXPECT_EQ(Value(e, "tax"), "3.77");
  EXPECT_EQ(Value(e, "currency"), "USD");
  // "$" is shared by many currencies: less sure than a written code.
  EXPECT_LT(Conf(e, "currency"), 0.75);
  EXPECT_EQ(Value(e, "tip"), "8.00");
  // The tip is part of the sum, so no warning.
  EXPECT_TRUE(e.warnings.empty());
}

TEST(ExtractFieldsTest, FrenchTicketWithTotalTtcAndTva) {
  const core::Extraction e = Extract(R"(SARL BOULANGERIE DU PARC
12 rue de la Paix
75002 Paris
Tél : 01 23 45 67 89
SIRET 123 456 789 00012

Ticket n° 000123   Caisse 2
Le 10/03/2018 à 08:15

2 x Croissant          2,40
1 x Baguette           1,10
1 x Café               1,50

TOTAL HT               4,55
TVA 10%                0,45
TOTAL TTC            5,00 €
Espèces               10,00
Rendu                  5,00

Merci de votre visite)");
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  EXPECT_EQ(Value(e, "vendor_name"), "SARL BOULANGERIE DU PARC");
  EXPECT_EQ(Value(e, "vendor_address"), "12 rue de la Paix 75002 Paris");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-10");
  EXPECT_EQ(Value(e, "total"), "5.00");
  EXPECT_EQ(Value(e, "subtotal"), "4.55");
  EXPECT_EQ(Value(e, "tax"), "0.45");
  EXPECT_EQ(Value(e, "currency"), "EUR");
  EXPECT_EQ(*e.fields.at("total").text, "5,00");
}

constexpr char kUkInvoice[] = R"(ACME WIDGETS LTD
Unit 4, Riverside Industrial Estate
Leeds LS11 5DL
VAT Reg No: GB 123 4567 89

INVOICE
Invoice Number: INV-2018-0042
Invoice Date: 10 March 2018
Due Date: 09 April 2018

Bill To:
Northwind Traders Ltd
1 High Street, York YO1 7HH

Description                 Qty    Unit Price      Amount
Widget, large                10        £12.50     £125.00
Installation                  1        £75.00      £75.00

Subtotal                                          £200.00
VAT @ 20%                                          £40.00
Total Due                                         £240.00

Payment within 30 days. Thank you for your business.)";

// "Net 30" and the discount of payment terms are no amounts: no subtotal
// or total read from them.
TEST(ExtractFieldsTest, PaymentTermsHoldNoAmounts) {
  for (const std::string terms :
       {"Terms: Net 30", "Payment terms: 2% discount 10 days, net 30",
        "Betalningsvillkor: netto 30"}) {
    const core::Extraction e =
        Extract("ACME LTD\n12 High Street\n" + terms + "\nTotal 110.00\n");
    EXPECT_EQ(Value(e, "subtotal"), "<none>") << terms << "\n" << Dump(e);
    EXPECT_EQ(Value(e, "total"), "110.00") << terms << "\n" << Dump(e);
  }
  // A total printed on the same line as the terms is still the total.
  const core::Extraction e =
      Extract("ACME LTD\nTerms: Net 30    Total 110.00\n");
  EXPECT_EQ(Value(e, "total"), "110.00") << Dump(e);
}

// A number of days is no amount ("binnen 30 dagen"), nor are the groups of a
// phone number (38 + 51 = 89 below): with the total's amount unreadable,
// the total is the subtotal plus tax.
TEST(ExtractFieldsTest, DaysAndPhoneNumbersAreNoAmounts) {
  for (const std::string line :
       {"Gelieve binnen 30 dagen te betalen.", "TIf. 94 38 51 89",
        "Maksetaan 14 pv kuluessa", "Plata in 30 de zile"}) {
    const core::Extraction e = Extract(
        "De Molen Advies V.O.F.\n" + line +
        "\nSubtotaal 13.054,03\nBTW (9%) 1.174,86\nTotaal incl. BTW  —S>=\n");
    EXPECT_EQ(Value(e, "total"), "14228.89") << line << "\n" << Dump(e);
    // The Dutch page's currency, though its total was made up.
    EXPECT_EQ(Value(e, "currency"), "EUR") << line << "\n" << Dump(e);
  }
}

// "1.19000": a total's separators misread as five decimals, money of no
// currency; the total is made up of its parts.
TEST(ExtractFieldsTest, FiveDecimalsAreNoMoney) {
  const core::Extraction e = Extract(
      "Alfa Consult SRL\nTotal fara TVA 1.000,00\nTVA 19% 190,00\n"
      "Total de plata 1.19000\n");
  EXPECT_EQ(Value(e, "total"), "1190.00") << Dump(e);
}

TEST(ExtractFieldsTest, InvoiceWithInvoiceDateAndDueDate) {
  const core::Extraction e = Extract(kUkInvoice);
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  EXPECT_EQ(Value(e, "vendor_name"), "ACME WIDGETS LTD");
  EXPECT_EQ(Value(e, "vendor_address"),
            "Unit 4, Riverside Industrial Estate Leeds LS11 5DL");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-10");
  EXPECT_EQ(Value(e, "due_date"), "2018-04-09");
  EXPECT_EQ(*e.fields.at("invoice_date").text, "10 March 2018");
  EXPECT_EQ(Value(e, "total"), "240.00");
  EXPECT_EQ(Value(e, "subtotal"), "200.00");
  EXPECT_EQ(Value(e, "tax"), "40.00");
  EXPECT_EQ(Value(e, "currency"), "GBP");
  EXPECT_GT(Conf(e, "currency"), 0.8);
}

TEST(ExtractFieldsTest, DueDateOnTheSameLineIsNotTheInvoiceDate) {
  const core::Extraction e = Extract(
      "ACME LTD\n"
      "Invoice Date: 10 MAR 2018    Due Date: 09 APR 2018\n"
      "Total 10.00");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-10");
  EXPECT_EQ(Value(e, "due_date"), "2018-04-09");
}

TEST(ExtractFieldsTest, DueDateLabelsOfOtherLanguages) {
  const core::Extraction e = Extract(
      "De Vries Advies B.V.\n"
      "Factuurdatum: 03-10-2023\n"
      "Uiterste betaaldatum: 17-11-2023\n"
      "Totaal 14.770,64");
  EXPECT_EQ(Value(e, "invoice_date"), "2023-10-03");
  EXPECT_EQ(Value(e, "due_date"), "2023-11-17");
  EXPECT_EQ(Value(Extract("Rossi S.r.l.\nData: 03/10/2023\n"
                          "Data di scadenza: 02/11/2023\nTotale 5,00"),
                  "due_date"),
            "2023-11-02");
  // The label's long first word misread by a letter ("Zahlbar bis").
  EXPECT_EQ(Value(Extract("Neumann Bau AG\nDatum: 17.10.2023\n"
                          "Zahibar bis: 01.12.2023\nSumme 9,00"),
                  "due_date"),
            "2023-12-01");
  EXPECT_EQ(Value(Extract("Neumann Bau AG\nDatum: 17.10.2023\n"
                          "Zahibar nach: 01.12.2023\nSumme 9,00"),
                  "due_date"),
            "<none>");
  // Portuguese and Polish; a later long word misread by a letter ("ł" read
  // "t"), but never two words misread.
  EXPECT_EQ(Value(Extract("Aurora Lda.\nData: 2021-02-06\n"
                          "Data de vencimento: 2021-03-08\nTotal 9,00"),
                  "due_date"),
            "2021-03-08");
  const core::Extraction pl = Extract(
      "Nowak sp.j.\nData wystawienia: 2023-08-27\n"
      "Termin ptatnosci: 2023-10-11\nRazem brutto 9,00");
  EXPECT_EQ(Value(pl, "invoice_date"), "2023-08-27");
  EXPECT_EQ(Value(pl, "due_date"), "2023-10-11");
  EXPECT_EQ(Value(Extract("Nowak sp.j.\nData: 2023-08-27\n"
                          "Termon ptatnosci: 2023-10-11\nRazem 9,00"),
                  "due_date"),
            "<none>");
}

TEST(ExtractFieldsTest, TotalLabelsOfMoreCountries) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Zwischentotal 20.00\nZu bezahlen CHF 23.73\nBAR 30.00", "23.73"},
      // "Do zapłaty", its "ł" read as "t".
      {"Razem netto 8.482,56\nVAT 23% 1.950,99\nDo zaptaty 10.433,55",
       "10433.55"},
      {"Wartość netto 1.407,85\nVAT 23% 323,81\nWartość brutto 1.731,66",
       "1731.66"},
      // Swedish, Danish, Norwegian: the change and the VAT are no total.
      {"Summa 123,50\nKontant 200,00\nVäxel 76,50\nMoms 25% 24,70", "123.50"},
      {"I alt 99,00\nheraf moms 19,80\nKort 99,00", "99.00"},
      {"MVA 25% 50,00\nÅ betale 250,00\nByttepenger 0,00", "250.00"},
      // Turkish, Hungarian, Czech, Vietnamese.
      {"TOPLAM 45,50\nNAKIT 50,00\nPARA ÜSTÜ 4,50", "45.50"},
      {"ÁFA 27% 265,75\nÖsszesen 1.250,00", "1250.00"},
      {"DPH 21% 17,36\nCelkem k úhradě 100,00", "100.00"},
      {"Tong cong 35.000,00\nTien mat 50.000,00\nTien thua 15.000,00",
       "35000.00"},
  };
  for (const auto& [lines, want] : cases) {
    const core::Extraction e = Extract("ACME\nItem 1,00\n" + lines);
    EXPECT_EQ(Value(e, "total"), want) << lines << "\n" << Dump(e);
  }
}

TEST(ExtractFieldsTest, SubtotalLabelsOfMoreCountries) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Base tributável 782,43\nIVA 23% 179,96\nTotal 962,39", "782.43"},
      {"Veroton hinta 9 870,02\nALV 24% 2 368,80\nMaksettava 12 238,82 €",
       "9870.02"},
  };
  for (const auto& [lines, want] : cases) {
    const core::Extraction e = Extract("ACME\n" + lines);
    EXPECT_EQ(Value(e, "subtotal"), want) << lines << "\n" << Dump(e);
  }
}

TEST(ExtractFieldsTest, TenderAndChangeWordsOfMoreLanguages) {
  // The total, misread as a whole number, is what was paid.
  const std::vector<std::string> cases = {
      "TOTALE 9\nCONTANTI 20,00\nRESTO 10,50",
      "TOTAL 9\nNumerário 20,00\nTroco 10,50",
      "SUMA 9\nGotówka 20,00\nReszta 10,50",
      "SUMME 9\nBar 20,00\nZurück 10,50",
  };
  for (const std::string& lines : cases) {
    const core::Extraction e = Extract("ACME\nItem 9,50\n" + lines);
    EXPECT_EQ(Value(e, "total"), "9.50") << lines << "\n" << Dump(e);
  }
}

TEST(ExtractFieldsTest, WithoutALabelledTotalWhatWasPaidBeatsTheLargestAmount) {
  // Cash 80,00 less change 9,70: the total is the 70,30 read on its own,
  // not the 80,00 printed twice.
  EXPECT_EQ(Value(Extract("Wisniewski Ksiegarnia\nul. Dluga 95\n"
                          "90-001 Lodz\nKawa\nGotowka 80,00\nRESZTA 9,70\n"
                          "PARAGON FISKALNY\n70,30 zl\n80,00\n9,70"),
                  "total"),
            "70.30");
}

TEST(ExtractFieldsTest, WithNoTotalAnywhereWhatTheRowsSayWasPaidIsTheTotal) {
  // The labels one block, the values another, and no total label read at
  // all: the rows pair "Gotówka" and "Reszta" with their values.
  OcrPage page = PageFromText(
      "Pod Lipa Kawiarnia\nul. Dluga 83\n00-624 Warszawa\nKawa\nGotowka\n"
      "Reszta\n119,54\n120,00\n0,46");
  for (int i = 6; i < 9; ++i) {
    OcrLine& price = page.lines[i];
    const int dy = page.lines[i - 3].box.y0 - price.box.y0;
    price.box = {300, price.box.y0 + dy, 380, price.box.y1 + dy};
    for (OcrWord& w : price.words) {
      w.box.y0 += dy;
      w.box.y1 += dy;
      w.box.x0 += 300;
      w.box.x1 += 300;
    }
  }
  const core::Extraction e = Extract(page);
  EXPECT_EQ(Value(e, "total"), "119.54") << Dump(e);
}

TEST(ExtractFieldsTest, ADiscountAfterTheSubtotalAddsUp) {
  const core::Extraction e = Extract(
      "ACME LTD\nSubtotal 100.00\nDiscount -10.00\nVAT 20% 18.00\n"
      "Total 108.00");
  EXPECT_EQ(Value(e, "total"), "108.00");
  EXPECT_TRUE(e.warnings.empty()) << Dump(e);
}

TEST(ExtractFieldsTest, WhatIsStillOwedAfterADepositIsNoTotal) {
  const core::Extraction e = Extract(
      "ACME LTD\nSubtotal 100.00\nTotal 100.00\nDeposit paid -40.00\n"
      "Balance due 60.00");
  EXPECT_EQ(Value(e, "total"), "100.00") << Dump(e);
  // Without the payment between them, the amount due stays the total.
  EXPECT_EQ(
      Value(Extract("ACME LTD\nTotal 100.00\nBalance due 60.00"), "total"),
      "60.00");
}

TEST(ExtractFieldsTest, TaxOnTwoLinesAddsUpWithTheSubtotal) {
  // India's CGST and SGST: the tax is their sum.
  const core::Extraction e = Extract(
      "NEW ROYAL CAFE\nLassi 659.00\nSub Total 2,489.00\nCGST 9% 224.01\n"
      "SGST 9% 224.01\nGrand Total Rs.2,937.02\nCash 3,000.00\n"
      "Change 62.98");
  EXPECT_EQ(Value(e, "total"), "2937.02") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "2489.00");
  EXPECT_EQ(Value(e, "tax"), "448.02");
  EXPECT_EQ(e.fields.at("tax").text, "224.01 + 224.01");
  EXPECT_TRUE(e.warnings.empty()) << Dump(e);
  ExpectWellFormed(e);
  // Canada's GST and PST, at different rates.
  const core::Extraction ca = Extract(
      "MAPLE LEAF BOOKS\nBagel 10.00\nSubtotal 10.00\nGST 5% 0.50\n"
      "PST 7% 0.70\nTOTAL $11.20");
  EXPECT_EQ(Value(ca, "tax"), "1.20") << Dump(ca);
  EXPECT_TRUE(ca.warnings.empty()) << Dump(ca);
  // One tax line: as before.
  EXPECT_EQ(Value(Extract("ACME\nSubtotal 10.00\nGST 5% 0.50\n"
                          "Total 10.50"),
                  "tax"),
            "0.50");
}

TEST(ExtractFieldsTest, ANetAmountThatTheTaxesBringToIsTheTotal) {
  // "Net amount" is the amount before tax on many invoices, what is paid
  // on many receipts: the arithmetic tells which ("Balance" here is the
  // change given).
  const core::Extraction e = Extract(
      "Restaurant Sri Krishna\nGulab Jamun 146.00\nGross Amount 4,559.00\n"
      "CGST 2.5% 113.98\nSGST 2.5% 113.98\nNET AMOUNT Rs.4,786.96\n"
      "Cash 4,790.00\nBalance 3.04");
  EXPECT_EQ(Value(e, "total"), "4786.96") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "4559.00");
  EXPECT_EQ(Value(e, "tax"), "227.96");
  // Before the tax, it is the subtotal.
  const core::Extraction invoice =
      Extract("ACME LTD\nNet amount 100.00\nVAT 20% 20.00\nTotal 120.00");
  EXPECT_EQ(Value(invoice, "total"), "120.00");
  EXPECT_EQ(Value(invoice, "subtotal"), "100.00");
}

TEST(ExtractFieldsTest, WhatWasPaidAfterTheTaxesIsTheTotal) {
  // The subtotal labelled as a total, read a digit wrong ("5, 120.00" for
  // "5,720.00"): what was paid, printed after the taxes, is the total.
  // "Balance" under the cash tendered is the change.
  const core::Extraction e = Extract(
      "SHREE BALAJI STORES\n2 x Lassi 1,592.00\nTotal Amount 5, 120.00\n"
      "CGST 9% 514.80\nSGST 9% 514.80\nBill Amount 6,749.60\n"
      "CASH 6,750.00\nBalance 0.40");
  EXPECT_EQ(Value(e, "total"), "6749.60") << Dump(e);
  // Paid by card, no change: the same.
  EXPECT_EQ(Value(Extract("SHREE BALAJI STORES\n2 x Lassi 1,592.00\n"
                          "Total Amount 5, 120.00\nCGST 9% 514.80\n"
                          "SGST 9% 514.80\nBill Amount 6,749.60\n"
                          "VISA 6,749.60"),
                  "total"),
            "6749.60");
  // A balance left to pay after a deposit is no change.
  const core::Extraction deposit =
      Extract("ACME\nTotal 100.00\nDeposit paid 40.00\nBalance 60.00");
  EXPECT_EQ(Value(deposit, "total"), "100.00") << Dump(deposit);
}

TEST(ExtractFieldsTest, ATotalADigitFromASumThatTheTaxRateConfirmsIsMisread) {
  // The tax is 20% of the net to the cent: net and tax are right, the
  // total a digit from their sum was misread.
  const core::Extraction e =
      Extract("ACME LTD\nNet 23,718.90\nVAT 20% 4,743.78\nTotal 28,462.60");
  EXPECT_EQ(Value(e, "total"), "28462.68") << Dump(e);
  EXPECT_EQ(e.fields.at("total").text, "23,718.90 + 4,743.78");
  EXPECT_NE(std::find(e.warnings.begin(), e.warnings.end(),
                      "the total was read as 28462.60, a misreading of the "
                      "subtotal plus tax; it is their sum"),
            e.warnings.end())
      << Dump(e);
  // The sum printed below them too, apart from its label: that reading.
  const core::Extraction column = Extract(
      "ACME LTD\nNet 23,718.90\nVAT 4,743.78\nAmount due £28,462.60\n"
      "£28,462.68");
  EXPECT_EQ(Value(column, "total"), "28462.68") << Dump(column);
  EXPECT_EQ(column.fields.at("total").text, "£28,462.68");
  // A tax that its rate does not confirm may be the misread one: the total
  // stays, with the warning that they do not add up.
  const core::Extraction f =
      Extract("ACME LTD\nNet 23,718.90\nVAT 20% 4,743.70\nTotal 28,462.68");
  EXPECT_EQ(Value(f, "total"), "28462.68");
  const core::Extraction g =
      Extract("ACME LTD\nNet 23,718.90\nVAT 20% 4,748.78\nTotal 28,462.68");
  EXPECT_EQ(Value(g, "total"), "28462.68");
  EXPECT_NE(std::find(g.warnings.begin(), g.warnings.end(),
                      "subtotal + tax != total"),
            g.warnings.end());
}

TEST(ExtractFieldsTest, ATotalThatLostItsLeadingDigitsIsTheSumTheRateConfirms) {
  // "6.172,66" in large bold print read "172,66": the net and the tax at
  // its printed rate make 6.172,66, which ends with what was read.
  const core::Extraction e = Extract(
      "Alfa Consult S.R.L.\nMateriale 676,04 3.380,20\nSubtotal 5.187,11\n"
      "TVA 19% 985,55\nTotal de plata 172,66");
  EXPECT_EQ(Value(e, "total"), "6172.66") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "5187.11");
  EXPECT_EQ(Value(e, "tax"), "985.55");
  EXPECT_NE(std::find(e.warnings.begin(), e.warnings.end(),
                      "the total was read as 172.66, a misreading of the "
                      "subtotal plus tax; it is their sum"),
            e.warnings.end())
      << Dump(e);
  // Its decimal comma lost ("8.40499" for 8.404,99, read as 8.40): the
  // digits are the sum's.
  const core::Extraction comma = Extract(
      "Rossi Consulenza S.r.l.\nTotale imponibile 6.889,34\n"
      "IVA (22%) 1.515,65\nTOTALE 8.40499");
  EXPECT_EQ(Value(comma, "total"), "8404.99") << Dump(comma);
  // Without a rate to confirm the tax, the total stays as read.
  EXPECT_EQ(Value(Extract("Alfa Consult S.R.L.\nSubtotal 5.187,11\n"
                          "TVA 985,55\nTotal de plata 172,66"),
                  "total"),
            "172.66");
  // Paid by card below it, the total read with its first group lost
  // ("З 119,00", a 3 read as a Cyrillic letter) is what was paid.
  const core::Extraction card = Extract(
      "Кав'ярня Львів\nКава 750,00\nСир 326,00\nДО СПЛАТИ З 119,00 грн\n"
      "КАРТКА 3 119,00");
  EXPECT_EQ(Value(card, "total"), "3119.00") << Dump(card);
  // Three digits are too few to tell: "9,00" stays.
  EXPECT_EQ(Value(Extract("Кав'ярня Львів\nКава 750,00\n"
                          "ДО СПЛАТИ 9,00 грн\nКАРТКА 119,00"),
                  "total"),
            "9.00");
  EXPECT_TRUE(internal::LeadingDigitsLost(617266, 17266));
  EXPECT_FALSE(internal::LeadingDigitsLost(617266, 617266));
  EXPECT_FALSE(internal::LeadingDigitsLost(617266, 266));
  EXPECT_FALSE(internal::LeadingDigitsLost(617266, 17265));
}

TEST(ExtractFieldsTest, ATotalReadWithTheRuleAboveItAsAMinusIsNoCredit) {
  // "Att betala" read again with the rule over its bold value: "-1347,83";
  // the column of values read it as printed, apart from its label.
  const std::string page =
      "Vasa Data Aktiebolag\nFaktura\nLicens 1 113,52\n"
      "Att betala -1347,83\nForskott -674,00\nAterstar 673,83\n";
  const core::Extraction e = Extract(page + "1 347,83");
  EXPECT_EQ(Value(e, "total"), "1347.83") << Dump(e);
  // With no such twin the minus stands: that line is no total.
  EXPECT_EQ(Value(Extract(page), "total"), "673.83");
}

TEST(ExtractFieldsTest, ATotalADigitFromWhatAddsUpAndWasPaidIsMisread) {
  // "2,937.62" read for "2,937.02": the subtotal and both taxes add up to
  // the amount paid by card, one digit from it.
  const core::Extraction e = Extract(
      "NEW ROYAL CAFE\nLassi 659.00\nSub Total 2,489.00\nCGST 9% 224.01\n"
      "SGST 9% 224.01\nTOTAL Rs .2,937.62\nCard 2,937.02");
  EXPECT_EQ(Value(e, "total"), "2937.02") << Dump(e);
  EXPECT_EQ(Value(e, "tax"), "448.02");
  // Two digits apart is no misreading of one: the total stays as read.
  EXPECT_EQ(Value(Extract("NEW ROYAL CAFE\nSub Total 2,489.00\n"
                          "CGST 9% 224.01\nSGST 9% 224.01\n"
                          "TOTAL 2,987.62\nCard 2,937.02"),
                  "total"),
            "2987.62");
}

TEST(ExtractFieldsTest, DatesWrappedInANarrowColumnAreWhole) {
  // The year went under the day and month, in the same column.
  const core::Extraction e = Extract(
      "De Vries Advies B.V.\n"
      "Factuurdatum:         03-10-\n"
      "                      2023\n"
      "Uiterste betaaldatum: 17.11.\n"
      "                      2023\n"
      "Totaal 14.770,64");
  EXPECT_EQ(Value(e, "invoice_date"), "2023-10-03");
  EXPECT_EQ(Value(e, "due_date"), "2023-11-17");
  EXPECT_EQ(e.fields.at("invoice_date").text, "03-10-2023");
  // A year of two digits under the day and month.
  const core::Extraction two = Extract(
      "Bakker Installatietechniek\n"
      "Factuurdatum:         18-09-\n"
      "                      18\n"
      "Vervaldatum:          02-10-\n"
      "                      18\n"
      "Te betalen 24.248,59");
  EXPECT_EQ(Value(two, "invoice_date"), "2018-09-18") << Dump(two);
  EXPECT_EQ(Value(two, "due_date"), "2018-10-02");
  // The year under the day of "18 MAR"; "Due" before a date makes it due.
  const core::Extraction m = Extract(
      "Harbour Engineering Pte. Ltd.\n"
      "Date:      18 MAR\n"
      "           2019\n"
      "Due        02 MAY 2019\n"
      "TOTAL AMOUNT 23,240.20 SGD");
  EXPECT_EQ(Value(m, "invoice_date"), "2019-03-18") << Dump(m);
  EXPECT_EQ(Value(m, "due_date"), "2019-05-02");
  // The label wrapped as well, the date's two parts on its two lines.
  const core::Extraction wrapped = Extract(
      "De Vries Advies B.V.\n"
      "Factuurdatum: 03-10-2023\n"
      "Uiterste      17.11.\n"
      "betaaldatum:  2023\n"
      "Totaal 14.770,64");
  EXPECT_EQ(Value(wrapped, "invoice_date"), "2023-10-03") << Dump(wrapped);
  EXPECT_EQ(Value(wrapped, "due_date"), "2023-11-17") << Dump(wrapped);
  // Not when another line stands between the two in the labels' column.
  auto line = [](std::vector<std::pair<std::string, core::BBox>> words) {
    OcrLine l;
    for (auto& [text, box] : words) {
      l.words.push_back({.text = text, .box = box, .confidence = 0.9f});
    }
    l.box = l.words.front().box;
    for (const OcrWord& w : l.words) l.box = internal::Union(l.box, w.box);
    return l;
  };
  OcrPage page;
  page.lines = {
      line({{"Uiterste", {0, 0, 80, 20}}, {"17.11.", {200, 0, 260, 20}}}),
      line({{"betaaldatum:", {0, 40, 110, 60}}, {"2023", {200, 40, 240, 60}}})};
  EXPECT_EQ(internal::JoinWrappedCells(page).Text(),
            "Uiterste betaaldatum: 17.11.2023");
  page.lines.insert(page.lines.begin() + 1, line({{"Lorem", {0, 22, 60, 38}}}));
  EXPECT_EQ(internal::JoinWrappedCells(page).Text(),
            "Uiterste 17.11.2023\nLorem\nbetaaldatum:");
  // Nor when each label has its own value right after it: a date in
  // another column, centred beside the two, is no value of theirs.
  page.lines = {line({{"Tel.", {164, 378, 212, 402}},
                      {"082", {223, 379, 270, 402}},
                      {"158677", {283, 380, 378, 402}}}),
                line({{"Fällig", {983, 402, 1058, 432}},
                      {"am:", {1068, 409, 1114, 426}},
                      {"07.02.23", {1276, 403, 1389, 426}}}),
                line({{"USt-IdNr.:", {165, 425, 302, 449}},
                      {"DE465807724", {314, 426, 505, 449}}})};
  EXPECT_EQ(internal::JoinWrappedCells(page).Text(),
            "Tel. 082 158677\nFällig am: 07.02.23\nUSt-IdNr.: DE465807724");
  // A year elsewhere is no part of it: a line further down, or in another
  // column.
  EXPECT_EQ(Value(Extract("Vervaldatum:  17-11-\n"
                          "\n"
                          "              2023\n"),
                  "due_date"),
            "<none>");
  EXPECT_EQ(Value(Extract("Vervaldatum:  17-11-\n"
                          "                         2023\n"),
                  "due_date"),
            "<none>");
}

TEST(ExtractFieldsTest, ExpiryDatesAreNeverInvoiceDates) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "VISA **** 1234 EXP 12/25/2030\n"
      "Member since 01/02/2015\n"
      "Total 5.00");
  EXPECT_EQ(Value(e, "invoice_date"), "<none>");
}

// ---------------------------------------------------------------- amounts

TEST(ExtractFieldsTest, SubtotalAndTotalQtyAreNotTheTotal) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Item A      7.00\n"
      "Item B      3.00\n"
      "SUB TOTAL  10.00\n"
      "TOTAL QTY   2.00\n"
      "TOTAL ITEMS 2\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "subtotal"), "10.00");
  EXPECT_NE(Value(e, "total"), "2.00");
}

TEST(ExtractFieldsTest, CashChangeRoundingAndDiscountAreNotTheTotal) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Bread               3.50\n"
      "Milk                2.48\n"
      "Discount           -0.50\n"
      "Total               5.48\n"
      "Rounding           -0.03\n"
      "Total after rounding 5.45\n"
      "Cash               50.00\n"
      "Change             44.55\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "total"), "5.45");
}

TEST(ExtractFieldsTest, LastStrongTotalWinsOverEarlierPlainTotal) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Total        9.01\n"
      "Rounding    -0.01\n"
      "GRAND TOTAL  9.00\n");
  EXPECT_EQ(Value(e, "total"), "9.00");
}

TEST(ExtractFieldsTest, ANetTotalThatTheTaxBringsToTheTotalIsTheSubtotal) {
  // "Net total" is the amount before tax on an invoice...
  const core::Extraction e = Extract(
      "Abbey Consulting LLP\n"
      "Net total        1,745.06\n"
      "VAT 20%            349.01\n"
      "Total           £2,094.07\n");
  EXPECT_EQ(Value(e, "total"), "2094.07") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "1745.06");
  EXPECT_EQ(Value(e, "tax"), "349.01");
  EXPECT_TRUE(e.warnings.empty());
  // ... and the grand total on many receipts, after a plain total.
  const core::Extraction r = Extract(
      "KEDAI RUNCIT MAJU\n"
      "TOTAL            10.00\n"
      "GST 6%            0.60\n"
      "NET TOTAL        10.60\n"
      "CASH             20.00\n");
  EXPECT_EQ(Value(r, "total"), "10.60") << Dump(r);
  EXPECT_EQ(Value(r, "subtotal"), "10.00");
}

TEST(ExtractFieldsTest, ADollarSignIsTheDollarOfTheCountryOnThePage) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Chemist Bondi\n181 George St\nAdelaide SA 5000\nTOTAL $12.50", "AUD"},
      {"Plumbing Pty Ltd\nABN 12 345 678 901\nTotal $120.00", "AUD"},
      {"MAPLE LEAF BOOKS\n366 YONGE ST\nTORONTO, ON M5B 2H1\nTOTAL $9.00",
       "CAD"},
      {"Rideau Hardware\nSubtotal $10.00\nHST 13% $1.30\nTotal $11.30", "CAD"},
      {"JOE'S DINER\n12 Main St\nSpringfield, IL 62704\nTOTAL $9.00", "USD"},
      {"JOE'S DINER\nTOTAL $9.00", "USD"},
  };
  for (const auto& [text, want] : cases) {
    const core::Extraction e = Extract(text);
    EXPECT_EQ(Value(e, "currency"), want) << text;
  }
  // The sign on the total counts for the dollar it stands for.
  EXPECT_EQ(Conf(Extract(cases[0].first), "currency"),
            Conf(Extract(cases[4].first), "currency"));
}

TEST(ExtractFieldsTest, APageWithoutACurrencyMarkHasItsCountrysCurrency) {
  // Less surely than a printed mark, and where the page tells.
  const std::vector<std::pair<std::string, std::string>> cases = {
      // Its language.
      {"Bäckerei Müller\nHauptstraße 12\n10115 Berlin\nDatum: 12.03.2019\n"
       "Zwischensumme 9,50\nenth. MwSt 19% 1,52\nSUMME 9,50\n"
       "Vielen Dank für Ihren Einkauf\n",
       "EUR"},
      // An address's form.
      {"JOE'S DINER\n12 Main St\nSpringfield, IL 62704\nTOTAL 9.00\n", "USD"},
      {"Abbey Stores\n40 Victoria Road\nBath BA1 1LT\nTOTAL 21.90\n", "GBP"},
      // A Swiss company number beats German.
      {"Zum Löwen GmbH\nKramgasse 116\n6003 Luzern\n"
       "MWST-Nr. CHE-280.445.191 MWST\nZwischensumme 19'284.28\n"
       "Total 19'284.28\n",
       "CHF"},
      // A named country beats one stray mark on a whole number...
      {"Golden Lotus\n425 Orchard Road\nSingapore 218227\n"
       "Date: 2020-06-05 L352 £1\nSubtotal 46.50\nGST 8% 3.72\n"
       "GRAND TOTAL 50.22\n",
       "SGD"},
      // ... and a page's language a mark in running text ("Łódź" read
      // "£ddz").
      {"FAKTURA VAT\nNowak Budownictwo S.A.\nul. Swietojanska 148\n"
       "90-001 £ddz\nNIP 794-836-55-44\nTermin platnosci: 02.06.2017\n"
       "Razem netto 1.187,02\nVAT 23% 273,01\nDo zaplaty 1.460,03\n",
       "PLN"},
  };
  for (const auto& [text, want] : cases) {
    const core::Extraction e = Extract(text);
    EXPECT_EQ(Value(e, "currency"), want) << text << Dump(e);
    EXPECT_LT(Conf(e, "currency"), 0.75) << text;
    ExpectWellFormed(e);
  }
  // Bulgaria's lev, and the euro from 2026.
  const std::string bulgarian =
      "Фактура\nДата: DATE\nОбщо 100,00\nДДС 20% 20,00\nСума за плащане "
      "120,00\nЕИК 123456789\nПолучател: Арома ООД\n";
  auto dated = [&](const std::string& date) {
    std::string text = bulgarian;
    text.replace(text.find("DATE"), 4, date);
    return Value(Extract(text), "currency");
  };
  EXPECT_EQ(dated("12.05.2025"), "BGN");
  EXPECT_EQ(dated("12.05.2026"), "EUR");
  // An English page with no address names no currency.
  EXPECT_EQ(Value(Extract("CORNER SHOP\nTOTAL 9.00\n"), "currency"), "<none>");
}

TEST(ExtractFieldsTest, CashMinusChangeConfirmsTheTotal) {
  // Two labels of equal strength; what was paid decides.
  const core::Extraction e = Extract(
      "SHOP\n"
      "Total 12.00\n"
      "Total 15.00\n"
      "Cash  20.00\n"
      "Change 8.00\n");
  EXPECT_EQ(Value(e, "total"), "12.00");
}

TEST(ExtractFieldsTest, ReadsOcrNoiseInLabels) {
  const core::Extraction e = Extract("SHOP\nItem 4.00\nT0TAL 4.00\n");
  EXPECT_EQ(Value(e, "total"), "4.00");
  EXPECT_GT(Conf(e, "total"), 0.6);
  // One letter wrong, words glued together, a space after the point.
  EXPECT_EQ(Value(Extract("SHOP\nItem 4.00\nTOTAI 4.00\n"), "total"), "4.00");
  const core::Extraction glued =
      Extract("SHOP\nSubTotal 10.00\nTotalGST 0.60\nGrandTotal RM 10. 60\n");
  EXPECT_EQ(Value(glued, "tax"), "0.60");
  EXPECT_EQ(Value(glued, "total"), "10.60");
  EXPECT_EQ(*glued.fields.at("total").text, "10. 60");
}

TEST(ExtractFieldsTest, RoundingLines) {
  // A misread adjustment ("9.00" for "0.00") is not the total...
  const core::Extraction misread =
      Extract("SHOP\nSUB-TOTAL 74.04\nGST 4.04\nROUNDING 9.00\nTOTAL 78.10\n");
  EXPECT_EQ(Value(misread, "total"), "78.10");
  // ...but a whole amount on a garbled "rounded total" line is.
  const core::Extraction garbled = Extract(
      "SHOP\nTotal Sales (Inclusive GST) 42.33\nRounding Adjustment 0.02\n"
      "Rounding 42.35\n");
  EXPECT_EQ(Value(garbled, "total"), "42.35");
}

TEST(ExtractFieldsTest, WarnsWhenSubtotalAndTaxDoNotAddUp) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Subtotal 10.00\n"
      "Tax       0.60\n"
      "Total    11.00\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "total"), "11.00");
  EXPECT_EQ(Value(e, "subtotal"), "10.00");
  EXPECT_EQ(Value(e, "tax"), "0.60");
  ASSERT_EQ(e.warnings.size(), 1u);
  EXPECT_EQ(e.warnings[0], "subtotal + tax != total");
  // Disagreement costs confidence against the consistent case.
  const core::Extraction ok = Extract(
      "SHOP\n"
      "Subtotal 10.00\n"
      "Tax       0.60\n"
      "Total    10.60\n");
  EXPECT_TRUE(ok.warnings.empty());
  EXPECT_GT(Conf(ok, "total"), Conf(e, "total"));
  EXPECT_GT(Conf(ok, "tax"), Conf(e, "tax"));
}

TEST(ExtractFieldsTest, GstRegistrationNumberIsNotTax) {
  const core::Extraction e = Extract(
      "SHOP SDN BHD\n"
      "GST ID NO: 001234567890\n"
      "VAT Reg No 123.45\n"
      "Total 9.00\n");
  EXPECT_EQ(Value(e, "tax"), "<none>");
}

TEST(ExtractFieldsTest, TaxInclusiveTotalAndIncludedTax) {
  const core::Extraction e = Extract(
      "LADEN GMBH\n"
      "Brot            2,50\n"
      "Summe EUR      12,50\n"
      "enthaltene MwSt 7% 0,82\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "total"), "12.50");
  EXPECT_EQ(Value(e, "tax"), "0.82");
  EXPECT_EQ(Value(e, "subtotal"), "<none>");
  EXPECT_TRUE(e.warnings.empty());
}

TEST(ExtractFieldsTest, ConfidenceFollowsEvidence) {
  const double grand =
      Conf(Extract("SHOP\nItem 9.00\nGRAND TOTAL 9.00"), "total");
  const double amount = Conf(Extract("SHOP\nItem 9.00\nAMOUNT 9.00"), "total");
  const double blurred =
      Conf(Extract("SHOP\nItem 9.00\nGRAND TOTAL 9.00", 0.5f), "total");
  EXPECT_GT(grand, amount);
  EXPECT_GT(amount, 0);
  EXPECT_GT(grand, blurred);
  EXPECT_GT(blurred, 0);
}

TEST(ExtractFieldsTest, RivalTotalsLowerConfidence) {
  const double clear = Conf(Extract("SHOP\nTotal 9.00\n"), "total");
  const double contested =
      Conf(Extract("SHOP\nTotal 9.00\nTotal 19.00\n"), "total");
  EXPECT_GT(clear, contested);
}

TEST(ExtractFieldsTest, LabelLeftOfValueOnAnotherLine) {
  // Two-column layouts reach the extractor as separate lines.
  OcrPage page = PageFromText("SHOP\nBread\nTotal\n", 0.9f);
  OcrLine value;
  value.words.push_back({"12.50", {300, 40, 350, 56}, 0.9f});
  value.box = value.words[0].box;
  page.lines.push_back(value);
  const core::Extraction e = Extract(page);
  EXPECT_EQ(Value(e, "total"), "12.50");
  EXPECT_EQ(*e.fields.at("total").bbox, (core::BBox{300, 40, 350, 56}));
}

TEST(ExtractFieldsTest, LabelAboveValue) {
  const core::Extraction e = Extract(
      "ACME LTD\n"
      "Invoice 42\n"
      "Amount Due\n"
      "$1,234.00\n");
  EXPECT_EQ(Value(e, "total"), "1234.00");
  EXPECT_EQ(Value(e, "currency"), "USD");
}

TEST(ExtractFieldsTest, ZeroMinorDigitCurrency) {
  const core::Extraction e = Extract("SHOP\nTotal ¥1,280\n");
  EXPECT_EQ(Value(e, "currency"), "JPY");
  EXPECT_EQ(Value(e, "total"), "1280");
}

TEST(ExtractFieldsTest, MostFrequentCurrencyWins) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Item RM 5.00\n"
      "Item RM 4.00\n"
      "Total RM 9.00\n"
      "Paid USD 2.10\n");
  EXPECT_EQ(Value(e, "currency"), "MYR");
}

TEST(ExtractFieldsTest, MonthFirstEvidenceOnThePageResolvesAmbiguousDates) {
  const core::Extraction us =
      Extract("SHOP\nDate: 03/10/2018\nPrinted 12/28/2018\nTotal 1.00");
  EXPECT_EQ(Value(us, "invoice_date"), "2018-03-10");
  const core::Extraction plain = Extract("SHOP\nDate: 03/10/2018\nTotal 1.00");
  EXPECT_EQ(Value(plain, "invoice_date"), "2018-10-03");
  // Unresolved ambiguity costs confidence.
  const core::Extraction clear = Extract("SHOP\nDate: 25/10/2018\nTotal 1.00");
  EXPECT_GT(Conf(clear, "invoice_date"), Conf(plain, "invoice_date"));
}

TEST(ExtractFieldsTest, LabelledDateBeatsEarlierUnlabelledDate) {
  const core::Extraction e = Extract(
      "ACME LTD\n"
      "Order placed 01/03/2018\n"
      "Invoice Date: 15/03/2018\n"
      "Total 10.00\n");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-15");
}

TEST(ExtractFieldsTest, WithoutLabelsTheEarliestTopDateWins) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "15/03/2018 10:22\n"
      "Item 5.00\n"
      "Total 5.00\n"
      "Valid for return until 15/04/2018\n");
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-15");
}

TEST(ExtractFieldsTest, TaxFromASummaryTableColumn) {
  // No "GST" line: the tax is read under the "Tax(RM)" column header, and
  // the amount column beside it is not taken for tax.
  const OcrPage page = PageFromText(
      "KEDAI SDN BHD\n"
      "Item                          9.00\n"
      "Total Incl GST                9.00\n"
      "GST Summary        Amount(RM)   Tax(RM)\n"
      "SR @ 6%                  8.49      0.51\n");
  const core::Extraction e = Extract(page);
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "tax"), "0.51");
  EXPECT_EQ(*e.fields.at("tax").bbox, WordBox(page, "SR @", "0.51"));
  EXPECT_EQ(Value(e, "total"), "9.00");
}

TEST(ExtractFieldsTest, NetTaxGrossRowAddsUp) {
  // A German VAT summary row: rate, net, tax, gross.
  const core::Extraction e = Extract(
      "BÄCKEREI GMBH\n"
      "Brot                 3,50\n"
      "Kuchen               8,40\n"
      "MwSt   Netto   Steuer   Brutto\n"
      "A 7%   11,12     0,78    11,90\n"
      "Gegeben   20,00\n"
      "Rückgeld   8,10\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "total"), "11.90");
  EXPECT_EQ(Value(e, "subtotal"), "11.12");
  EXPECT_EQ(Value(e, "tax"), "0.78");
  EXPECT_TRUE(e.warnings.empty());
}

TEST(ExtractFieldsTest, CurrencyConfidenceFollowsEvidence) {
  const double many =
      Conf(Extract("SHOP\nA RM 5.00\nB RM 4.00\nTotal RM 9.00\n"), "currency");
  const double one =
      Conf(Extract("SHOP\nA 5.00\nB 4.00\nTotal RM 9.00\n"), "currency");
  const double stray =
      Conf(Extract("SHOP\nA £2\nB 4.00\nTotal 9.00\n"), "currency");
  EXPECT_GT(many, one);
  EXPECT_GT(one, stray);  // a mark on the total itself counts more
  const core::Extraction header = Extract("SHOP\nPrices in EUR\nTotal 9.00\n");
  EXPECT_EQ(Value(header, "currency"), "EUR");
  EXPECT_LT(Conf(header, "currency"), one);
}

// ----------------------------------------------------------------- vendor

TEST(ExtractFieldsTest, VendorSkipsTitlesAddressesAndNumbers) {
  const core::Extraction e = Extract(
      "TAX INVOICE\n"
      "WELCOME\n"
      "12-34-56\n"
      "Kedai Runcit Maju Jaya Enterprise\n"
      "Lot 5, Jalan Besar\n"
      "Tel: 03-1234 5678\n"
      "Total 3.00\n");
  EXPECT_EQ(Value(e, "vendor_name"), "Kedai Runcit Maju Jaya Enterprise");
  EXPECT_EQ(Value(e, "vendor_address"), "Lot 5, Jalan Besar");
}

TEST(ExtractFieldsTest, VendorPrefersLegalFormAndLargeText) {
  // A store slogan first, then the company in large print.
  OcrPage page = PageFromText("Fresh every day\nFOODMART\nTotal 1.00\n");
  for (OcrWord& w : page.lines[1].words) w.box.y1 += 20;
  page.lines[1].box.y1 += 20;
  EXPECT_EQ(Value(Extract(page), "vendor_name"), "FOODMART");
  EXPECT_EQ(Value(Extract("Fresh every day\nFOODMART LTD\nTotal 1.00\n"),
                  "vendor_name"),
            "FOODMART LTD");
}

TEST(ExtractFieldsTest, VendorNameSplitBeforeItsLegalForm) {
  const core::Extraction e = Extract(
      "KEDAI ABC (TAMAN MAJU)\n"
      "SDN BHD (123456-X)\n"
      "No 5, Jalan Maju 1, 81100 Johor Bahru\n"
      "Total 1.00\n");
  EXPECT_EQ(Value(e, "vendor_name"), "KEDAI ABC (TAMAN MAJU) SDN BHD");
  EXPECT_EQ(Value(e, "vendor_address"),
            "No 5, Jalan Maju 1, 81100 Johor Bahru");
}

TEST(ExtractFieldsTest, AddressSkipsNumbersAndDatesBeforeIt) {
  const core::Extraction e = Extract(
      "PASARAYA MAJU\n"
      "SDN BHD\n"
      "BR No.: (124525-H)\n"
      "10 Mar 2018 18:24\n"
      "NO 19-G, JALAN TASIK UTAMA 4,\n"
      "MEDAN NIAGA TASIK DAMAI\n"
      "016-5498845\n"
      "GST No.: 000123456789\n"
      "Total 5.00\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "vendor_name"), "PASARAYA MAJU SDN BHD");
  EXPECT_EQ(Value(e, "vendor_address"),
            "NO 19-G, JALAN TASIK UTAMA 4, MEDAN NIAGA TASIK DAMAI");
}

TEST(ExtractFieldsTest, ShortNameWithALongRegistrationNumberIsAName) {
  // The number's digits outnumber the name's letters; the name is still the
  // line with the legal form, not the shop's opening hours below it.
  const core::Extraction e = Extract(
      "AB CO. (M) BHD (126926-H)\n"
      "3RD FLR, MALURI SC, JLN JEJAKA, 55100 KUALA LUMPUR\n"
      "SHOPPING HOURS\n"
      "Total 5.00\n");
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "vendor_name"), "AB CO. (M) BHD");
}

TEST(ExtractFieldsTest, VendorNameLeavesOutRegistrationNumbers) {
  const core::Extraction e = Extract(
      "TRI JAYA SDN BHD (728515-M)\n"
      "4-20, Jalan Ria 25/62, 40400 Shah Alam\n"
      "Total 5.00\n");
  EXPECT_EQ(Value(e, "vendor_name"), "TRI JAYA SDN BHD");
}

TEST(ExtractFieldsTest, ReceiverBlockIsNotTheVendorAddress) {
  const core::Extraction e = Extract(kUkInvoice);
  EXPECT_EQ(e.fields.at("vendor_address").value.find("York"),
            std::string::npos);
}

// --------------------------------------------------------------- absences

TEST(ExtractFieldsTest, NothingFromAnEmptyPage) {
  core::Extraction e = Extract(OcrPage{});
  EXPECT_TRUE(e.fields.empty());
  EXPECT_TRUE(e.warnings.empty());
  e = Extract("\n\n");
  EXPECT_TRUE(e.fields.empty());
}

TEST(ExtractFieldsTest, NoAmountsNoAmountFields) {
  const core::Extraction e = Extract(
      "Dear customer,\n"
      "please find our new opening hours below.\n"
      "Monday to Friday 9 to 17\n");
  SCOPED_TRACE(Dump(e));
  ExpectWellFormed(e);
  for (const char* name : {"total", "subtotal", "tax", "currency",
                           "invoice_date", "due_date", "vendor_address"}) {
    EXPECT_EQ(e.fields.count(name), 0u) << name;
  }
}

TEST(ExtractFieldsTest, UnlabelledItemPricesAreNoTotal) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Apples 3.20\n"
      "Pears 2.10\n");
  EXPECT_EQ(Value(e, "total"), "<none>");
  EXPECT_EQ(Value(e, "currency"), "<none>");  // never guessed
}

TEST(ExtractFieldsTest, RepeatedLargestAmountIsAWeakTotal) {
  const core::Extraction e = Extract(
      "SHOP\n"
      "Apples 3.20\n"
      "Pears 2.10\n"
      "xxxxx 5.30\n"
      "CASH 5.30\n");
  EXPECT_EQ(Value(e, "total"), "5.30");
  EXPECT_LT(Conf(e, "total"), 0.6);
}

// -------------------------------------------------------------- many pages

TEST(ExtractFieldsTest, LaterPagesReplaceOnlyWithStrongerEvidence) {
  core::Extraction e;
  ExtractFields(PageFromText("ACME LTD\nInvoice Date: 10/03/2018\n"), 1, e);
  ExtractFields(PageFromText("Page 2\nItem 5.00\nTOTAL DUE 25.00\n"), 2, e);
  SCOPED_TRACE(Dump(e));
  EXPECT_EQ(Value(e, "vendor_name"), "ACME LTD");
  EXPECT_EQ(e.fields.at("vendor_name").page, 1);
  EXPECT_EQ(Value(e, "invoice_date"), "2018-03-10");
  EXPECT_EQ(Value(e, "total"), "25.00");
  EXPECT_EQ(e.fields.at("total").page, 2);
}

}  // namespace
}  // namespace invoices::extract

namespace invoices::extract {
namespace {

TEST(ExtractFieldsTest, AnUnreadableTotalIsWhatWasTenderedLessTheChange) {
  // "RM8.35" in double-height print came out as "aw 35".
  const core::Extraction e = Extract(R"(KEDAI RUNCIT MAJU
Rounding -RM0.02
Grand Total aw 35
Cash RM10.50
Change RM2.15)");
  ASSERT_TRUE(e.fields.contains("total"));
  EXPECT_EQ(e.fields.at("total").value, "8.35");
  EXPECT_LT(e.fields.at("total").confidence, 0.6);
  EXPECT_EQ(e.fields.at("total").text, "RM10.50 - RM2.15");
  EXPECT_NE(std::find(e.warnings.begin(), e.warnings.end(),
                      "the total could not be read; it is the amount "
                      "tendered less the change"),
            e.warnings.end());
}

TEST(ExtractFieldsTest, ATotalADigitFromTheSubtotalThatWasPaidWasMisread) {
  // Tax included: the subtotal is the total, and what was paid says so.
  const core::Extraction e = Extract(R"(Cafe Krause
Lindenweg 98
Kaffee 23,29
Zwischensumme 170,59
GESAMT 176,59 EUR
Bar 180, 00
Ruckgeld 9,41
USt 7% 11,16)");
  ASSERT_TRUE(e.fields.contains("total"));
  EXPECT_EQ(e.fields.at("total").value, "170.59");
  // A total the payment agrees with stands.
  const core::Extraction paid = Extract(R"(Cafe Krause
Zwischensumme 170,59
GESAMT 176,59 EUR
Bar 180,00
Ruckgeld 3,41)");
  EXPECT_EQ(paid.fields.at("total").value, "176.59");
}

TEST(ExtractFieldsTest, WhatWasPaidPrintedAfterTheTotalIsTheRoundedTotal) {
  // The rounded total and the change are read with little confidence; the
  // amount tendered less the change is printed after the total, a cent
  // away: that is what was paid.
  OcrPage page = PageFromText(R"(KEDAI MAJU
Total Sales (Inclusive GST) RN 72.74
Rounding Adjustment RH Oi
Rounding RN = 72,75
CASH R4 100.00
CHANGE RMN = 27.25)",
                              0.75f);
  for (OcrLine& line : page.lines) {
    const std::string text = line.Text();
    if (text.starts_with("Rounding RM") || text.starts_with("CHANGE")) {
      for (OcrWord& w : line.words) w.confidence = 0.4f;
    }
  }
  EXPECT_EQ(Value(Extract(page), "total"), "72.75");
  // Ten cents or more apart, it is no rounding: the total stays.
  OcrPage apart = PageFromText(R"(KEDAI MAJU
TOTAL RM 72.74
Voucher RM 72.95
CASH RM 100.00
CHANGE RM 27.05)");
  EXPECT_EQ(Value(Extract(apart), "total"), "72.74");
}

TEST(ExtractFieldsTest, PricesReadAsAColumnApartFromTheirLabels) {
  // OCR read the labels as one block and the prices as another, the bold
  // total a third of a line lower than its label; also with a speck read
  // as a whole number beside the label, no total where prices have cents.
  for (const std::string total_label : {"GESAMT", "GESAMT 6?"}) {
    OcrPage page = PageFromText("Cafe Krause\nLindenweg 98\n" + total_label +
                                "\nBar\n"
                                "Ruckgeld\n170,59 EUR\n180,00\n9,41");
    const int h = page.lines[0].box.y1 - page.lines[0].box.y0;
    for (int i = 5; i < 8; ++i) {
      // Each price beside its label (lines 2 to 4), lower by a third of a
      // line, at the right.
      OcrLine& price = page.lines[i];
      const OcrLine& label = page.lines[i - 3];
      const int dy = label.box.y0 + h * 2 / 3 - price.box.y0;
      price.box = {300, price.box.y0 + dy, 380, price.box.y1 + dy};
      for (OcrWord& w : price.words) {
        w.box.y0 += dy;
        w.box.y1 += dy;
        w.box.x0 += 300;
        w.box.x1 += 300;
      }
    }
    EXPECT_EQ(Value(Extract(page), "total"), "170.59") << total_label;
  }
}

TEST(ExtractFieldsTest, AnAmountPaidExactlyAFewCentsFromTheTotalIsItRounded) {
  // Paid by card, no change given: the amount paid is the rounded total.
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nTotal Sales (Inclusive GST) RM 82.86\n"
                          "CREDIT RM 82.80\nCHANGE RM 00"),
                  "total"),
            "82.80");
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nTOTAL 82.86\nVISA 82.85"), "total"),
            "82.85");
  // A total already a multiple of five cents needs no rounding: the card
  // amount a few cents off it was misread.
  EXPECT_EQ(Value(Extract("SKLEP NOWAK\nSUMA 155,25\nKARTA 155,20"), "total"),
            "155.25");
  // Whole notes paid with no change read are no rounding: the total stays.
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nTOTAL 9.97\nCASH 10.00"), "total"),
            "9.97");
  // Nor is a payment printed above the total, or more than ten cents away.
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nVISA 82.85\nTOTAL 82.86"), "total"),
            "82.86");
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nTOTAL 82.86\nVISA 82.97"), "total"),
            "82.86");
}

TEST(ExtractFieldsTest, WhatWasPaidOutweighsATaxSummarysTotalRow) {
  // The tax summary's "Total" row, lower on the page, is as strongly
  // labelled as the total; the cash less the change names the total.
  OcrPage page = PageFromText(R"(AEON CO. (M) BHD
Sub-total 476,81
Total Sales Incl GST 476.81
Rounding Adj -0.01
Total After Adj Incl GST 476.80
CASH 500.00
Item Count 3 Change Amt 23,20
GST Summary Amount Tax
SR @ 6% 449.82 26.98
Total 449 82 26.59)",
                              0.8f);
  EXPECT_EQ(Value(Extract(page), "total"), "476.80");
}

TEST(ExtractFieldsTest, ATotalAtOneTaxRateIsPartOfTheBreakdown) {
  const core::Extraction e = Extract(R"(GARDENIA BAKERIES (KL) SDN BHD
WHOLEMEAL 2.78 5 13.90
Total 0% supplies: 54.31
Total 6% supplies (excl. GST): 13.30
GST: 0.80
Total 6% supplies (Inc. GST): 14.10
Total 0% supplies: 54.31
Total Payable: 68.41)",
                                     0.7f);
  EXPECT_EQ(Value(e, "total"), "68.41");
  // A total with its rate and nothing after it is the total.
  EXPECT_EQ(
      Value(Extract("KEDAI\nItem 10.00\nTotal (Incl GST 6%) 10.60\n"), "total"),
      "10.60");
}

TEST(ExtractFieldsTest, AServiceChargeAddsToTheTotalAndIsNoChange) {
  // No total line is read: subtotal, service charge, tax and rounding add up
  // to it. "CHARGE" is no misread "CHANGE".
  const core::Extraction e = Extract(R"(THREE STOOGES
1 GUINESS 12 GLASSES 150.00
1 TIGER 12 GLASSES 145.00
SUB TOTAL 295.00
SERVICE CHARGE 10% 29.50
GST 6% 19.47
ROUNDING ADJ -0.02
Thank you)");
  EXPECT_EQ(Value(e, "subtotal"), "295.00");
  EXPECT_EQ(Value(e, "tax"), "19.47");
  ASSERT_EQ(Value(e, "total"), "343.95") << Dump(e);
  EXPECT_EQ(e.fields.at("total").text, "295.00 + 19.47 + 29.50 + -0.02");
  EXPECT_NE(std::find(e.warnings.begin(), e.warnings.end(),
                      "the total could not be read; it is the subtotal plus "
                      "tax and what the page adds to them"),
            e.warnings.end());
  // With a total printed, the charge is one of its parts.
  EXPECT_EQ(Value(Extract("SUB TOTAL 295.00\nSERVICE CHARGE 10% 29.50\n"
                          "GST 6% 19.47\nTOTAL 343.97\nTOTAL 14.00\n"),
                  "total"),
            "343.97");
}

TEST(ExtractFieldsTest, OfADatePrintedTwiceWithTwoYearsTheSurerReadingWins) {
  OcrPage page = PageFromText(R"(PASAR MINI JIN SENG
TAXINV +002-160040 18/03/16
Item 9.00
TOTAL 9.00
18/03/18 09:03 #002-15500408)",
                              0.9f);
  for (OcrWord& w : page.lines[1].words) w.confidence = 0.6f;
  EXPECT_EQ(Value(Extract(page), "invoice_date"), "2018-03-18");
  // Sure of the first, it stays.
  for (OcrWord& w : page.lines[1].words) w.confidence = 0.95f;
  EXPECT_EQ(Value(Extract(page), "invoice_date"), "2016-03-18");
}

TEST(ExtractFieldsTest, AReadableTotalIsNotReplacedByCashLessChange) {
  // The change is misread ("4.0)"), the total is not: the total stays.
  const core::Extraction e = Extract(R"(Sub Total : 93.40
Total : 99.00
CASH : 400.09
Change : 4.0)");
  EXPECT_EQ(e.fields.at("total").value, "99.00");
}

TEST(ExtractFieldsTest, AStrayYenSignOnAPageOfCentsIsNoCurrency) {
  const core::Extraction e = Extract(R"(KEDAI MAJU
Item A ¥ 40.00
Item B 38.10
TOTAL 78.10
CASH 100.00)");
  EXPECT_FALSE(e.fields.contains("currency"));
  EXPECT_EQ(e.fields.at("total").value, "78.10");
}

TEST(ExtractFieldsTest, LegalFormsMisreadByOneLetterAreRespelt) {
  EXPECT_EQ(Value(Extract("GREEN LANE PHARMACY SON BHD\n"
                          "12 JALAN MAJU, 50450 KUALA LUMPUR\n"
                          "TOTAL 9.00\n"),
                  "vendor_name"),
            "GREEN LANE PHARMACY SDN BHD");
  EXPECT_EQ(Value(Extract("Angel Advertising Sdn bha (758795-H)\n"
                          "Unit 5, Jalan Pinang, 50450 Kuala Lumpur\n"
                          "TOTAL 9.00\n"),
                  "vendor_name"),
            "Angel Advertising Sdn Bhd");
  EXPECT_EQ(
      Value(Extract("MR. D.I.\u00a5. SDN BHD\nTOTAL 9.00\n"), "vendor_name"),
      "MR. D.I.Y. SDN BHD");
  // "SON" alone is a word of the name, and a yen sign before digits a
  // currency.
  EXPECT_EQ(Value(Extract("SMITH & SON\n1 HIGH STREET, LONDON SW1A 1AA\n"
                          "TOTAL \u00a5900\n"),
                  "vendor_name"),
            "SMITH & SON");
}

TEST(ExtractFieldsTest, DigitsAmongInitialsAreLetters) {
  EXPECT_EQ(
      Value(Extract("MR. D.1.Y. (M) SDN BHD\nTOTAL 9.00\n"), "vendor_name"),
      "MR. D.I.Y. (M) SDN BHD");
  EXPECT_EQ(Value(Extract("S.0.S. TRADING\nTOTAL 9.00\n"), "vendor_name"),
            "S.O.S. TRADING");
  // Numbers with dots, and two initials, stay as printed.
  EXPECT_EQ(Value(Extract("V.1.2. TRADING\nTOTAL 9.00\n"), "vendor_name"),
            "V.1.2. TRADING");
  EXPECT_EQ(Value(Extract("A.1. TRADING\nTOTAL 9.00\n"), "vendor_name"),
            "A.1. TRADING");
}

TEST(ExtractFieldsTest, NumbersBetweenTheNameAndTheAddressArePassedOver) {
  // A tax number whose label is misread ("NOs"), a company number with more
  // letters than digits around it, and a line of the name block above the
  // number: the address starts below them all.
  EXPECT_EQ(Value(Extract(R"(SUBANG HEALTHCARE SDN BHD
1118256-K
GST NOs 001535708608
B-8, JALAN SS15/4D,
47500 SUBANG JAYA, SELANGOR
TEL: 03-56127718
TOTAL 9.00)"),
                  "vendor_address"),
            "B-8, JALAN SS15/4D, 47500 SUBANG JAYA, SELANGOR");
  EXPECT_EQ(Value(Extract(R"(ADVANCO COMPANY
ene Reg. No. : 7251 86-V
NO 1&3, Jalan Wangsa Delima 12,
53300 Kuala Lumpur
TOTAL 9.00)"),
                  "vendor_address"),
            "NO 1&3, Jalan Wangsa Delima 12, 53300 Kuala Lumpur");
  EXPECT_EQ(Value(Extract(R"(DE LUXE FRESH MART SDN BHD
(Mutiara Rini 16)
Co Reg No:797887-W GST No:001507647488
No.89&91, Jalan Utama, Taman Mutia Rini,
81300 Skudai, Johor.
Tel:016-7780546
TOTAL 9.00)"),
                  "vendor_address"),
            "No.89&91, Jalan Utama, Taman Mutia Rini, 81300 Skudai, Johor.");
  // A labelled number with five digits is no postcode of an address.
  EXPECT_EQ(Value(Extract("WESTERN STATIONERY SDN BHD\n"
                          "CO REG NO : 21003 7\nTOTAL 9.00\n"),
                  "vendor_address"),
            "<none>");
}

TEST(ExtractFieldsTest, AnAddressMayStartWithItsHouseNumberAlone) {
  // No street word and no postcode: the house number and its comma start
  // the address, and the tax number ends it.
  EXPECT_EQ(Value(Extract(R"(THREE STOOGES
109, SS21/1A,
DAMANSARA UTAMA
GST ID : 001661886464
TOTAL 9.00)"),
                  "vendor_address"),
            "109, SS21/1A, DAMANSARA UTAMA");
  // A line of digits with a comma is a company number, not a house.
  EXPECT_EQ(Value(Extract("KEDAI MAJU\n(861354-T)\nGST ID : 001661886464\n"
                          "TOTAL 9.00\n"),
                  "vendor_address"),
            "<none>");
}

TEST(ExtractFieldsTest, ABranchNameAboveTheAddressIsNoPartOfIt) {
  EXPECT_EQ(Value(Extract(R"(DOMINO'S PIZZA SDN BHD
DOMINO'S PIZZA TAMAN UNIVERSITI
30, Jln Kebudayaan 7,
Tmn Universiti 81300 Skudai, Johor
Tel: 07-5201234
TOTAL 9.00)"),
                  "vendor_address"),
            "30, Jln Kebudayaan 7, Tmn Universiti 81300 Skudai, Johor");
  // A first line with commas, or one that opens as addresses do, stays.
  EXPECT_EQ(Value(Extract(R"(AEON CO. (M) BHD
3RD FLR, AEON TAMAN MALURI SC
JLN JEJAKA, 55100 KUALA LUMPUR
TOTAL 9.00)"),
                  "vendor_address"),
            "3RD FLR, AEON TAMAN MALURI SC JLN JEJAKA, 55100 KUALA LUMPUR");
  EXPECT_EQ(Value(Extract(R"(ESJAY FUEL ENTERPRISE
LOT PTD 101051
Jalan Permas 10/10
81750 Masai, Johor
TOTAL 9.00)"),
                  "vendor_address"),
            "LOT PTD 101051 Jalan Permas 10/10 81750 Masai, Johor");
}

TEST(ExtractFieldsTest, AddressTextIsTidiedAsPrinted) {
  // Punctuation set apart, doubled commas, a postcode with an S for a 5,
  // and a mark closing a line.
  EXPECT_EQ(Value(Extract(R"(KEDAI MAJU SDN BHD
NO.50 , JALAN PBS 14/11, ™
LEBUHRAYA UTARA,, S2100 KEPONG .
TOTAL 9.00)"),
                  "vendor_address"),
            "NO.50, JALAN PBS 14/11, LEBUHRAYA UTARA, 52100 KEPONG.");
}

TEST(ExtractFieldsTest, NoiseAndTitlesWithATwoLetterFormAreNoName) {
  // "Pt" may be a legal form (PT), but after "TAX INVOICE" it is noise; and
  // a line of two-letter words is no name.
  EXPECT_EQ(Value(Extract(R"(No te if
TAX INVOICE 0S Pt
DOMINO'S PIZZA
GST REF NO : 001694251248
30, Jln Kebudayaan 7, Tmn Universiti
81300 Skudai, Johor
TOTAL 9.00)"),
                  "vendor_name"),
            "DOMINO'S PIZZA");
  // A long legal form makes a name of a line with a title word in it.
  EXPECT_EQ(Value(Extract("RECEIPT PRINTING SDN BHD\nNO 5, JALAN BESAR\n"
                          "TOTAL 9.00\n"),
                  "vendor_name"),
            "RECEIPT PRINTING SDN BHD");
}

TEST(ExtractFieldsTest, NamesAreTidiedAsPrinted) {
  EXPECT_EQ(Value(Extract("SHH MOTOR ( SUNGAI RENGIT ) SDN. BHD.\n"
                          "NO. 343, JALAN KURAU\nTOTAL 9.00\n"),
                  "vendor_name"),
            "SHH MOTOR (SUNGAI RENGIT) SDN. BHD.");
  EXPECT_EQ(Value(Extract("\u2019 GARDENIA BAKERIES (KL )SDN BHD ~\n"
                          "LOT 3, JALAN PELABUR 23/1\nTOTAL 9.00\n"),
                  "vendor_name"),
            "GARDENIA BAKERIES (KL) SDN BHD");
}

TEST(ExtractFieldsTest, ATradeWordMisreadByOneLetterIsRespelt) {
  auto name = [](const std::string& first_line) {
    return Value(Extract(first_line + "\nNO. 343, JALAN KURAU\nTOTAL 9.00\n"),
                 "vendor_name");
  };
  EXPECT_EQ(name("UNIHAKKA INTERNATIGNAL SDN BHD"),
            "UNIHAKKA INTERNATIONAL SDN BHD");
  EXPECT_EQ(name("Yam Fregh"), "Yam Fresh");
  EXPECT_EQ(name("BOULANGERIE DUPONT"), "BOULANGERIE DUPONT");
  // A letter OCR does not take for the other, or a short word, stays.
  EXPECT_EQ(name("ACME TRADINK SDN BHD"), "ACME TRADINK SDN BHD");
  EXPECT_EQ(name("WHITE HART INN"), "WHITE HART INN");
  // The Italian legal form with its "l" read as "I" or "]".
  EXPECT_EQ(name("Roma Consulenze S.r.I."), "Roma Consulenze S.r.l.");
  EXPECT_EQ(name("Roma Consulenze S.r.]."), "Roma Consulenze S.r.l.");
}

TEST(ExtractFieldsTest, ABritishPostcodesDigitsReadAsLetters) {
  auto address = [](const std::string& town_line) {
    return Value(
        Extract("CAFE ROSE\n232 HIGH STREET\n" + town_line + "\nTOTAL 9.00"),
        "vendor_address");
  };
  EXPECT_EQ(address("BATH BAl 1LT"), "232 HIGH STREET BATH BA1 1LT");
  EXPECT_EQ(address("LONDON W1U lTQ"), "232 HIGH STREET LONDON W1U 1TQ");
  EXPECT_EQ(address("LONDON WlU 6TQ"), "232 HIGH STREET LONDON W1U 6TQ");
  // Words that no digit makes a postcode stay.
  EXPECT_EQ(address("BATH BAY 1LT"), "232 HIGH STREET BATH BAY 1LT");
  EXPECT_EQ(address("BATH BAl SQ1"), "232 HIGH STREET BATH BAl SQ1");
}

TEST(ExtractFieldsTest, AGermanStreetsEszettReadAsB) {
  EXPECT_EQ(Value(Extract("Wagner Cafe\nBahnhofstraBe 18\n10115 Berlin\n"
                          "Summe 9,00"),
                  "vendor_address"),
            "Bahnhofstra\u00dfe 18 10115 Berlin");
  EXPECT_EQ(Value(Extract("Wagner Cafe\nLange StraBe 4\n10115 Berlin\n"
                          "Summe 9,00"),
                  "vendor_address"),
            "Lange Stra\u00dfe 4 10115 Berlin");
  // Only after "stra": a capital B elsewhere stays.
  EXPECT_EQ(Value(Extract("Wagner Cafe\nAm HafenBecken 4\n10115 Berlin\n"
                          "Summe 9,00"),
                  "vendor_address"),
            "Am HafenBecken 4 10115 Berlin");
}

TEST(ExtractFieldsTest, AStreetOrPaymentWordInANameAboveTheAddress) {
  // "Street", "Plaza" and "Bar" label addresses and payments elsewhere; in
  // a line of words at the top, right above the address, they name a shop.
  EXPECT_EQ(Value(Extract("Oak Street Diner\n12 Oak Ave\n"
                          "Springfield, IL 62704\nTOTAL $9.00"),
                  "vendor_name"),
            "Oak Street Diner");
  // Under specks read from the paper's edge ("~", "."), still at the top.
  EXPECT_EQ(Value(Extract("~\n.\nBAR ROSSI\nVIA DANTE 61\n40121 BOLOGNA\n"
                          "TOTALE 9,00"),
                  "vendor_name"),
            "BAR ROSSI");
  // Not when no address follows.
  EXPECT_EQ(Value(Extract("Oak Street\nThank you\nTOTAL $9.00"), "vendor_name"),
            "<none>");
}

TEST(ExtractFieldsTest, TheNameIsAtTheTopWhateverOrderTheBlocksWereReadIn) {
  // OCR read the items first, the header last; the header is on top.
  OcrPage page = PageFromText(R"(15/10/2020
Queso
Efectivo 10,00
IVA incluido 21% 0,66
Gracias por su visita
Martinez Farmacia
Paseo del Prado 92
29015 Malaga)");
  const int rows = int(page.lines.size());
  for (int i = 0; i < rows; ++i) {
    // The last three lines on top, the first five under them.
    const int row = i >= 5 ? i - 5 : i + 3;
    const int dy =
        (row - i) * (page.lines[0].box.y1 - page.lines[0].box.y0 + 10);
    page.lines[i].box.y0 += dy;
    page.lines[i].box.y1 += dy;
    for (OcrWord& w : page.lines[i].words) {
      w.box.y0 += dy;
      w.box.y1 += dy;
    }
  }
  EXPECT_EQ(Value(Extract(page), "vendor_name"), "Martinez Farmacia");
}

TEST(ExtractFieldsTest, StreetsWithoutStreetWordsUnderTheName) {
  // A house number and a street with no street word, over "city, state
  // ZIP" or a Dutch "postcode city": the street, not the name.
  core::Extraction us =
      Extract("GROCERY PIONEER\n152 BROADWAY\nPORTLAND, OR 97205\nTOTAL $9.00");
  EXPECT_EQ(Value(us, "vendor_name"), "GROCERY PIONEER");
  EXPECT_EQ(Value(us, "vendor_address"), "152 BROADWAY PORTLAND, OR 97205");
  core::Extraction nl = Extract(
      "IJzerhandel Het Centrum\nDorpsst raat 184\n3011 AD Rotterdam\n"
      "Totaal 9,00");
  EXPECT_EQ(Value(nl, "vendor_name"), "IJzerhandel Het Centrum");
  EXPECT_EQ(Value(nl, "vendor_address"), "Dorpsst raat 184 3011 AD Rotterdam");
  // Four digits opening a line of words are a postcode and town too.
  EXPECT_EQ(Value(Extract("Cafe Sprungli\nBahnhofstrasse 21\n8001 Zurich\n"
                          "TOTAL 9.00"),
                  "vendor_address"),
            "Bahnhofstrasse 21 8001 Zurich");
}

// `text` as OCR reads it with its first two lines in print twice the height
// of the rest, the second right under the first, as a name wrapped on a slip
// in large print.
OcrPage NameInLargePrintOnTwoLines(const std::string& text) {
  OcrPage page = PageFromText(text);
  for (size_t l = 0; l < 2; ++l) {
    for (OcrWord& w : page.lines[l].words)
      w.box.y1 = w.box.y0 + 2 * (w.box.y1 - w.box.y0);
  }
  // Lines as PageFromText spaces them, the name's second line moved up
  // under the first.
  const int shift =
      page.lines[1].words[0].box.y0 - page.lines[0].words[0].box.y1 - 2;
  for (OcrWord& w : page.lines[1].words) {
    w.box.y0 -= shift;
    w.box.y1 -= shift;
  }
  page.lines[1].box = page.lines[1].words[0].box;
  page.lines[0].box.y1 = page.lines[0].words[0].box.y1;
  // The lines below moved down clear of the name's second line.
  for (size_t l = 2; l < page.lines.size(); ++l) {
    for (OcrWord& w : page.lines[l].words) {
      w.box.y0 += 30;
      w.box.y1 += 30;
    }
    page.lines[l].box.y0 += 30;
    page.lines[l].box.y1 += 30;
  }
  return page;
}

TEST(ExtractFieldsTest, ANameWrappedOntoASecondLineOfTheSameLargePrint) {
  // The name twice the height of the rest, wrapped; the address smaller.
  core::Extraction out = Extract(NameInLargePrintOnTwoLines(R"(SUPERMERCADO SAN
JUAN
CALLE MAYOR 106
28013 MADRID
Pan 1,20
Queso 3,80
TOTAL 5,00)"));
  EXPECT_EQ(Value(out, "vendor_name"), "SUPERMERCADO SAN JUAN");
  EXPECT_EQ(Value(out, "vendor_address"), "CALLE MAYOR 106 28013 MADRID");
  // The trade on the first line, the owner's name on the second: the
  // address follows the name's last line, not its first.
  out = Extract(NameInLargePrintOnTwoLines(
      "BUCHHANDLUNG\nHOFFMANN\nLINDENWEG 3\n70173 STUTTGART\nSUMME 9,00"));
  EXPECT_EQ(Value(out, "vendor_name"), "BUCHHANDLUNG HOFFMANN") << Dump(out);
  EXPECT_EQ(Value(out, "vendor_address"), "LINDENWEG 3 70173 STUTTGART");
  // A street word alone on the second line is the end of the name.
  out = Extract(NameInLargePrintOnTwoLines(
      "Fish & Chips Baker\nStreet\n84 High Street\nYork YO1 7HH\n"
      "TOTAL 9.00"));
  EXPECT_EQ(Value(out, "vendor_name"), "Fish & Chips Baker Street");
  EXPECT_EQ(Value(out, "vendor_address"), "84 High Street York YO1 7HH");
  // In print as small as the address, the next line is no part of it.
  EXPECT_EQ(Value(Extract("SUPERMERCADO SAN\nJUAN\nCALLE MAYOR 106\n"
                          "28013 MADRID\nTOTAL 5,00"),
                  "vendor_name"),
            "SUPERMERCADO SAN");
}

TEST(ExtractFieldsTest, AnAmericanAddressMeansDatesMonthFirst) {
  EXPECT_EQ(Value(Extract("Oak Street Diner\n12 Oak Ave\n"
                          "Springfield, IL 62704\nDate: 05/03/2020\n"
                          "TOTAL $9.00"),
                  "invoice_date"),
            "2020-05-03");
  // The same receipt elsewhere is day first; and a day above 12 on the
  // page tells the order whatever the address.
  EXPECT_EQ(Value(Extract("Oak Street Diner\n12 Oak Street\nLondon W1U 6TQ\n"
                          "Date: 05/03/2020\nTOTAL 9.00"),
                  "invoice_date"),
            "2020-03-05");
  EXPECT_EQ(Value(Extract("Oak Street Diner\n12 Oak Ave\n"
                          "Springfield, IL 62704\nDate: 05/03/2020\n"
                          "Printed 28/03/2020\nTOTAL $9.00"),
                  "invoice_date"),
            "2020-03-05");
}

TEST(ExtractFieldsTest, ACompanyNumberInBracketsIsNoPartOfTheName) {
  // Its legal form garbled ("5/B" for "S/B"), the name is still mostly
  // letters once the number is set aside, and "S/B" is respelt.
  EXPECT_EQ(Value(Extract(R"(99 SPEED MART 5/B (519537-X)
LOT P.T. 2811, JALAN ANGSA,
41150 KLANG, SELANGOR
TOTAL 9.00)"),
                  "vendor_name"),
            "99 SPEED MART S/B");
  EXPECT_EQ(Value(Extract(R"(99 SPEED MART 5/8 (519537-X)
LOT P.T. 2811, JALAN ANGSA,
TOTAL 9.00)"),
                  "vendor_name"),
            "99 SPEED MART S/B");
  // Its check letter read apart from the number ("S/D" for "S/B" too).
  EXPECT_EQ(Value(Extract(R"(99 SPEED MART S/D (519537: X)
LOT P.T. 2811, JALAN ANGSA,
TOTAL 9.00)"),
                  "vendor_name"),
            "99 SPEED MART S/D");
  // A fraction stays a fraction; a bracket of letters alone is the name's.
  EXPECT_EQ(Value(Extract("PIPES 5/8 AND MORE\nTOTAL 9.00\n"), "vendor_name"),
            "PIPES 5/8 AND MORE");
  EXPECT_EQ(Value(Extract("KEDAI RUNCIT (KL)\nTOTAL 9.00\n"), "vendor_name"),
            "KEDAI RUNCIT (KL)");
}

TEST(ExtractFieldsTest, ANameAtTheTopMayHoldAWordThatLabelsTotals) {
  EXPECT_EQ(Value(Extract(R"(RELAIS TOTAL OULMES
12 AVENUE HASSAN II
15000 KHEMISSET
Total Facture : 56.00 DH)"),
                  "vendor_name"),
            "RELAIS TOTAL OULMES");
  // Its street has no street word; the line above "15000 KHEMISSET" is the
  // street all the same.
  EXPECT_EQ(Value(Extract(R"(RELAIS TOTAL OULMES
AUTOROUTE RABAT MEKNES
15000 KHEMISSET
Total Facture : 56.00 DH)"),
                  "vendor_name"),
            "RELAIS TOTAL OULMES");
  // "Amount Due" over an invoice's sum, or "TOTAL" alone, is no name.
  EXPECT_EQ(Value(Extract(R"(Amount Due
ACME SUPPLIES LTD
12 High Street, London SW1A 1AA
Total 56.00)"),
                  "vendor_name"),
            "ACME SUPPLIES LTD");
  EXPECT_EQ(Value(Extract("TOTAL\nKEDAI MAJU\nNO 5, JALAN BESAR\n"
                          "TOTAL 9.00\n"),
                  "vendor_name"),
            "KEDAI MAJU");
  // Lower down, "TOTAL" with no amount is still no name.
  EXPECT_EQ(Value(Extract("KEDAI MAJU\nNO 5, JALAN BESAR\nSUB TOTAL\n"
                          "TOTAL 9.00\n"),
                  "vendor_name"),
            "KEDAI MAJU");
}

TEST(ExtractFieldsTest, TheCountryEndsTheAddress) {
  const core::Extraction e = Extract(R"(NANDO'S CHICKENLAND SDN BHD
No 8, Jalan 7/118B, Desa Tun Razak
56000 Kuala Lumpur, Malaysia
SUNWAY VELOCITY
TOTAL 9.00)");
  EXPECT_EQ(Value(e, "vendor_address"),
            "No 8, Jalan 7/118B, Desa Tun Razak 56000 Kuala Lumpur, Malaysia");
}

TEST(ExtractFieldsTest, ACashRoundingLineRoundsTheTotalToTheCurrencysStep) {
  // The rounded total line was misread; the rounding line says there is one.
  const core::Extraction e = Extract(R"(KEDAI MAJU SDN BHD
Total Sales (Inclusive GST) RM 13.58
Rounding Adjustment RM 0.O2
Rounding RM 13,4!)");
  EXPECT_EQ(Value(e, "currency"), "MYR");
  EXPECT_EQ(Value(e, "total"), "13.60");
  EXPECT_NE(std::find(e.warnings.begin(), e.warnings.end(),
                      "the total is rounded to the nearest 0.05 MYR, as the "
                      "page's rounding line says"),
            e.warnings.end());
  // No rounding line, a rounding of nothing, or a currency paid to the
  // cent: the total as read.
  EXPECT_EQ(Value(Extract("SHOP\nTotal RM 13.58\n"), "total"), "13.58");
  EXPECT_EQ(Value(Extract("SHOP\nTotal EUR 13.58\nRounding 0.00\n"), "total"),
            "13.58");
  EXPECT_EQ(Value(Extract("SHOP\nTotal USD 13.58\nRounding adj\n"), "total"),
            "13.58");
  // Euro countries that round cash print the line; with no currency read
  // the line still says the total was rounded, to the usual 0.05.
  EXPECT_EQ(Value(Extract("WINKEL\nItem 13.58\nTotaal EUR 13.58\n"
                          "Afronding\nPIN 13.60\n"),
                  "total"),
            "13.60");
  EXPECT_EQ(Value(Extract("SHOP\nItem 10.44\nTotal 10.44\nRounding Adj\n"
                          "Thank you\n"),
                  "total"),
            "10.45");
  // A title or a sentence that says "adjustment", and the ground floor,
  // are no rounding lines.
  EXPECT_EQ(Value(Extract("TAX INVOICE / ADJUSTMENT NOTE\nGROUND FLOOR, NO. 4\n"
                          "Item 3.21\nTotal Payable: 3.21\nAdjustment Note\n"),
                  "total"),
            "3.21");
}

TEST(FieldsTest, TheStreetIsNoNameWhenTheNameAboveIsReadBadly) {
  // "Jalan" misread, so the street says no street word; the postcode too.
  const core::Extraction r = Extract(R"(RES 4 SHENG
ijs)g-wW
No.2, Jao | emenggung
Seksyen 9, andar Mahkota Uiesas,
4320 ( cras, Selangor
GST REG NO: 001335787520
TOTAL 19.40)");
  EXPECT_EQ(Value(r, "vendor_name"), "RES 4 SHENG");
  EXPECT_EQ(Value(r, "vendor_address").substr(0, 9), "No.2, Jao");
}

TEST(FieldsTest, ShortLowerCaseSpecksAfterANameInCapitalsAreNoPartOfIt) {
  EXPECT_EQ(Value(Extract("RESTORAN SIAM VILLAGE os\nNO 2, JALAN PERMAS 10/7\n"
                          "TOTAL 19.40"),
                  "vendor_name"),
            "RESTORAN SIAM VILLAGE");
  // Names in mixed case keep their short words, and so does a name in
  // capitals whose last word is upper case.
  EXPECT_EQ(Value(Extract("Bistro de la Paz\nNO 2, JALAN PERMAS 10/7\n"
                          "TOTAL 19.40"),
                  "vendor_name"),
            "Bistro de la Paz");
  EXPECT_EQ(Value(Extract("KEDAI MAJU JAYA SB\nNO 2, JALAN PERMAS 10/7\n"
                          "TOTAL 19.40"),
                  "vendor_name"),
            "KEDAI MAJU JAYA SB");
}

TEST(FieldsTest, AnAddressAboveTheNameIsFoundWhenNoneFollowsIt) {
  // A station's brand and address over the operator's name.
  const core::Extraction r = Extract(R"(TAX INVOICE
LOT 12, JALAN MAWAR 3
81750 MASAI, JOHOR
ACME FUEL ENTERPRISE SDN BHD
CO. REG. NO: 001011128-T
GST NO: 001234567890
Item 10.00
TOTAL 19.40)");
  EXPECT_EQ(Value(r, "vendor_name"), "ACME FUEL ENTERPRISE SDN BHD");
  EXPECT_EQ(Value(r, "vendor_address"),
            "LOT 12, JALAN MAWAR 3 81750 MASAI, JOHOR");
  // Without a postcode, a street above the name is not taken for the
  // address.
  const core::Extraction q = Extract(R"(TAX INVOICE
LOT 12, JALAN MAWAR 3
ACME FUEL ENTERPRISE SDN BHD
CO. REG. NO: 001011128-T
TOTAL 19.40)");
  EXPECT_EQ(q.fields.count("vendor_address"), 0u);
}

TEST(FieldsTest, StreetWordsOfOtherLanguagesStartAnAddress) {
  // A street line with no house number is the address's first line, not a
  // branch name passed over.
  EXPECT_EQ(Value(Extract("RELAIS DU LAC\nAUTOROUTE A6 SORTIE 12\n"
                          "71000 MACON\nTOTAL 12,00 EUR"),
                  "vendor_address"),
            "AUTOROUTE A6 SORTIE 12 71000 MACON");
  EXPECT_EQ(Value(Extract("CAFE DE JONG\nKalverstraat 12\n1012 NX Amsterdam\n"
                          "Totaal 9,50"),
                  "vendor_address"),
            "Kalverstraat 12 1012 NX Amsterdam");
}

TEST(FieldsTest, PostcodesOfMoreCountriesEndTheAddress) {
  // Poland and Portugal hyphenate theirs; Australia's follow the state.
  EXPECT_EQ(Value(Extract("Delikatesy Zdrowie\nul. Swietojanska 129\n"
                          "80-831 Gdansk\nSUMA PLN 45,20"),
                  "vendor_address"),
            "ul. Swietojanska 129 80-831 Gdansk");
  EXPECT_EQ(Value(Extract("PASTELARIA CENTRAL\nPRACA DO COMERCIO 90\n"
                          "1100-048 LISBOA\nTel: 213 123 456\nTOTAL 12,50"),
                  "vendor_address"),
            "PRACA DO COMERCIO 90 1100-048 LISBOA");
  EXPECT_EQ(Value(Extract("Chemist Bondi\n181 George St\nAdelaide SA 5000\n"
                          "Ph (02) 9123 4567\nTOTAL $12.50"),
                  "vendor_address"),
            "181 George St Adelaide SA 5000");
  // A city whose first letter is no ASCII capital.
  EXPECT_EQ(Value(Extract("Zdrowie Transport sp.j.\nul. Długa 78\n"
                          "90-001 Łódź\nRAZEM 9,00"),
                  "vendor_address"),
            "ul. Długa 78 90-001 Łódź");
  // Its first letter misread as a small one, the city in capitals.
  EXPECT_EQ(Value(Extract("NOWAK DELIKATESY\nUL. SWIETOJANSKA 116\n"
                          "90-001 tODZ\nSUMA 9,00"),
                  "vendor_address"),
            "UL. SWIETOJANSKA 116 90-001 tODZ");
  // A Canadian postcode with a digit read as a letter, after its province.
  EXPECT_EQ(Value(Extract("MAPLE LEAF BOOKS\n366 YONGE ST\n"
                          "TORONTO, ON MSB 2H1\nTOTAL $9.00"),
                  "vendor_address"),
            "366 YONGE ST TORONTO, ON M5B 2H1");
  // Four digits after a word in capitals that ends no line are no postcode.
  EXPECT_EQ(Value(Extract("Chemist Bondi\n181 George St\nTABLE 12 GUESTS 4\n"
                          "TOTAL $12.50"),
                  "vendor_address"),
            "181 George St");
}

TEST(FieldsTest, APolishLegalFormWithZerosForItsOsIsStillOne) {
  // "Sp. z o.o." read "Sp. z 0.0." is no amount on the name's line.
  EXPECT_EQ(Value(Extract("Nowak Informatyka Sp. z 0.0.\nul. Florianska 66\n"
                          "90-001 Lodz\nRAZEM 5.935,56"),
                  "vendor_name"),
            "Nowak Informatyka Sp. z o.o.");
}

TEST(FieldsTest, ALetterSpacedTitleReadAsTwoWordsIsStillATitle) {
  // "F AKTURA VAT", its first letter apart, is no vendor's name.
  const core::Extraction e = Extract(
      "F AKTURA VAT\nPod Lipa Handel sp.j.\nul. Dluga 7\n"
      "50-001 Wroclaw\nRAZEM 5.935,56");
  EXPECT_EQ(Value(e, "vendor_name"), "Pod Lipa Handel sp.j.") << Dump(e);
}

TEST(FieldsTest, TheCustomersBlockBesideTheVendorsIsNotTheVendor) {
  // An A4 letterhead: the customer's block at the left, the vendor's at the
  // right, on the same rows (OCR reads each row across both columns).
  const std::string page =
      "RECHNUNG\n"
      "Rechnungsempfanger:                Becker Elektrotechnik GmbH\n"
      "Hoffmann Bau AG                    Hauptstrasse 31\n"
      "Marktplatz 37                      70173 Stuttgart\n"
      "20095 Hamburg                      Tel. 0711 962391\n"
      "\n"
      "Rechnungsdatum: 03.09.2025\n"
      "Gesamtbetrag 1.145,78 EUR\n";
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "vendor_name"), "Becker Elektrotechnik GmbH");
  EXPECT_EQ(Value(r, "vendor_address"), "Hauptstrasse 31 70173 Stuttgart");
  // The vendor at the left, the title and the invoice's number beside it.
  const core::Extraction q = Extract(
      "Thornbury Consulting LLP                 TAX INVOICE\n"
      "94 High Street                           Invoice No. 4471\n"
      "Bristol BS1 5TR                          Date: 05/04/2024\n"
      "\n"
      "Bill to\n"
      "Abbey Print Ltd\n"
      "12 Mill Lane\n"
      "Bath BA1 1LT\n"
      "Total 2,641.52\n");
  EXPECT_EQ(Value(q, "vendor_name"), "Thornbury Consulting LLP");
  EXPECT_EQ(Value(q, "vendor_address"), "94 High Street Bristol BS1 5TR");
}

TEST(FieldsTest, TheCustomerUnderAnyPartyLabelIsNoVendor) {
  // The labels after which the receiver's block follows are the same ones
  // that identifiers.cpp reads the receiver after.
  const core::Extraction e = Extract(
      "Oak Print Ltd\nBilling address\nSmith Holdings Ltd\n12 Oak Street\n"
      "London W1U 6TQ\nTOTAL 9.00");
  EXPECT_EQ(Value(e, "vendor_name"), "Oak Print Ltd");
  EXPECT_EQ(Value(e, "vendor_address"), "<none>");
  EXPECT_EQ(Value(Extract("Rechnungsadresse\nSchmidt Logistik GmbH\n"
                          "Lindenweg 14\n70173 Stuttgart\nSumme 9,00"),
                  "vendor_name"),
            "<none>");
  const std::vector<std::string> labels = internal::PartyLabels();
  for (const char* label : {"bill to", "rechnung an", "ship to"}) {
    EXPECT_NE(std::find(labels.begin(), labels.end(), label), labels.end())
        << label;
  }
  // "An" is a label only before a colon.
  EXPECT_EQ(std::find(labels.begin(), labels.end(), "an"), labels.end());
}

TEST(FieldsTest, ANameEndingWithAnAmpersandGoesOnInTheNextLine) {
  EXPECT_EQ(Value(Extract("RECHNUNG\nBecker Elektrotechnik GmbH &\nCo. KG\n"
                          "Hauptstrasse 31\n70173 Stuttgart\nGesamt 5,00"),
                  "vendor_name"),
            "Becker Elektrotechnik GmbH & Co. KG");
  // The legal form goes on after a line that has one of its own.
  EXPECT_EQ(Value(Extract("RECHNUNG\nNeumann Druckerei GmbH\n& Co. KG\n"
                          "Hauptstrasse 31\n70173 Stuttgart\nGesamt 5,00"),
                  "vendor_name"),
            "Neumann Druckerei GmbH & Co. KG");
  // A title printed right after the name is no part of it.
  EXPECT_EQ(Value(Extract("Thornbury Joinery Limited INVOICE\n94 High Street\n"
                          "Bristol BS1 5TR\nTotal 5.00"),
                  "vendor_name"),
            "Thornbury Joinery Limited");
  EXPECT_EQ(Value(Extract("De Molen Transport V.O.F. Factuur\nMarktplein 170\n"
                          "3511 LX Utrecht\nTotaal 5,00"),
                  "vendor_name"),
            "De Molen Transport V.O.F.");
}

TEST(FieldsTest, AnAddressEndsWhereAnotherBlockBegins) {
  // The customer's block over the vendor's, both at the left: the vendor's
  // address stops at its block's end, not in the next block's name.
  const core::Extraction r = Extract(
      "Facture\n"
      "de la Gare Transports EURL\n"
      "71 avenue Victor Hugo\n"
      "31000 Toulouse\n"
      "                                  Hotel des Celestins\n"
      "                                  4 place Bellecour\n"
      "Total TTC 7.087,18 EUR\n");
  EXPECT_EQ(Value(r, "vendor_name"), "de la Gare Transports EURL");
  EXPECT_EQ(Value(r, "vendor_address"), "71 avenue Victor Hugo 31000 Toulouse");
}

// A line of `text` in `box`: PageFromText's words stretched to the box.
OcrLine LineIn(const std::string& text, core::BBox box) {
  OcrLine line = PageFromText(text).lines.front();
  const double scale = double(box.x1 - box.x0) / line.box.x1;
  for (OcrWord& w : line.words) {
    w.box = {box.x0 + int(w.box.x0 * scale), box.y0,
             box.x0 + int(w.box.x1 * scale), box.y1};
  }
  line.box = box;
  return line;
}

TEST(FieldsTest, TheTaxesOfATotalsBlockReadApartFromTheirValuesAddUp) {
  // The labels read as one block and the values as another: the second
  // rate's label stands alone in its block ("IVA 10%"), so the page's lines
  // make 22.496,67 + 1.965,26, short of the total; its rows give both
  // taxes.
  OcrPage page;
  page.width = 1700;
  page.height = 1400;
  page.lines = {LineIn("Garcia Consultores S.L.", {100, 100, 700, 140}),
                LineIn("Subtotal 22.496,67", {900, 1000, 1200, 1030}),
                LineIn("IVA 21% 1.965,26", {900, 1050, 1200, 1080}),
                LineIn("IVA 10%", {900, 1100, 1030, 1130}),
                LineIn("Total factura 25.775,76 €", {900, 1150, 1250, 1180}),
                LineIn("1.313,83", {1500, 1100, 1600, 1130})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "total"), "25775.76") << Dump(r);
  EXPECT_EQ(Value(r, "subtotal"), "22496.67") << Dump(r);
  EXPECT_EQ(Value(r, "tax"), "3279.09") << Dump(r);
  EXPECT_TRUE(std::find(r.warnings.begin(), r.warnings.end(),
                        "subtotal + tax != total") == r.warnings.end())
      << Dump(r);
}

TEST(FieldsTest, ASubtotalsLabelBesideNothingIsFoundInTheRows) {
  // The subtotal's and the discount's labels read as one block, their values
  // as another; the total and the tax read with theirs. The rows give the
  // subtotal.
  OcrPage page;
  page.width = 1700;
  page.height = 1400;
  page.lines = {LineIn("Hofer Beratung AG", {100, 100, 600, 140}),
                LineIn("Zwischentotal", {900, 1000, 1100, 1030}),
                LineIn("Rabatt 10%", {900, 1050, 1080, 1080}),
                LineIn("zzgl. MWST 8.1 % 1'208.99", {900, 1100, 1600, 1130}),
                LineIn("Total CHF 16'134.84", {900, 1150, 1600, 1180}),
                LineIn("16'584.28", {1450, 1000, 1600, 1030}),
                LineIn("-1'658.43", {1450, 1050, 1600, 1080})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "total"), "16134.84") << Dump(r);
  EXPECT_EQ(Value(r, "subtotal"), "16584.28") << Dump(r);
}

TEST(FieldsTest, ATotalsLabelBesideNothingBeatsTheAmountDue) {
  // The labels read as one block and the values as another, a little lower
  // (a line beside a line overlaps it by less than half), but for the last
  // row, read whole: the amount due is no total while "Wartość brutto"
  // stands beside nothing. The rows give the total, the amount due and the
  // payment make it.
  OcrPage page;
  page.width = 1700;
  page.height = 1400;
  page.lines = {
      LineIn("Wisniewski Informatyka S.A.", {100, 100, 700, 140}),
      LineIn("Wartość netto", {900, 1000, 1100, 1030}),
      LineIn("Kwota VAT 23%", {900, 1050, 1100, 1080}),
      LineIn("Wartość brutto", {900, 1100, 1100, 1130}),
      LineIn("Zaliczka", {900, 1150, 1050, 1180}),
      LineIn("10.000,00", {1450, 1018, 1600, 1048}),
      LineIn("2.300,00", {1450, 1068, 1600, 1098}),
      LineIn("12.300,00", {1450, 1118, 1600, 1148}),
      LineIn("-3.000,00", {1450, 1168, 1600, 1198}),
      LineIn("Pozostało do zapłaty 9.300,00", {900, 1220, 1600, 1250})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "total"), "12300.00") << Dump(r);
  EXPECT_EQ(Value(r, "subtotal"), "10000.00") << Dump(r);
}

TEST(FieldsTest, TotalsBeforeTaxAndTaxesMisreadAreFoundByTheirSums) {
  // "Total ex GST" and "Total s/ IVA" (sem IVA) are amounts before tax.
  const core::Extraction au = Extract(
      "Total ex GST 13,952.77\nGST 10% 1,395.28\nTOTAL AUD $15,348.05\n");
  EXPECT_EQ(Value(au, "subtotal"), "13952.77") << Dump(au);
  EXPECT_EQ(Value(au, "tax"), "1395.28") << Dump(au);
  const core::Extraction pt = Extract(
      "Total s/ IVA 27.986,39\nIVA 23% 2.111,57\nIVA 13% 2.444,73\n"
      "TOTAL 32.542,69 €\n");
  EXPECT_EQ(Value(pt, "subtotal"), "27986.39") << Dump(pt);
  EXPECT_EQ(Value(pt, "tax"), "4556.30") << Dump(pt);
  // A subtotal above the total that a discount under it brings down.
  const core::Extraction nl = Extract(
      "Totaal excl. BTW 14.354,94\nKorting 10% -1.435,49\n"
      "BTW (9%) 1.162,75\nTotaal €14.082,20\n");
  EXPECT_EQ(Value(nl, "subtotal"), "14354.94") << Dump(nl);
  EXPECT_EQ(Value(nl, "total"), "14082.20") << Dump(nl);
  // "MwSt" misread "MwsSt": the rate makes the line the tax.
  const core::Extraction de =
      Extract("Nettobetrag 212,13\nMwsSt 19% 40,30\nGesamtbetrag 252,43 EUR\n");
  EXPECT_EQ(Value(de, "tax"), "40.30") << Dump(de);
  // But not a line whose rate does not make it.
  const core::Extraction other = Extract(
      "Nettobetrag 212,13\nRabattx 5% 40,30\nGesamtbetrag 252,43 EUR\n");
  EXPECT_NE(Value(other, "tax"), "40.30") << Dump(other);
}

TEST(FieldsTest, TaxIncludedInTheTotalIsFoundByItsRate) {
  // Printed under the payment, its label spelt out ("IVA incluido") or
  // misread ("BIW" for "BTW"): the rate makes it the tax part of the total.
  const core::Extraction es = Extract(
      "Pan 16,32\nQueso 8,41\nTOTAL A PAGAR 24,73\nTARJETA 24,73\n"
      "IVA incluido 21% 4,29\n");
  EXPECT_EQ(Value(es, "tax"), "4.29") << Dump(es);
  EXPECT_EQ(Value(es, "total"), "24.73") << Dump(es);
  const core::Extraction nl = Extract(
      "Koffie 4,51\nTe betalen 141,56\nContant 150,00\n"
      "Wisselgeld 8,44\nBIW 21% 24,57\n");
  EXPECT_EQ(Value(nl, "tax"), "24.57") << Dump(nl);
  // A rate that does not make the amount says nothing.
  const core::Extraction other = Extract(
      "Koffie 4,51\nTe betalen 141,56\nContant 150,00\n"
      "Wisselgeld 8,44\nKorting 21% 20,00\n");
  EXPECT_EQ(Value(other, "tax"), "<none>") << Dump(other);
}

TEST(FieldsTest, ANameOnTwoLinesOfOnePrintIsOneName) {
  // A till slip's name in large print on two lines, the second word taller
  // ("Q" and "ll" against "des") and so scored a little higher: the line
  // above, scored nearly as well, opens the name.
  OcrPage page;
  page.width = 1700;
  page.height = 1400;
  page.lines = {LineIn("des Halles", {722, 171, 1261, 246}),
                LineIn("Quincaillerie", {637, 293, 1343, 383}),
                LineIn("3 place de la Republique", {530, 413, 1452, 478}),
                LineIn("13001 Marseille", {705, 504, 1276, 554}),
                LineIn("Tel : 03 20 34 60 13", {605, 588, 1373, 641}),
                LineIn("Date : 18/07/2025", {343, 763, 995, 813}),
                LineIn("Pain 13,25", {89, 850, 1431, 866}),
                LineIn("TOTAL TTC 88,45 EUR", {88, 900, 1430, 938})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "vendor_name"), "des Halles Quincaillerie");
  EXPECT_EQ(Value(r, "vendor_address"),
            "3 place de la Republique 13001 Marseille");
}

TEST(FieldsTest, ALegalFormUnderANameInLargePrintEndsIt) {
  // Lines of large print lie further apart than the body text is high.
  OcrPage page;
  page.width = 800;
  page.height = 1000;
  page.lines = {LineIn("Van Dijk Transport", {55, 59, 243, 75}),
                LineIn("B.V.", {55, 85, 95, 101}),
                LineIn("Marktplein 13", {55, 111, 133, 121}),
                LineIn("2511 BT Den Haag", {55, 127, 162, 137}),
                LineIn("Datum: 21-02-2021", {312, 160, 480, 170}),
                LineIn("Totaal 5.351,81", {312, 460, 509, 470})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "vendor_name"), "Van Dijk Transport B.V.");
  EXPECT_EQ(Value(r, "vendor_address"), "Marktplein 13 2511 BT Den Haag");
}

TEST(FieldsTest, ASpeckBetweenANameAndItsLegalFormIsPassedOver) {
  // "i." read as a line of its own between the name and "Limited".
  OcrPage page;
  page.width = 800;
  page.height = 1000;
  page.lines = {LineIn("New Royal Infotech Private", {55, 59, 343, 75}),
                LineIn("i.", {60, 80, 66, 84}),
                LineIn("Limited", {55, 85, 135, 101}),
                LineIn("141, Anna Salai", {55, 111, 183, 121}),
                LineIn("New Delhi 110001", {55, 127, 192, 137}),
                LineIn("Grand Total 5,351.81", {312, 460, 509, 470})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "vendor_name"), "New Royal Infotech Private Limited")
      << Dump(r);
  EXPECT_EQ(Value(r, "vendor_address"), "141, Anna Salai New Delhi 110001");
  // The Swiss legal form, its accent read by the German model as "ä".
  EXPECT_EQ(Value(Extract("Gerber Treuhand Särl\nKramgasse 4\n3011 Bern\n"
                          "Total CHF 12.00"),
                  "vendor_name"),
            "Gerber Treuhand Sàrl");
}

TEST(FieldsTest, ADateBesideALabelOnTwoLinesIsItsValue) {
  // "Fecha de" / "vencimiento:" in a narrow column, the date centred beside
  // the two lines as tables centre their cells.
  OcrPage page;
  page.width = 800;
  page.height = 1000;
  page.lines = {LineIn("Martinez Construcciones S.A.", {55, 58, 244, 71}),
                LineIn("Fecha de emision: 10-08-2020", {304, 131, 491, 140}),
                LineIn("Fecha de", {304, 149, 352, 158}),
                LineIn("vencimiento:", {304, 164, 373, 173}),
                LineIn("09-09-2020", {429, 156, 491, 165}),
                LineIn("Total 5.351,81", {312, 460, 509, 470})};
  const core::Extraction r = Extract(page);
  EXPECT_EQ(Value(r, "invoice_date"), "2020-08-10");
  EXPECT_EQ(Value(r, "due_date"), "2020-09-09");
  // The date itself on both lines, its year beside the label's second.
  page.lines = {LineIn("El Puerto Informatica S.A.", {55, 58, 244, 71}),
                LineIn("Fecha de factura: 20-06-2025", {304, 131, 491, 140}),
                LineIn("Fecha de", {304, 164, 352, 174}),
                LineIn("vencimiento: 2025", {304, 180, 469, 190}),
                LineIn("04-08-", {429, 164, 474, 174}),
                LineIn("Total 5.351,81", {312, 460, 509, 470})};
  // (The words at their cells' places: the date's under each other.)
  page.lines[3].words[0].box = {304, 180, 373, 190};
  page.lines[3].words[1].box = {429, 180, 458, 190};
  const core::Extraction both = Extract(page);
  EXPECT_EQ(Value(both, "invoice_date"), "2025-06-20") << Dump(both);
  EXPECT_EQ(Value(both, "due_date"), "2025-08-04");
}

TEST(FieldsTest, ALegalWordOpeningARegistrationLabelIsNoName) {
  const core::Extraction r = Extract(
      "K STATIONERY & OFFICE SUPPLIES\nNO.9, JALAN MANIS 3\n"
      "56100 KUALA LUMPUR.\nCompany Reg No. :001260452-W\nTOTAL 9.00\n");
  EXPECT_EQ(Value(r, "vendor_name"), "K STATIONERY & OFFICE SUPPLIES");
}

TEST(LinesToRereadTest, PicksLabelledValuesThatAreMissingOrDoubtful) {
  OcrPage page = PageFromText(R"(SHOP NAME
Date : 05- balk 11:25:29
Item A 3.00
Grand Total aw 35
Cash 10.50
Change 2.15)");
  // The cash line was read surely, the change doubtfully.
  for (OcrWord& w : page.lines[5].words) w.confidence = 0.4f;
  const std::vector<Reread> picks = LinesToReread(page, 8);
  std::vector<size_t> lines;
  for (const Reread& r : picks) lines.push_back(r.line);
  // The total without decimals and the date line of a page with no date
  // first (as needed as each other, in page order), then the doubtful
  // change; neither the item nor the sure cash line.
  EXPECT_EQ(lines, (std::vector<size_t>{1, 3, 5}));
  // The value starts after its label.
  EXPECT_EQ(picks[1].x0, page.lines[3].words[1].box.x1);
  EXPECT_TRUE(picks[0].date);
  EXPECT_FALSE(picks[1].date);
  EXPECT_EQ(LinesToReread(page, 1).size(), 1u);
  // With a date read elsewhere, a date line without one comes after the
  // total.
  page = PageFromText(R"(SHOP NAME 01/02/2018
Date : 05- balk 11:25:29
Item A 3.00
Grand Total aw 35)");
  lines.clear();
  for (const Reread& r : LinesToReread(page, 8)) lines.push_back(r.line);
  EXPECT_EQ(lines, (std::vector<size_t>{3, 1}));
}

TEST(LinesToRereadTest, ADueDateLineWithoutADateIsReadAgain) {
  const OcrPage page = PageFromText(R"(Neumann Bau AG
Rechnungsdatum: 06.10.25
Zahlbar bis: O5'1.25
Rechnungsbetrag 14.796,64)");
  const std::vector<Reread> picks = LinesToReread(page, 8);
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_EQ(picks[0].line, 2u);
  EXPECT_TRUE(picks[0].date);
}

TEST(LinesToRereadTest, OnAPageWithoutADateADateMisreadIsReadAgain) {
  const OcrPage page = PageFromText(R"(SHOP NAME
TEL : 03-87238214
3003/2018 No. CS-20322
TOTAL 9.00)");
  const std::vector<Reread> picks = LinesToReread(page, 8);
  ASSERT_EQ(picks.size(), 1u);
  EXPECT_EQ(picks[0].line, 2u);
  EXPECT_TRUE(picks[0].date);
}

TEST(NordicTest, SwedishReceiptCrownDateYearFirstAndPostcode) {
  const core::Extraction e = Extract(R"(SODER JARNHANDEL
SVEAVAGEN 117
411 05 GOTEBORG
Tel: 062-591 78 27
Tidning 10,13
Kanelbulle 13,23
Delsumma 23,36
SUMMA 23,36 kr
KONTANT 30,00
Tillbaka 6,64
Moms 12% 2,50
22-09-12 13:46
Tack for besoket!)");
  EXPECT_EQ(Value(e, "vendor_name"), "SODER JARNHANDEL") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_address"), "SVEAVAGEN 117 411 05 GOTEBORG");
  // "kr" on a Swedish page is the Swedish crown, and its dates year first.
  EXPECT_EQ(Value(e, "currency"), "SEK");
  EXPECT_EQ(Value(e, "invoice_date"), "2022-09-12");
  EXPECT_EQ(Value(e, "total"), "23.36");
  ExpectWellFormed(e);
}

TEST(NordicTest, TheCrownIsTheCountrysAndNoneWithoutEvidence) {
  const core::Extraction dk = Extract(R"(CAFE LYKKE
Kaffe 30,38
I ALT 43,70 kr.
Dankort 43,70
Heraf moms 25% 8,74
Tak for besoget)");
  EXPECT_EQ(Value(dk, "currency"), "DKK") << Dump(dk);
  EXPECT_EQ(Value(dk, "total"), "43.70");
  const core::Extraction no = Extract(R"(BAKERI BJORKLY
Kaffe 30,38
TOTALT 34,37 kr
Vipps 34,37
Herav mva 25% 6,87)");
  EXPECT_EQ(Value(no, "currency"), "NOK") << Dump(no);
  // "kr" alone, in no language: the crown of no country in particular.
  const core::Extraction none = Extract("SHOP\nTOTAL 34,37 kr\nCARD 34,37\n");
  EXPECT_EQ(Value(none, "currency"), "<none>") << Dump(none);
  EXPECT_EQ(Value(none, "total"), "34.37");
}

TEST(NordicTest, ALetterReadAsAtIsNoEmailAndEndsNoAddress) {
  const core::Extraction e = Extract(R"(CAFE LYKKE
SONDERGADE 84
2100 KOBENHAVN @
Dato 10/04/18 20:31
Kaffe 30,38
I ALT 30,38
info@lykke.dk)");
  // (Marks without letters are left out of the address's text.)
  EXPECT_EQ(Value(e, "vendor_address"), "SONDERGADE 84 2100 KOBENHAVN")
      << Dump(e);
  // An "@" inside a word without a domain after it is a letter too.
  const core::Extraction name = Extract(
      "BAKERI BJ@RKLY\nBRYGGEN 78\n0154 OSLO\nTOTALT 34,37\n"
      "post@bjorkly.no\n");
  EXPECT_EQ(Value(name, "vendor_name"), "BAKERI BJ@RKLY") << Dump(name);
  EXPECT_EQ(Value(name, "vendor_address"), "BRYGGEN 78 0154 OSLO");
  // A letter outside ASCII is a letter: Copenhagen's district stays.
  const core::Extraction read = Extract(
      "CAFE LYKKE\nSØNDERGADE 84\n2100 KØBENHAVN Ø\nKaffe 30,38\n"
      "I ALT 30,38\n");
  EXPECT_EQ(Value(read, "vendor_address"), "SØNDERGADE 84 2100 KØBENHAVN Ø")
      << Dump(read);
}

TEST(PostcodeTest, ThreeDigitsAndTwoOpenACityLine) {
  // Czechia, with Prague's district after the city; Sweden, with the last
  // letter of the city read as a digit.
  const core::Extraction cz = Extract(R"(Dvorak Knihkupectvi
Husova 28
110 00 Praha 1
Tel: +420 559 492 284
Datum: 4.5.2021 21:38
CELKEM 107,40 Kc
DPH 21% 18,64)");
  EXPECT_EQ(Value(cz, "vendor_name"), "Dvorak Knihkupectvi") << Dump(cz);
  EXPECT_EQ(Value(cz, "vendor_address"), "Husova 28 110 00 Praha 1");
  EXPECT_EQ(Value(cz, "currency"), "CZK");
  const core::Extraction se = Extract(R"(Lindqvist Apotek
Drottninggatan 54
211 22 Malm6
Totalt 81,35 kr
Kort 81,35)");
  EXPECT_EQ(Value(se, "vendor_address"), "Drottninggatan 54 211 22 Malm6")
      << Dump(se);
  // Three digits and two before an item are no postcode.
  const core::Extraction item =
      Extract("SHOP\n100 20 Napkins 3.50\nTOTAL 3.50\n");
  EXPECT_EQ(Value(item, "vendor_address"), "<none>") << Dump(item);
}

TEST(BoxOfLineTest, TheFieldOnTheLinesRowsThatTheLineReachesInto) {
  // The vendor's name (right) and the customer's (left) on the same rows of
  // a two-column letterhead: each line is read again in its own field's
  // columns.
  const std::vector<core::BBox> boxes = {{1061, 297, 1735, 350},
                                         {208, 319, 586, 355}};
  OcrLine customer;
  customer.box = {210, 320, 580, 352};
  OcrLine vendor;
  vendor.box = {1065, 300, 1730, 348};
  OcrLine below;
  below.box = {210, 400, 580, 430};
  ASSERT_NE(internal::BoxOfLine(customer, boxes), nullptr);
  EXPECT_EQ(*internal::BoxOfLine(customer, boxes), boxes[1]);
  EXPECT_EQ(*internal::BoxOfLine(vendor, boxes), boxes[0]);
  EXPECT_EQ(internal::BoxOfLine(below, boxes), nullptr);
}

TEST(CzechTest, TheLegalFormWithItsOReadAsZeroAndWrappedAfterItsS) {
  const core::Extraction wrapped = Extract(R"(Svoboda Poradenstvi spol. s
r.0.
Masarykova 36
110 00 Praha 1
CELKEM 1 183,86 Kc)");
  EXPECT_EQ(Value(wrapped, "vendor_name"), "Svoboda Poradenstvi spol. s r.o.")
      << Dump(wrapped);
  EXPECT_EQ(Value(wrapped, "vendor_address"), "Masarykova 36 110 00 Praha 1");
  const core::Extraction one = Extract(R"(Vltava Doprava s.r.0.
Narodni 23
301 00 Plzen
CELKEM 1 183,86 Kc)");
  EXPECT_EQ(Value(one, "vendor_name"), "Vltava Doprava s.r.o.") << Dump(one);
}

TEST(CzechTest, OnAPageOfDecimalCommasASpaceGroupedPointIsAComma) {
  // The page prints "6 508,31" and "3 254,31": the total's "6 508.31" is the
  // same style with its comma misread, not "6" and "508.31".
  const core::Extraction e = Extract(R"(Novak Doprava s.r.o.
Mezisoucet 5 661,51
DPH 21% 1 188,92
Celkem k uhrade 6 508.31 Kc
6 508,31 Kc
3 254,31)");
  EXPECT_EQ(Value(e, "total"), "6508.31") << Dump(e);
  // Without that evidence a space ends an amount before a decimal point.
  const core::Extraction alone = Extract("SHOP\nTOTAL 2 125.00\n");
  EXPECT_EQ(Value(alone, "total"), "125.00") << Dump(alone);
}

TEST(IndonesianTest, AStreetReadJiIsJl) {
  const core::Extraction e = Extract(R"(Maju Jaya Kedai Kopi
Ji. Gajah Mada No. 191
Jakarta Pusat 10110
Telp. (0294) 5177704
Tgl: 27/10/2020 17:48
Nasi Goreng 27.500
Sub Total 204.000
PB1 10% 20.400
Jumlah 224.400
Tunai 250.000
Kembalian 25.600)");
  EXPECT_EQ(Value(e, "vendor_name"), "Maju Jaya Kedai Kopi") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_address"),
            "Jl. Gajah Mada No. 191 Jakarta Pusat 10110");
  // Dots group thousands where no amount has cents.
  EXPECT_EQ(Value(e, "total"), "224400.00");
  EXPECT_EQ(Value(e, "tax"), "20400.00");
}

TEST(InvoiceLabelsTest, DueDatesAndTotalsOfNordicCzechTurkishInvoices) {
  const core::Extraction fi = Extract(R"(Aalto Rakennus Oy
LASKU
Laskun numero: 68/2021
Paivays: 4.5.2021
Erapaiva: 18.5.2021
Veroton hinta 1 000,00
ALV 24% 240,00
Maksettava 1 240,00 EUR)");
  EXPECT_EQ(Value(fi, "invoice_date"), "2021-05-04") << Dump(fi);
  EXPECT_EQ(Value(fi, "due_date"), "2021-05-18");
  EXPECT_EQ(Value(fi, "total"), "1240.00");
  const core::Extraction cz = Extract(R"(Vltava Doprava s.r.o.
Datum vystaveni: 12.1.2017
Datum splatnosti: 11.2.2017
Zaklad dane 6 153,06
DPH 21% 1 292,14
Celkem k uhrade 7 445,20 Kc)");
  EXPECT_EQ(Value(cz, "invoice_date"), "2017-01-12") << Dump(cz);
  EXPECT_EQ(Value(cz, "due_date"), "2017-02-11");
  EXPECT_EQ(Value(cz, "subtotal"), "6153.06");
  EXPECT_EQ(Value(cz, "total"), "7445.20");
  const core::Extraction tr = Extract(R"(Anadolu Bilisim Ltd. Sti.
FATURA
Fatura Tarihi: 10.03.2016
Son Odeme Tarihi: 10.04.2016
Ara Toplam 8.962,39
KDV (%20) 1.792,48
Odenecek Tutar 10.754,87 TL)");
  EXPECT_EQ(Value(tr, "due_date"), "2016-04-10") << Dump(tr);
  EXPECT_EQ(Value(tr, "total"), "10754.87");
  EXPECT_EQ(Value(tr, "currency"), "TRY");
}

TEST(FieldsTest, ALongInvoiceWithAChargeOnEveryLineIsRead) {
  // Each charge doubles the sums the total may make with the subtotal and
  // tax: forty of them are read as a few, not as 2^40.
  std::string text = "Orchard Solutions Pte. Ltd.\n";
  for (int i = 10; i < 50; ++i) {
    text += "Delivery charge 1 " + std::to_string(i) + ".00\n";
  }
  text += "Subtotal 1,180.00\nGST 9% 106.20\nTotal 1,286.20\n";
  const core::Extraction e = Extract(text);
  EXPECT_EQ(Value(e, "total"), "1286.20") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "1180.00");
}

TEST(CreditNoteTest, AmountsPrintedNegativeGiveANegativeTotal) {
  const core::Extraction e = Extract(R"(Sunset Consulting Inc.
CREDIT NOTE
Credit Note No. CN-2020-0590
Original invoice: INV-2020-0412
Consulting services 2 450.00 -900.00
Materials 1 1,250.00 -1,250.00
Subtotal -2,150.00
Sales Tax 8% -172.00
Total -$2,322.00)");
  EXPECT_EQ(Value(e, "total"), "-2322.00") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "-2150.00");
  EXPECT_EQ(Value(e, "tax"), "-172.00");
  EXPECT_EQ(std::count(e.warnings.begin(), e.warnings.end(),
                       "subtotal + tax != total"),
            0);
  // A refund slip without a title, every amount negative, the same.
  const core::Extraction refund = Extract(R"(CORNER STORE
Returned item -12.50
Returned item -7.50
TOTAL -20.00
CARD REFUND -20.00)");
  EXPECT_EQ(Value(refund, "total"), "-20.00") << Dump(refund);
  // An invoice with a discount taken off is no credit note.
  const core::Extraction discount = Extract(R"(SHOP
Bread 4.00
Discount -1.00
TOTAL 3.00)");
  EXPECT_EQ(Value(discount, "total"), "3.00") << Dump(discount);
}

TEST(RomanianTest, ACapitalIReadAsLOpensANameOrATown) {
  const core::Extraction e = Extract(R"(lonescu Transport S.R.L.
Calea Victoriei nr. 66
700259 lași
TOTAL 12,00 lei)");
  EXPECT_EQ(Value(e, "vendor_name"), "Ionescu Transport S.R.L.") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_address"),
            "Calea Victoriei nr. 66 700259 Ia\u0219i");
  // Not a short word, nor a line with other words in lower case.
  const core::Extraction fr = Extract(R"(Cafe latte bar
12 Rue de la Paix
75002 Paris
TOTAL 12,00 EUR)");
  EXPECT_EQ(Value(fr, "vendor_name"), "Cafe latte bar") << Dump(fr);
  EXPECT_EQ(Value(fr, "vendor_address"), "12 Rue de la Paix 75002 Paris");
}

TEST(HungarianTest, WholeForintsGroupedBySpacesAndAnOReadAsSix) {
  // Forints without cents, grouped by spaces: "16 090" is 16090, not 16 and
  // 090; "Fizetendő" with its "ő" read as "6" is still the amount to pay;
  // the VAT the prices include is printed after the payment.
  const core::Extraction e = Extract(R"(Elelmiszer Hoforras
9021 Gyor
Fo utca 107.
Tel.: +36 89 278 4454
4 x Kave 1 520
Kifli 2 960
Reszosszeg 16 090
Fizetend6 16 090
BANKKARTYA 16 090
AFA 27% 3 421
Datum: 2024. 10. 13. 16:41)");
  EXPECT_EQ(Value(e, "total"), "16090.00") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "16090.00");
  EXPECT_EQ(Value(e, "invoice_date"), "2024-10-13");
  // With "Ft" beside the total, and a currency of its own.
  const core::Extraction ft = Extract(R"(Aranyhal Konyvesbolt
Kave 3 400
Kifli 1 750
OSSZESEN 5 150 Ft
KESZPENZ 6 000
Visszajaro 850)");
  EXPECT_EQ(Value(ft, "total"), "5150.00") << Dump(ft);
  EXPECT_EQ(Value(ft, "currency"), "HUF");
}

TEST(HungarianTest, TheCityBeforeTheStreetWithItsOReadAsSix) {
  // "9021 Győr" read "9021 Gy6ér" opens the address, before the street.
  const core::Extraction e = Extract(R"(Napfeny Tanacsado Bt.
9021 Gy6er
Vaci utca 116.
Tel.: +36 82 339 8113
OSSZESEN 5 150 Ft)");
  EXPECT_EQ(Value(e, "vendor_address"), "9021 Gy6er Vaci utca 116.") << Dump(e);
}

TEST(HungarianTest, InvoiceDatesNetAndAmountToPay) {
  const core::Extraction e = Extract(R"(Kovacs Szallitmanyozasi Kft.
1052 Budapest
Kiraly utca 58.
Szamla
Kiallitas datuma: 2024. 08. 17.
Fizetesi hatarido: 2024. 09. 16.
Netto 6sszesen 4 864 000
AFA 27% 1 313 280
Fizetend6 6 177 280 Ft)");
  EXPECT_EQ(Value(e, "invoice_date"), "2024-08-17") << Dump(e);
  EXPECT_EQ(Value(e, "due_date"), "2024-09-16");
  EXPECT_EQ(Value(e, "subtotal"), "4864000.00");
  EXPECT_EQ(Value(e, "total"), "6177280.00");
}

TEST(RomanianTest, InvoiceLabelsLeiAndADepositTakenOff) {
  const core::Extraction e = Extract(R"(Stefanescu Constructii S.R.L.
Calea Victoriei nr. 49
300011 Timisoara
FACTURA
Data emiterii: 26.04.2017
Data scadentei: 26.05.2017
Total fara TVA 17.644,34
TVA 19% 3.352,42
Total de plata 20.996,76 lei
Avans -6.299,03
Rest de plata 14.697,73)");
  EXPECT_EQ(Value(e, "invoice_date"), "2017-04-26") << Dump(e);
  EXPECT_EQ(Value(e, "due_date"), "2017-05-26");
  EXPECT_EQ(Value(e, "subtotal"), "17644.34");
  EXPECT_EQ(Value(e, "total"), "20996.76");
  EXPECT_EQ(Value(e, "currency"), "RON");
}

TEST(InvoiceLabelsTest, ALongDateLabelWithALetterMisreadStillLabels) {
  // "Förfallodag" with its "ö" read as "é"; a Swedish page's dates year
  // first.
  const core::Extraction e = Extract(R"(Vasa Data AB
FAKTURA
Fakturanr: 2025571
Datum: 25-07-23
Férfallodag: 25-09-06
Moms 25% 1 527,60
Summa att betala 7 638,01 kr)");
  EXPECT_EQ(Value(e, "invoice_date"), "2025-07-23") << Dump(e);
  EXPECT_EQ(Value(e, "due_date"), "2025-09-06") << Dump(e);
  // Eight letters are enough: Finnish "Eräpäivä" read "Eraépaiva" and
  // "Erapdaiva".
  for (const char* label : {"Eraépaiva", "Erapdaiva"}) {
    const core::Extraction fi = Extract(std::string(R"(Pohjola Konsultointi Ky
LASKU
Laskun numero: 127976
Paivays: 27.09.2017
)") + label + R"( 27.10.2017
ALV 25.5% 3 016,41
Maksettava 14 845,46)");
    EXPECT_EQ(Value(fi, "invoice_date"), "2017-09-27") << Dump(fi);
    EXPECT_EQ(Value(fi, "due_date"), "2017-10-27") << label << Dump(fi);
  }
}

TEST(InvoiceLabelsTest, WithinOneEditCountsOneInsertionDeletionOrChange) {
  EXPECT_TRUE(internal::WithinOneEdit("erapaiva", "erapaiva"));
  EXPECT_TRUE(internal::WithinOneEdit("erapaiva", "eraepaiva"));
  EXPECT_TRUE(internal::WithinOneEdit("erapaiva", "erapaiv"));
  EXPECT_TRUE(internal::WithinOneEdit("total", "totai"));
  EXPECT_FALSE(internal::WithinOneEdit("total", "tota1x"));
  EXPECT_FALSE(internal::WithinOneEdit("erapaiva", "eraepdaiva"));
  EXPECT_FALSE(internal::WithinOneEdit("ab", "ba"));
  // Letters, not bytes: a Greek letter is two bytes of UTF-8.
  EXPECT_TRUE(internal::WithinOneEdit("πληρωτεο", "πληρφωτεο"));
  EXPECT_TRUE(internal::WithinOneEdit("πληρωτεο", "πληρωτεσ"));
  EXPECT_FALSE(internal::WithinOneEdit("πληρωτεο", "πληρωτ"));
}

TEST(InvoiceLabelsTest, AGreekTotalLabelWithALetterTooManyStillLabels) {
  // "ΠΛΗΡΩΤΕΟ ΠΟΣΟ" read with a "Φ" inside still labels the total: read
  // as labelled, not as the largest amount with a currency.
  const core::Extraction e = Extract(R"(Παπαδόπουλος Τυπογραφική Ε.Π.Ε.
Υλικά 582,61
ΠΛΗΡΦΩΤΕΟ ΠΟΣΟ 14.940,80 €
Προκαταβολή -7.470,00
Υπόλοιπο 7.470,80)");
  EXPECT_EQ(Value(e, "total"), "14940.80") << Dump(e);
  EXPECT_GT(Conf(e, "total"), 0.8) << Dump(e);
}

TEST(InvoiceLabelsTest, ADepositTakenOffLeavesTheTotalAsPrinted) {
  // The deposit is known by its minus in any language; what is left to pay
  // after it is no total.
  const core::Extraction e = Extract(R"(Bakker Transport V.O.F.
Totaal excl. BTW 14.354,94
Korting 10% -1.435,49
BTW (9%) 1.162,75
Totaal 14.082,20
Aanbetaling -4.225,00
Nog te betalen 9.857,20)");
  EXPECT_EQ(Value(e, "total"), "14082.20") << Dump(e);
  EXPECT_TRUE(e.warnings.empty()) << Dump(e);
  // "Wartość brutto" (gross value) is the Polish invoice's total.
  const core::Extraction pl = Extract(R"(Zdrowie Transport sp.j.
Razem netto 7.186,88
VAT 23% 1.652,98
Wartosc brutto 8.839,86 zl
Zaliczka -4.420,00
Do zaplaty 4.419,86)");
  EXPECT_EQ(Value(pl, "total"), "8839.86") << Dump(pl);
  // An adjustment note's negative total between its totals is no payment:
  // the total payable stays the total.
  const core::Extraction note = Extract(R"(GARDENIA BAKERIES (KL) SDN BHD
TAX INVOICE / ADJUSTMENT NOTE
Total 0% supplies: 11.10
Total 6% supplies (Inc. GST): -7.89
Total supplies: 11.10
Total Payable: 3.21)");
  EXPECT_EQ(Value(note, "total"), "3.21") << Dump(note);
}

TEST(InvoiceLabelsTest, WithoutATotalADiscountIsTakenOffTheSum) {
  const core::Extraction e = Extract(R"(U Tri pstrosu Tisk s.r.o.
Mezisoucet 24 597,08
Sleva 10% -2 459,71
DPH 21% 4 648,85
Dekujeme za spolupraci)");
  EXPECT_EQ(Value(e, "total"), "26786.22") << Dump(e);
  ASSERT_EQ(e.warnings.size(), 1u) << Dump(e);
  EXPECT_NE(e.warnings[0].find("could not be read"), std::string::npos);
}

TEST(InvoiceLabelsTest, ShippingIsAddedAndNamesAreNotSplitIntoLabels) {
  const core::Extraction e = Extract(R"(Aurora Transportes Lda.
Rua de Santa Catarina 52
4700-435 Braga
Subtotal 100,00
Shipping 10,00
IVA 23% 25,30
TOTAL 135,30)");
  // "Transportes" is a word of the name, not "trans" + "portes".
  EXPECT_EQ(Value(e, "vendor_name"), "Aurora Transportes Lda.") << Dump(e);
  EXPECT_EQ(Value(e, "total"), "135.30");
  EXPECT_TRUE(e.warnings.empty()) << Dump(e);
}

TEST(InvoiceLabelsTest, DeliveryChargesOfMoreLanguagesAreAdded) {
  // The total's line misread ("Talt" for "I alt"): the sum of the subtotal,
  // the delivery and the tax is printed, and is the total.
  for (const std::string delivery :
       {"Levering", "Delivery", "Doprava", "Livraison"}) {
    const core::Extraction e = Extract(
        "Christianshavn IT ApS\n"
        "Subtotal 10.473,62\n" +
        delivery +
        " 18,87\nMoms (25%) 2.623,12\n"
        "Talt 13.115,61 kr.\n");
    EXPECT_EQ(Value(e, "total"), "13115.61") << delivery << "\n" << Dump(e);
  }
}

TEST(InvoiceLabelsTest, ATotalWithItsLabelMisreadBeforeAPaymentAndTheBalance) {
  // "I alt" read "Talt": the amount the parts make, less the payment under
  // it, is the balance; the total, not the balance.
  const core::Extraction e = Extract(
      "Møllen Rådgivning ApS\nItem Qty Price Total\nKørsel 1 896,91 896,91\n"
      "Subtotal 896,91\nRabat 15% -134,54\nMoms (25%) 190,59\n"
      "Talt 952,96 kr.\nIndbetalt -476,00\nRestbelab 476,96\n");
  EXPECT_EQ(Value(e, "total"), "952.96") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "896.91") << Dump(e);
}

TEST(InvoiceLabelsTest, NettoAPagareIsTheItalianTotal) {
  const core::Extraction e = Extract(R"(Rossi Tipografia S.n.c.
Imponibile 5.364,70
IVA (10%) 536,47
Netto a pagare 5.901,17 EUR)");
  EXPECT_EQ(Value(e, "total"), "5901.17") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "5364.70");
}

TEST(GreekTest, AReceiptInGreekLetters) {
  // Labels, the name and the address in Greek; the tax the prices include
  // printed after the payment.
  const core::Extraction e = Extract(R"(ΚΑΦΕΝΕΙΟ ΕΡΜΗΣ
ΠΑΝΕΠΙΣΤΗΜΙΟΥ 37
10563 ΑΘΗΝΑ
Τηλ. 260 627 1707
Ημ/νία: 23/06/2021 09:46
Ψωμί 15,15
Σπανακόπιτα 9,63
ΥΠΟΣΥΝΟΛΟ 24,78
ΣΥΝΟΛΟ 24,78 €
ΜΕΤΡΗΤΑ 30,00
ΡΕΣΤΑ 5,22
Φ.Π.Α. 24% 4,80)");
  EXPECT_EQ(Value(e, "total"), "24.78") << Dump(e);
  EXPECT_EQ(Value(e, "currency"), "EUR");
  EXPECT_EQ(Value(e, "invoice_date"), "2021-06-23");
  EXPECT_EQ(Value(e, "vendor_name"), "ΚΑΦΕΝΕΙΟ ΕΡΜΗΣ");
  EXPECT_EQ(Value(e, "vendor_address"), "ΠΑΝΕΠΙΣΤΗΜΙΟΥ 37 10563 ΑΘΗΝΑ");
}

TEST(BulgarianTest, AReceiptInCyrillicWithLeva) {
  const core::Extraction e = Extract(R"(Шипка Кафе
ул. Граф Игнатиев 121
7000 Русе
Тел.: 02 370 708
Дата: 25.04.2024 г. 08:30
Баничка 3.40
Боза 2.10
ОБЩА СУМА 5.50 лв.
В БРОЙ 10.00
РЕСТО 4.50
ДДС Б 20% 0.92)");
  EXPECT_EQ(Value(e, "total"), "5.50") << Dump(e);
  EXPECT_EQ(Value(e, "currency"), "BGN");
  EXPECT_EQ(Value(e, "invoice_date"), "2024-04-25");
  EXPECT_EQ(Value(e, "vendor_name"), "Шипка Кафе");
  // A town in Cyrillic capitals after its postcode is part of the address.
  EXPECT_EQ(Value(e, "vendor_address"), "ул. Граф Игнатиев 121 7000 Русе");
}

TEST(FieldsTest, WithoutATotalASubtotalThatIncludesItsTaxIsTheTotal) {
  // The tax is the part of 63.78 that 24% included makes (12.34), not 24%
  // added to it (15.31): the subtotal is what was paid, not 76.12.
  const core::Extraction e = Extract(R"(Bread 15.15
Coffee 48.63
SUBTOTAL 63.78
XQWZ 63.78
VAT 24% 12.34)");
  EXPECT_EQ(Value(e, "total"), "63.78") << Dump(e);
  // Where the rate adds the tax, their sum stands for the total.
  const core::Extraction added = Extract(R"(Bread 15.15
Coffee 36.29
SUBTOTAL 51.44
VAT 24% 12.35)");
  EXPECT_EQ(Value(added, "total"), "63.79") << Dump(added);
}

TEST(GreekTest, TheCustomerUnderProsAloneIsNotTheVendor) {
  // "Προς:" ("To:") alone on its line over the customer's block, as "An:"
  // in German letters; the vendor's block beside it, read after it.
  OcrPage page = PageFromText(R"(ΤΙΜΟΛΟΓΙΟ
Προς:
Ερμής Τυπογραφική Α.Ε.
Πανεπιστημίου 29
71202 Ηράκλειο
Ακρόπολις Συμβουλευτική Ι.Κ.Ε.
Αγίου Νικολάου 111
26221 Πάτρα
Σύνολο 1.240,00)");
  for (size_t i = 5; i < 8; ++i) {
    OcrLine& line = page.lines[i];
    const int dy = page.lines[i - 4].box.y0 - line.box.y0;
    for (core::BBox* b : {&line.box})
      *b = {b->x0 + 500, b->y0 + dy, b->x1 + 500, b->y1 + dy};
    for (OcrWord& w : line.words) {
      w.block = 1;
      w.box = {w.box.x0 + 500, w.box.y0 + dy, w.box.x1 + 500, w.box.y1 + dy};
    }
  }
  page.width += 500;
  const core::Extraction e = Extract(page);
  EXPECT_EQ(Value(e, "vendor_name"), "Ακρόπολις Συμβουλευτική Ι.Κ.Ε.")
      << Dump(e);
}

TEST(FieldsTest, WithoutADateOneWhoseSeparatorWasLostIsRead) {
  // "30/03/2018" read "3003/2018": no date otherwise, so it is read with
  // its separator put back, less surely than a date printed whole.
  const core::Extraction lost = Extract(R"(LIAN HING STATIONERY SDN BHD
3003/2018 No. CS-20322
TOTAL 189.00)");
  EXPECT_EQ(Value(lost, "invoice_date"), "2018-03-30") << Dump(lost);
  const core::Extraction whole = Extract(R"(LIAN HING STATIONERY SDN BHD
30/03/2018 No. CS-20322
TOTAL 189.00)");
  EXPECT_LT(Conf(lost, "invoice_date"), Conf(whole, "invoice_date"));
  // A page with a date takes no number for another.
  const core::Extraction dated = Extract(R"(LIAN HING STATIONERY SDN BHD
Date: 12/03/2018
Inv 3003/2018
TOTAL 189.00)");
  EXPECT_EQ(Value(dated, "invoice_date"), "2018-03-12") << Dump(dated);
}

// A sum's label of two words whose first OCR misread by one letter
// ("Wartos¢ brutto" for "Wartość brutto") still names it: the gross amount
// is the total, not what is left to pay after an advance.
TEST(FieldsTest, ASumLabelWithItsFirstWordMisreadByOneLetterNamesIt) {
  OcrPage page = PageFromText(R"(Wiśniewski Budownictwo S.A.
Faktura
Wartos¢ netto                 10.403,29
Kwota VAT 8%                     832,26
Wartos¢ brutto                11.246,72
Zaliczka                      -3.374,00
Pozostato do zaptaty           7.872,72
)");
  // Read as the page's layout reads it: the labels one block, the values
  // another after it (but the last row's, read with its label).
  std::vector<OcrLine> values;
  for (size_t i = 2; i + 1 < page.lines.size(); ++i) {
    OcrLine& line = page.lines[i];
    OcrLine value;
    value.words.push_back(line.words.back());
    value.box = line.words.back().box;
    line.words.pop_back();
    line.box = line.words.front().box;
    for (const OcrWord& w : line.words)
      line.box = internal::Union(line.box, w.box);
    values.push_back(std::move(value));
  }
  page.lines.insert(page.lines.end(), values.begin(), values.end());
  const auto e = Extract(page);
  EXPECT_EQ(Value(e, "total"), "11246.72") << Dump(e);
  EXPECT_EQ(Value(e, "subtotal"), "10403.29") << Dump(e);
}

// Labels of sums in the extractor's languages, its keywords two thirds of
// the words or more; not an item that holds one ("Fishing net"), nor one a
// misread word only looks like ("Galdo", a letter from "Saldo").
TEST(IsSumLabelTest, TheExtractorsSumLabelsMostOfTheWords) {
  auto label = [](const std::string& text) {
    return IsSumLabel(PageFromText(text).lines.at(0).words);
  };
  EXPECT_TRUE(label("Välisumma"));
  EXPECT_TRUE(label("ДО СПЛАТИ"));
  EXPECT_TRUE(label("ПРОМІЖНИЙ ПІДСУМОК"));
  EXPECT_TRUE(label("Valoare netă"));
  EXPECT_TRUE(label("Beløb ekskl. moms"));
  EXPECT_TRUE(label("Subtotal"));
  EXPECT_FALSE(label("Fishing net"));
  EXPECT_FALSE(label("Galdo"));
  EXPECT_FALSE(label("Kaffee"));
  EXPECT_FALSE(label("Moms 25%"));  // a tax, no sum
}

}  // namespace
}  // namespace invoices::extract
