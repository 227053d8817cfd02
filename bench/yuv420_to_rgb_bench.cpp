// yuv420_to_rgb speed on random contest-size planes (874x1164): ms per frame, 1..N threads. JSON.
//   yuv420_to_rgb_bench [--frames 200] [--max-threads 2]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "tac/image/yuv420_to_rgb.hpp"

int main(int argc, char** argv) {
  int frames = 200, max_threads = 2;
  CLI::App app{"Contest YUV->RGB conversion speed on random 874x1164 planes: ms per frame, 1..N threads (JSON)."};
  app.add_option("--frames", frames, "frames to convert")->check(CLI::PositiveNumber);
  app.add_option("--max-threads", max_threads, "largest thread count")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  const int w = 1164, h = 874, stride = 1216, cstride = 608;  // libav-like padded line sizes
  std::mt19937 rng(1);
  std::vector<std::uint8_t> y(static_cast<std::size_t>(stride) * h), u(static_cast<std::size_t>(cstride) * (h / 2)),
      v(u.size());
  for (auto* p : {&y, &u, &v})
    for (auto& b : *p) b = static_cast<std::uint8_t>(rng());
  const tac::image::Yuv420Planes planes{y.data(), u.data(), v.data(), stride, cstride, cstride, w, h};
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);

  std::printf("{\n  \"bench\": \"yuv420_to_rgb\",\n  \"width\": %d,\n  \"height\": %d,\n  \"frames\": %d,\n  \"results\": [", w, h,
              frames);
  for (int threads = 1; threads <= max_threads; ++threads) {
    tac::image::yuv420_to_rgb_parallel(planes, rgb, threads);  // warm up
    std::vector<double> ms;
    for (int f = 0; f < frames; ++f) {
      const auto start = std::chrono::steady_clock::now();
      tac::image::yuv420_to_rgb_parallel(planes, rgb, threads);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%s\n    {\"threads\": %d, \"median_ms_per_frame\": %.3f, \"min_ms_per_frame\": %.3f, \"fps\": %.1f}",
                threads == 1 ? "" : ",", threads, ms[ms.size() / 2], ms.front(), 1000.0 / ms[ms.size() / 2]);
  }
  std::printf("\n  ]\n}\n");
  return 0;
}
