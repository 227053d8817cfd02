#include "comma_lab/grade/grade.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "comma_lab/custody/runtime_identity.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace comma_lab::grade {
using nlohmann::json;

std::string_view grade_name(Grade g) {
  switch (g) {
    case Grade::a_plus_plus: return "A++";
    case Grade::a: return "A";
    case Grade::a_negative: return "A-negative";
    case Grade::empirical: return "empirical";
    case Grade::derivation: return "derivation/prediction";
    case Grade::external: return "external";
    case Grade::invalid: return "invalid";
  }
  return "?";
}

std::optional<Grade> parse_grade(std::string_view name) {
  for (const Grade g : {Grade::a_plus_plus, Grade::a, Grade::a_negative, Grade::empirical, Grade::derivation,
                        Grade::external, Grade::invalid})
    if (grade_name(g) == name) return g;
  if (name == "derivation" || name == "prediction") return Grade::derivation;
  return std::nullopt;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::not_checked: return "not checked";
  }
  return "?";
}

std::vector<std::string> Verdict::reasons() const {
  std::vector<std::string> out;
  for (const auto& r : rules)
    if (r.outcome != Outcome::pass && r.cap != Grade::a_plus_plus) out.push_back(fmt::format("{}: {}", r.id, r.text));
  return out;
}

namespace {

// Rank for capping: lower is better. A-negative is A's grade with a flag, applied at the end.
int rank(Grade g) {
  switch (g) {
    case Grade::a_plus_plus: return 0;
    case Grade::a: return 1;
    case Grade::a_negative: return 1;
    case Grade::empirical: return 2;
    default: return 3;
  }
}

bool is_hex64(const json& j) {
  if (!j.is_string()) return false;
  const auto& s = j.get_ref<const std::string&>();
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c)); });
}

const json* at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    const auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string str(const json& j, std::initializer_list<const char*> path) {
  const json* v = at(j, path);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

class Rules {
 public:
  void add(std::string id, bool ok, std::string text, Grade cap) {
    rules_.push_back({std::move(id), ok ? Outcome::pass : Outcome::fail, std::move(text), cap});
  }
  void unchecked(std::string id, std::string text, Grade cap) {
    rules_.push_back({std::move(id), Outcome::not_checked, std::move(text), cap});
  }
  Verdict finish(Grade best, bool negative) && {
    Grade g = best;
    for (const auto& r : rules_)
      if (r.outcome != Outcome::pass && rank(r.cap) > rank(g)) g = r.cap;
    if (negative && rank(g) <= 1) g = Grade::a_negative;
    return Verdict{g, std::move(rules_)};
  }

 private:
  std::vector<RuleResult> rules_;
};

// The fields every evaluation rule reads, with their types.
std::vector<std::string> missing_fields(const json& r) {
  std::vector<std::string> missing;
  auto need = [&](std::initializer_list<const char*> path, bool (*ok)(const json&), const char* name) {
    const json* v = at(r, path);
    if (!v || !ok(*v)) missing.push_back(name);
  };
  auto number = [](const json& v) { return v.is_number() && std::isfinite(v.get<double>()); };
  auto nonneg = [](const json& v) { return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0; };
  auto count = [](const json& v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0); };
  auto positive = [](const json& v) { return v.is_number_integer() && v.get<std::int64_t>() > 0; };
  auto string = [](const json& v) { return v.is_string(); };
  need({"archive", "sha256"}, is_hex64, "archive.sha256 (64 lower-case hex digits)");
  need({"archive", "bytes"}, count, "archive.bytes");
  need({"original_bytes"}, positive, "original_bytes (> 0)");
  need({"rate"}, number, "rate");
  need({"avg_segnet_distortion"}, nonneg, "avg_segnet_distortion (>= 0)");
  need({"avg_posenet_distortion"}, nonneg, "avg_posenet_distortion (>= 0)");
  need({"n_samples"}, count, "n_samples");
  need({"score"}, number, "score");
  need({"device"}, string, "device");
  return missing;
}

bool cuda_device(const std::string& d) { return d.rfind("cuda", 0) == 0; }
bool cpu_axis(const std::string& a) { return a == "contest-cpu" || a == "cpu-advisory"; }
bool cuda_axis(const std::string& a) { return a == "contest-cuda" || a == "cuda-advisory"; }

void score_rules(const json& r, Rules& rules) {
  const double seg = r["avg_segnet_distortion"].get<double>(), pose = r["avg_posenet_distortion"].get<double>();
  const auto bytes = r["archive"]["bytes"].get<std::uint64_t>();
  const auto original = r["original_bytes"].get<std::uint64_t>();
  const double rate = double(bytes) / double(original);
  const double recomputed = 100.0 * seg + std::sqrt(10.0 * pose) + 25.0 * rate;
  const double score = r["score"].get<double>();
  const double ds = std::abs(recomputed - score), dr = std::abs(rate - r["rate"].get<double>());
  rules.add("score.recomputed", ds <= kTolerance,
            fmt::format("score {:.9g} vs 100·seg + √(10·pose) + 25·bytes/original = {:.9g} (|Δ| {:.3g}, limit 1e-6)", score,
                        recomputed, ds),
            Grade::invalid);
  rules.add("rate.recomputed", dr <= kTolerance,
            fmt::format("rate {:.9g} vs archive bytes {} / original bytes {} = {:.9g} (|Δ| {:.3g}, limit 1e-6)",
                        r["rate"].get<double>(), bytes, original, rate, dr),
            Grade::invalid);
  const auto n = r["n_samples"].get<std::uint64_t>();
  rules.add("samples.600", n == std::uint64_t(tac::contest::kContestSamples),
            fmt::format("{} samples scored (the contest scores {})", n, tac::contest::kContestSamples), Grade::empirical);
  const json* ps = at(r, {"per_sample"});
  if (!ps || !ps->is_object()) {
    rules.unchecked("components.per-sample", "no per-sample distortions in the record", Grade::a_plus_plus);
    return;
  }
  const json* segs = at(*ps, {"segnet_distortion"});
  const json* poses = at(*ps, {"posenet_distortion"});
  bool ok = segs && poses && segs->is_array() && poses->is_array() && segs->size() == n && poses->size() == n;
  double sum_seg = 0, sum_pose = 0;
  if (ok) {
    for (std::size_t i = 0; i < n && ok; ++i) {
      ok = (*segs)[i].is_number() && (*poses)[i].is_number();
      if (ok) sum_seg += (*segs)[i].get<double>(), sum_pose += (*poses)[i].get<double>();
    }
  }
  const double mean_seg = n ? sum_seg / double(n) : 0, mean_pose = n ? sum_pose / double(n) : 0;
  ok = ok && n > 0 && std::abs(mean_seg - seg) <= kTolerance && std::abs(mean_pose - pose) <= kTolerance;
  rules.add("components.per-sample", ok,
            ok ? fmt::format("the {} per-sample distortions average to the recorded seg and pose", n)
               : fmt::format("per-sample distortions do not average to the recorded components (seg {:.9g} vs {:.9g}, pose {:.9g} vs {:.9g}) or miss samples",
                             mean_seg, seg, mean_pose, pose),
            Grade::invalid);
}

void axis_rules(const json& r, const CustodyFacts& facts, Rules& rules) {
  const std::string axis = str(r, {"axis"}), device = str(r, {"device"});
  const bool named = cpu_axis(axis) || cuda_axis(axis);
  rules.add("axis.named", named,
            named ? fmt::format("axis {}", axis) : fmt::format("axis '{}' is not one of contest-cpu, contest-cuda, cpu-advisory, cuda-advisory", axis),
            Grade::invalid);
  if (!named) return;
  const bool consistent = cuda_device(device) ? cuda_axis(axis) : (device == "cpu" && cpu_axis(axis));
  rules.add("axis.device", consistent,
            consistent ? fmt::format("device {} scores on the {} axis", device, axis)
                       : fmt::format("device '{}' cannot give a {} record (CPU and CUDA are never mixed)", device, axis),
            Grade::invalid);
  rules.add("axis.contest", axis == "contest-cpu" || axis == "contest-cuda",
            axis.rfind("contest-", 0) == 0 ? fmt::format("{} is a contest axis", axis)
                                           : fmt::format("{} is advisory, not a contest axis", axis),
            Grade::empirical);
  if (axis == "contest-cpu") {
    const std::string os = str(r, {"platform", "os"}), arch = str(r, {"platform", "arch"});
    if (!os.empty() || !arch.empty()) {
      const bool ok = (os == "linux" || os == "Linux") && arch == "x86_64";
      rules.add("axis.platform", ok, fmt::format("contest-cpu needs Linux x86_64; recorded {} {}", os, arch), Grade::invalid);
    } else if (!str(r, {"tac_version"}).empty()) {
      rules.add("axis.platform", true, "platform not recorded; tac grants contest-cpu only on Linux x86_64 builds", Grade::empirical);
    } else {
      rules.add("axis.platform", false, "contest-cpu needs Linux x86_64, and the record names no platform", Grade::empirical);
    }
  } else if (axis == "contest-cuda") {
    const std::string gpu = str(r, {"gpu"});
    const bool t4 = gpu.find("T4") != std::string::npos;
    rules.add("axis.platform", t4,
              t4 ? fmt::format("contest-cuda on {}", gpu)
                 : fmt::format("contest-cuda needs T4-class hardware named; the record names '{}'", gpu),
              Grade::empirical);
  }
  if (facts.claimed_axis) {
    const std::string& claim = *facts.claimed_axis;
    const bool same_family = (cpu_axis(claim) && cpu_axis(axis)) || (cuda_axis(claim) && cuda_axis(axis));
    rules.add("axis.claim", same_family,
              same_family ? fmt::format("a {} record backs a {} claim", axis, claim)
                          : fmt::format("a {} record never backs a {} claim", axis, claim),
              Grade::invalid);
  }
}

void identity_rules(const json& r, Rules& rules) {
  const std::string seg = str(r, {"weights", "segnet", "sha256"}), pose = str(r, {"weights", "posenet", "sha256"});
  const bool real = seg == tac::contest::kSegnetSha256 && pose == tac::contest::kPosenetSha256;
  rules.add("scorer.real", real,
            real ? "SegNet and PoseNet weights are the real upstream files by SHA-256"
                 : fmt::format("scorer weights are not the real upstream files (segnet {}, posenet {}): a twin or unknown scorer",
                               seg.empty() ? "unrecorded" : seg.substr(0, 16), pose.empty() ? "unrecorded" : pose.substr(0, 16)),
            Grade::empirical);
  const json* videos = at(r, {"videos"});
  bool all_real = videos && videos->is_array() && !videos->empty();
  if (all_real)
    for (const auto& v : *videos) all_real = all_real && v.is_object() && str(v, {"sha256"}) == tac::contest::kVideoSha256;
  rules.add("video.real", all_real,
            all_real ? "every original video is the contest's videos/0.mkv by SHA-256"
                     : "the original video is not the contest's videos/0.mkv by SHA-256 (or unrecorded)",
            Grade::empirical);
  const bool lenient = at(r, {"lenient"}) && r["lenient"].is_boolean() && r["lenient"].get<bool>() && at(r, {"lenient_notes"}) &&
                       r["lenient_notes"].is_array() && !r["lenient_notes"].empty();
  rules.add("frames.strict", !lenient, lenient ? "--lenient accepted malformed frames" : "frames read strictly", Grade::empirical);
}

void custody_rules(const json& r, const CustodyFacts& facts, Rules& rules) {
  const std::string sha = r["archive"]["sha256"].get<std::string>();
  const auto bytes = r["archive"]["bytes"].get<std::uint64_t>();
  std::error_code ec;
  if (!facts.archive || !std::filesystem::is_regular_file(*facts.archive, ec)) {
    rules.unchecked("archive.on-disk", facts.archive ? fmt::format("{}: no such archive", facts.archive->string())
                                                      : std::string("the archive bytes were not presented"),
                    Grade::empirical);
  } else {
    const auto disk_bytes = std::filesystem::file_size(*facts.archive);
    const auto disk_sha = tac::sha256_file_hex(*facts.archive);
    rules.add("archive.sha256", disk_sha == sha,
              fmt::format("{}: SHA-256 on disk {} {} the record's {}", facts.archive->string(), disk_sha.substr(0, 16),
                          disk_sha == sha ? "equals" : "differs from", sha.substr(0, 16)),
              Grade::invalid);
    rules.add("archive.bytes", disk_bytes == bytes,
              fmt::format("{}: {} bytes on disk, {} in the record", facts.archive->string(), disk_bytes, bytes), Grade::invalid);
  }
  const std::string runtime = str(r, {"runtime", "sha256"});
  const bool present = is_hex64(json(runtime));
  rules.add("runtime.present", present,
            present ? fmt::format("runtime hash {}", runtime.substr(0, 16)) : std::string("the record has no runtime hash"),
            Grade::empirical);
  if (!facts.submission_dir) {
    rules.unchecked("runtime.matches", "the runtime files were not presented", Grade::empirical);
  } else if (present) {
    const auto disk = custody::runtime_identity(*facts.submission_dir);
    rules.add("runtime.matches", disk.sha256 == runtime,
              fmt::format("{}: runtime hash on disk {} {} the record's {}", facts.submission_dir->string(), disk.sha256.substr(0, 16),
                          disk.sha256 == runtime ? "equals" : "differs from", runtime.substr(0, 16)),
              Grade::invalid);
  }
}

void run_rules(const json& r, Rules& rules) {
  // tac eval writes "ran (12.34 s)"; "skipped: ..." or "existing frames ..." otherwise.
  const std::string inflate = str(r, {"inflate"});
  const bool ran = inflate == "ran" || inflate.rfind("ran (", 0) == 0;
  rules.add("inflate.ran", ran,
            ran ? "this run inflated the archive with the recorded runtime"
                             : fmt::format("the scored frames were not inflated by this run ({})", inflate.empty() ? "unrecorded" : inflate),
            Grade::a);
  const json* total = at(r, {"elapsed_seconds", "total"});
  if (total && total->is_number()) {
    const double s = total->get<double>();
    rules.add("time.limit", s <= kContestSeconds, fmt::format("inflate + evaluation took {:.0f} s (limit {:.0f} s)", s, kContestSeconds), Grade::a);
  }
}

Verdict grade_evaluation(const json& r, const CustodyFacts& facts) {
  Rules rules;
  const auto missing = missing_fields(r);
  rules.add("record.fields", missing.empty(),
            missing.empty() ? "every field the rules need is present and typed"
                            : fmt::format("malformed record: missing or mistyped {}", fmt::join(missing, ", ")),
            Grade::invalid);
  if (!missing.empty()) return std::move(rules).finish(Grade::invalid, false);
  score_rules(r, rules);
  axis_rules(r, facts, rules);
  identity_rules(r, rules);
  custody_rules(r, facts, rules);
  run_rules(r, rules);
  return std::move(rules).finish(Grade::a_plus_plus, facts.negative);
}

}  // namespace

Verdict grade_record(const json& record, const CustodyFacts& facts) {
  const std::string kind = record.is_object() ? str(record, {"record"}) : std::string();
  if (kind == "tac-evaluation") return grade_evaluation(record, facts);
  Rules rules;
  if (kind == "external") {
    const bool sourced = !str(record, {"source"}).empty();
    rules.add("external.source", sourced,
              sourced ? fmt::format("public text: {} (not replayed locally)", str(record, {"source"}))
                      : std::string("an external row must name its source"),
              Grade::invalid);
    return std::move(rules).finish(sourced ? Grade::external : Grade::invalid, false);
  }
  if (kind == "prediction" || kind == "derivation") {
    rules.add("prediction.kind", true, "a formula or model awaiting evidence", Grade::derivation);
    return std::move(rules).finish(Grade::derivation, false);
  }
  rules.add("record.kind", false,
            fmt::format("unknown record kind '{}' (expected tac-evaluation, external, prediction or derivation)", kind),
            Grade::invalid);
  return std::move(rules).finish(Grade::invalid, false);
}

CustodyFacts facts_from_record(const json& record) {
  CustodyFacts facts;
  const std::string path = record.is_object() ? str(record, {"archive", "path"}) : std::string();
  std::error_code ec;
  if (!path.empty() && std::filesystem::is_regular_file(path, ec)) {
    facts.archive = path;
    const auto dir = std::filesystem::path(path).parent_path();
    if (std::filesystem::is_regular_file(dir / "inflate.sh", ec)) facts.submission_dir = dir.empty() ? "." : dir;
  }
  return facts;
}

json to_json(const Verdict& v) {
  json rules = json::array();
  for (const auto& r : v.rules)
    rules.push_back({{"id", r.id}, {"outcome", std::string(outcome_name(r.outcome))}, {"text", r.text},
                     {"caps_at", std::string(grade_name(r.cap))}});
  return {{"grade", std::string(grade_name(v.grade))}, {"rules", rules}, {"reasons", v.reasons()}};
}

}  // namespace comma_lab::grade
