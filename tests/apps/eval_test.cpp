// `tac eval` end to end, through the built binary: parity with the upstream fixture run (twin
// weights), the evaluate.sh contract, the ground-truth cache, bad inputs, and a sharded run.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "scorer/scorer_test_data.hpp"
#include "support/fixtures.hpp"
#include "tac/core/output_file.hpp"
#include "tac/core/sha256.hpp"
#include "tac/io/safetensors.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kFrameBytes = 874ull * 1164 * 3;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

void write_bytes(const fs::path& p, const std::uint8_t* data, std::size_t n) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
}

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `tac ARGS` in `cwd` with extra environment assignments, bounded by `timeout` seconds.
Run run_tac(const fs::path& cwd, const std::vector<std::string>& args, const std::string& env = "", int timeout = 900) {
  static int counter = 0;
  const fs::path out = cwd / ("tac-" + std::to_string(counter) + ".out");
  const fs::path err = cwd / ("tac-" + std::to_string(counter++) + ".err");
  std::string cmd = "cd ";  // appended piecewise (GCC 12 warns falsely on chained operator+)
  cmd += quote(cwd.string());
  cmd += " && ";
  cmd += env;
  cmd += " timeout ";
  cmd += std::to_string(timeout);
  cmd += ' ';
  cmd += quote(tac::test::built_program("tac").string());
  for (const auto& a : args) {
    cmd += ' ';
    cmd += quote(a);
  }
  cmd += " > ";
  cmd += quote(out.string());
  cmd += " 2> ";
  cmd += quote(err.string());
  const int rc = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

double number_after(const std::string& text, const std::string& label) {
  const auto at = text.find(label);
  if (at == std::string::npos) throw std::runtime_error("no '" + label + "' in report");
  return std::stod(text.substr(at + label.size()));
}

// "  Label: 1,234.5 bytes" -> "  Label: # bytes": the line's shape without its numbers.
std::string shape_of(const std::string& line) {
  static const std::regex number(R"([0-9][0-9,]*(\.[0-9]+)?)");
  return std::regex_replace(line, number, "#");
}

// A workspace shaped like the contest: videos/0.mkv, names file, SUB/archive.zip.
struct Workspace {
  tac::test::TempDir dir{"eval"};
  fs::path sub, videos, names, cache;
  fs::path gt_mkv, recon_zst, archive_zip, segnet, posenet, golden, upstream_report;
  std::vector<std::uint8_t> recon;  // the fixture's 16 reconstructed frames

  void build() {
    sub = dir.path / "sub";
    videos = dir.path / "videos";
    cache = dir.path / "cache";
    names = dir.path / "names.txt";
    fs::create_directories(sub);
    fs::create_directories(videos);
    fs::copy_file(gt_mkv, videos / "0.mkv");
    fs::copy_file(archive_zip, sub / "archive.zip");
    write_text(names, "0.mkv\n");
  }
  const std::vector<std::uint8_t>& recon_frames() {
    if (recon.empty()) recon = tac::test::read_zstd_file(recon_zst);
    return recon;
  }
  void write_raw(std::size_t bytes) {
    fs::create_directories(sub / "inflated");
    const auto& r = recon_frames();
    std::vector<std::uint8_t> data(bytes, 0);
    for (std::size_t i = 0; i < bytes; ++i) data[i] = r[i % r.size()];
    write_bytes(sub / "inflated" / "0.raw", data.data(), data.size());
  }
  void write_recon_raw() {
    fs::create_directories(sub / "inflated");
    const auto& r = recon_frames();
    write_bytes(sub / "inflated" / "0.raw", r.data(), r.size());
  }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"eval", "--submission-dir", sub.string(), "--uncompressed-dir", videos.string(),
                               "--video-names-file", names.string(), "--segnet", segnet.string(), "--posenet",
                               posenet.string(), "--threads", "1", "--no-progress"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

#define TAC_WORKSPACE(ws)                                                     \
  Workspace ws;                                                               \
  TAC_FIXTURE(ws##_gt, "scorer/clip16/gt.mkv");                               \
  TAC_FIXTURE(ws##_zst, "scorer/clip16/recon.raw.zst");                       \
  TAC_FIXTURE(ws##_zip, "scorer/clip16/recon_archive.zip");                   \
  TAC_FIXTURE(ws##_seg, "scorer/twin_segnet.safetensors");                    \
  TAC_FIXTURE(ws##_pose, "scorer/twin_posenet.safetensors");                  \
  TAC_FIXTURE(ws##_golden, "scorer/clip16/golden.safetensors");               \
  TAC_FIXTURE(ws##_report, "scorer/clip16/report.txt");                       \
  ws.gt_mkv = ws##_gt;                                                        \
  ws.recon_zst = ws##_zst;                                                    \
  ws.archive_zip = ws##_zip;                                                  \
  ws.segnet = ws##_seg;                                                       \
  ws.posenet = ws##_pose;                                                     \
  ws.golden = ws##_golden;                                                    \
  ws.upstream_report = ws##_report;                                           \
  ws.build()

// Per-sample distortions against the fixture goldens, with the fixtures README's tolerances.
void expect_matches_golden(const json& record, const Workspace& ws) {
  const auto golden = tac::io::Safetensors::open(ws.golden);
  const auto pose = golden.to_float32("pose_dist");
  const auto seg = golden.to_float32("seg_dist");
  const auto& ps = record.at("per_sample");
  ASSERT_EQ(ps.at("posenet_distortion").size(), pose.size());
  for (std::size_t i = 0; i < pose.size(); ++i) {
    EXPECT_EQ(ps.at("sample")[i].get<int>(), static_cast<int>(i));
    EXPECT_NEAR(ps.at("posenet_distortion")[i].get<double>(), pose[i], 1e-3 * std::abs(pose[i])) << "sample " << i;
    EXPECT_NEAR(ps.at("segnet_distortion")[i].get<double>(), seg[i], 5e-5) << "sample " << i;
  }
}

std::vector<double> per_sample(const json& record, const char* key) {
  return record.at("per_sample").at(key).get<std::vector<double>>();
}

void expect_failed_cleanly(const Run& r, const Workspace& ws, const std::string& message) {
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.err.rfind("tac: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(fs::exists(ws.sub / "report.txt"));
  EXPECT_FALSE(fs::exists(ws.dir.path / "record.json"));
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 29500 + static_cast<int>(::getpid() % 1000);
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

}  // namespace

// Parity on clip16 with the twin weights: the fixture recon frames scored with --skip-inflate.
TEST(Eval, ParityWithUpstreamOnClip16) {
  TAC_WORKSPACE(ws);
  ws.write_recon_raw();
  // --upstream DIR supplies videos/, models/ and the names file, as a challenge checkout does.
  const auto up = ws.dir.path / "upstream";
  fs::create_directories(up / "models");
  fs::create_directory_symlink(ws.videos, up / "videos");
  fs::create_symlink(ws.segnet, up / "models" / "segnet.safetensors");
  fs::create_symlink(ws.posenet, up / "models" / "posenet.safetensors");
  fs::copy_file(ws.names, up / "public_test_video_names.txt");
  const auto record_path = ws.dir.path / "record.json";
  const auto r = run_tac(ws.dir.path, {"eval", "--submission-dir", ws.sub.string(), "--upstream", up.string(), "--threads", "1",
                                       "--no-progress", "--skip-inflate", "--no-cache", "--json", record_path.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const json record = tac::test::read_json(record_path);
  expect_matches_golden(record, ws);

  // The report: stdout == report.txt; upstream's results block line for line, within tolerance.
  const std::string report = read_text(ws.sub / "report.txt");
  EXPECT_EQ(report, r.out);
  const std::string upstream = read_text(ws.upstream_report);
  const double up_pose = number_after(upstream, "Average PoseNet Distortion: ");
  const double up_seg = number_after(upstream, "Average SegNet Distortion: ");
  EXPECT_NEAR(number_after(report, "Average PoseNet Distortion: "), up_pose, 1e-3 * up_pose);
  EXPECT_NEAR(number_after(report, "Average SegNet Distortion: "), up_seg, 5e-5);
  const auto ours = lines_of(report), theirs = lines_of(upstream);
  const auto our_results = std::find_if(ours.begin(), ours.end(), [](auto& l) { return l.starts_with("=== Evaluation results"); });
  const auto up_results = std::find_if(theirs.begin(), theirs.end(), [](auto& l) { return l.starts_with("=== Evaluation results"); });
  ASSERT_NE(our_results, ours.end());
  ASSERT_NE(up_results, theirs.end());
  for (std::size_t i = 0; i < 7; ++i) {
    ASSERT_LT(up_results + static_cast<std::ptrdiff_t>(i), theirs.end());
    const auto& mine = *(our_results + static_cast<std::ptrdiff_t>(i));
    const auto& upstream_line = *(up_results + static_cast<std::ptrdiff_t>(i));
    EXPECT_EQ(shape_of(mine), shape_of(upstream_line));
    EXPECT_EQ(mine.size(), upstream_line.size()) << mine << " vs " << upstream_line;
    if (i >= 3 && i <= 5) {
      EXPECT_EQ(mine, upstream_line);  // sizes and rate: exact
    }
  }
  // Config block: tac's own settings, keys sorted.
  ASSERT_EQ(ours.front(), "=== Evaluation config ===");
  std::vector<std::string> keys;
  for (auto it = ours.begin() + 1; it != our_results; ++it) keys.push_back(it->substr(2, it->find(':') - 2));
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  for (const char* k : {"batch_size", "device", "segnet", "posenet", "submission_dir", "video_names_file"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  EXPECT_NE(report.find("NOT the real upstream weights"), std::string::npos);

  // The record: custody, components, recomputed score, axis, identity.
  EXPECT_EQ(record.at("archive").at("sha256"), tac::sha256_file_hex(ws.sub / "archive.zip"));
  EXPECT_EQ(record.at("archive").at("bytes").get<std::uint64_t>(), fs::file_size(ws.sub / "archive.zip"));
  EXPECT_EQ(record.at("original_bytes").get<std::uint64_t>(), fs::file_size(ws.videos / "0.mkv"));
  EXPECT_EQ(record.at("n_samples"), 8);
  EXPECT_LE(record.at("score_recompute_abs_diff").get<double>(), 1e-6);
  EXPECT_EQ(record.at("axis"), "cpu-advisory");
  EXPECT_EQ(record.at("scorer"), "twin-or-unknown");
  EXPECT_EQ(record.at("weights").at("segnet").at("real_upstream"), false);
  EXPECT_EQ(record.at("weights").at("posenet").at("sha256"), tac::sha256_file_hex(ws.posenet));
  EXPECT_EQ(record.at("weights").at("posenet").at("path"), (up / "models" / "posenet.safetensors").string());
  EXPECT_EQ(record.at("ground_truth_cache").at("served"), false);
  const auto& c = record.at("score_contributions");
  EXPECT_NEAR(c.at("segnet").get<double>() + c.at("posenet").get<double>() + c.at("rate").get<double>(),
              record.at("score").get<double>(), 1e-9);
  for (const char* lib : {"libtorch", "libavcodec", "tac"}) EXPECT_TRUE(record.at("libraries").contains(lib)) << lib;
  for (const char* phase : {"identify", "load_scorer", "decode_gt", "score_gt", "score_reconstruction", "total"})
    EXPECT_TRUE(record.at("elapsed_seconds").contains(phase)) << phase;
}

// evaluate.sh's contract: unzip archive.zip into SUB/archive, run inflate.sh ARCHIVE OUTPUT NAMES,
// score. Then the same frames with a warm ground-truth cache, then with a corrupted cache entry.
TEST(Eval, EvaluateShContractThenWarmAndCorruptCache) {
  TAC_WORKSPACE(ws);
  // The test submission's inflate.sh writes the fixture's recon frames (this tests the driver, not a codec).
  write_text(ws.sub / "inflate.sh",
             "#!/usr/bin/env bash\nset -euo pipefail\n"
             "test -f \"$1/0.mkv\"  # archive.zip was extracted into ARCHIVE_DIR\n"
             "mkdir -p \"$2\"\n"
             "while read -r name; do [ -n \"$name\" ] || continue\n"
             "  zstd -q -d -f " + quote(ws.recon_zst.string()) + " -o \"$2/${name%.*}.raw\"\n"
             "done < \"$3\"\n"
             "echo inflated\n");
  const auto record_path = ws.dir.path / "record.json";
  const auto cold = run_tac(ws.dir.path, ws.args({"--cache-dir", ws.cache.string(), "--json", record_path.string()}));
  ASSERT_EQ(cold.status, 0) << cold.err;
  EXPECT_TRUE(fs::exists(ws.sub / "archive" / "0.mkv"));
  EXPECT_TRUE(fs::exists(ws.sub / "inflated" / "0.raw"));
  EXPECT_EQ(cold.out.find("inflated\n"), std::string::npos) << "inflate.sh's stdout must not mix into the report";
  EXPECT_NE(cold.err.find("inflated"), std::string::npos);
  const json first = tac::test::read_json(record_path);
  EXPECT_EQ(first.at("inflate").get<std::string>().rfind("ran", 0), 0u);
  EXPECT_EQ(first.at("ground_truth_cache").at("served"), false);
  expect_matches_golden(first, ws);

  const auto warm = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--cache-dir", ws.cache.string(), "--json", record_path.string()}));
  ASSERT_EQ(warm.status, 0) << warm.err;
  const json second = tac::test::read_json(record_path);
  EXPECT_EQ(second.at("ground_truth_cache").at("served"), true);
  EXPECT_FALSE(second.at("elapsed_seconds").contains("decode_gt"));
  EXPECT_EQ(per_sample(second, "posenet_distortion"), per_sample(first, "posenet_distortion"));
  EXPECT_EQ(per_sample(second, "segnet_distortion"), per_sample(first, "segnet_distortion"));
  const auto results = [](const std::string& report) { return report.substr(report.find("=== Evaluation results")); };
  EXPECT_EQ(results(warm.out).substr(0, results(warm.out).find("=== tac")),
            results(cold.out).substr(0, results(cold.out).find("=== tac")));

  // Corrupt the entry: detected, rebuilt, never trusted; the numbers do not change.
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(ws.cache)) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 1u);
  {
    std::fstream f(entries[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-5000, std::ios::end);
    f.put('\x7f');
  }
  const auto rebuilt = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--cache-dir", ws.cache.string(), "--json", record_path.string()}));
  ASSERT_EQ(rebuilt.status, 0) << rebuilt.err;
  const json third = tac::test::read_json(record_path);
  EXPECT_EQ(third.at("ground_truth_cache").at("served"), false);
  EXPECT_NE(third.at("videos")[0].value("ground_truth_cache_note", "").find("invalid"), std::string::npos);
  EXPECT_EQ(per_sample(third, "posenet_distortion"), per_sample(first, "posenet_distortion"));
  EXPECT_EQ(per_sample(third, "segnet_distortion"), per_sample(first, "segnet_distortion"));
}

// --sandbox: inflate.sh runs in the lab's sandbox (same numbers), and a runtime that reads the
// original video fails there. Every record names its runtime (tac lab runtime-hash) and platform.
TEST(Eval, SandboxedInflateAndTheRecordsCustodyFields) {
  TAC_WORKSPACE(ws);
  const std::string inflate =
      "#!/usr/bin/env bash\nset -euo pipefail\nmkdir -p \"$2\"\n"
      "while read -r name; do [ -n \"$name\" ] || continue\n"
      "  zstd -q -d -f " + quote(ws.recon_zst.string()) + " -o \"$2/${name%.*}.raw\"\n"
      "done < \"$3\"\n";
  write_text(ws.sub / "inflate.sh", inflate);
  const auto record_path = ws.dir.path / "record.json";
  const auto hash = run_tac(ws.dir.path, {"lab", "runtime-hash", "--json", ws.sub.string()});
  ASSERT_EQ(hash.status, 0) << hash.err;
  const auto r = run_tac(ws.dir.path, ws.args({"--sandbox", "--reinflate", "--cache-dir", ws.cache.string(), "--json",
                                               record_path.string()}));
  ASSERT_EQ(r.status, 0) << r.err;
  const json record = tac::test::read_json(record_path);
  EXPECT_EQ(record.at("inflate").get<std::string>().rfind("ran", 0), 0u);
  expect_matches_golden(record, ws);
  EXPECT_EQ(record.at("runtime").at("sha256"), json::parse(hash.out).at("sha256"));
  EXPECT_EQ(record.at("platform").at("os"), "linux");
  EXPECT_FALSE(record.at("platform").at("arch").get<std::string>().empty());
  EXPECT_NE(r.out.find("inflate_sandbox"), std::string::npos) << "the report's config says the inflate was sandboxed";
  EXPECT_EQ(record.at("inflate_sandbox").at("process"), "exit 0");
  EXPECT_GT(record.at("inflate_sandbox").at("peak_rss_mb").get<double>(), 0.0);

  // The same runtime reading the original video: fine outside, refused inside.
  write_text(ws.sub / "inflate.sh", "#!/usr/bin/env bash\nset -euo pipefail\ncat " + quote((ws.videos / "0.mkv").string()) +
                                        " > /dev/null\n" + inflate.substr(inflate.find("mkdir")));
  const auto open_run = run_tac(ws.dir.path, ws.args({"--reinflate", "--cache-dir", ws.cache.string()}));
  ASSERT_EQ(open_run.status, 0) << open_run.err;
  const auto sandboxed = run_tac(ws.dir.path, ws.args({"--sandbox", "--reinflate", "--cache-dir", ws.cache.string()}));
  EXPECT_NE(sandboxed.status, 0);
  EXPECT_NE(sandboxed.err.find("sandbox"), std::string::npos) << sandboxed.err;
  EXPECT_FALSE(fs::exists(ws.sub / "inflated")) << "no half-inflated output left behind";
}

// Two ranks over c10d/Gloo on 127.0.0.1 score disjoint halves; totals match one process.
TEST(Eval, TwoProcessShardedRunMatchesOneProcess) {
  TAC_WORKSPACE(ws);
  ws.write_recon_raw();
  const auto single_path = ws.dir.path / "single.json";
  const auto single = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache", "--json", single_path.string()}));
  ASSERT_EQ(single.status, 0) << single.err;

  const int port = free_port();
  const auto env = [&](int rank) {
    return "WORLD_SIZE=2 RANK=" + std::to_string(rank) + " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port);
  };
  const auto sharded_path = ws.dir.path / "sharded.json";
  const auto rank1_report = ws.dir.path / "rank1_report.txt";
  // Rank 1 in the background (its exit status in a file), rank 0 in the foreground; both time-bounded.
  std::string cmd = "cd " + quote(ws.dir.path.string()) + " && (" + env(1) + " timeout 600 " +
                    quote(tac::test::built_program("tac").string());
  for (const auto& a : ws.args({"--skip-inflate", "--no-cache", "--dist-timeout", "300", "--report", rank1_report.string()})) {
    cmd += ' ';
    cmd += quote(a);
  }
  cmd += " > rank1.out 2> rank1.err; echo $? > rank1.rc) &";
  ASSERT_EQ(std::system(("true; " + cmd + " sleep 0").c_str()), 0);
  const auto rank0 = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache", "--dist-timeout", "300", "--json", sharded_path.string()}),
                             env(0), 600);
  for (int i = 0; i < 600 && !fs::exists(ws.dir.path / "rank1.rc"); ++i) ::usleep(100'000);
  ASSERT_EQ(rank0.status, 0) << rank0.err;
  ::usleep(200'000);
  EXPECT_EQ(read_text(ws.dir.path / "rank1.rc"), "0\n") << read_text(ws.dir.path / "rank1.err");
  EXPECT_FALSE(fs::exists(rank1_report)) << "only rank 0 writes the report";

  const json one = tac::test::read_json(single_path);
  const json two = tac::test::read_json(sharded_path);
  EXPECT_EQ(two.at("distributed").at("world_size"), 2);
  EXPECT_EQ(two.at("distributed").at("backend"), "gloo");
  const auto& ranks = two.at("distributed").at("ranks");
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_GT(ranks[0].at("samples").get<int>(), 0);
  EXPECT_GT(ranks[1].at("samples").get<int>(), 0);
  EXPECT_EQ(ranks[0].at("samples").get<int>() + ranks[1].at("samples").get<int>(), 8);  // disjoint, union = all
  EXPECT_EQ(two.at("per_sample").at("sample"), one.at("per_sample").at("sample"));
  const auto p1 = per_sample(one, "posenet_distortion"), p2 = per_sample(two, "posenet_distortion");
  const auto s1 = per_sample(one, "segnet_distortion"), s2 = per_sample(two, "segnet_distortion");
  ASSERT_EQ(p1.size(), p2.size());
  for (std::size_t i = 0; i < p1.size(); ++i) {
    EXPECT_NEAR(p2[i], p1[i], 1e-3 * std::abs(p1[i]));
    EXPECT_NEAR(s2[i], s1[i], 5e-5);
  }
  EXPECT_NEAR(two.at("avg_posenet_distortion").get<double>(), one.at("avg_posenet_distortion").get<double>(),
              1e-3 * one.at("avg_posenet_distortion").get<double>());
  EXPECT_NEAR(two.at("avg_segnet_distortion").get<double>(), one.at("avg_segnet_distortion").get<double>(), 5e-5);
  EXPECT_EQ(two.at("n_samples"), one.at("n_samples"));
}

// --lenient reproduces upstream's raw handling (floor(size / frame) frames) and records it; run
// with weights from `tac twin`, which the report and record name as a twin.
TEST(Eval, LenientAcceptsTrailingBytesAndSaysSoWithTacTwinWeights) {
  TAC_WORKSPACE(ws);
  const auto twin = run_tac(ws.dir.path, {"twin", "--out", (ws.dir.path / "twin").string(), "--seed", "5"});
  ASSERT_EQ(twin.status, 0) << twin.err;
  ws.segnet = ws.dir.path / "twin" / "segnet.safetensors";
  ws.posenet = ws.dir.path / "twin" / "posenet.safetensors";
  ws.write_raw(2 * kFrameBytes + 5);
  const auto strict = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache"}));
  expect_failed_cleanly(strict, ws, "0.raw");
  const auto record_path = ws.dir.path / "lenient.json";
  const auto lenient = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache", "--lenient", "--json", record_path.string()}));
  ASSERT_EQ(lenient.status, 0) << lenient.err;
  EXPECT_NE(lenient.out.find("NOT the real upstream weights"), std::string::npos);
  EXPECT_NE(lenient.out.find("tac twin (seed 5, calibration none)"), std::string::npos) << lenient.out;
  const json record = tac::test::read_json(record_path);
  EXPECT_EQ(record.at("weights").at("segnet").at("identity"), "twin");
  EXPECT_EQ(record.at("weights").at("posenet").at("identity"), "twin");
  EXPECT_EQ(record.at("n_samples"), 1);
  EXPECT_EQ(record.at("lenient"), true);
  EXPECT_GE(record.at("lenient_notes").size(), 2u);  // trailing bytes; fewer frames than the original
  EXPECT_NE(lenient.out.find("lenient:"), std::string::npos);
}

// `tac twin --calibrate` (handed from tac to tac-scorer): the calibrated twin scores, and the
// report names its calibration; a video that cannot be read leaves no weight files behind.
TEST(Eval, CalibratedTacTwinIsNamedInTheReport) {
  TAC_WORKSPACE(ws);
  TAC_FIXTURE(video, "scorer/clip16/gt.mkv");
  const auto twin_dir = ws.dir.path / "calibrated";
  const auto twin = run_tac(ws.dir.path, {"twin", "--out", twin_dir.string(), "--seed", "5", "--calibrate", video.string(),
                                          "--samples", "2", "--threads", "2"});
  ASSERT_EQ(twin.status, 0) << twin.err;
  EXPECT_NE(twin.out.find("calibrated"), std::string::npos) << twin.out;
  ws.segnet = twin_dir / "segnet.safetensors";
  ws.posenet = twin_dir / "posenet.safetensors";
  ws.write_raw(2 * kFrameBytes);
  const auto r = run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache", "--lenient"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("NOT the real upstream weights"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("calibration BatchNorm statistics from 2 frame pairs of gt.mkv"), std::string::npos) << r.out;

  const auto bad_dir = ws.dir.path / "bad";
  const auto noise = ws.dir.path / "noise.mkv";
  tac::write_file_atomic(noise, std::string(4096, 'x'));
  const auto bad = run_tac(ws.dir.path, {"twin", "--out", bad_dir.string(), "--calibrate", noise.string()});
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("noise.mkv"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(bad_dir / "segnet.safetensors"));
}

TEST(EvalBadInput, MissingRaw) {
  TAC_WORKSPACE(ws);
  fs::create_directories(ws.sub / "inflated");
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate", "--json", (ws.dir.path / "record.json").string()})), ws,
                        "0.raw: missing");
}

TEST(EvalBadInput, ShortRaw) {
  TAC_WORKSPACE(ws);
  ws.write_raw(kFrameBytes + kFrameBytes / 2);  // one and a half frames
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate", "--json", (ws.dir.path / "record.json").string()})), ws, "0.raw");
  ws.write_raw(kFrameBytes);  // one whole frame: no sample
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate"})), ws, "not even one sample");
}

TEST(EvalBadInput, WrongFrameSize) {
  TAC_WORKSPACE(ws);
  ws.write_raw(16ull * 720 * 1280 * 3);  // 16 frames of 1280x720
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate", "--json", (ws.dir.path / "record.json").string()})), ws, "0.raw");
}

TEST(EvalBadInput, MoreFramesThanTheOriginal) {
  TAC_WORKSPACE(ws);
  ws.write_raw(18 * kFrameBytes);  // the original has 16
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate", "--no-cache", "--json", (ws.dir.path / "record.json").string()})),
                        ws, "original video has 16 frames");
}

TEST(EvalBadInput, WeightFileWithMissingExtraOrMisshapedKey) {
  TAC_WORKSPACE(ws);
  ws.write_recon_raw();
  const auto file = tac::io::Safetensors::open(ws.posenet);
  const std::string victim = "hydra.final_layer.pose.weight";
  for (const std::string mode : {"missing", "extra", "shape"}) {
    std::vector<std::vector<std::uint8_t>> storage;
    storage.reserve(file.tensors().size() + 1);
    std::vector<tac::io::TensorToWrite> tensors;
    for (const auto& t : file.tensors()) {
      if (mode == "missing" && t.name == victim) continue;
      storage.emplace_back(t.data.begin(), t.data.end());
      auto shape = t.shape;
      if (mode == "shape" && t.name == victim) std::swap(shape[0], shape[1]);
      tensors.push_back({t.name, t.dtype, shape, storage.back()});
    }
    if (mode == "extra") {
      storage.emplace_back(4, 0);
      tensors.push_back({"hydra.bonus", tac::io::DType::F32, {1}, storage.back()});
    }
    const auto bad = ws.dir.path / (mode + "_posenet.safetensors");
    tac::io::write_safetensors(bad, tensors);
    auto args = ws.args({"--skip-inflate", "--json", (ws.dir.path / "record.json").string()});
    std::replace(args.begin(), args.end(), ws.posenet.string(), bad.string());
    expect_failed_cleanly(run_tac(ws.dir.path, args), ws, mode == "extra" ? "hydra.bonus" : victim);
  }
}

TEST(EvalBadInput, NamesFileListsAnAbsentVideo) {
  TAC_WORKSPACE(ws);
  ws.write_recon_raw();
  write_text(ws.names, "0.mkv\n1.mkv\n");
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--skip-inflate"})), ws, "video '1.mkv'");
}

TEST(EvalBadInput, ArchiveThatIsNotAZip) {
  TAC_WORKSPACE(ws);
  write_text(ws.sub / "archive.zip", "this is not a zip file at all");
  write_text(ws.sub / "inflate.sh", "#!/usr/bin/env bash\nmkdir -p \"$2\"\ntouch \"$2/0.raw\"\n");
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args({"--json", (ws.dir.path / "record.json").string()})), ws, "archive.zip");
  EXPECT_FALSE(fs::exists(ws.sub / "archive"));
  EXPECT_FALSE(fs::exists(ws.sub / "inflated"));
  for (const auto& e : fs::directory_iterator(ws.sub)) EXPECT_EQ(e.path().filename().string().find(".archive"), std::string::npos);
}

TEST(EvalBadInput, FailingInflateLeavesNoFrames) {
  TAC_WORKSPACE(ws);
  write_text(ws.sub / "inflate.sh", "#!/usr/bin/env bash\nmkdir -p \"$2\"\necho partial > \"$2/0.raw\"\nexit 3\n");
  expect_failed_cleanly(run_tac(ws.dir.path, ws.args()), ws, "exit status 3");
  EXPECT_FALSE(fs::exists(ws.sub / "inflated"));
}
