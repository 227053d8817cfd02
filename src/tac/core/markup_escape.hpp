#pragma once
// Text for HTML and XML (SVG) element content and quoted attribute values: the five characters
// with a meaning there become entities. One function for the demo page, the charts and the lab
// report, so none of them can forget a character.
#include <string>
#include <string_view>

namespace tac {

inline std::string markup_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

}  // namespace tac
