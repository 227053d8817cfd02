#include "tac/train/tune_recipe.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <toml++/toml.h>

#include "tac/core/error.hpp"
#include "tac/core/sha256.hpp"

namespace tac::train {
namespace {

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

// One table of the recipe: typed, range-checked reads; finish() refuses the keys nobody read.
class Section {
 public:
  Section(const toml::table& table, std::string path, const std::string& file) : table_(table), path_(std::move(path)), file_(file) {}

  [[noreturn]] void bad(std::string_view key, const std::string& problem) const {
    fail(ErrorKind::usage, "{}: {}: {}", file_, key_path(key), problem);
  }
  std::string key_path(std::string_view key) const { return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key); }

  const toml::node* node(std::string_view key) {
    known_.insert(std::string(key));
    return table_.get(key);
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t lo, std::int64_t hi) {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    const auto v = n->value_exact<std::int64_t>();
    if (!n->is_integer() || !v) bad(key, fmt::format("must be an integer, got {}", type_name(*n)));
    if (*v < lo || *v > hi) bad(key, fmt::format("{} is out of range [{}, {}]", *v, lo, hi));
    return *v;
  }
  // Floats; an integer is accepted. `lo_open`: the lower bound itself is refused.
  std::optional<double> number(std::string_view key, double lo, double hi, bool lo_open) {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_number()) bad(key, fmt::format("must be a number, got {}", type_name(*n)));
    const double v = n->is_integer() ? static_cast<double>(*n->value_exact<std::int64_t>()) : *n->value_exact<double>();
    if (!(lo_open ? v > lo : v >= lo) || !(v <= hi)) bad(key, fmt::format("{} is out of range {}{}, {}]", v, lo_open ? "(" : "[", lo, hi));
    return v;
  }
  std::optional<std::string> string(std::string_view key) {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) bad(key, fmt::format("must be a string, got {}", type_name(*n)));
    return std::string(*n->value_exact<std::string>());
  }
  std::optional<std::string> choice(std::string_view key, std::initializer_list<std::string_view> allowed) {
    auto v = string(key);
    if (!v) return v;
    for (const auto a : allowed)
      if (*v == a) return v;
    bad(key, fmt::format("'{}' is not one of: {}", *v, fmt::join(allowed, ", ")));
  }
  std::optional<bool> boolean(std::string_view key) {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) bad(key, fmt::format("must be true or false, got {}", type_name(*n)));
    return *n->value_exact<bool>();
  }
  std::optional<std::vector<std::string>> strings(std::string_view key) {
    const auto* n = node(key);
    if (!n) return std::nullopt;
    const auto* a = n->as_array();
    if (!a) bad(key, fmt::format("must be an array of strings, got {}", type_name(*n)));
    std::vector<std::string> out;
    for (const auto& e : *a) {
      if (!e.is_string()) bad(key, fmt::format("must be an array of strings, holds {}", type_name(e)));
      out.emplace_back(*e.value_exact<std::string>());
    }
    return out;
  }
  void finish() const {
    for (const auto& [k, v] : table_)
      if (!known_.count(std::string(k.str()))) bad(k.str(), "unknown key");
  }

 private:
  const toml::table& table_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> known_;
};

const toml::table* subtable(const toml::table& root, std::string_view key, const std::string& file) {
  const auto* n = root.get(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail(ErrorKind::usage, "{}: {}: must be a table [{}], got {}", file, key, key, type_name(*n));
  return n->as_table();
}

constexpr std::int64_t kMaxSteps = 100'000'000, kMaxBatch = 4096;
constexpr double kMaxLr = 1000.0;

void read_phases(const toml::table& root, const std::string& file, TuneRecipe& r) {
  const auto* n = root.get("phase");
  if (!n) return;
  const auto* a = n->as_array();
  if (!a || !a->is_array_of_tables()) fail(ErrorKind::usage, "{}: phase: must be an array of tables [[phase]]", file);
  if (a->size() > 1000) fail(ErrorKind::usage, "{}: phase: {} phases, at most 1000", file, a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    Section s(*a->get(i)->as_table(), fmt::format("phase[{}]", i), file);
    TunePhase p;
    p.name = s.string("name").value_or(fmt::format("phase{}", i));
    const auto begin = s.integer("begin", 0, kMaxSteps);
    if (!begin) s.bad("begin", "missing (the phase's first step)");
    p.begin = *begin;
    p.end = s.integer("end", 1, kMaxSteps);
    const auto train = s.strings("train");
    if (!train) s.bad("train", "missing (what trains: \"latents\", \"decoder\" or tensor-name globs)");
    p.train = *train;
    p.latent_lr_scale = s.number("latent_lr_scale", 0.0, kMaxLr, true).value_or(1.0);
    p.weight_lr_scale = s.number("weight_lr_scale", 0.0, kMaxLr, true).value_or(1.0);
    s.finish();
    r.phases.push_back(std::move(p));
  }
  validate(r.phases, file);
}

}  // namespace

TuneRecipe parse_tune_recipe(std::string_view text, const std::string& source) {
  if (text.size() > kMaxRecipeBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, a recipe may hold at most {}", source, text.size(), kMaxRecipeBytes);
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    fail(ErrorKind::usage, "{}:{}:{}: not valid TOML: {}", source, e.source().begin.line, e.source().begin.column, e.description());
  }
  TuneRecipe r;
  r.source = source;
  r.sha256 = sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  Section top(root, "", source);
  r.description = top.string("description").value_or("");
  if (const auto* t = subtable(root, "tune", source)) {
    top.node("tune");
    Section s(*t, "tune", source);
    r.steps = s.integer("steps", 0, kMaxSteps);
    r.batch = s.integer("batch", 0, kMaxBatch);
    r.lr = s.number("lr", 0.0, kMaxLr, true);
    r.weight_lr = s.number("weight_lr", 0.0, kMaxLr, true);
    r.train = s.choice("train", {"latents", "all"});
    if (const auto seed = s.integer("seed", 0, std::numeric_limits<std::int64_t>::max())) r.seed = static_cast<std::uint64_t>(*seed);
    s.finish();
  }
  if (const auto* t = subtable(root, "surrogate", source)) {
    top.node("surrogate");
    Section s(*t, "surrogate", source);
    r.surrogate = s.choice("kind", {"ce", "kl", "focal"});
    r.temperature = s.number("temperature", 0.0, 1000.0, true);
    r.gamma = s.number("gamma", 0.0, 100.0, false);
    s.finish();
  }
  if (const auto* t = subtable(root, "lr_schedule", source)) {
    top.node("lr_schedule");
    Section s(*t, "lr_schedule", source);
    const auto kind = s.choice("kind", {"constant", "cosine", "step"}).value_or("constant");
    r.lr_schedule.kind = kind == "cosine" ? LrScheduleKind::cosine : kind == "step" ? LrScheduleKind::step : LrScheduleKind::constant;
    r.lr_schedule.warmup_steps = s.integer("warmup_steps", 0, kMaxSteps).value_or(0);
    r.lr_schedule.floor = s.number("floor", 0.0, 1.0, false).value_or(0.0);
    r.lr_schedule.every = s.integer("every", 1, kMaxSteps).value_or(1);
    r.lr_schedule.gamma = s.number("gamma", 0.0, 1.0, true).value_or(0.5);
    s.finish();
    validate(r.lr_schedule, source);
  }
  top.node("phase");
  read_phases(root, source, r);
  if (const auto* t = subtable(root, "hard_mining", source)) {
    top.node("hard_mining");
    Section s(*t, "hard_mining", source);
    const auto kind = s.choice("kind", {"off", "power", "top_k"}).value_or("off");
    r.mining.kind = kind == "power" ? MiningKind::power : kind == "top_k" ? MiningKind::top_k : MiningKind::off;
    r.mining.alpha = s.number("alpha", 0.0, 16.0, false).value_or(1.0);
    r.mining.k = s.integer("k", 1, 1'000'000).value_or(1);
    r.mining.memory = s.number("memory", 0.0, 1.0, false).value_or(0.5);
    if (r.mining.memory >= 1.0) s.bad("memory", "must be below 1 (a running loss that never changes)");
    s.finish();
  }
  if (const auto* t = subtable(root, "pcgrad", source)) {
    top.node("pcgrad");
    Section s(*t, "pcgrad", source);
    r.pcgrad = s.boolean("enabled").value_or(false);
    s.finish();
  }
  if (r.train && !r.phases.empty())
    fail(ErrorKind::usage, "{}: tune.train and [[phase]] both say what trains: keep one (phases name \"latents\", \"decoder\" or globs)", source);
  if (const auto* t = subtable(root, "provenance", source)) {
    top.node("provenance");
    for (const auto& [key, value] : *t) {
      const std::string k(key.str());
      if (!value.is_string()) fail(ErrorKind::usage, "{}: provenance.\"{}\": must be a string, got {}", source, k, type_name(value));
      // It must name something this file sets (a key, a table, or "phase[i].key").
      if (k.starts_with("provenance") || !root.at_path(k))
        fail(ErrorKind::usage, "{}: provenance.\"{}\": names no setting of this file", source, k);
      r.provenance[k] = std::string(*value.value_exact<std::string>());
    }
  }
  top.finish();
  return r;
}

TuneRecipe load_tune_recipe(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(ErrorKind::usage, "{}: cannot read the recipe: {}", path.string(), ec.message());
  if (size > kMaxRecipeBytes) fail(ErrorKind::limit_exceeded, "{}: {} bytes, a recipe may hold at most {}", path.string(), size, kMaxRecipeBytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorKind::io, "{}: cannot open the recipe", path.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > kMaxRecipeBytes) fail(ErrorKind::limit_exceeded, "{}: a recipe may hold at most {} bytes", path.string(), kMaxRecipeBytes);
  return parse_tune_recipe(text, path.string());
}

}  // namespace tac::train
