#include "invoices/extract/text_parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace invoices::extract {
namespace {

using ::testing::ElementsAre;

// The canonical decimal of an amount as printed, or "none".
std::string Amount(std::string_view text, AmountOptions options = {}) {
  auto a = ParseAmount(text, options);
  return a ? a->value.ToString() : "none";
}

std::string Currency(std::string_view text) {
  auto a = ParseAmount(text);
  if (!a) return "none";
  return a->currency ? a->currency->code : "";
}

std::string Date(std::string_view text,
                 DateOrder order = DateOrder::kDayFirst) {
  auto d = ParseDate(text, order);
  return d ? d->date.ToIso() : "none";
}

// The amounts of a line as canonical decimals, in order.
std::vector<std::string> Amounts(std::string_view line) {
  std::vector<std::string> out;
  for (const AmountToken& a : FindAmounts(line)) {
    out.push_back(a.value.ToString());
  }
  return out;
}

std::vector<std::string> Dates(std::string_view line) {
  std::vector<std::string> out;
  for (const DateToken& d : FindDates(line)) out.push_back(d.date.ToIso());
  return out;
}

// ------------------------------------------------------------------ folding

TEST(FoldTextTest, LowerCasesAndStripsAccents) {
  EXPECT_EQ(FoldText("TOTAL"), "total");
  EXPECT_EQ(FoldText("MÄRZ"), "marz");
  EXPECT_EQ(FoldText("Échéance"), "echeance");
  EXPECT_EQ(FoldText("Straße"), "strasse");
  EXPECT_EQ(FoldText("ÿÀÞ"), "yath");
  EXPECT_EQ(FoldText("Łódź"), "lodz");
  // Romanian's letters with a comma below, and with the cedilla.
  EXPECT_EQ(FoldText("Ștefănescu Iași"), "stefanescu iasi");
  EXPECT_EQ(FoldText("Ţară ş"), "tara s");
  EXPECT_EQ(FoldText("€ 5"), "€ 5");
  EXPECT_EQ(FoldText("年"), "年");
}

TEST(FoldTextTest, GreekAndCyrillicLowerCasedWithoutAccents) {
  EXPECT_EQ(FoldText("ΣΎΝΟΛΟ Σύνολο"), "συνολο συνολο");
  EXPECT_EQ(FoldText("ΠΛΗΡΩΤΈΟ πληρωτέος"), "πληρωτεο πληρωτεοσ");  // final ς
  EXPECT_EQ(FoldText("Ὑποσύνολο ηµέρα"), "υποσυνολο ημερα");  // polytonic, µ
  EXPECT_EQ(FoldText("ОБЩА СУМА Ёлка"), "обща сума елка");
  EXPECT_EQ(FoldText("ГОТІВКА Єдрпоу"), "готівка єдрпоу");
  // Latin lookalikes in a word of the other script are of that script; a
  // word of Latin letters only stays Latin.
  EXPECT_EQ(FoldText("CУMA"), "сума");
  EXPECT_EQ(FoldText("ΣΥNΟΛΟ"), "συνολο");
  EXPECT_EQ(FoldText("CASH СУМА"), "cash сума");
}

TEST(ToLatinLookalikesTest, IdentifiersReadInAnotherScript) {
  EXPECT_EQ(ToLatinLookalikes("РО-2021-5101"), "PO-2021-5101");  // Cyrillic
  EXPECT_EQ(ToLatinLookalikes("ΡΟ-2020-0241"), "PO-2020-0241");  // Greek
  EXPECT_EQ(ToLatinLookalikes("А2016526"), "A2016526");
  // A letter like no Latin one: the identifier is of that script.
  EXPECT_EQ(ToLatinLookalikes("СФ-0001"), "СФ-0001");
  EXPECT_EQ(ToLatinLookalikes("INV-2021-7"), "INV-2021-7");
}

TEST(FromLatinLookalikesTest, CapitalsOfTheOtherScript) {
  EXPECT_EQ(FromLatinLookalikes("METPHTA", true), "ΜΕΤΡΗΤΑ");
  EXPECT_EQ(FromLatinLookalikes("PESTA", true), "ΡΕΣΤΑ");
  EXPECT_EQ(FromLatinLookalikes("CYMA:", false), "СУМА:");
  EXPECT_EQ(FromLatinLookalikes("PECTO", false), "РЕСТО");
  // A letter with no lookalike, small letters, or fewer than three letters:
  // a Latin word.
  EXPECT_EQ(FromLatinLookalikes("VISA", true), std::nullopt);
  EXPECT_EQ(FromLatinLookalikes("Kapta", false), std::nullopt);
  EXPECT_EQ(FromLatinLookalikes("OK", true), std::nullopt);
  // Beside words of the script, small letters and two letters do.
  EXPECT_EQ(FromLatinLookalikes("Ap.", true, true), "Αρ.");
  EXPECT_EQ(FromLatinLookalikes("Ap.", true), std::nullopt);
  EXPECT_EQ(FromLatinLookalikes("Kapta", false, true), std::nullopt);  // t
}

TEST(MonotonicGreekTest, PolytonicLettersAndTheMicroSign) {
  EXPECT_EQ(MonotonicGreek("Ὑποσύνολο Αρτοποιεῖο"), "Υποσύνολο Αρτοποιείο");
  EXPECT_EQ(MonotonicGreek("ἀπόδειξη ηµέρα"), "απόδειξη ημέρα");
  EXPECT_EQ(MonotonicGreek("Ἄ 12,50 €"), "Ά 12,50 €");
}

TEST(CountScriptsTest, LettersByScriptAndThoseUnlikeLatin) {
  const ScriptLetters g = CountScripts("ΑΚΡΟΠΟΛΙΣ 12 VISA");
  EXPECT_EQ(g.greek, 9u);
  EXPECT_EQ(g.latin, 4u);
  EXPECT_EQ(g.distinct, 3u);  // Π Λ Σ
  const ScriptLetters c = CountScripts("ВАСКЕРЕ Жито");
  EXPECT_EQ(c.cyrillic, 11u);
  EXPECT_EQ(c.distinct, 2u);  // Ж и
}

// ----------------------------------------------------------------- currency

TEST(CurrencyTest, ReadsSignsAndCodes) {
  EXPECT_EQ(ParseCurrency("RM")->code, "MYR");
  EXPECT_EQ(ParseCurrency("€")->code, "EUR");
  EXPECT_EQ(ParseCurrency("£")->code, "GBP");
  EXPECT_EQ(ParseCurrency("EUR")->code, "EUR");
  EXPECT_EQ(ParseCurrency("Euro")->code, "EUR");
  EXPECT_EQ(ParseCurrency("CHF")->code, "CHF");
  EXPECT_EQ(ParseCurrency("SGD")->code, "SGD");
  EXPECT_EQ(ParseCurrency("S$")->code, "SGD");
  EXPECT_EQ(ParseCurrency("US$")->code, "USD");
  EXPECT_EQ(ParseCurrency(" Rp ")->code, "IDR");
  EXPECT_EQ(ParseCurrency("zł")->code, "PLN");
  EXPECT_FALSE(ParseCurrency("US$")->ambiguous);
  EXPECT_FALSE(ParseCurrency("€")->ambiguous);
}

TEST(CurrencyTest, DollarIsAmbiguous) {
  auto mark = ParseCurrency("$");
  ASSERT_TRUE(mark);
  EXPECT_EQ(mark->code, "USD");
  EXPECT_TRUE(mark->ambiguous);
}

TEST(CurrencyTest, RefusesWordsThatAreNotCurrencies) {
  for (const char* text : {"", "eur", "rm", "ALL", "TOP", "PEN", "RMX",
                           "FORMAT", "TOTAL", "EUR5"}) {
    EXPECT_FALSE(ParseCurrency(text)) << text;
  }
}

TEST(CurrencyTest, BhdIsBerhadUnlessNextToANumber) {
  EXPECT_TRUE(FindCurrencyMarks("BOOK TA .K SDN BHD (861354-T)").empty());
  EXPECT_EQ(Currency("BHD 12.500"), "BHD");
  EXPECT_EQ(Amount("12.500 BHD"), "12.500");  // three minor digits
}

TEST(CurrencyTest, CadIsATurkishStreetUnlessNextToANumber) {
  EXPECT_TRUE(FindCurrencyMarks("CUMHURIYET CAD. NO:143").empty());
  EXPECT_EQ(Currency("CAD 45.00"), "CAD");
  EXPECT_EQ(Currency("45.00 CAD"), "CAD");
}

TEST(CurrencyTest, CrownsLiraAndKoruna) {
  EXPECT_EQ(Currency("90,16 TL"), "TRY");
  EXPECT_EQ(Currency("107,40 Kč"), "CZK");
  EXPECT_EQ(Currency("107,40 KČ"), "CZK");
  EXPECT_EQ(Currency("107,40 Kc"), "CZK");
  // The forint and the leu; "Ft" only beside a number (else feet).
  auto mark = [](std::string_view line) {
    const auto marks = FindCurrencyMarks(line);
    return marks.size() == 1 ? marks[0].code : "";
  };
  EXPECT_EQ(mark("OSSZESEN 20 840 Ft"), "HUF");
  EXPECT_EQ(mark("Ft 20 840"), "HUF");
  EXPECT_EQ(mark("Ceiling height Ft"), "");
  EXPECT_EQ(Currency("89,25 lei"), "RON");
  EXPECT_EQ(mark("TOTAL LEI 89,25"), "RON");
  // The lev, the rouble and the hryvnia in their own letters.
  EXPECT_EQ(mark("ОБЩА СУМА 12.50 лв."), "BGN");
  EXPECT_EQ(mark("ИТОГО 1 250 руб."), "RUB");
  EXPECT_EQ(mark("СУМА 99,00 грн"), "UAH");
  EXPECT_EQ(mark("ИТОГО 1 250 ₽"), "RUB");
  // "kr" is the crown of three countries: marked as ambiguous, its dot kept.
  const std::string line = "SUMMA 23,36 kr.";
  const auto marks = FindCurrencyMarks(line);
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].code, "SEK");
  EXPECT_TRUE(marks[0].ambiguous);
  EXPECT_EQ(line.substr(marks[0].begin), "kr.");
}

TEST(CurrencyTest, FindsMarksAsWholeWords) {
  const std::string line = "TOTAL (RM) RM9.00 FORMAT 3,20 €";
  auto marks = FindCurrencyMarks(line);
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(line.substr(marks[0].begin, marks[0].end - marks[0].begin), "RM");
  EXPECT_EQ(marks[0].begin, 7u);
  EXPECT_EQ(marks[1].begin, 11u);
  EXPECT_EQ(marks[2].code, "EUR");
  EXPECT_EQ(line.substr(marks[2].begin), "€");
}

// ------------------------------------------------------------------ amounts

TEST(ParseAmountTest, ReadsPlainAndCurrencyAmounts) {
  EXPECT_EQ(Amount("9.00"), "9.00");
  EXPECT_EQ(Amount("RM 9.00"), "9.00");
  EXPECT_EQ(Amount("RM9.00"), "9.00");
  EXPECT_EQ(Amount("$12.5"), "12.5");
  EXPECT_EQ(Amount("€ 3,20"), "3.20");
  EXPECT_EQ(Amount("9,00 EUR"), "9.00");
  EXPECT_EQ(Amount("9.00EUR"), "9.00");
  EXPECT_EQ(Amount("  42  "), "42");
  EXPECT_EQ(Amount("0.05"), "0.05");
  EXPECT_EQ(Amount("US$ 1,000.00"), "1000.00");
}

TEST(ParseAmountTest, KeepsTheCurrency) {
  EXPECT_EQ(Currency("RM 9.00"), "MYR");
  EXPECT_EQ(Currency("RM9.00"), "MYR");
  EXPECT_EQ(Currency("9,00 EUR"), "EUR");
  EXPECT_EQ(Currency("€ 3,20"), "EUR");
  EXPECT_EQ(Currency("£4.99"), "GBP");
  EXPECT_EQ(Currency("$12.5"), "USD");
  EXPECT_EQ(Currency("CHF 12.50"), "CHF");
  EXPECT_EQ(Currency("S$12.50"), "SGD");
  EXPECT_EQ(Currency("12.50 SGD"), "SGD");
  EXPECT_EQ(Currency("9.00"), "");
  EXPECT_TRUE(ParseAmount("$12.5")->currency->ambiguous);
  EXPECT_FALSE(ParseAmount("RM9.00")->currency->ambiguous);
}

TEST(ParseAmountTest, DecidesTheDecimalSeparatorFromDigitGroups) {
  EXPECT_EQ(Amount("1,234.50"), "1234.50");
  EXPECT_EQ(Amount("1.234,50"), "1234.50");
  EXPECT_EQ(Amount("1 234,50"), "1234.50");
  EXPECT_EQ(Amount("1'234.50"), "1234.50");
  EXPECT_EQ(Amount("1,234,567"), "1234567");
  EXPECT_EQ(Amount("1.234.567,89"), "1234567.89");
  EXPECT_EQ(Amount("12,34,567.00"), "1234567.00");  // Indian grouping
  EXPECT_EQ(Amount("9,00"), "9.00");
  EXPECT_EQ(Amount("12,5"), "12.5");
  EXPECT_EQ(Amount("0.350"), "0.350");  // "0" is never a thousands group
  EXPECT_EQ(Amount("1.2345"), "1.2345");
  // U+00A0 and U+202F group digits anywhere.
  EXPECT_EQ(Amount("1\u00a0234.50"), "1234.50");
  EXPECT_EQ(Amount("1\u202f234\u202f567,00"), "1234567.00");
}

TEST(ParseAmountTest, SingleSeparatorBeforeThreeDigitsIsGrouping) {
  auto a = ParseAmount("1,234");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value.ToString(), "1234");
  EXPECT_TRUE(a->separator_ambiguous);
  EXPECT_TRUE(a->grouped);
  EXPECT_FALSE(a->has_fraction);
  EXPECT_EQ(Amount("Rp 15.000"), "15000");
  // ...unless the currency has three minor digits.
  EXPECT_EQ(Amount("KWD 1.250"), "1.250");
  auto b = ParseAmount("1,234.50");
  EXPECT_FALSE(b->separator_ambiguous);
  EXPECT_TRUE(b->has_fraction);
}

TEST(ParseAmountTest, HonoursAKnownDecimalSeparator) {
  EXPECT_EQ(Amount("1.234", {.decimal_separator = '.'}), "1.234");
  EXPECT_EQ(Amount("1,234", {.decimal_separator = ','}), "1.234");
  EXPECT_EQ(Amount("1.234", {.decimal_separator = ','}), "1234");
  EXPECT_EQ(Amount("9.00", {.decimal_separator = ','}), "none");
  EXPECT_EQ(Amount("1,234,567", {.decimal_separator = ','}), "none");
}

TEST(ParseAmountTest, ReadsNegativeForms) {
  EXPECT_EQ(Amount("-5.00"), "-5.00");
  EXPECT_EQ(Amount("5.00-"), "-5.00");
  EXPECT_EQ(Amount("(5.00)"), "-5.00");
  EXPECT_EQ(Amount("-RM5.00"), "-5.00");
  EXPECT_EQ(Amount("RM-5.00"), "-5.00");
  EXPECT_EQ(Amount("(RM 5.00)"), "-5.00");
  EXPECT_EQ(Amount("−3,20 €"), "-3.20");  // U+2212 minus sign
}

TEST(ParseAmountTest, RefusesWhatIsNotAnAmount) {
  for (const char* text : {"",
                           "abc",
                           "25/12/2018",
                           "25.12.2018",
                           "14:32",
                           "6%",
                           "6 %",
                           "1.2.3",
                           "1,23,4",
                           "12,3456,789",
                           "1PC",
                           "2x",
                           "T0TAL",
                           "A4",
                           "NO.53",
                           "03-7865",
                           "9556939040118",
                           "0012",
                           ".50",
                           "1 234",
                           "9.00 RM 5.00",
                           "1.2345678"}) {
    EXPECT_EQ(Amount(text), "none") << text;
  }
}

TEST(FindAmountsTest, FindsEveryAmountOfALine) {
  EXPECT_THAT(Amounts("1PC * 9.00) 6,00 9.00"),
              ElementsAre("9.00", "6.00", "9.00"));
  EXPECT_THAT(Amounts("Total Sales (Inclusive GST) RM 2.50"),
              ElementsAre("2.50"));
  EXPECT_THAT(Amounts("GST 6% 0.51"), ElementsAre("0.51"));
  EXPECT_THAT(Amounts("Date 25/12/2018 8:13:39 PM"), ElementsAre());
  EXPECT_THAT(Amounts("Datum: 25.12.2018 Summe 1.234,50 EUR"),
              ElementsAre("1234.50"));
  EXPECT_THAT(Amounts("KF MODELLING CLAY 9.00SR"), ElementsAre("9.00"));
  EXPECT_THAT(Amounts("10MAR2018"), ElementsAre());
  EXPECT_THAT(Amounts("Tel: 012-3456789"), ElementsAre());
  EXPECT_THAT(Amounts("Discount (2.00) Rounding -0.02"),
              ElementsAre("-2.00", "-0.02"));
  EXPECT_THAT(Amounts("Qty 2 @ 4.50 9.00"), ElementsAre("2", "4.50", "9.00"));
  // Indian rupees, their grouping in lakhs, and "Rs." with OCR's space
  // before its dot.
  EXPECT_THAT(Amounts("NET AMOUNT Rs.4,786.96"), ElementsAre("4786.96"));
  EXPECT_THAT(Amounts("TOTAL Rs .2,937.62"), ElementsAre("2937.62"));
  EXPECT_THAT(Amounts("Grand Total 6,48,339.20"), ElementsAre("648339.20"));
  // A decimal point doubled by OCR.
  EXPECT_THAT(Amounts("Rabatt 20% -14,.51"), ElementsAre("-14.51"));
  EXPECT_THAT(Amounts("TOTAL 9..00"), ElementsAre("9.00"));
}

// Found by tests/fuzz/text_parse_fuzz.cpp: a currency code between two
// numbers was the suffix of the first and the prefix of the second, two
// tokens over the same bytes. It belongs to the first; a number glued to
// letters already taken is no amount.
TEST(FindAmountsTest, AMarkBetweenTwoNumbersBelongsToTheFirst) {
  const std::string line = "10SGD0 5 SGD 7";
  const auto found = FindAmounts(line);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].value.ToString(), "10");
  EXPECT_EQ(line.substr(found[0].begin, found[0].end - found[0].begin),
            "10SGD");
  EXPECT_EQ(found[1].value.ToString(), "5");
  ASSERT_TRUE(found[1].currency);
  EXPECT_EQ(found[1].currency->code, "SGD");
  EXPECT_EQ(found[2].value.ToString(), "7");
  EXPECT_FALSE(found[2].currency);
  for (size_t i = 1; i < found.size(); ++i) {
    EXPECT_GE(found[i].begin, found[i - 1].end);
  }
}

TEST(FindAmountsTest, OrdinarySpacesGroupOnlyBeforeADecimalComma) {
  // "2 100.00" is a quantity and a price on a receipt.
  EXPECT_THAT(Amounts("2 100.00"), ElementsAre("2", "100.00"));
  EXPECT_THAT(Amounts("Total 1 234,50 EUR"), ElementsAre("1234.50"));
  EXPECT_THAT(Amounts("1 234 567,00"), ElementsAre("1234567.00"));
}

TEST(FindAmountsTest, WholeAmountsGroupedBySpacesWhereThePagePrintsThem) {
  AmountOptions whole;
  whole.whole_space_groups = true;
  auto amounts = [](std::string_view line, const AmountOptions& options) {
    std::vector<std::string> out;
    for (const AmountToken& a : FindAmounts(line, options)) {
      out.push_back(a.value.ToString());
    }
    return out;
  };
  EXPECT_THAT(amounts("OSSZESEN 20 840 Ft", {}), ElementsAre("20", "840"));
  EXPECT_THAT(amounts("OSSZESEN 20 840 Ft", whole), ElementsAre("20840"));
  EXPECT_THAT(amounts("Kave 3 400", whole), ElementsAre("3400"));
  // A decimal point still ends the grouping ("2 100.00": two at 100.00).
  EXPECT_THAT(amounts("2 100.00", whole), ElementsAre("2", "100.00"));
  EXPECT_THAT(amounts("1 234,50", whole), ElementsAre("1234.50"));
  // At most 999 999 999: columns side by side are apart.
  EXPECT_THAT(amounts("1 804 000 804 000", whole),
              ElementsAre("1804000", "804000"));
  // Four digits, a space and three: the first space lost.
  EXPECT_THAT(amounts("Fizetend6 1565 910", whole), ElementsAre("1565910"));
  EXPECT_THAT(amounts("1042 670 Ft", whole), ElementsAre("1042670"));
  EXPECT_THAT(amounts("1565 910 000", whole), ElementsAre("1565", "910000"));
  EXPECT_THAT(amounts("Fizetend6 1565 910", {}), ElementsAre("1565", "910"));
  EXPECT_THAT(amounts("2024 100,50", whole), ElementsAre("2024", "100.50"));
}

TEST(PrintsWholeSpaceGroupsTest, ACurrencyOrLinesEndingInWholeGroups) {
  EXPECT_TRUE(PrintsWholeSpaceGroups({"Kave 1 640", "OSSZESEN 20 840 Ft"}));
  EXPECT_TRUE(PrintsWholeSpaceGroups(
      {"Kave 3 400", "Kifli 1 750", "Bankkartya 5 150", "AFA 27% 1 095"}));
  // Not where money has cents, nor from two lines alone.
  EXPECT_FALSE(PrintsWholeSpaceGroups(
      {"Kave 3,40", "Total 1 234,50 EUR", "Cash 1 240,00", "2 100.00"}));
  EXPECT_FALSE(PrintsWholeSpaceGroups({"Item 2 100", "Other 3 250"}));
  EXPECT_FALSE(PrintsWholeSpaceGroups({"TOTAL 20.84", "CASH 21.00"}));
}

TEST(FindAmountsTest, ReadsASpaceAfterTheDecimalSeparator) {
  // A common OCR error on receipts.
  EXPECT_THAT(Amounts("TOTAL RM 29. 70"), ElementsAre("29.70"));
  EXPECT_THAT(Amounts("CASH : 9, 60"), ElementsAre("9.60"));
  EXPECT_EQ(Currency("RM 29. 70"), "MYR");
  EXPECT_THAT(Amounts("SUB TOTAL 295 .00"), ElementsAre("295.00"));
  EXPECT_THAT(Amounts("TOTAL 12 ,50 EUR"), ElementsAre("12.50"));
  // ...but not in dates, nor before a third digit.
  EXPECT_THAT(Amounts("Datum 10. 03. 2018"), ElementsAre("10", "2018"));
  EXPECT_THAT(Amounts("Qty 2. 500 g"), ElementsAre("2", "500"));
  EXPECT_THAT(Amounts("Datum 10 .03.2018"), ElementsAre("10"));
  // A space after a thousands comma, before three digits and decimals.
  EXPECT_THAT(Amounts("TOTAL DUE 10, 584.42"), ElementsAre("10584.42"));
  EXPECT_THAT(Amounts("Items 3, 15.00"), ElementsAre("3", "15.00"));
  EXPECT_THAT(Amounts("NO 55, 579"), ElementsAre("55", "579"));
}

TEST(FindAmountsTest, GivesSpansOfTokenAndNumber) {
  const std::string line = "TOTAL RM 9.00 CASH (10.00)";
  auto found = FindAmounts(line);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(line.substr(found[0].begin, found[0].end - found[0].begin),
            "RM 9.00");
  EXPECT_EQ(line.substr(found[0].number_begin,
                        found[0].number_end - found[0].number_begin),
            "9.00");
  EXPECT_EQ(found[0].currency->code, "MYR");
  EXPECT_EQ(line.substr(found[1].begin, found[1].end - found[1].begin),
            "(10.00)");
  EXPECT_EQ(found[1].value.ToString(), "-10.00");
  EXPECT_FALSE(found[1].currency);
}

TEST(FindAmountsTest, SpansAreBytesInUtf8Text) {
  const std::string line = "Summe: 1.234,50 € und mehr";
  auto found = FindAmounts(line);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(line.substr(found[0].begin, found[0].end - found[0].begin),
            "1.234,50 €");
  EXPECT_EQ(found[0].number_begin, 7u);
  EXPECT_EQ(found[0].number_end, 15u);
}

// -------------------------------------------------------------------- dates

TEST(MonthFromNameTest, ReadsSeveralLanguages) {
  EXPECT_EQ(MonthFromName("MAR"), 3);
  EXPECT_EQ(MonthFromName("March"), 3);
  EXPECT_EQ(MonthFromName("MAC"), 3);
  EXPECT_EQ(MonthFromName("MÄR"), 3);
  EXPECT_EQ(MonthFromName("März"), 3);
  EXPECT_EQ(MonthFromName("MEI"), 5);
  EXPECT_EQ(MonthFromName("MAI"), 5);
  EXPECT_EQ(MonthFromName("OGO"), 8);
  EXPECT_EQ(MonthFromName("août"), 8);
  EXPECT_EQ(MonthFromName("OKT"), 10);
  EXPECT_EQ(MonthFromName("DIS"), 12);
  EXPECT_EQ(MonthFromName("DEZ"), 12);
  EXPECT_EQ(MonthFromName("janv."), 1);
  EXPECT_EQ(MonthFromName("févr"), 2);
  EXPECT_EQ(MonthFromName("dic"), 12);
  EXPECT_EQ(MonthFromName("TOTAL"), 0);
  EXPECT_EQ(MonthFromName(""), 0);
}

TEST(ParseDateTest, ReadsNumericForms) {
  EXPECT_EQ(Date("25/12/2018"), "2018-12-25");
  EXPECT_EQ(Date("25-12-2018"), "2018-12-25");
  EXPECT_EQ(Date("25.12.2018"), "2018-12-25");
  EXPECT_EQ(Date("25. 12. 2018"), "2018-12-25");
  EXPECT_EQ(Date("2018-03-10"), "2018-03-10");
  EXPECT_EQ(Date("2018/3/10"), "2018-03-10");
  EXPECT_EQ(Date("24-01-18"), "2018-01-24");
  EXPECT_EQ(Date("5/1/2019"), "2019-01-05");
}

TEST(ParseDateTest, ReadsMonthFirstWhenDayFirstIsImpossible) {
  auto d = ParseDate("12/28/2017");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->date.ToIso(), "2017-12-28");
  EXPECT_FALSE(d->ambiguous);
  EXPECT_EQ(d->evident_order, DateOrder::kMonthFirst);
  EXPECT_EQ(ParseDate("28/12/2017")->evident_order, DateOrder::kDayFirst);
}

TEST(ParseDateTest, FlagsAmbiguousDayMonth) {
  auto d = ParseDate("03/10/18");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->ambiguous);
  EXPECT_FALSE(d->evident_order);
  EXPECT_EQ(d->date.ToIso(), "2018-10-03");
  ASSERT_EQ(d->candidates.size(), 2u);
  EXPECT_EQ(d->candidates[1].ToIso(), "2018-03-10");
  EXPECT_EQ(Date("03/10/18", DateOrder::kMonthFirst), "2018-03-10");
  // Equal day and month cannot be misread.
  EXPECT_FALSE(ParseDate("05/05/2018")->ambiguous);
  EXPECT_FALSE(ParseDate("2018-03-10")->ambiguous);
}

TEST(ParseDateTest, ReadsWrittenMonths) {
  EXPECT_EQ(Date("10 MAR 2018"), "2018-03-10");
  EXPECT_EQ(Date("10-Mar-18"), "2018-03-10");
  EXPECT_EQ(Date("10MAR2018"), "2018-03-10");
  EXPECT_EQ(Date("MAR 10, 2018"), "2018-03-10");
  EXPECT_EQ(Date("March 10 2018"), "2018-03-10");
  EXPECT_EQ(Date("Mar 10th, 18"), "2018-03-10");
  EXPECT_EQ(Date("10th of March 2018"), "2018-03-10");
  EXPECT_EQ(Date("10. März 2018"), "2018-03-10");
  EXPECT_EQ(Date("1er janv. 2019"), "2019-01-01");
  EXPECT_EQ(Date("10 de marzo de 2018"), "2018-03-10");
  EXPECT_EQ(Date("15 OGOS 2018"), "2018-08-15");
  EXPECT_EQ(Date("3 DIS 2017"), "2017-12-03");
  EXPECT_EQ(Date("2018-Mar-10"), "2018-03-10");
  EXPECT_EQ(Date("2018年3月10日"), "2018-03-10");
  EXPECT_EQ(Date("10 Mar '18"), "2018-03-10");
  // Greek and Cyrillic months, in the genitive a date writes them in.
  EXPECT_EQ(Date("12 Μαρτίου 2024"), "2024-03-12");
  EXPECT_EQ(Date("5 ΣΕΠΤΕΜΒΡΙΟΥ 2023"), "2023-09-05");
  EXPECT_EQ(Date("5 сентября 2024"), "2024-09-05");
  EXPECT_EQ(Date("17 декември 2021"), "2021-12-17");
  EXPECT_EQ(Date("3 листопада 2022"), "2022-11-03");
  EXPECT_THAT(Dates("Дата: 5 марта 2024 г."), ElementsAre("2024-03-05"));
}

TEST(LostSeparatorDateTest, ASeparatorOcrLostIsPutBack) {
  auto date = [](std::string_view w) {
    const auto d = LostSeparatorDate(w, DateOrder::kDayFirst);
    return d ? d->date.ToIso() + (d->separator_restored ? "*" : "") : "";
  };
  EXPECT_EQ(date("3003/2018"), "2018-03-30*");
  EXPECT_EQ(date("3003/18"), "2018-03-30*");
  EXPECT_EQ(date("30/032018"), "2018-03-30*");
  EXPECT_EQ(date("0512.2017"), "2017-12-05*");
  // No date made so, or not that shape: an invoice number, an amount.
  EXPECT_EQ(date("4512/2018"), "");
  EXPECT_EQ(date("3003/2018/1"), "");
  EXPECT_EQ(date("1234.50"), "");
  EXPECT_EQ(date("30/03/2018"), "");  // whole: ParseDate's
  const auto span = LostSeparatorDate("3003/2018", DateOrder::kDayFirst);
  ASSERT_TRUE(span);
  EXPECT_EQ(span->begin, 0u);
  EXPECT_EQ(span->end, 9u);
}

TEST(ParseDateTest, AcceptsATimeNextToTheDate) {
  auto d = ParseDate("25/12/2018 14:32");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->date.ToIso(), "2018-12-25");
  EXPECT_TRUE(d->has_time);
  EXPECT_EQ(d->end, 10u);
  EXPECT_EQ(Date("25/12/2018 8:13:39 PM"), "2018-12-25");
  EXPECT_EQ(Date("14:32 25/12/2018"), "2018-12-25");
  EXPECT_TRUE(ParseDate("14:32 25/12/2018")->has_time);
  EXPECT_FALSE(ParseDate("25/12/2018")->has_time);
}

TEST(ParseDateTest, RefusesImpossibleDates) {
  for (const char* text :
       {"", "31/04/2018", "29/02/2019", "32/01/2018", "13/13/2018",
        "00/01/2018", "25/12/1989", "25/12/2101", "2018-13-01", "30 FEB 2018",
        "10 FOO 2018", "25/12/2018 and more", "9.00", "14:32", "25/12",
        "25/12-2018", "1.25.12.2018"}) {
    EXPECT_EQ(Date(text), "none") << text;
  }
  EXPECT_EQ(Date("29/02/2020"), "2020-02-29");
}

TEST(HasTimeOfDayTest, HoursAndMinutesAsPrintedOrSpacedByOcr) {
  EXPECT_TRUE(HasTimeOfDay("ee 19:15 #1000000163"));
  EXPECT_TRUE(HasTimeOfDay("8:13 PM"));
  EXPECT_TRUE(HasTimeOfDay("Date We M- a0TF 18: 45: a"));
  EXPECT_FALSE(HasTimeOfDay("Table : 12"));
  EXPECT_FALSE(HasTimeOfDay("Ref 123:45"));
  EXPECT_FALSE(HasTimeOfDay("TOTAL 19.40"));
}

TEST(HasDateShapeTest, MisreadNumericDatesButNotOtherNumbers) {
  EXPECT_TRUE(HasDateShape("3003/2018 No. CS-20322"));    // a slash lost
  EXPECT_TRUE(HasDateShape("02249PH ganneat OS~0S-17"));  // S for 5
  EXPECT_TRUE(HasDateShape("(2l-O1-2O18)"));
  EXPECT_TRUE(HasDateShape("Date 1B.06.20"));
  EXPECT_FALSE(HasDateShape("TEL : 03-87238214"));  // a phone number
  EXPECT_FALSE(HasDateShape("INVOICE NO: 18299/182/76230"));
  EXPECT_FALSE(HasDateShape("Company Reg No: 557752-H"));
  EXPECT_FALSE(HasDateShape("TOTAL 141.56 CASH 150.00"));  // amounts
  EXPECT_FALSE(HasDateShape("SOLD-OUT"));                  // letters only
  EXPECT_FALSE(HasDateShape("03-2164 1400"));  // no year, one separator
}

TEST(FindDatesTest, FindsDatesAmongOtherText) {
  EXPECT_THAT(Dates("Date 25/12/2018 8:13:39 PM Cashier MANIS"),
              ElementsAre("2018-12-25"));
  EXPECT_THAT(Dates("Invoice Date: 10 MAR 2018 Due Date: 09 APR 2018"),
              ElementsAre("2018-03-10", "2018-04-09"));
  EXPECT_THAT(Dates("Total 25.00 RM 12.50"), ElementsAre());
  EXPECT_THAT(Dates("Tel 03-7865 2323 Fax 03-7865 2324"), ElementsAre());
  EXPECT_THAT(Dates("001-2016-07-31 13:46:51"), ElementsAre("2016-07-31"));
  EXPECT_THAT(Dates("5 MAR 25.00"), ElementsAre());
}

TEST(FindDatesTest, GivesByteSpans) {
  const std::string line = "Datum: 10. März 2018, 14:05";
  auto found = FindDates(line);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(line.substr(found[0].begin, found[0].end - found[0].begin),
            "10. März 2018");
  EXPECT_TRUE(found[0].has_time);
}

}  // namespace
}  // namespace invoices::extract

namespace invoices::extract {
namespace {

TEST(FindDatesTest, LettersReadForDigitsInsideADateAreUndone) {
  auto dates = FindDates("25-O1-16 11:59 SHO1 2308");
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(dates[0].date.ToIso(), "2016-01-25");
  EXPECT_EQ(dates[0].begin, 0u);
  EXPECT_EQ(dates[0].end, 8u);
  // Words keep their letters: no date in "NO.50" or "SOLD 12-I".
  EXPECT_TRUE(FindDates("NO.50, JALAN 12").empty());
  // A lower-case i and a bar are ones too.
  auto il = FindDates("073S4P4 561781 21-il-16");
  ASSERT_EQ(il.size(), 1u);
  EXPECT_EQ(il[0].date.ToIso(), "2016-11-21");
  auto bar = FindDates("Date: 2|/03/2018");
  ASSERT_EQ(bar.size(), 1u);
  EXPECT_EQ(bar[0].date.ToIso(), "2018-03-21");
}

TEST(FindDatesTest, AnImpossibleYearStampedWithATimeIsRepairedWhenOneFixFits) {
  auto dates = FindDates("12-02-2618 11:34:45 AM");
  ASSERT_EQ(dates.size(), 1u);
  EXPECT_EQ(dates[0].date.ToIso(), "2018-02-12");
  // Without a time of day there is no evidence that it is a date at all.
  EXPECT_TRUE(FindDates("12-02-2618 REF").empty());
}

TEST(AddsAccentsTest, AccentsAddedNoneDropped) {
  EXPECT_TRUE(AddsAccents("Schafer Bau GmbH", "Schäfer Bau GmbH"));
  // A zero the English model read for an "o".
  EXPECT_TRUE(
      AddsAccents("Novak Doprava spol. s r.0.", "Novák Doprava spol. s r.o."));
  EXPECT_FALSE(AddsAccents("Novak 10", "Novák 1o"));  // not the other way
  EXPECT_TRUE(AddsAccents("KOLn", "KÖLn"));
  EXPECT_TRUE(AddsAccents("Martinez Consultores", "Martínez  Consultores"));
  // A "ß" stands for whatever English read there.
  EXPECT_TRUE(AddsAccents("HauptstraBe 12", "Hauptstraße 12"));
  EXPECT_TRUE(AddsAccents("Hauptstra&e 12", "Hauptstraße 12"));
  // An accent read otherwise is taken from the page's language.
  EXPECT_TRUE(AddsAccents("Lefévre Librairie", "Lefèvre Librairie"));
  EXPECT_TRUE(AddsAccents("Constitucién 59", "Constitución 59"));
  // An accented letter English read as other characters, one or two.
  EXPECT_TRUE(AddsAccents("80331 Miinchen", "80331 München"));
  EXPECT_TRUE(AddsAccents("Madrid Espafia", "Madrid España"));
  EXPECT_TRUE(AddsAccents("Constituci6n 42", "Constitución 42"));
  EXPECT_FALSE(AddsAccents("Miinchen", "Munchen"));
  // Not: no accent added, another letter, an accent dropped for another.
  EXPECT_FALSE(AddsAccents("Schafer", "Schafer"));
  EXPECT_FALSE(AddsAccents("Schafer Bau", "Schäfer Bav"));
  EXPECT_FALSE(AddsAccents("Café Schafer", "Cafe Schäfer"));
  // Two characters as well: the German model's reading of the print.
  EXPECT_TRUE(AddsAccents("Hauptstrasse 12", "Hauptstraße 12"));
  // Romanian's "ș" and "ț" (Latin Extended-B) are accents too.
  EXPECT_TRUE(AddsAccents("Stefanescu Iasi", "Ștefănescu Iași"));
  EXPECT_TRUE(AddsAccents("Carpati", "Carpați"));
  // An "ő" the English model read as a digit and an accented letter.
  EXPECT_TRUE(AddsAccents("9021 Gy6ér", "9021 Győr"));
  EXPECT_TRUE(AddsAccents("Rak6éczi ut", "Rákóczi út"));
  EXPECT_TRUE(AddsAccents("Anyagkdéltség", "Anyagköltség"));
  EXPECT_FALSE(AddsAccents("Gyéér", "Győr"));  // not two letters for one
  // A ligature is one letter, English's reading of it one too.
  EXPECT_TRUE(AddsAccents("Melk 1L", "Mælk 1L"));
  EXPECT_TRUE(AddsAccents("Baeger", "Bæger"));
  // A comma English read for a full stop after a letter, not the other way.
  EXPECT_TRUE(AddsAccents("Miller Logistik GmbH & Co, KG",
                          "Müller Logistik GmbH & Co. KG"));
  EXPECT_FALSE(
      AddsAccents("Garcia Informatica S.A.", "García Informática S.A,"));
  EXPECT_FALSE(AddsAccents("Co, KG", "Co. KG"));  // no accent gained
  // Not in a number: "1.046,60" is no "1,046.60".
  EXPECT_FALSE(AddsAccents("Gebuhr 1.046,60", "Gebühr 1,046.60"));
}

TEST(WithCommaBelowTest, RomanianCedillasBecomeCommasBelow) {
  EXPECT_EQ(WithCommaBelow("Mioriţa Bucureşti ŞŢ"), "Miorița București ȘȚ");
  EXPECT_EQ(WithCommaBelow("Brașov 12,50 lei"), "Brașov 12,50 lei");
}

TEST(GuessLanguageTest, WordsOnlyOneLanguagesReceiptsPrint) {
  EXPECT_EQ(
      GuessLanguage("Bäckerei Müller\nSumme EUR 13,80\nenth. MwSt 7% 0,90\n"
                    "Vielen Dank für Ihren Einkauf"),
      "deu");
  EXPECT_EQ(GuessLanguage("TOTAL TTC 12,40\nTVA 20% 2,07\nEspeces 20,00\n"
                          "Rendu 7,60"),
            "fra");
  EXPECT_EQ(GuessLanguage("IMPORTE TOTAL 9,00\nEFECTIVO 10,00\nCAMBIO 1,00"),
            "spa");
  EXPECT_EQ(
      GuessLanguage("TOTALE COMPLESSIVO 9,00\nCONTANTI 10,00\nRESTO 1,00"),
      "ita");
  EXPECT_EQ(GuessLanguage("Totaal 9,00\nBTW 9% 0,74\nContant 10,00"), "nld");
  // Portuguese beside Spanish, which shares "IVA" and "a pagar".
  EXPECT_EQ(GuessLanguage("Pastelaria Aurora\nIVA 23% 1,20\nTotal a pagar "
                          "6,40\nMultibanco 6,40\nObrigado, volte sempre"),
            "por");
  EXPECT_EQ(GuessLanguage("SUMA PLN 45,67\nPTU A 23% 8,54\nGotowka 50,00\n"
                          "Reszta 4,33"),
            "pol");
  // The Nordic languages share "moms", "kontant" and "kort": the words
  // they do not share tell them apart.
  EXPECT_EQ(GuessLanguage("Delsumma 23,36\nSUMMA 23,36 kr\nKONTANT 30,00\n"
                          "Tillbaka 6,64\nMoms 12% 2,50"),
            "swe");
  EXPECT_EQ(GuessLanguage("I ALT 43,70 kr.\nDankort 43,70\nHeraf moms 25% "
                          "8,74\nTak for besoget"),
            "dan");
  EXPECT_EQ(GuessLanguage("TOTALT 34,37 kr\nKontant 50,00\nVeksel 15,63\n"
                          "Herav mva 25% 6,87\nTakk for handelen!"),
            "nor");
  // Danish and Norwegian write the same letters: one cue more decides
  // ("Betalingsfrist" is Norwegian's word too). Two languages of other
  // letters still need two.
  EXPECT_EQ(GuessLanguage("Faktura\nFaktureres til:\nFakturanr.: 952265\n"
                          "Fakturadato: 15-10-2016\nBetalingsfrist: "
                          "29-10-2016"),
            "dan");
  EXPECT_EQ(GuessLanguage("Fakturadato: 15-10-2016\nFaktureres til:\n"
                          "Fakturadatum: 2016-10-15\nTack"),
            "");
  EXPECT_EQ(GuessLanguage("YHTEENSA 35,57\nKateinen 40,00\nTakaisin 4,43\n"
                          "ALV 14% 4,37\nKiitos kaynnista!"),
            "fin");
  EXPECT_EQ(GuessLanguage("CELKEM 107,40 Kc\nHOTOVOST 110,00\nVraceno 2,60\n"
                          "DPH 21% 18,64\nDekujeme za nakup"),
            "ces");
  EXPECT_EQ(GuessLanguage("ARA TOPLAM *90,16\nTOPLAM 90,16 TL\nNAKIT *100,00\n"
                          "PARA USTU *9,84\nTOPKDV *0,89"),
            "tur");
  EXPECT_EQ(GuessLanguage("RESZOSSZEG 13 870\nOSSZESEN 13 870 Ft\n"
                          "KESZPENZ 14 000\nVisszajaro 130\n"
                          "27% AFA tartalom 2 949"),
            "hun");
  // Romanian beside French, which shares "TVA".
  EXPECT_EQ(GuessLanguage("TOTAL LEI 89,25 lei\nNUMERAR 100,00\nREST 10,75\n"
                          "TOTAL TVA 19% 14,25\nVa multumim!"),
            "ron");
  EXPECT_EQ(GuessLanguage("Total de plata 148,36\nCard bancar 148,36\n"
                          "TVA A 5% 7,06\nLa revedere!"),
            "ron");
  // An invoice's words, beside Spanish's "factura".
  EXPECT_EQ(GuessLanguage("FACTURA\nSeria si nr.: 23/2021\n"
                          "Data facturii: 04.06.2021\nCumparator:"),
            "ron");
  // A receipt's discount: with "TVA", French's word too, two cues were
  // one too few.
  EXPECT_EQ(GuessLanguage("SUBTOTAL 84,30\nReducere 15% -12,65\n"
                          "Total de plata 71,65\nCARD 71,65\nTVA A 5% 3,41\n"
                          "La revedere!"),
            "ron");
  // Greek and the Cyrillic languages, Bulgarian beside Russian and
  // Ukrainian.
  EXPECT_EQ(GuessLanguage("ΣΥΝΟΛΟ 23,36 €\nΜΕΤΡΗΤΑ 30,00\nΡΕΣΤΑ 6,64\n"
                          "ΦΠΑ 13% 2,69"),
            "ell");
  EXPECT_EQ(GuessLanguage("ОБЩА СУМА 97.70 лв.\nВ БРОЙ 100.00\nРЕСТО 2.30\n"
                          "ДДС Б 20% 16.28\nБЛАГОДАРИМ ВИ!"),
            "bul");
  EXPECT_EQ(GuessLanguage("ИТОГО 1250.00\nНАЛИЧНЫМИ 1300.00\nСДАЧА 50.00\n"
                          "НДС 20% 208.33\nСпасибо за покупку"),
            "rus");
  EXPECT_EQ(GuessLanguage("СУМА 99,00 грн\nГОТІВКА 100,00\nРЕШТА 1,00\n"
                          "ПДВ 20% 16,50\nДякуємо!"),
            "ukr");
  // A boulevard ("бул.") is Bulgarian's and Ukrainian's alike.
  EXPECT_EQ(GuessLanguage("БУЛ. ЛЕС УКРА1НКИ, 36\nВСЬОГО 419,00\n"
                          "Гот1вка 420,00\nРешта 1,00"),
            "ukr");
  // A Swiss slip's "MWST" and its dialect's goodbye.
  EXPECT_EQ(GuessLanguage("Rabatt 15% -15.33\nTotal 86.84\nTWINT 86.84\n"
                          "MWST 2.6% 2.20\nUf Widerluege"),
            "deu");
  // Swiss German shares "exkl" and "netto" with the Nordic languages.
  EXPECT_EQ(GuessLanguage("Total exkl. MWST 1'234.50\nMWST 8.1% 100.00\n"
                          "Zahlbar innert 30 Tagen netto. Besten Dank"),
            "deu");
  // English and Malay receipts, and one cue alone, name no other language.
  EXPECT_EQ(GuessLanguage("TOTAL 9.00\nCASH 10.00\nCHANGE 1.00\nTHANK YOU"),
            "");
  EXPECT_EQ(GuessLanguage("JUMLAH RM 9.00\nTUNAI 10.00\nGST 6%"), "");
  EXPECT_EQ(GuessLanguage("Via Roma Pizza\nTOTAL 9.00"), "");
}

TEST(FindDatesTest, YearFirstReadsHyphenatedTwoDigitDatesAsSwedenDoes) {
  auto first = [](std::string_view line, DateOrder order) {
    const std::vector<DateToken> found = FindDates(line, order);
    return found.empty() ? std::string() : found[0].date.ToIso();
  };
  EXPECT_EQ(first("Datum 22-09-12 13:46", DateOrder::kYearFirst), "2022-09-12");
  const std::vector<DateToken> found =
      FindDates("22-09-12", DateOrder::kYearFirst);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].ambiguous);  // the day-first reading stays a candidate
  EXPECT_EQ(found[0].candidates.size(), 2u);
  EXPECT_EQ(first("Datum 22-09-12 13:46", DateOrder::kDayFirst), "2012-09-22");
  // Other forms read as ever: a four-digit year, dots, slashes.
  EXPECT_EQ(first("12-09-2022", DateOrder::kYearFirst), "2022-09-12");
  EXPECT_EQ(first("12.09.22", DateOrder::kYearFirst), "2022-09-12");
  EXPECT_EQ(first("12/09/22", DateOrder::kYearFirst), "2022-09-12");
  EXPECT_EQ(first("2022-09-12", DateOrder::kYearFirst), "2022-09-12");
}

TEST(FindDatesTest, ZerosPrintedSlashedAndReadAsSixOrEightAreRepaired) {
  // A font whose zero has a slash or a dot in it: the date, stamped with a
  // time of day (itself misread), is no date as read.
  EXPECT_THAT(Dates("DATE 87/12/2620 14:69"), ElementsAre("2020-12-07"));
  EXPECT_THAT(Dates("Datum: 28-68-2020 67:87"), ElementsAre("2020-08-28"));
  EXPECT_THAT(Dates("Txn Date: 2625-12-18 21:48"), ElementsAre("2025-12-18"));
  // A valid date stays as read; no 6 or 8 to read as 0, or no time after
  // it, is no repair.
  EXPECT_THAT(Dates("18/06/2016 10:15"), ElementsAre("2016-06-18"));
  EXPECT_THAT(Dates("86/86/2020 10:15"), ElementsAre("2020-06-06"));
  EXPECT_TRUE(Dates("97/13/2020 10:15").empty());
  EXPECT_TRUE(Dates("87/12/2620 REF").empty());
}

}  // namespace
}  // namespace invoices::extract
