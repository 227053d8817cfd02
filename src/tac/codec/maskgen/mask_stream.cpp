#include "tac/codec/maskgen/mask_stream.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "tac/codec/maskgen/mask_tile_decoder.hpp"
#include "tac/core/byte_reader.hpp"
#include "tac/core/error.hpp"
#include "tac/core/stopwatch.hpp"
#include "tac/core/worker_pool.hpp"

namespace tac::codec::maskgen {
namespace {

constexpr int kBands = 4;
constexpr int kBandX = kMaskW / kBands;  // 128 x-columns per band
constexpr std::array<int, kBands> kPartsPerBand = {3, 8, 8, 3};
constexpr int kChunks = 22;
constexpr std::array<char, 4> kMagic = {'Q', 'M', 'A', '9'};

// The scan flips applied to each tile before coding, in chunk order (self-inverse).
struct Flips {
  bool time = false, x = false, y = false;  // reference names: revT, revH, revW
};
constexpr Flips kId{}, kT{true, false, false}, kX{false, true, false}, kY{false, false, true};
constexpr Flips kXY{false, true, true}, kTX{true, true, false}, kTXY{true, true, true};
constexpr std::array<Flips, kChunks> kTileFlips = {kId, kXY, kTX, kId, kId, kId, kT,   kT,  kX,  kT,  kId,
                                                   kId, kId, kId, kY, kTX, kTXY, kId, kId, kId, kId, kId};

// Writes a decoded tile (t, x, y as coded) into the masks (t, y, x), undoing its flips.
void place_tile(const MaskChunk& c, const Flips& flips, std::span<const std::uint8_t> tile, std::uint8_t* masks) {
  const std::uint8_t* in = tile.data();
  for (int tc = 0; tc < c.t; ++tc) {
    std::uint8_t* frame = masks + std::size_t(flips.time ? c.t - 1 - tc : tc) * kMaskPixels;
    for (int xc = 0; xc < c.h; ++xc) {
      const int x = c.band * kBandX + (flips.x ? c.h - 1 - xc : xc);
      std::uint8_t* column = frame + x;
      const int y0 = c.part * c.w;
      if (flips.y) {
        for (int yc = 0; yc < c.w; ++yc) column[std::size_t(y0 + c.w - 1 - yc) * kMaskW] = *in++;
      } else {
        for (int yc = 0; yc < c.w; ++yc) column[std::size_t(y0 + yc) * kMaskW] = *in++;
      }
    }
  }
}

}  // namespace

std::vector<MaskChunk> parse_mask_chunks(std::span<const std::uint8_t> record, const std::string& source) {
  ByteReader in(record, source + ": mask record");
  const std::uint32_t n = in.u32("chunk count");
  if (n != kChunks)
    fail(ErrorKind::corrupt_input, "{}: mask record has {} chunks; this format has {} (4 bands of 3, 8, 8, 3 tiles)",
         source, n, kChunks);
  std::vector<MaskChunk> chunks;
  for (int band = 0; band < kBands; ++band) {
    for (int part = 0; part < kPartsPerBand[band]; ++part) {
      const int index = static_cast<int>(chunks.size());
      MaskChunk c;
      c.offset = in.offset();
      c.band = band;
      c.part = part;
      const std::uint32_t size = in.u32(fmt::format("chunk {} size", index));
      ByteReader chunk = in.sub(size, fmt::format("chunk {}", index));
      auto header = chunk.block(20, "tile header");
      std::array<char, 4> magic;
      for (auto& m : magic) m = static_cast<char>(header.u8());
      if (magic != kMagic) fail(ErrorKind::corrupt_input, "{}: chunk {} is not a QMA9 tile", source, index);
      const std::uint32_t t = header.u32(), h = header.u32(), w = header.u32(), coded = header.u32();
      const std::uint32_t want_w = kMaskH / kPartsPerBand[band];
      if (t != kPairs || h != kBandX || w != want_w)
        fail(ErrorKind::corrupt_input, "{}: chunk {} is a {}x{}x{} tile; its place needs {}x{}x{}", source, index, t, h,
             w, kPairs, kBandX, want_w);
      c.t = kPairs;
      c.h = kBandX;
      c.w = static_cast<int>(want_w);
      c.coded = chunk.take(coded, "coded bits");
      if (!chunk.at_end())
        fail(ErrorKind::corrupt_input, "{}: chunk {} has {} bytes after its coded bits", source, index,
             chunk.remaining());
      chunks.push_back(c);
    }
  }
  if (!in.at_end())
    fail(ErrorKind::corrupt_input, "{}: mask record has {} bytes after its last chunk", source, in.remaining());
  return chunks;
}

std::vector<std::uint8_t> decode_masks(std::span<const std::uint8_t> record, const std::string& source, int threads,
                                       MaskDecodeStats* stats) {
  const auto start = SteadyClock::now();
  const auto chunks = parse_mask_chunks(record, source);
  std::vector<std::uint8_t> masks(kPairs * kMaskPixels);
  // Largest tiles first, so the threads finish together.
  std::vector<int> order(chunks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return chunks[a].w > chunks[b].w; });

  threads = std::clamp(resolve_thread_count(threads), 1, kChunks);
  std::atomic<int> next{0};
  std::atomic<std::uint64_t> contexts{0};
  std::mutex mu;
  std::exception_ptr error;
  auto worker = [&] {
    try {
      std::vector<std::uint8_t> tile;
      for (int i; (i = next.fetch_add(1)) < kChunks;) {
        const MaskChunk& c = chunks[order[i]];
        tile.resize(std::size_t(c.t) * c.h * c.w);
        const auto s = decode_mask_tile(c.coded, c.t, c.h, c.w, tile, fmt::format("{}: mask chunk {}", source, order[i]));
        contexts += s.contexts;
        place_tile(c, kTileFlips[order[i]], tile, masks.data());
      }
    } catch (...) {
      std::lock_guard lock(mu);
      if (!error) error = std::current_exception();
      next = kChunks;  // the others stop after their current tile
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (stats) {
    stats->seconds = seconds_since(start);
    stats->contexts = contexts;
  }
  return masks;
}

}  // namespace tac::codec::maskgen
