#include "invoices/extract/fields.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "invoices/core/decimal.h"
#include "invoices/core/strings.h"
#include "invoices/extract/text_parse.h"
#include "text_rows.h"

namespace invoices::extract {
namespace {

using core::BBox;
using core::Decimal;
using core::Field;

// ------------------------------------------------------------ keyword kinds

// What a label word or phrase says; a line's kinds are the union of its
// labels' kinds.
enum Kind : uint64_t {
  kTotal = 1ull << 0,         // TOTAL, SUMME, JUMLAH
  kSub = 1ull << 1,           // SUBTOTAL, ZWISCHENSUMME
  kTax = 1ull << 2,           // GST, VAT, MWST, TVA
  kExcl = 1ull << 3,          // EXCL, HT, NETTO: before tax
  kIncl = 1ull << 4,          // INCL, TTC, BRUTTO: tax included
  kDue = 1ull << 5,           // DUE, PAYABLE, A PAYER
  kBalance = 1ull << 6,       // BALANCE
  kGrand = 1ull << 7,         // GRAND, FINAL, ROUNDED
  kNet = 1ull << 8,           // NET
  kAmount = 1ull << 9,        // AMOUNT, BETRAG, MONTANT
  kChange = 1ull << 10,       // CHANGE, KEMBALI, RÜCKGELD
  kTender = 1ull << 11,       // CASH, CARD, PAID
  kRounding = 1ull << 12,     // ROUNDING ADJ
  kDiscount = 1ull << 13,     // DISCOUNT, SAVINGS
  kCount = 1ull << 14,        // QTY, ITEMS
  kTip = 1ull << 15,          // TIP, GRATUITY
  kTaxPart = 1ull << 16,      // DAVON, ENTHALTENE, DONT: "of which tax"
  kIdQual = 1ull << 17,       // NO, ID, NR, REG after a tax word: an identifier
  kRegId = 1ull << 18,        // company or tax registration number labels
  kTitle = 1ull << 19,        // TAX INVOICE, RECEIPT, THANK YOU
  kParty = 1ull << 20,        // BILL TO, CUSTOMER: another party's block
  kPhone = 1ull << 21,        // TEL, FAX, EMAIL, WWW
  kAddress = 1ull << 22,      // JALAN, STREET, STRASSE, RUE
  kLegal = 1ull << 23,        // SDN BHD, LTD, GMBH, INC
  kDateWord = 1ull << 24,     // DATE, TARIKH, DATUM
  kInvoiceDate = 1ull << 25,  // INVOICE DATE, RECHNUNGSDATUM
  kDueWord = 1ull << 26,      // DUE DATE, FÄLLIG, ÉCHÉANCE
  kExpiry = 1ull << 27,       // EXPIRY, VALID UNTIL, DELIVERY DATE
  kTransaction = 1ull << 28,  // CASHIER, TERMINAL, TABLE: receipt header data
  kTaxId = 1ull << 29,        // a tax word naming a number: "GST ID", "VAT No"
  kCharge = 1ull << 30,       // SERVICE CHARGE: an extra added to the total
  kCredit = 1ull << 31,       // CREDIT NOTE, GUTSCHRIFT, AVOIR: a credit note
  kTerms = 1ull << 32,        // PAYMENT TERMS: "Net 30" is no net amount
};

// Kinds that label an amount.
constexpr uint64_t kAmountRole = kTotal | kSub | kTax | kDue | kBalance | kNet |
                                 kAmount | kChange | kTender | kRounding |
                                 kDiscount | kCount | kTip | kGrand | kCharge;
constexpr uint64_t kDateRole = kDateWord | kInvoiceDate | kDueWord | kExpiry;
// Kinds that name a sum of the document.
constexpr uint64_t kSumRole = kTotal | kSub | kDue | kBalance | kNet;

struct Keyword {
  std::vector<std::string> tokens;  // folded; "x*" prefix, "*x" suffix
  uint64_t kinds;
};

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t j = std::min(s.find(' ', i), s.size());
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Labels in folded form (lower case, accents stripped, punctuation removed:
// "SUB-TOTAL" is "sub total", "MwSt." is "mwst"), mostly English, Malay,
// German, French, Spanish, Italian, Dutch, Portuguese and Polish, with the
// totals, change, tenders, taxes and streets of the Nordic languages,
// Turkish, Czech and Indonesian, and the totals of Hungarian, Romanian and
// Vietnamese.
const std::vector<Keyword>& Keywords() {
  static const std::vector<Keyword> kKeywords = [] {
    const std::vector<std::pair<const char*, uint64_t>> table = {
        // Totals.
        {"total", kTotal},
        {"totals", kTotal},
        {"ttl", kTotal},
        {"totaal", kTotal},
        {"totale", kTotal},
        {"totalt", kTotal},
        {"summe", kTotal},
        {"sum", kTotal},
        {"suma", kTotal},
        {"gesamt", kTotal},
        {"gesamt*", kTotal | kGrand},
        {"endsumme", kTotal | kGrand},
        {"endbetrag", kTotal | kGrand},
        {"rechnungsbetrag", kTotal | kGrand},
        {"bruttobetrag", kTotal | kIncl},
        {"zahlbetrag", kTotal | kDue},
        {"jumlah", kTotal},
        {"jumlah besar", kTotal | kGrand},
        {"keseluruhan", kGrand},
        {"yhteensa", kTotal},
        {"razem", kTotal},
        {"celkem", kTotal},
        {"summa", kTotal},   // Swedish, Finnish
        {"i alt", kTotal},   // Danish, Norwegian
        {"toplam", kTotal},  // Turkish
        {"genel toplam", kTotal | kGrand},
        {"toplam tutar", kTotal},
        {"laskun summa", kTotal},
        {"jumlah tagihan", kTotal | kDue},
        {"osszesen", kTotal},  // Hungarian
        {"vegosszeg", kTotal | kGrand},
        {"total factura", kTotal},  // Romanian
        {"tong cong", kTotal},      // Vietnamese
        {"tong tien", kTotal},
        {"grand", kGrand},
        {"final", kGrand},
        {"rounded", kGrand},
        {"after rounding", kGrand},
        {"net total", kTotal | kGrand},
        {"nett total", kTotal | kGrand},
        {"due", kDue | kDueWord},  // "Due 02 MAY 2019": the date too
        {"payable", kDue},
        {"to pay", kDue},
        {"zu zahlen", kDue},
        {"zu bezahlen", kDue},
        {"zaplaty", kDue},  // "Do zapłaty"
        {"a payer", kDue},
        {"net a payer", kTotal | kDue},
        {"a pagar", kDue},
        {"te betalen", kDue},
        {"att betala", kDue},
        {"at betale", kDue},
        {"a betale", kDue},  // "Å betale"
        {"fizetendo", kDue},
        {"k uhrade", kDue},
        {"maksettava", kDue},
        {"odenecek", kDue},  // "Ödenecek Tutar"
        {"de plata", kDue},
        {"thanh toan", kDue},
        {"owing", kDue},
        {"balance", kBalance},
        // What is left to pay after a deposit.
        {"outstanding", kBalance},
        {"restbetrag", kBalance},
        {"offener betrag", kBalance},
        {"reste", kBalance},
        {"solde", kBalance},
        {"saldo", kBalance},
        {"pendiente", kBalance},
        {"residuo", kBalance},
        {"openstaand", kBalance},
        {"em divida", kBalance},
        {"pozostalo", kBalance},
        {"kvar", kBalance},
        {"aterstar", kBalance},
        {"restbelob", kBalance},
        {"restbelop", kBalance},
        {"gjenstaende", kBalance},
        {"jaljella", kBalance},
        {"zbyva", kBalance},
        {"kalan", kBalance},
        {"sisa", kBalance},
        {"fennmarado", kBalance},  // Hungarian
        {"hatralek", kBalance},
        {"rest de plata", kBalance},  // Romanian
        {"sold", kBalance},
        // Before tax.
        {"subtotal", kSub},
        {"sub total", kSub},
        {"sub ttl", kSub},
        {"subttl", kSub},
        {"sub tot", kSub},
        {"zwischensumme", kSub},
        {"zwischentotal", kSub},
        {"sous total", kSub},
        {"soustotal", kSub},
        {"subtotale", kSub},
        {"subtotaal", kSub},
        {"base imponible", kSub},
        {"base tributavel", kSub},  // Portuguese "Base tributável"
        {"veroton hinta", kSub},    // Finnish: the price before tax
        {"delsumma", kSub},         // Swedish
        {"delsum", kSub},           // Norwegian
        {"mellemsum", kSub},
        {"sum varer", kSub},
        {"valisumma", kSub},  // Finnish "Välisumma"
        {"mezisoucet", kSub},
        {"zaklad dane", kSub},
        {"ara toplam", kSub},
        {"kdv matrahi", kSub},
        {"mal hizmet toplam tutari", kSub},
        {"dasar pengenaan pajak", kSub},
        {"imponibile", kSub},
        {"reszosszeg", kSub},  // Hungarian
        {"netto osszesen", kSub},
        {"netto ertek", kSub},
        {"valoare neta", kSub},  // Romanian
        {"excl", kExcl},
        {"ex gst", kExcl},  // "Total ex GST" (Australia, New Zealand)
        {"ex vat", kExcl},
        {"ex tax", kExcl},
        {"excluding", kExcl},
        {"exclusive", kExcl},
        {"exkl", kExcl},
        {"exklusive", kExcl},
        {"ohne", kExcl},
        {"ht", kExcl},
        {"h t", kExcl},
        {"before tax", kExcl},
        {"pre tax", kExcl},
        {"hors taxes", kExcl},
        {"hors taxe", kExcl},
        {"sin iva", kExcl},
        {"sem iva", kExcl},
        {"s iva", kExcl},  // "Total s/ IVA" (Portuguese: sem IVA)
        {"without", kExcl},
        {"ekskl", kExcl},
        {"eks", kExcl},
        {"veroton", kExcl},
        {"ilman", kExcl},
        {"bez", kExcl},
        {"fara", kExcl},  // Romanian "fără"
        {"w o", kExcl},
        {"netto*", kNet | kExcl},
        {"netto", kNet},
        {"netto a pagare", kTotal | kDue},  // Italian: the total to pay
        {"net", kNet},
        {"nett", kNet},
        {"neto", kNet},
        // Tax included.
        {"incl", kIncl},
        {"including", kIncl},
        {"inclusive", kIncl},
        {"inkl", kIncl},
        {"inklusive", kIncl},
        {"ttc", kIncl},
        {"toutes taxes", kIncl},
        {"brutto*", kIncl},
        {"con iva", kIncl | kTax},
        {"iva incluido", kIncl | kTax},
        {"incluido", kIncl},
        {"sis", kIncl},  // Finnish "sis. ALV"
        {"dahil", kIncl},
        {"cu tva", kIncl | kTax},  // Romanian
        {"davon", kTaxPart},
        {"enthaltene", kTaxPart},
        {"enthalten", kTaxPart},
        {"dont", kTaxPart},
        {"zzgl", kTaxPart},
        {"zuzuglich", kTaxPart},
        {"varav", kTaxPart},  // Swedish, Danish, Norwegian "of which"
        {"heraf", kTaxPart},
        {"herav", kTaxPart},
        {"z toho", kTaxPart},
        {"tartalom", kTaxPart},  // Hungarian "ÁFA tartalom"
        {"plus", kTaxPart},
        // Taxes.
        {"gst", kTax},
        {"sst", kTax},
        {"vat", kTax},
        {"tax", kTax},
        {"taxes", kTax},
        {"mwst", kTax},
        {"mw st", kTax},
        {"mehrwertsteuer", kTax},
        {"ust", kTax},
        {"umsatzsteuer", kTax},
        {"steuer", kTax},
        {"tva", kTax},
        {"iva", kTax},
        {"hst", kTax},
        {"pst", kTax},
        {"qst", kTax},
        {"btw", kTax},
        {"moms", kTax},
        {"mva", kTax},
        {"afa", kTax},
        {"ppn", kTax},
        {"igv", kTax},
        {"igic", kTax},
        {"sales tax", kTax},
        {"service tax", kTax},
        {"cgst", kTax},
        {"sgst", kTax},
        {"igst", kTax},
        {"impuesto", kTax},
        {"impuestos", kTax},
        {"taxe", kTax},
        {"alv", kTax},
        {"dph", kTax},
        {"ptu", kTax},
        {"kdv", kTax},
        {"topkdv", kTax},
        {"pajak", kTax},
        {"pb1", kTax},  // Indonesian restaurant tax
        {"cukai", kTax},
        // Identifiers after a tax word: "GST ID NO", "VAT REG", "N° TVA".
        {"id", kIdQual},
        {"no", kIdQual},
        {"nr", kIdQual},
        {"n", kIdQual},
        {"reg", kIdQual | kRegId},
        {"regn", kIdQual | kRegId},
        {"registration", kIdQual | kRegId},
        {"number", kIdQual},
        {"idnr", kIdQual | kRegId},
        {"ident", kIdQual},
        {"identification", kIdQual},
        {"intracom", kIdQual | kRegId},
        {"num", kIdQual},
        {"nummer", kIdQual},
        {"numero", kIdQual},
        {"tin", kRegId},
        {"uid", kRegId},
        {"roc", kRegId},
        {"abn", kRegId},
        {"acn", kRegId},
        {"siret", kRegId},
        {"siren", kRegId},
        {"rcs", kRegId},
        {"steuernr", kRegId},
        {"steuernummer", kRegId},
        {"nif", kRegId},
        {"cif", kRegId},
        {"npwp", kRegId},
        {"company no", kRegId},
        {"co reg", kRegId},
        {"business reg", kRegId},
        {"brn", kRegId},
        {"handelsregister", kRegId},
        {"hrb", kRegId},
        {"amtsgericht", kRegId},
        {"iban", kRegId},
        {"bic", kRegId},
        {"swift", kRegId},
        // Not the total.
        {"change", kChange},
        {"change due", kChange},
        {"kembali", kChange},
        {"kembalian", kChange},
        {"baki", kChange},
        {"ruckgeld", kChange},
        {"rueckgeld", kChange},
        {"wechselgeld", kChange},
        {"rendu", kChange},
        {"rendu monnaie", kChange},
        {"a rendre", kChange},
        {"monnaie", kChange},
        {"cambio", kChange},
        {"vuelto", kChange},
        {"vuelta", kChange},
        {"wisselgeld", kChange},
        {"zuruck", kChange},  // "Zurück"
        {"resto", kChange},
        {"troco", kChange},
        {"reszta", kChange},
        {"vaxel", kChange},
        {"tillbaka", kChange},
        {"byttepenger", kChange},
        {"byttepenge", kChange},
        {"retur", kChange},
        {"veksel", kChange},
        {"tilbake", kChange},
        {"takaisin", kChange},
        {"vaihtoraha", kChange},
        {"vraceno", kChange},
        {"vratit", kChange},
        {"para ustu", kChange},
        {"visszajaro", kChange},  // Hungarian
        {"rest", kChange},        // Romanian
        {"tien thua", kChange},
        {"cash", kTender},
        {"tunai", kTender},
        {"tendered", kTender},
        {"tender", kTender},
        {"paid", kTender},
        {"payment", kTender},
        {"bayar", kTender},
        {"bayaran", kTender},
        {"bar", kTender},
        {"bargeld", kTender},
        {"gegeben", kTender},
        {"especes", kTender},
        {"efectivo", kTender},
        {"card", kTender},
        {"visa", kTender},
        {"mastercard", kTender},
        {"master", kTender},
        {"amex", kTender},
        {"debit", kTender},
        {"credit", kTender},
        {"eftpos", kTender},
        {"karte", kTender},
        {"ec", kTender},
        {"girocard", kTender},
        {"carte", kTender},
        {"cb", kTender},
        {"maestro", kTender},
        {"received", kTender},
        {"bezahlt", kTender},
        {"paye", kTender},
        {"pagado", kTender},
        {"contant", kTender},
        {"kontant", kTender},
        {"contanti", kTender},
        {"bancomat", kTender},
        {"carta", kTender},
        {"pin", kTender},  // "PIN", the Dutch card payment
        {"numerario", kTender},
        {"dinheiro", kTender},
        {"multibanco", kTender},
        {"cartao", kTender},
        {"gotowka", kTender},
        {"karta", kTender},
        {"twint", kTender},
        {"upi", kTender},
        {"interac", kTender},
        {"kontanter", kTender},
        {"kort", kTender},
        {"nakit", kTender},
        {"kredi karti", kTender},
        {"k karti", kTender},
        {"swish", kTender},
        {"dankort", kTender},
        {"mobilepay", kTender},
        {"bankaxept", kTender},
        {"vipps", kTender},
        {"kateinen", kTender},
        {"kortti", kTender},
        {"pankkikortti", kTender},
        {"hotove", kTender},
        {"hotovost", kTender},
        {"qris", kTender},
        {"keszpenz", kTender},  // Hungarian
        {"bankkartya", kTender},
        {"kartya", kTender},
        {"numerar", kTender},  // Romanian
        // A deposit or part paid before ("Deposit" alone may be a bottle's:
        // a deposit taken off is known by its minus).
        {"anzahlung", kTender},
        {"acompte", kTender},
        {"anticipo", kTender},
        {"acconto", kTender},
        {"aanbetaling", kTender},
        {"adiantamento", kTender},
        {"zaliczka", kTender},
        {"zaplacono", kTender},
        {"forskott", kTender},
        {"forudbetaling", kTender},
        {"forskudd", kTender},
        {"indbetalt", kTender},
        {"innbetalt", kTender},
        {"ennakkomaksu", kTender},
        {"maksettu", kTender},
        {"zaloha", kTender},
        {"zalohou", kTender},
        {"on odeme", kTender},
        {"odenen", kTender},
        {"uang muka", kTender},
        {"eloleg", kTender},
        {"kifizetve", kTender},
        {"avans", kTender},
        {"achitat", kTender},
        {"tien mat", kTender},
        {"rounding", kRounding},
        {"round", kRounding},
        {"adj", kRounding},
        {"adjustment", kRounding},
        {"pembulatan", kRounding},
        {"rundung", kRounding},
        {"arrondi", kRounding},
        {"redondeo", kRounding},
        {"afronding", kRounding},
        {"arrotondamento", kRounding},
        {"pyoristys", kRounding},
        {"kerekites", kRounding},
        {"discount", kDiscount},
        {"disc", kDiscount},
        {"savings", kDiscount},
        {"saving", kDiscount},
        {"saved", kDiscount},
        {"save", kDiscount},
        {"rabatt", kDiscount},
        {"remise", kDiscount},
        {"reduction", kDiscount},
        {"descuento", kDiscount},
        {"dto", kDiscount},  // Spanish "descuento"
        {"sconto", kDiscount},
        {"korting", kDiscount},
        {"rebate", kDiscount},
        {"desconto", kDiscount},
        {"diskaun", kDiscount},
        {"promo", kDiscount},
        {"coupon", kDiscount},
        {"voucher", kDiscount},
        {"less", kDiscount},
        {"nachlass", kDiscount},
        {"skonto", kDiscount},
        {"terms", kTerms},
        {"payment terms", kTerms},
        {"credit terms", kTerms},
        {"terma", kTerms},
        {"zahlungsbedingungen", kTerms},
        {"conditions de paiement", kTerms},
        {"conditions de reglement", kTerms},
        {"condiciones de pago", kTerms},
        {"condicoes de pagamento", kTerms},
        {"condizioni di pagamento", kTerms},
        {"betalingsvoorwaarden", kTerms},
        {"betalningsvillkor", kTerms},
        {"betalingsbetingelser", kTerms},
        {"maksuehdot", kTerms},
        {"maksuehto", kTerms},
        {"terms of payment", kTerms},
        {"zahlungsbedingung", kTerms},
        {"zahlungskonditionen", kTerms},
        {"modalites de paiement", kTerms},
        {"terminos de pago", kTerms},
        {"plazo de pago", kTerms},
        {"prazo de pagamento", kTerms},
        {"termini di pagamento", kTerms},
        {"betalingstermijn", kTerms},
        {"betalingscondities", kTerms},
        {"betalingsvilkar", kTerms},
        {"οροι πληρωμησ", kTerms},
        {"условия на плащане", kTerms},
        {"условия оплаты", kTerms},
        {"умови оплати", kTerms},
        {"warunki platnosci", kTerms},
        {"platebni podminky", kTerms},
        {"odeme kosullari", kTerms},
        {"fizetesi feltetelek", kTerms},
        {"conditii de plata", kTerms},
        {"syarat pembayaran", kTerms},
        {"rabat", kDiscount},
        {"alennus", kDiscount},
        {"sleva", kDiscount},
        {"indirim", kDiscount},
        {"diskon", kDiscount},
        {"kedvezmeny", kDiscount},
        {"reducere", kDiscount},
        {"qty", kCount},
        {"quantity", kCount},
        {"items", kCount},
        {"item", kCount},
        {"count", kCount},
        {"pcs", kCount},
        {"pc", kCount},
        {"artikel", kCount},
        {"anzahl", kCount},
        {"menge", kCount},
        {"articles", kCount},
        {"kuantiti", kCount},
        {"pieces", kCount},
        {"stk", kCount},
        {"stuck", kCount},
        {"cantidad", kCount},
        {"qte", kCount},
        {"quantite", kCount},
        {"service charge", kCharge},
        {"svc charge", kCharge},
        {"service chg", kCharge},
        {"svc chg", kCharge},
        {"service", kCharge},
        // Shipping, added to the items.
        {"shipping", kCharge},
        {"freight", kCharge},
        {"postage", kCharge},
        {"carriage", kCharge},
        {"delivery", kCharge},
        {"delivery charge", kCharge},
        {"livraison", kCharge},
        {"frais de livraison", kCharge},
        {"levering", kCharge},  // Danish, Norwegian, Dutch
        {"leveringskosten", kCharge},
        {"doprava", kCharge},
        {"nakliye", kCharge},
        {"packing forwarding", kCharge},
        {"versandkosten", kCharge},
        {"versand", kCharge},
        {"porto", kCharge},
        {"frais de port", kCharge},
        {"gastos de envio", kCharge},
        {"spese di spedizione", kCharge},
        {"verzendkosten", kCharge},
        {"bezorgkosten", kCharge},
        {"koszty wysylki", kCharge},
        {"frakt", kCharge},
        {"fraktkostnad", kCharge},
        {"fragt", kCharge},
        {"toimituskulut", kCharge},
        {"rahti", kCharge},
        {"postovne", kCharge},
        {"kargo", kCharge},
        {"ongkos kirim", kCharge},
        {"biaya kirim", kCharge},
        {"szallitasi dij", kCharge},
        {"fuvardij", kCharge},
        {"cheltuieli de transport", kCharge},
        // Real words one letter from "change", never a misreading of it.
        {"charge", kCharge},
        {"charges", kCharge},
        {"tip", kTip},
        {"tips", kTip},
        {"gratuity", kTip},
        {"trinkgeld", kTip},
        {"pourboire", kTip},
        {"propina", kTip},
        {"amount", kAmount},
        {"amt", kAmount},
        {"betrag", kAmount},
        {"wartosc", kAmount},  // "Wartość brutto"
        {"wartosc brutto", kTotal | kIncl},
        {"montant", kAmount},
        {"importe", kAmount},
        {"somme", kAmount},
        {"bedrag", kAmount},
        {"belopp", kAmount},
        {"valor", kAmount},
        // Documents, greetings, other parties.
        {"tax invoice", kTitle},
        {"invoice", kTitle},
        {"receipt", kTitle},
        {"official receipt", kTitle},
        {"cash sale", kTitle},
        {"cash sales", kTitle},
        {"cash bill", kTitle},
        {"simplified tax invoice", kTitle},
        {"bill", kTitle},
        {"rechnung", kTitle},
        {"quittung", kTitle},
        {"beleg", kTitle},
        {"kassenbon", kTitle},
        {"kassenbeleg", kTitle},
        {"bon", kTitle},
        {"facture", kTitle},
        {"factura", kTitle},
        {"ticket", kTitle},
        {"recu", kTitle},
        {"fattura", kTitle},
        {"scontrino", kTitle},
        {"faktura", kTitle},
        {"factuur", kTitle},
        {"fatura", kTitle},
        {"recibo", kTitle},
        {"ricevuta", kTitle},
        {"kassabon", kTitle},
        {"kvitto", kTitle},
        {"kvittering", kTitle},
        {"lasku", kTitle},
        {"uctenka", kTitle},
        {"kwitansi", kTitle},
        {"szamla", kTitle},
        {"nyugta", kTitle},
        {"bon fiscal", kTitle},
        {"factura fiscala", kTitle},
        {"resit", kTitle},
        {"invois", kTitle},
        {"invois cukai", kTitle},
        {"quotation", kTitle},
        {"estimate", kTitle},
        {"delivery order", kTitle},
        // Credit notes (PageModel::credit).
        {"credit note", kTitle | kCredit},
        {"credit memo", kTitle | kCredit},
        {"adjustment note", kTitle | kCredit},
        {"gutschrift", kTitle | kCredit},
        {"rechnungskorrektur", kTitle | kCredit},
        {"avoir", kTitle | kCredit},
        {"nota de credito", kTitle | kCredit},
        {"factura rectificativa", kTitle | kCredit},
        {"nota di credito", kTitle | kCredit},
        {"creditnota", kTitle | kCredit},
        {"creditfactuur", kTitle | kCredit},
        {"faktura korygujaca", kTitle | kCredit},
        {"korekta", kTitle | kCredit},
        {"kreditfaktura", kTitle | kCredit},
        {"kreditnota", kTitle | kCredit},
        {"hyvityslasku", kTitle | kCredit},
        {"dobropis", kTitle | kCredit},
        {"opravny danovy doklad", kTitle | kCredit},
        {"iade faturasi", kTitle | kCredit},
        {"nota kredit", kTitle | kCredit},
        {"jovairo szamla", kTitle | kCredit},
        {"helyesbito szamla", kTitle | kCredit},
        {"factura de stornare", kTitle | kCredit},
        {"nota de credit", kTitle | kCredit},
        {"storno", kTitle | kCredit},
        {"statement", kTitle},
        {"copy", kTitle},
        {"customer copy", kTitle},
        {"merchant copy", kTitle},
        {"duplicate", kTitle},
        {"reprint", kTitle},
        {"welcome", kTitle},
        {"thank you", kTitle},
        {"thank", kTitle},
        {"thanks", kTitle},
        {"terima kasih", kTitle},
        {"danke", kTitle},
        {"vielen dank", kTitle},
        {"merci", kTitle},
        {"gracias", kTitle},
        {"come again", kTitle},
        {"please", kTitle},
        {"page", kTitle},
        {"original", kTitle},
        // Another party's block follows: identifiers.cpp's party labels
        // (internal::PartyLabels, below), and these.
        {"attn", kParty},
        {"attention", kParty},
        {"member", kParty},
        {"cashier", kTransaction},
        {"terminal", kTransaction},
        {"table", kTransaction},
        {"server", kTransaction},
        {"operator", kTransaction},
        {"kasse", kTransaction},
        {"kassierer", kTransaction},
        {"caisse", kTransaction},
        {"doc", kTransaction},
        {"document", kTransaction},
        {"order", kTransaction},
        {"trans", kTransaction},
        {"transaction", kTransaction},
        {"pos", kTransaction},
        {"time", kTransaction},
        {"zeit", kTransaction},
        {"heure", kTransaction},
        {"masa", kTransaction},
        {"tel", kPhone},
        {"tlf", kPhone},
        {"tif", kPhone},  // "Tlf" misread
        {"puh", kPhone},
        {"puhelin", kPhone},
        {"telephone", kPhone},
        {"phone", kPhone},
        {"ph", kPhone},
        {"fax", kPhone},
        {"hp", kPhone},
        {"h p", kPhone},
        {"mobile", kPhone},
        {"mob", kPhone},
        {"hotline", kPhone},
        {"whatsapp", kPhone},
        {"telefon", kPhone},
        {"telefono", kPhone},
        {"email", kPhone},
        {"e mail", kPhone},
        {"www", kPhone},
        {"http", kPhone},
        {"https", kPhone},
        {"website", kPhone},
        {"com", kPhone},
        // Addresses.
        {"jalan", kAddress},
        {"jln", kAddress},
        {"lorong", kAddress},
        {"taman", kAddress},
        {"persiaran", kAddress},
        {"lebuh", kAddress},
        {"lebuhraya", kAddress},
        {"bandar", kAddress},
        {"kampung", kAddress},
        {"seksyen", kAddress},
        {"street", kAddress},
        {"st", kAddress},
        {"road", kAddress},
        {"rd", kAddress},
        {"avenue", kAddress},
        {"ave", kAddress},
        {"blvd", kAddress},
        {"boulevard", kAddress},
        {"lane", kAddress},
        {"drive", kAddress},
        {"highway", kAddress},
        {"hwy", kAddress},
        {"parkway", kAddress},
        {"suite", kAddress},
        {"floor", kAddress},
        {"level", kAddress},
        {"building", kAddress},
        {"bldg", kAddress},
        {"block", kAddress},
        {"blok", kAddress},
        {"blk", kAddress},
        {"lot", kAddress},
        {"ground", kAddress},  // "Ground Floor"; never a misread "round"
        {"po box", kAddress},
        {"p o box", kAddress},
        {"strasse", kAddress},
        {"str", kAddress},
        {"*strasse", kAddress},
        {"*str", kAddress},
        {"*weg", kAddress},
        {"*platz", kAddress},
        {"*gasse", kAddress},
        {"*allee", kAddress},
        {"postfach", kAddress},
        {"rue", kAddress},
        {"route", kAddress},
        {"autoroute", kAddress},
        {"chemin", kAddress},
        {"quai", kAddress},
        {"impasse", kAddress},
        {"*straat", kAddress},
        {"*laan", kAddress},
        {"*plein", kAddress},
        {"rua", kAddress},
        {"praca", kAddress},
        {"largo", kAddress},
        {"travessa", kAddress},
        {"ul", kAddress},
        {"ulica", kAddress},
        {"aleja", kAddress},
        {"*quai", kAddress},
        {"salai", kAddress},
        {"marg", kAddress},
        {"nagar", kAddress},
        {"estrada", kAddress},
        {"avenida", kAddress},
        {"paseo", kAddress},
        {"corso", kAddress},
        {"calle", kAddress},
        {"via", kAddress},
        {"viale", kAddress},
        {"piazza", kAddress},
        {"plaza", kAddress},
        {"cedex", kAddress},
        {"industrial", kAddress},
        {"estate", kAddress},
        {"square", kAddress},
        {"terrace", kAddress},
        {"crescent", kAddress},
        {"*gatan", kAddress},  // Swedish, Norwegian, Danish, Finnish streets
        {"*vagen", kAddress},
        {"*gata", kAddress},
        {"gata", kAddress},
        {"gate", kAddress},
        {"*gade", kAddress},
        {"*vej", kAddress},
        {"*katu", kAddress},
        {"*tie", kAddress},
        {"namesti", kAddress},  // Czech
        {"trida", kAddress},
        {"cad", kAddress},  // Turkish "Cad.", "Sok.", "Mah."
        {"cd", kAddress},
        {"caddesi", kAddress},
        {"sok", kAddress},
        {"sokak", kAddress},
        {"mah", kAddress},
        {"mahallesi", kAddress},
        {"bulvari", kAddress},
        {"jl", kAddress},    // Indonesian "Jl." (jalan)
        {"utca", kAddress},  // Hungarian
        {"ut", kAddress},
        {"ter", kAddress},
        {"korut", kAddress},
        {"krt", kAddress},
        {"strada", kAddress},  // Romanian
        {"bd", kAddress},
        {"bdul", kAddress},
        {"bulevardul", kAddress},
        {"calea", kAddress},
        {"soseaua", kAddress},
        // Legal forms of companies.
        {"sdn", kLegal},
        {"bhd", kLegal},
        {"berhad", kLegal},
        {"s b", kLegal},
        {"ltd", kLegal},
        {"limited", kLegal},
        {"llc", kLegal},
        {"l l c", kLegal},
        {"inc", kLegal | kIncl},  // "ACME Inc", "GST inc"
        {"incorporated", kLegal},
        {"gmbh", kLegal},
        {"ag", kLegal},
        {"ohg", kLegal},
        {"e k", kLegal},
        {"gbr", kLegal},
        {"sa", kLegal},
        {"s a", kLegal},
        {"sas", kLegal},
        {"sarl", kLegal},
        {"s a r l", kLegal},
        {"sl", kLegal},
        {"s l", kLegal},
        {"srl", kLegal},
        {"s r l", kLegal},
        {"spa", kLegal},
        {"s p a", kLegal},
        {"plc", kLegal},
        {"co", kLegal},
        {"company", kLegal},
        {"corp", kLegal},
        {"corporation", kLegal},
        {"enterprise", kLegal},
        {"enterprises", kLegal},
        {"trading", kLegal},
        {"pty", kLegal},
        {"pte", kLegal},
        {"llp", kLegal},
        {"bv", kLegal},
        {"b v", kLegal},
        {"nv", kLegal},
        {"n v", kLegal},
        {"oy", kLegal},
        {"ab", kLegal},
        {"a s", kLegal},
        {"aps", kLegal},
        {"asa", kLegal},
        {"oyj", kLegal},
        {"ky", kLegal},
        {"aktiebolag", kLegal},
        {"spol", kLegal},
        {"spol s", kLegal},  // "spol. s r.o.", maybe wrapped after the "s"
        {"spol s r o", kLegal},
        {"sti", kLegal},  // Turkish "Ltd. Şti."
        {"kk", kLegal},
        {"sro", kLegal},
        {"s r o", kLegal},
        {"r o", kLegal},  // "s r.o." wrapped after its "s"
        {"tbk", kLegal},
        {"pt", kLegal},
        {"cv", kLegal},
        {"eurl", kLegal},
        {"sasu", kLegal},
        {"snc", kLegal},
        {"s n c", kLegal},
        {"kg", kLegal},
        {"ug", kLegal},
        {"slu", kLegal},
        {"s l u", kLegal},
        {"vof", kLegal},
        {"v o f", kLegal},
        {"ltda", kLegal},
        {"bvba", kLegal},
        {"sprl", kLegal},
        {"kft", kLegal},  // Hungarian
        {"zrt", kLegal},
        {"nyrt", kLegal},
        {"bt", kLegal},
        {"kkt", kLegal},
        // Dates.
        {"date", kDateWord},
        {"dated", kDateWord},
        {"tarikh", kDateWord},
        {"datum", kDateWord},
        {"fecha", kDateWord},
        {"data", kDateWord},
        {"tgl", kDateWord},
        {"dato", kDateWord},
        {"pvm", kDateWord},
        {"paivays", kDateWord},
        {"paivamaara", kDateWord},
        {"tarih", kDateWord},
        {"tarihi", kDateWord},
        {"datum prodeje", kDateWord},
        {"tanggal", kDateWord},
        {"dt", kDateWord},
        {"invoice date", kDateWord | kInvoiceDate},
        {"bill date", kDateWord | kInvoiceDate},
        {"receipt date", kDateWord | kInvoiceDate},
        {"issue date", kDateWord | kInvoiceDate},
        {"date of issue", kDateWord | kInvoiceDate},
        {"issued", kDateWord | kInvoiceDate},
        {"rechnungsdatum", kDateWord | kInvoiceDate},
        {"belegdatum", kDateWord | kInvoiceDate},
        {"date de facture", kDateWord | kInvoiceDate},
        {"date facture", kDateWord | kInvoiceDate},
        {"fecha de emision", kDateWord | kInvoiceDate},
        {"fecha factura", kDateWord | kInvoiceDate},
        {"data fattura", kDateWord | kInvoiceDate},
        {"factuurdatum", kDateWord | kInvoiceDate},
        {"data de emissao", kDateWord | kInvoiceDate},
        {"data da fatura", kDateWord | kInvoiceDate},
        {"data wystawienia", kDateWord | kInvoiceDate},
        {"tarikh invois", kDateWord | kInvoiceDate},
        {"fakturadatum", kDateWord | kInvoiceDate},
        {"fakturadato", kDateWord | kInvoiceDate},
        {"laskun paivamaara", kDateWord | kInvoiceDate},
        {"datum vystaveni", kDateWord | kInvoiceDate},
        {"vystaveno", kDateWord | kInvoiceDate},
        {"fatura tarihi", kDateWord | kInvoiceDate},
        {"duzenleme tarihi", kDateWord | kInvoiceDate},
        {"tanggal faktur", kDateWord | kInvoiceDate},
        {"kelt", kDateWord},
        {"szamla kelte", kDateWord | kInvoiceDate},
        {"kiallitas datuma", kDateWord | kInvoiceDate},
        {"data emiterii", kDateWord | kInvoiceDate},
        {"data facturii", kDateWord | kInvoiceDate},
        {"due date", kDueWord},
        {"payment due", kDueWord},
        {"due by", kDueWord},
        {"pay by", kDueWord},
        {"faellig", kDueWord},
        {"fallig", kDueWord},
        {"falligkeit", kDueWord},
        {"falligkeitsdatum", kDueWord},
        {"zahlbar bis", kDueWord},
        {"zahlungsziel", kDueWord | kTerms},  // a date, or terms
        {"echeance", kDueWord},
        {"date d echeance", kDueWord},
        {"vencimiento", kDueWord},
        {"vencimento", kDueWord},
        {"data de vencimento", kDueWord},
        {"termin platnosci", kDueWord},
        {"termin zaplaty", kDueWord},
        {"platne do", kDueWord},
        {"fecha de vencimiento", kDueWord},
        {"scadenza", kDueWord},
        {"vervaldatum", kDueWord},
        {"betaaldatum", kDueWord},
        {"uiterste betaaldatum", kDueWord},
        {"data scadenza", kDueWord},
        {"data di scadenza", kDueWord},
        {"pay before", kDueWord},
        {"payable by", kDueWord},
        {"tarikh akhir", kDueWord},
        {"forfallodatum", kDueWord},  // Swedish
        {"forfallodag", kDueWord},
        {"forfaldsdato", kDueWord},  // Danish
        {"betalingsfrist", kDueWord},
        {"forfallsdato", kDueWord},  // Norwegian
        {"forfall", kDueWord},
        {"erapaiva", kDueWord},  // Finnish "Eräpäivä"
        {"datum splatnosti", kDueWord},
        {"splatnost", kDueWord},
        {"splatnosti", kDueWord},
        {"son odeme tarihi", kDueWord},
        {"vade tarihi", kDueWord},
        {"vade", kDueWord},
        {"jatuh tempo", kDueWord},
        {"fizetesi hatarido", kDueWord},
        {"hatarido", kDueWord},
        {"esedekesseg", kDueWord},
        {"data scadentei", kDueWord},
        {"scadenta", kDueWord},
        {"exp", kExpiry},
        {"expiry", kExpiry},
        {"expires", kExpiry},
        {"expiration", kExpiry},
        {"valid", kExpiry},
        {"validity", kExpiry},
        {"valid until", kExpiry},
        {"best before", kExpiry},
        {"use by", kExpiry},
        {"gultig", kExpiry},
        {"gueltig", kExpiry},
        {"since", kExpiry},
        {"period", kExpiry},
        {"delivery", kExpiry},
        {"delivery date", kExpiry},
        {"lieferdatum", kExpiry},
        {"ship date", kExpiry},
        {"shipped", kExpiry},
        {"birth", kExpiry},
        {"dob", kExpiry},
        {"order date", kExpiry},
        // Greek (folded: lower case, no tonos, "σ" for the final "ς").
        {"συνολο", kTotal},
        {"γενικο συνολο", kTotal | kGrand},
        {"πληρωτεο", kDue},
        {"πληρωτεο ποσο", kTotal | kDue},
        {"συνολο πληρωτεο", kTotal | kDue},
        {"ποσο", kAmount},
        {"υπολοιπο", kBalance},
        {"υποσυνολο", kSub},
        {"μερικο συνολο", kSub},
        {"καθαρη αξια", kSub},
        {"προ φπα", kExcl},
        {"χωρισ φπα", kExcl},
        {"με φπα", kIncl | kTax},
        {"φπα", kTax},
        {"φ π α", kTax},
        {"μετρητα", kTender},
        {"καρτα", kTender},
        {"πιστωτικη", kTender},
        {"προκαταβολη", kTender},
        {"ρεστα", kChange},
        {"εκπτωση", kDiscount},
        {"μεταφορικα", kCharge},
        {"εξοδα αποστολησ", kCharge},
        {"τιμολογιο", kTitle},
        {"αποδειξη", kTitle},
        {"αποδειξη λιανικησ", kTitle},
        {"πιστωτικο τιμολογιο", kTitle | kCredit},
        {"πιστωτικο", kTitle | kCredit},
        {"ευχαριστουμε", kTitle},
        {"ταμειο", kTransaction},
        {"ωρα", kTransaction},
        {"τηλ", kPhone},
        {"τηλεφωνο", kPhone},
        {"οδοσ", kAddress},
        {"λεωφ", kAddress},
        {"λεωφορου", kAddress},
        {"αφμ", kRegId},
        {"δου", kRegId},
        {"α ε", kLegal},
        {"ε π ε", kLegal},
        {"ι κ ε", kLegal},
        {"ο ε", kLegal},
        {"ε ε", kLegal},
        {"ημερομηνια", kDateWord},
        {"ημ νια", kDateWord},
        {"ημερομηνια εκδοσησ", kDateWord | kInvoiceDate},
        {"ημερομηνια ληξησ", kDueWord},
        {"προθεσμια πληρωμησ", kDueWord},
        {"ληξη", kDueWord},
        // Bulgarian, Russian and Ukrainian (folded: lower case, "е" for
        // "ё").
        {"обща сума", kTotal | kGrand},
        {"общо", kTotal},
        {"сума", kTotal},
        {"сумма", kTotal},
        {"итог", kTotal},
        {"итого", kTotal},
        {"всего", kTotal},
        {"всичко", kTotal},
        {"разом", kTotal},
        {"всього", kTotal},
        {"сума за плащане", kTotal | kDue},
        {"за плащане", kDue},
        {"к оплате", kDue},
        {"итого к оплате", kTotal | kDue},
        {"до сплати", kDue},
        {"остатък", kBalance},
        {"остатък за плащане", kBalance},
        {"остаток", kBalance},
        {"междинна сума", kSub},
        {"данъчна основа", kSub},
        {"промежуточный итог", kSub},
        {"подытог", kSub},
        {"без ддс", kExcl},
        {"без ндс", kExcl},
        {"без пдв", kExcl},
        {"с ддс", kIncl | kTax},
        {"с ндс", kIncl},
        {"в т ч", kTaxPart},
        {"в том числе", kTaxPart},
        {"ддс", kTax},
        {"ндс", kTax},
        {"пдв", kTax},
        {"в брой", kTender},
        {"наличные", kTender},
        {"наличными", kTender},
        {"безналичными", kTender},
        {"готівка", kTender},
        {"карта", kTender},
        {"картка", kTender},
        {"платено", kTender},
        {"аванс", kTender},
        {"ресто", kChange},
        {"сдача", kChange},
        {"решта", kChange},
        {"отстъпка", kDiscount},
        {"скидка", kDiscount},
        {"знижка", kDiscount},
        {"доставка", kCharge},
        {"транспорт", kCharge},
        {"фактура", kTitle},
        {"оригинал", kTitle},
        {"касов бон", kTitle},
        {"фискален бон", kTitle},
        {"кассовый чек", kTitle},
        {"счет", kTitle},
        {"счет фактура", kTitle},
        {"рахунок", kTitle},
        {"чек", kTitle},
        {"кредитно известие", kTitle | kCredit},
        {"благодарим", kTitle},
        {"спасибо", kTitle},
        {"дякуємо", kTitle},
        {"касиер", kTransaction},
        {"кассир", kTransaction},
        {"касир", kTransaction},
        {"час", kTransaction},
        {"время", kTransaction},
        {"тел", kPhone},
        {"телефон", kPhone},
        {"ул", kAddress},
        {"улица", kAddress},
        {"бул", kAddress},
        {"пр", kAddress},
        {"вул", kAddress},
        {"гр", kAddress},
        {"еик", kRegId},
        {"ин по ддс", kRegId},
        {"инн", kRegId},
        {"огрн", kRegId},
        {"кпп", kRegId},
        {"єдрпоу", kRegId},
        {"іпн", kRegId},
        {"еоод", kLegal},
        {"оод", kLegal},
        {"ад", kLegal},
        {"ет", kLegal},
        {"ооо", kLegal},
        {"ао", kLegal},
        {"пао", kLegal},
        {"ип", kLegal},
        {"тов", kLegal},
        {"фоп", kLegal},
        {"дата", kDateWord},
        {"дата на издаване", kDateWord | kInvoiceDate},
        {"дата выставления", kDateWord | kInvoiceDate},
        {"срок за плащане", kDueWord},
        {"падеж", kDueWord},
        {"срок оплаты", kDueWord},
        {"оплатить до", kDueWord},
        {"термін оплати", kDueWord},
        {"сплатити до", kDueWord},
        {"дата складання", kDateWord | kInvoiceDate},
        {"з пдв", kIncl},
        {"проміжний підсумок", kSub},
        {"підсумок", kSub},
        {"залишок", kBalance},
        {"передоплата", kTender},
        {"безготівкова", kTender},
        {"транспортування", kCharge},
        {"рахунок фактура", kTitle},
        {"кредит нота", kTitle | kCredit},
        {"коригування", kTitle | kCredit},
        {"просп", kAddress},
        {"пп", kLegal},
    };
    std::vector<Keyword> out;
    for (const auto& [phrase, kinds] : table) {
      out.push_back({SplitSpaces(phrase), kinds});
    }
    for (const std::string& phrase : internal::PartyLabels()) {
      out.push_back({SplitSpaces(phrase), kParty});
    }
    // Longest phrase first, so that "sub total" wins over "total" and "tax
    // invoice" over "tax".
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.tokens.size() > b.tokens.size();
    });
    return out;
  }();
  return kKeywords;
}

bool TokenMatches(std::string_view pattern, std::string_view token) {
  if (pattern.size() > 1 && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return token.size() > pattern.size() && token.starts_with(pattern);
  }
  if (pattern.size() > 1 && pattern.front() == '*') {
    pattern.remove_prefix(1);
    return token.size() > pattern.size() && token.ends_with(pattern);
  }
  return pattern == token;
}

// ------------------------------------------------------------- line model

struct Token {
  std::string text;  // folded
  size_t word;       // index of the OcrWord it comes from
};

// A keyword found in a line.
struct Match {
  size_t first, last;  // token indices, inclusive
  uint64_t kinds;
  size_t byte;         // where its first word starts in the line text
  bool fuzzy = false;  // a word of it misread (FuzzyKinds)
};

// Splits folded words into letter/digit runs. Two common OCR confusions are
// undone inside words that are otherwise letters ("T0TAL" -> "total").
std::vector<Token> Tokenize(const std::vector<OcrWord>& words) {
  std::vector<Token> out;
  for (size_t w = 0; w < words.size(); ++w) {
    const std::string folded = FoldText(words[w].text);
    size_t i = 0;
    while (i < folded.size()) {
      auto is_token_byte = [&](size_t k) {
        return IsFoldedWordByte(folded, k);
      };
      if (!is_token_byte(i)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < folded.size() && is_token_byte(j)) ++j;
      std::string t = folded.substr(i, j - i);
      const auto letters = std::count_if(
          t.begin(), t.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      if (letters >= 2) std::replace(t.begin(), t.end(), '0', 'o');
      // An "ö", "ő" or "ó" the English model read as "6" beside a letter, in
      // a word of letters ("Vég6sszeg", "Fizetend6", "6sszesen").
      auto letter = [&](size_t k) {
        return k < t.size() && t[k] >= 'a' && t[k] <= 'z';
      };
      const bool only_sixes = std::all_of(t.begin(), t.end(), [](char c) {
        return c < '0' || c > '9' || c == '6';
      });
      for (size_t k = 0; letters >= 3 && only_sixes && k < t.size(); ++k) {
        if (t[k] == '6' && ((k > 0 && letter(k - 1)) || letter(k + 1))) {
          t[k] = 'o';
        }
      }
      out.push_back({std::move(t), w});
      i = j;
    }
  }
  return out;
}

// Single-word keywords, for splitting words OCR glued together.
bool IsSingleKeyword(std::string_view token) {
  static const std::unordered_map<std::string_view, bool> kSingle = [] {
    std::unordered_map<std::string_view, bool> out;
    for (const Keyword& k : Keywords()) {
      if (k.tokens.size() == 1 && k.tokens[0].find('*') == std::string::npos) {
        out.emplace(k.tokens[0], true);
      }
    }
    return out;
  }();
  return kSingle.contains(token);
}

// "totalgst" -> "total" "gst", "grandtotal" -> "grand" "total": a word that
// is no keyword but two keywords of three letters or more glued together.
// And the other way: "F AKTURA" -> "faktura", a title printed letter-spaced
// whose first letter OCR read as a word of its own, when the two make a
// keyword of five letters or more and the second is none.
std::vector<Token> SplitCompounds(const std::vector<Token>& tokens) {
  std::vector<Token> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.text.size() == 1 && i + 1 < tokens.size() &&
        tokens[i + 1].word != t.word && tokens[i + 1].text.size() >= 4 &&
        !IsSingleKeyword(tokens[i + 1].text) &&
        IsSingleKeyword(t.text + tokens[i + 1].text)) {
      out.push_back({t.text + tokens[i + 1].text, t.word});
      ++i;
      continue;
    }
    bool split = false;
    if (t.text.size() >= 6 && !IsSingleKeyword(t.text)) {
      for (size_t i = 3; i + 3 <= t.text.size(); ++i) {
        const std::string_view a = std::string_view(t.text).substr(0, i);
        const std::string_view b = std::string_view(t.text).substr(i);
        if (IsSingleKeyword(a) && IsSingleKeyword(b)) {
          out.push_back({std::string(a), t.word});
          out.push_back({std::string(b), t.word});
          split = true;
          break;
        }
      }
    }
    if (!split) out.push_back(t);
  }
  return out;
}

using internal::WithinOneEdit;

// The kinds of a long amount label that OCR misspelt by one letter
// ("TOTAI", "R0UNDlNG", "SUBT0TAL" after the 0/o fix, "ΠΛΗΡΦΩΤΕΟ"), or of
// a date label of eight letters or more ("Férfallodag", "Eraépaiva":
// accents misread), or 0.
uint64_t FuzzyKinds(std::string_view token) {
  constexpr uint64_t kFuzzy = kTotal | kSub | kRounding | kAmount | kBalance |
                              kDiscount | kIncl | kExcl | kDue | kChange;
  // Letters only, folded: a-z, and Greek and Cyrillic (bytes of UTF-8);
  // lengths are in letters (code points).
  const auto letters = internal::CountCodePoints;
  if (letters(token) < 5 ||
      !std::all_of(token.begin(), token.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || c >= 0x80;
      })) {
    return 0;
  }
  for (const Keyword& k : Keywords()) {
    if (k.tokens.size() != 1) continue;
    const std::string& word = k.tokens[0];
    const size_t n = letters(word);
    if (!(k.kinds & kFuzzy) && !((k.kinds & kDateRole) && n >= 8)) continue;
    if (n >= 5 && word.find('*') == std::string::npos &&
        WithinOneEdit(word, token)) {
      return k.kinds;
    }
  }
  return 0;
}

std::vector<Match> MatchKeywords(const std::vector<Token>& tokens,
                                 const std::vector<size_t>& word_begin) {
  std::vector<Match> out;
  size_t p = 0;
  // Keywords by their first word; those starting with a wildcard apart.
  static const auto kIndex = [] {
    std::pair<std::unordered_map<std::string_view, std::vector<const Keyword*>>,
              std::vector<const Keyword*>>
        index;
    for (const Keyword& k : Keywords()) {
      const std::string& first = k.tokens[0];
      if (first.front() == '*' || first.back() == '*') {
        index.second.push_back(&k);
      } else {
        index.first[first].push_back(&k);
      }
    }
    return index;
  }();
  static const std::vector<const Keyword*> kNone;
  while (p < tokens.size()) {
    const Keyword* found = nullptr;
    auto it = kIndex.first.find(tokens[p].text);
    const auto& exact = it == kIndex.first.end() ? kNone : it->second;
    // Both lists are longest first; a longer phrase wins.
    for (const auto* list : {&exact, &kIndex.second}) {
      for (const Keyword* k : *list) {
        if (found && found->tokens.size() >= k->tokens.size()) break;
        if (p + k->tokens.size() > tokens.size()) continue;
        bool ok = true;
        for (size_t i = 0; ok && i < k->tokens.size(); ++i) {
          ok = TokenMatches(k->tokens[i], tokens[p + i].text);
        }
        if (ok) {
          found = k;
          break;
        }
      }
    }
    // A date or sum label of two words or more whose first word, of six
    // letters or more and no keyword, or one later word of six letters or
    // more, OCR misread by one letter ("Zahibar bis", "Termin ptatnosci",
    // "Wartos¢ brutto").
    static const std::vector<const Keyword*> kPhrases = [] {
      std::vector<const Keyword*> out;
      for (const Keyword& k : Keywords()) {
        if (k.tokens.size() >= 2 && (k.kinds & (kDateRole | kSumRole)) &&
            k.tokens[0].size() >= 6) {
          out.push_back(&k);
        }
      }
      return out;
    }();
    bool misread = false;
    if (!found && !IsSingleKeyword(tokens[p].text)) {
      for (const Keyword* phrase : kPhrases) {
        if (p + phrase->tokens.size() > tokens.size() ||
            !WithinOneEdit(phrase->tokens[0], tokens[p].text)) {
          continue;
        }
        int edits = phrase->tokens[0] != tokens[p].text;
        bool ok = true;
        for (size_t i = 1; ok && i < phrase->tokens.size(); ++i) {
          const std::string& want = phrase->tokens[i];
          const std::string& got = tokens[p + i].text;
          if (TokenMatches(want, got)) continue;
          ok = want.size() >= 6 && WithinOneEdit(want, got) && ++edits <= 1;
        }
        if (ok) {
          found = phrase;
          misread = true;
          break;
        }
      }
    }
    if (!found) {
      if (const uint64_t kinds = FuzzyKinds(tokens[p].text)) {
        out.push_back({p, p, kinds, word_begin[tokens[p].word], true});
      }
      ++p;
      continue;
    }
    const size_t last = p + found->tokens.size() - 1;
    out.push_back({p, last, found->kinds, word_begin[tokens[p].word], misread});
    p = last + 1;
  }
  // A tax word next to an identifier label names a registration number
  // ("GST ID NO", "VAT Reg", "N° TVA"), not an amount of tax.
  for (size_t i = 0; i < out.size(); ++i) {
    if (!(out[i].kinds & kTax)) continue;
    auto id_at = [&](size_t j) {
      return j < out.size() && (out[j].kinds & kIdQual) &&
             (j > i ? out[j].first <= out[i].last + 2
                    : out[j].last + 1 == out[i].first);
    };
    if (id_at(i + 1) || id_at(i + 2) || (i > 0 && id_at(i - 1))) {
      out[i].kinds = (out[i].kinds & ~kTax) | kRegId | kTaxId;
    }
  }
  return out;
}

// Whether a byte starts a letter: ASCII letters, and the lead bytes of
// letters in UTF-8: C3..DF (Latin, Greek, Cyrillic...) and E3..ED (kana, CJK,
// Hangul); E2 leads punctuation and currency signs.
bool IsLetterLead(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC3 && c <= 0xDF) || (c >= 0xE3 && c <= 0xED);
}

struct Line {
  const OcrLine* ocr = nullptr;
  std::string text;                // words joined by single spaces
  std::vector<size_t> word_begin;  // byte offset of each word in `text`
  std::vector<Token> tokens;
  std::vector<Match> matches;
  uint64_t kinds = 0;
  std::vector<AmountToken> amounts;
  std::vector<DateToken> dates;
  std::vector<CurrencyMark> marks;
  BBox box;
  double yrel = 0;  // vertical centre, 0 at the top of the text, 1 at bottom
  int height = 0;
  int letters = 0, digits = 0, others = 0;
  int label_letters = 0;  // letters outside currency marks and amounts
  int uppercase = 0;
  bool postcode = false;
  double confidence = 0;
  int block = 0;  // OcrWord::block of its first word
};

BBox Union(const BBox& a, const BBox& b) {
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
          std::max(a.y1, b.y1)};
}

bool IsEmpty(const BBox& b) { return b.x1 <= b.x0 && b.y1 <= b.y0; }

// The words of `line` overlapping bytes [begin, end) of its text.
struct WordSpan {
  BBox box;
  std::string text;
  double confidence = 0;
  bool empty = true;
};

WordSpan WordsIn(const Line& line, size_t begin, size_t end) {
  WordSpan out;
  const auto& words = line.ocr->words;
  int n = 0;
  for (size_t w = 0; w < words.size(); ++w) {
    const size_t wb = line.word_begin[w];
    const size_t we = wb + words[w].text.size();
    if (wb >= end || we <= begin) continue;
    out.box = out.empty ? words[w].box : Union(out.box, words[w].box);
    if (!out.text.empty()) out.text += ' ';
    out.text += words[w].text;
    out.confidence += words[w].confidence;
    out.empty = false;
    ++n;
  }
  if (n > 0) out.confidence /= n;
  return out;
}

// `s` without the commas and full stops that end it ("ON," -> "ON").
std::string WithoutTrailingPoints(std::string s) {
  while (!s.empty() && (s.back() == ',' || s.back() == '.')) s.pop_back();
  return s;
}

// Whether `fsa` and `ldu` are the two halves of a Canadian postcode
// ("K1A" "0B6": letter-digit-letter digit-letter-digit).
bool IsCanadianPostcode(std::string_view fsa, std::string_view ldu) {
  auto L = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto D = [](char c) { return c >= '0' && c <= '9'; };
  return fsa.size() == 3 && ldu.size() == 3 && L(fsa[0]) && D(fsa[1]) &&
         L(fsa[2]) && D(ldu[0]) && L(ldu[1]) && D(ldu[2]);
}

// A UK postcode's outward and inward codes ("SW1A" "1AA", "BS1" "5TR").
bool IsUkPostcode(std::string_view outward, std::string_view inward) {
  auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  return inward.size() == 3 && is_digit(inward[0]) && is_upper(inward[1]) &&
         is_upper(inward[2]) && outward.size() >= 2 && outward.size() <= 4 &&
         is_upper(outward[0]) &&
         std::any_of(outward.begin(), outward.end(), is_digit) &&
         std::all_of(outward.begin(), outward.end(),
                     [&](char c) { return is_upper(c) || is_digit(c); });
}

// Postal codes: five or six digits alone ("81100", "75008", "238801"),
// four digits, a hyphenated code or three digits and two opening a line
// ("8001 Zürich", "31-019 Kraków", "1100-048 Lisboa", "411 05 Göteborg") or
// four digits ending one after a state ("NSW 2000"),
// "D-80331", US ZIP+4, or a UK/Canadian code ("SW1A 1AA", "K1A 0B6").
bool HasPostcode(std::span<const OcrWord> words) {
  auto digits_only = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
  };
  const auto strip = WithoutTrailingPoints;
  // A word of a city's name: no digits, but for a last letter OCR read as
  // one ("Malm6" for "Malmö"), or an "ö" or "ő" read as "6" between two
  // letters ("Gy6ér" for "Győr").
  auto city_word = [&](const OcrWord& o) {
    const std::string t = strip(o.text);
    const size_t digits = internal::CountDigits(t);
    if (t.empty()) return false;
    if (digits == 0) return true;
    if (digits != 1 || t.size() < 4) return false;
    const size_t at = t.find_first_of("0123456789");
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return at + 1 == t.size() ||
           (t[at] == '6' && at > 0 && !digit(t[at - 1]) && !digit(t[at + 1]));
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string w = strip(words[i].text);
    if (digits_only(w) && (w.size() == 5 || w.size() == 6)) return true;
    // Four digits: with two capitals after them ("3011 AD", the
    // Netherlands), or opening a line of words ("8001 Zurich", "1010 Wien").
    // Or digits with a hyphen opening one ("31-019 Kraków", Poland;
    // "1100-048 Lisboa", Portugal).
    const size_t hyphen = w.find('-');
    const bool hyphenated =
        (hyphen == 2 || hyphen == 4) && w.size() == hyphen + 4 &&
        digits_only(w.substr(0, hyphen)) && digits_only(w.substr(hyphen + 1));
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    // A capital, or a letter outside ASCII ("Łódź", "Évry"): the lead byte
    // of Latin-1 Supplement and Latin Extended-A letters in UTF-8; or a
    // Greek or Cyrillic capital ("Αθήνα", "Русе": CE 86..AB, D0 80..AF).
    auto capital = [&](std::string_view t) {
      const auto b = static_cast<unsigned char>(t[0]);
      const auto b2 = t.size() > 1 ? static_cast<unsigned char>(t[1]) : 0;
      return upper(t[0]) || (b >= 0xC3 && b <= 0xC5) ||
             (b == 0xCE && b2 >= 0x86 && b2 <= 0xAB) ||
             (b == 0xD0 && b2 >= 0x80 && b2 <= 0xAF);
    };
    if (((digits_only(w) && w.size() == 4) || hyphenated) &&
        i + 1 < words.size()) {
      const std::string next = strip(words[i + 1].text);
      if (!hyphenated && next.size() == 2 && upper(next[0]) && upper(next[1])) {
        return true;
      }
      const bool words_after =
          std::all_of(words.begin() + 1, words.end(), city_word);
      // (Its first letter may be misread: "tODZ" for "ŁÓDŹ".)
      const bool city = !next.empty() &&
                        (capital(next) || (next.size() >= 3 && upper(next[1]) &&
                                           upper(next[2])));
      if (i == 0 && words_after && city) {
        return true;
      }
    }
    // Three digits and two opening a line before the city ("411 05
    // Göteborg", Sweden; "110 00 Praha 1", Czechia, with its district).
    if (i == 0 && digits_only(w) && w.size() == 3 && words.size() >= 3) {
      const std::string two = strip(words[1].text);
      const std::string next = strip(words[2].text);
      const bool district = words.size() == 4 &&
                            digits_only(strip(words[3].text)) &&
                            strip(words[3].text).size() <= 2;
      const bool city_after = std::all_of(
          words.begin() + 2, words.end() - (district ? 1 : 0), city_word);
      if (digits_only(two) && two.size() == 2 && !next.empty() &&
          capital(next) && city_after) {
        return true;
      }
    }
    // Four digits ending a line after a state's abbreviation ("Sydney NSW
    // 2000", Australia).
    if (digits_only(w) && w.size() == 4 && i >= 1 && i + 1 == words.size()) {
      const std::string state = strip(words[i - 1].text);
      if (state.size() >= 2 && state.size() <= 3 &&
          std::all_of(state.begin(), state.end(), upper)) {
        return true;
      }
    }
    if (w.size() == 7 && w[0] >= 'A' && w[0] <= 'Z' && w[1] == '-' &&
        digits_only(w.substr(2))) {
      return true;
    }
    if (w.size() == 10 && w[5] == '-' && digits_only(w.substr(0, 5)) &&
        digits_only(w.substr(6))) {
      return true;
    }
    // UK outward + inward code: "SW1A" "1AA".
    if (i + 1 < words.size()) {
      const std::string b = strip(words[i + 1].text);
      if (IsUkPostcode(w, b) || IsCanadianPostcode(w, b)) return true;
    }
  }
  return false;
}

struct PageModel {
  std::vector<Line> lines;
  double median_height = 20;
  int top = 0, bottom = 0;
  std::string language;  // GuessLanguage of the page's text ("" for none)
  // The page prints whole amounts grouped by spaces (PrintsWholeSpaceGroups):
  // amounts are read in whole units, whatever the currency's minor unit.
  bool whole_amounts = false;
  // A credit note that prints its amounts negative: more of its amounts are
  // negative than positive, or two are under a credit note's title. Its
  // amounts are read with their signs turned, as an invoice's, and the
  // totals given back negative.
  bool credit = false;
};

// Where `text` prints an amount grouped by spaces with a decimal point or
// comma (`point`) before two digits ("6 508,31", "12 345 678.90"): the
// offsets of those decimal separators.
std::vector<size_t> SpaceGroupedDecimals(std::string_view text, char point) {
  std::vector<size_t> out;
  auto digit = [&](size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  };
  for (size_t at = text.find(point); at != std::string_view::npos;
       at = text.find(point, at + 1)) {
    // Two digits after it, then no digit; three before it after a space,
    // and one to three digits before that space.
    if (!digit(at + 1) || !digit(at + 2) || digit(at + 3)) continue;
    if (at < 5 || !digit(at - 1) || !digit(at - 2) || !digit(at - 3) ||
        text[at - 4] != ' ' || !digit(at - 5)) {
      continue;
    }
    out.push_back(at);
  }
  return out;
}

// Whether the word after byte `at` of `text` is a word of days (IsDaysWord:
// "30 days", "14 Tage", "8 nap"): the number before it is a time, not money.
bool IsDaysAfter(std::string_view text, size_t at) {
  while (at < text.size() && text[at] == ' ') ++at;
  size_t end = at;
  while (end < text.size() && text[end] != ' ' && text[end] != '.' &&
         text[end] != ',' && text[end] != ')') {
    ++end;
  }
  return end > at && IsDaysWord(FoldText(text.substr(at, end - at)));
}

PageModel BuildModel(const OcrPage& page) {
  PageModel m;
  // A page that groups amounts with spaces before a decimal comma ("6
  // 508,31" twice or more) means the same by "6 508.31", its comma misread.
  int comma_style = 0;
  std::string text;
  std::vector<std::string> texts;
  for (const OcrLine& ocr : page.lines) {
    texts.push_back(ocr.Text());
    comma_style += int(SpaceGroupedDecimals(texts.back(), ',').size());
    text += texts.back();
    text += '\n';
  }
  m.language = GuessLanguage(text);
  m.whole_amounts = PrintsWholeSpaceGroups(texts);
  AmountOptions amount_options;
  amount_options.whole_space_groups = m.whole_amounts;
  for (const OcrLine& ocr : page.lines) {
    if (ocr.words.empty()) continue;
    Line line;
    line.ocr = &ocr;
    for (const OcrWord& w : ocr.words) {
      if (!line.text.empty()) line.text += ' ';
      line.word_begin.push_back(line.text.size());
      line.text += w.text;
      line.box = line.word_begin.size() == 1 ? w.box : Union(line.box, w.box);
      line.confidence += w.confidence;
    }
    line.confidence /= ocr.words.size();
    line.block = ocr.words.front().block;
    if (!IsEmpty(ocr.box)) line.box = ocr.box;
    line.height = std::max(1, line.box.y1 - line.box.y0);
    line.tokens = SplitCompounds(Tokenize(ocr.words));
    line.matches = MatchKeywords(line.tokens, line.word_begin);
    for (const Match& match : line.matches) line.kinds |= match.kinds;
    if (comma_style >= 2) {
      std::string commas = line.text;
      for (size_t at : SpaceGroupedDecimals(line.text, '.')) commas[at] = ',';
      line.amounts = FindAmounts(commas, amount_options);
    } else {
      line.amounts = FindAmounts(line.text, amount_options);
    }
    // A phone number's groups are no amounts, nor is a number of days
    // ("Gelieve binnen 30 dagen te betalen").
    if ((line.kinds & kPhone) && !(line.kinds & kAmountRole)) {
      line.amounts.clear();
    }
    // Nor is a number with decimals of no money (HasMoneyDecimals).
    std::erase_if(line.amounts, [&](const AmountToken& a) {
      return (!a.has_fraction && !a.currency &&
              IsDaysAfter(line.text, a.end)) ||
             !HasMoneyDecimals(a);
    });
    line.marks = FindCurrencyMarks(line.text);
    line.postcode = HasPostcode(ocr.words);
    // Character classes, and letters that could be a label.
    std::vector<bool> covered(line.text.size(), false);
    for (const CurrencyMark& mk : line.marks) {
      std::fill(covered.begin() + mk.begin, covered.begin() + mk.end, true);
    }
    for (const AmountToken& a : line.amounts) {
      std::fill(covered.begin() + a.begin, covered.begin() + a.end, true);
    }
    for (size_t i = 0; i < line.text.size(); ++i) {
      const auto c = static_cast<unsigned char>(line.text[i]);
      if (c == ' ') continue;
      if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation
      const bool upper = c >= 'A' && c <= 'Z';
      if (IsLetterLead(c)) {
        ++line.letters;
        if (upper) ++line.uppercase;
        if (!covered[i]) ++line.label_letters;
      } else if (c >= '0' && c <= '9') {
        ++line.digits;
      } else {
        ++line.others;
      }
    }
    m.lines.push_back(std::move(line));
  }
  if (m.lines.empty()) return m;
  int negative = 0, positive = 0;
  bool credit_title = false;
  for (const Line& line : m.lines) {
    credit_title |= (line.kinds & kCredit) != 0;
    for (const AmountToken& a : line.amounts) {
      if (!a.has_fraction && !a.grouped && !m.whole_amounts) continue;
      ++(a.value.is_negative() ? negative : positive);
    }
  }
  m.credit = negative >= 2 && (negative > positive || credit_title);
  if (m.credit) {
    for (Line& line : m.lines) {
      for (AmountToken& a : line.amounts)
        a.value = core::Decimal(0, 0) - a.value;
    }
  } else {
    // On an invoice, a total printed under a rule may be read with the rule
    // as its minus ("Att betala -1347,83"); the same amount read without it
    // elsewhere on the page (the column of values, "1 347,83") says so.
    for (Line& line : m.lines) {
      if (!(line.kinds & (kTotal | kDue | kGrand)) ||
          (line.kinds &
           (kSub | kTax | kDiscount | kTender | kChange | kRounding))) {
        continue;
      }
      for (AmountToken& a : line.amounts) {
        if (!a.value.is_negative() || !a.has_fraction) continue;
        const core::Decimal unsigned_value = core::Decimal(0, 0) - a.value;
        const bool twin =
            std::any_of(m.lines.begin(), m.lines.end(), [&](const Line& other) {
              return &other != &line &&
                     std::any_of(other.amounts.begin(), other.amounts.end(),
                                 [&](const AmountToken& b) {
                                   return b.has_fraction &&
                                          b.value == unsigned_value;
                                 });
            });
        if (twin) a.value = unsigned_value;
      }
    }
  }
  std::vector<int> heights;
  m.top = m.lines.front().box.y0;
  m.bottom = m.lines.front().box.y1;
  for (const Line& l : m.lines) {
    heights.push_back(l.height);
    m.top = std::min(m.top, l.box.y0);
    m.bottom = std::max(m.bottom, l.box.y1);
  }
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  m.median_height = std::max(1, heights[heights.size() / 2]);
  const double span = std::max(1, m.bottom - m.top);
  for (Line& l : m.lines) {
    l.yrel = ((l.box.y0 + l.box.y1) / 2.0 - m.top) / span;
  }
  return m;
}

double VerticalOverlap(const BBox& a, const BBox& b) {
  const int overlap = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  const int h = std::max(1, std::min(a.y1 - a.y0, b.y1 - b.y0));
  return static_cast<double>(overlap) / h;
}

double HorizontalOverlap(const BBox& a, const BBox& b) {
  const int overlap = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const int w = std::max(1, std::min(a.x1 - a.x0, b.x1 - b.x0));
  return static_cast<double>(overlap) / w;
}

// Kinds of the keywords of one word alone (a column header cell).
uint64_t WordKinds(const OcrWord& word) {
  const std::vector<Token> tokens = SplitCompounds(Tokenize({word}));
  const std::vector<size_t> begin = {0};
  uint64_t kinds = 0;
  for (const Match& m : MatchKeywords(tokens, begin)) kinds |= m.kinds;
  return kinds;
}

}  // namespace

bool IsSumLabel(const std::vector<OcrWord>& words) {
  const std::vector<Token> tokens = SplitCompounds(Tokenize(words));
  if (tokens.empty()) return false;
  std::vector<size_t> begin;
  size_t at = 0;
  for (const OcrWord& w : words) {
    begin.push_back(at);
    at += w.text.size() + 1;
  }
  size_t covered = 0;
  bool sum = false;
  for (const Match& m : MatchKeywords(tokens, begin)) {
    if (m.fuzzy) continue;  // "Galdo" (for "Galão") is no "saldo"
    covered += m.last - m.first + 1;
    sum = sum || (m.kinds & (kSumRole | kExcl)) != 0;
  }
  return sum && 3 * covered >= 2 * tokens.size();
}

namespace {

// ------------------------------------------------------------------ amounts

// What the labels of an amount make of it; strengths in 0..1.
struct Role {
  double total = 0, sub = 0, tax = 0, tip = 0;
  bool tender = false, change = false, rounding = false, discount = false,
       count = false, charge = false;

  bool Any() const {
    return total > 0 || sub > 0 || tax > 0 || tip > 0 || tender || change ||
           rounding || discount || count || charge;
  }
  double Strongest() const { return std::max({total, sub, tax}); }
  Role Scaled(double f) const {
    Role r = *this;
    r.total *= f;
    r.sub *= f;
    r.tax *= f;
    r.tip *= f;
    return r;
  }
};

Role RoleOf(uint64_t k) {
  Role r;
  const bool total = k & kTotal, tax = k & kTax, excl = k & kExcl,
             incl = k & kIncl, due = k & kDue, grand = k & kGrand,
             net = k & kNet, amount = k & kAmount;
  if ((k & kTerms) && !total && !grand && !due && !tax) {
    // "Terms: Net 30", "Zahlungsziel: 10 Tage 2% Skonto": no amount.
  } else if (k & kChange) {
    r.change = true;
  } else if (k & kSub) {
    r.sub = 0.9;  // also "Subtotal after discount", "Items subtotal"
  } else if (k & kDiscount) {
    r.discount = true;
  } else if (k & kCount) {
    r.count = true;  // "TOTAL QTY", "TOTAL ITEMS"
  } else if ((k & kTip) && !total) {
    r.tip = 0.8;
  } else if ((k & kCharge) && !total && !tax) {
    r.charge = true;  // "Service charge 10%"
  } else if (total || (grand && amount)) {
    if (excl || (net && !grand)) {
      r.sub = 0.85;  // "Total excl. GST", "Summe netto", "Total HT"
    } else if (tax && !incl) {
      r.tax = 0.85;  // "Total GST", "Summe MwSt"
    } else if (k & kTender) {
      r.total = 0.4;  // "Total paid"
      r.tender = true;
    } else if ((k & kRounding) && !grand) {
      r.rounding = true;
    } else {
      r.total = (grand || due || incl || amount) ? 0.95 : 0.75;
    }
  } else if (due || (k & kBalance)) {
    if (tax && !incl) {
      r.tax = 0.7;  // "Tax due"
    } else {
      r.total = due ? 0.9 : 0.5;  // "Amount due", "Balance"
    }
  } else if (k & kTender) {
    r.tender = true;
  } else if (k & kRounding) {
    r.rounding = true;
  } else if (tax) {
    if (excl && !(k & kTaxPart)) {
      r.sub = 0.6;  // "Excl. VAT"
    } else {
      r.tax = (k & kTaxPart) || amount ? 0.85 : incl ? 0.7 : 0.8;
    }
  } else if (net) {
    r.sub = 0.7;  // "Net amount", "Netto"
  } else if (amount) {
    if (incl) {
      r.total = 0.85;  // "Montant TTC"
    } else if (excl) {
      r.sub = 0.75;  // "Montant HT"
    } else {
      r.total = 0.45;  // "Amount", "Betrag"
    }
  }
  return r;
}

struct AmountCand {
  const Line* line = nullptr;
  size_t line_index = 0;
  const AmountToken* token = nullptr;
  int64_t minor_units = 0;  // value at the currency's minor digits
  // Printed as money is: with decimals, or whole where the page prints
  // whole amounts (PageModel::whole_amounts).
  bool money = false;
  Role role;
  WordSpan words;
  double total = 0, sub = 0, tax = 0;  // scores
};

// The label an amount inherits when its own line has none: the line to its
// left (two-column layouts read as separate lines), the line right above
// ("Total due" over "$1,234.00"), or a column header ("Tax(RM)").
std::optional<Role> InheritedRole(const PageModel& m, size_t li,
                                  const BBox& box) {
  const Line& line = m.lines[li];
  const double h = m.median_height;
  const Line* left = nullptr;
  for (const Line& other : m.lines) {
    if (&other == &line || !(other.kinds & kAmountRole)) continue;
    if (VerticalOverlap(other.box, line.box) < 0.5) continue;
    if (other.box.x1 > box.x0 + h / 2) continue;
    if (!left || other.box.x1 > left->box.x1) left = &other;
  }
  if (left) {
    const Role r = RoleOf(left->kinds);
    if (r.Any()) return r.Scaled(0.9);
  }
  // A header or label above: the words of the nearest line above that
  // overlap the value horizontally ("Tax(RM)" over "0.51" in a table,
  // "Amount Due" over "$1,234.00"). A row of several values takes only
  // strong headers, so that "Amount" over a column of prices is no total.
  const bool alone = line.amounts.size() == 1;
  const BBox wide = {box.x0 - static_cast<int>(h), box.y0,
                     box.x1 + static_cast<int>(h), box.y1};
  // Lines above within four line heights, nearest first (reading order need
  // not be top to bottom when OCR splits the page into blocks).
  std::vector<const Line*> above;
  for (const Line& other : m.lines) {
    if (&other == &line || other.box.y1 > line.box.y0 + h * 0.3 ||
        line.box.y0 - other.box.y1 > h * 4) {
      continue;
    }
    above.push_back(&other);
  }
  std::sort(above.begin(), above.end(),
            [](const Line* a, const Line* b) { return a->box.y1 > b->box.y1; });
  for (const Line* p : above) {
    const Line& other = *p;
    const double gap = line.box.y0 - other.box.y1;
    if (!other.amounts.empty()) {
      if (HorizontalOverlap(other.box, box) > 0) break;  // a value in between
      continue;
    }
    uint64_t kinds = 0;
    for (const OcrWord& w : other.ocr->words) {
      if (HorizontalOverlap(w.box, alone ? wide : box) > 0.3) {
        kinds |= WordKinds(w);
      }
    }
    if (!(kinds & kAmountRole)) continue;
    const Role r = RoleOf(kinds);
    if (!r.Any() || (!alone && r.Strongest() < 0.7)) return std::nullopt;
    return r.Scaled(gap <= h * 1.5 ? 0.8 : 0.7);
  }
  return std::nullopt;
}

Role AmountRole(const PageModel& m, size_t li, size_t ai, const BBox& box) {
  const Line& line = m.lines[li];
  const AmountToken& a = line.amounts[ai];
  // A line of payment terms and no total holds no amount ("Terms: 2%
  // discount 10 days, net 30").
  if ((line.kinds & kTerms) && !RoleOf(line.kinds).Any()) return {};
  // The labels between the previous amount and this one.
  const size_t from = ai == 0 ? 0 : line.amounts[ai - 1].end;
  uint64_t segment = 0;
  for (const Match& match : line.matches) {
    if (match.byte >= from && match.byte < a.begin) segment |= match.kinds;
  }
  if (segment & kAmountRole) {
    const Role r = RoleOf(segment);
    if (r.Any()) return r;
  }
  if (line.kinds & kAmountRole) {
    const bool rightmost = ai + 1 == line.amounts.size();
    return RoleOf(line.kinds).Scaled(rightmost ? 1.0 : 0.5);
  }
  if (line.label_letters <= 3) {
    if (auto r = InheritedRole(m, li, box)) return *r;
  }
  return {};
}

double Clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

int64_t Pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

double Round3(double x) { return std::round(x * 1000) / 1000; }

// Confidence from OCR confidence and evidence strength (0..1+).
double Confidence(double ocr, double evidence) {
  return Round3(Clamp01(ocr) *
                std::clamp(0.25 + 0.7 * std::min(1.0, evidence), 0.05, 0.97));
}

Field MakeField(std::string value, double confidence, int page,
                const WordSpan& words) {
  Field f;
  f.value = std::move(value);
  f.confidence = confidence;
  f.page = page;
  if (!words.empty) {
    f.bbox = words.box;
    f.text = words.text;
  }
  return f;
}

void SetField(core::Extraction& out, const std::string& name, Field field) {
  if (field.value.empty()) return;
  auto it = out.fields.find(name);
  if (it != out.fields.end() && it->second.confidence >= field.confidence) {
    return;
  }
  out.fields[name] = std::move(field);
}

// ----------------------------------------------------------------- currency

struct CurrencyChoice {
  std::string code;
  std::string marked;  // the code of its marks ("USD" for "$" read as AUD)
  bool ambiguous = false;
  double confidence = 0;
  WordSpan words;
  // The weight of its strongest mark: 1 on an amount, 0.6 in a label of a
  // line with amounts, 0.4 in running text ("Faktura€." read for "Faktura
  // č.", "£ddz" for "Łódź").
  double strongest = 0;
};

// Whose dollar a page's "$" is, by its address and tax words: "AUD" (a
// state and its postcode, "NSW 2000"; an ABN), "CAD" (a Canadian postcode,
// HST), "SGD", "NZD", "HKD" (the country named), or "" (none of them).
std::string DollarOf(const PageModel& m) {
  static constexpr std::string_view kAuStates[] = {"nsw", "vic", "qld", "wa",
                                                   "sa",  "tas", "act", "nt"};
  auto four_digits = [](std::string_view w) {
    return w.size() == 4 && internal::CountDigits(w) == 4;
  };
  for (const Line& line : m.lines) {
    const auto& t = line.tokens;
    for (size_t i = 0; i < t.size(); ++i) {
      const std::string& w = t[i].text;
      if (w == "abn" || w == "australia") return "AUD";
      if (i + 2 == t.size() && four_digits(t[i + 1].text) &&
          std::find(std::begin(kAuStates), std::end(kAuStates), w) !=
              std::end(kAuStates)) {
        return "AUD";
      }
      if (w == "hst" || w == "canada") return "CAD";
      if (w == "singapore") return "SGD";
      if (i > 0 && t[i - 1].text == "new" && w == "zealand") return "NZD";
      if (i > 0 && t[i - 1].text == "hong" && w == "kong") return "HKD";
    }
    const auto& words = line.ocr->words;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      const std::string_view ldu = words[i + 1].text;
      if (ldu.size() >= 3 &&
          IsCanadianPostcode(words[i].text, ldu.substr(0, 3))) {
        return "CAD";
      }
    }
  }
  return "";
}

// Whose crown a page's "kr" is, by its language or the country it names:
// "SEK", "DKK", "NOK", or "" (none of them).
std::string KronaOf(const PageModel& m) {
  for (const Line& line : m.lines) {
    for (const Token& t : line.tokens) {
      if (t.text == "sverige" || t.text == "sweden") return "SEK";
      if (t.text == "danmark" || t.text == "denmark") return "DKK";
      if (t.text == "norge" || t.text == "norway") return "NOK";
    }
  }
  return m.language == "swe"   ? "SEK"
         : m.language == "dan" ? "DKK"
         : m.language == "nor" ? "NOK"
                               : "";
}

// The currency of a page that prints no currency mark, by the country it
// names, the form of its address, its companies' legal forms or, last, its
// language where one currency goes with it; with how sure that is and the
// words that tell (the total's, for the language). Empty when nothing
// tells (an English page with no address).
struct CountryEvidence {
  std::string code;
  double confidence = 0;
  const Line* line = nullptr;  // the line that tells; null for the language
};

bool HasUsStateZip(std::string_view text);

CountryEvidence CountryCurrency(const PageModel& m) {
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"germany", "EUR"},     {"deutschland", "EUR"}, {"austria", "EUR"},
      {"osterreich", "EUR"},  {"france", "EUR"},      {"spain", "EUR"},
      {"espana", "EUR"},      {"italy", "EUR"},       {"italia", "EUR"},
      {"netherlands", "EUR"}, {"nederland", "EUR"},   {"belgium", "EUR"},
      {"belgique", "EUR"},    {"belgie", "EUR"},      {"portugal", "EUR"},
      {"ireland", "EUR"},     {"finland", "EUR"},     {"suomi", "EUR"},
      {"greece", "EUR"},      {"ελλαδα", "EUR"},      {"switzerland", "CHF"},
      {"schweiz", "CHF"},     {"suisse", "CHF"},      {"svizzera", "CHF"},
      {"england", "GBP"},     {"scotland", "GBP"},    {"wales", "GBP"},
      {"poland", "PLN"},      {"polska", "PLN"},      {"czechia", "CZK"},
      {"cesko", "CZK"},       {"turkey", "TRY"},      {"turkiye", "TRY"},
      {"indonesia", "IDR"},   {"hungary", "HUF"},     {"magyarorszag", "HUF"},
      {"romania", "RON"},     {"bulgaria", "BGN"},    {"българия", "BGN"},
      {"russia", "RUB"},      {"россия", "RUB"},      {"ukraine", "UAH"},
      {"україна", "UAH"},     {"india", "INR"},       {"usa", "USD"},
      {"malaysia", "MYR"},    {"japan", "JPY"},       {"sweden", "SEK"},
      {"sverige", "SEK"},     {"denmark", "DKK"},     {"danmark", "DKK"},
      {"norway", "NOK"},      {"norge", "NOK"},       {"singapore", "SGD"},
      {"australia", "AUD"},   {"canada", "CAD"},
  };
  static constexpr std::pair<std::string_view, std::string_view> kLanguage[] = {
      {"pol", "PLN"}, {"ces", "CZK"}, {"hun", "HUF"}, {"ron", "RON"},
      {"tur", "TRY"}, {"swe", "SEK"}, {"dan", "DKK"}, {"nor", "NOK"},
      {"fin", "EUR"}, {"ell", "EUR"}, {"nld", "EUR"}, {"ita", "EUR"},
      {"deu", "EUR"}, {"fra", "EUR"}, {"spa", "EUR"}, {"por", "EUR"},
      {"bul", "BGN"}, {"rus", "RUB"}, {"ukr", "UAH"},
  };
  for (const Line& line : m.lines) {
    const auto& t = line.tokens;
    for (size_t i = 0; i < t.size(); ++i) {
      const std::string& w = t[i].text;
      auto next = [&](std::string_view n) {
        return i + 1 < t.size() && t[i + 1].text == n;
      };
      for (const auto& [name, code] : kNamed) {
        if (w == name) return {std::string(code), 0.7, &line};
      }
      if ((w == "united" && next("states")) || (w == "new" && next("york"))) {
        return {"USD", 0.7, &line};
      }
      if (w == "united" && next("kingdom")) return {"GBP", 0.7, &line};
      if (w == "czech" && next("republic")) return {"CZK", 0.7, &line};
    }
  }
  // The form of an address, and tax words only one country prints.
  if (std::string dollar = DollarOf(m); !dollar.empty()) {
    return {dollar, 0.6, nullptr};
  }
  for (const Line& line : m.lines) {
    if (line.postcode && HasUsStateZip(line.text)) return {"USD", 0.6, &line};
    const auto& words = line.ocr->words;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      if (line.postcode &&
          IsUkPostcode(words[i].text,
                       WithoutTrailingPoints(words[i + 1].text))) {
        return {"GBP", 0.6, &line};
      }
    }
    const auto& t = line.tokens;
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].text == "gstin" || t[i].text == "cgst" || t[i].text == "sgst") {
        return {"INR", 0.55, &line};
      }
      if (i + 1 < t.size() && t[i].text == "sdn" && t[i + 1].text == "bhd") {
        return {"MYR", 0.55, &line};
      }
      if (i + 1 < t.size() && t[i].text == "pte" && t[i + 1].text == "ltd") {
        return {"SGD", 0.55, &line};
      }
      // A Swiss company number ("CHE-280.445.191").
      if (i + 1 < t.size() && t[i].text == "che" &&
          internal::CountDigits(t[i + 1].text) >= 3) {
        return {"CHF", 0.6, &line};
      }
    }
  }
  for (const auto& [language, code] : kLanguage) {
    if (m.language == language) return {std::string(code), 0.45, nullptr};
  }
  return {};
}

std::optional<CurrencyChoice> ChooseCurrency(const PageModel& m) {
  struct Tally {
    double weight = 0;
    bool unambiguous = false;
    WordSpan words;
    double words_weight = 0;
  };
  std::map<std::string, Tally> tally;
  double all = 0;
  for (const Line& line : m.lines) {
    for (const CurrencyMark& mark : line.marks) {
      bool attached = false;
      for (const AmountToken& a : line.amounts) {
        attached |= a.currency && a.currency->begin == mark.begin;
      }
      // A sign printed on an amount is the strongest evidence; a code in a
      // label ("TOTAL (RM)") next; one in running text the weakest. On a
      // whole number of a page of prices with decimals a mark is running
      // text ("Fatura FT 2019/35", "L352 £1").
      bool on_whole = false;
      for (const AmountToken& a : line.amounts) {
        on_whole |= a.currency && a.currency->begin == mark.begin &&
                    !a.has_fraction && !m.whole_amounts;
      }
      const double w = attached && !on_whole              ? 1.0
                       : line.amounts.empty() || on_whole ? 0.4
                                                          : 0.6;
      Tally& t = tally[mark.code];
      t.weight += w;
      t.unambiguous |= !mark.ambiguous;
      if (w > t.words_weight) {
        t.words = WordsIn(line, mark.begin, mark.end);
        t.words_weight = w;
      }
      all += w;
    }
  }
  if (tally.empty()) return std::nullopt;
  auto best = tally.begin();
  for (auto it = tally.begin(); it != tally.end(); ++it) {
    // An unambiguous code beats "$" at equal weight ("S$" and "$").
    const double a = it->second.weight + (it->second.unambiguous ? 0.01 : 0);
    const double b =
        best->second.weight + (best->second.unambiguous ? 0.01 : 0);
    if (a > b) best = it;
  }
  const Tally& t = best->second;
  // A currency without minor units ("¥", "JPY") on a page whose amounts
  // are printed with two decimals is a stray mark, not the currency.
  if (core::MinorDigits(best->first) == 0) {
    int with_cents = 0, amounts = 0;
    for (const Line& line : m.lines) {
      for (const AmountToken& a : line.amounts) {
        ++amounts;
        with_cents += a.has_fraction;
      }
    }
    if (amounts > 0 && with_cents * 2 > amounts) return std::nullopt;
  }
  const double share = t.weight / all;
  // Many marks that agree make a currency sure; a lone sign may be OCR
  // noise, and "$" is shared by many currencies.
  CurrencyChoice c;
  c.code = c.marked = best->first;
  c.ambiguous = !t.unambiguous;
  // "$" alone on a page of another dollar's country is that dollar.
  if (c.code == "USD" && c.ambiguous) {
    if (std::string dollar = DollarOf(m); !dollar.empty()) c.code = dollar;
  }
  // "kr" alone: the crown of the page's country, or no currency at all.
  if (c.code == "SEK" && c.ambiguous) {
    c.code = KronaOf(m);
    if (c.code.empty()) return std::nullopt;
  }
  c.confidence = (t.unambiguous ? 0.6 : 0.45) +
                 0.25 * share * std::min(1.0, t.weight / 3.0) -
                 0.2 * (1 - share);
  c.words = t.words;
  c.strongest = t.words_weight;
  return c;
}

// ---------------------------------------------------------------- selection

struct AmountResult {
  const AmountCand* total = nullptr;
  const AmountCand* sub = nullptr;
  const AmountCand* tax = nullptr;
  // The second line of a tax printed on two (CGST and SGST): the tax is
  // their sum.
  const AmountCand* tax2 = nullptr;
  const AmountCand* tip = nullptr;
  double total_conf = 0, sub_conf = 0, tax_conf = 0, tip_conf = 0;
  // Differences between subtotal + tax and total that the page explains
  // (tip, rounding), in minor units.
  std::vector<int64_t> explained = {0};
  // What was paid when the page says it once: the one amount tendered
  // ("CASH 10.50") less the one change given ("CHANGE 2.15").
  const AmountCand* tendered = nullptr;
  const AmountCand* change = nullptr;
  // When no total was read: the subtotal, the tax and the charges and
  // rounding printed after the subtotal, whose sum less the discounts
  // printed after it is the total.
  std::vector<const AmountCand*> parts;
  std::vector<const AmountCand*> discounts;
  // The total read, a digit from that sum, when the sum stands for it.
  const AmountCand* misread_total = nullptr;
};

// Whether the subtotal, the tax (on one line or two) and what the page
// explains (tip, rounding) make `total`.
bool AddsUp(const AmountResult& r, int64_t total) {
  if (!r.sub || !r.tax) return false;
  const int64_t parts = r.sub->minor_units + r.tax->minor_units +
                        (r.tax2 ? r.tax2->minor_units : 0);
  return std::find(r.explained.begin(), r.explained.end(), total - parts) !=
         r.explained.end();
}

// Whether `a` and `b` differ in one digit only, as OCR misreads one
// ("2937.62" and "2937.02").
bool OneDigitApart(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return false;
  const std::string x = std::to_string(a), y = std::to_string(b);
  if (x.size() != y.size()) return false;
  int differ = 0;
  for (size_t i = 0; i < x.size(); ++i) differ += x[i] != y[i];
  return differ == 1;
}

using internal::LeadingDigitsLost;

// Whether `read` is a misreading of `sum` that the page's arithmetic undoes:
// a digit from it, or it with its leading digits lost.
bool MisreadOf(int64_t sum, int64_t read) {
  return OneDigitApart(sum, read) || LeadingDigitsLost(sum, read);
}

// The digits and separators printed right before each "%" of `line` (a
// space between them allowed), each possibly empty: "GST 9 %" gives "9".
std::vector<std::string_view> RateTexts(const Line& line) {
  const std::string_view t = line.text;
  std::vector<std::string_view> out;
  for (size_t at = t.find('%'); at != std::string_view::npos;
       at = t.find('%', at + 1)) {
    size_t e = at;
    if (e > 0 && t[e - 1] == ' ') --e;
    size_t b = e;
    while (b > 0 && (std::isdigit(static_cast<unsigned char>(t[b - 1])) ||
                     t[b - 1] == '.' || t[b - 1] == ',')) {
      --b;
    }
    out.push_back(t.substr(b, e - b));
  }
  return out;
}

// Whether `line` prints a rate ("6%", "GST 9 %").
bool HasRate(const Line& line) {
  const std::vector<std::string_view> texts = RateTexts(line);
  return std::any_of(texts.begin(), texts.end(), [](std::string_view n) {
    return !n.empty() && std::isdigit(static_cast<unsigned char>(n.back()));
  });
}

// The rate `line` prints ("VAT 20%" 20, "MwSt 7,7 %" 7.7), if one.
std::optional<double> RateOf(const Line& line) {
  for (std::string_view text : RateTexts(line)) {
    std::string number(text);
    std::replace(number.begin(), number.end(), ',', '.');
    if (number.empty() || !std::isdigit(static_cast<unsigned char>(number[0])))
      continue;
    char* end = nullptr;
    const double rate = std::strtod(number.c_str(), &end);
    if (end == number.c_str() + number.size() && rate > 0 && rate < 100) {
      return rate;
    }
  }
  return std::nullopt;
}

// The best candidate by `score`, with its confidence; nullptr when none has a
// positive score. A rival of another value nearly as strong lowers the
// confidence.
const AmountCand* Best(const std::vector<AmountCand>& cands,
                       double AmountCand::*score, double* confidence,
                       const AmountCand* exclude = nullptr) {
  const AmountCand* best = nullptr;
  for (const AmountCand& c : cands) {
    if (&c == exclude || c.*score <= 0) continue;
    if (!best || c.*score > best->*score + 1e-9 ||
        (std::abs(c.*score - best->*score) <= 1e-9 &&
         c.line_index >= best->line_index)) {
      best = &c;
    }
  }
  if (!best) return nullptr;
  double rival = 0;
  for (const AmountCand& c : cands) {
    if (&c == exclude || c.minor_units == best->minor_units) continue;
    rival = std::max(rival, c.*score);
  }
  double conf = Confidence(best->words.confidence, best->*score);
  if (rival > 0 && rival >= best->*score - 0.1) conf = Round3(conf * 0.8);
  *confidence = conf;
  return best;
}

AmountResult ChooseAmounts(const PageModel& m, int minor,
                           std::vector<AmountCand>& cands) {
  for (size_t li = 0; li < m.lines.size(); ++li) {
    const Line& line = m.lines[li];
    for (size_t ai = 0; ai < line.amounts.size(); ++ai) {
      const AmountToken& a = line.amounts[ai];
      AmountCand c;
      c.line = &line;
      c.line_index = li;
      c.token = &a;
      c.minor_units = a.value.Rescaled(minor).units();
      c.money = a.has_fraction || m.whole_amounts;
      c.words = WordsIn(line, a.number_begin, a.number_end);
      if (c.words.empty) continue;
      c.role = AmountRole(m, li, ai, c.words.box);
      // "Balance" on the line under the amount tendered, and less than it,
      // is the change given back ("CASH 6,750.00 / Balance 0.40").
      if ((line.kinds & kBalance) && !(line.kinds & (kDue | kTotal)) &&
          !cands.empty() && cands.back().role.tender &&
          cands.back().line_index + 1 == li &&
          cands.back().minor_units > c.minor_units) {
        c.role = Role{};
        c.role.change = true;
      }
      // A bare integer is rarely money where money has cents, even less so
      // one that only looks grouped ("10.185").
      if (!c.money && !a.currency && minor > 0) {
        c.role = c.role.Scaled(a.separator_ambiguous ? 0.3 : 0.4);
      }
      if (a.value.is_negative()) {
        c.role.total = c.role.sub = c.role.tax = 0;
      }
      // A rounding adjustment is a few cents; a "rounding" line with a value
      // as large as anything above it is the rounded total ("Total after
      // rounding" with its label garbled), while a smaller one is a misread
      // adjustment ("9.00" for "0.00").
      if (c.role.rounding && c.minor_units >= Pow10(minor)) {
        c.role.rounding = false;
        int64_t above = 0;
        for (const AmountCand& p : cands) {
          if (p.money && !p.role.tender && !p.role.change) {
            above = std::max(above, p.minor_units);
          }
        }
        if (c.minor_units * 10 >= above * 9) c.role.total = 0.6;
      }
      if (c.role.total > 0) c.total = c.role.total + 0.1 * line.yrel;
      if (c.role.sub > 0) c.sub = c.role.sub + 0.05 * line.yrel;
      if (c.role.tax > 0) c.tax = c.role.tax + 0.05 * line.yrel;
      cands.push_back(std::move(c));
    }
  }

  // A row "net tax gross" whose last value is the sum of the two before it
  // (a tax summary, "A 19% 10.00 1.90 11.90") is evidence for all three.
  for (size_t i = 0; i + 2 < cands.size(); ++i) {
    AmountCand &a = cands[i], &b = cands[i + 1], &c = cands[i + 2];
    if (a.line != b.line || b.line != c.line ||
        c.token != &c.line->amounts.back() || a.minor_units <= 0 ||
        b.minor_units < 0 || a.minor_units + b.minor_units != c.minor_units) {
      continue;
    }
    const double w = (c.line->kinds & kTotal) ? 0.75 : 0.55;
    a.sub = std::max(a.sub, w + 0.05 * a.line->yrel);
    b.tax = std::max(b.tax, w + 0.05 * b.line->yrel);
    c.total = std::max(c.total, w + 0.1 * c.line->yrel);
  }

  // Small sets of the strongest candidates for the arithmetic checks.
  auto top = [&](double AmountCand::*score) {
    std::vector<AmountCand*> out;
    for (AmountCand& c : cands) {
      if (c.*score > 0) out.push_back(&c);
    }
    std::sort(out.begin(), out.end(),
              [&](auto* a, auto* b) { return a->*score > b->*score; });
    if (out.size() > 6) out.resize(6);
    return out;
  };
  std::vector<int64_t> extras = {0};  // rounding and tip may also add up
  // Each extra doubles the sums it may make: up to 64 of them (a long
  // invoice may name a charge on every line).
  auto add_extra = [&](int64_t units) {
    if (units == 0 || extras.size() >= 64) return;
    const size_t n = extras.size();
    for (size_t i = 0; i < n; ++i) extras.push_back(extras[i] + units);
    std::sort(extras.begin(), extras.end());
    extras.erase(std::unique(extras.begin(), extras.end()), extras.end());
  };
  std::vector<int64_t> tendered, change;
  int64_t max_plain = INT64_MIN;
  for (const AmountCand& c : cands) {
    const bool rightmost =
        c.token == &c.line->amounts.back() || c.role.total > 0;
    if (c.role.rounding || c.role.tip > 0 || c.role.charge) {
      add_extra(c.minor_units);
    }
    // A discount printed after the subtotal is taken off it ("Subtotal
    // 100.00 / Discount -10.00 / VAT 20% 18.00 / Total 108.00"), however
    // its sign was printed.
    if (c.role.discount) add_extra(-std::abs(c.minor_units));
    if (c.role.tender && rightmost) tendered.push_back(c.minor_units);
    if (c.role.change) change.push_back(c.minor_units);
    if (c.money && !c.role.tender && !c.role.change && !c.role.count &&
        !c.role.discount && !c.role.rounding) {
      max_plain = std::max(max_plain, c.minor_units);
    }
  }
  // The two tax lines that the total adds up with, when it takes two.
  std::pair<const AmountCand*, const AmountCand*> two_taxes{nullptr, nullptr};
  auto adds_up = [&](int64_t parts, int64_t total) {
    return std::find(extras.begin(), extras.end(), total - parts) !=
           extras.end();
  };

  // subtotal + tax (+ rounding, tip) == total raises all three. The tax may
  // be printed on two lines that add up together (CGST + SGST, GST + PST,
  // VAT at two rates).
  {
    const auto totals = top(&AmountCand::total);
    const auto subs = top(&AmountCand::sub);
    const auto taxes = top(&AmountCand::tax);
    struct Taxes {
      AmountCand *a = nullptr, *b = nullptr;
      int64_t units = 0;
      double score = 0;
      bool Has(const AmountCand* c) const { return c == a || c == b; }
    };
    std::vector<Taxes> tax_sets;
    for (AmountCand* x : taxes) {
      tax_sets.push_back({x, nullptr, x->minor_units, x->tax});
    }
    for (AmountCand* x : taxes) {
      for (AmountCand* y : taxes) {
        if (x->line_index < y->line_index &&
            y->line_index - x->line_index <= 2 && x->minor_units > 0 &&
            y->minor_units > 0) {
          tax_sets.push_back({x, y, x->minor_units + y->minor_units,
                              std::min(x->tax, y->tax)});
        }
      }
    }
    // The parts and total that add up with the most evidence: `part` from
    // `parts` (scored by `part_score`) + taxes == total; with `above`, the
    // part's line comes before the total's.
    struct Sum {
      AmountCand *part = nullptr, *total = nullptr;
      Taxes taxes;
    };
    auto best_sum = [&](const std::vector<AmountCand*>& parts,
                        double AmountCand::*part_score,
                        const std::vector<AmountCand*>& wholes, bool above) {
      Sum best;
      double best_score = 0;
      for (AmountCand* s : parts) {
        for (const Taxes& x : tax_sets) {
          if (x.Has(s)) continue;
          for (AmountCand* t : wholes) {
            if (t == s || x.Has(t) ||
                (above && t->line_index <= s->line_index) ||
                !adds_up(s->minor_units + x.units, t->minor_units)) {
              continue;
            }
            const double score = t->total + s->*part_score + x.score;
            if (score > best_score) {
              best_score = score;
              best = {s, t, x};
            }
          }
        }
      }
      return best;
    };
    auto raise_taxes = [&](const Taxes& x) {
      for (AmountCand* c : {x.a, x.b}) {
        if (c) c->tax += 0.25;
      }
      if (x.b) two_taxes = {x.a, x.b};
    };
    const Sum sum = best_sum(subs, &AmountCand::sub, totals, false);
    // A total that the tax brings to a total below it was the net amount
    // ("Net total 1,745.06 / VAT 20% 349.01 / Total £2,094.07": "net total"
    // is the grand total on many receipts, the amount before tax on
    // invoices).
    const Sum net =
        sum.total ? Sum{} : best_sum(totals, &AmountCand::total, totals, true);
    // And a net amount that an amount above it and the tax bring to is the
    // total ("Gross Amount 4,559.00 / CGST 113.98 / SGST 113.98 / NET
    // AMOUNT 4,786.96").
    std::vector<AmountCand*> nets;
    for (AmountCand* c : subs) {
      if ((c->line->kinds & kNet) && !(c->line->kinds & kSub)) {
        nets.push_back(c);
      }
    }
    std::vector<AmountCand*> above;
    for (AmountCand& c : cands) {
      if (c.money && !c.role.tender && !c.role.change && !c.role.discount &&
          !c.role.count && c.minor_units > 0) {
        above.push_back(&c);
      }
    }
    const Sum net_total = sum.total || net.total || nets.empty()
                              ? Sum{}
                              : best_sum(above, &AmountCand::sub, nets, true);
    if (net.total) {
      net.total->total = std::max(net.total->total, net.part->total) + 0.25;
      net.part->sub = net.part->total;
      net.part->total = 0;
      raise_taxes(net.taxes);
    } else if (net_total.total) {
      net_total.total->total = net_total.total->sub + 0.25;
      net_total.total->sub = 0;
      net_total.part->sub = std::max(net_total.part->sub, 0.6);
      net_total.part->total = 0;
      raise_taxes(net_total.taxes);
    } else if (sum.total) {
      sum.total->total += 0.25;
      sum.part->sub += 0.25;
      raise_taxes(sum.taxes);
    } else if (!subs.empty() && !taxes.empty()) {
      // No labelled total agrees, but an unlabelled amount below them does.
      for (AmountCand& c : cands) {
        if (c.total > 0 || c.role.Any() || !c.money) continue;
        for (AmountCand* s : subs) {
          for (const Taxes& x : tax_sets) {
            if (!x.Has(s) && c.line_index > s->line_index &&
                adds_up(s->minor_units + x.units, c.minor_units)) {
              c.total = 0.5 + 0.1 * c.line->yrel;
            }
          }
        }
      }
    }
  }

  // The total is what was paid: cash - change, or the amount tendered.
  for (AmountCand& c : cands) {
    if (c.total <= 0) continue;
    bool cash_minus_change = false, paid = false;
    for (int64_t t : tendered) {
      paid |= t == c.minor_units;
      for (int64_t k : change) cash_minus_change |= t - k == c.minor_units;
    }
    if (cash_minus_change) {
      c.total += 0.3;
    } else if (paid) {
      c.total += 0.1;
    }
    if (c.minor_units == max_plain) c.total += 0.05;
  }

  // A total of the supplies at one tax rate ("Total 6% supplies (Inc. GST):
  // 14.10") is a line of the tax breakdown when a total without a rate, in
  // full, follows it ("Total Payable: 68.41").
  for (AmountCand& c : cands) {
    if (c.total <= 0 || !HasRate(*c.line)) continue;
    const bool plain_after =
        std::any_of(cands.begin(), cands.end(), [&](const AmountCand& d) {
          return d.total > 0 && d.line_index > c.line_index && d.money &&
                 (d.line->kinds & kTotal) && !HasRate(*d.line);
        });
    if (plain_after) c.total -= 0.3;
  }

  // Without any labelled total, the largest amount in the lower part of the
  // page counts when it is also what was paid or printed twice.
  const bool any_total = std::any_of(cands.begin(), cands.end(),
                                     [](auto& c) { return c.total >= 0.3; });
  if (!any_total) {
    // What was paid (cash less change) read as an amount of its own is the
    // total; an amount tendered with change given back is not.
    std::vector<int64_t> paid_amounts;
    bool change_given = false;
    for (int64_t k : change) change_given |= k > 0;
    for (int64_t t : tendered) {
      for (int64_t k : change) {
        if (k > 0 && t > k) paid_amounts.push_back(t - k);
      }
    }
    auto among = [](const std::vector<int64_t>& values, int64_t v) {
      return std::find(values.begin(), values.end(), v) != values.end();
    };
    auto usable = [](const AmountCand& c) {
      return c.line->yrel >= 0.3 && c.money && !c.role.Any() &&
             c.minor_units > 0;
    };
    AmountCand* fallback = nullptr;
    for (AmountCand& c : cands) {
      if (usable(c) && among(paid_amounts, c.minor_units)) {
        fallback = &c;
        break;
      }
    }
    const bool paid_fallback = fallback != nullptr;
    for (AmountCand& c : cands) {
      if (paid_fallback) break;
      if (!usable(c) || (change_given && among(tendered, c.minor_units))) {
        continue;
      }
      if (!fallback || c.minor_units > fallback->minor_units ||
          (c.minor_units == fallback->minor_units &&
           c.line_index > fallback->line_index)) {
        fallback = &c;
      }
    }
    if (fallback) {
      int repeats = 0;
      for (const AmountCand& c : cands) {
        repeats += c.minor_units == fallback->minor_units;
      }
      bool paid = false;
      for (int64_t t : tendered) {
        paid |= t == fallback->minor_units;
        for (int64_t k : change) paid |= t - k == fallback->minor_units;
      }
      if (paid || repeats >= 2) fallback->total = 0.3;
    }
  }

  // "Total 9.02 / Rounding -0.02 / Total 9.00": the total after a rounding
  // line that adds up is what is paid.
  for (const AmountCand& rc : cands) {
    if (!rc.role.rounding || rc.minor_units == 0) continue;
    for (const AmountCand& before : cands) {
      if (before.total <= 0 || before.line_index >= rc.line_index) continue;
      for (AmountCand& after : cands) {
        if (after.total > 0 && after.line_index > rc.line_index &&
            before.minor_units + rc.minor_units == after.minor_units) {
          after.total += 0.3;
        }
      }
    }
  }

  // A total equal to the subtotal while tax is charged is a subtotal line
  // misread as the total (a tax summary's "Total" row of net amounts).
  {
    double ignored = 0;
    const AmountCand* sub = Best(cands, &AmountCand::sub, &ignored);
    const AmountCand* tax = Best(cands, &AmountCand::tax, &ignored);
    if (sub && tax && tax->minor_units > 0) {
      for (AmountCand& c : cands) {
        if (c.total > 0 && &c != sub && c.minor_units == sub->minor_units) {
          c.total -= 0.3;
        }
      }
    }
  }
  // "Total 100.00 / Deposit paid 40.00 / Balance due 60.00": an amount due
  // that the total less a payment printed between them leaves is what is
  // still owed, not the total. (The total's label may be misread: "Talt
  // 952,96 kr." for "I alt", an amount of no other role that the parts
  // above make up.)
  for (const AmountCand& due : cands) {
    if (due.total <= 0 || !(due.line->kinds & (kDue | kBalance))) continue;
    for (AmountCand& t : cands) {
      if (t.total <= 0 || t.line_index >= due.line_index ||
          t.minor_units <= due.minor_units ||
          (!(t.line->kinds & (kTotal | kAmount)) && t.role.Any())) {
        continue;
      }
      // A payment: labelled as one, or taken off ("-40.00") under no label
      // of a total, subtotal or tax (a credit note's "Total 6% supplies
      // -7.89" is none).
      const bool paid_between =
          std::any_of(cands.begin(), cands.end(), [&](const AmountCand& p) {
            return (p.role.tender ||
                    (p.minor_units < 0 &&
                     !(p.line->kinds & (kTotal | kSub | kTax)))) &&
                   p.line_index > t.line_index &&
                   p.line_index < due.line_index &&
                   t.minor_units - std::abs(p.minor_units) == due.minor_units;
          });
      if (paid_between) t.total = std::max(t.total, due.total) + 0.1;
    }
  }
  // Too little evidence is no evidence.
  for (AmountCand& c : cands) {
    for (double AmountCand::*score :
         {&AmountCand::total, &AmountCand::sub, &AmountCand::tax}) {
      if (c.*score < 0.25) c.*score = 0;
    }
  }

  AmountResult r;
  r.explained = extras;
  // The one amount tendered and the one change given, however read.
  const AmountCand *t = nullptr, *k = nullptr;
  // The one amount tendered when no change was given (none printed, or
  // nothing): paid as it stands ("CREDIT RM 82.80").
  const AmountCand* exact = nullptr;
  {
    bool one_t = true, one_k = true;
    for (const AmountCand& c : cands) {
      const bool rightmost = c.token == &c.line->amounts.back();
      if (c.role.tender && rightmost && c.minor_units > 0) {
        one_t &= !t || t->minor_units == c.minor_units;
        if (!t) t = &c;
      }
      if (c.role.change && !c.role.tender && c.minor_units >= 0) {
        one_k &= !k || k->minor_units == c.minor_units;
        if (!k) k = &c;
      }
    }
    // Both printed with all their decimals and read with confidence.
    // (A space OCR put after the separator is none: "180, 00".)
    auto clear = [&](const AmountCand* c) {
      const size_t dot = c->line->text.find_last_of(".,", c->token->number_end);
      if (!c->money || c->words.confidence < 0.5 || dot == std::string::npos ||
          dot < c->token->number_begin) {
        return false;
      }
      const std::string_view decimals(c->line->text.data() + dot + 1,
                                      c->token->number_end - dot - 1);
      return internal::CountDigits(decimals) == minor &&
             decimals.find_first_not_of("0123456789 ") == std::string::npos;
    };
    if (one_t && one_k && t && (!k || k->minor_units == 0)) exact = t;
    if (!one_t || !one_k || !t || !k || t->minor_units <= k->minor_units) {
      t = k = nullptr;
    }
    if (t && k && clear(t) && clear(k)) {
      r.tendered = t;
      r.change = k;
    }
  }
  r.total = Best(cands, &AmountCand::total, &r.total_conf);
  // What was paid (tendered less change) a few cents from the total read,
  // and printed below it on the page, is the total after cash rounding
  // ("Total Sales 72.74 / Rounding 72.75 / CASH 100.00 / CHANGE 27.25"),
  // whatever that line's label says: three readings agree on it.
  // An amount paid exactly, with no change, a few cents from the total and
  // not a whole number (notes paid in cash are), is that total rounded
  // too: the tender line itself is the total.
  const int64_t near = minor >= 2 ? 10 * Pow10(minor - 2) : 0;
  // What was paid, labelled as a total too, printed below the total with a
  // tax line between them: the total read was the amount before tax
  // ("Total Amount 5,720.00 / CGST 514.80 / SGST 514.80 / Bill Amount
  // 6,749.60 / CASH 6,750.00 / Balance 0.40").
  auto paid_after_tax = [&](int64_t paid) -> const AmountCand* {
    if (!r.total || r.total->minor_units == paid) return nullptr;
    for (const AmountCand& c : cands) {
      if (c.minor_units != paid || c.total <= 0 || c.role.tender ||
          c.role.change || !c.money || c.line_index <= r.total->line_index) {
        continue;
      }
      const bool taxed_between =
          std::any_of(cands.begin(), cands.end(), [&](const AmountCand& x) {
            return x.role.tax > 0 && x.line_index > r.total->line_index &&
                   x.line_index < c.line_index;
          });
      if (taxed_between) return &c;
    }
    return nullptr;
  };
  if (const AmountCand* c =
          t && k  ? paid_after_tax(t->minor_units - k->minor_units)
          : exact ? paid_after_tax(exact->minor_units)
                  : nullptr) {
    r.total = c;
  }
  if (r.total && t && k) {
    const int64_t paid = t->minor_units - k->minor_units;
    const int64_t gap = paid - r.total->minor_units;
    if (gap != 0 && std::abs(gap) <= near) {
      for (const AmountCand& c : cands) {
        if (c.minor_units == paid && !c.role.tender && !c.role.change &&
            c.money && c.line_index > r.total->line_index) {
          r.total = &c;
          break;
        }
      }
    }
  } else if (r.total && exact && exact->line_index > r.total->line_index &&
             exact->money && exact->minor_units % Pow10(minor) != 0 &&
             // A total already a multiple of the smallest coin (0.05) is
             // paid as it is: a card amount a few cents off was misread.
             (minor != 2 || r.total->minor_units % 5 != 0)) {
    const int64_t gap = exact->minor_units - r.total->minor_units;
    if (gap != 0 && std::abs(gap) <= near) r.total = exact;
  }
  // Among equal values, the last strong total line is the one to show.
  if (r.total) {
    for (const AmountCand& c : cands) {
      if (c.minor_units == r.total->minor_units && c.role.total >= 0.7 &&
          c.line_index > r.total->line_index) {
        r.total = &c;
      }
    }
  }
  // A total read with its leading digits lost ("172,66" for "6.172,66"),
  // or with its decimal comma lost ("8.40499" for "8.404,99", so 8.40), is
  // less than the subtotal, which would have to give way to it. When the
  // best subtotal and tax, in that order above the total, make a sum whose
  // digits end with the ones read, and the tax's printed rate confirms them,
  // the total read is that misreading: their sum is the total (below).
  auto digits_read = [](const AmountCand& c) {
    std::string out;
    for (size_t i = c.token->number_begin; i < c.token->number_end; ++i) {
      const char ch = c.line->text[i];
      if (ch >= '0' && ch <= '9') out += ch;
    }
    return out;
  };
  if (r.total) {
    double unused = 0;
    const AmountCand* sub = Best(cands, &AmountCand::sub, &unused, r.total);
    const AmountCand* tax = Best(cands, &AmountCand::tax, &unused, r.total);
    const int64_t sum = sub && tax ? sub->minor_units + tax->minor_units : 0;
    const std::string read = digits_read(*r.total);
    if (sub && tax && sub->line_index < tax->line_index &&
        tax->line_index < r.total->line_index && r.total->minor_units < sum &&
        (LeadingDigitsLost(sum, r.total->minor_units) ||
         (read.size() >= 4 && std::to_string(sum).ends_with(read)))) {
      const std::optional<double> rate = RateOf(*tax->line);
      if (rate &&
          std::abs(sub->minor_units * *rate / 100 - tax->minor_units) <= 1.0) {
        r.misread_total = r.total;
        r.total = nullptr;
      }
    }
  }
  // Subtotal and tax must fit under the total; a subtotal above it only
  // when a discount printed under it brings it below ("Totaal excl. BTW
  // 14.354,94 / Korting 10% -1.435,49 / ... / Totaal 14.082,20").
  auto discounted = [&](const AmountCand& sub) {
    return std::any_of(cands.begin(), cands.end(), [&](const AmountCand& d) {
      return d.role.discount && d.money && d.line_index > sub.line_index &&
             d.line_index < r.total->line_index &&
             sub.minor_units - std::abs(d.minor_units) <= r.total->minor_units;
    });
  };
  for (AmountCand& c : cands) {
    if (!r.total) break;
    if (c.sub > 0 && c.minor_units > r.total->minor_units && !discounted(c)) {
      c.sub = 0;
    }
    if (c.tax > 0 && c.minor_units >= r.total->minor_units) c.tax = 0;
  }
  r.sub = Best(cands, &AmountCand::sub, &r.sub_conf, r.total);
  r.tax = Best(cands, &AmountCand::tax, &r.tax_conf, r.total);
  if (r.sub && r.sub == r.tax) r.tax = nullptr;
  if (r.tax && r.tax == two_taxes.first) r.tax2 = two_taxes.second;
  if (r.tax && r.tax == two_taxes.second) r.tax2 = two_taxes.first;
  // A tax on the line next to the tax's, at its own rate (SGST under
  // CGST), that no total read adds up with.
  const AmountCand* next_tax = nullptr;
  for (const AmountCand& c : cands) {
    if (!r.tax || r.tax2 || !HasRate(*r.tax->line)) break;
    if (c.tax > 0 && c.line != r.tax->line && c.minor_units > 0 &&
        (c.line_index == r.tax->line_index + 1 ||
         c.line_index + 1 == r.tax->line_index) &&
        HasRate(*c.line)) {
      next_tax = &c;
      break;
    }
  }
  // What was paid exactly (one tender, no change) is the total when the
  // subtotal and the tax, on one line or two, add up to it, and the total
  // read is a digit away from it ("2,937.62" read for "2,937.02", paid by
  // card 2,937.02); or, printed below the total, when the total read is
  // it with its leading digits lost ("З 119,00" read, card 3 119,00).
  if (r.total && exact && exact->money &&
      exact->line_index > r.total->line_index &&
      LeadingDigitsLost(exact->minor_units, r.total->minor_units)) {
    r.total = exact;
  }
  if (r.total && r.sub && r.tax && exact &&
      OneDigitApart(exact->minor_units, r.total->minor_units)) {
    const int64_t taxed = r.sub->minor_units + r.tax->minor_units +
                          (r.tax2 ? r.tax2->minor_units : 0);
    if (taxed == exact->minor_units) {
      r.total = exact;
    } else if (next_tax &&
               taxed + next_tax->minor_units == exact->minor_units) {
      r.total = exact;
      r.tax2 = next_tax;
    }
  }
  // What was paid (tendered less change, both read clearly) is the
  // subtotal printed above the total, and the total read is a digit from
  // it ("GESAMT 176,59" under "Zwischensumme 170,59", paid "Bar 180,00 /
  // Rückgeld 9,41"): two readings agree on the total, the one read was
  // misread. It is what was paid.
  if (r.total && r.sub && r.tendered && r.change &&
      r.sub->line_index < r.total->line_index) {
    const int64_t paid = r.tendered->minor_units - r.change->minor_units;
    if (paid == r.sub->minor_units && paid != r.total->minor_units &&
        OneDigitApart(paid, r.total->minor_units)) {
      r.total = nullptr;
    }
  }
  for (AmountCand& c : cands) {
    c.sub = c.role.tip > 0 && c.minor_units > 0 &&
                    (!r.total || c.minor_units < r.total->minor_units)
                ? c.role.tip + 0.05 * c.line->yrel
                : 0;
  }
  r.tip = Best(cands, &AmountCand::sub, &r.tip_conf, r.total);
  // A total a digit from the subtotal plus the tax, or the sum with its
  // leading digits lost ("Total de plata 172,66" under "Subtotal 5.187,11
  // / TVA 19% 985,55"), was misread when the
  // sum is printed below them too (in a column of values read apart from
  // their labels: "Amount due £28,462.60" beside "£28,462.68"), or when
  // the tax's printed rate confirms it ("Net 23,718.90 / VAT 20% 4,743.78
  // / Total 28,462.60"): the sum stands for it.
  if (r.total && r.sub && r.tax && !r.tax2 &&
      r.tax->line_index > r.sub->line_index &&
      r.total->line_index > r.tax->line_index) {
    const int64_t sum = r.sub->minor_units + r.tax->minor_units;
    if (!adds_up(sum, r.total->minor_units) &&
        MisreadOf(sum, r.total->minor_units)) {
      const AmountCand* printed = nullptr;
      for (const AmountCand& c : cands) {
        if (c.minor_units == sum && c.line_index > r.tax->line_index &&
            c.money && !c.role.tender && !c.role.change) {
          printed = &c;
          break;
        }
      }
      const std::optional<double> rate = RateOf(*r.tax->line);
      if (printed) {
        r.total = printed;
      } else if (rate && std::abs(r.sub->minor_units * *rate / 100 -
                                  r.tax->minor_units) <= 1.0) {
        r.misread_total = r.total;
        r.total = nullptr;
      }
    }
  }
  // No total read, but the tax is the part of the subtotal its printed rate
  // makes of an amount with tax included ("Subtotal 63.78 / VAT 24% 12.34",
  // not 24% of 63.78 added): the subtotal is the total.
  if (!r.total && r.sub && r.tax && !next_tax) {
    const std::optional<double> rate = RateOf(*r.tax->line);
    const double sub = double(r.sub->minor_units);
    if (rate &&
        std::abs(sub * *rate / (100 + *rate) - r.tax->minor_units) <= 1 &&
        std::abs(sub * *rate / 100 - r.tax->minor_units) > 1) {
      r.total = r.sub;
      r.total_conf = Round3(0.8 * std::min(r.sub_conf, r.tax_conf));
    }
  }
  // No tax read (its label misread: "MwsSt 19% 40,30", "BIW 21%"), but a
  // line prints a rate that makes its amount the tax: added between the
  // subtotal and the total (their difference, that rate of the subtotal),
  // or included in the total (that rate of the total's net part).
  if (r.total && !r.tax) {
    const double total = double(r.total->minor_units);
    for (const AmountCand& c : cands) {
      if (!c.money || &c == r.total || c.minor_units <= 0 ||
          c.minor_units >= r.total->minor_units || c.role.discount ||
          c.role.tender || c.role.change) {
        continue;
      }
      const std::optional<double> rate = RateOf(*c.line);
      if (!rate) continue;
      const bool added =
          r.sub && c.line_index > r.sub->line_index &&
          c.line_index < r.total->line_index &&
          c.minor_units == r.total->minor_units - r.sub->minor_units &&
          std::abs(r.sub->minor_units * *rate / 100 - c.minor_units) <= 1.0;
      const bool included =
          std::abs(total * *rate / (100 + *rate) - c.minor_units) <= 1.0;
      if (added || included) {
        r.tax = &c;
        r.tax_conf = Round3(
            0.8 * (r.sub ? std::min(r.sub_conf, r.total_conf) : r.total_conf));
        break;
      }
    }
  }
  if (!r.total && r.sub && r.tax && r.tax->line_index > r.sub->line_index) {
    r.parts = {r.sub, r.tax};
    if (next_tax && next_tax->line_index > r.sub->line_index) {
      r.parts.push_back(next_tax);
      r.tax2 = next_tax;
    }
    for (const AmountCand& c : cands) {
      if ((c.role.charge || c.role.rounding || c.role.discount) && c.money &&
          c.token == &c.line->amounts.back() &&
          c.line_index > r.sub->line_index) {
        (c.role.discount ? r.discounts : r.parts).push_back(&c);
      }
    }
  }
  return r;
}

// -------------------------------------------------------------------- dates

struct DateCand {
  const Line* line;
  size_t line_index;
  const DateToken* token;
  WordSpan words;
  double invoice = 0, due = 0;
};

// The date labels that apply to a date at byte `begin` of `line`: the
// nearest label before it on the line, else any label on the line, else the
// label of the line to its left or right above.
uint64_t DateLabel(const PageModel& m, const Line& line, size_t begin,
                   double* factor) {
  *factor = 1.0;
  const Match* nearest = nullptr;
  for (const Match& match : line.matches) {
    if ((match.kinds & kDateRole) && match.byte < begin) nearest = &match;
  }
  if (nearest) return nearest->kinds & kDateRole;
  if (line.kinds & kDateRole) return line.kinds & kDateRole;
  const double h = m.median_height;
  const Line* best = nullptr;
  for (const Line& other : m.lines) {
    if (&other == &line || !(other.kinds & kDateRole)) continue;
    const bool left = VerticalOverlap(other.box, line.box) >= 0.5 &&
                      other.box.x1 <= line.box.x0 + h;
    const bool above = other.box.y1 <= line.box.y0 + h * 0.3 &&
                       line.box.y0 - other.box.y1 <= h * 1.5 &&
                       HorizontalOverlap(other.box, line.box) > 0 &&
                       other.dates.empty();
    if (left) {
      *factor = 0.9;
      return other.kinds & kDateRole;
    }
    if (above && (!best || other.box.y1 > best->box.y1)) best = &other;
  }
  if (best) {
    *factor = 0.8;
    return best->kinds & kDateRole;
  }
  return 0;
}

// Whether `text` holds a United States address's state and ZIP code ("IL
// 62704", "NY 10001-2345").
bool HasUsStateZip(std::string_view text) {
  static constexpr std::string_view kStates =
      " AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN "
      "MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA "
      "WA WV WI WY DC ";
  auto digit = [&](size_t i) {
    return i < text.size() && text[i] >= '0' && text[i] <= '9';
  };
  for (size_t i = 0; i + 8 <= text.size(); ++i) {
    if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) {
      continue;
    }
    const std::string code = " " + std::string(text.substr(i, 2)) + " ";
    if (text[i + 2] != ' ' || kStates.find(code) == std::string_view::npos) {
      continue;
    }
    size_t j = i + 3;
    while (j < i + 8 && digit(j)) ++j;
    if (j == i + 8 && !digit(j) &&
        (j == text.size() ||
         !std::isalnum(static_cast<unsigned char>(text[j])) ||
         text[j] == '-')) {
      return true;
    }
  }
  return false;
}

// How the page writes numeric dates when its own dates do not tell (none
// with a day above 12): month first in the United States (an address with a
// state and ZIP code, or the currency named "USD"; a bare "$" is also the
// dollar of many day-first countries), year first for hyphenated two-digit
// dates in Sweden (Swedish words, or the crown named "SEK"), else day first.
DateOrder CountryDateOrder(const PageModel& m,
                           const std::optional<CurrencyChoice>& currency) {
  if (currency && currency->code == "USD" && !currency->ambiguous) {
    return DateOrder::kMonthFirst;
  }
  for (const Line& line : m.lines) {
    if (line.postcode && HasUsStateZip(line.text))
      return DateOrder::kMonthFirst;
  }
  // Swedish pages write "22-09-12" year first.
  if ((currency && currency->code == "SEK") || m.language == "swe") {
    return DateOrder::kYearFirst;
  }
  return DateOrder::kDayFirst;
}

void ExtractDates(PageModel& m, DateOrder country, int page_number,
                  core::Extraction& out) {
  int day_first = 0, month_first = 0;
  for (Line& line : m.lines) {
    line.dates = FindDates(line.text);
    for (const DateToken& d : line.dates) {
      if (d.evident_order == DateOrder::kDayFirst) ++day_first;
      if (d.evident_order == DateOrder::kMonthFirst) ++month_first;
    }
  }
  // A page that writes 12/28/2017 also means 03/10/2017 month first; with
  // no such evidence either way, the country's order holds. A page of a
  // year-first country reads its hyphenated two-digit dates year first
  // (a day above 12 proves nothing there).
  if (country == DateOrder::kYearFirst && month_first == 0) {
    for (Line& line : m.lines) {
      line.dates = FindDates(line.text, DateOrder::kYearFirst);
    }
  } else if (month_first > day_first ||
             (month_first == day_first && country == DateOrder::kMonthFirst)) {
    for (Line& line : m.lines) {
      line.dates = FindDates(line.text, DateOrder::kMonthFirst);
    }
  }
  const bool order_known = day_first + month_first > 0;
  // No date on the page: one whose separator OCR lost ("3003/2018") is read
  // with it put back, less surely than one printed whole.
  if (std::all_of(m.lines.begin(), m.lines.end(),
                  [](const Line& l) { return l.dates.empty(); })) {
    const DateOrder order =
        month_first > day_first ? DateOrder::kMonthFirst : country;
    for (Line& line : m.lines) {
      for (size_t w = 0; w < line.ocr->words.size(); ++w) {
        const std::string& text = line.ocr->words[w].text;
        const size_t b = text.find_first_not_of("([:");
        const size_t e = text.find_last_not_of(").,:;");
        if (b == std::string::npos || e == std::string::npos || e < b) continue;
        if (auto d = LostSeparatorDate(
                std::string_view(text).substr(b, e - b + 1), order)) {
          d->begin += line.word_begin[w] + b;
          d->end += line.word_begin[w] + b;
          line.dates.push_back(std::move(*d));
        }
      }
    }
  }

  std::vector<DateCand> cands;
  bool first_seen = false;
  for (size_t li = 0; li < m.lines.size(); ++li) {
    const Line& line = m.lines[li];
    for (const DateToken& d : line.dates) {
      DateCand c{&line, li, &d, WordsIn(line, d.begin, d.end)};
      if (c.words.empty) continue;
      double factor = 1.0;
      const uint64_t label = DateLabel(m, line, d.begin, &factor);
      if (label & kExpiry) continue;
      if (label & kDueWord) {
        c.due = 0.5 + 0.4 * factor;
      } else {
        double s = 0.3;
        if (label & kInvoiceDate) {
          s += 0.6 * factor;
        } else if (label & kDateWord) {
          s += 0.5 * factor;
        }
        if (line.yrel < 0.5) s += 0.15;
        if (d.has_time) s += 0.05;
        if (!first_seen) s += 0.1;  // the earliest date printed
        first_seen = true;
        c.invoice = d.separator_restored ? 0.6 * s : s;
      }
      cands.push_back(std::move(c));
    }
  }
  // The same day and month printed twice with different years: one year
  // was misread ("18/03/16" at the top, "18/03/18 09:03" at the bottom);
  // the reading OCR was less sure of gives way.
  for (DateCand& a : cands) {
    for (const DateCand& b : cands) {
      const core::Date &x = a.token->date, &y = b.token->date;
      if (&a != &b && x.day() == y.day() && x.month() == y.month() &&
          x.year() != y.year() && a.words.confidence < b.words.confidence &&
          a.invoice > 0) {
        a.invoice = std::max(0.05, a.invoice - 0.2);
      }
    }
  }
  auto pick = [&](double DateCand::*score, const char* name) {
    const DateCand* best = nullptr;
    for (const DateCand& c : cands) {
      if (c.*score > 0 && (!best || c.*score > best->*score)) best = &c;
    }
    if (!best) return;
    double conf = Confidence(best->words.confidence, best->*score);
    if (best->token->ambiguous)
      conf = Round3(conf * (order_known ? 0.9 : 0.75));
    for (const DateCand& c : cands) {
      if (&c != best && c.token->date != best->token->date &&
          c.*score >= best->*score - 0.05) {
        conf = Round3(conf * 0.85);
        break;
      }
    }
    SetField(
        out, name,
        MakeField(best->token->date.ToIso(), conf, page_number, best->words));
  };
  pick(&DateCand::invoice, "invoice_date");
  pick(&DateCand::due, "due_date");
}

// ------------------------------------------------------------------- vendor

// Whether the name part of a line (before a registration number such as
// "(126926-H)") is mostly letters: the number's digits do not count.
bool NameIsMostlyLetters(const Line& line, size_t name_end) {
  int letters = 0, chars = 0;
  for (size_t i = 0; i < std::min(name_end, line.text.size()); ++i) {
    const auto c = static_cast<unsigned char>(line.text[i]);
    if (c == ' ' || (c & 0xC0) == 0x80) continue;
    ++chars;
    if (IsLetterLead(c)) ++letters;
  }
  return letters >= 3 && letters * 2 >= chars;
}

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Whether `text` has a letter or a digit (else it is a mark: "™", "~").
bool HasLetterOrDigit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    // Or a letter outside ASCII ("Ø", "ł", "ß", Greek, Cyrillic): the lead
    // byte of a two-byte UTF-8 letter (C2 leads symbols: "°", "©").
    return std::isalnum(b) || (b >= 0xC3 && b <= 0xDF);
  });
}

// Words that shop and company names are made of, in several languages:
// a word of a name one letter from one of them, the letter one that OCR
// takes for the other, is that word misread ("INTERNATIGNAL", "Fregh").
// Words of four letters or fewer are left: too many are real words one
// letter from another ("HART", "MINT").
constexpr std::string_view kTradeWords[] = {
    "agency",       "alimentari",  "apotheke",      "automotive",
    "bakeries",     "bakery",      "boucherie",     "boulangerie",
    "bookstore",    "borong",      "boutique",      "buchhandlung",
    "butcher",      "centre",      "center",        "chemist",
    "clinic",       "coffee",      "company",       "construction",
    "corporation",  "dental",      "distributors",  "electrical",
    "electronics",  "engineering", "enterprise",    "enterprises",
    "epicerie",     "express",     "farmacia",      "fashion",
    "florist",      "foods",       "fresh",         "furniture",
    "garden",       "global",      "grocer",        "grocery",
    "handel",       "hardware",    "holdings",      "hotel",
    "industries",   "industrial",  "international", "kedai",
    "kitchen",      "librairie",   "libreria",      "magasin",
    "makanan",      "market",      "markt",         "mercado",
    "metzgerei",    "minimarket",  "motors",        "national",
    "optical",      "panaderia",   "pasar",         "patisserie",
    "perniagaan",   "perusahaan",  "petrol",        "pharmacie",
    "pharmacy",     "pizzeria",    "plaza",         "restaurant",
    "restoran",     "retail",      "ristorante",    "runcit",
    "salon",        "seafood",     "services",      "shoppe",
    "societe",      "stationery",  "stores",        "supermarket",
    "supermercado", "supplies",    "supply",        "syarikat",
    "tienda",       "trading",     "traders",       "trattoria",
    "village",      "wholesale"};

// Whether OCR reads one of `a` and `b` (lower case letters) for the other.
bool OcrConfuses(char a, char b) {
  static constexpr std::string_view kPairs[] = {
      "og", "od", "oq", "oc", "gc", "gs", "mh", "mn", "mw", "nh", "il",
      "it", "ij", "lt", "ef", "ec", "uv", "uo", "br", "be", "pr", "yv"};
  for (std::string_view p : kPairs) {
    if ((p[0] == a && p[1] == b) || (p[0] == b && p[1] == a)) return true;
  }
  return false;
}

// `name` with each word that is one confusable letter from exactly one
// trade word (kTradeWords) spelt as that word, in the word's case style.
std::string RespellTradeWords(std::string_view name) {
  std::string out;
  size_t at = 0;
  while (at <= name.size()) {
    const size_t end = std::min(name.find(' ', at), name.size());
    std::string word(name.substr(at, end - at));
    // The Italian legal form "S.r.l." with its "l" read as "I", "1" or "]".
    if ((word.size() == 5 || (word.size() == 6 && word[5] == '.')) &&
        word.starts_with("S.r.") &&
        std::string_view("I1]|").find(word[4]) != std::string_view::npos) {
      word[4] = 'l';
    }
    // The Swiss "Sàrl", its accent read as the German model's ("Särl").
    if (word == "S\u00e4rl" || word == "S\u00e4rl.") {
      word.replace(1, 2, "\u00e0");
    }
    const size_t b = word.find_first_not_of("\"'([");
    const size_t e = word.find_last_not_of("\"')],.:;");
    if (b != std::string::npos && e != std::string::npos && e >= b + 4) {
      std::string core = word.substr(b, e - b + 1), lower;
      const bool letters = std::all_of(core.begin(), core.end(), [](char c) {
        return std::isalpha(static_cast<unsigned char>(c));
      });
      for (char c : core)
        lower += char(std::tolower(static_cast<unsigned char>(c)));
      const std::string_view* match = nullptr;
      int matches = 0;
      for (const std::string_view& trade : kTradeWords) {
        if (!letters || trade.size() != lower.size()) continue;
        if (trade == lower) {
          matches = 0;
          break;
        }
        size_t diff = 0, pos = 0;
        for (size_t i = 0; i < trade.size(); ++i) {
          if (trade[i] != lower[i]) ++diff, pos = i;
        }
        if (diff == 1 && OcrConfuses(trade[pos], lower[pos])) {
          match = &trade;
          ++matches;
        }
      }
      if (matches == 1) {
        const size_t pos =
            std::mismatch(match->begin(), match->end(), lower.begin()).first -
            match->begin();
        const bool upper = std::isupper(static_cast<unsigned char>(
            core[pos == 0 ? std::min<size_t>(1, core.size() - 1) : pos - 1]));
        const char c = (*match)[pos];
        core[pos] =
            upper ? char(std::toupper(static_cast<unsigned char>(c))) : c;
        word = word.substr(0, b) + core + word.substr(e + 1);
      }
    }
    if (!out.empty() || at > 0) out += ' ';
    out += word;
    at = end + 1;
  }
  return out;
}

// A name or address as printed: single spaces, no space inside brackets
// ("( SUNGAI RENGIT )" is "(SUNGAI RENGIT)", "(KL )SDN" is "(KL) SDN"), and
// no marks without letters or digits at either end ("’ Yam Fresh").
std::string TidyPrinted(std::string_view s) {
  std::string in = CollapseSpaces(s);
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == ' ' && !out.empty() && out.back() == '(') continue;
    if (c == ' ' && i + 1 < in.size() && in[i + 1] == ')') continue;
    out += c;
    if (c == ')' && i + 1 < in.size() &&
        std::isalnum(static_cast<unsigned char>(in[i + 1]))) {
      out += ' ';
    }
  }
  while (true) {
    const size_t sp = out.find(' ');
    if (sp == std::string::npos ||
        HasLetterOrDigit(std::string_view(out).substr(0, sp)))
      break;
    out.erase(0, sp + 1);
  }
  while (true) {
    const size_t sp = out.rfind(' ');
    if (sp == std::string::npos ||
        HasLetterOrDigit(std::string_view(out).substr(sp + 1)))
      break;
    const std::string_view last = std::string_view(out).substr(sp + 1);
    if (last.find_first_not_of(".,") == std::string_view::npos) break;
    out.erase(sp);
  }
  return out;
}

// Words at the start of `line` that are only a legal form ("SDN BHD",
// "GmbH"), possibly followed by a registration number; their count.
size_t LegalSuffixWords(const Line& line) {
  size_t n = 0, next_token = 0;
  for (const Match& match : line.matches) {
    if (!(match.kinds & kLegal) || match.first != next_token) break;
    n = line.tokens[match.last].word + 1;
    next_token = match.last + 1;
  }
  if (n == 0) return 0;
  for (const Token& tok : line.tokens) {
    if (tok.word < n) continue;
    // Anything after the legal form must be a registration number.
    const bool number =
        std::any_of(tok.text.begin(), tok.text.end(),
                    [](char c) { return c >= '0' && c <= '9'; });
    if (!number && tok.text.size() > 1) return 0;
  }
  return n;
}

// Where `line` ends without one or two short lower-case words after a name
// printed in capitals ("RESTORAN SIAM VILLAGE os"): OCR's reading of specks
// or a stamp's edge beside the line, never part of such a name.
size_t WithoutTrailingSpecks(const Line& line) {
  const auto& words = line.ocr->words;
  auto speck = [](std::string_view t) {
    return !t.empty() && t.size() <= 2 &&
           std::all_of(t.begin(), t.end(),
                       [](char c) { return c >= 'a' && c <= 'z'; });
  };
  size_t keep = words.size();
  while (keep > 1 && speck(words[keep - 1].text)) --keep;
  if (keep == words.size() || words.size() - keep > 2) return line.text.size();
  int capitals = 0;
  for (size_t w = 0; w < keep; ++w) {
    for (char c : words[w].text) {
      if (c >= 'a' && c <= 'z') return line.text.size();
      capitals += c >= 'A' && c <= 'Z';
    }
  }
  if (capitals < 3) return line.text.size();
  return line.word_begin[keep - 1] + words[keep - 1].text.size();
}

// Where the name on a line ends: after its last legal form when only
// registration numbers follow ("TRI SHAAS SDN BHD (728515-M)"), else at the
// end of the line.
size_t NameEnd(const Line& line) {
  const Match* legal = nullptr;
  for (const Match& match : line.matches) {
    if (match.kinds & kLegal) legal = &match;
  }
  if (!legal) {
    // A company number in brackets closing the line ("99 SPEED MART S/B
    // (519537-X)" read with its legal form garbled, its check letter read
    // apart: "(519537: X)") is no part of the name.
    const auto& words = line.ocr->words;
    size_t first = words.size();
    int digits = 0;
    while (first > 1) {
      const std::string& t = words[first - 1].text;
      const int d = int(std::count_if(
          t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }));
      const bool bracketed = t.find_first_of("()") != std::string::npos;
      if (d == 0 && first == words.size() && t.size() <= 3 &&
          t.ends_with(')') && !t.starts_with('(')) {
        --first;
        continue;
      }
      if (d == 0 || (!bracketed && d < 4)) break;
      digits += d;
      --first;
      if (t.starts_with('(')) break;
    }
    const bool opened =
        first < words.size() && words[first].text.starts_with('(');
    if (opened && digits >= 5) {
      return line.word_begin[first] > 0 ? line.word_begin[first] - 1 : 0;
    }
    return WithoutTrailingSpecks(line);
  }
  const size_t last_word = line.tokens[legal->last].word;
  const auto& words = line.ocr->words;
  // Words of a title after the legal form ("... Limited INVOICE", the title
  // printed beside the name) are no part of it.
  std::vector<bool> title(words.size(), false);
  for (const Match& match : line.matches) {
    if (!(match.kinds & kTitle)) continue;
    for (size_t t = match.first; t <= match.last; ++t) {
      title[line.tokens[t].word] = true;
    }
  }
  for (size_t w = last_word + 1; w < words.size(); ++w) {
    const std::string& t = words[w].text;
    const bool digits = std::any_of(
        t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits && t.size() > 2 && !title[w]) return line.text.size();
  }
  return line.word_begin[last_word] + words[last_word].text.size();
}

// LegalSuffixWords of the line after `li` when it follows closely.
size_t SuffixOnNextLine(const PageModel& m, size_t li) {
  if (li + 1 >= m.lines.size()) return 0;
  const Line& line = m.lines[li];
  const Line& next = m.lines[li + 1];
  // Lines of large print are further apart.
  if (next.box.y0 - line.box.y1 >=
      std::max<double>(m.median_height, line.height)) {
    return 0;
  }
  return LegalSuffixWords(next);
}

// Whether `line` opens with a postal code ("15000 KHEMISSET", "81100 Johor
// Bahru", "110 00 Praha 1"): the last line of an address.
bool StartsWithPostcode(const Line& line) {
  const auto& words = line.ocr->words;
  // The code and the city's first word (two words, or three for a code in
  // two parts, "110 00").
  const bool split = words.size() >= 3 && words[0].text.size() == 3 &&
                     words[1].text.size() == 2 &&
                     internal::CountDigits(words[0].text) == 3 &&
                     internal::CountDigits(words[1].text) == 2;
  return line.postcode && HasPostcode(std::span(words).first(
                              split ? 3 : std::min<size_t>(2, words.size())));
}

// Whether `line` starts as a street address does: a house number followed by
// a comma ("109, SS21/1A,", "12-1, Jalan ...", "G-26,") or after "No"
// ("No. 8, Jalan ...", "NO.53 55,57"), with words of letters after it.
bool StartsWithHouseNumber(const Line& line) {
  const auto& words = line.ocr->words;
  if (words.empty() || line.letters < 3) return false;
  auto is_number = [](std::string_view w) {
    // Digits, with letters, dashes, slashes and ampersands among them
    // ("31G", "12-1", "1&3", "G-26"): at least one digit, at most two
    // letters.
    int digits = 0, letters = 0;
    for (char c : w) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isdigit(u)) {
        ++digits;
      } else if (std::isalpha(u)) {
        ++letters;
      } else if (c != '-' && c != '/' && c != '&') {
        return false;
      }
    }
    return digits > 0 && letters <= 2;
  };
  std::string first = words[0].text;
  std::string folded = core::AsciiLower(first);
  if (folded.starts_with("no") && folded.size() > 2 &&
      (folded[2] == '.' || folded[2] == ',' ||
       std::isdigit(static_cast<unsigned char>(folded[2])))) {
    // "NO.53", "No,89&91,": the number is glued to "No".
    size_t b = 2;
    while (b < first.size() && (first[b] == '.' || first[b] == ',')) ++b;
    if (b == first.size()) {
      return words.size() > 1 &&
             std::isdigit(static_cast<unsigned char>(words[1].text[0]));
    }
    first = first.substr(b);
    while (!first.empty() && (first.back() == ',' || first.back() == '.')) {
      first.pop_back();
    }
    return is_number(first);
  }
  if (folded == "no" || folded == "no.") {
    return words.size() > 1 &&
           std::isdigit(static_cast<unsigned char>(words[1].text[0]));
  }
  if (first.size() < 2 || first.back() != ',') return false;
  first.pop_back();
  return is_number(first);
}

// An e-mail address: "@" between letters or digits, and a dot in the word
// after it ("info@shop.dk"); an "@" otherwise is a letter OCR could not
// read ("KØBENHAVN Ø" read "KOBENHAVN @", "BJØRKLY" read "BJ@RKLY").
bool HasEmail(std::string_view text) {
  for (size_t at = text.find('@'); at != std::string_view::npos;
       at = text.find('@', at + 1)) {
    if (at == 0 || at + 1 >= text.size() ||
        !std::isalnum(static_cast<unsigned char>(text[at - 1])) ||
        !std::isalnum(static_cast<unsigned char>(text[at + 1]))) {
      continue;
    }
    const size_t end = std::min(text.find(' ', at), text.size());
    const size_t dot = text.find('.', at);
    if (dot < end && dot + 1 < end &&
        std::isalpha(static_cast<unsigned char>(text[dot + 1]))) {
      return true;
    }
  }
  return false;
}

struct VendorPick {
  size_t line = 0;
  size_t extra_words = 0;  // legal suffix words taken from the next line
};

std::optional<VendorPick> ExtractVendor(const PageModel& m, int page_number,
                                        core::Extraction& out) {
  const double span = std::max(1, m.bottom - m.top);
  constexpr uint64_t kNotVendor = kAddress | kPhone | kRegId | kParty |
                                  kDateRole | kAmountRole | kTransaction;
  struct Scored {
    size_t line;
    double score;
  };
  // A line with a legal form is a name even when it says "TAMAN".
  auto is_address = [&](size_t li) {
    const Line& l = m.lines[li];
    return ((l.kinds & kAddress) || l.postcode) && !(l.kinds & kLegal);
  };
  // A company number ("(801580-T)", "Co. No. 113825-W"), not a tax number,
  // which is printed after the address.
  auto is_registration = [&](size_t li) {
    const Line& l = m.lines[li];
    return !(l.kinds & kTaxId) && l.digits >= 4 && l.letters <= l.digits &&
           !l.postcode;
  };
  // Lines under a party label in its block ("Bill to", "Client :") are the
  // customer's name and address.
  std::vector<bool> party(m.lines.size(), false);
  for (size_t li = 0, open = 0; li < m.lines.size(); ++li) {
    const Line& l = m.lines[li];
    if (li > 0 && l.block != m.lines[li - 1].block) open = 0;
    party[li] = open > 0;
    // German letters address the customer with "An:" alone on its line
    // (Dutch "Aan:", Greek "Προς:": labels only before a colon).
    static const std::vector<std::string> kColonOnly =
        internal::PartyLabels(true);
    const bool an =
        l.tokens.size() == 1 && std::find(kColonOnly.begin(), kColonOnly.end(),
                                          l.tokens[0].text) != kColonOnly.end();
    if (an || (!l.matches.empty() && l.matches[0].first == 0 &&
               (l.matches[0].kinds & kParty))) {
      open = 1;
      party[li] = party[li] || an;  // the label is no name either
    }
  }
  // A name too long for the slip wraps onto a second line of the same large
  // print ("SUPERMERCADO SAN" / "JUAN"); the address under it is smaller.
  // Heights are those of the words (a slanted line's box is taller). Large
  // print is spaced as widely as it is tall. A street word alone is no
  // address ("Fish & Chips Baker" / "Street").
  std::vector<int> heights;
  for (const Line& l : m.lines) heights.push_back(l.ocr->WordHeight());
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  const int median = heights[heights.size() / 2];
  // Whether `other`, right below `name`, is more of it.
  auto wrapped = [&](const Line& name, const Line& other) {
    const int height = name.ocr->WordHeight();
    const double ratio = double(other.ocr->WordHeight()) / height;
    const int gap = other.box.y0 - name.box.y1;
    return height >= 1.2 * median && ratio >= 0.75 && ratio <= 1.35 &&
           gap < std::max<double>(m.median_height, height) &&
           other.letters >= 3 && other.digits == 0 && other.amounts.empty() &&
           other.dates.empty() && !other.postcode &&
           !(other.kinds & ((kNotVendor & ~kAddress) | kTitle | kLegal)) &&
           NameIsMostlyLetters(other, other.text.size());
  };
  std::vector<Scored> scored;
  int rank = 0;
  bool address_seen = false;
  int lettered = 0;  // lines with letters above this one
  // Top to bottom: the name is printed at the top, whatever block order the
  // OCR read the page in (a date block first, the header after the items).
  std::vector<size_t> order(m.lines.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return m.lines[a].box.y0 < m.lines[b].box.y0;
  });
  for (size_t k = 0; k < order.size() && k < 15; ++k) {
    const size_t li = order[k];
    const Line& line = m.lines[li];
    if ((line.box.y0 - m.top) / span > 0.25 && k >= 4) break;
    const bool after_address = address_seen;
    address_seen |= is_address(li);
    const bool top = lettered < 2;
    lettered += line.letters > 0;
    if (party[li]) continue;
    if (!NameIsMostlyLetters(line, NameEnd(line))) continue;
    if (line.postcode || !line.dates.empty()) continue;
    if (HasEmail(line.text)) continue;
    // Noise read as short words ("No te if"): a name has a word of three
    // letters or more.
    if (std::none_of(
            line.tokens.begin(), line.tokens.end(), [](const Token& t) {
              return std::count_if(t.text.begin(), t.text.end(), [](char c) {
                       return IsLetterLead(static_cast<unsigned char>(c));
                     }) >= 3;
            })) {
      continue;
    }
    // A legal form, on the line or starting the next one, outweighs words
    // that happen to be labels elsewhere ("CASH & CARRY SDN BHD", "DATA
    // SYSTEMS LTD", "KEDAI (TAMAN DAYA)" / "SDN BHD").
    const bool legal = (line.kinds & kLegal) || SuffixOnNextLine(m, li) > 0;
    // "Company Reg No. : 001260452-W": a legal word opening a registration
    // label names no company.
    if ((line.kinds & kRegId) && !line.matches.empty() &&
        line.matches[0].first == 0 && (line.matches[0].kinds & kLegal)) {
      continue;
    }
    // A word that labels amounts elsewhere, in a line of words only at the
    // top of the page, is part of a name ("RELAIS TOTAL OULMES").
    // So is a street word in such a line right above the address ("Oak
    // Street Diner" / "12 Oak Ave", "Supermercado La Plaza" / "Gran Via
    // 67").
    const bool words_only =
        top && line.digits == 0 && line.amounts.empty() && !line.postcode;
    const bool named_place =
        words_only && li + 1 < m.lines.size() &&
        (is_address(li + 1) ||
         (li + 2 < m.lines.size() && m.lines[li + 2].postcode)) &&
        !(line.kinds & (kNotVendor & ~kAmountRole & ~kAddress));
    const bool named =
        named_place ||
        (words_only && !(line.kinds & (kNotVendor & ~kAmountRole)));
    if (line.kinds & (legal   ? kPhone | kParty
                      : named ? kNotVendor & ~kAmountRole & ~kAddress
                              : kNotVendor)) {
      continue;
    }
    // A title with a legal form is a name only when the form is more than
    // two letters ("TAX INVOICE 0S Pt" is a title with noise).
    const bool strong_legal =
        SuffixOnNextLine(m, li) > 0 ||
        std::any_of(line.matches.begin(), line.matches.end(),
                    [&](const Match& match) {
                      return (match.kinds & kLegal) &&
                             (match.last > match.first ||
                              line.tokens[match.first].text.size() > 2);
                    });
    if ((line.kinds & kTitle) && !strong_legal) continue;
    if (std::any_of(line.amounts.begin(), line.amounts.end(),
                    [](const AmountToken& a) { return a.has_fraction; })) {
      continue;
    }
    double s = 0.3;
    if (legal) s += 0.45;
    const double ratio = static_cast<double>(line.height) / m.median_height;
    s += 0.25 * std::clamp(ratio - 1.0, 0.0, 1.0);
    s += 0.2 * std::max(0.0, 1.0 - rank / 4.0);
    if (line.uppercase * 10 >= line.letters * 8) s += 0.05;
    if (line.letters < 5) s -= 0.2;
    if (line.text.size() > 50) s -= 0.15;
    // The name comes before its registration number and address.
    size_t next = li + 1;
    if (SuffixOnNextLine(m, li) > 0 ||
        (next < m.lines.size() && wrapped(line, m.lines[next]))) {
      ++next;
    }
    if (next < m.lines.size() && is_registration(next)) {
      s += 0.15;
      ++next;
    }
    if (next < m.lines.size() && next <= li + 3 && is_address(next)) s += 0.2;
    // A line right above "15000 KHEMISSET", under a line that could be the
    // name, is the street of the address.
    if (rank > 0 && !legal && li + 1 < m.lines.size() &&
        StartsWithPostcode(m.lines[li + 1])) {
      s -= 0.25;
    }
    // So is a line that opens with a number over a line with a postal code
    // ("8341 Broadway" / "Madison, WI 53703").
    if (rank > 0 && !legal && li + 1 < m.lines.size() &&
        m.lines[li + 1].postcode && !line.ocr->words.empty() &&
        std::isdigit(static_cast<unsigned char>(line.ocr->words[0].text[0]))) {
      s -= 0.25;
    }
    if (after_address && !legal) s -= 0.3;
    // "No.2, Jalan Temenggung" is the street, whatever is read above it.
    if (!legal && StartsWithHouseNumber(line)) s -= 0.3;
    s *= 0.5 + 0.5 * line.confidence;
    scored.push_back({li, s});
    ++rank;
  }
  if (scored.empty()) return std::nullopt;
  const Scored best = *std::max_element(
      scored.begin(), scored.end(),
      [](const Scored& a, const Scored& b) { return a.score < b.score; });
  const Line& line = m.lines[best.line];
  VendorPick pick{best.line, 0};
  WordSpan words = WordsIn(line, 0, NameEnd(line));
  // "POPULAR BOOK" / "CO. (M) SDN BHD": a line that starts with the legal
  // form continues the one above.
  if (best.line > 0 && !line.matches.empty() && line.matches[0].first == 0 &&
      (line.matches[0].kinds & kLegal)) {
    const Line& prev = m.lines[best.line - 1];
    const bool plain = prev.letters >= 3 && prev.amounts.empty() &&
                       prev.dates.empty() &&
                       !(prev.kinds & (kNotVendor | kTitle)) &&
                       line.box.y0 - prev.box.y1 < m.median_height;
    if (plain) {
      const WordSpan before = WordsIn(prev, 0, prev.text.size());
      words.box = Union(words.box, before.box);
      words.text = before.text + ' ' + words.text;
      words.confidence = (words.confidence + before.confidence) / 2;
    }
  }
  // The name goes on with the first `n` words of the line under it.
  auto go_on = [&](size_t n) {
    const Line& next = m.lines[best.line + 1];
    // "Becker Elektrotechnik GmbH &" / "Co. KG": NameEnd cut the "&".
    if (line.text.ends_with('&') && !words.text.ends_with('&')) {
      words.text += " &";
    }
    const size_t end =
        next.word_begin[n - 1] + next.ocr->words[n - 1].text.size();
    const WordSpan more = WordsIn(next, 0, end);
    words.box = Union(words.box, more.box);
    words.text += ' ' + more.text;
    words.confidence = (words.confidence + more.confidence) / 2;
    pick.extra_words = n;
  };
  // "BOOK TA .K (TAMAN DAYA)" / "SDN BHD (12345-X)", "Neumann Druckerei
  // GmbH" / "& Co. KG": one name on two lines.
  if (const size_t n = SuffixOnNextLine(m, best.line); n > 0) go_on(n);
  // A name too long for the slip wraps onto a second line of the same large
  // print ("SUPERMERCADO SAN" / "JUAN"); see `wrapped`.
  // The line above, in the same print and scored nearly as well, is the
  // name's first line ("des Halles" / "Quincaillerie", the taller word
  // scoring a little higher); not over a name with its legal form, where it
  // is a brand.
  const Scored* above = nullptr;
  for (const Scored& c : scored) {
    if (best.line > 0 && c.line == best.line - 1) above = &c;
  }
  if (pick.extra_words == 0 && above && above->score >= 0.9 * best.score &&
      !(line.kinds & kLegal) && wrapped(m.lines[above->line], line)) {
    const WordSpan first =
        WordsIn(m.lines[above->line], 0, m.lines[above->line].text.size());
    words.box = Union(words.box, first.box);
    words.text = first.text + ' ' + words.text;
    words.confidence = (words.confidence + first.confidence) / 2;
  } else if (pick.extra_words == 0 && best.line + 1 < m.lines.size() &&
             wrapped(line, m.lines[best.line + 1])) {
    go_on(m.lines[best.line + 1].ocr->words.size());
  }
  // "Becker Elektrotechnik GmbH &" / "Co. KG": a name ending with "&"
  // goes on in the line under it.
  if (pick.extra_words == 0 && line.text.ends_with('&') &&
      best.line + 1 < m.lines.size()) {
    const Line& next = m.lines[best.line + 1];
    if (next.block == line.block &&
        next.box.y0 - line.box.y1 < m.median_height && next.letters >= 2 &&
        next.digits == 0) {
      go_on(next.ocr->words.size());
    }
  }
  const double evidence = best.score / (0.5 + 0.5 * line.confidence);
  SetField(
      out, "vendor_name",
      MakeField(RespellTradeWords(TidyPrinted(words.text)),
                Confidence(words.confidence, evidence), page_number, words));
  return pick;
}

// The smallest coin of currencies whose cash totals are rounded to it, in
// minor units: a page that prints a rounding line pays the total rounded to
// this step ("Total 13.58 / Rounding 0.02 / Total 13.60").
// Euro countries that round cash (Finland, the Netherlands, Belgium,
// Ireland, Italy, Slovakia) do so to 0.05 and print a rounding line when they
// do. With no currency read, a printed rounding line still says the total
// was rounded, and 0.05 is the step of most currencies that round.
int CashStep(std::string_view currency) {
  static const std::map<std::string_view, int> kSteps = {
      {"MYR", 5},  {"CHF", 5},  {"AUD", 5},   {"CAD", 5},   {"EUR", 5},
      {"NZD", 10}, {"DKK", 50}, {"SEK", 100}, {"NOK", 100}, {"", 5}};
  auto it = kSteps.find(currency);
  return it == kSteps.end() ? 0 : it->second;
}

// When the page prints a rounding line and the total is not a multiple of
// the currency's cash step, the total read is the one before rounding (the
// rounded line was not read, or not as a total): the amount paid is the
// nearest multiple.
void RoundForCash(const PageModel& m, std::string_view currency, int minor,
                  int page_number, core::Extraction& out) {
  const int step = CashStep(currency);
  auto it = out.fields.find("total");
  if (step == 0 || minor != 2 || it == out.fields.end() ||
      it->second.page != page_number) {
    return;
  }
  // A label line among the totals ("Rounding Adj", "Rounding Adjustment RM
  // 0.01"), not a title ("TAX INVOICE / ADJUSTMENT NOTE") or a sentence;
  // "Adjustment" alone must have its amount.
  auto says_rounding = [](const Line& l) {
    return std::any_of(l.tokens.begin(), l.tokens.end(), [](const Token& t) {
      for (std::string_view stem :
           {"round", "rund", "arrondi", "redonde", "pembulatan", "afrond",
            "arrotond", "pyoristys"}) {
        if (t.text.find(stem) != std::string::npos) return true;
      }
      return false;
    });
  };
  bool rounding_line = false;
  for (const Line& l : m.lines) {
    if (!(l.kinds & kRounding) || (l.kinds & kTitle) || l.tokens.size() > 5 ||
        l.yrel <= 0.25 || (!says_rounding(l) && l.amounts.empty())) {
      continue;
    }
    // "Rounding 0.00": nothing was rounded.
    if (!l.amounts.empty() && l.amounts.back().has_fraction &&
        l.amounts.back().value.Rescaled(minor).units() == 0) {
      return;
    }
    rounding_line = true;
  }
  if (!rounding_line) return;
  auto value = core::Decimal::Parse(it->second.value);
  if (!value || value->is_negative()) return;
  const int64_t cents = value->Rescaled(2).units();
  const int64_t rest = cents % step;
  if (rest == 0) return;
  const int64_t rounded = rest * 2 >= step ? cents - rest + step : cents - rest;
  it->second.value = core::Decimal(rounded, 2).ToString(2);
  it->second.confidence = Round3(it->second.confidence * 0.8);
  out.warnings.push_back("the total is rounded to the nearest " +
                         core::Decimal(step, 2).ToString(2) + " " +
                         std::string(currency) +
                         ", as the page's rounding line says");
}

// Country names as printed at the end of an address (folded).
bool IsCountry(std::string_view token) {
  static const std::set<std::string_view> kCountries = {
      "malaysia",   "singapore",  "indonesia",   "thailand",  "philippines",
      "vietnam",    "india",      "australia",   "usa",       "canada",
      "uk",         "england",    "ireland",     "germany",   "deutschland",
      "austria",    "osterreich", "switzerland", "schweiz",   "suisse",
      "france",     "belgique",   "belgium",     "nederland", "netherlands",
      "luxembourg", "spain",      "espana",      "portugal",  "italy",
      "italia",     "poland",     "polska",      "sweden",    "sverige",
      "norway",     "norge",      "denmark",     "danmark",   "finland",
      "latvia",     "latvija",    "lithuania",   "estonia",   "morocco",
      "maroc"};
  return kCountries.contains(token);
}

// A postcode with one character read as the letter it resembles ("S2100",
// "4O300"): five or six characters, all digits but that one.
std::string RepairPostcode(const std::string& word) {
  static constexpr std::string_view kLetters = "SsOoIlBZ";
  static constexpr std::string_view kDigits = "55001182";
  std::string core = word;
  std::string tail;
  while (!core.empty() && (core.back() == ',' || core.back() == '.')) {
    tail.insert(tail.begin(), core.back());
    core.pop_back();
  }
  if (core.size() != 5 && core.size() != 6) return word;
  size_t letter = std::string::npos;
  for (size_t i = 0; i < core.size(); ++i) {
    if (core[i] >= '0' && core[i] <= '9') continue;
    if (letter != std::string::npos) return word;
    letter = i;
  }
  if (letter == std::string::npos) return word;
  const size_t k = kLetters.find(core[letter]);
  if (k == std::string_view::npos) return word;
  core[letter] = kDigits[k];
  return core + tail;
}

// A British postcode ("BA1 1LT", "W1U 6TQ") whose digits OCR read as the
// letters they resemble ("BAl 1LT", "BA1 lLT"): `outward` and `inward`
// repaired in place when, so read, they are one.
void RepairUkPostcode(std::string& outward, std::string& inward) {
  auto digit = [](char c) -> char {
    switch (c) {
      case 'l':
      case 'I':
      case '|':
        return '1';
      case 'O':
      case 'o':
        return '0';
      default:
        return c;
    }
  };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const std::string in = WithoutTrailingPoints(inward);
  const size_t letters = outward.size() >= 2 && upper(outward[0])
                             ? (upper(outward[1]) ? 2 : 1)
                             : 0;
  if (letters == 0 || outward.size() < letters + 1 ||
      outward.size() > letters + 2 || in.size() != 3 || !upper(in[1]) ||
      !upper(in[2])) {
    return;
  }
  std::string out = outward;
  out[letters] = digit(out[letters]);
  const char first = digit(in[0]);
  if (!is_digit(out[letters]) || !is_digit(first)) return;
  if (out.size() == letters + 2 && !is_digit(out[letters + 1]) &&
      !upper(out[letters + 1])) {
    out[letters + 1] = digit(out[letters + 1]);
    if (!is_digit(out[letters + 1])) return;
  }
  outward = out;
  inward[0] = first;
}

// A Canadian postcode ("M5B 2H1", letter-digit-letter digit-letter-digit)
// after its province ("ON"), with a digit read as the letter it resembles
// or a letter as a digit ("MSB 2H1").
void RepairCanadianPostcode(const std::string& province, std::string& fsa,
                            std::string& ldu) {
  static constexpr std::string_view kProvinces[] = {
      "AB", "BC", "MB", "NB", "NL", "NS", "NT",
      "NU", "ON", "PE", "QC", "SK", "YT"};
  if (std::find(std::begin(kProvinces), std::end(kProvinces),
                WithoutTrailingPoints(province)) == std::end(kProvinces)) {
    return;
  }
  const std::string in = WithoutTrailingPoints(ldu);
  if (fsa.size() != 3 || in.size() != 3) return;
  static constexpr std::string_view kLetters = "SOIlBZG", kDigits = "5011826";
  auto as_digit = [](char c) {
    const size_t at = kLetters.find(c);
    return at == std::string_view::npos ? c : kDigits[at];
  };
  auto as_letter = [](char c) {
    const size_t at = kDigits.find(c);
    // Canadian postcodes have no D, F, I, O, Q or U.
    return at == std::string_view::npos || kLetters[at] == 'O' ||
                   kLetters[at] == 'I' || kLetters[at] == 'l'
               ? c
               : kLetters[at];
  };
  std::string code = fsa + in;
  for (size_t i = 0; i < code.size(); ++i) {
    code[i] = i % 2 == 0 ? as_letter(code[i]) : as_digit(code[i]);
    const bool ok = i % 2 == 0 ? (code[i] >= 'A' && code[i] <= 'Z')
                               : (code[i] >= '0' && code[i] <= '9');
    if (!ok) return;
  }
  fsa = code.substr(0, 3);
  ldu = code.substr(3) + ldu.substr(in.size());
}

// `word` with the "ß" of a German street ("Bahnhofstraße") that OCR read as
// "B" ("BahnhofstraBe", "StraBe") spelt again.
std::string RepairStreetEszett(std::string word) {
  for (size_t at = 0; (at = word.find("traBe", at)) != std::string::npos;) {
    if (at > 0 && (word[at - 1] == 's' || word[at - 1] == 'S')) {
      word.replace(at + 3, 1, "\u00df");
    }
    at += 3;
  }
  return word;
}

// The text of an address line as printed: punctuation that OCR set apart
// ("NO.50 , JALAN", "LUMPUR .") joined to its word, doubled commas single,
// postcodes with one letter for a digit repaired, and marks without letters
// or digits at the line's end ("JALAN KPB 6, ™") left out.
std::string AddressLineText(const Line& line) {
  const auto& words = line.ocr->words;
  auto punctuation = [](const std::string& t) {
    return !t.empty() && t.find_first_not_of(",.;:") == std::string::npos;
  };
  size_t end = words.size();
  while (end > 0 && !HasLetterOrDigit(words[end - 1].text) &&
         !(punctuation(words[end - 1].text) &&
           words[end - 1].text.find_first_of(";:") == std::string::npos)) {
    --end;
  }
  std::vector<std::string> texts;
  for (size_t i = 0; i < end; ++i) texts.push_back(words[i].text);
  for (size_t i = 0; i + 1 < texts.size(); ++i) {
    RepairUkPostcode(texts[i], texts[i + 1]);
    if (i > 0) RepairCanadianPostcode(texts[i - 1], texts[i], texts[i + 1]);
  }
  std::string out;
  for (const std::string& t : texts) {
    if (punctuation(t) && !out.empty()) {
      if (out.back() != t.front()) out += t;
      continue;
    }
    if (!out.empty()) out += ' ';
    out += RepairPostcode(RepairStreetEszett(t));
  }
  for (size_t at; (at = out.find(",,")) != std::string::npos;) out.erase(at, 1);
  return out;
}

// The lines of an address block read down from line `li`, the line above it
// being `prev` (AddressBlock).
struct AddressLines {
  std::vector<const Line*> taken;
  bool evidence = false;  // a line with address words or a postcode
  bool postcode = false;
};

AddressLines AddressBlock(const PageModel& m, size_t li, const Line* prev) {
  constexpr uint64_t kStop = kPhone | kTax | kTitle | kParty | kDateRole |
                             kTransaction | kTotal | kSub | kTender | kChange;
  AddressLines block;
  auto& [taken, evidence, postcode] = block;
  int skipped = 0;
  for (; li < m.lines.size() && taken.size() < 5; ++li) {
    const Line& line = m.lines[li];
    if (line.box.y0 - prev->box.y1 > 2.5 * m.median_height) break;
    // Another block: beside the address, or apart from it; the first line
    // under the name may start a block of its own when it lies under the
    // name (a name in large print stands further apart).
    if (line.block != prev->block &&
        (!taken.empty() || skipped > 0 ||
         HorizontalOverlap(line.box, prev->box) < 0.3)) {
      break;
    }
    const int chars = line.letters + line.digits + line.others;
    const bool house = StartsWithHouseNumber(line);
    const bool address =
        (line.kinds & kAddress) || line.postcode || (taken.empty() && house);
    const bool dated = !line.dates.empty();
    // A company or tax number: labelled ("Co. Reg. No. : 7251 86-V", "GST
    // NO: 0015..."), or mostly digits ("(861354-T)").
    const bool labelled = (line.kinds & (kRegId | kTaxId)) ||
                          ((line.kinds & kTax) && line.digits >= 8);
    const bool fraction =
        std::any_of(line.amounts.begin(), line.amounts.end(),
                    [](const AmountToken& a) { return a.has_fraction; });
    // A labelled number is no address even when it has five digits.
    const bool registration =
        line.digits >= 4 && !fraction &&
        ((labelled && !(line.kinds & kAddress)) ||
         (!address && !house && line.letters <= line.digits));
    // A company's name with its legal form ends an address above it.
    const bool named = !taken.empty() && (line.kinds & kLegal) &&
                       !(line.kinds & kAddress) && !line.postcode;
    const bool stop = ((line.kinds & kStop) && !registration) || named;
    if (registration && !taken.empty() && !evidence) {
      // The lines taken were the rest of the name block ("(Mutiara Rini
      // 16)" under the name, above "Co Reg No: ..."): the address is below.
      skipped += int(taken.size()) + 1;
      taken.clear();
      prev = &line;
      if (skipped > 4) break;
      continue;
    }
    if (taken.empty()) {
      // Before the address starts, a company number, a legal form printed
      // apart, a bare date and a branch name ("MYDIN MART SRI MUDA") are
      // passed over: the address starts at a line with address words, a
      // postcode or digits.
      const bool legal_only = LegalSuffixWords(line) == line.ocr->words.size();
      const bool branch = !address && line.digits == 0;
      if (skipped < 3 && !stop &&
          (registration || legal_only || dated || branch)) {
        ++skipped;
        prev = &line;
        continue;
      }
    } else if (registration) {
      break;  // a tax or company number after the address
    }
    if (stop || dated) break;
    // E-mail addresses, and "label : value" lines ("Careline : 1800 88").
    if (HasEmail(line.text)) break;
    if (!address && line.text.find(':') != std::string::npos) break;
    if (!address &&
        std::any_of(line.amounts.begin(), line.amounts.end(),
                    [](const AmountToken& a) { return a.has_fraction; })) {
      break;
    }
    if ((line.letters + line.digits) * 2 < chars) break;  // "-------"
    // A row of stars or dashes read as letters, with no sign of an address.
    if (!address && line.confidence < 0.4) break;
    taken.push_back(&line);
    evidence |= address;
    postcode |= line.postcode;
    prev = &line;
    // The country is the address's last line; what follows is a branch or
    // mall name.
    if (!line.tokens.empty() && IsCountry(line.tokens.back().text)) break;
  }
  return block;
}

// Whether `l` opens as an address does: a house number, or a street or unit
// word first.
bool OpensAddress(const Line& l) {
  if (StartsWithHouseNumber(l)) return true;
  if (!l.matches.empty() && l.matches[0].first == 0 &&
      (l.matches[0].kinds & kAddress)) {
    return true;
  }
  const std::string first =
      l.tokens.empty() ? std::string() : l.tokens.front().text;
  return first == "unit" || first == "suite";
}

void ExtractAddress(const PageModel& m, const VendorPick& vendor,
                    int page_number, core::Extraction& out) {
  // Read down from under the name's last line (its legal form, or the rest
  // of a wrapped name, may stand on the next).
  const size_t name_end = vendor.line + (vendor.extra_words > 0 ? 1 : 0);
  AddressLines block = AddressBlock(m, name_end + 1, &m.lines[name_end]);
  // No address under the name: a station's brand and address above the
  // operator's name ("BHPetrol Permas Jaya 2 / LOT PTD 101051 / ... /
  // Esjay Fuel Enterprise"), or a name read elsewhere. The first block in
  // the top half of the page that opens as an address and has a postcode is
  // the address.
  bool above = false;
  if (block.taken.empty() || !block.evidence) {
    for (size_t li = 0; li < m.lines.size(); ++li) {
      const Line& line = m.lines[li];
      if (line.yrel >= 0.5) break;
      if (li == vendor.line || !OpensAddress(line)) continue;
      AddressLines found = AddressBlock(m, li, &line);
      if (!found.taken.empty() && found.taken.front() == &line &&
          found.postcode) {
        block = std::move(found);
        above = true;
        break;
      }
    }
  }
  auto& [taken, evidence, postcode] = block;
  // A branch or mall name above the address ("Nando's 1 Mont Kiara" over
  // "Unit G-13, Ground Floor, ..."; "DOMINO'S PIZZA TAMAN UNIVERSITI" over
  // "30, Jln Kebudayaan 7,"): the address starts where a line opens as
  // addresses do, with a house number or a street or unit word, under a
  // line with no comma.
  if (taken.size() >= 2 && !OpensAddress(*taken[0]) &&
      OpensAddress(*taken[1]) && !taken[0]->postcode &&
      taken[0]->text.find(',') == std::string::npos) {
    taken.erase(taken.begin());
    evidence = std::any_of(taken.begin(), taken.end(), [](const Line* l) {
      return (l->kinds & kAddress) || l->postcode;
    });
  }
  if (taken.empty() || !evidence) return;
  WordSpan all;
  double conf = 0;
  for (const Line* l : taken) {
    const WordSpan w = WordsIn(*l, 0, l->text.size());
    all.box = all.empty ? w.box : Union(all.box, w.box);
    const std::string text = AddressLineText(*l);
    if (!all.text.empty() && !text.empty()) all.text += ' ';
    all.text += text;
    all.empty = false;
    conf += w.confidence;
  }
  all.confidence = conf / taken.size();
  const double strength = 0.35 + (postcode ? 0.3 : 0) + (above ? 0 : 0.15);
  SetField(out, "vendor_address",
           MakeField(TidyPrinted(all.text),
                     Confidence(all.confidence, strength), page_number, all));
}

// Warns when subtotal + tax != total, unless the difference is one the page
// explains (tip, rounding).
void CheckSum(core::Extraction& out, int minor,
              const std::vector<int64_t>& explained) {
  static const std::string kWarning = "subtotal + tax != total";
  std::erase(out.warnings, kWarning);
  auto value = [&](const char* name) -> std::optional<Decimal> {
    auto it = out.fields.find(name);
    if (it == out.fields.end()) return std::nullopt;
    auto d = Decimal::Parse(it->second.value);
    if (!d) return std::nullopt;
    return *d;
  };
  const auto sub = value("subtotal"), tax = value("tax"),
             total = value("total");
  if (!sub || !tax || !total) return;
  const int64_t diff = (*total - *sub - *tax).Rescaled(minor).units();
  if (std::find(explained.begin(), explained.end(), diff) == explained.end()) {
    out.warnings.push_back(kWarning);
  }
}

}  // namespace

namespace internal {

std::string RespellCompanyName(std::string_view name) {
  return RespellTradeWords(name);
}

bool IsLegalForm(std::string_view text) {
  OcrPage page;
  OcrLine& line = page.lines.emplace_back();
  for (std::string& word : SplitSpaces(text)) {
    line.words.push_back(OcrWord{.text = std::move(word)});
  }
  if (line.words.empty()) return false;
  const PageModel m = BuildModel(page);
  return LegalSuffixWords(m.lines.front()) > 0;
}

}  // namespace internal

std::vector<Reread> LinesToReread(const OcrPage& page, size_t max_lines) {
  const PageModel m = BuildModel(page);
  constexpr uint64_t kKeyAmount =
      kTotal | kDue | kBalance | kGrand | kSub | kTax | kTender | kChange;
  constexpr uint64_t kKeyDate = kDateWord | kInvoiceDate | kDueWord;
  constexpr uint64_t kTotalKinds = kTotal | kGrand | kDue;
  constexpr double kSure = 0.85;
  struct Wanted {
    int need;
    Reread at;
  };
  std::vector<Wanted> wanted;
  std::vector<std::vector<DateToken>> dates;
  for (const Line& line : m.lines) dates.push_back(FindDates(line.text));
  // A page with no date read anywhere: the date is often printed on the
  // line of the time of day ("19-04-18 17:39"), whatever its label.
  const bool no_date = std::all_of(dates.begin(), dates.end(),
                                   [](const auto& d) { return d.empty(); });
  for (size_t li = 0; li < m.lines.size(); ++li) {
    const Line& line = m.lines[li];
    const bool amount = (line.kinds & kKeyAmount) && !(line.kinds & kTaxId);
    // Any date read doubtfully is worth reading again, labelled or not: the
    // invoice date is often printed without a label.
    const bool date =
        (line.kinds & kKeyDate) || !dates[li].empty() ||
        (no_date && (HasTimeOfDay(line.text) || HasDateShape(line.text)));
    if (!amount && !date) continue;
    int need = 0;
    if (amount) {
      // A total matters most; an amount without its decimals ("35" for
      // "8.35") is as doubtful as one read with low confidence.
      const int weight = (line.kinds & kTotalKinds) ? 2 : 0;
      if (line.amounts.empty()) {
        need = 2 + weight;
      } else {
        const AmountToken& a = line.amounts.back();
        if (WordsIn(line, a.begin, a.end).confidence < kSure ||
            !a.has_fraction) {
          need = 1 + weight;
        }
      }
    }
    bool date_value = false;
    if (date) {
      // A page without a date needs one more than a doubtful amount.
      const std::vector<DateToken>& d = dates[li];
      const int date_need =
          d.empty() ? (no_date ? 3 : 2)
          : WordsIn(line, d.front().begin, d.front().end).confidence < kSure
              ? 1
              : 0;
      if (date_need > need) {
        need = date_need;
        date_value = true;
      }
    }
    if (need == 0) continue;
    // The value starts after the last label that asks for it.
    int x0 = line.box.x0;
    for (const Match& match : line.matches) {
      if (!(match.kinds & (kKeyAmount | kKeyDate))) continue;
      const size_t word = line.tokens[match.last].word;
      x0 = std::max(x0, line.ocr->words[word].box.x1);
    }
    wanted.push_back({need,
                      {size_t(line.ocr - page.lines.data()), x0, date_value,
                       !date_value && (line.kinds & kTotalKinds) != 0}});
  }
  std::stable_sort(
      wanted.begin(), wanted.end(),
      [](const Wanted& a, const Wanted& b) { return a.need > b.need; });
  std::vector<Reread> out;
  for (const Wanted& w : wanted) {
    if (out.size() == max_lines) break;
    out.push_back(w.at);
  }
  return out;
}

// Initials are letters: in a word of single characters each followed by a
// dot ("D.1.Y.", "S.0.S."), with at least two letters among them, a digit
// that OCR is known to read for a letter is that letter.
void RespellInitials(std::string& word) {
  static constexpr std::string_view kDigits = "105862";
  static constexpr std::string_view kLetters = "IOSBGZ";
  int letters = 0, digits = 0;
  size_t i = 0;
  while (i < word.size() && (word[i] == '(' || word[i] == '"')) ++i;
  const size_t begin = i;
  for (; i + 1 < word.size() && word[i + 1] == '.'; i += 2) {
    const auto c = static_cast<unsigned char>(word[i]);
    if (std::isalpha(c)) {
      ++letters;
    } else if (kDigits.find(char(c)) != std::string_view::npos) {
      ++digits;
    } else {
      return;
    }
  }
  // Only initials up to the end (a closing bracket or comma may follow).
  if (i < word.size() && std::isalnum(static_cast<unsigned char>(word[i]))) {
    return;
  }
  if (letters < 2 || digits == 0 || (i - begin) / 2 < 3) return;
  for (size_t j = begin; j < i; j += 2) {
    const size_t d = kDigits.find(word[j]);
    if (d != std::string_view::npos) word[j] = kLetters[d];
  }
}

// Undoes OCR confusions that general evidence can tell: a legal form misread
// by one letter next to its exact partner ("SON BHD", "SDN BHA" are "SDN
// BHD": the pair is a closed vocabulary, "SON" alone may be a name), and a
// yen or section sign inside a word of letters ("D.I.¥." is "D.I.Y."), and
// digits among initials ("D.1.Y."); the Polish "Sp. z o.o." and the Czech
// "s r.o." with zeros, the Indonesian "Jl." read "Ji.".
OcrPage internal::UndoConfusions(const OcrPage& page) {
  OcrPage out = page;
  auto fold = [](std::string_view w) {
    std::string f;
    for (char c : w) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        f += char(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return f;
  };
  // The word with its letters replaced by `canonical`, keeping the case
  // style and the punctuation around it ("Son." -> "Sdn.").
  auto respell = [](const std::string& word, std::string_view canonical) {
    const size_t b = word.find_first_of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    const size_t e = word.find_last_of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    if (b == std::string::npos) return word;
    const bool lower = std::islower(static_cast<unsigned char>(word[e]));
    std::string c(canonical);
    for (size_t i = 0; i < c.size(); ++i) {
      if (i > 0 && lower)
        c[i] = char(std::tolower(static_cast<unsigned char>(c[i])));
    }
    return word.substr(0, b) + c + word.substr(e + 1);
  };
  // The Czech and Slovak "s r.o." (and "s.r.o.") with its o read as a zero,
  // on one line or wrapped after the "s".
  auto czech_legal = [](std::string& t) {
    for (const char* zero : {"r.0.", "r.0", "R.0.", "r.O."}) {
      if (t == zero) t = "r.o.";
    }
    for (const char* zero : {"s.r.0.", "s.r.0", "S.R.0.", "s.r.O."}) {
      if (t == zero) t = t[0] == 'S' ? "S.R.O." : "s.r.o.";
    }
  };
  // A capital "I" read as "l" opening a word of four letters or more, in a
  // line whose other words of letters all open with a capital, or after a
  // postcode ("lonescu Transport S.R.L.", "700259 lași"): short lower-case
  // words ("de", "la", "los") are left, and so is any line with another.
  auto capital_i = [](std::vector<OcrWord>& words) {
    auto letter = [](unsigned char c) { return std::isalpha(c) || c >= 0x80; };
    std::optional<size_t> at;
    int capitals = 0;
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string& t = words[i].text;
      const auto first = static_cast<unsigned char>(t.empty() ? 0 : t[0]);
      // A postcode opening the line: a town's name follows.
      if (i == 0 && t.size() >= 4 &&
          size_t(internal::CountDigits(t)) == t.size()) {
        ++capitals;
      }
      if (!letter(first)) continue;
      const size_t size = t.find_last_not_of(".,") + 1;
      const bool lower_l =
          first == 'l' && size >= 4 &&
          std::all_of(t.begin() + 1, t.begin() + size, [&](char c) {
            return std::islower(static_cast<unsigned char>(c)) ||
                   static_cast<unsigned char>(c) >= 0x80;
          });
      if (lower_l && !at) {
        at = i;
      } else if (std::isupper(first) || first >= 0x80) {
        ++capitals;
      } else {
        return;
      }
    }
    if (at && capitals >= 1) words[*at].text[0] = 'I';
  };
  const OcrLine* before = nullptr;
  for (OcrLine& line : out.lines) {
    auto& words = line.words;
    capital_i(words);
    for (size_t i = 0; i < words.size(); ++i) {
      const bool after_s = i > 0 ? words[i - 1].text == "s"
                                 : before && !before->words.empty() &&
                                       before->words.back().text == "s";
      if (after_s || words[i].text.starts_with("s.") ||
          words[i].text.starts_with("S.")) {
        czech_legal(words[i].text);
      }
    }
    before = &line;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      const std::string a = fold(words[i].text), b = fold(words[i + 1].text);
      // "S/B" (Sdn Bhd) with one of its letters read as a digit ("5/B",
      // "S/8") after a word: a fraction has digits on both sides.
      const std::string& t = words[i + 1].text;
      const bool registration_next =
          i + 2 < words.size() && words[i + 2].text.starts_with("(");
      if (a.size() >= 2 &&
          (t == "5/B" || t == "S/8" || (t == "5/8" && registration_next))) {
        words[i + 1].text = "S/B";
      }
      // The Polish "Sp. z o.o." with its o's read as zeros ("Sp. z 0.0.").
      if (a == "z" && i > 0 && fold(words[i - 1].text) == "sp" &&
          (t == "0.0." || t == "o.0." || t == "0.o." || t == "0.0")) {
        words[i + 1].text = "o.o.";
      }
      // The Indonesian street "Jl." with its l read as i, before the
      // street's name.
      if ((words[i].text == "Ji." || words[i].text == "JI.") &&
          std::isupper(static_cast<unsigned char>(t[0]))) {
        words[i].text = words[i].text == "Ji." ? "Jl." : "JL.";
      }
      if (a.size() != 3 || b.size() != 3) continue;
      if (b == "bhd" && a != "sdn" && WithinOneEdit(a, "sdn")) {
        words[i].text = respell(words[i].text, "SDN");
      } else if (a == "sdn" && b != "bhd" && WithinOneEdit(b, "bhd")) {
        words[i + 1].text = respell(words[i + 1].text, "BHD");
      }
    }
    for (OcrWord& w : words) {
      std::string& t = w.text;
      RespellInitials(t);
      for (const std::string_view sign : {"\u00a5", "\u00a7"}) {
        for (size_t at = t.find(sign); at != std::string::npos;
             at = t.find(sign, at + 1)) {
          const bool after_letter =
              at > 0 && (std::isalpha(static_cast<unsigned char>(t[at - 1])) ||
                         t[at - 1] == '.');
          if (!after_letter) continue;
          t.replace(at, sign.size(), sign == "\u00a5" ? "Y" : "S");
        }
      }
    }
  }
  return out;
}

namespace {

// A field whose value is the sum of `parts` less `less` (however its sign
// was printed), its box around them and its text theirs joined by " + " and
// " - " ("224.01 + 224.01").
Field SumField(const std::vector<const AmountCand*>& parts, double confidence,
               int minor, int page_number,
               const std::vector<const AmountCand*>& less = {}) {
  core::Decimal sum(0, minor);
  WordSpan words = parts.front()->words;
  std::string text;
  for (const AmountCand* c : parts) {
    sum = sum + c->token->value;
    words.box = Union(words.box, c->words.box);
    text += (text.empty() ? "" : " + ") + c->words.text;
  }
  for (const AmountCand* c : less) {
    const core::Decimal zero(0, minor);
    const core::Decimal& v = c->token->value;
    sum = v < zero ? sum + v : sum - v;
    words.box = Union(words.box, c->words.box);
    text += " - " + c->words.text;
  }
  Field f = MakeField(sum.ToString(minor), confidence, page_number, words);
  f.text = text;
  return f;
}

}  // namespace

void ExtractFields(const OcrPage& read, int page_number,
                   core::Extraction& out) {
  const OcrPage page =
      internal::JoinWrappedCells(internal::UndoConfusions(read));
  PageModel m = BuildModel(page);
  if (m.lines.empty()) return;

  std::optional<CurrencyChoice> currency = ChooseCurrency(m);
  ExtractDates(m, CountryDateOrder(m, currency), page_number, out);

  const int minor = core::MinorDigits(currency ? currency->code : "");
  // Whether money on this page has cents: not where it prints whole amounts.
  const bool cents = minor > 0 && !m.whole_amounts;

  std::vector<AmountCand> cands;
  AmountResult amounts = ChooseAmounts(m, minor, cands);
  // No total, or only a whole number where the currency has decimals
  // ("SUMME 6? 22" beside nothing): the OCR may have read the prices as a
  // column of their own, apart from their labels, a bold total lower than
  // its label ("GESAMT" ... "170,59 EUR" as two blocks). The amounts are
  // chosen again from the page's rows, lines beside each other that
  // overlap in height joined.
  OcrPage rows_page;  // the rows model's lines point into it
  PageModel rows;
  std::vector<AmountCand> row_cands;
  const bool whole_total =
      amounts.total && cents && !amounts.total->token->has_fraction;
  // Or a subtotal and tax that do not make the total: a label whose value
  // stands in a column read apart ("IVA 10%" beside nothing, its "1.313,83"
  // in the column of values) leaves a tax out; or a subtotal's label beside
  // nothing and no subtotal ("Zwischentotal" over "Rabatt 10%", the values
  // a column of their own). The rows' choice is taken when it makes the
  // same total with its parts.
  const bool sub_unread =
      amounts.total && !amounts.sub &&
      std::any_of(m.lines.begin(), m.lines.end(), [](const Line& l) {
        return (l.kinds & kSub) && l.amounts.empty();
      });
  const bool parts_missing = (amounts.total && amounts.sub && amounts.tax &&
                              !AddsUp(amounts, amounts.total->minor_units)) ||
                             sub_unread;
  // Or a total taken from an amount due while a total's label stands beside
  // nothing ("Wartość brutto" over "Zaliczka", the values a column of their
  // own, and "Pozostało do zapłaty 7.872,72" read with its value): the
  // rows' total is taken when its parts make it.
  auto total_label = [](const Line& l) {
    return (l.kinds & kTotal) && !(l.kinds & (kSub | kTax | kExcl | kDue));
  };
  const bool total_unread =
      amounts.total && !total_label(*amounts.total->line) &&
      std::any_of(m.lines.begin(), m.lines.end(), [&](const Line& l) {
        return total_label(l) && l.amounts.empty();
      });
  if (!amounts.total || whole_total || parts_missing || total_unread) {
    rows_page = internal::UndoConfusions(internal::RowsAsPage(read, 0.2));
    rows = BuildModel(rows_page);
    AmountResult again = ChooseAmounts(rows, minor, row_cands);
    // With no total in either, the rows may still pair what was tendered
    // and given back with their labels: the total is what was paid.
    const bool paid_only =
        !amounts.total && !again.total && again.tendered && again.change;
    const bool parts_found =
        parts_missing && again.total && again.sub && again.tax &&
        again.total->minor_units == amounts.total->minor_units &&
        AddsUp(again, again.total->minor_units);
    // (Made by its parts, or by the amount due and a payment printed on the
    // page: "Zaliczka -3.374,00".)
    const bool total_found =
        total_unread && again.total && total_label(*again.total->line) &&
        (AddsUp(again, again.total->minor_units) ||
         std::any_of(
             row_cands.begin(), row_cands.end(), [&](const AmountCand& p) {
               return (p.role.tender || p.minor_units < 0) &&
                      again.total->minor_units - std::abs(p.minor_units) ==
                          amounts.total->minor_units;
             }));
    if ((!parts_missing && !total_unread && again.total &&
         (!whole_total || again.total->token->has_fraction)) ||
        paid_only || parts_found || total_found) {
      amounts = std::move(again);
      cands.swap(row_cands);
    }
  }
  // A currency read only from marks in running text, or from one mark
  // less sure than a country the page names, gives way to the country's.
  CountryEvidence country = CountryCurrency(m);
  const bool marks_give_way =
      currency && !country.code.empty() && country.code != currency->code &&
      (currency->strongest <= 0.4 ||
       (country.line && country.confidence > currency->confidence));
  if (currency && !marks_give_way) {
    // The sign printed on the total itself is the best evidence.
    const AmountCand* t = amounts.total;
    if (t && t->token->currency &&
        t->token->currency->code == currency->marked) {
      currency->confidence += 0.1;
    }
    currency->confidence = Round3(std::clamp(currency->confidence, 0.05,
                                             currency->ambiguous ? 0.7 : 0.97));
    SetField(out, "currency",
             MakeField(currency->code, currency->confidence, page_number,
                       currency->words));
  } else if (!country.code.empty() &&
             (country.line || amounts.total || !amounts.parts.empty())) {
    // No mark printed: the country's currency, found where the page tells
    // it, or on the total (or the parts it is made of) for its language.
    // Bulgaria's lev gave way to the euro on 1 January 2026.
    auto date = out.fields.find("invoice_date");
    if (country.code == "BGN" && date != out.fields.end() &&
        date->second.value >= "2026-01-01") {
      country.code = "EUR";
    }
    const WordSpan where =
        country.line    ? WordsIn(*country.line, 0, country.line->text.size())
        : amounts.total ? amounts.total->words
                        : amounts.parts.front()->words;
    SetField(out, "currency",
             MakeField(country.code, country.confidence, page_number, where));
  }
  auto set_amount = [&](const char* name, const AmountCand* c, double conf) {
    if (!c) return;
    SetField(out, name,
             MakeField(c->token->value.ToString(minor), conf, page_number,
                       c->words));
  };
  set_amount("total", amounts.total, amounts.total_conf);
  // A total that could not be read (none, only weakly supported, or a whole
  // number where the currency has decimals: "aw 35" for "RM8.35") is what
  // was paid, when the page says what was tendered and what was given back.
  const bool weak_total = !amounts.total || amounts.total_conf < 0.35 ||
                          (cents && !amounts.total->token->has_fraction);
  if (weak_total && amounts.tendered && amounts.change) {
    const AmountCand& t = *amounts.tendered;
    const AmountCand& k = *amounts.change;
    const core::Decimal paid = t.token->value - k.token->value;
    if (!amounts.total || !(amounts.total->token->value == paid)) {
      Field f = MakeField(
          paid.ToString(minor),
          Round3(0.6 * std::min(t.words.confidence, k.words.confidence)),
          page_number, t.words);
      f.bbox = Union(t.words.box, k.words.box);
      f.text = t.words.text + " - " + k.words.text;
      if (amounts.total) out.fields.erase("total");  // this page's weak one
      SetField(out, "total", std::move(f));
      out.warnings.push_back(
          "the total could not be read; it is the amount "
          "tendered less the change");
    }
  }
  // No total read at all, but the subtotal, the tax and what the page adds
  // to them (a service charge, rounding): the total is their sum.
  if (!out.fields.contains("total") && !amounts.parts.empty()) {
    double confidence = 1;
    for (const AmountCand* c : amounts.parts) {
      confidence = std::min(confidence, double(c->words.confidence));
    }
    SetField(out, "total",
             SumField(amounts.parts, Round3(0.5 * confidence), minor,
                      page_number, amounts.discounts));
    out.warnings.push_back(
        amounts.misread_total
            ? "the total was read as " +
                  amounts.misread_total->token->value.ToString(minor) +
                  ", a misreading of the subtotal plus tax; it is their "
                  "sum"
            : "the total could not be read; it is the subtotal plus tax and "
              "what the page adds to them");
  }
  RoundForCash(m, currency && !marks_give_way ? currency->code : "", minor,
               page_number, out);
  set_amount("subtotal", amounts.sub, amounts.sub_conf);
  if (amounts.tax && amounts.tax2) {
    const AmountCand *a = amounts.tax, *b = amounts.tax2;
    if (b->line_index < a->line_index) std::swap(a, b);
    SetField(out, "tax",
             SumField({a, b}, amounts.tax_conf, minor, page_number));
  } else {
    set_amount("tax", amounts.tax, amounts.tax_conf);
  }
  set_amount("tip", amounts.tip, amounts.tip_conf);

  // The name and the address are read column by column: on a letterhead
  // the customer's block or the title may stand beside them on the same
  // rows.
  OcrPage columns_page =
      internal::UndoConfusions(internal::ColumnsAsPage(read));
  // A speck read as a line of its own ("i.") between a name and its legal
  // form on the next line is no line of the letterhead.
  std::erase_if(columns_page.lines, [](const OcrLine& line) {
    const std::string text = line.Text();
    return std::count_if(text.begin(), text.end(),
                         [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c));
                         }) <= 1 &&
           std::none_of(text.begin(), text.end(),
                        [](char c) { return c & 0x80; });
  });
  const PageModel columns = BuildModel(columns_page);
  if (auto vendor = ExtractVendor(columns, page_number, out)) {
    ExtractAddress(columns, *vendor, page_number, out);
  }
  // A credit note's amounts were read with their signs turned.
  if (m.credit) {
    for (const char* name : {"total", "subtotal", "tax", "tip"}) {
      auto it = out.fields.find(name);
      if (it == out.fields.end()) continue;
      if (auto d = core::Decimal::Parse(it->second.value)) {
        it->second.value = (core::Decimal(0, 0) - *d).ToString(minor);
      }
    }
  }
  CheckSum(out, minor, amounts.explained);
}

}  // namespace invoices::extract
