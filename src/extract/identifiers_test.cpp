#include "invoices/extract/identifiers.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/extract/fields.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {
namespace {

core::Extraction Extract(const OcrPage& page, int page_number = 1) {
  core::Extraction out;
  ExtractIdentifiers(page, page_number, out);
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

// Every field is valid for its kind, on page `page` with a box and the text
// as recognised, and a confidence in (0, 1].
void ExpectWellFormed(const core::Extraction& e, int page = 1) {
  for (const auto& [name, field] : e.fields) {
    EXPECT_TRUE(core::ValidateFieldValue(name, field.value)) << name;
    EXPECT_GT(field.confidence, 0) << name;
    EXPECT_LE(field.confidence, 1) << name;
    EXPECT_EQ(field.page, page) << name;
    ASSERT_TRUE(field.bbox) << name;
    ASSERT_TRUE(field.text) << name;
    EXPECT_FALSE(field.text->empty()) << name;
  }
}

// A hand-made OCR line: words at x (pixels) on a line at y, 10 px a
// character and 16 px high, as layout analysis returns a block of a
// two-column page.
OcrLine Line(int y, std::vector<std::pair<int, std::string>> words,
             float confidence = 0.9f) {
  OcrLine line;
  for (auto& [x, text] : words) {
    OcrWord w;
    w.text = text;
    w.box = {x, y, x + static_cast<int>(text.size()) * 10, y + 16};
    w.confidence = confidence;
    line.words.push_back(std::move(w));
  }
  line.box = {line.words.front().box.x0, y, line.words.back().box.x1, y + 16};
  return line;
}

// ------------------------------------------------------------- documents

constexpr char kEnglishInvoice[] = R"(ACME SUPPLIES LTD
12 High Street, London SW1A 1AA
Tel: +44 20 7946 0958
VAT Reg No: GB123456789

INVOICE
Invoice No: INV-2024-0042
Invoice Date: 12/03/2024
PO Number: PO-7781
Payment Terms: Net 30

Bill To:
Globex Corporation
500 Market Street
Springfield IL 62701
VAT No: GB987654321

Description                 Qty    Unit Price     Amount
Widgets                      10         10.00     100.00
Subtotal                                          100.00
Discount                                          -10.00
VAT 20%                                            18.00
Total                                             108.00
Amount Due                                        108.00
)";

TEST(IdentifierTest, EnglishInvoice) {
  const core::Extraction e = Extract(kEnglishInvoice);
  EXPECT_EQ(Value(e, "invoice_id"), "INV-2024-0042") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_tax_id"), "GB123456789");
  EXPECT_EQ(Value(e, "receiver_tax_id"), "GB987654321");
  EXPECT_EQ(Value(e, "vendor_phone"), "+44 20 7946 0958");
  EXPECT_EQ(Value(e, "purchase_order"), "PO-7781");
  EXPECT_EQ(Value(e, "payment_terms"), "Net 30");
  EXPECT_EQ(Value(e, "receiver_name"), "Globex Corporation");
  EXPECT_EQ(Value(e, "receiver_address"),
            "500 Market Street Springfield IL 62701");
  EXPECT_EQ(Value(e, "discount"), "10.00");
  EXPECT_EQ(Value(e, "amount_due"), "108.00");
  ExpectWellFormed(e);
  // The box and text are those of the value's words.
  const core::Field& id = e.fields.at("invoice_id");
  EXPECT_EQ(*id.text, "INV-2024-0042");
  EXPECT_EQ(id.bbox->x0, 120);  // "Invoice No: " is 12 characters
  EXPECT_EQ(id.bbox->x1, 250);
  EXPECT_GT(id.confidence, 0.8);
}

TEST(IdentifierTest, AnAmountDueThatLostItsLeadingDigitsIsTheTotal) {
  // The page read with the total its arithmetic made (fields first).
  auto read = [](const std::string& text, double total_confidence) {
    core::Extraction out;
    out.fields["total"] = {.value = "6172.66", .confidence = total_confidence};
    ExtractIdentifiers(PageFromText(text, 0.9f), 1, out);
    return out;
  };
  // "Total de plata" is the total and the amount due; read "172,66" for
  // 6.172,66, the total the page's arithmetic made is the amount due too.
  const core::Extraction out = read(
      "Alfa Consult S.R.L.\nSubtotal 5.187,11\nTVA 19% 985,55\n"
      "Total de plata 172,66",
      0.45);
  EXPECT_EQ(Value(out, "amount_due"), "6172.66") << Dump(out);
  EXPECT_LE(Conf(out, "amount_due"), 0.45);
  // Another amount due stands.
  const core::Extraction other = read(
      "Alfa Consult Ltd\nTotal 6,172.66\nDeposit 3,000.00\n"
      "Balance due 3,172.66",
      0.9);
  EXPECT_EQ(Value(other, "amount_due"), "3172.66") << Dump(other);
}

TEST(IdentifierTest, WhatIsLeftAfterAPaymentUnderTheTotalIsTheAmountDue) {
  // The labels misread ("Solde da" for "Solde dû", "Do zaptaty"), or the
  // total's own "Net à payer" taken for the amount due: the amount under a
  // payment made that is the total less it is what is due.
  for (const std::string text :
       {"Sous-total HT 6.483,40\nTVA 10 % 648,34\nNet a payer 7.131,74\n"
        "Deja paye -2.140,00\nSolde da 4.991,74\n",
        "Razem netto 7.186,88\nVAT 23% 1.652,98\nWartosc brutto 8.839,86 zl\n"
        "8.839,86\nZaliczka -4.420,00\nDo zaptaty 4.419,86\n"}) {
    core::Extraction out;
    const OcrPage page = PageFromText(text, 0.9f);
    ExtractFields(page, 1, out);
    ExtractIdentifiers(page, 1, out);
    const std::string total = Value(out, "total");
    const std::string due = Value(out, "amount_due");
    EXPECT_TRUE(total == "7131.74" || total == "8839.86") << Dump(out);
    EXPECT_TRUE(due == "4991.74" || due == "4419.86") << Dump(out);
    ASSERT_TRUE(out.fields.at("amount_due").bbox);
  }
  // Nothing left to pay is no amount due; nor is an amount that is not the
  // total less the payment.
  for (const std::string text :
       {"Subtotal 20.00\nTax 2.00\nTotal 22.00\nVisa -22.00\n0.00\n",
        "Total 22.00\nDeposit -10.00\n11.00\n"}) {
    core::Extraction out;
    const OcrPage page = PageFromText(text, 0.9f);
    ExtractFields(page, 1, out);
    ExtractIdentifiers(page, 1, out);
    EXPECT_NE(Value(out, "amount_due"), "11.00") << Dump(out);
    EXPECT_NE(Value(out, "amount_due"), "0.00") << Dump(out);
  }
}

constexpr char kGermanInvoice[] = R"(Muster GmbH
Hauptstraße 5, 10115 Berlin
Telefon: 030 1234567
USt-IdNr.: DE123456789
Steuernummer: 12/345/67890

Rechnungsempfänger:
Beispiel AG
Industrieweg 7
80331 München

Rechnungsnummer: RE-2024-117
Rechnungsdatum: 05.02.2024
Ihre Bestellung: 4500012345
Zahlungsbedingungen: 14 Tage netto

Bezeichnung                   Menge   Einzelpreis      Betrag
Beratung                         10         85,00      850,00
Rabatt                                                  50,00
Zwischensumme                                          800,00
MwSt 19%                                               152,00
Zu zahlen:                                           952,00 EUR
Zahlbar innerhalb 14 Tagen ohne Abzug.
)";

TEST(IdentifierTest, GermanInvoice) {
  const core::Extraction e = Extract(kGermanInvoice);
  EXPECT_EQ(Value(e, "invoice_id"), "RE-2024-117") << Dump(e);
  // Two numbers of the vendor: the first near the top is taken, less
  // surely for the other one.
  EXPECT_EQ(Value(e, "vendor_tax_id"), "DE123456789");
  EXPECT_EQ(Value(e, "receiver_tax_id"), "<none>");
  EXPECT_EQ(Value(e, "vendor_phone"), "030 1234567");
  EXPECT_EQ(Value(e, "purchase_order"), "4500012345");
  EXPECT_EQ(Value(e, "payment_terms"), "14 Tage netto");
  EXPECT_EQ(Value(e, "receiver_name"), "Beispiel AG");
  EXPECT_EQ(Value(e, "receiver_address"), "Industrieweg 7 80331 München");
  EXPECT_EQ(Value(e, "discount"), "50.00");
  EXPECT_EQ(Value(e, "amount_due"), "952.00");
  ExpectWellFormed(e);
}

TEST(IdentifierTest, ALegalFormWrappedOntoItsOwnLineEndsTheName) {
  // A narrow column: the customer's legal form went onto a line of its own.
  const core::Extraction e = Extract(R"(Rechnungsempfänger:
Hoffmann Elektrotechnik
GmbH & Co. KG
Marktplatz 37
20095 Hamburg
)");
  EXPECT_EQ(Value(e, "receiver_name"), "Hoffmann Elektrotechnik GmbH & Co. KG")
      << Dump(e);
  EXPECT_EQ(Value(e, "receiver_address"), "Marktplatz 37 20095 Hamburg");
  // A street is no legal form: it stays the address.
  const core::Extraction f =
      Extract("Bill to:\nGlobex\nCo Road 7\nSpringfield\n");
  EXPECT_EQ(Value(f, "receiver_name"), "Globex") << Dump(f);
  EXPECT_EQ(Value(f, "receiver_address"), "Co Road 7 Springfield");
}

TEST(IdentifierTest, TheTableOfItemsEndsTheCustomersAddress) {
  // The items' header close under the customer's block, in its column; a
  // colon read before the street is no part of the address.
  const core::Extraction e = Extract(R"(Bill To
Rose & Crown Print Limited
: 128 High Street
Bath BA1 1LT
Item                  Qty    Rate      Amount
Labour (hours)          2   410.00     820.00
Site visit              1   120.00     120.00
)");
  EXPECT_EQ(Value(e, "receiver_name"), "Rose & Crown Print Limited") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_address"), "128 High Street Bath BA1 1LT")
      << Dump(e);
  // A line read twice (a second reading of its band beside the first) is
  // one line of the address.
  const core::Extraction twice = Extract(R"(Bill To
Granville Logistics Inc
2264 Jasper Ave
Winnipeg, MB R3C 4T3
Winnipeg, MB R3C 4T3
)");
  EXPECT_EQ(Value(twice, "receiver_address"),
            "2264 Jasper Ave Winnipeg, MB R3C 4T3")
      << Dump(twice);
}

TEST(IdentifierTest, PolishAndPortugueseCustomerLabels) {
  const core::Extraction pl = Extract(
      "Nowak Transport sp.j.\nul. Dluga 96\n31-019 Krakow\nNabywca:\n"
      "Stokrotka Budownictwo Sp. z o.o.\nul. Piotrkowska 18\n"
      "80-831 Gdansk\n");
  EXPECT_EQ(Value(pl, "receiver_name"), "Stokrotka Budownictwo Sp. z o.o.")
      << Dump(pl);
  // Its legal form read with zeros ("Sp. Z 0.0."): no amount, still a name.
  const core::Extraction zeros = Extract(
      "Nowak Informatyka S.A.\nFAKTURA VAT\nNr faktury: 720204\nOdbiorca:\n"
      "Nowak Doradztwo Sp. Z 0.0.\nul. Piotrkowska 69\n80-831 Gdansk\n");
  EXPECT_EQ(Value(zeros, "receiver_name"), "Nowak Doradztwo Sp. Z o.o.")
      << Dump(zeros);
  const core::Extraction pt = Extract(
      "Lusitana Informatica Lda.\nRua Augusta 112\n8000-138 Faro\n"
      "Exmo.(s) Sr.(s)\nLusitana Construcoes S.A.\nRua Augusta 17\n"
      "4000-322 Porto\n");
  EXPECT_EQ(Value(pt, "receiver_name"), "Lusitana Construcoes S.A.")
      << Dump(pt);
}

TEST(IdentifierTest, NordicCzechTurkishIndonesianHungarianRomanianLabels) {
  const core::Extraction fi = Extract(
      "Aalto Rakennus Oy\nLASKU\nLaskun numero: 68/2021\nAsiakas:\n"
      "Keskusta Paino Ky\nHameenkatu 17\n33100 Tampere\n");
  EXPECT_EQ(Value(fi, "invoice_id"), "68/2021") << Dump(fi);
  EXPECT_EQ(Value(fi, "receiver_name"), "Keskusta Paino Ky") << Dump(fi);
  const core::Extraction cz = Extract(
      "Dvorak Stavby s.r.o.\nCislo faktury: 17156\nOdberatel:\n"
      "Vltava Doprava s.r.o.\nNarodni 80\n301 00 Plzen\n");
  EXPECT_EQ(Value(cz, "invoice_id"), "17156") << Dump(cz);
  EXPECT_EQ(Value(cz, "receiver_name"), "Vltava Doprava s.r.o.") << Dump(cz);
  const core::Extraction tr = Extract(
      "Cinar Bilisim A.S.\nFATURA\nBelge No: 154182\nSayin\n"
      "Kardesler Insaat Ltd. Sti.\nAtaturk Cad. No:12\n"
      "06420 Cankaya/Ankara\n");
  EXPECT_EQ(Value(tr, "invoice_id"), "154182") << Dump(tr);
  EXPECT_EQ(Value(tr, "receiver_name"), "Kardesler Insaat Ltd. Sti.")
      << Dump(tr);
  // "Müşteri:" with its "ü" read as "ii".
  const core::Extraction tr2 = Extract(
      "Cinar Bilisim A.S.\nFATURA\nMiisteri:\n"
      "Bogazici Insaat Ltd. Sti.\nBagdat Cad. No:21\n16010 Osmangazi/Bursa\n");
  EXPECT_EQ(Value(tr2, "receiver_name"), "Bogazici Insaat Ltd. Sti.")
      << Dump(tr2);
  const core::Extraction id = Extract(
      "PT Sinar Jaya Teknologi\nNo. Faktur: INV-2025-8672\nKepada Yth.\n"
      "CV Sederhana Logistik\nJl. Sudirman No. 87\nDenpasar 80111\n");
  EXPECT_EQ(Value(id, "invoice_id"), "INV-2025-8672") << Dump(id);
  EXPECT_EQ(Value(id, "receiver_name"), "CV Sederhana Logistik") << Dump(id);
  const core::Extraction hu = Extract(
      "Kovacs Szallitmanyozasi Kft.\nSZAMLA\nSorszam: A2024392\nVevo:\n"
      "Tisza Epito Bt.\n7621 Pecs\nSzechenyi ter 22.\n"
      "Fizetend6 6 177 280 Ft\n");
  EXPECT_EQ(Value(hu, "invoice_id"), "A2024392") << Dump(hu);
  EXPECT_EQ(Value(hu, "receiver_name"), "Tisza Epito Bt.") << Dump(hu);
  // The amount to pay, whole forints grouped by spaces.
  EXPECT_EQ(Value(hu, "amount_due"), "6177280.00") << Dump(hu);
  const core::Extraction ro = Extract(
      "Ionescu Software SRL\nFACTURA\nNumar factura: 48/2019\n"
      "Cumparator:\nCarpati Transport S.R.L.\nStr. Lipscani nr. 12\n"
      "030167 Bucuresti\nCUI: RO12345678\n");
  EXPECT_EQ(Value(ro, "invoice_id"), "48/2019") << Dump(ro);
  EXPECT_EQ(Value(ro, "receiver_name"), "Carpati Transport S.R.L.") << Dump(ro);
}

TEST(IdentifierTest, ACreditNotesOwnNumberNotTheInvoiceItCredits) {
  const core::Extraction en = Extract(
      "Silver Bay Engineering Pte. Ltd.\nCREDIT NOTE\n"
      "Original Invoice: INV-2025-0412\nCredit Note No: \u00a9 CN-2025-0556\n");
  EXPECT_EQ(Value(en, "invoice_id"), "CN-2025-0556") << Dump(en);
  const core::Extraction de = Extract(
      "Huber Bau GmbH\nGUTSCHRIFT\nzur Rechnung Nr. RE2021044\n"
      "Gutschrift Nr. GS18276\n");
  EXPECT_EQ(Value(de, "invoice_id"), "GS18276") << Dump(de);
  // "č." read as "¢.".
  const core::Extraction cz = Extract(
      "Novak Doprava s.r.o.\nDobropis \u00a2. GS95775\nK fakture \u00a2. "
      "97/2023\n");
  EXPECT_EQ(Value(cz, "invoice_id"), "GS95775") << Dump(cz);
}

TEST(IdentifierTest, CellsWrappedInANarrowTableAreWhole) {
  // A label on two lines beside its value, which the table centres between
  // them: the value is the label's.
  OcrPage labels;
  labels.lines = {Line(20, {{40, "San"}, {80, "Juan"}, {130, "S.L."}}),
                  Line(100, {{400, "Número"}, {470, "de"}}),
                  Line(122, {{400, "factura:"}}),
                  Line(111, {{600, "FA2018926"}}),
                  Line(300, {{40, "Total"}, {600, "10,00"}})};
  EXPECT_EQ(Value(Extract(labels), "invoice_id"), "FA2018926");
  // A number broken after a hyphen, its two lines centred on the label's.
  OcrPage value;
  value.lines = {Line(20, {{40, "San"}, {80, "Juan"}, {130, "S.L."}}),
                 Line(100, {{400, "Nº"}, {430, "factura:"}}),
                 Line(91, {{600, "INV-2020-"}}), Line(113, {{600, "4606"}}),
                 Line(300, {{40, "Total"}, {600, "10,00"}})};
  EXPECT_EQ(Value(Extract(value), "invoice_id"), "INV-2020-4606");
}

TEST(IdentifierTest, GermanTermsSentence) {
  const core::Extraction e = Extract(
      "Rechnung Nr. 2024-0815\nZahlbar innerhalb 14 Tagen ohne Abzug. "
      "Vielen Dank!\n");
  EXPECT_EQ(Value(e, "invoice_id"), "2024-0815") << Dump(e);
  EXPECT_EQ(Value(e, "payment_terms"), "Zahlbar innerhalb 14 Tagen ohne Abzug");
}

constexpr char kFrenchInvoice[] = R"(Société Exemple SARL
12 rue de la Paix, 75002 Paris
Tél : 01 23 45 67 89
N° TVA intracom : FR12345678901
SIRET 123 456 789 00012

Facturé à :
Dupont et Fils SA
8 avenue Foch
69006 Lyon
TVA : FR98765432109

Facture n° F2024-031
Date : 15/01/2024
Conditions de paiement : 30 jours fin de mois

Désignation                 Qté     Prix unitaire        Montant
Ordinateur portable           1          1 247,00       1 247,00
Remise                                                     12,50
Net à payer                                           1 234,50 €
)";

TEST(IdentifierTest, FrenchInvoice) {
  const core::Extraction e = Extract(kFrenchInvoice);
  EXPECT_EQ(Value(e, "invoice_id"), "F2024-031") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_tax_id"), "FR12345678901");
  EXPECT_EQ(Value(e, "receiver_tax_id"), "FR98765432109");
  EXPECT_EQ(Value(e, "vendor_phone"), "01 23 45 67 89");
  EXPECT_EQ(Value(e, "payment_terms"), "30 jours fin de mois");
  EXPECT_EQ(Value(e, "receiver_name"), "Dupont et Fils SA");
  EXPECT_EQ(Value(e, "receiver_address"), "8 avenue Foch 69006 Lyon");
  EXPECT_EQ(Value(e, "discount"), "12.50");
  EXPECT_EQ(Value(e, "amount_due"), "1234.50");
  ExpectWellFormed(e);
}

constexpr char kMalayReceipt[] = R"(KEDAI RUNCIT MAJU SDN BHD
(123456-X)
NO 12, JALAN MERDEKA,
50000 KUALA LUMPUR
H/P: 012-345 6789
No. SST: W10-1808-31001234
No. Resit: CS00012345
Tarikh: 25/12/2018
Barang                Jumlah
GULA 1KG                3.20
Diskaun                -0.20
JUMLAH                  3.00
)";

TEST(IdentifierTest, MalayReceipt) {
  const core::Extraction e = Extract(kMalayReceipt);
  EXPECT_EQ(Value(e, "invoice_id"), "CS00012345") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_tax_id"), "W10-1808-31001234");
  EXPECT_EQ(Value(e, "vendor_phone"), "012-345 6789");
  EXPECT_EQ(Value(e, "discount"), "0.20");
  EXPECT_EQ(Value(e, "receiver_name"), "<none>");
  ExpectWellFormed(e);
}

TEST(IdentifierTest, MalaysianGstReceipt) {
  const core::Extraction e = Extract(R"(BOOK TA .K (TAMAN DAYA) SDN BHD
(861354-T)
NO.53 55,57 & 59, JALAN SAGU 18,
81100 JOHOR BAHRU, JOHOR.
TEL : 07-335 8533
GST REG NO : 000780566528
TAX INVOICE
Document No : TD01167104
Date : 25/12/2018 8:13:39 PM
Cashier : MANIS
Total Sales (Excl GST) : 8.49
GST @ 6% : 0.51
)");
  EXPECT_EQ(Value(e, "invoice_id"), "TD01167104") << Dump(e);
  EXPECT_EQ(Value(e, "vendor_tax_id"), "000780566528");
  EXPECT_EQ(Value(e, "vendor_phone"), "07-335 8533");
}

TEST(IdentifierTest, InvoiceLabelsInSeveralLanguages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Invoice # 10045", "10045"},
      {"INV No. 558812", "558812"},
      {"Receipt No: R-000123", "R-000123"},
      {"Bill No : B/2018/77", "B/2018/77"},
      {"Tax Invoice No. TI-0099", "TI-0099"},
      {"Rechnung Nr. 2024-15", "2024-15"},
      {"Rechnungs-Nr.: 88123", "88123"},
      {"N° de facture : FA-2024-7", "FA-2024-7"},
      {"Factura n.º A-1234", "A-1234"},
      {"Fattura n. 45/2024", "45/2024"},
      {"Factuurnummer: 2024001", "2024001"},
      {"Fatura n.º 8/2021", "8/2021"},
      {"N.º da fatura: 54/2021", "54/2021"},
      // "º" read as "2".
      {"N.2 da fatura: 54/2021", "54/2021"},
      {"Fatura FT A2017992", "A2017992"},
      {"Faktura nr 9/2023", "9/2023"},
      {"Numer faktury: FV/12/2023", "FV/12/2023"},
      {"No Invois: INV88812", "INV88812"},
      {"Invoice: 778812", "778812"},
      {"InvoiceNo: 991", "991"},
      {"Slip No.: 0010111111", "0010111111"},
      {"Transaction No: 1-494268", "1-494268"},
      {"RECEIPT CS00018751 DATE: 20/04/2018", "CS00018751"},
      // A colon read as a letter.
      {"INVOICE NO s 18341/103/T0138", "18341/103/T0138"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "invoice_id"), want) << line << "\n" << Dump(e);
  }
}

TEST(IdentifierTest, TaxIdLabelsInSeveralLanguages) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GST ID: 001234567890", "001234567890"},
      {"GST Reg No. 000780566528", "000780566528"},
      {"VAT Reg. GB 123 4567 89", "GB 123 4567 89"},
      {"USt-IdNr. DE 123 456 789", "DE 123 456 789"},
      {"Steuernummer 12/345/67890", "12/345/67890"},
      {"NIF: B12345678", "B12345678"},
      {"P.IVA 01234567890", "01234567890"},
      {"Partita IVA: 01234567890", "01234567890"},
      {"BTW-nr NL123456789B01", "NL123456789B01"},
      {"ABN 51 824 753 556", "51 824 753 556"},
      {"TIN: 12-3456789", "12-3456789"},
      {"GST: 000123456789", "000123456789"},
      {"EIN 91-8755808", "91-8755808"},
      {"NIP 840-221-80-79", "840-221-80-79"},
      {"SIRET 111 545 395 97880", "111 545 395 97880"},
      {"Org.nr 559413-6130", "559413-6130"},
      // The tax's name ends a Norwegian or Swiss number.
      {"Org.nr. 973 928 796 MVA", "973 928 796 MVA"},
      {"MWST-Nr. CHE-280.445.191 MWST", "CHE-280.445.191 MWST"},
      // The VAT number, not the company's number printed before it.
      {"IČO: 71860972 DIČ: CZ34030321", "CZ34030321"},
      {"ЕИК: 123456789 ИН по ДДС: BG123456789", "BG123456789"},
      // Its label misread, the VAT number by its form and the company's
      // number's digits.
      {"ЕИК: 123456789 ИН по DAC: BG123456789", "BG123456789"},
      // A country code with a digit for its letter, where the letter makes
      // a VAT number's form; other numbers as read.
      {"P.IVA 1T12345678901", "IT12345678901"},
      {"VAT No. 5E556677889901", "SE556677889901"},
      {"ABN 51 824 753 556", "51 824 753 556"},
      {"VAT No. 1T1234567", "1T1234567"},
      {"GST/HST No. 689485610 RTO001", "689485610 RT0001"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "vendor_tax_id"), want) << line << "\n" << Dump(e);
  }
}

TEST(IdentifierTest, ATaxNumberWrappedOntoTheNextLine) {
  // A narrow letterhead wraps the VAT number under its label's line.
  const core::Extraction e = Extract(
      "Dvorak Stavby s.r.o.\nNarodni 80\n301 00 Plzen\n"
      "ICO: 87830505 DIC:\nCZ25153009\n\nFaktura INV-2017-1876\n");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "CZ25153009") << Dump(e);
  // Also with another column beside the letterhead.
  const core::Extraction beside = Extract(
      "Dvorak Stavby s.r.o.\nNarodni 80\n301 00 Plzen\n"
      "ICO: 87830505 DIC:          Datum vystaveni: 12.1.2017\n"
      "CZ25153009\n\nFaktura INV-2017-1876\n");
  EXPECT_EQ(Value(beside, "vendor_tax_id"), "CZ25153009") << Dump(beside);
  // A line that goes on after its label is no wrapped value.
  const core::Extraction other =
      Extract("Dvorak Stavby s.r.o.\nICO: 87830505 DIC: none\nCZ25153009\n");
  EXPECT_EQ(Value(other, "vendor_tax_id"), "87830505") << Dump(other);
}

TEST(IdentifierTest, EuVatNumberByItsFormatAlone) {
  const core::Extraction e =
      Extract("Muster GmbH\nBerlin\nDE123456789\nRechnung\n");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "DE123456789") << Dump(e);
  // Weaker than a labelled one.
  const core::Extraction labelled =
      Extract("Muster GmbH\nBerlin\nUSt-IdNr: DE123456789\nRechnung\n");
  EXPECT_LT(Conf(e, "vendor_tax_id"), Conf(labelled, "vendor_tax_id"));
}

TEST(IdentifierTest, PhoneLabels) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Tel: 03-7865 2323", "03-7865 2323"},
      {"TEL:03-78652323", "03-78652323"},
      {"Phone (555) 123-4567", "(555) 123-4567"},
      {"Telefon +49 30 1234567", "+49 30 1234567"},
      {"Tél. 01.23.45.67.89", "01.23.45.67.89"},
      {"Tlf 22 33 44 55", "22 33 44 55"},
      {"TIF 30 61 67 83", "30 61 67 83"},  // "Tlf" misread
      {"T1f: 89 42 26 13", "89 42 26 13"},
      {"Ten.: 08 370 708", "08 370 708"},  // "Тел.:" read in Latin
      {"Puh. 050 190 2795", "050 190 2795"},
      {"TnA. 232 969 6568", "232 969 6568"},  // "Τηλ." read in Latin
      {"TA. 219 587 5628", "219 587 5628"},   // ... its "η" lost
      {"H/P 012-3456789", "012-3456789"},
      {"Tel: 03-1234 5678 Fax: 03-1234 5679", "03-1234 5678"},
      {"Tel/Fax: 07-3358533", "07-3358533"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "vendor_phone"), want) << line << "\n" << Dump(e);
  }
  // A misread label without its number after it is a word of a name: the
  // customer's block goes on.
  const core::Extraction e = Extract(
      "Novak Doprava s.r.o.\nNarodni 23\n301 00 Plzen\n\n"
      "Odberatel:\nU Tif pstrosu Tisk a.s.\nVaclavske namesti 68\n"
      "702 00 Ostrava\n");
  EXPECT_EQ(Value(e, "receiver_name"), "U Tif pstrosu Tisk a.s.") << Dump(e);
}

TEST(IdentifierTest, PurchaseOrderLabels) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"PO: 4500012345", "4500012345"},
      {"P.O. No. 7781", "7781"},
      {"Purchase Order: PO-2024-11", "PO-2024-11"},
      {"Bestellnummer: 88123", "88123"},
      {"Your order no. 1234/5", "1234/5"},
      {"Bon de commande : BC-778", "BC-778"},
      // Other countries' words.
      {"Rif. ordine: 4502354990", "4502354990"},
      {"Ordernummer: 7014/2025", "7014/2025"},
      {"Nº de encomenda: 4505194904", "4505194904"},
      {"Nr zamówienia: PO-2019-6775", "PO-2019-6775"},
      {"Beställningsnummer: 4502699755", "4502699755"},
      {"Jeres ordre: B36627", "B36627"},
      {"Tilausnumero: PO-2018-1363", "PO-2018-1363"},
      {"Číslo objednávky: 9342/2019", "9342/2019"},
      {"Sipariş No: BC66254", "BC66254"},
      {"Sipariş No: PO-2021-0443", "PO-2021-0443"},  // "No" not "No. PO"'s
      {"No. PO: PO-2020-3501", "PO-2020-3501"},
      {"Rendelésszám: PO-2016-7797", "PO-2016-7797"},
      {"Nr. comandă: P90321", "P90321"},
      {"Αρ. παραγγελίας: 8600/2023", "8600/2023"},
      {"Поръчка №: 4507692364", "4507692364"},
      {"Номер замовлення: 4509288163", "4509288163"},
      // Latin print read by a Cyrillic or Greek model: the Latin letters.
      {"Замовлення №: РО-2021-5101", "PO-2021-5101"},
      {"Αρ. παραγγελίας: ΡΟ-2020-0241", "PO-2020-0241"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "purchase_order"), want) << line << "\n" << Dump(e);
  }
  // A post office box is an address.
  EXPECT_EQ(Value(Extract("ACME LTD\nPO Box 1234\n"), "purchase_order"),
            "<none>");
}

TEST(IdentifierTest, AnItalianVatNumbersCountryReadAsDigits) {
  // "IT" read as "17" or "11" after a label of Italy's VAT.
  for (const std::string number : {"1783744824703", "1128536695477"}) {
    const core::Extraction e =
        Extract("Rossi Tipografia S.r.l.\nP.IVA " + number + "\n");
    EXPECT_EQ(Value(e, "vendor_tax_id"), "IT" + number.substr(2)) << Dump(e);
  }
  // Thirteen digits under another label stay as read.
  EXPECT_EQ(
      Value(Extract("ACME CO LTD\nTax ID 1783744824703\n"), "vendor_tax_id"),
      "1783744824703");
}

TEST(IdentifierTest, TaxNumbersByTheirFormWhereTheLabelIsMisread) {
  // "Adószám" misread: the Hungarian form tells.
  const core::Extraction e =
      Extract("Kovacs Kft.\nFo utca 1.\nAde6szam: 48114205-1-16\n");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "48114205-1-16") << Dump(e);
}

TEST(IdentifierTest, PaymentTerms) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Terms: Net 30", "Net 30"},
      {"Payment terms: 30 days", "30 days"},
      {"NET 30 DAYS", "NET 30 DAYS"},
      {"Zahlungsbedingungen: sofort ohne Abzug", "sofort ohne Abzug"},
      {"Conditions de paiement : à réception", "à réception"},
      {"Payable within 30 days of the invoice date.",
       "Payable within 30 days of the invoice date"},
      // Other countries' words.
      {"Condições de pagamento: 30 dias", "30 dias"},
      {"Warunki płatności: przelew 14 dni", "przelew 14 dni"},
      {"Betalningsvillkor: 30 dagar netto", "30 dagar netto"},
      {"Betalingsbetingelser: løbende måned + 30 dage",
       "løbende måned + 30 dage"},
      {"Maksuehdot: 14 päivää netto", "14 päivää netto"},
      {"Platební podmínky: převodem 14 dní", "převodem 14 dní"},
      {"Ödeme Koşulları: 60 gün vadeli", "60 gün vadeli"},
      {"Fizetési feltételek: átutalás 15 nap", "átutalás 15 nap"},
      {"Condiții de plată: la vedere", "la vedere"},
      {"Όροι πληρωμής: Επί πιστώσει 60 ημερών", "Επί πιστώσει 60 ημερών"},
      {"Условия на плащане: по банков път 14 дни", "по банков път 14 дни"},
      {"Умови оплати: 30 банківських днів", "30 банківських днів"},
      // Terms that name a discount go on over it, and "30 Tage netto" in
      // them is not the terms.
      {"Zahlungsziel: 10 Tage 2% Skonto, 30 Tage netto",
       "10 Tage 2% Skonto, 30 Tage netto"},
      // A label misread by one letter in one of its words.
      {"Condicées de pagamento: 60 dias", "60 dias"},
      {"Condições de paqamento: 60 dias", "60 dias"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "payment_terms"), want) << line << "\n" << Dump(e);
  }
  // Not terms: conditions of sale, a net amount, a due date (also after a
  // label that names either).
  for (const std::string line :
       {"Terms and conditions apply", "Net 30.00", "Terms: 30/04/2024",
        "Термін оплати: 15.03.2024", "Termin płatności: 2024-03-15",
        "Termin ptatnosci: 15.08.2025"}) {
    EXPECT_EQ(Value(Extract("ACME LTD\n" + line + "\n"), "payment_terms"),
              "<none>")
        << line;
  }
}

TEST(IdentifierTest, AmountDueLabels) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Balance Due   $1,234.00", "1234.00"},
      {"Amount due: 99.90", "99.90"},
      {"Amt Due  129.30", "129.30"},
      {"Zu zahlen 45,20 EUR", "45.20"},
      {"Montant dû : 120,00 €", "120.00"},
      {"Importe a pagar 33,00", "33.00"},
  };
  for (const auto& [line, want] : cases) {
    const core::Extraction e = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(e, "amount_due"), want) << line << "\n" << Dump(e);
  }
  // Five decimals are money of no currency (separators misread).
  EXPECT_EQ(Value(Extract("Total de plata 1.19000\n"), "amount_due"), "<none>");
}

// ------------------------------------------------------------- negatives

TEST(IdentifierTest, DateAfterInvoiceDateIsNoInvoiceId) {
  const core::Extraction e =
      Extract("ACME LTD\nInvoice Date: 12/03/2024\nTotal 9.00\n");
  EXPECT_EQ(Value(e, "invoice_id"), "<none>") << Dump(e);
  // Nor a date right after "Invoice No" (a label with nothing after it),
  // an amount, or a time.
  for (const std::string text :
       {"Invoice No: 12/03/2024\n", "Invoice No: 1,234.50\n",
        "Receipt No: 14:32\n", "INVOICE\nTOTAL 9.00\n", "INVOICE 2018\n",
        "Invoice No: 7\n"}) {
    EXPECT_EQ(Value(Extract(text), "invoice_id"), "<none>") << text;
  }
}

TEST(IdentifierTest, ATrunkPrefixsZeroReadAsSixIsAZero) {
  // The page's currency (or the euro and its language) tells a country
  // whose numbers dialled at home all start with 0.
  auto phone = [](const std::string& text) {
    core::Extraction e;
    const OcrPage page = PageFromText(text);
    ExtractFields(page, 1, e);
    ExtractIdentifiers(page, 1, e);
    return Value(e, "vendor_phone");
  };
  EXPECT_EQ(phone("Bakery Thornbury\nTel: 6195 282 3677\nTotal £12.50\n"),
            "0195 282 3677");
  EXPECT_EQ(phone("Boulangerie Martin\nTél : 62 66 88 59 53\n"
                  "Total TTC 12,50 €\nEspèces 20,00 €\nMerci\n"),
            "02 66 88 59 53");
  // Not where numbers start with other digits (Spain's mobiles, 6..), nor
  // a number with its country code.
  EXPECT_EQ(phone("Panaderia Sol\nTel: 612 345 678\nTotal 12,50 €\n"
                  "Efectivo 20,00 €\nGracias\n"),
            "612 345 678");
  EXPECT_EQ(phone("Bakery Thornbury\nTel: +44 6195 282 3677\nTotal £12.50\n"),
            "+44 6195 282 3677");
}

TEST(IdentifierTest, TelInsideAWordIsNoPhoneLabel) {
  const core::Extraction e = Extract(
      "GRAND HOTEL 0312345678\nIntel Store 012-3456789\n"
      "Telemark Ltd 0451234567\n");
  EXPECT_EQ(Value(e, "vendor_phone"), "<none>") << Dump(e);
}

TEST(IdentifierTest, GstRateIsNoTaxId) {
  const core::Extraction e = Extract(
      "ACME SDN BHD\nGST 6%  0.51\nGST @ 6%  12.00\nTotal GST 0.51\n"
      "VAT 20.00\nTax 10%  100000.00\n");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "<none>") << Dump(e);
}

TEST(IdentifierTest, TotalIsNoDiscount) {
  EXPECT_EQ(Value(Extract("Subtotal 50.00\nTotal 50.00\n"), "discount"),
            "<none>");
  EXPECT_EQ(Value(Extract("Total after discount 45.00\n"), "discount"),
            "<none>");
  const core::Extraction e = Extract(
      "Subtotal 50.00\nDiscount 10% -5.00\nTotal after discount "
      "45.00\n");
  EXPECT_EQ(Value(e, "discount"), "5.00") << Dump(e);
  EXPECT_EQ(Value(Extract("Total Discount 3.00\n"), "discount"), "3.00");
  // The discount of payment terms is no amount of the invoice.
  for (const std::string line : {"Terms: 2% discount 10 days, net 30",
                                 "Zahlungsziel: 10 Tage 2% Skonto, 30 Tage"}) {
    const core::Extraction t = Extract("ACME LTD\n" + line + "\n");
    EXPECT_EQ(Value(t, "discount"), "<none>") << line << "\n" << Dump(t);
  }
}

TEST(IdentifierTest, TheReceiversNameIsRespeltAsTheVendorsIs) {
  EXPECT_EQ(Value(Extract("Centrale Tipografia S.r.l.\nCliente:\n"
                          "Roma Consulenze S.r.].\nVia Roma 1\n00184 Roma\n"
                          "Totale 5,00\n"),
                  "receiver_name"),
            "Roma Consulenze S.r.l.");
}

TEST(IdentifierTest, CustomerCopyIsNoReceiver) {
  const core::Extraction e = Extract(
      "ACME SDN BHD\nCUSTOMER COPY\nCash 10.00\nCustomer's Payment\nCash "
      "20.00\n");
  EXPECT_EQ(Value(e, "receiver_name"), "<none>") << Dump(e);
}

TEST(IdentifierTest, CustomerNumberIsNoInvoiceId) {
  const core::Extraction e =
      Extract("ACME GmbH\nKunden-Nr.: 10023\nRechnung Nr. 555\n");
  EXPECT_EQ(Value(e, "invoice_id"), "555") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_name"), "<none>");
}

TEST(IdentifierTest, InvoiceNumberLabelsOfInvoicesFromOtherCountries) {
  // "Numéro :" alone; "N. documento"; "nº" read as "n2"; an em dash (a cell's
  // edge) before the number; "Customer:" in the cell beside the label.
  EXPECT_EQ(Value(Extract("Facture\nNumero :   RE2017032\nTotal 5,00\n"),
                  "invoice_id"),
            "RE2017032");
  EXPECT_EQ(Value(Extract("Fattura\nN. documento: 485703\nTotale 5,00\n"),
                  "invoice_id"),
            "485703");
  EXPECT_EQ(Value(Extract("Factura n2 97/2023\nTotal 5,00\n"), "invoice_id"),
            "97/2023");
  // "nº" read as "n®"; "Fattura n." read with the "n" glued to the label
  // is the label itself, not a word one letter from it (that needs the
  // dot: "Fatturan" without it is only that).
  EXPECT_EQ(
      Value(Extract("Factura n\u00ae F2017438\nTotal 5,00\n"), "invoice_id"),
      "F2017438");
  const core::Extraction glued = Extract("Fatturan. A2024064\nTotale 5,00\n");
  EXPECT_EQ(Value(glued, "invoice_id"), "A2024064");
  EXPECT_GT(Conf(glued, "invoice_id"),
            Conf(Extract("Fatturan A2024064\nTotale 5,00\n"), "invoice_id"));
  EXPECT_EQ(Value(Extract("Customer:      Invoice No. \u2014 INV-2024-2900\n"
                          "Total 5.00\n"),
                  "invoice_id"),
            "INV-2024-2900");
  // A brace read for the colon or the cell's edge.
  EXPECT_EQ(Value(Extract("Numero fattura: }INV-2017-5057\nTotale 5,00\n"),
                  "invoice_id"),
            "INV-2017-5057");
  // "Numero cliente: 12345" is the customer's number.
  EXPECT_EQ(
      Value(Extract("Numero cliente: 12345\nTotale 5,00\n"), "invoice_id"),
      "<none>");
}

// -------------------------------------------------------------- evidence

TEST(IdentifierTest, FuzzyLabelAndValueBelowLowerConfidence) {
  const double exact = Conf(Extract("Invoice No: 12345\n"), "invoice_id");
  const double fuzzy = Conf(Extract("Invoce No: 12345\n"), "invoice_id");
  const double below = Conf(Extract("Invoice No:\n12345\n"), "invoice_id");
  const double bare = Conf(Extract("Invoice: 12345\n"), "invoice_id");
  EXPECT_GT(exact, 0);
  EXPECT_GT(fuzzy, 0);
  EXPECT_GT(below, 0);
  EXPECT_GT(bare, 0);
  EXPECT_LT(fuzzy, exact);
  EXPECT_LT(below, exact);
  EXPECT_LT(bare, exact);
  // And the OCR confidence of the words.
  EXPECT_LT(Conf(Extract("Invoice No: 12345\n", 0.5f), "invoice_id"), exact);
}

TEST(IdentifierTest, ValueInTheRowBelowAColumnHeader) {
  const core::Extraction e = Extract(
      "ACME LTD\n"
      "Invoice No.   Date          PO Number\n"
      "4711          2024-03-01    PO-88\n");
  EXPECT_EQ(Value(e, "invoice_id"), "4711") << Dump(e);
  EXPECT_EQ(Value(e, "purchase_order"), "PO-88");
}

TEST(IdentifierTest, KeepsFieldsReadWithHigherConfidence) {
  core::Extraction e;
  core::Field kept;
  kept.value = "KEEP-1";
  kept.confidence = 0.99;
  e.fields["invoice_id"] = kept;
  core::Field weak;
  weak.value = "000000000";
  weak.confidence = 0.01;
  e.fields["vendor_tax_id"] = weak;
  ExtractIdentifiers(PageFromText("Invoice No: 12345\nGST ID: 001234567890\n"),
                     2, e);
  EXPECT_EQ(Value(e, "invoice_id"), "KEEP-1");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "001234567890");
  EXPECT_EQ(e.fields.at("vendor_tax_id").page, 2);
}

TEST(IdentifierTest, EmptyPage) {
  EXPECT_TRUE(Extract(OcrPage{}).fields.empty());
  EXPECT_TRUE(Extract("THANK YOU\nPLEASE COME AGAIN\n").fields.empty());
}

// ------------------------------------------------------------ two columns

// Layout analysis reads a two-column header as blocks: the left column's
// lines, then the right column's, each label apart from its value.
OcrPage TwoColumnInvoice() {
  OcrPage page;
  page.width = 1000;
  page.height = 600;
  // The vendor, across the top.
  page.lines.push_back(
      Line(20, {{50, "Northwind"}, {150, "Traders"}, {240, "Ltd"}}));
  page.lines.push_back(Line(44, {{50, "Phone:"},
                                 {120, "+1"},
                                 {150, "206"},
                                 {190, "555"},
                                 {230, "0100"}}));
  // Left block: the receiver.
  page.lines.push_back(Line(100, {{50, "Bill"}, {100, "To:"}}));
  page.lines.push_back(Line(124, {{50, "Contoso"}, {130, "Inc"}}));
  page.lines.push_back(Line(148, {{50, "1"}, {70, "Microsoft"}, {170, "Way"}}));
  page.lines.push_back(
      Line(172, {{50, "Redmond"}, {130, "WA"}, {160, "98052"}}));
  page.lines.push_back(Line(196, {{50, "Phone:"}, {120, "425-555-0199"}}));
  // Right block: labels.
  page.lines.push_back(Line(100, {{600, "Invoice"}, {680, "No:"}}));
  page.lines.push_back(Line(124, {{600, "Date:"}}));
  page.lines.push_back(Line(148, {{600, "Terms:"}}));
  page.lines.push_back(Line(172, {{600, "PO"}, {630, "#:"}}));
  // Far right block: values.
  page.lines.push_back(Line(100, {{800, "10045"}}));
  page.lines.push_back(Line(124, {{800, "2024-03-01"}}));
  page.lines.push_back(Line(148, {{800, "Net"}, {840, "15"}}));
  page.lines.push_back(Line(172, {{800, "88-1203"}}));
  return page;
}

TEST(IdentifierTest, TwoColumnLayoutReadAsBlocks) {
  const core::Extraction e = Extract(TwoColumnInvoice());
  EXPECT_EQ(Value(e, "invoice_id"), "10045") << Dump(e);
  EXPECT_EQ(Value(e, "payment_terms"), "Net 15");
  EXPECT_EQ(Value(e, "purchase_order"), "88-1203");
  EXPECT_EQ(Value(e, "receiver_name"), "Contoso Inc");
  EXPECT_EQ(Value(e, "receiver_address"), "1 Microsoft Way Redmond WA 98052");
  // The receiver's phone is not the vendor's.
  EXPECT_EQ(Value(e, "vendor_phone"), "+1 206 555 0100");
  ExpectWellFormed(e);
  // The value's box is the value's word, in the far right block.
  const core::BBox box = *e.fields.at("invoice_id").bbox;
  EXPECT_EQ(box.x0, 800);
  EXPECT_EQ(box.y0, 100);
}

TEST(IdentifierTest, ACustomerWhoseLabelOcrLostIsFoundByLayout) {
  // "Invoice to:" in small print read as noise: on an invoice, a company's
  // name with an address under it, beside the vendor's, is the customer,
  // less surely than under a label.
  auto read = [](const std::string& text) {
    const OcrPage page = PageFromText(text);
    core::Extraction out;
    ExtractFields(page, 1, out);
    ExtractIdentifiers(page, 1, out);
    return out;
  };
  const std::string head =
      "TAX INVOICE\n"
      "I ice to: . - os             Camden Joinery Limited\n"
      "Kingsway Consulting Ltd\n"
      "236 Mill Lane                175 Mill Lane\n"
      "Bath BA1 1LT                 Bristol BS1 5TR\n"
      "VAT Reg. No. GB 894 7359 74\n";
  const core::Extraction e =
      read(head + "Invoice number: FA2021072\nTOTAL DUE 31,886.81\n");
  EXPECT_EQ(Value(e, "vendor_name"), "Camden Joinery Limited");
  EXPECT_EQ(Value(e, "receiver_name"), "Kingsway Consulting Ltd") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_address"), "236 Mill Lane Bath BA1 1LT");
  EXPECT_LT(Conf(e, "receiver_name"),
            Conf(read("TAX INVOICE\nInvoice to:\nKingsway Consulting Ltd\n"
                      "236 Mill Lane\nBath BA1 1LT\n"
                      "Invoice number: FA2021072\n"),
                 "receiver_name"));
  // Not without an invoice's number: a receipt names no customer so.
  EXPECT_EQ(Value(read(head + "TOTAL DUE 31,886.81\n"), "receiver_name"),
            "<none>");
}

// A field as ExtractFields gives it: `value` at `confidence`, its box that of
// the first `words` words of lines `first` to `last` of `page`.
core::Field FieldOn(const OcrPage& page, size_t first, size_t last,
                    size_t words, std::string value, double confidence) {
  core::Field f{.value = std::move(value), .confidence = confidence};
  f.bbox = core::BBox{
      page.lines[first].words[0].box.x0, page.lines[first].box.y0,
      page.lines[first].words[words - 1].box.x1, page.lines[last].box.y1};
  return f;
}

TEST(IdentifierTest, ATaxNumberUnderTheCustomersBlockIsTheCustomers) {
  // The customer's block found by layout (its label lost), its tax number
  // on the line under its address; the vendor's in the vendor's column.
  const OcrPage page = PageFromText(
      "TAX INVOICE\n"
      "I ice to: . - os             Camden Joinery Limited\n"
      "Kingsway Consulting Ltd\n"
      "236 Mill Lane                175 Mill Lane\n"
      "Bath BA1 1LT                 Bristol BS1 5TR\n"
      "VAT No: GB123456789          VAT Reg. No. GB 894 7359 74\n"
      "Invoice number: FA2021072\nTOTAL DUE 31,886.81\n");
  core::Extraction e;
  ExtractFields(page, 1, e);
  ExtractIdentifiers(page, 1, e);
  EXPECT_EQ(Value(e, "receiver_name"), "Kingsway Consulting Ltd") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_tax_id"), "GB123456789");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "GB 894 7359 74");
}

TEST(IdentifierTest, ACompanyAboveTheVendorFoundByLayoutIsTheVendor) {
  // The customer's label read as noise with the vendor's name beside it;
  // the name under the label was taken for the vendor's (as ExtractFields
  // took it on such a scan). The company printed above it is the vendor.
  const OcrPage page = PageFromText(
      "RECHNUNG\n"
      "Geer enigeet eenaer:        Neumann Elektrotechnik AG\n"
      "Schafer Bau AG              Marktplatz 58\n"
      "Marktplatz 84               20095 Hamburg\n"
      "70173 Stuttgart\n"
      "Rechnungs-Nr.: 559758\n"
      "Summe brutto 1.305,60 EUR\n");
  core::Extraction out;
  out.fields["vendor_name"] = FieldOn(page, 2, 2, 3, "Schafer Bau AG", 0.9);
  out.fields["vendor_address"] =
      FieldOn(page, 3, 4, 2, "Marktplatz 84 70173 Stuttgart", 0.7);
  ExtractIdentifiers(page, 1, out);
  EXPECT_EQ(Value(out, "vendor_name"), "Neumann Elektrotechnik AG")
      << Dump(out);
  EXPECT_EQ(Value(out, "vendor_address"), "Marktplatz 58 20095 Hamburg");
  EXPECT_EQ(Value(out, "receiver_name"), "Schafer Bau AG");
  EXPECT_EQ(Value(out, "receiver_address"), "Marktplatz 84 70173 Stuttgart");
  EXPECT_LT(Conf(out, "receiver_name"), 0.9);
}

TEST(IdentifierTest, TheCustomersNameTakenForTheVendorsGivesWay) {
  // "Aan:" over the customer's block, the vendor's name beside the label;
  // the customer's name was taken for the vendor's too (as ExtractFields
  // took it on such a scan): the company beside, with its address, is the
  // vendor.
  const OcrPage page = PageFromText(
      "FACTUUR\n"
      "Aan:                         De Molen Transport V.O.F.\n"
      "Bakker Drukkerij V.O.F.      Marktplein 125\n"
      "Marktplein 8                 3011 AD Rotterdam\n"
      "1012 NX Amsterdam\n"
      "Factuurnummer: 87/2024\n"
      "Te betalen 4.163,28\n");
  core::Extraction out;
  out.fields["vendor_name"] =
      FieldOn(page, 2, 2, 3, "Bakker Drukkerij V.O.F.", 0.9);
  ExtractIdentifiers(page, 1, out);
  EXPECT_EQ(Value(out, "receiver_name"), "Bakker Drukkerij V.O.F.")
      << Dump(out);
  EXPECT_EQ(Value(out, "vendor_name"), "De Molen Transport V.O.F.");
  EXPECT_EQ(Value(out, "vendor_address"), "Marktplein 125 3011 AD Rotterdam");
  EXPECT_LT(Conf(out, "vendor_name"), 0.9);
}

TEST(IdentifierTest, ThePartyLabelBesideTheVendorsLetterhead) {
  // "Rechnungsempfänger:" over the customer's block, the vendor's name on
  // its row a column away: the customer is the block under the label.
  const core::Extraction e = Extract(
      "RECHNUNG\n"
      "Rechnungsempfanger:        Becker Elektrotechnik GmbH\n"
      "Hoffmann Bau AG            Hauptstrasse 31\n"
      "Marktplatz 37              70173 Stuttgart\n"
      "20095 Hamburg              USt-IdNr.: DE169826328\n"
      "\n"
      "Rechnungs-Nr.:     41/2025\n"
      "Gesamt 1.145,78 EUR\n");
  EXPECT_EQ(Value(e, "receiver_name"), "Hoffmann Bau AG") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_address"), "Marktplatz 37 20095 Hamburg");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "DE169826328");
  // Its "Nr." in the same word as the label, whatever gap follows it.
  EXPECT_EQ(Value(e, "invoice_id"), "41/2025");
  // A name on the label's row, a word's gap away, is the customer's.
  EXPECT_EQ(Value(Extract("ACME LTD\nBill to: Contoso Inc\n"
                          "1 Main Street\nTotal 5.00\n"),
                  "receiver_name"),
            "Contoso Inc");
}

TEST(IdentifierTest, APartyLabelWithTheInvoicesLabelsBesideIt) {
  // The customer's label and the invoice's number on one row of two
  // columns; the customer's name on the rows below.
  const core::Extraction fr = Extract(
      "Moreau Transports SAS\n"
      "Destinataire :    N\u00b0 de facture :  INV-2024-0203\n"
      "des Halles Transports SAS\n"
      "4 place Bellecour\n"
      "\n"
      "Total TTC 12,00\n");
  EXPECT_EQ(Value(fr, "receiver_name"), "des Halles Transports SAS")
      << Dump(fr);
  EXPECT_EQ(Value(fr, "invoice_id"), "INV-2024-0203");
  const core::Extraction it = Extract(
      "Centrale Informatica S.p.A.\n"
      "Cliente:        N. documento: 485703\n"
      "Roma Informatica S.r.l.\n"
      "Via Dante 103\n"
      "\n"
      "Totale 5,00\n");
  EXPECT_EQ(Value(it, "receiver_name"), "Roma Informatica S.r.l.") << Dump(it);
  EXPECT_EQ(Value(it, "invoice_id"), "485703");
  // "An:" and "Aan:" over the address.
  EXPECT_EQ(Value(Extract("De Vries Bouw\nAan:\nJansen Drukkerij B.V.\n"
                          "Dorpsstraat 112\n\nTotaal 5,00\n"),
                  "receiver_name"),
            "Jansen Drukkerij B.V.");
}

TEST(IdentifierTest, ABlocksLinesStartAtItsLeftEdge) {
  // "Bill To" alone on its row, the invoice's number a little lower in the
  // right column, read as a row of its own.
  OcrPage page = PageFromText(
      "Sunset Consulting Inc.\n"
      "Bill To\n"
      "                                      Invoice No.  769436\n"
      "Pioneer Logistics Corp.\n"
      "4512 Oak Ave\n"
      "Springfield, IL 62704\n"
      "\n"
      "Total 5.00\n");
  // Rows 20 px apart; the right column's row between two of the left's.
  for (size_t l = 2; l < page.lines.size(); ++l) {
    const int dy = l == 2 ? -10 : -20;
    for (OcrWord& w : page.lines[l].words) {
      w.box.y0 += dy;
      w.box.y1 += dy;
    }
    page.lines[l].box.y0 += dy;
    page.lines[l].box.y1 += dy;
  }
  core::Extraction e;
  ExtractIdentifiers(page, 1, e);
  EXPECT_EQ(Value(e, "receiver_name"), "Pioneer Logistics Corp.") << Dump(e);
  EXPECT_EQ(Value(e, "invoice_id"), "769436");
}

TEST(IdentifierTest, BillToAndShipToSideBySide) {
  const core::Extraction e = Extract(
      "ACME LTD\n"
      "Bill To:                     Ship To:\n"
      "Globex Corp                  Globex Warehouse\n"
      "1 Main St                    99 Dock Rd\n"
      "VAT: GB111222333             VAT: GB444555666\n"
      "\n"
      "VAT Reg No: GB999888777\n");
  EXPECT_EQ(Value(e, "receiver_name"), "Globex Corp") << Dump(e);
  EXPECT_EQ(Value(e, "receiver_address"), "1 Main St");
  EXPECT_EQ(Value(e, "receiver_tax_id"), "GB111222333");
  EXPECT_EQ(Value(e, "vendor_tax_id"), "GB999888777");
}

TEST(IdentifierTest, GreekAndBulgarianInvoiceLabels) {
  const core::Extraction gr = Extract(
      "Δελφοί Κατασκευαστική Ε.Π.Ε.\n"
      "ΑΦΜ: 214489784 ΔΟΥ: Α΄ Αθηνών\n"
      "ΤΙΜΟΛΟΓΙΟ\n"
      "Πελάτης:\n"
      "Νικολάου Μεταφορική Ι.Κ.Ε.\n"
      "Πανεπιστημίου 74\n"
      "Αρ. Τιμολογίου: 769436\n"
      "Ημερομηνία: 05/03/2020\n");
  EXPECT_EQ(Value(gr, "invoice_id"), "769436") << Dump(gr);
  EXPECT_EQ(Value(gr, "vendor_tax_id"), "214489784");
  EXPECT_EQ(Value(gr, "receiver_name"), "Νικολάου Μεταφορική Ι.Κ.Ε.");
  const core::Extraction bg = Extract(
      "Витоша Софт ЕООД\n"
      "ЕИК: 204817365\n"
      "ФАКТУРА\n"
      "Купувач:\n"
      "Шипка Транс ЕООД\n"
      "ул. Раковски № 100\n"
      "Фактура № 0000212979\n"
      "Дата на издаване: 12.03.2021\n");
  EXPECT_EQ(Value(bg, "invoice_id"), "0000212979") << Dump(bg);
  EXPECT_EQ(Value(bg, "vendor_tax_id"), "204817365");
  EXPECT_EQ(Value(bg, "receiver_name"), "Шипка Транс ЕООД");
  // As OCR reads them: "Α/Α" with its slash read "Ι", "№" read "Ne".
  EXPECT_EQ(Value(Extract("ΤΙΜΟΛΟΓΙΟ\nΑΙΑ: 56/2016\n"), "invoice_id"),
            "56/2016");
  EXPECT_EQ(Value(Extract("ФАКТУРА\nФактура Ne 212979\n"), "invoice_id"),
            "212979");
}

}  // namespace
}  // namespace invoices::extract
