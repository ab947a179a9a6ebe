#include "invoices/extract/line_items.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invoices/core/extraction.h"
#include "invoices/extract/ocr_engine.h"

namespace invoices::extract {
namespace {

std::vector<core::LineItem> Items(const OcrPage& page,
                                  core::Extraction* out = nullptr) {
  core::Extraction local;
  core::Extraction& e = out ? *out : local;
  ExtractLineItems(page, 1, e);
  return e.line_items;
}

std::vector<core::LineItem> Items(const std::string& text,
                                  core::Extraction* out = nullptr) {
  return Items(PageFromText(text), out);
}

std::string Dump(const std::vector<core::LineItem>& items) {
  core::Extraction e;
  e.line_items = items;
  return core::ToJson(e)["line_items"].dump(2);
}

std::string Opt(const std::optional<std::string>& s) {
  return s ? *s : "<none>";
}

// Expects description, quantity, unit price and amount ("<none>" for a
// value not read).
void ExpectItem(const core::LineItem& item, const std::string& description,
                const std::string& quantity, const std::string& unit_price,
                const std::string& amount) {
  EXPECT_EQ(Opt(item.description), description);
  EXPECT_EQ(Opt(item.quantity), quantity) << Opt(item.description);
  EXPECT_EQ(Opt(item.unit_price), unit_price) << Opt(item.description);
  EXPECT_EQ(Opt(item.amount), amount) << Opt(item.description);
  EXPECT_GT(item.confidence, 0);
  EXPECT_LE(item.confidence, 1);
  EXPECT_EQ(item.page, 1);
  EXPECT_TRUE(item.bbox);
}

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

// ------------------------------------------------------ Malaysian receipts

// The totals, taxes and payments of receipts of more countries end the
// items; none is an item.
TEST(LineItemTest, TotalsAndPaymentsOfMoreCountriesAreNoItems) {
  const std::vector<std::pair<std::string, std::string>> receipts = {
      {"Pączek 9,29\nChleb 14,97\nSprzedaż opodatk. A 24,26\n"
       "PTU A 8% 1,80\nSUMA PLN 24,26\nGOTÓWKA 30,00\nReszta 5,74\n",
       "Pączek|Chleb"},
      {"Pulla 9,29\nKahvi 14,97\nYhteensä 24,26\nKäteinen 30,00\n"
       "Takaisin 5,74\n",
       "Pulla|Kahvi"},
      {"Кафе 9,29\nБоза 14,97\nМеждинна сума 24,26\nДДС Б 20% 4,04\n"
       "Общо 24,26\nВ брой 30,00\nРесто 5,74\n",
       "Кафе|Боза"},
  };
  for (const auto& [text, want] : receipts) {
    std::string got;
    for (const core::LineItem& item : Items("SKLEP ABC\n" + text)) {
      if (!got.empty()) got += '|';
      got += Opt(item.description);
    }
    EXPECT_EQ(got, want) << text;
  }
}

TEST(LineItemTest, RestaurantReceiptWithCountFirst) {
  const auto items = Items(R"(THREE STOOGES BISTRO & CAFE
GST ID : 001661886464
TABLE : BAR 7
QTY ITEM                          AMOUNT
1 HH GUINESS 12 GLASSES           150.00
1 HH TIGER 12 GLASSES             145.00
2 SUB TOTAL                       295.00
SERVICE CHARGE 10%                 29.50
GST 6%                             19.47
TOTAL                             343.95
CASH                              350.00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "HH GUINESS 12 GLASSES", "1", "<none>", "150.00");
  ExpectItem(items[1], "HH TIGER 12 GLASSES", "1", "<none>", "145.00");
  // A header and a sum that agrees with the subtotal.
  EXPECT_GT(items[0].confidence, 0.75);
  // The box covers the row.
  EXPECT_EQ(items[1].bbox->y0, 100);
}

TEST(LineItemTest, ReceiptWithCodeAndNumbersThenDescription) {
  const auto items = Items(R"(TEO HENG STATIONERY & BOOKS
ITEM            QTY     U/P    DISC    AMOUNT
9556067700208    10   10.57    0.00    105.66
~ 1K YELLOW 70GRAMS
9557589450025     1   17.45    0.00     17.45
~ PAPYRUS DARK COLOUR PAPER
6924238702311     2    0.85    0.00      1.70
~ CBE HANDYCUTTER
Total Qty: 13
SUB-TOTAL                             124.81
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  // 10 x 10.57 is 105.70: the unit price is rounded to the cent.
  ExpectItem(items[0], "1K YELLOW 70GRAMS", "10", "10.57", "105.66");
  ExpectItem(items[1], "PAPYRUS DARK COLOUR PAPER", "1", "17.45", "17.45");
  ExpectItem(items[2], "CBE HANDYCUTTER", "2", "0.85", "1.70");
  for (const auto& item : items) EXPECT_GT(item.confidence, 0.8);
}

TEST(LineItemTest, ReceiptWithCodeAndDescriptionThenNumbers) {
  const auto items = Items(R"(BOOK TA .K (TAMAN DAYA) SDN BHD
Document No : TD01167104
CODE/DESC              QTY    PRICE    AMOUNT
9556939040118 KF MODELLING CLAY KIDDY FISH
                         1     8.49      8.49 SR
9556939040125 KF MODELLING CLAY SET
                         2     4.00      8.00 SR
Total Qty : 3.00
Total Sales (Excluding GST) :           16.49
GST @ 6% :                               0.99
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "KF MODELLING CLAY KIDDY FISH", "1", "8.49", "8.49");
  ExpectItem(items[1], "KF MODELLING CLAY SET", "2", "4.00", "8.00");
  // The box spans both rows of the item.
  EXPECT_EQ(items[0].bbox->y0, 60);
  EXPECT_EQ(items[0].bbox->y1, 96);
}

TEST(LineItemTest, MenuCodeRowsUnderTheirNames) {
  const auto items = Items(R"(SUSHI KING
ITEM              QTY    U/P   DISC    Amt
Chicken Katsu Bento
BEN02               1  12.90   0.00  12.90
Omu Curry Fried Rice Set
SET10               1   6.90   0.00   6.90
Sub Total                            19.80
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Chicken Katsu Bento", "1", "12.90", "12.90");
  ExpectItem(items[1], "Omu Curry Fried Rice Set", "1", "6.90", "6.90");
}

TEST(LineItemTest, DescriptionAndArticleCodeAboveTheNumbers) {
  // No header; each item is a description, an article code and a row with
  // the barcode and numbers; a count row that looks like a header follows.
  const auto items = Items(R"(MR. D.I.Y. (KUCHAI) SDN BHD
-TAX INVOICE-
BOOSTER CABLE XH-500A  *S
CE72 - 10
9001620  1X  29.90  29.90
MOTH BALLS 150G  *S
EC21-41-71 - 10/100
9063977  1X   2.10   2.10
Item(s) : 2  Qty(s) : 2
TOTAL INCL. GST@6%  RM 32.00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  // The article code lines are skipped, and so is the tax code printed in a
  // column of its own after the description ("*S").
  ExpectItem(items[0], "BOOSTER CABLE XH-500A", "1", "29.90", "29.90");
  ExpectItem(items[1], "MOTH BALLS 150G", "1", "2.10", "2.10");
}

TEST(LineItemTest, AQuantityColumnNotReadIsWhatThePriceMakesTheAmount) {
  // The single digits of the quantity column are lost (or read as letters:
  // "af" for "1"); each price divides its amount a whole number of times.
  const auto items = Items(R"(Description            Qty     Price       Total
‘Maintenance annuelle                810,59    7.295,31
Fournitures             af        1.041,72    1.041,72
Prestation de conseil               133,26      799,56
Montant HT                                  9.136,59
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  // (The rule over the first row read as a quote before it.)
  ExpectItem(items[0], "Maintenance annuelle", "9", "810.59", "7295.31");
  ExpectItem(items[1], "Fournitures", "1", "1041.72", "1041.72");
  ExpectItem(items[2], "Prestation de conseil", "6", "133.26", "799.56");
}

TEST(LineItemTest, ReceiptRowsKeepTheirNamesAndPriceTheirCounts) {
  // Two capitals right after the name are the name's, not a tax code; a
  // number after a counted name is the name's; a count without a printed
  // price gives the price of one when the amount divides in whole cents.
  const auto items = Items(R"(Batteries AA              1.52
2 x Tea bags 80           8.96
3 x Caffe                35.97
2 x Scones               10.01
Tea bags 80               6.50
Subtotal                 62.96
)");
  ASSERT_EQ(items.size(), 5u) << Dump(items);
  ExpectItem(items[0], "Batteries AA", "<none>", "<none>", "1.52");
  ExpectItem(items[1], "Tea bags 80", "2", "4.48", "8.96");
  ExpectItem(items[2], "Caffe", "3", "11.99", "35.97");
  ExpectItem(items[3], "Scones", "2", "<none>", "10.01");
  ExpectItem(items[4], "Tea bags 80", "<none>", "<none>", "6.50");
}

TEST(LineItemTest, ACreditNotesNegativeAmountsAreItsItems) {
  // On a credit note (its total negative) every amount is printed negative:
  // the items too, and its totals rows are no items.
  core::Extraction out;
  out.fields["total"] = {.value = "-3102.18", .confidence = 0.9};
  out.fields["currency"] = {.value = "EUR", .confidence = 0.9};
  const auto items = Items(R"(Description            Qty     Price       Amount
Consulting services       10    235,41    -2.354,10
Freight, pallet            1    217,35      -217,35
Taxable value                             -2.571,45
VAT 20%                                     -530,73
Total                                     -3.102,18
)",
                           &out);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Consulting services", "10", "235.41", "-2354.10");
  ExpectItem(items[1], "Freight, pallet", "1", "217.35", "-217.35");
  // Elsewhere a negative amount is a discount.
  EXPECT_EQ(Items("Coffee      3.50\nCoupon     -1.00\nCake        4.00\n"
                  "Total       6.50\n")
                .size(),
            2u);
}

TEST(LineItemTest, WholeAmountsInTheMillionsAreNoBarcodes) {
  // Rupiah printed without decimals, grouped in thousands: seven digits and
  // more are amounts, not a barcode starting the row.
  core::Extraction out;
  out.fields["currency"] = {.value = "IDR", .confidence = 0.7};
  const auto items =
      Items(R"(Description        Quantity  Unit price      Amount
Jasa konsultasi         1    1.630.000   1.630.000
Jasa pemasangan        10    6.320.000  63.200.000
Subtotal                                64.830.000
)",
            &out);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Jasa konsultasi", "1", "1630000.00", "1630000.00");
  ExpectItem(items[1], "Jasa pemasangan", "10", "6320000.00", "63200000.00");
}

TEST(LineItemTest, ABoldXIsAMarkerAndARuleReadAsLettersNoDescription) {
  // "x" read "xX"; a dashed rule under the last item read as letters, unsurely.
  OcrPage page = PageFromText(R"(3 xX Latte               12,00
Brood                     4,50
SOOT TOES ESS SS Om mm Oe TE
Totaal                   16,50
)");
  for (OcrWord& w : page.lines[2].words) w.confidence = 0.3f;
  const auto items = Items(page);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Latte", "3", "4.00", "12.00");
  ExpectItem(items[1], "Brood", "<none>", "<none>", "4.50");
}

TEST(LineItemTest, WholeAmountsGroupedBySpacesStandInTheirColumn) {
  // Forints: no decimals anywhere, thousands grouped by a space. The house
  // number ending the street is no amount (not apart from its words), the
  // phone line ends nothing, the Hungarian totals end the items.
  core::Extraction out;
  out.fields["currency"] = {.value = "HUF", .confidence = 0.78};
  const auto items = Items(R"(KOVACS CUKRASZDA
6720 SZEGED
SZECHENYI TER 117.
Tel.: +36 66 591 7825
Tej 1 l          820
Turo Rudi      2 060
Kifli          1 070
Reszosszeg     3 950
OSSZESEN       3 950 Ft
KESZPENZ       5 000
)",
                           &out);
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Tej 1 l", "<none>", "<none>", "820.00");
  ExpectItem(items[1], "Turo Rudi", "<none>", "<none>", "2060.00");
  ExpectItem(items[2], "Kifli", "<none>", "<none>", "1070.00");
}

TEST(LineItemTest, TheHeaderPrintedAgainOnTheSecondPageEndsNothing) {
  // Two pages read as one: the items go on under the repeated header, whose
  // "Total" column is no totals row.
  const auto items = Items(R"(Abbey Consulting LLP
Description          Qty     Rate        Total
Design work            2   1,033.68   2,067.36
Labour (hours)         1     813.57     813.57
Page 1/2
Abbey Consulting LLP - INV-2024-2900
Description          Qty     Rate        Total
Site visit             6      22.77     136.62
Materials              1     963.44     963.44
Subtotal                              3,980.99
Total                                 4,777.19
)");
  ASSERT_EQ(items.size(), 4u) << Dump(items);
  ExpectItem(items[2], "Site visit", "6", "22.77", "136.62");
  ExpectItem(items[3], "Materials", "1", "963.44", "963.44");
}

TEST(LineItemTest, ACountInACellAfterTheDescriptionIsNoDescription) {
  // The description and its count read a little higher than the prices
  // (two blocks of the page's layout): the count, apart from the
  // description, is the quantity's cell.
  const auto items = Items(R"(Item                Unit price         Amount
Transporte       11
                         13,76         151,36
Base imponible                         151,36
)");
  ASSERT_EQ(items.size(), 1u) << Dump(items);
  ExpectItem(items[0], "Transporte", "11", "13.76", "151.36");
}

TEST(LineItemTest, TaxSummaryAndPaymentRowsAreNoItems) {
  const auto items = Items(R"(ACME MART
Item                 Qty  Amount
MILO 1KG               1   15.90 SR
SR @ 6%                     0.90
A 19% 10.00 1.90 11.90
CASH                       20.00
Total                      15.90
)");
  ASSERT_EQ(items.size(), 1u) << Dump(items);
  ExpectItem(items[0], "MILO 1KG", "1", "<none>", "15.90");
}

// ---------------------------------------------------------- invoices

TEST(LineItemTest, GermanInvoiceTable) {
  const auto items = Items(R"(Muster GmbH
Rechnung Nr. 2024-117
Pos  Bezeichnung                   Menge   Einzelpreis       Betrag
1    Beratung Stunden                 10         85,00       850,00
2    Reisekosten pauschal              1        120,00       120,00
3    Schulungsunterlagen               4         12,50        50,00
                                              Zwischensumme 1.020,00
                                                  MwSt 19%    193,80
                                              Gesamtbetrag  1.213,80
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Beratung Stunden", "10", "85.00", "850.00");
  ExpectItem(items[1], "Reisekosten pauschal", "1", "120.00", "120.00");
  ExpectItem(items[2], "Schulungsunterlagen", "4", "12.50", "50.00");
  for (const auto& item : items) EXPECT_GT(item.confidence, 0.8);
}

TEST(LineItemTest, FrenchInvoiceWithSpaceGroupedAmounts) {
  const auto items = Items(R"(Société Exemple SARL
Facture n° F2024-031
Désignation               Qté     Prix unitaire          Montant
Ordinateur portable         1          1 234,50         1 234,50
Souris sans fil             2             25,00            50,00
Total HT                                                1 284,50
TVA 20 %                                                  256,90
Total TTC                                               1 541,40
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Ordinateur portable", "1", "1234.50", "1234.50");
  ExpectItem(items[1], "Souris sans fil", "2", "25.00", "50.00");
}

TEST(LineItemTest, WrappedDescriptionAndProductCodeLine) {
  const auto items = Items(R"(ACME CONSULTING LTD
Description                            Qty     Price     Amount
Professional services for the            1    500.00     500.00
migration of the billing system
Widget blue                              2      3.50       7.00
SKU 123456789
Hosting (annual)                         1    120.00     120.00
Subtotal                                                 627.00
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0],
             "Professional services for the migration of the billing system",
             "1", "500.00", "500.00");
  ExpectItem(items[1], "Widget blue", "2", "3.50", "7.00");
  ExpectItem(items[2], "Hosting (annual)", "1", "120.00", "120.00");
  // The wrapped item's box covers both of its rows.
  EXPECT_EQ(items[0].bbox->y0, 40);
  EXPECT_EQ(items[0].bbox->y1, 76);
}

TEST(LineItemTest, QuantityTimesPriceWithoutHeader) {
  const auto items = Items(R"(CAFE LUNA
Coffee                       7.00
  2 x 3.50
Tea 2 @ 1.50                 3.00
Muffin                       2.50
TOTAL                       12.50
CASH                        20.00
CHANGE                       7.50
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Coffee", "2", "3.50", "7.00");
  ExpectItem(items[1], "Tea", "2", "1.50", "3.00");
  ExpectItem(items[2], "Muffin", "<none>", "<none>", "2.50");
}

// "3x 22,25" whose "x" OCR read as "%" or "*": the count and price of the
// item beside it whose amount is their product, and no tax summary; a tax
// rate before an amount it does not multiply into stays none.
TEST(LineItemTest, ACountWhoseMarkerWasMisreadPricesTheItemBesideIt) {
  const auto items = Items(R"(DU MARCHE
Fromage                      20,27
3% 22,25
Cafe                         66,75
Journal                      26,85
3* 8,95
Tarte                        12,00
20% 2,00
TOTAL                       125,87
)");
  ASSERT_EQ(items.size(), 4u) << Dump(items);
  ExpectItem(items[0], "Fromage", "<none>", "<none>", "20.27");
  ExpectItem(items[1], "Cafe", "3", "22.25", "66.75");
  ExpectItem(items[2], "Journal", "3", "8.95", "26.85");
  ExpectItem(items[3], "Tarte", "<none>", "<none>", "12.00");
}

// A count glued to the description ("2xMelk"): the quantity, the price of
// one from the amount, and the description without it.
TEST(LineItemTest, ACountGluedToTheDescriptionIsTheQuantity) {
  const auto items = Items(R"(BAKKERIJ JANSEN
2xMelk                       41,00
Kaas                          6,20
4x4 Tyres                    10,00
TOTAL                        57,20
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Melk", "2", "20.50", "41.00");
  ExpectItem(items[1], "Kaas", "<none>", "<none>", "6.20");
  ExpectItem(items[2], "4x4 Tyres", "<none>", "<none>", "10.00");
}

// Russian registers print every amount after a "=" ("Газета =91.00"): the
// price of an item, not a label's "Итого =" ending the items, which end at
// their subtotal and total ("Подытог", "итог").
TEST(LineItemTest, AnEqualsSignGluedToThePriceIsNoSummaryLine) {
  const auto items = Items(R"(РАДУГА КНИЖНЫЙ МАГАЗИН
16.12.16 07:51
Газета =91.00
Пельмени =648.00
2 х Кофе =250.00
Подытог =989.00
итог 989.00 P
Наличными =1000.00
Сдача =11.00
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Газета", "<none>", "<none>", "91.00");
  ExpectItem(items[1], "Пельмени", "<none>", "<none>", "648.00");
  ExpectItem(items[2], "Кофе", "2", "125.00", "250.00");
  // A label and its "=" apart still end the items.
  const auto summed = Items(R"(KIOSK
Bread 2.00
Milk 1.50
SubTatat = 3.50
Cash 5.00
)");
  ASSERT_EQ(summed.size(), 2u) << Dump(summed);
}

// On pages read in Cyrillic or Greek the "x" of a count is read as "х" or
// "χ": alone, glued to the count ("2х") or to the description ("4 хБоза",
// a capital after it); "2 Xbox" and "2 хлеб" keep their first word. A "3"
// read "З" before it is still the count ("Зх").
TEST(LineItemTest, ACyrillicOrGreekTimesSignIsTheCountsSign) {
  const auto items = Items(R"(ПЕКАРНА ВИТОША
4 хБоза                      95.08
2х Минерална вода            23.98
3 х Кифла                    16.47
2 χ Νερό 500ml                3.00
4хКифла                      22.68
2 Xbox                      598.00
2 хлеб                        4.00
СУМА                        763.21
)");
  ASSERT_EQ(items.size(), 7u) << Dump(items);
  ExpectItem(items[0], "Боза", "4", "23.77", "95.08");
  ExpectItem(items[1], "Минерална вода", "2", "11.99", "23.98");
  ExpectItem(items[2], "Кифла", "3", "5.49", "16.47");
  ExpectItem(items[3], "Νερό 500ml", "2", "1.50", "3.00");
  ExpectItem(items[4], "Кифла", "4", "5.67", "22.68");
  ExpectItem(items[5], "Xbox", "2", "299.00", "598.00");
  ExpectItem(items[6], "хлеб", "2", "2.00", "4.00");
  // A "3" read as the Cyrillic "З" before the sign: still the count.
  const auto ze = Items(R"(РАДУГА
Зх Газета                  2061.00
Сыр                          69.00
ИТОГО                      2130.00
)");
  ASSERT_EQ(ze.size(), 2u) << Dump(ze);
  ExpectItem(ze[0], "Газета", "3", "687.00", "2061.00");
}

// The count misread as a letter ("AX" for "4x"), a price's separator lost
// ("1775") or the price misread ("§,75", its digits those read): the
// arithmetic with the item below gives the quantity and unit price.
TEST(LineItemTest, ACountRowReadBadlyStillPricesTheItemBelow) {
  const auto items = Items(R"(CAFE LUNA
Latte                         4,99
2x 1775
Notebook                     35.50
AX 12,79
Pizza margherita             51,16
2 xX §,75
Baguette                     17,50
TOTAL                       109,15
)");
  ASSERT_EQ(items.size(), 4u) << Dump(items);
  ExpectItem(items[0], "Latte", "<none>", "<none>", "4.99");
  ExpectItem(items[1], "Notebook", "2", "17.75", "35.50");
  ExpectItem(items[2], "Pizza margherita", "4", "12.79", "51.16");
  ExpectItem(items[3], "Baguette", "2", "8.75", "17.50");
}

// A price misread into no amount ("LL36") in the prices' column is the
// amount that makes the items add up when its digits are those read; else
// it is no item, and its description no other item's.
TEST(LineItemTest, AMisreadPriceIsWhatMakesTheItemsAddUp) {
  const std::string receipt = R"(CAFE LUNA
Cafe                         38,74
Agua                          0,94
Tostada                       LL36
Periodico                    10,28
TOTAL                        61,32
)";
  auto items = Items(receipt);
  ASSERT_EQ(items.size(), 4u) << Dump(items);
  ExpectItem(items[2], "Tostada", "<none>", "<none>", "11.36");
  EXPECT_LT(items[2].confidence, items[1].confidence);
  std::string other = receipt;
  other.replace(other.find("LL36"), 4, "LL37");
  items = Items(other);
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[1], "Agua", "<none>", "<none>", "0.94");
  ExpectItem(items[2], "Periodico", "<none>", "<none>", "10.28");
}

// A discount's label glued to its rate ("Descuento20%") is still the
// discount's: no item.
TEST(LineItemTest, ADiscountLabelGluedToItsRateIsNoItem) {
  const auto items = Items(R"(CAFETERIA SOL
Cafe con leche               20,00
Tostada                      10,00
Descuento20%                  6,00
TOTAL                        24,00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Cafe con leche", "<none>", "<none>", "20.00");
  ExpectItem(items[1], "Tostada", "<none>", "<none>", "10.00");
}

TEST(LineItemTest, DiscountRowsAreNoItemsButCountInTheSum) {
  core::Extraction with_discount;
  const auto items = Items(R"(FRESH MART
Apple                         3.00
Member discount              -0.50
Banana                        2.00
SUBTOTAL                      4.50
)",
                           &with_discount);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Apple", "<none>", "<none>", "3.00");
  ExpectItem(items[1], "Banana", "<none>", "<none>", "2.00");
  // The same items without a sum to agree with are less sure.
  const auto unsure = Items(R"(FRESH MART
Apple                         3.00
Banana                        2.00
SUBTOTAL                      4.00
)");
  ASSERT_EQ(unsure.size(), 2u);
  EXPECT_GT(items[0].confidence, unsure[0].confidence);
}

TEST(LineItemTest, UsesTheTotalAlreadyRead) {
  const std::string text = R"(KEDAI MAJU
NASI LEMAK                    4.50
TEH TARIK                     2.00
GRAND                         6.50
)";
  core::Extraction without;
  const auto plain = Items(text, &without);
  core::Extraction with;
  core::Field total;
  total.value = "6.50";
  total.confidence = 0.9;
  total.page = 1;
  total.bbox = core::BBox{300, 60, 340, 76};
  with.fields["total"] = total;
  const auto items = Items(text, &with);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ASSERT_EQ(plain.size(), 3u) << Dump(plain);  // "GRAND" is read as an item
  ExpectItem(items[0], "NASI LEMAK", "<none>", "<none>", "4.50");
  ExpectItem(items[1], "TEH TARIK", "<none>", "<none>", "2.00");
  EXPECT_GT(items[0].confidence, plain[0].confidence);
}

// One item's amount misread by a digit ("3.51" for "3.31"): the items do
// not add up to the subtotal, which the total less its tax confirms; the one
// digit's change that makes them add up is the amount. Not when no subtotal
// confirms the total (the total may be the misreading), nor when two items
// could each be changed.
TEST(LineItemTest, AnAmountMisreadByOneDigitIsWhatMakesTheItemsAddUp) {
  const std::string text = R"(CAFE LUNA
Koffie                         3.51
Appeltaart                     4.15
Water                          2.10
Subtotaal                      9.56
BTW 9%                         0.86
Totaal                        10.42
)";
  auto fields = [](const char* sub, const char* tax, const char* total) {
    core::Extraction e;
    for (auto [name, value] :
         {std::pair{"subtotal", sub}, {"tax", tax}, {"total", total}}) {
      if (value) e.fields[name] = {.value = value, .confidence = 0.9};
    }
    return e;
  };
  core::Extraction sure = fields("9.56", "0.86", "10.42");
  auto items = Items(text, &sure);
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "Koffie", "<none>", "<none>", "3.31");
  ExpectItem(items[1], "Appeltaart", "<none>", "<none>", "4.15");
  ExpectItem(items[2], "Water", "<none>", "<none>", "2.10");
  // The total alone: left as read.
  core::Extraction total_only = fields(nullptr, nullptr, "9.56");
  items = Items(text, &total_only);
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  EXPECT_EQ(Opt(items[0].amount), "3.51");
  // 0.20 too much, and "3.51" or "4.25" may have been "3.31" or "4.05":
  // left as read.
  core::Extraction twice = fields("9.66", "0.87", "10.53");
  items = Items(R"(CAFE LUNA
Koffie                         3.51
Appeltaart                     4.25
Water                          2.10
Subtotaal                      9.66
)",
                &twice);
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  EXPECT_EQ(Opt(items[0].amount), "3.51");
  EXPECT_EQ(Opt(items[1].amount), "4.25");
}

// A Danish invoice's totals under its items: "Netto" (the amount before
// tax) and "I alt" read "l alt" end the items; neither is one.
TEST(LineItemTest, NetAndATotalLabelsCapitalReadSmallEndTheItems) {
  const auto items = Items(R"(Havnen Tryk ApS
Beskrivelse        Antal   Enhedspris       Beløb
Rådgivning (timer)     2       450,00      900,00
Kørsel                 1       120,00      120,00
Netto                                    1.020,00
Moms 25%                                   255,00
l alt                                    1.275,00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Rådgivning (timer)", "2", "450.00", "900.00");
  ExpectItem(items[1], "Kørsel", "1", "120.00", "120.00");
  const auto receipt = Items(R"(BAGERIET
Rugbrød                                     32,00
Kaffe                                       28,00
l alt                                       60,00
Dankort                                     60,00
)");
  ASSERT_EQ(receipt.size(), 2u) << Dump(receipt);
  ExpectItem(receipt[1], "Kaffe", "<none>", "<none>", "28.00");
}

// A sum labelled in words the items' own labels lack, but the field
// extractor's have (IsSumLabel), ends the items: Finnish "Välisumma",
// Ukrainian "ДО СПЛАТИ".
TEST(LineItemTest, TheFieldExtractorsSumLabelsEndTheItems) {
  auto items = Items(R"(LEIPOMO AHO
Pulla                                        3,20
Kahvi                                        2,80
Välisumma                                    6,00
Maksettava                                   6,00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[1], "Kahvi", "<none>", "<none>", "2.80");
  items = Items(R"(КАВ'ЯРНЯ
Кава                                        45.00
Пиріжок                                     32.00
ДО СПЛАТИ                                   77.00
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
}

TEST(LineItemTest, UnitPriceRowUnderItsItem) {
  const auto items = Items(R"(RESTORAN SIAM VILLAGE
Qty Description                    Total (RM)
1   CLAYPOT TOFU                        18.90
2   STIR RED CURRY                      37.80
      @RM18.90
13  WHITE RICE (PER                     26.00
      FILL)
      @RM2.00
SubTatat:                               82.70
Type: 3
)");
  ASSERT_EQ(items.size(), 3u) << Dump(items);
  ExpectItem(items[0], "CLAYPOT TOFU", "1", "<none>", "18.90");
  ExpectItem(items[1], "STIR RED CURRY", "2", "18.90", "37.80");
  ExpectItem(items[2], "WHITE RICE (PER FILL)", "13", "2.00", "26.00");
}

// ------------------------------------------------------ nothing to read

TEST(LineItemTest, ReceiptWithoutItemsGivesNone) {
  EXPECT_TRUE(Items(R"(THANK YOU FOR SHOPPING
TOTAL                 9.00
CASH                 10.00
CHANGE                1.00
)")
                  .empty());
  // Opening hours and a lone price that agrees with nothing.
  EXPECT_TRUE(Items(R"(ACME SDN BHD
TEL 03-7865 2323
Open daily 10.00 to 22.00
Date: 25/12/2018
)")
                  .empty());
  EXPECT_TRUE(Items(R"(Dear customer,
thank you for your order of 12 March.
Kind regards
)")
                  .empty());
  EXPECT_TRUE(Items(OcrPage{}).empty());
}

TEST(LineItemTest, AppendsToItemsOfEarlierPages) {
  core::Extraction e;
  core::LineItem first;
  first.description = "from page 1";
  first.amount = "1.00";
  e.line_items.push_back(first);
  ExtractLineItems(PageFromText("Item     Amount\nPen      2.50\nTotal    "
                                "2.50\n"),
                   2, e);
  ASSERT_EQ(e.line_items.size(), 2u);
  EXPECT_EQ(Opt(e.line_items[1].description), "Pen");
  EXPECT_EQ(e.line_items[1].page, 2);
}

// ------------------------------------------------------ two-column blocks

TEST(LineItemTest, TableReadAsColumnBlocks) {
  // Layout analysis read the descriptions as one block and the numbers as
  // another: rows are rebuilt by height.
  OcrPage page;
  page.width = 800;
  page.height = 400;
  page.lines.push_back(Line(10, {{20, "Northwind"}, {120, "Traders"}}));
  page.lines.push_back(Line(60, {{20, "Description"}}));
  page.lines.push_back(Line(90, {{20, "Chai"}, {70, "tea"}, {110, "(box)"}}));
  page.lines.push_back(Line(120, {{20, "Chang"}, {80, "beer"}}));
  page.lines.push_back(Line(150, {{20, "Subtotal"}}));
  page.lines.push_back(
      Line(60, {{400, "Qty"}, {500, "Price"}, {650, "Amount"}}));
  page.lines.push_back(Line(90, {{400, "3"}, {500, "18.00"}, {650, "54.00"}}));
  page.lines.push_back(Line(120, {{400, "1"}, {500, "19.00"}, {650, "19.00"}}));
  page.lines.push_back(Line(150, {{650, "73.00"}}));
  const auto items = Items(page);
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "Chai tea (box)", "3", "18.00", "54.00");
  ExpectItem(items[1], "Chang beer", "1", "19.00", "19.00");
  EXPECT_EQ(items[0].bbox->x0, 20);
  EXPECT_EQ(items[0].bbox->x1, 700);
}

TEST(LineItemTest, UnitOfMeasureColumnIsNoDescription) {
  const auto items = Items(R"(PASARAYA BORONG PINTAR SDN BHD
QTY  UOM       Price    Amt Exc.   Amt Inc.   Tax Code
WALL'S TOPTEN CHOCOLATE 73ML
1    EACH       1.60       1.60       1.60    ZRL
MAGNUM ALMOND 90ML
1    EACH       4.50       4.50       4.50    ZRL
*Total Qty: 2.00                               6.10
)");
  ASSERT_EQ(items.size(), 2u) << Dump(items);
  ExpectItem(items[0], "WALL'S TOPTEN CHOCOLATE 73ML", "1", "1.60", "1.60");
  ExpectItem(items[1], "MAGNUM ALMOND 90ML", "1", "4.50", "4.50");
}

// ---------------------------------------------------- misread prices

OcrPage PageOf(std::vector<OcrLine> lines) {
  OcrPage page;
  page.width = 400;
  page.height = 400;
  page.lines = std::move(lines);
  return page;
}

// Prices end at x = 350 (a 16 px line is the text's height).
TEST(GarbledPriceCellsTest, PicksTheMisreadCellsInThePricesColumn) {
  const OcrPage page = PageOf({
      Line(10, {{10, "05-05-2023"}, {300, "16:13"}}),
      Line(40, {{10, "Cafe"}, {300, "38,74"}}),
      Line(60, {{10, "Tostada"}, {310, "LL36"}}),
      Line(80, {{10, "Tea"}, {50, "bags"}, {100, "80"}}),
      Line(100, {{10, "Fromage"}, {300, "16"}, {330, "iz"}}),
      Line(120, {{10, "Agua"}, {300, "0,94"}}),
      Line(140, {{10, "Butter"}, {80, "tarts"}, {310, "1352"}}),
      Line(160, {{10, "Periodico"}, {300, "10,28"}}),
      Line(170, {{10, "SUMA"}, {260, "33.35"}, {320, "лв."}}),
      Line(180, {{10, "TOTAL"}, {260, "29,56"}, {320, "¢€"}}),
      Line(190, {{10, "Member"}, {270, "90467421"}}),
      Line(200, {{10, "Cambio"}, {310, "8,68"}}),
  });
  const std::vector<PriceCell> cells = GarbledPriceCells(page, 8);
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].line, 2u);
  EXPECT_EQ(cells[0].first, 1u);
  EXPECT_EQ(cells[0].last, 2u);
  EXPECT_EQ(cells[0].box.x0, 310);
  EXPECT_EQ(cells[1].line, 4u);  // "16 iz": one cell of two words
  EXPECT_EQ(cells[1].first, 1u);
  EXPECT_EQ(cells[1].last, 3u);
  EXPECT_EQ(cells[1].box.x1, 350);
  EXPECT_EQ(cells[2].line, 6u);
  EXPECT_EQ(cells[3].line, 9u);  // a price among marks, not with "лв."
  EXPECT_EQ(cells[3].first, 1u);
  // No more than asked for.
  EXPECT_EQ(GarbledPriceCells(page, 1).size(), 1u);
}

TEST(GarbledPriceCellsTest, NoneWithoutAColumnOfPrices) {
  // Two prices make no column; a description's last word is no cell.
  EXPECT_TRUE(GarbledPriceCells(PageOf({
                                    Line(40, {{10, "Cafe"}, {300, "38,74"}}),
                                    Line(60, {{10, "Tostada"}, {310, "LL36"}}),
                                    Line(80, {{10, "Agua"}, {300, "0,94"}}),
                                }),
                                8)
                  .empty());
  EXPECT_TRUE(GarbledPriceCells(PageOf({
                                    Line(40, {{10, "Cafe"}, {300, "38,74"}}),
                                    Line(60, {{10, "Tea"}, {50, "b4gs"}}),
                                    Line(80, {{10, "Agua"}, {300, "0,94"}}),
                                    Line(100, {{10, "Pan"}, {300, "1,20"}}),
                                }),
                                8)
                  .empty());
}

}  // namespace
}  // namespace invoices::extract
