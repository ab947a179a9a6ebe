#include "invoices/extract/identifiers.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invoices/core/decimal.h"
#include "invoices/extract/text_parse.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

using internal::CountDigits;
using internal::CountLetters;
using internal::LabelHit;
using internal::Phrase;
using internal::PhraseTable;
using internal::Row;
using internal::Span;

// ------------------------------------------------------------------- labels

enum Kind {
  kInvoiceId = 1,
  kTaxId,
  kPhone,
  kFax,
  kPo,
  kTerms,        // "Payment terms": the value follows
  kTermsPhrase,  // "Zahlbar innerhalb": the phrase is the value
  kParty,        // "Bill to": the receiver's block follows
  kShipTo,       // "Ship to": another party's block follows
  kDiscount,
  kAmountDue,
  kOther,  // labels of other values: dates, totals, copies
};

enum Flag : uint32_t {
  kTakesQual = 1,  // may be followed by "No", "Nr", "#", "ID"
  // Without a qualifier the label is weaker, and its value must follow on
  // the same row after ':' or '#' ("Invoice: 123", not the title "INVOICE").
  kNeedsQual = 2,
  kStrict = 4,      // without a qualifier, no label at all ("Bill No")
  kPrefixQual = 8,  // a qualifier must come first: "N° | de facture"
  kColon = 16,      // must be followed by ':' ("T: +49 ...")
  // Must be followed by its number ("TIF 30 61 67 83", "Tlf" misread; not
  // "U Tif pštrosů", a name misread).
  kNumberNext = 32,
};

Phrase P(std::string_view text, int kind, double strength, uint32_t flags = 0) {
  Phrase p;
  size_t i = 0;
  while (i < text.size()) {
    const size_t j = std::min(text.find(' ', i), text.size());
    if (j > i) p.tokens.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  p.kind = kind;
  p.strength = strength;
  p.flags = flags;
  return p;
}

// Labels in folded tokens: lower case, accents stripped, punctuation
// dropped ("N°" is "n #", "USt-IdNr." is "ust idnr", "H/P" is "h p").
const PhraseTable& Labels() {
  constexpr uint32_t kQ = kTakesQual;
  constexpr uint32_t kNQ = kTakesQual | kNeedsQual;
  constexpr uint32_t kSQ = kTakesQual | kStrict;
  static const PhraseTable kTable({
      // invoice_id
      P("invoice", kInvoiceId, 1.0, kNQ),
      P("tax invoice", kInvoiceId, 1.0, kNQ),
      P("inv", kInvoiceId, 0.95, kSQ),
      P("invoice number", kInvoiceId, 1.0),
      P("receipt", kInvoiceId, 0.9, kNQ),
      P("official receipt", kInvoiceId, 0.9, kNQ),
      P("rcpt", kInvoiceId, 0.85, kSQ),
      P("bill", kInvoiceId, 0.85, kSQ),
      P("cash bill", kInvoiceId, 0.85, kSQ),
      P("doc", kInvoiceId, 0.8, kSQ),
      P("document", kInvoiceId, 0.8, kSQ),
      P("documento", kInvoiceId, 0.8, kSQ),
      // "Numéro :", "Número:" alone name the document's number.
      P("numero", kInvoiceId, 0.7, kColon),
      P("cash sale", kInvoiceId, 0.75, kSQ),
      P("cash sales", kInvoiceId, 0.75, kSQ),
      P("cs", kInvoiceId, 0.65, kSQ),
      P("check", kInvoiceId, 0.6, kSQ),
      P("chk", kInvoiceId, 0.6, kSQ),
      P("ticket", kInvoiceId, 0.7, kSQ),
      P("folio", kInvoiceId, 0.6, kSQ),
      P("ref", kInvoiceId, 0.5, kSQ),
      P("slip", kInvoiceId, 0.6, kSQ),
      P("transaction", kInvoiceId, 0.5, kSQ),
      P("trans", kInvoiceId, 0.5, kSQ),
      P("txn", kInvoiceId, 0.5, kSQ),
      P("reference", kInvoiceId, 0.5, kSQ),
      P("rechnung", kInvoiceId, 1.0, kNQ),
      P("rechnungs", kInvoiceId, 1.0, kSQ),
      P("rechnungsnummer", kInvoiceId, 1.0),
      P("rechnungsnr", kInvoiceId, 1.0),
      P("rg", kInvoiceId, 0.8, kSQ),
      P("re", kInvoiceId, 0.6, kSQ),
      P("beleg", kInvoiceId, 0.8, kSQ),
      P("belegnummer", kInvoiceId, 1.0),
      P("belegnr", kInvoiceId, 1.0),
      P("bon", kInvoiceId, 0.75, kSQ),
      P("quittung", kInvoiceId, 0.8, kSQ),
      P("quittungsnummer", kInvoiceId, 1.0),
      P("facture", kInvoiceId, 1.0, kNQ),
      P("de facture", kInvoiceId, 1.0, kPrefixQual),
      P("de la facture", kInvoiceId, 1.0, kPrefixQual),
      P("factura", kInvoiceId, 1.0, kNQ),
      P("de factura", kInvoiceId, 1.0, kPrefixQual),
      P("fattura", kInvoiceId, 1.0, kNQ),
      P("di fattura", kInvoiceId, 1.0, kPrefixQual),
      P("factuur", kInvoiceId, 1.0, kNQ),
      P("factuurnummer", kInvoiceId, 1.0),
      P("factuurnr", kInvoiceId, 1.0),
      P("faktura", kInvoiceId, 1.0, kNQ),
      P("fakturanummer", kInvoiceId, 1.0),
      P("fakturanr", kInvoiceId, 1.0),
      P("faktur", kInvoiceId, 0.9, kSQ),
      P("numer faktury", kInvoiceId, 1.0),
      P("nr faktury", kInvoiceId, 1.0),
      P("laskun numero", kInvoiceId, 1.0),
      P("laskunro", kInvoiceId, 1.0),
      P("cislo faktury", kInvoiceId, 1.0),
      P("faktura c", kInvoiceId, 1.0),  // "Faktura č."
      P("variabilni symbol", kInvoiceId, 0.9),
      P("belge", kInvoiceId, 0.8, kSQ),
      P("no faktur", kInvoiceId, 1.0),
      P("nomor faktur", kInvoiceId, 1.0),
      P("nomor invoice", kInvoiceId, 1.0),
      P("szamlaszam", kInvoiceId, 1.0),
      P("szamla sorszama", kInvoiceId, 1.0),
      P("sorszam", kInvoiceId, 0.9),
      P("szamla", kInvoiceId, 1.0, kNQ),
      P("numar factura", kInvoiceId, 1.0),
      P("factura nr", kInvoiceId, 1.0),
      P("seria si nr", kInvoiceId, 1.0),
      P("seria", kInvoiceId, 0.8, kSQ),
      // A credit note's own number.
      P("credit note", kInvoiceId, 1.0, kNQ),
      P("credit memo", kInvoiceId, 1.0, kNQ),
      P("credit note number", kInvoiceId, 1.0),
      P("gutschrift", kInvoiceId, 1.0, kNQ),
      P("gutschriftsnummer", kInvoiceId, 1.0),
      P("avoir", kInvoiceId, 1.0, kNQ),
      P("d avoir", kInvoiceId, 1.0, kPrefixQual),
      P("rectificativa", kInvoiceId, 1.0, kPrefixQual),
      P("nota di credito", kInvoiceId, 1.0, kNQ),
      P("nota de credito", kInvoiceId, 1.0, kNQ),
      P("creditnota", kInvoiceId, 1.0, kNQ),
      P("creditnotanummer", kInvoiceId, 1.0),
      P("faktura korygujaca", kInvoiceId, 1.0, kNQ),
      P("kreditfaktura", kInvoiceId, 1.0, kNQ),
      P("kreditnota", kInvoiceId, 1.0, kNQ),
      P("hyvityslaskun numero", kInvoiceId, 1.0),
      P("dobropis c", kInvoiceId, 1.0),
      P("dobropis", kInvoiceId, 0.9, kQ),  // "Dobropis č." with "¢." for "č."
      P("no nota kredit", kInvoiceId, 1.0),
      P("numar", kInvoiceId, 0.7, kColon),
      P("fatura", kInvoiceId, 1.0, kNQ),
      P("da fatura", kInvoiceId, 1.0, kPrefixQual),
      // "FT", the Portuguese document type of an invoice ("Fatura FT A/12").
      P("fatura ft", kInvoiceId, 1.0),
      P("recibo", kInvoiceId, 0.8, kSQ),
      P("boleta", kInvoiceId, 0.8, kSQ),
      P("ricevuta", kInvoiceId, 0.8, kSQ),
      P("scontrino", kInvoiceId, 0.7, kSQ),
      P("invois", kInvoiceId, 1.0, kNQ),
      P("resit", kInvoiceId, 0.9, kNQ),
      P("bil", kInvoiceId, 0.8, kSQ),
      P("kwitansi", kInvoiceId, 0.8, kSQ),
      P("nota", kInvoiceId, 0.6, kSQ),
      // vendor_tax_id, receiver_tax_id
      P("gst", kTaxId, 1.0, kNQ),
      P("gstin", kTaxId, 1.0, kQ),
      P("sst", kTaxId, 1.0, kNQ),
      P("vat", kTaxId, 1.0, kNQ),
      P("tva", kTaxId, 1.0, kNQ),
      P("btw", kTaxId, 1.0, kNQ),
      P("iva", kTaxId, 0.9, kNQ),
      P("mwst", kTaxId, 0.9, kNQ),
      P("ust", kTaxId, 1.0, kNQ),
      P("hst", kTaxId, 0.9, kNQ),
      P("tax", kTaxId, 0.9, kNQ),
      P("taxpayer", kTaxId, 0.9, kSQ),
      P("abn", kTaxId, 1.0, kQ),
      P("tin", kTaxId, 1.0, kQ),
      P("nif", kTaxId, 1.0, kQ),
      P("cif", kTaxId, 1.0, kQ),
      P("npwp", kTaxId, 1.0, kQ),
      P("cvr", kTaxId, 1.0, kQ),
      P("y tunnus", kTaxId, 1.0),
      P("ico", kTaxId, 0.7, kQ),
      P("vkn", kTaxId, 1.0, kQ),
      P("adoszam", kTaxId, 1.0, kQ),
      P("cui", kTaxId, 1.0, kQ),
      P("trn", kTaxId, 0.9, kQ),
      P("ruc", kTaxId, 0.9, kQ),
      P("rfc", kTaxId, 0.9, kQ),
      P("cnpj", kTaxId, 0.9, kQ),
      P("uid", kTaxId, 0.9, kQ),
      // The VAT number ("DIČ") before the company's number ("IČO", "ЕИК",
      // "Org.nr", "SIRET") printed beside it.
      P("dic", kTaxId, 1.0, kQ),
      P("ein", kTaxId, 0.9, kQ),
      P("fein", kTaxId, 1.0, kQ),
      P("nip", kTaxId, 1.0, kQ),
      P("regon", kTaxId, 0.8, kQ),
      P("siret", kTaxId, 0.9, kQ),
      P("siren", kTaxId, 0.9, kQ),
      P("kvk", kTaxId, 0.8, kQ),
      P("org", kTaxId, 0.9, kSQ),
      P("orgnr", kTaxId, 0.9),
      P("organisasjonsnummer", kTaxId, 0.9),
      P("organisationsnummer", kTaxId, 0.9),
      P("foretaksregisteret", kTaxId, 0.9),
      P("p iva", kTaxId, 1.0, kQ),
      P("piva", kTaxId, 1.0, kQ),
      P("partita iva", kTaxId, 1.0, kQ),
      P("codice fiscale", kTaxId, 0.8, kQ),
      P("steuernummer", kTaxId, 1.0),
      P("steuernr", kTaxId, 1.0),
      P("steuer", kTaxId, 0.9, kSQ),
      P("st", kTaxId, 0.8, kSQ),
      P("ustidnr", kTaxId, 1.0),
      P("umsatzsteuer", kTaxId, 1.0, kSQ),
      P("umsatzsteuer identifikationsnummer", kTaxId, 1.0),
      P("tva intracom", kTaxId, 1.0, kQ),
      P("tva intracommunautaire", kTaxId, 1.0, kQ),
      P("de tva", kTaxId, 1.0, kPrefixQual),
      P("id tva", kTaxId, 1.0),
      P("de iva", kTaxId, 0.9, kPrefixQual),
      P("btw nummer", kTaxId, 1.0),
      P("tax identification", kTaxId, 1.0, kQ),
      // vendor_phone
      P("tel", kPhone, 1.0, kQ),
      P("tele", kPhone, 0.9, kQ),
      P("telephone", kPhone, 1.0, kQ),
      P("phone", kPhone, 1.0, kQ),
      P("ph", kPhone, 0.8, kQ),
      P("telefon", kPhone, 1.0, kQ),
      P("telefono", kPhone, 1.0, kQ),
      P("telefone", kPhone, 1.0, kQ),
      P("tlf", kPhone, 1.0, kQ),
      // Misread: "Tlf" with its "l" read "I" or "1", "Тел" read in Latin.
      P("tif", kPhone, 0.7, kNumberNext),
      P("t1f", kPhone, 0.7, kNumberNext),
      P("ten", kPhone, 0.6, kNumberNext),
      P("puh", kPhone, 1.0, kQ),
      P("puhelin", kPhone, 1.0, kQ),
      P("tlph", kPhone, 0.9, kQ),
      P("telp", kPhone, 1.0, kQ),
      P("fon", kPhone, 0.8, kQ),
      P("h p", kPhone, 0.9, kQ),
      P("hp", kPhone, 0.8, kQ),
      P("mobile", kPhone, 0.9, kQ),
      P("mob", kPhone, 0.8, kQ),
      P("handphone", kPhone, 0.9, kQ),
      P("cell", kPhone, 0.8, kQ),
      P("hotline", kPhone, 0.7, kQ),
      P("whatsapp", kPhone, 0.6, kQ),
      P("contact", kPhone, 0.5, kQ),
      P("t", kPhone, 0.6, kColon),
      P("tel fax", kPhone, 0.9, kQ),
      P("phone fax", kPhone, 0.9, kQ),
      P("fax", kFax, 1.0, kQ),
      P("telefax", kFax, 1.0, kQ),
      P("f", kFax, 1.0, kColon),
      // purchase_order
      P("po", kPo, 1.0, kNQ),
      P("p o", kPo, 1.0, kNQ),
      P("purchase order", kPo, 1.0, kQ),
      P("your order", kPo, 0.9, kQ),
      P("your po", kPo, 1.0, kQ),
      P("customer po", kPo, 1.0, kQ),
      P("bestellnummer", kPo, 1.0),
      P("bestellnr", kPo, 1.0),
      P("bestell", kPo, 0.9, kSQ),
      P("bestellung", kPo, 0.8, kNQ),
      P("ihre bestellung", kPo, 0.9, kQ),
      P("bon de commande", kPo, 1.0, kQ),
      P("commande", kPo, 0.8, kSQ),
      P("de commande", kPo, 0.9, kPrefixQual),
      P("votre commande", kPo, 0.9, kQ),
      P("orden de compra", kPo, 1.0, kQ),
      P("pedido", kPo, 0.7, kNQ),
      P("de pedido", kPo, 0.8, kPrefixQual),
      P("ordine", kPo, 0.7, kSQ),
      P("ordine d acquisto", kPo, 1.0, kQ),
      P("rif ordine", kPo, 1.0, kQ),
      P("vostro ordine", kPo, 0.9, kQ),
      P("bestelling", kPo, 0.7, kSQ),
      P("inkooporder", kPo, 1.0, kQ),
      P("inkoopordernummer", kPo, 1.0),
      P("ordernummer", kPo, 1.0),
      P("uw ordernummer", kPo, 1.0),
      P("ordernr", kPo, 1.0),
      P("ert ordernr", kPo, 1.0),
      P("order", kPo, 0.7, kSQ),  // "Order No:" (a ticket's, on a receipt)
      P("encomenda", kPo, 0.8, kNQ),
      P("de encomenda", kPo, 0.9, kPrefixQual),
      P("requisicao", kPo, 0.8, kQ),
      P("zamowienie", kPo, 0.8, kNQ),
      P("zamowienia", kPo, 0.9, kPrefixQual),
      P("bestallningsnummer", kPo, 1.0),
      P("bestallningsnr", kPo, 1.0),
      P("ordrenummer", kPo, 1.0),
      P("ordrenr", kPo, 1.0),
      P("jeres ordre", kPo, 0.9, kQ),
      P("deres ordre", kPo, 0.9, kQ),
      P("rekvisitionsnr", kPo, 1.0),
      P("rekvisition", kPo, 0.8, kSQ),
      P("bestillingsnr", kPo, 1.0),
      P("bestillingsnummer", kPo, 1.0),
      P("tilausnumero", kPo, 1.0),
      P("tilaus", kPo, 0.8, kNQ),
      P("objednavka", kPo, 0.8, kNQ),
      P("objednavka c", kPo, 1.0),  // "Objednávka č."
      P("cislo objednavky", kPo, 1.0),
      P("siparis", kPo, 0.9, kSQ),
      P("siparis numarasi", kPo, 1.0),
      P("nomor pesanan", kPo, 1.0),
      P("nomor po", kPo, 1.0),
      P("rendelesszam", kPo, 1.0),
      P("megrendeles szama", kPo, 1.0),
      P("megrendelesszam", kPo, 1.0),
      P("comanda", kPo, 0.8, kSQ),
      P("nr comanda", kPo, 1.0),
      P("numar comanda", kPo, 1.0),
      // payment_terms
      P("terms", kTerms, 0.9),
      P("term", kTerms, 0.7),
      P("payment terms", kTerms, 1.0),
      P("payment term", kTerms, 1.0),
      P("terms of payment", kTerms, 1.0),
      P("credit terms", kTerms, 1.0),
      P("zahlungsbedingungen", kTerms, 1.0),
      P("zahlungsbedingung", kTerms, 1.0),
      P("zahlungskonditionen", kTerms, 1.0),
      P("zahlungsziel", kTerms, 0.8),
      P("conditions de paiement", kTerms, 1.0),
      P("conditions de reglement", kTerms, 1.0),
      P("modalites de paiement", kTerms, 1.0),
      P("condiciones de pago", kTerms, 1.0),
      P("terminos de pago", kTerms, 1.0),
      P("condizioni di pagamento", kTerms, 1.0),
      P("termini di pagamento", kTerms, 1.0),
      P("betalingsvoorwaarden", kTerms, 1.0),
      P("betalingstermijn", kTerms, 1.0),
      P("betalingscondities", kTerms, 1.0),
      P("terma", kTerms, 0.8),
      P("terma pembayaran", kTerms, 1.0),
      P("syarat pembayaran", kTerms, 1.0),
      P("termin", kTerms, 0.6),
      P("plazo de pago", kTerms, 1.0),
      P("condicoes de pagamento", kTerms, 1.0),
      P("prazo de pagamento", kTerms, 1.0),
      P("warunki platnosci", kTerms, 1.0),
      P("termin platnosci", kTerms,
        0.8),  // or the due date: a date is not terms
      P("betalningsvillkor", kTerms, 1.0),
      P("betalingsbetingelser", kTerms, 1.0),
      P("betalingsvilkar", kTerms, 1.0),
      P("betalingsfrist", kTerms, 0.8),
      P("maksuehdot", kTerms, 1.0),
      P("maksuehto", kTerms, 1.0),
      P("platebni podminky", kTerms, 1.0),
      P("odeme kosullari", kTerms, 1.0),
      P("odeme sekli", kTerms, 0.6),
      P("vade", kTerms, 0.6),
      P("fizetesi feltetelek", kTerms, 1.0),
      P("termen de plata", kTerms, 0.9),
      P("conditii de plata", kTerms, 1.0),
      P("zahlungsfrist", kTerms, 0.8),
      P("zahlbar innerhalb", kTermsPhrase, 0.8),
      P("zahlbar binnen", kTermsPhrase, 0.8),
      P("zahlbar sofort", kTermsPhrase, 0.8),
      P("zahlbar ohne abzug", kTermsPhrase, 0.8),
      P("payable within", kTermsPhrase, 0.8),
      P("payment within", kTermsPhrase, 0.75),
      P("payment due within", kTermsPhrase, 0.8),
      P("due within", kTermsPhrase, 0.75),
      P("payable on receipt", kTermsPhrase, 0.8),
      P("payable upon receipt", kTermsPhrase, 0.8),
      P("due on receipt", kTermsPhrase, 0.8),
      P("due upon receipt", kTermsPhrase, 0.8),
      P("payable a reception", kTermsPhrase, 0.8),
      P("paiement a reception", kTermsPhrase, 0.8),
      P("payable sous", kTermsPhrase, 0.8),
      P("a regler sous", kTermsPhrase, 0.8),
      P("paiement a", kTermsPhrase, 0.6),
      P("te betalen binnen", kTermsPhrase, 0.8),
      P("betaling binnen", kTermsPhrase, 0.8),
      // receiver_name, receiver_address
      P("bill to", kParty, 1.0),
      P("billed to", kParty, 1.0),
      P("bill to party", kParty, 1.0),
      P("billing address", kParty, 0.9),
      P("invoice to", kParty, 1.0),
      P("invoiced to", kParty, 1.0),
      P("sold to", kParty, 1.0),
      P("customer", kParty, 0.75),
      P("customer name", kParty, 0.9),
      P("client", kParty, 0.75),
      P("client name", kParty, 0.9),
      P("buyer", kParty, 0.75),
      P("kunde", kParty, 0.75),
      P("rechnungsempfanger", kParty, 1.0),
      P("rechnungsadresse", kParty, 0.9),
      P("rechnung an", kParty, 1.0),
      P("empfanger", kParty, 0.7),
      P("facture a", kParty, 1.0),
      P("facturer a", kParty, 1.0),
      P("adresse de facturation", kParty, 0.9),
      P("cliente", kParty, 0.75),
      P("facturar a", kParty, 1.0),
      P("fatturare a", kParty, 1.0),
      P("intestatario", kParty, 0.9),
      P("spett le", kParty, 0.8),
      P("destinatario", kParty, 0.8),
      P("destinataire", kParty, 0.8),
      // German and Dutch letters: "An:", "Aan:" over the address.
      P("an", kParty, 0.7, kColon),
      P("aan", kParty, 0.7, kColon),
      P("factuur aan", kParty, 1.0),
      P("klant", kParty, 0.75),
      P("nabywca", kParty, 0.9),
      P("odbiorca", kParty, 0.8),
      P("exmo s sr s", kParty, 0.9),
      P("exmo sr", kParty, 0.9),
      P("exmos srs", kParty, 0.9),
      P("adquirente", kParty, 0.8),
      P("pelanggan", kParty, 0.75),
      P("kund", kParty, 0.75),
      P("fakturaadress", kParty, 0.9),
      P("till", kParty, 0.7, kColon),
      P("faktureres til", kParty, 1.0),
      P("fakturamottaker", kParty, 1.0),
      P("asiakas", kParty, 0.75),
      P("laskutusosoite", kParty, 0.9),
      P("vastaanottaja", kParty, 0.8),
      P("odberatel", kParty, 0.9),
      P("prijemce", kParty, 0.8),
      P("sayin", kParty, 0.9),
      P("alici", kParty, 0.8),
      P("musteri", kParty, 0.75),
      P("kepada", kParty, 0.8),
      P("kepada yth", kParty, 1.0),
      P("ditagihkan kepada", kParty, 1.0),
      P("pembeli", kParty, 0.8),
      P("nama pelanggan", kParty, 0.9),
      P("vevo", kParty, 0.9),
      P("vevo neve", kParty, 1.0),
      P("cumparator", kParty, 0.9),
      P("beneficiar", kParty, 0.9),
      P("ship to", kShipTo, 1.0),
      P("shipped to", kShipTo, 1.0),
      P("deliver to", kShipTo, 1.0),
      P("delivery address", kShipTo, 1.0),
      P("shipping address", kShipTo, 1.0),
      P("lieferadresse", kShipTo, 1.0),
      P("lieferanschrift", kShipTo, 1.0),
      P("livre a", kShipTo, 1.0),
      P("adresse de livraison", kShipTo, 1.0),
      P("enviar a", kShipTo, 1.0),
      // discount
      P("discount", kDiscount, 1.0),
      P("disc", kDiscount, 0.8),
      P("total discount", kDiscount, 1.0),
      P("diskaun", kDiscount, 1.0),
      P("rabatt", kDiscount, 1.0),
      P("remise", kDiscount, 1.0),
      P("descuento", kDiscount, 1.0),
      P("dto", kDiscount, 0.7),
      P("sconto", kDiscount, 1.0),
      P("korting", kDiscount, 1.0),
      P("nachlass", kDiscount, 0.9),
      P("desconto", kDiscount, 1.0),
      P("rabais", kDiscount, 1.0),
      P("rabat", kDiscount, 1.0),
      P("alennus", kDiscount, 1.0),
      P("sleva", kDiscount, 1.0),
      P("indirim", kDiscount, 1.0),
      P("diskon", kDiscount, 1.0),
      P("kedvezmeny", kDiscount, 1.0),
      P("reducere", kDiscount, 1.0),
      P("rebate", kDiscount, 0.9),
      P("εκπτωση", kDiscount, 1.0),
      P("отстъпка", kDiscount, 1.0),
      P("скидка", kDiscount, 1.0),
      P("знижка", kDiscount, 1.0),
      // amount_due
      P("amount due", kAmountDue, 1.0),
      P("amt due", kAmountDue, 1.0),
      P("balance due", kAmountDue, 1.0),
      P("total due", kAmountDue, 0.95),
      P("amount payable", kAmountDue, 0.95),
      P("total payable", kAmountDue, 0.9),
      P("amount owing", kAmountDue, 0.9),
      P("amount to pay", kAmountDue, 0.9),
      P("balance", kAmountDue, 0.5),
      P("zu zahlen", kAmountDue, 1.0),
      P("zu zahlender betrag", kAmountDue, 1.0),
      P("zahlbetrag", kAmountDue, 0.9),
      P("offener betrag", kAmountDue, 0.9),
      P("net a payer", kAmountDue, 1.0),
      P("total a payer", kAmountDue, 1.0),
      P("montant du", kAmountDue, 1.0),
      P("reste a payer", kAmountDue, 1.0),
      P("solde du", kAmountDue, 1.0),
      P("a payer", kAmountDue, 0.8),
      P("importe a pagar", kAmountDue, 1.0),
      P("total a pagar", kAmountDue, 1.0),
      P("a pagar", kAmountDue, 0.8),
      P("importo dovuto", kAmountDue, 1.0),
      P("da pagare", kAmountDue, 0.8),
      P("te betalen", kAmountDue, 0.9),
      P("att betala", kAmountDue, 0.9),
      P("at betale", kAmountDue, 0.9),
      P("a betale", kAmountDue, 0.9),
      P("maksettava", kAmountDue, 0.9),
      P("k uhrade", kAmountDue, 0.9),
      P("odenecek tutar", kAmountDue, 1.0),
      P("jumlah tagihan", kAmountDue, 0.9),
      P("fizetendo", kAmountDue, 0.9),
      P("total de plata", kAmountDue, 1.0),
      // What is left to pay after a deposit or a payment on account.
      P("balance payable", kAmountDue, 1.0),
      P("net payable", kAmountDue, 0.9),
      P("amount outstanding", kAmountDue, 1.0),
      P("outstanding balance", kAmountDue, 1.0),
      P("restbetrag", kAmountDue, 1.0),
      P("noch zu zahlen", kAmountDue, 1.0),
      P("solde a payer", kAmountDue, 1.0),
      P("pendiente de pago", kAmountDue, 1.0),
      P("saldo pendiente", kAmountDue, 1.0),
      P("saldo da pagare", kAmountDue, 1.0),
      P("residuo da pagare", kAmountDue, 1.0),
      P("openstaand bedrag", kAmountDue, 1.0),
      P("nog te betalen", kAmountDue, 1.0),
      P("valor em divida", kAmountDue, 1.0),
      P("saldo a pagar", kAmountDue, 1.0),
      P("pozostalo do zaplaty", kAmountDue, 1.0),
      P("do zaplaty", kAmountDue, 0.8),
      P("kvar att betala", kAmountDue, 1.0),
      P("aterstar", kAmountDue, 0.9),
      P("restbelob", kAmountDue, 1.0),
      P("rest at betale", kAmountDue, 1.0),
      P("restbelop", kAmountDue, 1.0),
      P("gjenstaende", kAmountDue, 0.9),
      P("jaljella maksettavaa", kAmountDue, 1.0),
      P("avoin saldo", kAmountDue, 0.9),
      P("zbyva uhradit", kAmountDue, 1.0),
      P("zbyva k uhrade", kAmountDue, 1.0),
      P("kalan tutar", kAmountDue, 1.0),
      P("kalan borc", kAmountDue, 1.0),
      P("sisa tagihan", kAmountDue, 1.0),
      P("sisa pembayaran", kAmountDue, 1.0),
      P("fennmarado osszeg", kAmountDue, 1.0),
      P("hatralek", kAmountDue, 0.9),
      P("rest de plata", kAmountDue, 1.0),
      P("sold de plata", kAmountDue, 1.0),
      // Labels of other values, which end a value and are never one.
      P("invoice date", kOther, 1),
      P("invoice total", kOther, 1),
      P("invoice amount", kOther, 1),
      P("invoice period", kOther, 1),
      P("invoice address", kOther, 1),
      P("invoice due date", kOther, 1),
      P("tax invoice date", kOther, 1),
      P("receipt date", kOther, 1),
      P("bill date", kOther, 1),
      P("doc date", kOther, 1),
      P("document date", kOther, 1),
      P("order date", kOther, 1),
      P("tax rate", kOther, 1),
      P("tax amount", kOther, 1),
      P("tax total", kOther, 1),
      P("total tax", kOther, 1),
      P("tax summary", kOther, 1),
      P("gst summary", kOther, 1),
      P("vat summary", kOther, 1),
      P("tax code", kOther, 1),
      P("date", kOther, 1),
      P("datum", kOther, 1),
      P("tarikh", kOther, 1),
      P("fecha", kOther, 1),
      P("dato", kOther, 1),
      P("fakturadatum", kOther, 1),
      P("fakturadato", kOther, 1),
      P("forfallodatum", kOther, 1),
      P("forfaldsdato", kOther, 1),
      P("forfallsdato", kOther, 1),
      P("paivays", kOther, 1),
      P("erapaiva", kOther, 1),
      P("datum vystaveni", kOther, 1),
      P("datum splatnosti", kOther, 1),
      P("tarih", kOther, 1),
      P("fatura tarihi", kOther, 1),
      P("vade tarihi", kOther, 1),
      P("tanggal", kOther, 1),
      P("jatuh tempo", kOther, 1),
      P("szamla kelte", kOther, 1),
      P("kiallitas datuma", kOther, 1),
      P("fizetesi hatarido", kOther, 1),
      P("esedekesseg", kOther, 1),
      P("data emiterii", kOther, 1),
      P("data facturii", kOther, 1),
      P("data scadentei", kOther, 1),
      P("scadenta", kOther, 1),
      // The invoice a credit note credits.
      P("original invoice", kOther, 1),
      P("against invoice", kOther, 1),
      P("invoice ref", kOther, 1),
      P("zur rechnung", kOther, 1),
      P("zu rechnung", kOther, 1),
      P("bezug rechnung", kOther, 1),
      P("facture d origine", kOther, 1),
      P("ref facture", kOther, 1),
      P("factura rectificada", kOther, 1),
      P("ref factura", kOther, 1),
      P("rif fattura", kOther, 1),
      P("fattura di riferimento", kOther, 1),
      P("betreft factuur", kOther, 1),
      P("oorspronkelijke factuur", kOther, 1),
      P("fatura de origem", kOther, 1),
      P("ref fatura", kOther, 1),
      P("do faktury", kOther, 1),
      P("avser faktura", kOther, 1),
      P("vedr faktura", kOther, 1),
      P("gjelder faktura", kOther, 1),
      P("hyvitettava lasku", kOther, 1),
      P("k fakture c", kOther, 1),
      P("iade edilen fatura", kOther, 1),
      P("atas faktur", kOther, 1),
      P("eredeti szamla", kOther, 1),
      P("storneaza factura", kOther, 1),
      P("due date", kOther, 1),
      P("time", kOther, 1),
      P("page", kOther, 1),
      P("po box", kOther, 1),
      P("p o box", kOther, 1),
      P("terms and conditions", kOther, 1),
      P("terms conditions", kOther, 1),
      P("terms of service", kOther, 1),
      P("terms of use", kOther, 1),
      P("customer copy", kOther, 1),
      P("customer s copy", kOther, 1),
      P("customer service", kOther, 1),
      P("customer care", kOther, 1),
      P("customer support", kOther, 1),
      P("customer signature", kOther, 1),
      P("client copy", kOther, 1),
      P("merchant copy", kOther, 1),
      P("dear customer", kOther, 1),
      P("valued customer", kOther, 1),
      P("total", kOther, 1),
      P("subtotal", kOther, 1),
      P("sub total", kOther, 1),
      P("amount", kOther, 1),
      P("qty", kOther, 1),
      P("cashier", kOther, 1),
      P("table", kOther, 1),
      P("email", kOther, 1),
      P("e mail", kOther, 1),
      P("www", kOther, 1),
      P("website", kOther, 1),
      P("rechnungsdatum", kOther, 1),
      P("lieferdatum", kOther, 1),
      P("date de facture", kOther, 1),
      P("fecha de factura", kOther, 1),
      P("data fattura", kOther, 1),
      P("factuurdatum", kOther, 1),
      P("tarikh invois", kOther, 1),
      // Greek (folded: no tonos, "σ" for a final "ς").
      P("τιμολογιο", kInvoiceId, 1.0, kNQ),
      P("αριθμοσ τιμολογιου", kInvoiceId, 1.0),
      P("αρ τιμολογιου", kInvoiceId, 1.0),
      P("αριθμοσ", kInvoiceId, 0.8, kColon),
      P("α α", kInvoiceId, 0.7, kColon),
      P("αια", kInvoiceId, 0.6, kColon),  // "Α/Α" with its slash read "Ι"
      P("αποδειξη", kInvoiceId, 0.8, kSQ),
      P("πιστωτικο τιμολογιο", kInvoiceId, 1.0, kNQ),
      P("αρ πιστωτικου", kInvoiceId, 1.0),
      P("αφμ", kTaxId, 1.0, kQ),
      P("τηλ", kPhone, 1.0, kQ),
      // "Τηλ." read in Latin letters, or with its "η" lost.
      P("tna", kPhone, 0.7, kNumberNext),
      P("ta", kPhone, 0.5, kNumberNext),
      P("τηλεφωνο", kPhone, 1.0, kQ),
      P("πελατησ", kParty, 0.8),
      P("στοιχεια πελατη", kParty, 1.0),
      P("προσ", kParty, 0.7, kColon),
      P("αγοραστησ", kParty, 0.8),
      P("ημερομηνια", kOther, 1),
      P("ημερομηνια εκδοσησ", kOther, 1),
      P("ημερομηνια ληξησ", kOther, 1),
      P("προθεσμια πληρωμησ", kOther, 1),
      P("σχετ τιμολογιο", kOther, 1),
      P("συνολο", kOther, 1),
      P("πληρωτεο", kAmountDue, 0.9),
      P("πληρωτεο ποσο", kAmountDue, 1.0),
      P("αρ παραγγελιασ", kPo, 1.0),
      P("αριθμοσ παραγγελιασ", kPo, 1.0),
      P("παραγγελια", kPo, 0.8, kNQ),
      P("οροι πληρωμησ", kTerms, 1.0),
      // Bulgarian, Russian, Ukrainian (folded: "е" for "ё").
      P("фактура", kInvoiceId, 1.0, kNQ),
      P("номер на фактура", kInvoiceId, 1.0),
      P("на фактура", kInvoiceId, 1.0, kPrefixQual),
      P("номер", kInvoiceId, 0.8, kColon),
      P("счет", kInvoiceId, 0.9, kNQ),
      P("счет фактура", kInvoiceId, 1.0, kNQ),
      P("рахунок", kInvoiceId, 0.9, kNQ),
      P("чек", kInvoiceId, 0.7, kSQ),
      P("кредитно известие", kInvoiceId, 1.0, kNQ),
      P("еик", kTaxId, 0.9, kQ),
      P("ин по ддс", kTaxId, 1.0, kQ),
      P("инн", kTaxId, 1.0, kQ),
      P("єдрпоу", kTaxId, 1.0, kQ),
      P("іпн", kTaxId, 1.0, kQ),
      P("тел", kPhone, 1.0, kQ),
      P("телефон", kPhone, 1.0, kQ),
      P("получател", kParty, 0.9),
      P("клиент", kParty, 0.75),
      P("купувач", kParty, 0.9),
      P("покупатель", kParty, 0.9),
      P("плательщик", kParty, 0.8),
      P("покупець", kParty, 0.9),
      P("платник", kParty, 0.8),
      P("дата", kOther, 1),
      P("дата на издаване", kOther, 1),
      P("срок за плащане", kOther, 1),
      P("падеж", kOther, 1),
      P("към фактура", kOther, 1),
      P("общо", kOther, 1),
      P("обща сума", kOther, 1),
      P("итого", kOther, 1),
      P("сума за плащане", kAmountDue, 1.0),
      P("за плащане", kAmountDue, 0.8),
      P("к оплате", kAmountDue, 0.9),
      P("до сплати", kAmountDue, 0.9),
      P("рахунку", kInvoiceId, 1.0, kPrefixQual),  // "№ рахунку:"
      P("кредит нота", kInvoiceId, 1.0, kNQ),
      P("одержувач", kParty, 0.8),
      P("до рахунку", kOther, 1),
      P("сплатити до", kOther, 1),
      // (Or the due date, read by the dates: a date is no terms.)
      P("термін оплати", kTerms, 0.8),
      P("умови оплати", kTerms, 1.0),
      P("условия на плащане", kTerms, 1.0),
      P("срок на плащане", kTerms, 0.8),
      P("условия оплаты", kTerms, 1.0),
      P("поръчка", kPo, 0.8, kSQ),
      P("номер на поръчка", kPo, 1.0),
      P("замовлення", kPo, 0.8, kSQ),
      P("номер замовлення", kPo, 1.0),
      P("заказ", kPo, 0.8, kSQ),
      P("номер заказа", kPo, 1.0),
      P("дата складання", kOther, 1),
  });
  return kTable;
}

bool IsQualifier(std::string_view t) {
  static const std::vector<std::string_view> kQualifiers = {
      "no",   "nr",        "n",    "n0",
      "n2",  // "nº" read as "n2"
      "#",    "number",    "num",  "nummer", "numero",       "nro",
      "nbr",  "nos",       "id",   "idnr",   "ident",        "identification",
      "ref",  "reference", "reg",  "regn",   "registration", "registered",
      "code", "nb",        "1d",   "ld",
      "ne",                           // "№" read as "Ne"
      "αρ",   "αριθμοσ",   "номер"};  // "ID" read as "1D
  return std::find(kQualifiers.begin(), kQualifiers.end(), t) !=
         kQualifiers.end();
}

// Words that make the label after them another party's ("Customer VAT No",
// "Your VAT", "Client Tel").
bool IsPartyWord(std::string_view t) {
  static const std::vector<std::string_view> kWords = {
      "customer",  "customers", "client",    "kunde",      "kunden",
      "buyer",     "your",      "ihre",      "votre",      "cliente",
      "receiver",  "recipient", "purchaser", "acquirente", "pembeli",
      "empfanger", "klant"};
  return std::find(kWords.begin(), kWords.end(), t) != kWords.end();
}

// Splits tokens that glue a one-word label to its qualifier ("invno",
// "rechnungsnr" is a label itself; "billno" becomes "bill" "no"; "n" only
// with its dot: "Fatturan." is "Fattura n.").
void SplitGlued(Row& row) {
  static constexpr std::string_view kSuffixes[] = {"no",  "nr", "number",
                                                   "num", "id", "n"};
  std::vector<internal::RowToken> out;
  for (internal::RowToken& t : row.tokens) {
    bool split = false;
    if (t.text.size() >= 4 && !Labels().Knows(t.text) &&
        t.end - t.begin == t.text.size()) {
      for (std::string_view q : kSuffixes) {
        if (!t.text.ends_with(q)) continue;
        if (q == "n" && row.text.compare(t.end, 1, ".") != 0) continue;
        const std::string head = t.text.substr(0, t.text.size() - q.size());
        if (head.size() < 2 || !Labels().Knows(head)) continue;
        const size_t mid = t.begin + head.size();
        out.push_back({head, t.word, t.begin, mid});
        out.push_back({std::string(q), t.word, mid, t.end});
        split = true;
        break;
      }
    }
    if (!split) out.push_back(std::move(t));
  }
  row.tokens = std::move(out);
}

// Whether token `t` of `row` and the next are set apart by a colon or a
// column gap ("Customer: | Invoice No.", "Cliente: | N. documento").
bool SetApart(const Row& row, size_t t) {
  if (t + 1 >= row.tokens.size()) return true;
  const size_t from = row.tokens[t].end, to = row.tokens[t + 1].begin;
  const std::string_view between =
      std::string_view(row.text).substr(from, to - from);
  return between.find(':') != std::string_view::npos ||
         between.find("  ") != std::string_view::npos;
}

// A label found in a row, with its qualifiers.
struct Label {
  size_t row = 0;
  int kind = 0;
  double strength = 0;
  bool qualified = false;      // with its "No", "Nr", "#", "ID"
  bool complete = false;       // qualified, or a label that needs no "No"
  size_t first = 0, last = 0;  // tokens, qualifiers included
  size_t end = 0;              // byte after the label in the row text
  size_t limit = 0;            // byte where the next label starts
  core::BBox box;              // of the label's words
  bool party_before = false;   // "Customer", "Your" right before it
  bool colon = false;          // ':' or '#' between label and value
};

struct PageLabels {
  std::vector<Row> rows;
  std::vector<std::vector<Label>> labels;  // per row
  double h = 1;                            // median row height
  int top = 0, bottom = 1;
};

bool IsSeparatorByte(char c) {
  return c == ' ' || c == ':' || c == '.' || c == '-' || c == '=' || c == '#' ||
         c == '/' || c == '|' || c == '>' || c == ';' || c == ',' || c == ')' ||
         c == '(' || c == '_' || c == '~' || c == '*';
}

// The first byte of a value after `from`: separators and the signs "°",
// "º", "№" skipped. Sets `colon` when ':' or a number sign was skipped.
size_t SkipSeparators(const std::string& s, size_t from, size_t limit,
                      bool* colon, bool keep_plus_paren = false) {
  size_t i = from;
  while (i < limit) {
    const char c = s[i];
    if (keep_plus_paren && (c == '(' || c == '+')) break;
    if (IsSeparatorByte(c)) {
      if (c == ':' || c == '#') *colon = true;
      ++i;
    } else if (s.compare(i, 2, "\xC2\xB0") == 0 ||
               s.compare(i, 2, "\xC2\xBA") == 0 ||
               s.compare(i, 2, "\xC2\xAE") == 0) {  // "n®": "nº" misread
      *colon = true;
      i += 2;
    } else if (s.compare(i, 3, "\xE2\x84\x96") == 0) {
      *colon = true;
      i += 3;
    } else if (s.compare(i, 2, "\xC2\xA9") == 0 ||
               s.compare(i, 2, "\xC2\xA2") == 0) {
      i += 2;  // a speck read as "©", or "č." read as "¢."
    } else if (s.compare(i, 3, "\xE2\x80\x94") == 0 ||
               s.compare(i, 3, "\xE2\x80\x93") == 0) {
      i += 3;  // an em or en dash: a rule or a cell's edge read as one
    } else {
      break;
    }
  }
  return i;
}

PageLabels FindLabels(const OcrPage& page) {
  PageLabels m;
  m.rows = internal::BuildRows(internal::JoinWrappedCells(page));
  m.h = internal::MedianHeight(m.rows);
  if (!m.rows.empty()) {
    m.top = m.rows.front().box.y0;
    m.bottom = m.rows.front().box.y1;
    for (const Row& r : m.rows) {
      m.top = std::min(m.top, r.box.y0);
      m.bottom = std::max(m.bottom, r.box.y1);
    }
  }
  m.labels.resize(m.rows.size());
  for (size_t ri = 0; ri < m.rows.size(); ++ri) {
    Row& row = m.rows[ri];
    SplitGlued(row);
    const auto& tok = row.tokens;
    std::vector<LabelHit> hits = Labels().Match(row);
    std::vector<Label>& out = m.labels[ri];
    for (size_t hi = 0; hi < hits.size(); ++hi) {
      const LabelHit& hit = hits[hi];
      const Phrase& ph = *hit.phrase;
      Label l;
      l.row = ri;
      l.kind = ph.kind;
      l.strength = ph.strength * (hit.fuzzy ? 0.8 : 1.0);
      l.first = hit.first;
      l.last = hit.last;
      // Trailing qualifiers in the same cell: "Invoice No.", "GST Reg No".
      if (ph.flags & (kTakesQual | kNeedsQual | kStrict)) {
        // (In the same word, "Rechnungs-Nr.:", whatever gap follows it.)
        while (l.last + 1 < tok.size() && IsQualifier(tok[l.last + 1].text) &&
               (tok[l.last + 1].word == tok[l.last].word ||
                !row.GapAfter(tok[l.last].word)) &&
               (hi + 1 >= hits.size() || hits[hi + 1].first > l.last + 1)) {
          ++l.last;
          l.qualified = true;
        }
      }
      // Leading qualifiers: "No. Resit", "N° de facture", "N.º da fatura"
      // with its "º" read as "2" ("N.2 da fatura").
      auto leading = [&](size_t at) {
        return IsQualifier(tok[at].text) ||
               (tok[at].text == "2" && at > 0 && tok[at - 1].text == "n" &&
                tok[at - 1].word == tok[at].word);
      };
      size_t before = l.first;
      if (before > 0 && leading(before - 1)) {
        while (before > 0 && leading(before - 1)) --before;
        l.qualified = true;
        l.first = before;
      }
      if ((ph.flags & kPrefixQual) && !l.qualified) continue;
      if ((ph.flags & kStrict) && !l.qualified) continue;
      l.complete = l.qualified || !(ph.flags & kNeedsQual);
      // Right before it: not "Customer:" in the cell beside ("Customer:
      // | Invoice No. 123", two columns read as one row).
      if (l.first > 0 && IsPartyWord(tok[l.first - 1].text)) {
        l.party_before = !SetApart(row, l.first - 1);
      }
      l.end = tok[l.last].end;
      if (ph.flags & kColon) {
        const size_t v = row.text.find_first_not_of(' ', l.end);
        if (v == std::string::npos || row.text[v] != ':') continue;
        // "T:" and "F:" start their cell.
        if (l.first > 0 && !row.GapAfter(tok[l.first - 1].word) &&
            tok[l.first - 1].word + 1 == tok[l.first].word) {
          continue;
        }
      }
      if (ph.flags & kNumberNext) {
        const size_t v = row.text.find_first_not_of(" .:", l.end);
        if (v == std::string::npos ||
            !(std::isdigit(static_cast<unsigned char>(row.text[v])) ||
              row.text[v] == '+' || row.text[v] == '(')) {
          continue;
        }
      }
      // A label word glued to digits by '-' or nothing is part of an
      // identifier ("INV-2018-001", "CS12345"), not a label.
      if (l.end < row.text.size()) {
        const char next = row.text[l.end];
        const bool digit_next =
            (next >= '0' && next <= '9') ||
            (next == '-' && l.end + 1 < row.text.size() &&
             row.text[l.end + 1] >= '0' && row.text[l.end + 1] <= '9');
        if (digit_next && tok[l.last].text != "#" && l.kind != kPhone &&
            l.kind != kFax) {
          continue;
        }
      }
      const Span words =
          internal::WordRange(row, tok[l.first].word, tok[l.last].word + 1);
      l.box = words.box;
      out.push_back(l);
    }
    // A value ends where the next label starts; terms go on over the words
    // of terms ("Zahlungsziel: 10 Tage 2% Skonto, 30 Tage netto").
    auto within_terms = [](const Label& l) {
      return l.kind == kDiscount || l.kind == kTerms || l.kind == kTermsPhrase;
    };
    for (size_t i = 0; i < out.size(); ++i) {
      size_t next = i + 1;
      while (out[i].kind == kTerms && next < out.size() &&
             within_terms(out[next])) {
        ++next;
      }
      out[i].limit =
          next < out.size() ? tok[out[next].first].begin : row.text.size();
    }
  }
  return m;
}

// ------------------------------------------------------------------ values

// A value read for a label, with how well its shape and place support it.
struct Value {
  std::string value;
  Span span;
  double evidence = 0;  // strength x place x shape
  size_t row = 0;
  bool receiver = false;  // inside another party's block
};

bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view TrimPunct(std::string_view s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ',' || s.back() == ';' ||
                        s.back() == ':' || s.back() == ')' || s.back() == '-' ||
                        s.back() == '/')) {
    s.remove_suffix(1);
  }
  // A brace or bar before a value is a colon or a cell's edge misread.
  while (!s.empty() &&
         (s.front() == '(' || s.front() == ':' || s.front() == '#' ||
          s.front() == '.' || s.front() == '}' || s.front() == '{' ||
          s.front() == '[' || s.front() == '|' || s.front() == '\'')) {
    s.remove_prefix(1);
  }
  return s;
}

bool IsTime(std::string_view s) {
  // "14:32", "8:13:39"
  if (s.size() < 4 || s.size() > 8) return false;
  return std::all_of(
             s.begin(), s.end(),
             [](char c) { return (c >= '0' && c <= '9') || c == ':'; }) &&
         s.find(':') != std::string_view::npos;
}

// What a value must not be: a date, a time, an amount with decimals, a
// percentage.
bool LooksLikeOtherValue(std::string_view s) {
  if (s.find('%') != std::string_view::npos) return true;
  if (IsTime(s)) return true;
  if (ParseDate(s)) return true;
  if (auto a = ParseAmount(s); a && (a->has_fraction || a->currency)) {
    return true;
  }
  return false;
}

// The end of the word starting at `b`.
size_t WordEnd(const std::string& s, size_t b, size_t limit) {
  size_t e = b;
  while (e < limit && s[e] != ' ') ++e;
  return e;
}

// An identifier: one word with digits after the label; a short letter
// prefix printed apart joins the number after it ("CS 12345").
std::optional<Value> ReadId(const Row& row, size_t from, size_t limit) {
  bool colon = false;
  const std::string& s = row.text;
  size_t b = SkipSeparators(s, from, limit, &colon);
  if (b >= limit) return std::nullopt;
  size_t e = WordEnd(s, b, limit);
  double shape = 1.0;
  // One character alone before the value is a misread colon or mark
  // ("INVOICE NO s 18341", "Bil-#: a 147795", "RECEIPT #2 C500224314").
  if (e - b == 1 && e + 1 < limit && s[e] == ' ' && s[e + 1] != ' ') {
    b = e + 1;
    e = WordEnd(s, b, limit);
    shape = 0.85;
  }
  std::string_view first = TrimPunct(std::string_view(s).substr(b, e - b));
  if (!HasDigit(first) && first.size() >= 2 && first.size() <= 4 &&
      CountLetters(first) == static_cast<int>(first.size()) && e + 1 < limit &&
      s[e] == ' ' && s[e + 1] != ' ') {
    const size_t e2 = WordEnd(s, e + 1, limit);
    if (HasDigit(std::string_view(s).substr(e + 1, e2 - e - 1))) e = e2;
  }
  std::string_view raw = std::string_view(s).substr(b, e - b);
  std::string_view v = TrimPunct(raw);
  if (v.size() < 2 || !HasDigit(v) || v.size() > 32) return std::nullopt;
  if (LooksLikeOtherValue(v)) return std::nullopt;
  const size_t vb = b + (v.data() - raw.data());
  Value out;
  out.value = ToLatinLookalikes(internal::CollapseSpaces(v));
  out.span = internal::WordsIn(row, vb, vb + v.size());
  out.evidence = shape * (CountDigits(v) >= 3 ? 1.0 : 0.8);
  return out;
}

// EU VAT numbers by format ("DE123456789", "FR 12 345678901", "ATU12345678").
bool IsEuVat(std::string compact) {
  static const std::regex kVat(
      "(ATU\\d{8}|BE[01]\\d{9}|BG\\d{9,10}|CY\\d{8}[A-Z]|CZ\\d{8,10}|"
      "DE\\d{9}|DK\\d{8}|EE\\d{9}|EL\\d{9}|ES[A-Z0-9]\\d{7}[A-Z0-9]|"
      "FI\\d{8}|FR[A-HJ-NP-Z0-9]{2}\\d{9}|HR\\d{11}|HU\\d{8}|"
      "IE\\d[A-Z0-9+*]\\d{5}[A-Z]{1,2}|IT\\d{11}|LT(\\d{9}|\\d{12})|LU\\d{8}|"
      "LV\\d{11}|MT\\d{8}|NL\\d{9}B\\d{2}|PL\\d{10}|PT\\d{9}|RO\\d{2,10}|"
      "SE\\d{12}|SI\\d{8}|SK\\d{10}|GB(\\d{9}|\\d{12})|CHE\\d{9})");
  std::erase_if(compact,
                [](char c) { return c == ' ' || c == '.' || c == '-'; });
  if (compact.size() < 8 || compact.size() > 16) return false;
  return std::regex_match(compact, kVat);
}

// A tax number with the OCR confusions its form tells undone: a country
// code read with a digit for a letter ("1T12345678901" for
// "IT12345678901", "5E..." for "SE...") spelt with the letter when that
// gives the form of an EU VAT number; an "O" for the "0" of a Canadian
// program account ("RTO001"). Any other value as it is.
std::string RepairTaxNumber(std::string value) {
  // A Canadian business number's program account ("123456789 RT0001"): two
  // letters and four digits.
  static const std::regex kProgram("\\b(R[CMPRTZ])O(\\d{3})\\b");
  value = std::regex_replace(value, kProgram, "$010$2");
  // The letters OCR reads as these digits.
  static constexpr std::pair<char, char> kLookAlike[] = {
      {'1', 'I'}, {'5', 'S'}, {'8', 'B'}, {'0', 'O'}, {'2', 'Z'}, {'6', 'G'}};
  if (value.size() < 3 || value[1] < 'A' || value[1] > 'Z' || IsEuVat(value)) {
    return value;
  }
  for (const auto& [digit, letter] : kLookAlike) {
    if (value[0] != digit) continue;
    std::string spelt = value;
    spelt[0] = letter;
    if (IsEuVat(spelt)) return spelt;
  }
  return value;
}

// The number of an Italian VAT label ("P.IVA", "Partita IVA") with its
// "IT" read as two digits ("17…", "11…": thirteen digits, also Thailand's
// form, so only where the label names Italy's VAT) spelt with "IT".
void ItalianVatSpelt(const Row& row, const Label& l, std::string& value) {
  bool iva = false;
  for (size_t t = l.first; t <= l.last; ++t) iva |= row.tokens[t].text == "iva";
  static const std::regex kTwoDigits("1[17]\\d{11}");
  if (iva && std::regex_match(value, kTwoDigits)) {
    value = "IT" + value.substr(2);
  }
}

// A tax number: words with digits, digit groups joined ("DE 123 456 789",
// "51 824 753 556"); at least seven digits.
std::optional<Value> ReadTaxId(const Row& row, size_t from, size_t limit,
                               int min_digits) {
  bool colon = false;
  const std::string& s = row.text;
  size_t b = SkipSeparators(s, from, limit, &colon);
  if (b >= limit) return std::nullopt;
  size_t e = WordEnd(s, b, limit);
  // A misread colon before the number ("GST ID. NO +s 000181747712").
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  const bool upper_pair =
      e - b == 2 && upper(s[b]) && upper(s[b + 1]);  // "DE 123 456 789"
  if (e - b <= 2 && !upper_pair &&
      !HasDigit(std::string_view(s).substr(b, e - b)) && e + 1 < limit &&
      s[e] == ' ' && s[e + 1] >= '0' && s[e + 1] <= '9') {
    b = e + 1;
    e = WordEnd(s, b, limit);
  }
  std::string_view w = std::string_view(s).substr(b, e - b);
  const bool country = !HasDigit(w) && w.size() >= 2 && w.size() <= 3 &&
                       CountLetters(w) == static_cast<int>(w.size());
  if (!HasDigit(w) && !country) return std::nullopt;
  int digits = CountDigits(w);
  // Further digit groups after single spaces.
  while (e + 1 < limit && s[e] == ' ' && s[e + 1] != ' ' && digits < 15) {
    const size_t e2 = WordEnd(s, e + 1, limit);
    const std::string_view next = std::string_view(s).substr(e + 1, e2 - e - 1);
    if (!HasDigit(next) || CountLetters(next) > 3 ||
        next.find('%') != std::string_view::npos) {
      break;
    }
    digits += CountDigits(next);
    e = e2;
  }
  // The tax's name that ends a Swiss or Norwegian number ("CHE-123.456.789
  // MWST", "NO 973 928 796 MVA") is part of it, though it reads as a label
  // of its own.
  if (e + 1 < s.size() && s[e] == ' ') {
    static constexpr std::string_view kSuffixes[] = {"MVA", "MWST", "TVA",
                                                     "IVA"};
    const size_t e2 = WordEnd(s, e + 1, s.size());
    const std::string_view next =
        TrimPunct(std::string_view(s).substr(e + 1, e2 - e - 1));
    if (std::find(std::begin(kSuffixes), std::end(kSuffixes), next) !=
        std::end(kSuffixes)) {
      e = e2;
    }
  }
  std::string_view raw = std::string_view(s).substr(b, e - b);
  std::string_view v = TrimPunct(raw);
  if (CountDigits(v) < min_digits || v.size() > 40) return std::nullopt;
  if (LooksLikeOtherValue(v)) return std::nullopt;
  const size_t vb = b + (v.data() - raw.data());
  Value out;
  out.value = RepairTaxNumber(internal::CollapseSpaces(v));
  out.span = internal::WordsIn(row, vb, vb + v.size());
  out.evidence = 1.0;
  return out;
}

bool IsPhoneChar(char c) {
  return (c >= '0' && c <= '9') || c == '+' || c == '(' || c == ')' ||
         c == '-' || c == '.' || c == '/' || c == ' ';
}

// A phone number: digits with +, spaces, dashes, dots or parentheses, seven
// to fifteen digits, up to a letter, a column gap or " / ".
std::optional<Value> ReadPhone(const Row& row, size_t from, size_t limit) {
  bool colon = false;
  const std::string& s = row.text;
  size_t b = SkipSeparators(s, from, limit, &colon, true);
  if (b >= limit) return std::nullopt;
  size_t e = b;
  while (e < limit && IsPhoneChar(s[e])) {
    if (s.compare(e, 2, "  ") == 0) break;
    if (s.compare(e, 3, " / ") == 0) break;
    if (s[e] == '/' && e + 1 < limit && s[e + 1] == ' ') break;
    ++e;
  }
  std::string_view v = std::string_view(s).substr(b, e - b);
  while (!v.empty() && (v.back() == ' ' || v.back() == '-' || v.back() == '/' ||
                        v.back() == '.' || v.back() == '(')) {
    v.remove_suffix(1);
  }
  // A closing parenthesis without its opening one ends the number.
  if (!v.empty() && v.back() == ')' && v.find('(') == std::string_view::npos) {
    v.remove_suffix(1);
  }
  const int digits = CountDigits(v);
  if (digits < 7 || digits > 15) return std::nullopt;
  if (ParseDate(v)) return std::nullopt;
  if (auto a = ParseAmount(v); a && a->has_fraction) return std::nullopt;
  Value out;
  out.value = internal::CollapseSpaces(v);
  out.span = internal::WordsIn(row, b, b + v.size());
  out.evidence = 1.0;
  return out;
}

// The rightmost amount in bytes [from, limit) of the row.
std::optional<Value> ReadAmount(const Row& row, size_t from, size_t limit,
                                int minor, bool absolute) {
  const AmountToken* best = nullptr;
  for (const AmountToken& a : row.amounts) {
    if (a.begin >= from && a.end <= limit) best = &a;
  }
  if (!best || !HasMoneyDecimals(*best)) return std::nullopt;
  core::Decimal d = best->value;
  if (absolute && d.is_negative()) d = core::Decimal(0, 0) - d;
  if (d.is_negative()) return std::nullopt;
  Value out;
  out.value = d.ToString(minor);
  out.span = internal::WordsIn(row, best->number_begin, best->number_end);
  const bool money = best->has_fraction || best->currency || minor == 0;
  out.evidence = money ? 1.0 : 0.5;
  return out;
}

// Free text up to the next label or column gap ("Net 30 days", "COD").
std::optional<Value> ReadText(const Row& row, size_t from, size_t limit) {
  bool colon = false;
  const std::string& s = row.text;
  size_t b = SkipSeparators(s, from, limit, &colon);
  if (b >= limit) return std::nullopt;
  size_t e = b;
  while (e < limit && s.compare(e, 2, "  ") != 0) ++e;
  std::string_view v = std::string_view(s).substr(b, e - b);
  while (!v.empty() && (v.back() == ' ' || v.back() == ',' || v.back() == ';' ||
                        v.back() == ':')) {
    v.remove_suffix(1);
  }
  if (CountLetters(v) + CountDigits(v) < 2 || v.size() > 80) {
    return std::nullopt;
  }
  // A due date, not terms ("Termin płatności: 15.08.2025", the label's
  // second word misread and not taken into it).
  if (ParseDate(v) || !FindDates(v).empty()) return std::nullopt;
  Value out;
  out.value = internal::CollapseSpaces(v);
  out.span = internal::WordsIn(row, b, b + v.size());
  out.evidence = 1.0;
  return out;
}

// ------------------------------------------------------------ the reading

// How a value was placed relative to its label.
constexpr double kSameRow = 1.0, kRightOfGap = 0.9, kBelow = 0.8;

// The first byte of the row under label `l` whose word lies below the
// label, or nullopt; `row_out` gets the row's index. The nearest row below
// within one and a half line heights with words under the label.
std::optional<size_t> BelowStart(const PageLabels& m, const Label& l,
                                 size_t* row_out) {
  const Row& row = m.rows[l.row];
  const double h = m.h;
  for (size_t ri = l.row + 1; ri < m.rows.size(); ++ri) {
    const Row& below = m.rows[ri];
    if (below.box.y0 < row.box.y1 - 0.3 * h) continue;
    if (below.box.y0 - row.box.y1 > 1.5 * h) break;
    for (size_t w = 0; w < below.words.size(); ++w) {
      const core::BBox& b = below.words[w].box;
      const int cx = (b.x0 + b.x1) / 2;
      if (cx >= l.box.x0 - h && cx <= l.box.x1 + h) {
        // The value starts where its cell starts.
        size_t first = w;
        while (first > 0 && !below.GapAfter(first - 1) &&
               below.words[first - 1].box.x1 >= l.box.x0 - 2 * h) {
          --first;
        }
        *row_out = ri;
        return below.word_begin[first];
      }
    }
  }
  return std::nullopt;
}

// Whether a column gap lies between bytes `a` and `b` of the row.
bool GapBetween(const Row& row, size_t a, size_t b) {
  return row.text.substr(a, b > a ? b - a : 0).find("  ") != std::string::npos;
}

// The end of the cell that starts at byte `b` of a row below a label: the
// next column gap or label.
size_t CellLimit(const PageLabels& m, size_t ri, size_t b) {
  const Row& row = m.rows[ri];
  size_t limit = row.text.find("  ", b);
  if (limit == std::string::npos) limit = row.text.size();
  for (const Label& other : m.labels[ri]) {
    const size_t start = row.tokens[other.first].begin;
    if (start > b && start < limit) limit = start;
  }
  return limit;
}

// Reads the value of label `l` with `read`: on its row after it, else in
// the cell below it. Evidence is the label's strength times the place.
template <typename Reader>
std::optional<Value> ValueOf(const PageLabels& m, const Label& l,
                             bool allow_below, Reader read) {
  const Row& row = m.rows[l.row];
  bool colon = false;
  const size_t start = SkipSeparators(row.text, l.end, l.limit, &colon);
  if (auto v = read(row, l.end, l.limit)) {
    v->row = l.row;
    v->evidence *=
        l.strength * (GapBetween(row, l.end, start) ? kRightOfGap : kSameRow);
    return v;
  }
  // Something else follows on the row: the label is a column header or the
  // value was not read.
  if (!allow_below) return std::nullopt;
  size_t ri = 0;
  if (auto b = BelowStart(m, l, &ri)) {
    // A label below is no value.
    for (const Label& other : m.labels[ri]) {
      if (m.rows[ri].tokens[other.first].begin <= *b && other.end > *b) {
        return std::nullopt;
      }
    }
    if (auto v = read(m.rows[ri], *b, CellLimit(m, ri, *b))) {
      v->row = ri;
      v->evidence *= l.strength * kBelow;
      return v;
    }
  }
  return std::nullopt;
}

// The value of label `l`, which ends its line (or its cell), wrapped onto
// the start of the next line of the same block ("IČO: 87830505 DIČ:" over
// "CZ25153009" in a narrow letterhead): read from there, as a value below is.
template <typename Reader>
std::optional<Value> WrappedValue(const PageLabels& m, const Label& l,
                                  Reader read) {
  const Row& row = m.rows[l.row];
  bool colon = false;
  // Nothing after it in its cell (another column may follow).
  const size_t after = SkipSeparators(row.text, l.end, row.text.size(), &colon);
  if ((after < row.text.size() && !GapBetween(row, l.end, after)) ||
      l.row + 1 >= m.rows.size()) {
    return std::nullopt;
  }
  const Row& next = m.rows[l.row + 1];
  const double h = m.h;
  if (next.box.y0 - row.box.y1 > h || std::abs(next.box.x0 - row.box.x0) > h) {
    return std::nullopt;
  }
  auto v = read(next, 0, CellLimit(m, l.row + 1, 0));
  if (!v) return std::nullopt;
  v->row = l.row + 1;
  v->evidence *= l.strength * kBelow;
  return v;
}

// A region of the page that belongs to a party other than the vendor.
struct Block {
  size_t first_row = 0, last_row = 0;
  int x0 = 0, x1 = INT_MAX;
  bool receiver = false;  // "Bill to", not "Ship to"
  double strength = 0;
  std::optional<Value> name, address;
};

bool InBlock(const Block& b, size_t row, const core::BBox& box) {
  const int cx = (box.x0 + box.x1) / 2;
  return row >= b.first_row && row <= b.last_row && cx >= b.x0 && cx < b.x1;
}

// The receiver's (or ship-to) block after a party label: its first line is
// the name, further lines in the same column the address, up to a gap, a
// label of another value or an amount.
Block ReadBlock(const PageLabels& m, const Label& l) {
  const double h = m.h;
  const Row& row = m.rows[l.row];
  Block b;
  b.first_row = b.last_row = l.row;
  b.receiver = l.kind == kParty;
  b.strength = l.strength;
  b.x0 = static_cast<int>(l.box.x0 - h);
  // The column ends where the next cell of the label's row starts.
  bool colon = false;
  size_t start = SkipSeparators(row.text, l.end, l.limit, &colon);
  // Further off than a column gap (as ColumnsAsPage splits rows), the text
  // on the label's row is another block's: the vendor's letterhead beside
  // "Rechnungsempfänger:".
  if (start < l.limit) {
    const OcrWord& next = row.words[row.WordAt(start)];
    if (internal::IsColumnGap(next.box.x0 - l.box.x1,
                              next.box.y1 - next.box.y0)) {
      b.x1 = next.box.x0 - static_cast<int>(h / 2);
      start = l.limit;
    }
  }
  const size_t name_end = start < l.limit ? CellLimit(m, l.row, start) : start;
  const size_t after = row.text.find_first_not_of(' ', name_end);
  if (after != std::string::npos && start < l.limit) {
    b.x1 = row.words[row.WordAt(after)].box.x0 - static_cast<int>(h / 2);
  }
  std::vector<Span> lines;
  if (start < name_end) {
    const Span s = internal::WordsIn(row, start, name_end);
    if (!s.empty) lines.push_back(s);
  }
  int last_y = row.box.y1;
  for (size_t ri = l.row + 1; ri < m.rows.size() && lines.size() < 6; ++ri) {
    const Row& r = m.rows[ri];
    if (r.box.y0 - last_y > 1.2 * h) break;  // a blank line
    // The words of this row inside the column, up to a gap.
    size_t first = r.words.size(), last = 0;
    for (size_t w = 0; w < r.words.size(); ++w) {
      const core::BBox& wb = r.words[w].box;
      const int cx = (wb.x0 + wb.x1) / 2;
      if (cx < b.x0 || cx >= b.x1) continue;
      if (first == r.words.size()) first = w;
      last = w + 1;
      if (r.GapAfter(w)) break;
    }
    if (first >= last) continue;
    // The table of items under the block ends it ("Item Qty Rate Amount").
    if (internal::IsItemsHeader(r)) break;
    // A block's lines start at its left edge: words further right are
    // another column's, on a row of their own ("Invoice No. 1234" beside
    // "Bill To", a little lower).
    if (r.words[first].box.x0 > b.x0 + 3 * h) continue;
    const size_t cb = r.word_begin[first];
    const size_t ce = r.word_begin[last - 1] + r.words[last - 1].text.size();
    bool stop = false;
    for (const Label& other : m.labels[ri]) {
      const size_t ob = r.tokens[other.first].begin;
      if (ob < cb || ob >= ce) continue;
      // A tax number or phone inside the block is the party's own.
      if (other.kind == kTaxId || other.kind == kPhone || other.kind == kFax) {
        continue;
      }
      stop = true;
    }
    for (const AmountToken& a : r.amounts) {
      if (a.begin >= cb && a.end <= ce && a.has_fraction) stop = true;
    }
    if (stop) break;
    b.last_row = ri;
    last_y = r.box.y1;
    bool labelled = false;
    for (const Label& other : m.labels[ri]) {
      const size_t ob = r.tokens[other.first].begin;
      labelled |= ob >= cb && ob < ce;
    }
    // A line read twice (again beside itself, or by a second reading of
    // its band) is one line.
    const Span line = internal::WordRange(r, first, last);
    if (!labelled && (lines.empty() || lines.back().text != line.text)) {
      lines.push_back(line);
    }
  }
  if (lines.empty() || CountLetters(lines[0].text) < 3) return b;
  // A legal form alone on the next line ends a name that wrapped
  // ("Hoffmann Elektrotechnik" / "AG" in a narrow column).
  if (lines.size() > 1 && internal::IsLegalForm(lines[1].text)) {
    lines[0] = internal::Join(lines[0], lines[1]);
    lines.erase(lines.begin() + 1);
  }
  Value name;
  name.value = internal::CollapseSpaces(lines[0].text);
  name.span = lines[0];
  name.evidence = l.strength;
  name.row = l.row;
  b.name = name;
  if (lines.size() > 1) {
    Span all;
    bool digits = false;
    for (size_t i = 1; i < lines.size(); ++i) {
      all = internal::Join(all, lines[i]);
      digits |= HasDigit(lines[i].text);
    }
    Value address;
    // (Without the colon or point of a label's cell read before it.)
    address.value = internal::CollapseSpaces(all.text);
    const size_t begin = address.value.find_first_not_of(":;.,-| ");
    address.value.erase(0, std::min(begin, address.value.size()));
    address.span = all;
    // A house number or postcode is what makes lines an address.
    address.evidence = l.strength * (digits ? 0.85 : 0.55);
    address.row = l.row;
    b.address = address;
  }
  return b;
}

// Whether `text` ends with a company's legal form ("Kingsway Consulting
// Ltd", "Müller Bau GmbH & Co. KG") after a name of its own.
bool EndsWithLegalForm(std::string_view text) {
  std::vector<std::string_view> words;
  for (size_t i = 0; i < text.size();) {
    const size_t j = std::min(text.find(' ', i), text.size());
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  for (size_t n = 1; n <= 4 && n < words.size(); ++n) {
    const std::string_view tail(
        words[words.size() - n].data(),
        text.data() + text.size() - words[words.size() - n].data());
    if (internal::IsLegalForm(tail)) return true;
  }
  return false;
}

// A company's block found by layout, not by a label: at the top of the
// page, a company's name (a legal form at its end) with an address under it
// in its column, neither `other`'s name nor inside its words. The customer's
// where OCR lost its label (small print of "Invoice to:" read "I ice to:"),
// or the vendor's where the vendor's name was read as the customer's. Read
// as a party label's block would be, at half the strength of a label; a
// party label opening the cell ("Aan:") is passed over.
std::optional<Block> CompanyByLayout(const PageLabels& m,
                                     const core::Field& other) {
  if (!other.bbox) return std::nullopt;
  const double span = std::max(1, m.bottom - m.top);
  const std::string other_name = FoldText(other.value);
  for (size_t ri = 0; ri < m.rows.size(); ++ri) {
    const Row& row = m.rows[ri];
    if ((row.box.y0 - m.top) / span > 0.4) break;
    for (size_t w = 0; w < row.words.size(); ++w) {
      if (w > 0 && !row.GapAfter(w - 1)) continue;
      size_t begin = row.word_begin[w];
      for (const Label& l : m.labels[ri]) {
        if (l.kind == kParty && row.tokens[l.first].begin == begin) {
          bool colon = false;
          begin = SkipSeparators(row.text, l.end, row.text.size(), &colon);
        }
      }
      if (begin >= row.text.size()) continue;
      const size_t limit = CellLimit(m, ri, begin);
      const Span cell = internal::WordsIn(row, begin, limit);
      if (cell.empty || CountLetters(cell.text) < 5 ||
          !EndsWithLegalForm(cell.text) ||
          other_name.find(FoldText(cell.text)) != std::string::npos ||
          FoldText(cell.text).find(other_name) != std::string::npos) {
        continue;
      }
      const core::BBox& o = *other.bbox;
      if (cell.box.x0 < o.x1 && o.x0 < cell.box.x1 && cell.box.y0 < o.y1 &&
          o.y0 < cell.box.y1) {
        continue;  // `other`'s own words
      }
      Label l;
      l.row = ri;
      l.kind = kParty;
      l.strength = 0.5;
      l.end = begin;
      l.limit = limit;
      l.box = row.words[row.WordAt(begin)].box;
      l.box.x1 = l.box.x0;
      Block b = ReadBlock(m, l);
      if (b.name && b.address && HasDigit(b.address->value)) return b;
    }
  }
  return std::nullopt;
}

// Unlabelled tax numbers of a row, by their form: EU VAT numbers, and
// Hungarian ones.
std::vector<Value> FormatTaxIds(const Row& row, size_t ri) {
  std::vector<Value> out;
  // Words `w` to `k` (inclusive), `v` their text.
  auto found = [&](std::string_view v, size_t w, size_t k) {
    Value val;
    val.value = internal::CollapseSpaces(v);
    val.span = internal::WordRange(row, w, k + 1);
    val.evidence = 0.6;
    val.row = ri;
    out.push_back(std::move(val));
  };
  // Hungary's tax number, whose label OCR misreads ("Adé6szam"): eight
  // digits, one and two, joined by hyphens.
  static const std::regex kHungarian("\\d{8}-\\d-\\d{2}");
  for (size_t w = 0; w < row.words.size(); ++w) {
    const std::string_view v = TrimPunct(row.words[w].text);
    if (std::regex_match(v.begin(), v.end(), kHungarian)) found(v, w, w);
  }
  for (size_t w = 0; w < row.words.size(); ++w) {
    const std::string& first = row.words[w].text;
    if (first.size() < 2 || first[0] < 'A' || first[0] > 'Z' ||
        first[1] < 'A' || first[1] > 'Z') {
      continue;
    }
    std::string joined;
    for (size_t k = w; k < row.words.size() && k < w + 5; ++k) {
      if (k > w && row.GapAfter(k - 1)) break;
      if (k > w) joined += ' ';
      joined += row.words[k].text;
      const std::string_view v = TrimPunct(joined);
      if (IsEuVat(std::string(v))) {
        found(v, w, k);
        break;
      }
    }
  }
  return out;
}

// Unlabelled phone numbers: "+60 3-1234 5678", "(03) 1234 5678".
std::optional<Value> FormatPhone(const Row& row, size_t ri) {
  for (size_t w = 0; w < row.words.size(); ++w) {
    const char c = row.words[w].text[0];
    if (c != '+' && c != '(') continue;
    if (auto v = ReadPhone(row, row.word_begin[w], row.text.size())) {
      const std::string& s = v->value;
      const bool grouped = s.find_first_of(" -") != std::string::npos;
      if (!grouped || CountDigits(s) < 8) continue;
      // A sign must lead the digits ("+60 3", not "+ 23-04-2017").
      if (s[0] == '+' && (s.size() < 2 || s[1] < '0' || s[1] > '9')) continue;
      if (!FindDates(s).empty()) continue;
      v->evidence = 0.45;
      v->row = ri;
      return v;
    }
  }
  return std::nullopt;
}

// "Net 30", "NET 30 DAYS", "30 Tage netto".
std::optional<Value> NetDays(const Row& row, size_t ri) {
  const auto& t = row.tokens;
  auto small_int = [&](size_t i) {
    if (i >= t.size()) return false;
    const std::string& w = row.words[t[i].word].text;
    const std::string_view v = TrimPunct(w);
    if (v.empty() || v.size() > 3 ||
        !std::all_of(v.begin(), v.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    const int n = std::stoi(std::string(v));
    return n >= 1 && n <= 180;
  };
  auto is_days = [&](size_t i) {
    return i < t.size() && IsDaysWord(t[i].text);
  };
  auto is_net = [&](size_t i) {
    return i < t.size() &&
           (t[i].text == "net" || t[i].text == "nett" || t[i].text == "netto");
  };
  for (size_t i = 0; i < t.size(); ++i) {
    size_t first = i, last = 0;
    if (is_net(i) && small_int(i + 1) &&
        (i + 2 >= t.size() || is_days(i + 2))) {
      last = is_days(i + 2) ? i + 2 : i + 1;
    } else if (small_int(i) && is_days(i + 1) && is_net(i + 2)) {
      last = i + 2;
    } else {
      continue;
    }
    Value v;
    v.span = internal::WordRange(row, t[first].word, t[last].word + 1);
    v.value = internal::CollapseSpaces(
        row.text.substr(t[first].begin, t[last].end - t[first].begin));
    v.evidence = 0.8;
    v.row = ri;
    return v;
  }
  return std::nullopt;
}

// The phrase of a payment-terms sentence from its first word to the end
// of the sentence ("Zahlbar innerhalb 14 Tagen ohne Abzug").
std::optional<Value> TermsPhrase(const PageLabels& m, const Label& l) {
  const Row& row = m.rows[l.row];
  const size_t b = row.tokens[l.first].begin;
  size_t e = b;
  while (e < row.text.size() && row.text.compare(e, 2, "  ") != 0) {
    if (row.text[e] == '.' &&
        (e + 1 >= row.text.size() || row.text[e + 1] == ' ') && e > 0 &&
        !(row.text[e - 1] >= '0' && row.text[e - 1] <= '9')) {
      break;
    }
    ++e;
  }
  std::string_view v = std::string_view(row.text).substr(b, e - b);
  if (v.size() > 80) v = v.substr(0, v.rfind(' ', 80));
  while (!v.empty() && (v.back() == ' ' || v.back() == ',')) v.remove_suffix(1);
  Value out;
  out.value = internal::CollapseSpaces(v);
  out.span = internal::WordsIn(row, b, b + v.size());
  out.evidence = l.strength;
  out.row = l.row;
  return out;
}

// Picks the best value (ties: the first, or the last with `prefer_last`),
// sets the field, and lowers the confidence when a different value is
// nearly as well supported.
void Choose(const std::vector<Value>& cands, const std::string& name,
            int page_number, core::Extraction& out, bool prefer_last = false) {
  const Value* best = nullptr;
  for (const Value& v : cands) {
    if (v.span.empty || v.value.empty()) continue;
    if (!best || v.evidence > best->evidence + 1e-9 ||
        (prefer_last && v.evidence > best->evidence - 1e-9)) {
      best = &v;
    }
  }
  if (!best) return;
  double conf = internal::Confidence(best->span.confidence, best->evidence);
  for (const Value& v : cands) {
    if (v.value != best->value && v.evidence >= best->evidence - 0.05) {
      conf = internal::Round3(conf * 0.85);
      break;
    }
  }
  internal::SetField(
      out, name,
      internal::MakeField(best->value, conf, page_number, best->span));
}

// Makes the company of block `b` the vendor, at half the strength of a
// label.
void TakeAsVendor(const Block& b, int page_number, core::Extraction& out) {
  auto field = [&](const Value& v, std::string value) {
    return internal::MakeField(std::move(value),
                               internal::Confidence(v.span.confidence, 0.5),
                               page_number, v.span);
  };
  out.fields["vendor_name"] =
      field(*b.name, internal::RespellCompanyName(b.name->value));
  out.fields.erase("vendor_address");
  if (b.address) {
    out.fields["vendor_address"] = field(*b.address, b.address->value);
  }
}

// Makes the company of block `b` the vendor and the vendor's name and
// address the customer's, less surely.
void SwapWithCustomer(const Block& b, int page_number, core::Extraction& out) {
  std::optional<core::Field> old_name, old_address;
  if (auto it = out.fields.find("vendor_name"); it != out.fields.end()) {
    old_name = it->second;
  }
  if (auto it = out.fields.find("vendor_address"); it != out.fields.end()) {
    old_address = it->second;
  }
  TakeAsVendor(b, page_number, out);
  for (auto& [name, old] : {std::pair{"receiver_name", &old_name},
                            std::pair{"receiver_address", &old_address}}) {
    if (!*old) continue;
    (*old)->confidence = internal::Round3((*old)->confidence * 0.6);
    out.fields[name] = **old;
  }
}

// What is left to pay after a payment made: under the total, a negative
// amount (a deposit or a payment on account, "-2.140,00") and, on the next
// row, the total less it ("4.991,74"), whatever OCR made of their labels.
std::optional<core::Field> BalanceAfterPayment(const std::vector<Row>& rows,
                                               const core::Extraction& out,
                                               int minor, int page_number) {
  const auto total = out.fields.find("total");
  if (total == out.fields.end() || !total->second.bbox ||
      total->second.page != page_number) {
    return std::nullopt;
  }
  const auto t = core::Decimal::Parse(total->second.value);
  if (!t || t->is_negative()) return std::nullopt;
  // The last amount of a row, as money.
  auto amount_of = [&](const Row& r) -> const AmountToken* {
    for (auto a = r.amounts.rbegin(); a != r.amounts.rend(); ++a) {
      if (a->has_fraction || minor == 0) return &*a;
    }
    return nullptr;
  };
  size_t ri = 0;
  while (ri < rows.size() &&
         internal::VerticalOverlap(rows[ri].box, *total->second.bbox) < 0.5) {
    ++ri;
  }
  // The next two rows with money, past the total printed again (a value
  // read again beside its row).
  std::vector<size_t> next;
  for (size_t k = ri + 1; k < rows.size() && next.size() < 2; ++k) {
    const AmountToken* a = amount_of(rows[k]);
    if (!a) continue;
    if (next.empty() && a->value == *t) continue;
    next.push_back(k);
  }
  if (next.size() < 2) return std::nullopt;
  const AmountToken* paid = amount_of(rows[next[0]]);
  const AmountToken* left = amount_of(rows[next[1]]);
  if (!paid->value.is_negative() || left->value.is_negative() ||
      left->value.units() == 0) {
    return std::nullopt;
  }
  const core::Decimal balance = *t + paid->value;
  if (balance.is_negative() ||
      balance.Rescaled(minor).units() != left->value.Rescaled(minor).units()) {
    return std::nullopt;
  }
  const Row& row = rows[next[1]];
  const Span span = internal::WordRange(row, row.WordAt(left->begin),
                                        row.WordAt(left->end - 1) + 1);
  return internal::MakeField(
      left->value.ToString(minor),
      std::min(total->second.confidence,
               internal::Confidence(span.confidence, 0.8)),
      page_number, span);
}

// The vendor's and the customer's tax numbers, from the candidates read by
// label and by form, once the customer's block (`customer`, if any) is
// known.
void ChooseTaxNumbers(const PageLabels& m, const Block* customer,
                      std::vector<Value> vendor_tax,
                      std::vector<Value> receiver_tax, int page_number,
                      core::Extraction& out) {
  if (customer) {
    // A tax number in the customer's block (found by its label or by
    // layout) or on the lines right under it is the customer's.
    // (The address's columns: a name OCR read into the column beside it
    // spans both.)
    const core::BBox cols = customer->address ? customer->address->span.box
                                              : customer->name->span.box;
    const Row& last = m.rows[customer->last_row];
    std::erase_if(vendor_tax, [&](const Value& v) {
      const int cx = (v.span.box.x0 + v.span.box.x1) / 2;
      const bool under = v.row > customer->first_row &&
                         v.row <= customer->last_row + 2 &&
                         m.rows[v.row].box.y0 - last.box.y1 <= 2.5 * m.h &&
                         cx >= cols.x0 - m.h && cx <= cols.x1 + 2 * m.h;
      if (under) receiver_tax.push_back(v);
      return under;
    });
  }
  // A receiver's tax number found by format or label, also read as the
  // vendor's by another label, is the receiver's.
  std::erase_if(vendor_tax, [&](const Value& v) {
    return std::any_of(receiver_tax.begin(), receiver_tax.end(),
                       [&](const Value& r) { return r.value == v.value; });
  });
  // A company's number that is a VAT number's digits without its country
  // code ("ЕИК: 647568016 ИН по ДДС: BG647568016", the second label
  // misread): the VAT number, with the evidence of either.
  auto digits_of = [](const std::string& v) {
    std::string d;
    for (char c : v) {
      if (c >= '0' && c <= '9') d += c;
    }
    return d;
  };
  for (Value& vat : vendor_tax) {
    if (!IsEuVat(vat.value)) continue;
    const std::string digits = digits_of(vat.value);
    for (Value& number : vendor_tax) {
      if (&number == &vat || CountLetters(number.value) > 0 ||
          digits_of(number.value) != digits) {
        continue;
      }
      vat.evidence = std::max(vat.evidence, number.evidence);
      number.evidence = 0;
    }
  }
  std::erase_if(vendor_tax, [](const Value& v) { return v.evidence == 0; });
  // The first tax number near the top is the vendor's: a small bonus for
  // height on the page, so that equal evidence goes to the top one.
  const double span = std::max(1, m.bottom - m.top);
  for (Value& v : vendor_tax) {
    const double yrel = (m.rows[v.row].box.y0 - m.top) / span;
    v.evidence *= 1.0 - 0.05 * yrel;
  }
  Choose(vendor_tax, "vendor_tax_id", page_number, out);
  Choose(receiver_tax, "receiver_tax_id", page_number, out);
}

// Whether the page is of a country whose numbers, dialled at home, all start
// with the trunk prefix 0 (its currency, or the euro and its language):
// not Italy, Spain, Portugal or Greece, the Nordics' fixed eight digits,
// nor North America's.
bool DialsTrunkZero(const OcrPage& page, const core::Extraction& out) {
  auto currency = out.fields.find("currency");
  if (currency == out.fields.end()) return false;
  static constexpr std::string_view kTrunkZero[] = {
      "GBP", "CHF", "AUD", "NZD", "TRY", "RON", "BGN", "UAH", "SEK",
      "INR", "IDR", "MYR", "ZAR", "JPY", "KRW", "THB", "HUF"};
  const std::string& code = currency->second.value;
  if (std::find(std::begin(kTrunkZero), std::end(kTrunkZero), code) !=
      std::end(kTrunkZero)) {
    return true;
  }
  if (code != "EUR") return false;
  static constexpr std::string_view kEuroTrunkZero[] = {"deu", "fra", "nld",
                                                        "fin"};
  const std::string language = GuessLanguage(page.Text());
  return std::find(std::begin(kEuroTrunkZero), std::end(kEuroTrunkZero),
                   language) != std::end(kEuroTrunkZero);
}

// A number dialled at home read with a "6" for the trunk prefix's "0"
// ("6195 282 3677", "(62) 8726 7037"), on a page of a country where every
// such number starts with 0: the 0.
void SpellTrunkZero(const OcrPage& page, core::Extraction& out) {
  auto phone = out.fields.find("vendor_phone");
  if (phone == out.fields.end()) return;
  std::string& v = phone->second.value;
  const size_t first = v.find_first_not_of('(');
  if (first == std::string::npos || v[first] != '6' ||
      !DialsTrunkZero(page, out)) {
    return;
  }
  v[first] = '0';
}

}  // namespace

void ExtractIdentifiers(const OcrPage& read, int page_number,
                        core::Extraction& out) {
  const OcrPage page = internal::UndoConfusions(read);
  const PageLabels m = FindLabels(page);
  if (m.rows.empty()) return;
  const int minor = internal::MinorDigitsOf(out);
  const double span = std::max(1, m.bottom - m.top);
  auto yrel = [&](size_t ri) { return (m.rows[ri].box.y0 - m.top) / span; };

  // Other parties' blocks first: what lies inside them is not the vendor's.
  std::vector<Block> blocks;
  for (const auto& labels : m.labels) {
    for (size_t i = 0; i < labels.size(); ++i) {
      const Label& l = labels[i];
      if (l.kind != kParty && l.kind != kShipTo) continue;
      // "Customer No", "Customer VAT", "Customer PO": a party word naming
      // another value, not a block.
      const Row& row = m.rows[l.row];
      // (Not "Cliente: | N. documento", a label in the next cell.)
      if (l.last + 1 < row.tokens.size() &&
          IsQualifier(row.tokens[l.last + 1].text) && !SetApart(row, l.last)) {
        continue;
      }
      if (i + 1 < labels.size() && labels[i + 1].first == l.last + 1 &&
          !row.GapAfter(row.tokens[l.last].word) && !SetApart(row, l.last) &&
          labels[i + 1].kind != kParty && labels[i + 1].kind != kShipTo) {
        continue;
      }
      // A weak party word ("Customer", "Client") is a label only before
      // ':' or alone in its cell: not in "Customer's Payment".
      if (l.strength < 0.9) {
        bool colon = false;
        const size_t v = SkipSeparators(row.text, l.end, l.limit, &colon);
        const bool alone = v >= l.limit || GapBetween(row, l.end, v);
        if (!colon && !alone) continue;
      }
      blocks.push_back(ReadBlock(m, l));
    }
  }
  auto in_block = [&](const Value& v, bool receiver) {
    return std::any_of(blocks.begin(), blocks.end(), [&](const Block& b) {
      return b.receiver == receiver && InBlock(b, v.row, v.span.box);
    });
  };
  auto in_other_party = [&](const Value& v) {
    return in_block(v, true) || in_block(v, false);
  };

  std::vector<Value> invoice_ids, vendor_tax, receiver_tax, phones, pos, terms,
      discounts, dues;
  for (size_t ri = 0; ri < m.rows.size(); ++ri) {
    const Row& row = m.rows[ri];
    for (const Label& l : m.labels[ri]) {
      switch (l.kind) {
        case kInvoiceId:
        case kPo: {
          auto v = ValueOf(
              m, l, l.complete,
              [](const Row& r, size_t a, size_t b) { return ReadId(r, a, b); });
          if (!v) break;
          if (!l.complete) {
            // "Invoice: 123" and "PO: 4500": the label without its "No"
            // counts only with a colon or number sign before the value.
            bool colon = false;
            const size_t at = SkipSeparators(row.text, l.end, l.limit, &colon);
            if (v->row != ri) break;
            if (colon) {
              v->evidence *= 0.7;
            } else {
              // Or, at the start of a row, with a long number right after
              // it ("RECEIPT CS00018751"), not a title.
              const bool starts_row = l.first == 0;
              const bool adjacent = !GapBetween(row, l.end, at);
              if (!starts_row || !adjacent || CountDigits(v->value) < 5 ||
                  v->value.size() < 6) {
                break;
              }
              v->evidence *= 0.5;
            }
          }
          if (l.party_before && l.kind == kInvoiceId) break;  // "Customer No"
          (l.kind == kInvoiceId ? invoice_ids : pos).push_back(*v);
          break;
        }
        case kTaxId: {
          // "GST 6%", "VAT 20.00" are rates and amounts: a tax word without
          // "No"/"ID"/"Reg" needs a long number right after it.
          const int min_digits = l.complete ? 7 : 8;
          auto read = [&](const Row& r, size_t a, size_t b) {
            return ReadTaxId(r, a, b, min_digits);
          };
          auto v = ValueOf(m, l, l.complete, read);
          if (!v && l.complete) v = WrappedValue(m, l, read);
          if (!v) break;
          ItalianVatSpelt(row, l, v->value);
          if (!l.complete) v->evidence *= 0.6;
          if (in_block(*v, false)) break;  // the ship-to party's
          v->receiver = l.party_before || in_block(*v, true);
          (v->receiver ? receiver_tax : vendor_tax).push_back(*v);
          break;
        }
        case kPhone: {
          auto v = ValueOf(m, l, true, [](const Row& r, size_t a, size_t b) {
            return ReadPhone(r, a, b);
          });
          if (!v || l.party_before || in_other_party(*v)) break;
          // The vendor's number is printed near the top (or in the footer).
          v->evidence *= 1.0 - 0.1 * yrel(ri);
          phones.push_back(*v);
          break;
        }
        case kTerms: {
          auto v = ValueOf(m, l, true, [](const Row& r, size_t a, size_t b) {
            return ReadText(r, a, b);
          });
          if (v) terms.push_back(*v);
          break;
        }
        case kTermsPhrase:
          if (auto v = TermsPhrase(m, l)) terms.push_back(*v);
          break;
        case kDiscount:
        case kAmountDue: {
          const auto& tok = row.tokens;
          // Words of the terms before it in its cell ("Terms: 2% discount
          // 10 days, net 30"): no amount.
          const bool in_terms = std::any_of(
              m.labels[ri].begin(), m.labels[ri].end(), [&](const Label& t) {
                return (t.kind == kTerms || t.kind == kTermsPhrase) &&
                       t.first < l.first &&
                       row.text.find("  ", t.end) > tok[l.first].begin;
              });
          if (in_terms) break;
          if (l.kind == kDiscount && l.first > 0) {
            // "Total after discount", "Subtotal before discount".
            static constexpr std::string_view kNot[] = {
                "after", "before", "nach", "vor",  "apres",
                "avant", "excl",   "incl", "sans", "without"};
            const std::string& prev = tok[l.first - 1].text;
            if (std::find(std::begin(kNot), std::end(kNot), prev) !=
                std::end(kNot)) {
              break;
            }
          }
          // A column header ("Qty Price Disc Amount") has no value below.
          const bool alone = m.labels[ri].size() <= 1 && tok.size() <= 4;
          auto v = ValueOf(m, l, alone, [&](const Row& r, size_t a, size_t b) {
            return ReadAmount(r, a, b, minor, l.kind == kDiscount);
          });
          if (v) (l.kind == kDiscount ? discounts : dues).push_back(*v);
          break;
        }
        default:
          break;
      }
    }
    for (Value& v : FormatTaxIds(row, ri)) {
      if (in_block(v, false)) continue;
      v.receiver = in_block(v, true);
      (v.receiver ? receiver_tax : vendor_tax).push_back(std::move(v));
    }
    if (yrel(ri) < 0.35 && std::none_of(m.labels[ri].begin(),
                                        m.labels[ri].end(), [](const Label& l) {
                                          return l.kind == kFax ||
                                                 l.kind == kTaxId ||
                                                 l.kind == kInvoiceId ||
                                                 l.kind == kPo;
                                        })) {
      if (auto v = FormatPhone(row, ri); v && !in_other_party(*v)) {
        phones.push_back(*v);
      }
    }
    // (Not the part of terms read after their label: "10 Tage 2% Skonto,
    // 30 Tage netto".)
    if (auto v = NetDays(row, ri);
        v && std::none_of(terms.begin(), terms.end(), [&](const Value& t) {
          return t.row == ri && t.value.find(v->value) != std::string::npos;
        })) {
      terms.push_back(*v);
    }
  }
  Choose(invoice_ids, "invoice_id", page_number, out);
  Choose(phones, "vendor_phone", page_number, out);
  SpellTrunkZero(page, out);
  Choose(pos, "purchase_order", page_number, out);
  Choose(terms, "payment_terms", page_number, out);
  Choose(discounts, "discount", page_number, out, true);
  Choose(dues, "amount_due", page_number, out, true);
  // An amount due read with its leading digits lost, on a page whose total
  // was read whole or made up from its parts ("Total de plata 172,66" for
  // 6.172,66): that total.
  if (out.fields.contains("amount_due") && out.fields.contains("total")) {
    core::Field& due = out.fields["amount_due"];
    const core::Field& total = out.fields.at("total");
    auto units = [minor](const std::string& v) -> std::optional<int64_t> {
      auto d = core::Decimal::Parse(v);
      if (!d) return std::nullopt;
      return d->Rescaled(minor).units();
    };
    const auto d = units(due.value), t = units(total.value);
    if (d && t && internal::LeadingDigitsLost(*t, *d)) {
      due.value = total.value;
      due.confidence = std::min(due.confidence, total.confidence);
    }
  }

  if (auto balance = BalanceAfterPayment(m.rows, out, minor, page_number)) {
    const auto due = out.fields.find("amount_due");
    const auto total = out.fields.find("total");
    // It replaces an amount due read as the total, or none.
    if (due == out.fields.end() || (total != out.fields.end() &&
                                    due->second.value == total->second.value)) {
      out.fields["amount_due"] = std::move(*balance);
    }
  }

  // An invoice whose customer's label OCR lost: the customer found by
  // layout (CompanyByLayout).
  const bool labelled_receiver =
      std::any_of(blocks.begin(), blocks.end(),
                  [](const Block& b) { return b.receiver && b.name; });
  const auto vendor = out.fields.find("vendor_name");
  if (!labelled_receiver && !invoice_ids.empty() &&
      vendor != out.fields.end()) {
    if (auto b = CompanyByLayout(m, vendor->second)) {
      const core::BBox& nb = b->name->span.box;
      if ((nb.y0 + nb.y1) / 2 < vendor->second.bbox->y0) {
        // A letterhead is printed first: the company above the name taken
        // for the vendor's is the vendor, and that name, under the label
        // OCR lost, the customer's (the vendor's name on the label's row
        // read as part of the noise). Both the less surely.
        SwapWithCustomer(*b, page_number, out);
      } else {
        blocks.push_back(std::move(*b));
      }
    }
  }
  // The receiver: the strongest "Bill to" block, the first among equals.
  const Block* best = nullptr;
  for (const Block& b : blocks) {
    if (b.receiver && b.name && (!best || b.strength > best->strength)) {
      best = &b;
    }
  }
  if (best) {
    Value name = *best->name;
    name.value = internal::RespellCompanyName(name.value);
    Choose({std::move(name)}, "receiver_name", page_number, out);
    if (best->address) {
      Choose({*best->address}, "receiver_address", page_number, out);
    }
  }
  ChooseTaxNumbers(m, best, std::move(vendor_tax), std::move(receiver_tax),
                   page_number, out);
  // The customer's name taken for the vendor's too (the customer's label
  // read on one line with the vendor's name beside it: "Aan: De Molen
  // Transport V.O.F." over the customer's "Bakker Drukkerij V.O.F."): the
  // company the layout finds that is not the customer is the vendor.
  const auto vendor_now = out.fields.find("vendor_name");
  const auto receiver = out.fields.find("receiver_name");
  if (vendor_now != out.fields.end() && receiver != out.fields.end() &&
      FoldText(vendor_now->second.value) == FoldText(receiver->second.value)) {
    if (auto b = CompanyByLayout(m, receiver->second)) {
      TakeAsVendor(*b, page_number, out);
    }
  }
}

namespace internal {

std::vector<std::string> PartyLabels(bool with_colon_only) {
  std::vector<std::string> out;
  for (const Phrase& p : Labels().phrases()) {
    if ((p.kind != kParty && p.kind != kShipTo) ||
        bool(p.flags & kColon) != with_colon_only) {
      continue;
    }
    std::string text;
    for (const std::string& t : p.tokens) text += (text.empty() ? "" : " ") + t;
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace internal

}  // namespace invoices::extract
