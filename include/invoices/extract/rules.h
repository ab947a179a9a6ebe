// Ruled lines out of a page before OCR. Receipts and invoices separate their
// parts with printed rules (solid or dashed, often a little slanted on a
// photo); a rule that runs close above or below a line of text makes
// Tesseract's line finder take the two for one, and the text under it is
// read as noise ("Date: 22/12/2017" under a rule came out "Date: ae").
// Thread safety: reentrant; images are plain values.
#pragma once

#include "invoices/extract/image.h"

namespace invoices::extract {

struct RuleOptions {
  // A rule is at least this long, as a share of the page's width, and at
  // least `min_length_px`.
  double min_length_share = 0.08;
  int min_length_px = 40;
  // A rule is thin: its ink is at most this thick where it is erased (a
  // stroke of a letter the rule touches is thicker and stays).
  int max_thickness_px = 8;
  // Rows of slant allowed along a rule: a rule photographed at a small angle
  // steps from row to row and still counts as one.
  int slant_rows = 1;
  // Gaps (dashes, dots, a faint spot) bridged inside one rule.
  int max_gap_px = 3;
};

// What RemoveRules found.
struct RuleStats {
  int rules = 0;       // runs erased
  int64_t erased = 0;  // pixels painted as paper
  int threshold = 0;   // ink at or below this grey level
};

// Paints the ink of long, thin horizontal rules as paper (white), leaving
// text, including strokes a rule crosses. Ink is told from paper by the
// page's Otsu threshold. Cost is linear in the pixels.
RuleStats RemoveRules(GrayImage& image, const RuleOptions& options = {});

}  // namespace invoices::extract
