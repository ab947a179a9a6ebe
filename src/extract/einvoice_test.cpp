#include "invoices/extract/einvoice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace invoices::extract {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using Bytes = std::vector<uint8_t>;

const std::string kExamples =
    std::string(INVOICES_SHARED_DIR) + "/testdata/en16931";

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::span<const uint8_t> Span(const Bytes& b) { return {b.data(), b.size()}; }

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return ToBytes(out.str());
}

Bytes Example(const std::string& name) {
  Bytes b = ReadFile(kExamples + "/" + name);
  EXPECT_FALSE(b.empty()) << "missing test file " << name;
  return b;
}

core::Extraction ReadExample(const std::string& name) {
  auto e = ReadEInvoice(Span(Example(name)), name);
  EXPECT_TRUE(e.has_value()) << name << ": " << e.error().ToString();
  return e.value_or(core::Extraction{});
}

// The value of a field, or "(absent)".
std::string F(const core::Extraction& e, const std::string& name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? "(absent)" : it->second.value;
}

core::ErrorCode CodeOf(std::string_view xml, EInvoiceLimits limits = {}) {
  const Bytes b = ToBytes(xml);
  auto e = ReadEInvoice(Span(b), "x.xml", limits);
  EXPECT_FALSE(e.has_value());
  return e ? core::ErrorCode::kInternal : e.error().code();
}

std::string MessageOf(std::string_view xml) {
  const Bytes b = ToBytes(xml);
  auto e = ReadEInvoice(Span(b), "x.xml");
  return e ? "(read)" : e.error().message();
}

// A minimal UBL document around `body`.
std::string Ubl(std::string_view root, std::string_view body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + std::string(root) +
         " xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:" +
         std::string(root) +
         "-2\" "
         "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:"
         "CommonAggregateComponents-2\" "
         "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:"
         "CommonBasicComponents-2\">" +
         std::string(body) + "</" + std::string(root) + ">";
}

std::vector<std::string> AllExamples() {
  std::vector<std::string> names;
  for (const char* dir : {"ubl", "cii"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(kExamples + "/" + dir)) {
      if (entry.path().extension() == ".xml") {
        names.push_back(std::string(dir) + "/" +
                        entry.path().filename().string());
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// ------------------------------------------------------- every example

TEST(EInvoiceTest, ReadsEveryExampleOfTheStandard) {
  const std::vector<std::string> names = AllExamples();
  ASSERT_EQ(names.size(), 10u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const Bytes bytes = Example(name);
    EXPECT_TRUE(LooksLikeEInvoice(Span(bytes)));
    auto e = ReadEInvoice(Span(bytes), name);
    ASSERT_TRUE(e.has_value()) << e.error().ToString();
    EXPECT_EQ(e->file, name);
    EXPECT_EQ(e->document.source, "e-invoice");
    EXPECT_EQ(e->document.mime, "application/xml");
    EXPECT_EQ(e->document.pages, 1);
    EXPECT_THAT(e->warnings, IsEmpty());
    // Every example carries these terms; all must be read.
    for (const char* field : {"vendor_name", "vendor_address", "receiver_name",
                              "invoice_id", "invoice_date", "currency",
                              "subtotal", "tax", "total", "amount_due"}) {
      EXPECT_TRUE(e->fields.contains(field)) << field;
    }
    EXPECT_FALSE(e->line_items.empty());
    for (const auto& [field, value] : e->fields) {
      EXPECT_EQ(value.confidence, 1.0) << field;
      EXPECT_EQ(value.page, 0) << field;
      EXPECT_FALSE(value.bbox.has_value()) << field;
    }
    for (const core::LineItem& li : e->line_items) {
      EXPECT_TRUE(li.description && li.quantity && li.unit_price && li.amount);
      EXPECT_EQ(li.confidence, 1.0);
    }
    // The result is valid SCHEMA.md JSON.
    auto back = core::ExtractionFromJson(core::ToJson(*e));
    ASSERT_TRUE(back.has_value()) << back.error().ToString();
    EXPECT_EQ(back->fields.size(), e->fields.size());
  }
}

// The same invoice in both syntaxes (example 1: UBL and CII) reads the same.
TEST(EInvoiceTest, UblAndCiiOfTheSameInvoiceAgree) {
  for (int n : {1, 4, 5}) {
    SCOPED_TRACE(n);
    const core::Extraction ubl =
        ReadExample("ubl/ubl-tc434-example" + std::to_string(n) + ".xml");
    const core::Extraction cii =
        ReadExample("cii/CII_example" + std::to_string(n) + ".xml");
    for (const char* field :
         {"vendor_name", "vendor_tax_id", "invoice_id", "invoice_date",
          "due_date", "currency", "subtotal", "tax", "total", "amount_due"}) {
      EXPECT_EQ(F(ubl, field), F(cii, field)) << field;
    }
    EXPECT_EQ(ubl.line_items.size(), cii.line_items.size());
  }
}

// --------------------------------------------- values checked in the XML

TEST(EInvoiceTest, UblExample1) {
  const core::Extraction e = ReadExample("ubl/ubl-tc434-example1.xml");
  EXPECT_EQ(F(e, "invoice_id"), "12115118");
  EXPECT_EQ(F(e, "invoice_date"), "2015-01-09");
  EXPECT_EQ(F(e, "due_date"), "2015-01-09");
  EXPECT_EQ(F(e, "currency"), "EUR");
  // The legal name: this seller has no trading name.
  EXPECT_EQ(F(e, "vendor_name"), "De Koksmaat");
  EXPECT_EQ(F(e, "vendor_address"), "Postbus 7l, 1950 AB Velsen-Noord, NL");
  EXPECT_EQ(F(e, "vendor_tax_id"), "NL8200.98.395.B.01");
  EXPECT_EQ(F(e, "receiver_name"), "ODIN 59");
  EXPECT_EQ(F(e, "receiver_address"), "POSTBUS 367, 1960 AJ HEEMSKERK, NL");
  EXPECT_EQ(F(e, "subtotal"), "229.60");
  EXPECT_EQ(F(e, "tax"), "20.73");
  EXPECT_EQ(F(e, "total"), "250.33");
  EXPECT_EQ(F(e, "amount_due"), "250.33");
  EXPECT_EQ(F(e, "discount"), "(absent)");
  EXPECT_EQ(F(e, "purchase_order"), "(absent)");
  ASSERT_EQ(e.line_items.size(), 20u);
  EXPECT_EQ(e.line_items[0].description, "PATAT FRITES 10MM 10KG");
  EXPECT_EQ(e.line_items[0].quantity, "2");
  EXPECT_EQ(e.line_items[0].unit_price, "9.95");
  EXPECT_EQ(e.line_items[0].amount, "19.90");
  // A return line: negative as printed; trailing blanks of the name dropped.
  EXPECT_EQ(e.line_items[19].description, "FRITUUR VET 10 KG RETOUR");
  EXPECT_EQ(e.line_items[19].quantity, "6");
  EXPECT_EQ(e.line_items[19].amount, "-109.98");
  EXPECT_THAT(e.text, HasSubstr("Invoice 12115118 of 2015-01-09"));
  EXPECT_THAT(e.text, HasSubstr("Total 250.33 EUR"));
}

TEST(EInvoiceTest, UblExample2PrepaidAllowancesAndTerms) {
  const core::Extraction e = ReadExample("ubl/ubl-tc434-example2.xml");
  EXPECT_EQ(F(e, "invoice_id"), "TOSL108");
  EXPECT_EQ(F(e, "invoice_date"), "2013-06-30");
  EXPECT_EQ(F(e, "due_date"), "2013-07-20");
  EXPECT_EQ(F(e, "currency"), "NOK");
  EXPECT_EQ(F(e, "purchase_order"), "123");
  EXPECT_EQ(F(e, "vendor_name"), "Salescompany ltd.");
  EXPECT_EQ(F(e, "vendor_address"),
            "Main street 34, Suite 123, 303 Big city, RegionA, NO");
  EXPECT_EQ(F(e, "vendor_tax_id"), "NO123456789MVA");
  EXPECT_EQ(F(e, "vendor_phone"), "46211230");
  EXPECT_EQ(F(e, "receiver_name"), "The Buyercompany");
  EXPECT_EQ(F(e, "receiver_tax_id"), "NO987654321MVA");
  // Two lines in the XML, white space collapsed as SCHEMA.md asks.
  EXPECT_EQ(F(e, "payment_terms"),
            "2 % discount if paid within 2 days Penalty percentage 10% from "
            "due date");
  EXPECT_EQ(F(e, "subtotal"), "1436.50");
  EXPECT_EQ(F(e, "tax"), "365.28");
  EXPECT_EQ(F(e, "discount"), "100.00");
  EXPECT_EQ(F(e, "total"), "1801.78");
  // 1000.00 was prepaid.
  EXPECT_EQ(F(e, "amount_due"), "801.78");
  ASSERT_EQ(e.line_items.size(), 5u);
  EXPECT_EQ(e.line_items[1].description,
            "Returned \"Advanced computing\" book");
  EXPECT_EQ(e.line_items[1].quantity, "-1");
  EXPECT_EQ(e.line_items[1].unit_price, "3.96");
  EXPECT_EQ(e.line_items[1].amount, "-3.96");
}

TEST(EInvoiceTest, UblExample5TaxInInvoiceCurrencyAndLegalName) {
  const core::Extraction e = ReadExample("ubl/ubl-tc434-example5.xml");
  // PartyName is the trading name "SelCo"; the seller name is the legal one.
  EXPECT_EQ(F(e, "vendor_name"), "SellerCompany");
  EXPECT_EQ(F(e, "vendor_phone"), "+3198989898");
  EXPECT_EQ(F(e, "vendor_tax_id"), "NL16356706");
  EXPECT_EQ(F(e, "purchase_order"), "PO4711");
  EXPECT_EQ(F(e, "payment_terms"), "50% prepaid, 50% within one month");
  EXPECT_EQ(F(e, "currency"), "DKK");
  // The second TaxTotal is 628.62 EUR (the accounting currency): not it.
  EXPECT_EQ(F(e, "tax"), "675.00");
  EXPECT_EQ(F(e, "subtotal"), "4000.00");
  EXPECT_EQ(F(e, "discount"), "150.00");
  EXPECT_EQ(F(e, "total"), "4675.00");
  EXPECT_EQ(F(e, "amount_due"), "2337.50");
  ASSERT_EQ(e.line_items.size(), 3u);
  EXPECT_EQ(e.line_items[1].description, "Parker Pen");
  EXPECT_EQ(e.line_items[1].quantity, "100");
  EXPECT_EQ(e.line_items[1].unit_price, "5.00");
  EXPECT_EQ(e.line_items[1].amount, "500.00");
}

TEST(EInvoiceTest, CiiExample3AmountsGetTheCurrencyDigits) {
  const core::Extraction e = ReadExample("cii/CII_example3.xml");
  EXPECT_EQ(F(e, "invoice_id"), "TOSL108");
  EXPECT_EQ(F(e, "invoice_date"), "2013-04-10");  // 20130410, format 102
  EXPECT_EQ(F(e, "due_date"), "2013-05-10");
  EXPECT_EQ(F(e, "currency"), "DKK");
  EXPECT_EQ(F(e, "vendor_name"), "SubscriptionSeller");
  EXPECT_EQ(F(e, "vendor_address"),
            "Main street 2, Building 4, 54321 Big city, DK");
  EXPECT_EQ(F(e, "vendor_tax_id"), "DK16356706");
  EXPECT_EQ(F(e, "receiver_name"), "Buyercompany ltd");
  EXPECT_EQ(F(e, "receiver_address"), "Anystreet, Building 1, 101 Anytown, DK");
  // Written "900", "225", "1125" in the XML.
  EXPECT_EQ(F(e, "subtotal"), "900.00");
  EXPECT_EQ(F(e, "tax"), "225.00");
  EXPECT_EQ(F(e, "total"), "1125.00");
  EXPECT_EQ(F(e, "amount_due"), "1125.00");
  EXPECT_EQ(F(e, "purchase_order"), "(absent)");  // a contract, no order
  ASSERT_EQ(e.line_items.size(), 1u);
  EXPECT_EQ(e.line_items[0].description, "Paper subscription");
  EXPECT_EQ(e.line_items[0].quantity, "1");
  EXPECT_EQ(e.line_items[0].unit_price, "800.00");
  EXPECT_EQ(e.line_items[0].amount, "800.00");
}

TEST(EInvoiceTest, CiiExample5) {
  const core::Extraction e = ReadExample("cii/CII_example5.xml");
  EXPECT_EQ(F(e, "invoice_id"), "TOSL110");
  EXPECT_EQ(F(e, "vendor_name"), "SellerCompany");  // not "SelCo"
  EXPECT_EQ(F(e, "vendor_address"),
            "Hoofdstraat 4, Om de hoek, 54321 Grootstad, Overijssel, NL");
  EXPECT_EQ(F(e, "vendor_phone"), "+3198989898");
  // schemeID VA before FC.
  EXPECT_EQ(F(e, "vendor_tax_id"), "NL16356706");
  EXPECT_EQ(F(e, "payment_terms"), "50% prepaid, 50% within one month");
  // TaxTotalAmount DKK 675.00, then EUR 628.62.
  EXPECT_EQ(F(e, "tax"), "675.00");
  EXPECT_EQ(F(e, "discount"), "150.00");
  EXPECT_EQ(F(e, "total"), "4675.00");
  EXPECT_EQ(F(e, "amount_due"), "2337.50");  // "2337.5"
  ASSERT_EQ(e.line_items.size(), 3u);
  EXPECT_EQ(e.line_items[0].description, "Printing paper");
  EXPECT_EQ(e.line_items[0].quantity, "1000");
  EXPECT_EQ(e.line_items[0].unit_price, "1.00");
  EXPECT_EQ(e.line_items[0].amount, "1000.00");
}

TEST(EInvoiceTest, CiiExample2) {
  const core::Extraction e = ReadExample("cii/CII_example2.xml");
  EXPECT_EQ(F(e, "invoice_id"), "TOSL108");
  EXPECT_EQ(F(e, "invoice_date"), "2013-06-30");
  EXPECT_EQ(F(e, "due_date"), "2013-07-20");
  EXPECT_EQ(F(e, "currency"), "NOK");
  EXPECT_EQ(F(e, "purchase_order"), "123");
  EXPECT_EQ(F(e, "subtotal"), "1436.50");
  EXPECT_EQ(F(e, "tax"), "365.28");
  EXPECT_EQ(F(e, "total"), "1801.78");
  EXPECT_EQ(F(e, "amount_due"), "801.78");
  ASSERT_EQ(e.line_items.size(), 5u);
  EXPECT_EQ(e.line_items[0].description, "Laptop computer");
  EXPECT_EQ(e.line_items[0].amount, "1273.00");
  EXPECT_EQ(e.line_items[1].quantity, "-1");
  EXPECT_EQ(e.line_items[1].amount, "-3.96");
}

// ---------------------------------------------------- variants of syntax

TEST(EInvoiceTest, UblCreditNoteKeepsAmountsAndWarns) {
  const std::string xml = Ubl("CreditNote", R"(
    <cbc:ID>CN-7</cbc:ID>
    <cbc:IssueDate>2024-03-01</cbc:IssueDate>
    <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
    <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
    <cac:AccountingSupplierParty><cac:Party>
      <cac:PartyName><cbc:Name>Shop  GmbH</cbc:Name></cac:PartyName>
    </cac:Party></cac:AccountingSupplierParty>
    <cac:PaymentMeans>
      <cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
      <cbc:PaymentDueDate>2024-03-31</cbc:PaymentDueDate>
    </cac:PaymentMeans>
    <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">1.90</cbc:TaxAmount></cac:TaxTotal>
    <cac:LegalMonetaryTotal>
      <cbc:TaxExclusiveAmount currencyID="EUR">10.00</cbc:TaxExclusiveAmount>
      <cbc:TaxInclusiveAmount currencyID="EUR">11.90</cbc:TaxInclusiveAmount>
      <cbc:PayableAmount currencyID="EUR">11.90</cbc:PayableAmount>
    </cac:LegalMonetaryTotal>
    <cac:CreditNoteLine>
      <cbc:ID>1</cbc:ID>
      <cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>
      <cbc:LineExtensionAmount currencyID="EUR">10.00</cbc:LineExtensionAmount>
      <cac:Item><cbc:Description>Returned mug</cbc:Description></cac:Item>
      <cac:Price><cbc:PriceAmount currencyID="EUR">5</cbc:PriceAmount></cac:Price>
    </cac:CreditNoteLine>)");
  const Bytes b = ToBytes(xml);
  EXPECT_TRUE(LooksLikeEInvoice(Span(b)));
  auto e = ReadEInvoice(Span(b), "cn.xml");
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_THAT(e->warnings, Contains("credit note"));
  EXPECT_EQ(F(*e, "invoice_id"), "CN-7");
  EXPECT_EQ(F(*e, "due_date"), "2024-03-31");    // from the payment means
  EXPECT_EQ(F(*e, "vendor_name"), "Shop GmbH");  // trading name, collapsed
  EXPECT_EQ(F(*e, "total"), "11.90");
  EXPECT_EQ(F(*e, "amount_due"), "11.90");
  ASSERT_EQ(e->line_items.size(), 1u);
  EXPECT_EQ(e->line_items[0].description, "Returned mug");
  EXPECT_EQ(e->line_items[0].quantity, "2");
  EXPECT_EQ(e->line_items[0].unit_price, "5.00");
  EXPECT_EQ(e->line_items[0].amount, "10.00");
  EXPECT_THAT(e->text, HasSubstr("Credit note CN-7"));
}

TEST(EInvoiceTest, CiiTypeCode381IsACreditNote) {
  Bytes b = Example("cii/CII_example3.xml");
  std::string s(b.begin(), b.end());
  const std::string from = "<ram:TypeCode>380</ram:TypeCode>";
  ASSERT_NE(s.find(from), std::string::npos);
  s.replace(s.find(from), from.size(), "<ram:TypeCode>381</ram:TypeCode>");
  b = ToBytes(s);
  auto e = ReadEInvoice(Span(b), "cn.xml");
  ASSERT_TRUE(e.has_value());
  EXPECT_THAT(e->warnings, Contains("credit note"));
  EXPECT_EQ(F(*e, "total"), "1125.00");
}

TEST(EInvoiceTest, AnyPrefixesAndExactDecimals) {
  // Prefixes of the producer's choosing; JPY has no minor digits; a unit
  // price with four decimals is not rounded; "+" and blanks are xs:decimal.
  const std::string xml = R"(<?xml version="1.0"?>
<inv:Invoice xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:a="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <b:ID>J-1</b:ID>
  <b:IssueDate>2024-02-29Z</b:IssueDate>
  <b:DocumentCurrencyCode>JPY</b:DocumentCurrencyCode>
  <a:LegalMonetaryTotal>
    <b:TaxInclusiveAmount currencyID="JPY"> +1280 </b:TaxInclusiveAmount>
    <b:PayableAmount currencyID="JPY">1280.00</b:PayableAmount>
  </a:LegalMonetaryTotal>
  <a:InvoiceLine>
    <b:InvoicedQuantity>2.500</b:InvoicedQuantity>
    <b:LineExtensionAmount currencyID="JPY">1280</b:LineExtensionAmount>
    <a:Item><b:Name><![CDATA[Tea & cake]]></b:Name></a:Item>
    <a:Price><b:PriceAmount currencyID="JPY">512.3725</b:PriceAmount></a:Price>
  </a:InvoiceLine>
</inv:Invoice>)";
  const Bytes b = ToBytes(xml);
  EXPECT_TRUE(LooksLikeEInvoice(Span(b)));
  auto e = ReadEInvoice(Span(b), "j.xml");
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(F(*e, "invoice_date"), "2024-02-29");
  EXPECT_EQ(F(*e, "total"), "1280");
  EXPECT_EQ(F(*e, "amount_due"), "1280");
  ASSERT_EQ(e->line_items.size(), 1u);
  EXPECT_EQ(e->line_items[0].description, "Tea & cake");
  EXPECT_EQ(e->line_items[0].quantity, "2.5");
  EXPECT_EQ(e->line_items[0].unit_price, "512.3725");
  EXPECT_EQ(e->line_items[0].amount, "1280");
}

TEST(EInvoiceTest, BadValuesBecomeWarningsNotFields) {
  const std::string xml = Ubl("Invoice", R"(
    <cbc:ID>  </cbc:ID>
    <cbc:IssueDate>2024-02-30</cbc:IssueDate>
    <cbc:DocumentCurrencyCode>euro</cbc:DocumentCurrencyCode>
    <cac:LegalMonetaryTotal>
      <cbc:PayableAmount currencyID="EUR">12,50</cbc:PayableAmount>
    </cac:LegalMonetaryTotal>)");
  const Bytes b = ToBytes(xml);
  auto e = ReadEInvoice(Span(b), "bad.xml");
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(F(*e, "invoice_id"), "(absent)");
  EXPECT_EQ(F(*e, "invoice_date"), "(absent)");
  EXPECT_EQ(F(*e, "currency"), "(absent)");
  EXPECT_EQ(F(*e, "amount_due"), "(absent)");
  EXPECT_EQ(e->warnings.size(), 3u);
}

TEST(EInvoiceTest, SniffsOnlyEInvoiceRoots) {
  auto looks = [](std::string_view s) {
    const Bytes b = ToBytes(s);
    return LooksLikeEInvoice(Span(b));
  };
  EXPECT_TRUE(looks("\xEF\xBB\xBF<!-- c --><?pi x?>\n" + Ubl("Invoice", "")));
  EXPECT_TRUE(
      looks("<rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:"
            "standard:CrossIndustryInvoice:100'/>"));
  // A '>' inside an attribute value does not end the tag.
  EXPECT_TRUE(looks(
      "<Invoice note='a > b' "
      "xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>"));
  // Same local name, other or no namespace.
  EXPECT_FALSE(looks("<Invoice><ID>1</ID></Invoice>"));
  EXPECT_FALSE(looks("<Invoice xmlns='urn:example:invoice'/>"));
  EXPECT_FALSE(looks(Ubl("Order", "")));
  // ZUGFeRD 1.0, in its own namespace only.
  EXPECT_TRUE(looks(
      "<rsm:CrossIndustryDocument xmlns:rsm='urn:ferd:CrossIndustryDocument:"
      "invoice:1p0'/>"));
  EXPECT_FALSE(
      looks("<rsm:CrossIndustryDocument xmlns:rsm='urn:un:unece:uncefact:data:"
            "standard:CrossIndustryInvoice:100'/>"));
  EXPECT_FALSE(looks("%PDF-1.7\n"));
  EXPECT_FALSE(looks(""));
  EXPECT_FALSE(looks("<"));
  EXPECT_FALSE(looks("<!-- never closed"));
}

// ------------------------------------------------------------ ZUGFeRD 1.0

// A ZUGFeRD 1.0 BASIC invoice as German invoicing software wrote them from
// 2014 (the structure of the specification's "Einfach" example): a German
// supplier, two VAT rates, payment terms with a due date, line items with a
// name and a quantity only (BASIC has no line prices).
constexpr std::string_view kZugferd1Basic =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext>
    <ram:TestIndicator><udt:Indicator>false</udt:Indicator></ram:TestIndicator>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:basic</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ram:ID>RE-2014-0815</ram:ID>
    <ram:Name>RECHNUNG</ram:Name>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20140912</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:IncludedNote>
      <ram:Content>Rechnung gemäß Bestellung vom 01.09.2014.</ram:Content>
    </ram:IncludedNote>
    <ram:IncludedNote>
      <ram:Content>Bürobedarf Krüger GmbH
        Geschäftsführer: Jörg Krüger
        Handelsregisternummer: HRB 12345</ram:Content>
      <ram:SubjectCode>REG</ram:SubjectCode>
    </ram:IncludedNote>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:BuyerReference>Abt. 4711</ram:BuyerReference>
      <ram:SellerTradeParty>
        <ram:Name>Bürobedarf Krüger GmbH</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>80333</ram:PostcodeCode>
          <ram:LineOne>Lieferantenstraße 20</ram:LineOne>
          <ram:CityName>München</ram:CityName>
          <ram:CountryID>DE</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="FC">143/815/08154</ram:ID>
        </ram:SpecifiedTaxRegistration>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">DE812345678</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>Kunden AG Mitte</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>69876</ram:PostcodeCode>
          <ram:LineOne>Hans Muster</ram:LineOne>
          <ram:LineTwo>Kundenstraße 15</ram:LineTwo>
          <ram:CityName>Frankfurt</ram:CityName>
          <ram:CountryID>DE</ram:CountryID>
        </ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument>
        <ram:IssueDateTime>2014-09-01</ram:IssueDateTime>
        <ram:ID>B-2014-332</ram:ID>
      </ram:BuyerOrderReferencedDocument>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent>
        <ram:OccurrenceDateTime>
          <udt:DateTimeString format="102">20140910</udt:DateTimeString>
        </ram:OccurrenceDateTime>
      </ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableSupplyChainTradeDelivery>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:PaymentReference>RE-2014-0815</ram:PaymentReference>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>31</ram:TypeCode>
        <ram:Information>Überweisung</ram:Information>
        <ram:PayeePartyCreditorFinancialAccount>
          <ram:IBANID>DE02120300000000202051</ram:IBANID>
        </ram:PayeePartyCreditorFinancialAccount>
        <ram:PayeeSpecifiedCreditorFinancialInstitution>
          <ram:BICID>BYLADEM1001</ram:BICID>
        </ram:PayeeSpecifiedCreditorFinancialInstitution>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount currencyID="EUR">37.62</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount currencyID="EUR">198.00</ram:BasisAmount>
        <ram:ApplicablePercent>19</ram:ApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount currencyID="EUR">19.25</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount currencyID="EUR">275.00</ram:BasisAmount>
        <ram:ApplicablePercent>7</ram:ApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:Description>Zahlbar innerhalb 30 Tagen netto bis 12.10.2014, 3% Skonto innerhalb 10 Tagen</ram:Description>
        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">20141012</udt:DateTimeString>
        </ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="EUR">473.00</ram:LineTotalAmount>
        <ram:ChargeTotalAmount currencyID="EUR">0.00</ram:ChargeTotalAmount>
        <ram:AllowanceTotalAmount currencyID="EUR">0.00</ram:AllowanceTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="EUR">473.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
        <ram:GrandTotalAmount currencyID="EUR">529.87</ram:GrandTotalAmount>
        <ram:TotalPrepaidAmount currencyID="EUR">100.00</ram:TotalPrepaidAmount>
        <ram:DuePayableAmount currencyID="EUR">429.87</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedSupplyChainTradeDelivery>
        <ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity>
      </ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedTradeProduct>
        <ram:Name>Trennblätter A4</ram:Name>
      </ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedSupplyChainTradeDelivery>
        <ram:BilledQuantity unitCode="C62">50.0000</ram:BilledQuantity>
      </ram:SpecifiedSupplyChainTradeDelivery>
      <ram:SpecifiedTradeProduct>
        <ram:Name>Kaffee „Hausmarke“ 500 g</ram:Name>
      </ram:SpecifiedTradeProduct>
    </ram:IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>
)";

TEST(EInvoiceTest, Zugferd1BasicIsReadFieldByField) {
  const Bytes xml = ToBytes(kZugferd1Basic);
  EXPECT_TRUE(LooksLikeEInvoice(Span(xml)));
  auto read = ReadEInvoice(Span(xml), "ZUGFeRD-invoice.xml");
  ASSERT_TRUE(read) << read.error().ToString();
  const core::Extraction& e = *read;
  EXPECT_EQ(e.file, "ZUGFeRD-invoice.xml");
  EXPECT_EQ(e.document.source, "e-invoice");
  EXPECT_EQ(e.document.mime, "application/xml");
  EXPECT_EQ(F(e, "invoice_id"), "RE-2014-0815");
  EXPECT_EQ(F(e, "invoice_date"), "2014-09-12");
  EXPECT_EQ(F(e, "due_date"), "2014-10-12");
  EXPECT_EQ(F(e, "currency"), "EUR");
  EXPECT_EQ(F(e, "purchase_order"), "B-2014-332");
  EXPECT_EQ(F(e, "payment_terms"),
            "Zahlbar innerhalb 30 Tagen netto bis 12.10.2014, 3% Skonto "
            "innerhalb 10 Tagen");
  EXPECT_EQ(F(e, "vendor_name"), "Bürobedarf Krüger GmbH");
  EXPECT_EQ(F(e, "vendor_address"), "Lieferantenstraße 20, 80333 München, DE");
  // The VAT id (schemeID VA) before the local tax number (FC).
  EXPECT_EQ(F(e, "vendor_tax_id"), "DE812345678");
  EXPECT_EQ(F(e, "vendor_phone"), "(absent)");
  EXPECT_EQ(F(e, "receiver_name"), "Kunden AG Mitte");
  EXPECT_EQ(F(e, "receiver_address"),
            "Hans Muster, Kundenstraße 15, 69876 Frankfurt, DE");
  EXPECT_EQ(F(e, "receiver_tax_id"), "(absent)");
  EXPECT_EQ(F(e, "subtotal"), "473.00");
  EXPECT_EQ(F(e, "tax"), "56.87");
  EXPECT_EQ(F(e, "discount"), "0.00");
  EXPECT_EQ(F(e, "total"), "529.87");
  // After the prepayment.
  EXPECT_EQ(F(e, "amount_due"), "429.87");
  for (const auto& [name, field] : e.fields) {
    EXPECT_EQ(field.confidence, 1.0) << name;
  }
  ASSERT_EQ(e.line_items.size(), 2u);
  EXPECT_EQ(e.line_items[0].description, "Trennblätter A4");
  EXPECT_EQ(e.line_items[0].quantity, "20");
  EXPECT_EQ(e.line_items[0].unit_price, std::nullopt);
  EXPECT_EQ(e.line_items[0].amount, std::nullopt);
  EXPECT_EQ(e.line_items[1].description, "Kaffee „Hausmarke“ 500 g");
  EXPECT_EQ(e.line_items[1].quantity, "50");
  EXPECT_THAT(e.warnings, IsEmpty());
  EXPECT_THAT(e.text, HasSubstr("Invoice RE-2014-0815 of 2014-09-12"));
  EXPECT_THAT(e.text, HasSubstr("Seller: Bürobedarf Krüger GmbH"));
  EXPECT_THAT(e.text, HasSubstr("Total 529.87 EUR"));
}

TEST(EInvoiceTest, Zugferd1ComfortLinesCarryPriceAndAmount) {
  // COMFORT adds the line's agreement (prices) and settlement (amount).
  const Bytes xml = ToBytes(R"(<rsm:CrossIndustryDocument
      xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
      xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
      xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
    <rsm:HeaderExchangedDocument><ram:ID>471102</ram:ID><ram:TypeCode>380</ram:TypeCode>
      <ram:IssueDateTime><udt:DateTimeString format="102">20130305</udt:DateTimeString></ram:IssueDateTime>
    </rsm:HeaderExchangedDocument>
    <rsm:SpecifiedSupplyChainTradeTransaction>
      <ram:ApplicableSupplyChainTradeAgreement>
        <ram:SellerTradeParty><ram:Name>Lieferant GmbH</ram:Name>
          <ram:DefinedTradeContact><ram:TelephoneUniversalCommunication>
            <ram:CompleteNumber>+49 89 123456</ram:CompleteNumber>
          </ram:TelephoneUniversalCommunication></ram:DefinedTradeContact>
        </ram:SellerTradeParty>
      </ram:ApplicableSupplyChainTradeAgreement>
      <ram:ApplicableSupplyChainTradeSettlement>
        <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
        <ram:SpecifiedTradeSettlementMonetarySummation>
          <ram:GrandTotalAmount currencyID="EUR">235.62</ram:GrandTotalAmount>
        </ram:SpecifiedTradeSettlementMonetarySummation>
      </ram:ApplicableSupplyChainTradeSettlement>
      <ram:IncludedSupplyChainTradeLineItem>
        <ram:AssociatedDocumentLineDocument>
          <ram:IncludedNote><ram:Content>Wir erlauben uns Ihnen folgende Positionen aus der Lieferung zu berechnen.</ram:Content></ram:IncludedNote>
        </ram:AssociatedDocumentLineDocument>
      </ram:IncludedSupplyChainTradeLineItem>
      <ram:IncludedSupplyChainTradeLineItem>
        <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
        <ram:SpecifiedSupplyChainTradeAgreement>
          <ram:GrossPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.9000</ram:ChargeAmount></ram:GrossPriceProductTradePrice>
          <ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.9000</ram:ChargeAmount></ram:NetPriceProductTradePrice>
        </ram:SpecifiedSupplyChainTradeAgreement>
        <ram:SpecifiedSupplyChainTradeDelivery>
          <ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity>
        </ram:SpecifiedSupplyChainTradeDelivery>
        <ram:SpecifiedSupplyChainTradeSettlement>
          <ram:SpecifiedTradeSettlementMonetarySummation>
            <ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount>
          </ram:SpecifiedTradeSettlementMonetarySummation>
        </ram:SpecifiedSupplyChainTradeSettlement>
        <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
      </ram:IncludedSupplyChainTradeLineItem>
    </rsm:SpecifiedSupplyChainTradeTransaction>
  </rsm:CrossIndustryDocument>)");
  auto read = ReadEInvoice(Span(xml), "x.xml");
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(F(*read, "invoice_id"), "471102");
  EXPECT_EQ(F(*read, "invoice_date"), "2013-03-05");
  EXPECT_EQ(F(*read, "vendor_phone"), "+49 89 123456");
  EXPECT_EQ(F(*read, "total"), "235.62");
  // A note between lines bills nothing: no line of its own.
  ASSERT_EQ(read->line_items.size(), 1u);
  EXPECT_EQ(read->line_items[0].quantity, "20");
  EXPECT_EQ(read->line_items[0].unit_price, "9.90");
  EXPECT_EQ(read->line_items[0].amount, "198.00");
  // The D16B names mean nothing in a ZUGFeRD 1.0 document, and back.
  const Bytes mixed = ToBytes(
      "<rsm:CrossIndustryDocument xmlns:rsm='urn:ferd:CrossIndustryDocument:"
      "invoice:1p0' xmlns:ram='x'><rsm:ExchangedDocument><ram:ID>1</ram:ID>"
      "</rsm:ExchangedDocument></rsm:CrossIndustryDocument>");
  auto other = ReadEInvoice(Span(mixed), "x.xml");
  ASSERT_TRUE(other);
  EXPECT_EQ(F(*other, "invoice_id"), "(absent)");
}

TEST(EInvoiceTest, APriceForABaseQuantityIsDividedToOneUnits) {
  // BT-146 is the price of BT-149 units: 200 for 2 is 100 a unit, 10.00
  // for 3 is 3.333333 (six decimals), 9.95 for 1 stays as written.
  auto line = [](std::string_view quantity, std::string_view amount,
                 std::string_view price, std::string_view base) {
    std::string out =
        "<cac:InvoiceLine><cbc:ID>1</cbc:ID>"
        "<cbc:InvoicedQuantity unitCode='C62'>" +
        std::string(quantity) +
        "</cbc:InvoicedQuantity>"
        "<cbc:LineExtensionAmount currencyID='EUR'>" +
        std::string(amount) +
        "</cbc:LineExtensionAmount><cac:Item><cbc:Name>item"
        "</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount "
        "currencyID='EUR'>" +
        std::string(price) + "</cbc:PriceAmount>";
    if (!base.empty()) {
      out += "<cbc:BaseQuantity unitCode='C62'>" + std::string(base) +
             "</cbc:BaseQuantity>";
    }
    return out + "</cac:Price></cac:InvoiceLine>";
  };
  const std::string xml = Ubl(
      "Invoice",
      "<cbc:ID>7</cbc:ID><cbc:DocumentCurrencyCode>EUR"
      "</cbc:DocumentCurrencyCode>" +
          line("10", "1000.00", "200", "2") + line("3", "10.00", "10.00", "3") +
          line("10", "99.50", "9.95", "1") + line("10", "99.50", "9.95", "") +
          line("10", "50.00", "5", "0"));
  const Bytes b = ToBytes(xml);
  auto read = ReadEInvoice(Span(b), "x.xml");
  ASSERT_TRUE(read) << read.error().ToString();
  ASSERT_EQ(read->line_items.size(), 5u);
  EXPECT_EQ(read->line_items[0].unit_price, "100.00");
  EXPECT_EQ(read->line_items[1].unit_price, "3.333333");
  EXPECT_EQ(read->line_items[2].unit_price, "9.95");
  EXPECT_EQ(read->line_items[3].unit_price, "9.95");
  // A base of nothing divides nothing: the price as written.
  EXPECT_EQ(read->line_items[4].unit_price, "5.00");
  EXPECT_EQ(read->line_items[0].amount, "1000.00");
  // A base written in error (49 for 49 a month): 3 months at 49 make the
  // line's 147, not 3 at 1.
  const std::string wrong = Ubl(
      "Invoice",
      "<cbc:ID>8</cbc:ID><cbc:DocumentCurrencyCode>EUR"
      "</cbc:DocumentCurrencyCode><cac:InvoiceLine><cbc:ID>1</cbc:ID>"
      "<cbc:InvoicedQuantity unitCode='MON'>3</cbc:InvoicedQuantity>"
      "<cbc:LineExtensionAmount currencyID='EUR'>147</cbc:LineExtensionAmount>"
      "<cac:Item><cbc:Name>rent</cbc:Name></cac:Item><cac:Price>"
      "<cbc:PriceAmount currencyID='EUR'>49</cbc:PriceAmount>"
      "<cbc:BaseQuantity unitCode='MON'>49</cbc:BaseQuantity></cac:Price>"
      "</cac:InvoiceLine>");
  const Bytes w = ToBytes(wrong);
  read = ReadEInvoice(Span(w), "x.xml");
  ASSERT_TRUE(read) << read.error().ToString();
  ASSERT_EQ(read->line_items.size(), 1u);
  EXPECT_EQ(read->line_items[0].unit_price, "49.00");
}

// ----------------------------------------------------------- hostile XML

TEST(EInvoiceTest, RefusesBillionLaughs) {
  const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>&lol9;</cbc:ID></Invoice>)";
  EXPECT_EQ(CodeOf(xml), core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(xml), HasSubstr("DOCTYPE"));
}

TEST(EInvoiceTest, RefusesExternalEntities) {
  const std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>&xxe;</cbc:ID></Invoice>)";
  EXPECT_EQ(CodeOf(xml), core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(xml), HasSubstr("DOCTYPE"));
  // An external DTD, no internal subset.
  EXPECT_EQ(CodeOf("<!DOCTYPE Invoice SYSTEM \"http://evil.example/x.dtd\">" +
                   Ubl("Invoice", "")),
            core::ErrorCode::kInvalidArgument);
  // A stray ENTITY declaration.
  EXPECT_EQ(CodeOf(Ubl("Invoice", "<!ENTITY x 'y'>")),
            core::ErrorCode::kInvalidArgument);
}

TEST(EInvoiceTest, RefusesDeepNesting) {
  std::string body;
  for (int i = 0; i < 10000; ++i) body += "<cac:X>";
  for (int i = 0; i < 10000; ++i) body += "</cac:X>";
  const std::string xml = Ubl("Invoice", body);
  EXPECT_EQ(CodeOf(xml), core::ErrorCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(xml), HasSubstr("deeper than 64"));
  // Unclosed, too: the scan counts opening tags.
  std::string open;
  for (int i = 0; i < 10000; ++i) open += "<a>";
  EXPECT_EQ(CodeOf(open), core::ErrorCode::kInvalidArgument);
  // Just within the limit is fine (then not an e-invoice, but parsed).
  std::string ok;
  for (int i = 0; i < 64; ++i) ok += "<a>";
  for (int i = 0; i < 64; ++i) ok += "</a>";
  EXPECT_EQ(CodeOf(ok), core::ErrorCode::kUnsupportedMediaType);
}

TEST(EInvoiceTest, RefusesTruncatedXml) {
  const Bytes full = Example("ubl/ubl-tc434-example1.xml");
  for (size_t cut : {size_t{100}, full.size() / 2, full.size() - 20}) {
    SCOPED_TRACE(cut);
    const Bytes part(full.begin(), full.begin() + cut);
    auto e = ReadEInvoice(Span(part), "t.xml");
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().code(), core::ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.error().message(), HasSubstr("malformed"));
  }
  EXPECT_EQ(CodeOf("not xml at all"), core::ErrorCode::kInvalidArgument);
}

TEST(EInvoiceTest, RefusesOtherXmlRoots) {
  EXPECT_EQ(CodeOf(Ubl("Order", "<cbc:ID>1</cbc:ID>")),
            core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(CodeOf("<Invoice><ID>1</ID></Invoice>"),
            core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(CodeOf("<svg xmlns='http://www.w3.org/2000/svg'/>"),
            core::ErrorCode::kUnsupportedMediaType);
  EXPECT_THAT(MessageOf("<html/>"), HasSubstr("<html>"));
}

TEST(EInvoiceTest, RefusesBySizeAndEncoding) {
  EXPECT_EQ(CodeOf(""), core::ErrorCode::kInvalidArgument);
  const Bytes example = Example("ubl/ubl-tc434-example3.xml");
  auto small = ReadEInvoice(Span(example), "x.xml", {.max_bytes = 1000});
  ASSERT_FALSE(small.has_value());
  EXPECT_EQ(small.error().code(), core::ErrorCode::kTooLarge);
  // Over the default 10 MB, refused before anything is read.
  Bytes huge = ToBytes(Ubl("Invoice", ""));
  huge.resize(10 * 1024 * 1024 + 1, ' ');
  auto big = ReadEInvoice(Span(huge), "x.xml");
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), core::ErrorCode::kTooLarge);
  // UTF-16 (with and without BOM).
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<Invoice/>")) {
    utf16 += c;
    utf16 += '\0';
  }
  EXPECT_EQ(CodeOf(utf16), core::ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(CodeOf(utf16.substr(2)), core::ErrorCode::kUnsupportedMediaType);
}

TEST(EInvoiceTest, UndeclaredEntitiesAreNotExpanded) {
  // Without a DOCTYPE no entity can be declared; pugixml leaves an unknown
  // reference as text and expands only the predefined ones.
  const std::string xml =
      Ubl("Invoice", "<cbc:ID>A&amp;B&#65;&unknown;</cbc:ID>");
  const Bytes b = ToBytes(xml);
  auto e = ReadEInvoice(Span(b), "e.xml");
  ASSERT_TRUE(e.has_value()) << e.error().ToString();
  EXPECT_EQ(F(*e, "invoice_id"), "A&BA&unknown;");
}

// Not an assertion on speed (machines differ): the figure for the log.
TEST(EInvoiceTest, TimeToReadOneInvoice) {
  for (const char* name :
       {"ubl/ubl-tc434-example1.xml", "cii/CII_example1.xml"}) {
    const Bytes b = Example(name);
    constexpr int kRuns = 200;
    const auto start = std::chrono::steady_clock::now();
    size_t items = 0;
    for (int i = 0; i < kRuns; ++i) {
      auto e = ReadEInvoice(Span(b), name);
      ASSERT_TRUE(e.has_value());
      items += e->line_items.size();
    }
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count() /
                      kRuns;
    EXPECT_EQ(items, 20u * kRuns);
    std::cout << "[ timing   ] ReadEInvoice(" << name << ", " << b.size()
              << " bytes): " << ms << " ms per read\n";
  }
}

}  // namespace
}  // namespace invoices::extract
