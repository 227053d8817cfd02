// Runtime rules: each forbidden behaviour and each kind of smuggled payload caught with its id;
// ordinary decoder code (hashes, short tables) raises nothing; the CLI's exit status says pass/fail.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <random>

#include "comma_lab/check/check.hpp"
#include "lab_test_util.hpp"
#include "support/fixtures.hpp"
#include "zip_builder.hpp"

namespace {
namespace fs = std::filesystem;
using comma_lab::check::Findings;
using comma_lab::check::scan_runtime_text;
using comma_lab::test::write_text;

Findings scan(const std::string& text) {
  Findings f;
  scan_runtime_text(text, "inflate.py", {}, f);
  return f;
}

std::string ids(const Findings& f) {
  std::string s;
  for (const auto& x : f) s += x.id + " (" + x.reason + ")\n";
  return s;
}

bool has(const Findings& f, const std::string& id) {
  return std::any_of(f.begin(), f.end(), [&](const auto& x) { return x.id == id; });
}

std::string random_from(const std::string& alphabet, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

const std::string kOrdinaryDecoder =
    "#!/usr/bin/env python3\n"
    "# decode the archive: sha256 2611f5f3e186f3529777749f97bd4cce3a208d6b3559e137bd45d256980d2fa0 is just a comment\n"
    "import sys, numpy as np\n"
    "KERNEL = [0.25, 0.5, 0.25]\n"
    "def sync(func):\n    return func  # 'nc' and 'scp' inside words are not commands\n"
    "name = line.strip().replace('.mkv', '.raw')\n"
    "open(f'{out}/{name}', 'wb').write(frames.tobytes())\n";

TEST(CheckRuntime, OrdinaryDecoderRaisesNothing) {
  const auto f = scan(kOrdinaryDecoder);
  EXPECT_TRUE(f.empty()) << ids(f);
}

TEST(CheckRuntime, ForbiddenBehaviourIsCaughtWithItsId) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"runtime.network", "curl -sL https://example.com/w.bin -o w.bin\n"},
      {"runtime.network", "wget   example.com/w.bin\n"},
      {"runtime.network", "exec 3<>/dev/tcp/127.0.0.1/80\n"},
      {"runtime.network", "import urllib.request\n"},
      {"runtime.network", "from huggingface_hub import hf_hub_download\n"},
      {"runtime.package-install", "pip  install torch==2.1\n"},
      {"runtime.package-install", "python3 -m pip install brotli\n"},
      {"runtime.package-install", "sudo apt-get install -y ffmpeg\n"},
      {"runtime.reads-original", "gt = read('../videos/0.mkv')\n"},
      {"runtime.reads-original", "python evaluate.py --uncompressed-dir $X\n"},
      {"runtime.reads-scorer", "w = load('models/segnet.safetensors')\n"},
      {"runtime.reads-scorer", "from modules import SegNet\n"},
      {"runtime.external-runtime", "exec tac-inflate --format hnerv95 \"$1\" \"$2\" \"$3\"\n"},
  };
  for (const auto& [id, text] : cases) {
    const auto f = scan(text);
    EXPECT_TRUE(has(f, id)) << id << " for: " << text << ids(f);
    // The reason names the file and line.
    if (!f.empty()) {
      EXPECT_NE(f[0].reason.find("inflate.py:1:"), std::string::npos) << f[0].reason;
    }
  }
}

TEST(CheckRuntime, SmuggledPayloadIsCaughtWithItsId) {
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b85;
  for (char c = '!'; c <= 'u'; ++c) b85 += c;
  std::string numbers = "W = [";
  for (int i = 0; i < 300; ++i) numbers += std::to_string((i * 37) % 255 - 100) + (i % 7 ? ".5, " : ",\n  ");
  numbers += "]\n";
  std::string escapes = "blob = b\"";
  for (int i = 0; i < 200; ++i) escapes += "\\x" + std::string(1, "0123456789abcdef"[i % 16]) + "f";
  escapes += "\"\n";
  std::string wrapped = "data = (\n";  // many short base64 lines add up
  for (int i = 0; i < 40; ++i) wrapped += "  '" + random_from(b64, 76, 10 + i) + "'\n";
  wrapped += ")\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"runtime.payload-base64", "W = '" + random_from(b64, 400, 1) + "'\n"},
      {"runtime.payload-hex", "W = bytes.fromhex(\"" + random_from("0123456789abcdef", 600, 2) + "\")\n"},
      {"runtime.payload-base85", "W = b85decode(b'" + random_from(b85, 400, 3) + "')\n"},
      {"runtime.payload-numeric-array", numbers},
      {"runtime.payload-escaped-bytes", escapes},
      {"runtime.payload-encoded", wrapped},
  };
  for (const auto& [id, text] : cases) {
    const auto f = scan(text);
    EXPECT_TRUE(has(f, id)) << id << ":\n" << ids(f);
  }
  // Just under the limits: nothing.
  EXPECT_TRUE(scan("W = '" + random_from(b64, 200, 4) + "'\n").empty());
  std::string short_numbers = "W = [";
  for (int i = 0; i < 200; ++i) short_numbers += std::to_string(i) + ", ";
  EXPECT_TRUE(scan(short_numbers + "]\n").empty());
}

void make_clean_submission(const fs::path& dir) {
  const auto zip = comma_lab::test::build_zip({{[] {
    comma_lab::test::TestMember m;
    m.name = "0.bin";
    m.data = "archive payload";
    return m;
  }()}});
  write_text(dir / "archive.zip", std::string(zip.begin(), zip.end()));
  write_text(dir / "inflate.sh", "#!/bin/bash\nset -e\npython3 \"$(dirname \"$0\")/decode.py\" \"$@\"\n");
  ::chmod((dir / "inflate.sh").c_str(), 0755);
  write_text(dir / "decode.py", kOrdinaryDecoder);
}

TEST(CheckRuntime, SubmissionLevelRules) {
  tac::test::TempDir tmp("lab_check_runtime");
  make_clean_submission(tmp.path);
  auto r = comma_lab::check::check_submission(tmp.path);
  EXPECT_TRUE(r.passed) << ids(r.findings);
  EXPECT_TRUE(r.findings.empty()) << ids(r.findings);

  ::chmod((tmp.path / "inflate.sh").c_str(), 0644);
  r = comma_lab::check::check_submission(tmp.path);
  EXPECT_TRUE(has(r.findings, "runtime.inflate-not-executable"));
  EXPECT_TRUE(r.passed);  // a warning...
  EXPECT_FALSE(comma_lab::check::check_submission(tmp.path, {.strict = true}).passed);  // ...fails under --strict

  write_text(tmp.path / "weights.bin", std::string("\x01\x00\x02\x00", 4));
  r = comma_lab::check::check_submission(tmp.path);
  EXPECT_TRUE(has(r.findings, "runtime.binary-file"));
  r = comma_lab::check::check_submission(tmp.path, {.contest_final = true});
  EXPECT_FALSE(r.passed);

  fs::remove(tmp.path / "inflate.sh");
  fs::remove(tmp.path / "archive.zip");
  r = comma_lab::check::check_submission(tmp.path);
  EXPECT_TRUE(has(r.findings, "runtime.inflate-missing"));
  EXPECT_TRUE(has(r.findings, "runtime.archive-missing"));
  EXPECT_FALSE(r.passed);
}

TEST(CheckCli, CleanSubmissionPassesAndBadOneFails) {
  tac::test::TempDir tmp("lab_check_cli");
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  make_clean_submission(tmp.path / "good");
  auto r = comma_lab::test::run(tac_bin + " lab check " + comma_lab::test::quote(tmp.path / "good"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("PASS"), std::string::npos) << r.output;

  make_clean_submission(tmp.path / "bad");
  write_text(tmp.path / "bad" / "fetch.sh", "curl https://example.com/weights.bin\n");
  r = comma_lab::test::run(tac_bin + " lab check --json " + comma_lab::test::quote(tmp.path / "bad"), false);
  EXPECT_EQ(r.status, 1) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_FALSE(j["passed"].get<bool>());
  bool network = false;
  for (const auto& f : j["findings"]) network = network || (f["id"] == "runtime.network" && f["severity"] == "error");
  EXPECT_TRUE(network) << r.output;
}

// A submission made the way tac makes one (`tac submission init` with a public archive) passes;
// its inflate.sh runs tac-inflate from PATH, which --contest-final refuses (not shipped).
TEST(CheckCli, TacSubmissionWithPublicArchivePasses) {
  TAC_FIXTURE(zip, "replay/qhnerv_ft_best/archive.zip");
  tac::test::TempDir tmp("lab_check_tac_submission");
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const auto sub = tmp.path / "sub";
  auto r = comma_lab::test::run(tac_bin + " submission init --format hnerv95 --archive " + comma_lab::test::quote(zip) + " " +
                                comma_lab::test::quote(sub));
  ASSERT_EQ(r.status, 0) << r.output;
  r = comma_lab::test::run(tac_bin + " lab check " + comma_lab::test::quote(sub));
  EXPECT_EQ(r.status, 0) << r.output;
  r = comma_lab::test::run(tac_bin + " lab check --contest-final " + comma_lab::test::quote(sub));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("runtime.external-runtime"), std::string::npos) << r.output;
}

}  // namespace

namespace {

// A submission made by `tac compress` (classical lane, clip16's ground truth) passes the check.
TEST(CheckCli, TacCompressSubmissionPasses) {
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  tac::test::TempDir tmp("lab_check_compress");
  const auto tac_bin = comma_lab::test::quote(tac::test::built_program("tac"));
  const auto sub = tmp.path / "sub";
  auto r = comma_lab::test::run(tac_bin + " compress " + comma_lab::test::quote(video) + " -o " + comma_lab::test::quote(sub));
  ASSERT_EQ(r.status, 0) << r.output;
  r = comma_lab::test::run(tac_bin + " lab check --json " + comma_lab::test::quote(sub), false);
  EXPECT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_TRUE(j["passed"].get<bool>());
  for (const auto& f : j["findings"]) EXPECT_NE(f["severity"], "error") << f.dump();
}

}  // namespace
