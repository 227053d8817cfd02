// Evidence grades: a full-custody record earns A++, and each rule, broken alone, takes the grade
// where the rules say (and names itself in the reasons).
#include <gtest/gtest.h>

#include <cmath>

#include "comma_lab/custody/runtime_identity.hpp"
#include "comma_lab/grade/grade.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"
#include "tac/core/contest.hpp"
#include "tac/core/sha256.hpp"

namespace {
namespace fs = std::filesystem;
using comma_lab::grade::CustodyFacts;
using comma_lab::grade::Grade;
using comma_lab::grade::grade_name;
using comma_lab::grade::grade_record;
using nlohmann::json;

struct Fixture {
  tac::test::TempDir tmp{"lab_grade"};
  json record;
  CustodyFacts facts;

  Fixture() {
    comma_lab::test::write_text(tmp.path / "archive.zip", "archive bytes of a hypothetical submission");
    comma_lab::test::write_text(tmp.path / "inflate.sh", "#!/bin/bash\npython3 decode.py \"$@\"\n");
    comma_lab::test::write_text(tmp.path / "decode.py", "print(1)\n");
    const auto bytes = fs::file_size(tmp.path / "archive.zip");
    const double seg = 5.6e-4, pose = 3.3e-5;
    set_samples(600, seg, pose);
    const auto original = tac::contest::kOriginalVideoBytes;
    const double rate = double(bytes) / double(original);
    record.update(json{
        {"record", "tac-evaluation"},
        {"tac_version", "0.1.0"},
        {"axis", "contest-cpu"},
        {"device", "cpu"},
        {"platform", {{"os", "linux"}, {"arch", "x86_64"}}},
        {"archive", {{"path", (tmp.path / "archive.zip").string()}, {"sha256", tac::sha256_file_hex(tmp.path / "archive.zip")}, {"bytes", bytes}}},
        {"original_bytes", original},
        {"rate", rate},
        {"avg_segnet_distortion", seg},
        {"avg_posenet_distortion", pose},
        {"score", 100 * seg + std::sqrt(10 * pose) + 25 * rate},
        {"weights", {{"segnet", {{"sha256", tac::contest::kSegnetSha256}}}, {"posenet", {{"sha256", tac::contest::kPosenetSha256}}}}},
        {"videos", json::array({{{"name", "0.mkv"}, {"sha256", tac::contest::kVideoSha256}}})},
        {"runtime", comma_lab::custody::to_json(comma_lab::custody::runtime_identity(tmp.path))},
        {"inflate", "ran (1.25 s)"},  // as tac eval writes it
        {"lenient", false},
        {"lenient_notes", json::array()},
        {"elapsed_seconds", {{"total", 240.0}}},
    });
    facts.archive = tmp.path / "archive.zip";
    facts.submission_dir = tmp.path;
  }

  void set_samples(int n, double seg, double pose) {
    record["n_samples"] = n;
    record["per_sample"] = {{"segnet_distortion", std::vector<double>(n, seg)}, {"posenet_distortion", std::vector<double>(n, pose)}};
  }
  void rescore() {
    const double rate = record["rate"].get<double>();
    record["score"] = 100 * record["avg_segnet_distortion"].get<double>() + std::sqrt(10 * record["avg_posenet_distortion"].get<double>()) + 25 * rate;
  }
};

// The grade, and every rule id that did not pass.
std::string describe(const comma_lab::grade::Verdict& v) {
  std::string s = std::string(grade_name(v.grade)) + "\n";
  for (const auto& r : v.reasons()) s += "  " + r + "\n";
  return s;
}

bool failed(const comma_lab::grade::Verdict& v, const std::string& id) {
  for (const auto& r : v.rules)
    if (r.id == id) return r.outcome != comma_lab::grade::Outcome::pass;
  return false;
}

TEST(Grade, FullCustodyEarnsAPlusPlusWithEveryRuleInWords) {
  Fixture f;
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::a_plus_plus) << describe(v);
  EXPECT_TRUE(v.reasons().empty());
  for (const std::string id : {"record.fields", "score.recomputed", "rate.recomputed", "samples.600", "components.per-sample",
                               "axis.named", "axis.device", "axis.contest", "axis.platform", "scorer.real", "video.real",
                               "archive.sha256", "archive.bytes", "runtime.present", "runtime.matches", "inflate.ran", "time.limit"}) {
    const auto it = std::find_if(v.rules.begin(), v.rules.end(), [&](const auto& r) { return r.id == id; });
    ASSERT_NE(it, v.rules.end()) << id;
    EXPECT_EQ(it->outcome, comma_lab::grade::Outcome::pass) << id << ": " << it->text;
    EXPECT_FALSE(it->text.empty()) << id;
  }
  f.facts.negative = true;
  EXPECT_EQ(grade_record(f.record, f.facts).grade, Grade::a_negative);
}

TEST(Grade, PrintedScoreDisagreeingWithComponentsIsInvalid) {
  Fixture f;
  f.record["score"] = f.record["score"].get<double>() + 2e-6;
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "score.recomputed"));
  // Within 1e-6 is fine.
  Fixture g;
  g.record["score"] = g.record["score"].get<double>() + 5e-7;
  EXPECT_EQ(grade_record(g.record, g.facts).grade, Grade::a_plus_plus);
}

TEST(Grade, RateNotBytesOverOriginalIsInvalid) {
  Fixture f;
  f.record["rate"] = f.record["rate"].get<double>() + 2e-6;
  f.rescore();  // the score follows the wrong rate, so only the rate rule can catch it
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "rate.recomputed"));
}

TEST(Grade, A599SampleRecordIsAtBestEmpirical) {
  Fixture f;
  f.set_samples(599, f.record["avg_segnet_distortion"].get<double>(), f.record["avg_posenet_distortion"].get<double>());
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::empirical) << describe(v);
  EXPECT_TRUE(failed(v, "samples.600"));
  EXPECT_FALSE(failed(v, "components.per-sample"));
}

TEST(Grade, PerSampleDistortionsThatDoNotAverageAreInvalid) {
  Fixture f;
  f.record["per_sample"]["segnet_distortion"][0] = 0.5;
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "components.per-sample"));
}

TEST(Grade, CudaRecordPresentedAsCpuIsInvalid) {
  Fixture f;
  f.record["device"] = "cuda:0";
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "axis.device"));
}

TEST(Grade, CudaAxisNeedsT4AndNeverBacksACpuClaim) {
  Fixture f;
  f.record["device"] = "cuda";
  f.record["axis"] = "contest-cuda";
  f.record["gpu"] = "Tesla T4";
  EXPECT_EQ(grade_record(f.record, f.facts).grade, Grade::a_plus_plus);
  f.record["gpu"] = "NVIDIA A100";
  auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::empirical) << describe(v);
  EXPECT_TRUE(failed(v, "axis.platform"));
  f.record["gpu"] = "Tesla T4";
  f.facts.claimed_axis = "contest-cpu";
  v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "axis.claim"));
}

TEST(Grade, AdvisoryOrUnnamedAxis) {
  Fixture f;
  f.record["axis"] = "cpu-advisory";
  auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::empirical) << describe(v);
  EXPECT_TRUE(failed(v, "axis.contest"));
  f.record["axis"] = "gpu";
  v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "axis.named"));
  Fixture g;
  g.record["platform"] = {{"os", "darwin"}, {"arch", "arm64"}};
  EXPECT_EQ(grade_record(g.record, g.facts).grade, Grade::invalid);
}

TEST(Grade, TwinWeightsRecordIsAtBestEmpirical) {
  Fixture f;
  f.record["weights"]["segnet"]["sha256"] = std::string(64, 'a');
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::empirical) << describe(v);
  EXPECT_TRUE(failed(v, "scorer.real"));
  Fixture g;
  g.record["videos"][0]["sha256"] = std::string(64, 'b');
  const auto w = grade_record(g.record, g.facts);
  EXPECT_EQ(w.grade, Grade::empirical) << describe(w);
  EXPECT_TRUE(failed(w, "video.real"));
}

TEST(Grade, ArchiveBytesChangedOnDiskIsInvalid) {
  Fixture f;
  comma_lab::test::write_text(f.tmp.path / "archive.zip", "archive bytes of a hypothetical submissioN");  // same size
  const auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "archive.sha256"));
  EXPECT_FALSE(failed(v, "archive.bytes"));
  // The archive not presented at all: custody incomplete, at best empirical.
  Fixture g;
  g.facts.archive.reset();
  const auto w = grade_record(g.record, g.facts);
  EXPECT_EQ(w.grade, Grade::empirical) << describe(w);
  EXPECT_TRUE(failed(w, "archive.on-disk"));
}

TEST(Grade, RuntimeHashMismatchIsInvalidAndAMissingOneEmpirical) {
  Fixture f;
  comma_lab::test::write_text(f.tmp.path / "decode.py", "print(2)\n");
  auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid) << describe(v);
  EXPECT_TRUE(failed(v, "runtime.matches"));
  Fixture g;
  g.record.erase("runtime");
  v = grade_record(g.record, g.facts);
  EXPECT_EQ(v.grade, Grade::empirical) << describe(v);
  EXPECT_TRUE(failed(v, "runtime.present"));
}

TEST(Grade, FramesNotInflatedByThisRunOrOverTimeAreA) {
  Fixture f;
  f.record["inflate"] = "skipped: --skip-inflate";
  auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::a) << describe(v);
  Fixture g;
  g.record["elapsed_seconds"]["total"] = 1900.0;
  v = grade_record(g.record, g.facts);
  EXPECT_EQ(v.grade, Grade::a) << describe(v);
  EXPECT_TRUE(failed(v, "time.limit"));
  Fixture h;
  h.record["lenient"] = true;
  h.record["lenient_notes"] = {"0.raw: 3 trailing bytes ignored"};
  EXPECT_EQ(grade_record(h.record, h.facts).grade, Grade::empirical);
}

TEST(Grade, MalformedExternalAndPredictionRecords) {
  Fixture f;
  f.record.erase("score");
  auto v = grade_record(f.record, f.facts);
  EXPECT_EQ(v.grade, Grade::invalid);
  EXPECT_TRUE(failed(v, "record.fields"));
  EXPECT_NE(v.reasons().at(0).find("score"), std::string::npos) << describe(v);
  EXPECT_EQ(grade_record(json{{"record", "external"}, {"source", "PR #101"}}).grade, Grade::external);
  EXPECT_EQ(grade_record(json{{"record", "external"}}).grade, Grade::invalid);
  EXPECT_EQ(grade_record(json{{"record", "prediction"}}).grade, Grade::derivation);
  EXPECT_EQ(grade_record(json::array()).grade, Grade::invalid);
  EXPECT_EQ(grade_record(json{{"record", "tac-evaluation"}, {"archive", "x"}}).grade, Grade::invalid);
}

TEST(Grade, FactsComeFromTheRecordsOwnArchivePath) {
  Fixture f;
  const auto facts = comma_lab::grade::facts_from_record(f.record);
  ASSERT_TRUE(facts.archive && facts.submission_dir);
  EXPECT_EQ(*facts.submission_dir, f.tmp.path);
  EXPECT_EQ(grade_record(f.record, facts).grade, Grade::a_plus_plus);
}

TEST(Grade, GradeNamesRoundTrip) {
  for (const Grade g : {Grade::a_plus_plus, Grade::a, Grade::a_negative, Grade::empirical, Grade::derivation, Grade::external, Grade::invalid})
    EXPECT_EQ(comma_lab::grade::parse_grade(grade_name(g)), g);
  EXPECT_FALSE(comma_lab::grade::parse_grade("B"));
}

}  // namespace

namespace {

TEST(GradeCli, PrintsEveryRuleAndTheGrade) {
  Fixture f;
  tac::test::TempDir records("lab_grade_cli");  // not inside the submission: that would change its runtime
  const auto path = records.path / "eval.json";
  comma_lab::test::write_text(path, f.record.dump());
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  auto r = comma_lab::test::run(tac_bin + " lab grade --json " + comma_lab::test::quote(path), false);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["grade"], "A++") << r.output;
  r = comma_lab::test::run(tac_bin + " lab grade --claim-axis contest-cuda " + comma_lab::test::quote(path));
  EXPECT_NE(r.output.find("grade: invalid"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("axis.claim"), std::string::npos) << r.output;
  comma_lab::test::write_text(path, "{ not json");
  r = comma_lab::test::run(tac_bin + " lab grade " + comma_lab::test::quote(path));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("not JSON"), std::string::npos) << r.output;
}

}  // namespace
