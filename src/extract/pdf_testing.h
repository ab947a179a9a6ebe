// A small PDF writer for tests: objects, a cross-reference table with exact
// offsets, Helvetica text (whose metrics poppler knows without a font file),
// drawn rectangles. Header-only; used by the PDF and scanner tests.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace invoices::extract::pdf_testing {

using Bytes = std::vector<uint8_t>;

inline std::span<const uint8_t> Span(const Bytes& b) {
  return {b.data(), b.size()};
}

// Objects numbered from 1 in the order reserved; Build writes them with an
// xref table whose offsets are exact.
class PdfWriter {
 public:
  int Reserve() {
    objects_.emplace_back();
    return int(objects_.size());
  }
  void Set(int number, std::string body) {
    objects_[number - 1] = std::move(body);
  }
  int Add(std::string body) {
    const int n = Reserve();
    Set(n, std::move(body));
    return n;
  }
  static std::string Stream(const std::string& dict, const std::string& data) {
    return "<< " + dict + " /Length " + std::to_string(data.size()) +
           " >>\nstream\n" + data + "\nendstream";
  }
  static std::string Ref(int n) { return std::to_string(n) + " 0 R"; }

  Bytes Build(int root, const std::string& trailer_extra = "") const {
    std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects_.size(); ++i) {
      offsets.push_back(out.size());
      out += std::to_string(i + 1) + " 0 obj\n" + objects_[i] + "\nendobj\n";
    }
    const size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects_.size() + 1) +
           "\n0000000000 65535 f \n";
    char entry[32];
    for (size_t off : offsets) {
      std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
      out += entry;
    }
    out += "trailer\n<< /Size " + std::to_string(objects_.size() + 1) +
           " /Root " + Ref(root) + trailer_extra + " >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return Bytes(out.begin(), out.end());
  }

 private:
  std::vector<std::string> objects_;
};

// Pages with the given content streams, Helvetica as /F1.
struct PageSpec {
  std::string content;
  std::string media_box = "0 0 612 792";  // US Letter
  std::string extra;                      // more page dictionary entries
};

inline Bytes MakePdf(const std::vector<PageSpec>& pages,
                     const std::string& catalog_extra = "",
                     PdfWriter* writer_in = nullptr) {
  PdfWriter local;
  PdfWriter& w = writer_in ? *writer_in : local;
  const int catalog = w.Reserve();
  const int tree = w.Reserve();
  const int font = w.Add(
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
      "/Encoding /WinAnsiEncoding >>");
  std::string kids;
  for (const PageSpec& p : pages) {
    const int content = w.Add(PdfWriter::Stream("", p.content));
    const int page = w.Add(
        "<< /Type /Page /Parent " + PdfWriter::Ref(tree) + " /MediaBox [" +
        p.media_box + "] /Resources << /Font << /F1 " + PdfWriter::Ref(font) +
        " >> >> /Contents " + PdfWriter::Ref(content) + p.extra + " >>");
    kids += PdfWriter::Ref(page) + " ";
  }
  w.Set(tree, "<< /Type /Pages /Kids [" + kids + "] /Count " +
                  std::to_string(pages.size()) + " >>");
  w.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(tree) +
                     catalog_extra + " >>");
  return w.Build(catalog);
}

inline std::string Text(double x, double y, double size, const std::string& s) {
  return "BT /F1 " + std::to_string(size) + " Tf " + std::to_string(x) + " " +
         std::to_string(y) + " Td (" + s + ") Tj ET\n";
}

}  // namespace invoices::extract::pdf_testing
