#include "tac/eval/gt_cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"

namespace {

using tac::eval::GtCache;
using tac::eval::GtCacheKey;
using tac::scorer::SampleOutputs;

GtCacheKey key_for(std::int64_t samples, const std::string& device = "cpu") {
  return {std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'c'), device, "rev1",
          "samples [0, " + std::to_string(samples) + ")", samples};
}

SampleOutputs outputs(std::int64_t samples, unsigned salt) {
  SampleOutputs o;
  for (std::int64_t i = 0; i < samples * SampleOutputs::kPoseOutputs; ++i) o.pose.push_back(static_cast<float>(i) * 0.25f + salt);
  o.seg_argmax.resize(static_cast<std::size_t>(samples) * SampleOutputs::kSegPixels);
  for (std::size_t i = 0; i < o.seg_argmax.size(); ++i) o.seg_argmax[i] = static_cast<std::uint8_t>((i * 7 + salt) % 5);
  return o;
}

void flip_byte(const std::filesystem::path& path, std::uint64_t from_end) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-static_cast<std::streamoff>(from_end), std::ios::end);
  char c = 0;
  f.read(&c, 1);
  f.seekp(-static_cast<std::streamoff>(from_end), std::ios::end);
  c = static_cast<char>(c ^ 0x01);
  f.write(&c, 1);
}

}  // namespace

TEST(GtCache, RoundTripServesTheSameOutputs) {
  tac::test::TempDir dir("gtcache");
  GtCache cache(dir.path);
  const auto key = key_for(3);
  EXPECT_EQ(cache.load(key), nullptr);  // cold
  const auto o = outputs(3, 1);
  cache.store(key, o, 7);
  const auto entry = cache.load(key);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->samples(), 3);
  EXPECT_EQ(entry->gt_frames(), 7);
  const auto pose = entry->pose(1, 2);
  ASSERT_EQ(pose.size(), 24u);
  for (std::size_t i = 0; i < pose.size(); ++i) EXPECT_EQ(pose[i], o.pose[12 + i]);
  const auto seg = entry->seg(2, 1);
  ASSERT_EQ(seg.size(), static_cast<std::size_t>(SampleOutputs::kSegPixels));
  EXPECT_TRUE(std::equal(seg.begin(), seg.end(), o.seg_argmax.begin() + 2 * SampleOutputs::kSegPixels));
}

TEST(GtCache, OtherDeviceOrRevisionNeverServes) {
  tac::test::TempDir dir("gtcache-key");
  GtCache cache(dir.path);
  cache.store(key_for(1, "cpu"), outputs(1, 0), 2);
  EXPECT_EQ(cache.load(key_for(1, "cuda")), nullptr);
  auto newer = key_for(1);
  newer.scorer_revision = "rev2";
  EXPECT_EQ(cache.load(newer), nullptr);
  EXPECT_NE(cache.load(key_for(1)), nullptr);
}

TEST(GtCache, CorruptPayloadIsDetectedDeletedAndReported) {
  tac::test::TempDir dir("gtcache-corrupt");
  GtCache cache(dir.path);
  const auto key = key_for(2);
  cache.store(key, outputs(2, 3), 4);
  flip_byte(cache.entry_path(key), 1000);
  std::string note;
  EXPECT_EQ(cache.load(key, &note), nullptr);
  EXPECT_NE(note.find("payload SHA-256"), std::string::npos) << note;
  EXPECT_FALSE(std::filesystem::exists(cache.entry_path(key)));
}

TEST(GtCache, EntryUnderAnotherKeysNameIsRejected) {
  tac::test::TempDir dir("gtcache-mismatch");
  GtCache cache(dir.path);
  const auto cpu = key_for(1, "cpu");
  const auto cuda = key_for(1, "cuda");
  cache.store(cpu, outputs(1, 0), 2);
  std::filesystem::rename(cache.entry_path(cpu), cache.entry_path(cuda));  // a CPU entry posing as CUDA
  std::string note;
  EXPECT_EQ(cache.load(cuda, &note), nullptr);
  EXPECT_NE(note.find("metadata 'device'"), std::string::npos) << note;
}

TEST(GtCache, TruncatedOrGarbageEntryIsRejected) {
  tac::test::TempDir dir("gtcache-trunc");
  GtCache cache(dir.path);
  const auto key = key_for(2);
  cache.store(key, outputs(2, 0), 4);
  const auto path = cache.entry_path(key);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  std::string note;
  EXPECT_EQ(cache.load(key, &note), nullptr);
  EXPECT_FALSE(note.empty());
  std::ofstream(path) << "not a safetensors file";
  EXPECT_EQ(cache.load(key, &note), nullptr);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(GtCache, StoreRefusesOutputsOfTheWrongSize) {
  tac::test::TempDir dir("gtcache-size");
  GtCache cache(dir.path);
  EXPECT_THROW(cache.store(key_for(3), outputs(2, 0), 6), tac::Error);
  EXPECT_FALSE(std::filesystem::exists(cache.entry_path(key_for(3))));
}
