#include "tac/io/safetensors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {
using tac::io::DType;

template <typename T>
std::span<const std::uint8_t> bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const std::uint8_t*>(v.data()), v.size() * sizeof(T)};
}

struct TsvEntry {
  std::string key;
  std::vector<std::int64_t> shape;
};

std::vector<TsvEntry> read_state_dict_tsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<TsvEntry> out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    TsvEntry e;
    std::string shape_text;
    std::getline(fields, e.key, '\t');
    std::getline(fields, shape_text, '\t');
    for (char& c : shape_text)
      if (c == '[' || c == ']' || c == ',') c = ' ';
    std::istringstream dims(shape_text);
    for (std::int64_t d; dims >> d;) e.shape.push_back(d);
    out.push_back(std::move(e));
  }
  return out;
}

void check_against_state_dict(const tac::io::Safetensors& file, const std::filesystem::path& tsv) {
  const auto entries = read_state_dict_tsv(tsv);
  ASSERT_GT(entries.size(), 500u);
  std::size_t checked = 0;
  for (const auto& e : entries) {
    const auto* t = file.find(e.key);
    const bool optional = e.key.ends_with("num_batches_tracked");
    if (t == nullptr) {
      EXPECT_TRUE(optional) << "missing key " << e.key;
      continue;
    }
    EXPECT_EQ(t->shape, e.shape) << e.key;
    ++checked;
  }
  // Nothing in the file that the state dict does not list.
  for (const auto& t : file.tensors()) {
    EXPECT_TRUE(std::any_of(entries.begin(), entries.end(), [&](const TsvEntry& e) { return e.key == t.name; }))
        << "unexpected key " << t.name;
  }
  EXPECT_GT(checked, 500u);
}
}  // namespace

TEST(Safetensors, RoundTripEveryDtype) {
  const std::vector<float> f32{1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, 6.0f};
  const std::vector<double> f64{1.0, -0.5};
  const std::vector<std::uint16_t> f16{0x3c00, 0xc000, 0x0001, 0x7bff};  // 1, -2, smallest subnormal, 65504
  const std::vector<std::uint16_t> bf16{0x3f80, 0xc040};                 // 1, -3
  const std::vector<std::int64_t> i64{-1, 1LL << 40};
  const std::vector<std::int32_t> i32{7, -9, 11};
  const std::vector<std::int8_t> i8{-128, 127};
  const std::vector<std::uint8_t> u8{0, 255, 3};
  const std::vector<std::uint8_t> boolean{1, 0};
  std::vector<tac::io::TensorToWrite> tensors{
      {"f32", DType::F32, {2, 3}, bytes_of(f32)},  {"f64", DType::F64, {2}, bytes_of(f64)},
      {"f16", DType::F16, {4}, bytes_of(f16)},     {"bf16", DType::BF16, {2}, bytes_of(bf16)},
      {"i64", DType::I64, {2}, bytes_of(i64)},     {"i32", DType::I32, {3}, bytes_of(i32)},
      {"i8", DType::I8, {2}, bytes_of(i8)},        {"u8", DType::U8, {3}, bytes_of(u8)},
      {"bool", DType::BOOL, {2}, bytes_of(boolean)}, {"scalar", DType::F32, {}, std::span(bytes_of(f32).data(), 4)},
  };
  const auto bytes = tac::io::serialize_safetensors(tensors, {{"kind", "test"}});
  const auto file = tac::io::Safetensors::parse(bytes, "memory");
  EXPECT_EQ(file.metadata().at("kind"), "test");
  ASSERT_EQ(file.tensors().size(), tensors.size());
  for (const auto& t : tensors) {
    const auto& got = file.at(t.name);
    EXPECT_EQ(got.dtype, t.dtype) << t.name;
    EXPECT_EQ(got.shape, t.shape) << t.name;
    EXPECT_TRUE(std::equal(got.data.begin(), got.data.end(), t.data.begin(), t.data.end())) << t.name;
  }
  EXPECT_EQ(file.to_float32("f32"), f32);
  EXPECT_EQ(file.to_float32("f64"), (std::vector<float>{1.0f, -0.5f}));
  EXPECT_EQ(file.to_float32("f16"), (std::vector<float>{1.0f, -2.0f, 5.9604645e-8f, 65504.0f}));
  EXPECT_EQ(file.to_float32("bf16"), (std::vector<float>{1.0f, -3.0f}));
  EXPECT_EQ(file.at("scalar").numel, 1);
  EXPECT_THROW((void)file.to_float32("i32"), tac::Error);
  EXPECT_THROW((void)file.at("absent"), tac::Error);
}

TEST(Safetensors, WriteFileAndOpen) {
  tac::test::TempDir dir("st");
  const std::vector<float> v{1, 2, 3};
  tac::io::write_safetensors(dir.path / "w.safetensors", {{"w", DType::F32, {3}, bytes_of(v)}});
  const auto file = tac::io::Safetensors::open(dir.path / "w.safetensors");
  EXPECT_EQ(file.to_float32("w"), v);
}

TEST(Safetensors, TwinSegnetHasEveryStateDictKey) {
  TAC_FIXTURE(weights, "scorer/twin_segnet.safetensors");
  const auto tsv = tac::test::fixtures_root() / ".." / "docs" / "segnet_state_dict.tsv";
  ASSERT_TRUE(std::filesystem::exists(tsv)) << tsv;
  const auto file = tac::io::Safetensors::open(weights);
  check_against_state_dict(file, tsv);
}

TEST(Safetensors, TwinPosenetHasEveryStateDictKey) {
  TAC_FIXTURE(weights, "scorer/twin_posenet.safetensors");
  const auto tsv = tac::test::fixtures_root() / ".." / "docs" / "posenet_state_dict.tsv";
  ASSERT_TRUE(std::filesystem::exists(tsv)) << tsv;
  const auto file = tac::io::Safetensors::open(weights);
  check_against_state_dict(file, tsv);
  EXPECT_EQ(file.find("vision.stem.0.conv_kxk.0.bn.num_batches_tracked"), nullptr);  // the real file has none
}
