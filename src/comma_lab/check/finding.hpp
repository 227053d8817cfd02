#pragma once
// One result of `tac lab check`: a stable id (tests and scripts match on it), a severity and a
// one-line reason naming the file or member.
#include <string>
#include <string_view>
#include <vector>

namespace comma_lab::check {

enum class Severity { error, warning, note };
std::string_view severity_name(Severity s);

struct Finding {
  std::string id;  // e.g. "zip.parent-dir", "runtime.network"
  Severity severity = Severity::error;
  std::string reason;
};

using Findings = std::vector<Finding>;

}  // namespace comma_lab::check
