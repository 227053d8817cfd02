// Zip reader: the fixture archive, stored and deflate members built here, and hostile variants.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "support/fixtures.hpp"
#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"
#include "tac/io/zip_reader.hpp"

using tac::io::ZipReader;

namespace {

void put16(std::vector<std::uint8_t>& b, unsigned v) { b.push_back(v & 0xFF), b.push_back((v >> 8) & 0xFF); }
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) { put16(b, v & 0xFFFF), put16(b, v >> 16); }

// A minimal zip writer for tests: one member, stored (method 0) or raw deflate (method 8).
std::vector<std::uint8_t> make_zip(const std::string& name, const std::vector<std::uint8_t>& data, int method) {
  std::vector<std::uint8_t> payload = data;
  if (method == 8) {
    uLongf cap = compressBound(data.size()) + 64;
    std::vector<std::uint8_t> tmp(cap);
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = const_cast<Bytef*>(data.data());
    zs.avail_in = data.size();
    zs.next_out = tmp.data();
    zs.avail_out = cap;
    deflate(&zs, Z_FINISH);
    tmp.resize(zs.total_out);
    deflateEnd(&zs);
    payload = tmp;
  }
  const std::uint32_t crc = crc32(0, data.data(), data.size());
  std::vector<std::uint8_t> z;
  put32(z, 0x04034b50), put16(z, 20), put16(z, 0), put16(z, method), put16(z, 0), put16(z, 0);
  put32(z, crc), put32(z, payload.size()), put32(z, data.size()), put16(z, name.size()), put16(z, 0);
  z.insert(z.end(), name.begin(), name.end());
  z.insert(z.end(), payload.begin(), payload.end());
  const std::uint32_t cd = z.size();
  put32(z, 0x02014b50), put16(z, 20), put16(z, 20), put16(z, 0), put16(z, method), put16(z, 0), put16(z, 0);
  put32(z, crc), put32(z, payload.size()), put32(z, data.size()), put16(z, name.size()), put16(z, 0), put16(z, 0);
  put16(z, 0), put16(z, 0), put32(z, 0), put32(z, 0);
  z.insert(z.end(), name.begin(), name.end());
  const std::uint32_t cd_size = z.size() - cd;
  put32(z, 0x06054b50), put16(z, 0), put16(z, 0), put16(z, 1), put16(z, 1), put32(z, cd_size), put32(z, cd), put16(z, 0);
  return z;
}

}  // namespace

TEST(ZipReader, FixtureArchiveAnatomyAddsUp) {
  TAC_FIXTURE(zip_path, "replay/qhnerv_ft_best/archive.zip");
  const auto zip = ZipReader::open(zip_path);
  ASSERT_EQ(zip.members().size(), 1u);
  const auto& m = zip.members()[0];
  EXPECT_EQ(m.name, "0.bin");
  const auto data = zip.read(m);
  EXPECT_EQ(data.size(), m.uncompressed_size);
  const std::uint64_t sum = (m.data_offset - m.local_header_offset) + m.compressed_size + m.data_descriptor_bytes +
                            zip.central_directory_bytes() + zip.end_record_bytes();
  EXPECT_EQ(sum, zip.file_size());
}

TEST(ZipReader, StoredAndDeflateRoundTrip) {
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>((i * 7) ^ (i >> 5));
  for (const int method : {0, 8}) {
    const auto bytes = make_zip("dir/a.bin", data, method);
    const auto zip = ZipReader::parse(bytes, "mem.zip");
    ASSERT_EQ(zip.members().size(), 1u);
    EXPECT_EQ(zip.read(zip.members()[0]), data) << "method " << method;
  }
}

TEST(ZipReader, RefusesBombsTraversalAndCorruption) {
  // Deflate bomb: 8 MB of zeros compress about 1000:1, above a ratio limit of 100.
  const std::vector<std::uint8_t> zeros(8u << 20, 0);
  tac::io::ZipLimits strict;
  strict.max_ratio = 100;
  EXPECT_THROW(ZipReader::parse(make_zip("bomb", zeros, 8), "bomb.zip", strict), tac::Error);
  strict.max_ratio = 2000;
  strict.max_member_bytes = 1u << 20;  // and a size limit
  EXPECT_THROW(ZipReader::parse(make_zip("bomb", zeros, 8), "bomb.zip", strict), tac::Error);
  // Path traversal is refused at extraction, before anything is written.
  const std::vector<std::uint8_t> small = {1, 2, 3};
  tac::test::TempDir tmp("zip_traversal");
  for (const std::string bad : {"../evil", "/abs", "a/../../evil", "c:evil", "a\\b"}) {
    const auto bytes = make_zip(bad, small, 0);
    const auto zip = ZipReader::parse(bytes, "bad.zip");
    EXPECT_THROW(tac::io::extract_all(zip, tmp.path / "out"), tac::Error) << bad;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.path / "evil"));
  // CRC mismatch.
  auto bytes = make_zip("x", small, 0);
  bytes[30 + 1] ^= 0xFF;  // first data byte
  EXPECT_THROW(ZipReader::parse(bytes, "crc.zip").read(ZipReader::parse(bytes, "crc.zip").members()[0]), tac::Error);
}

TEST(ZipReader, ExtractAllWritesMembers) {
  const std::vector<std::uint8_t> data = {9, 8, 7, 6};
  const auto bytes = make_zip("sub/m.bin", data, 8);
  tac::test::TempDir tmp("zip_extract");
  tac::io::extract_all(ZipReader::parse(bytes, "x.zip"), tmp.path);
  const tac::MappedFile f(tmp.path / "sub" / "m.bin");
  EXPECT_EQ(std::vector<std::uint8_t>(f.bytes().begin(), f.bytes().end()), data);
}

// Truncations, bit flips and inflated size fields of the fixture: clean errors or clean reads.
TEST(ZipReader, HostileVariantsNeverCrash) {
  TAC_FIXTURE(zip_path, "replay/qhnerv_ft_best/archive.zip");
  const tac::MappedFile file(zip_path);
  const std::vector<std::uint8_t> good(file.bytes().begin(), file.bytes().end());
  std::mt19937 rng(7);
  int rejected = 0;
  auto attempt = [&](const std::vector<std::uint8_t>& v) {
    try {
      const auto zip = ZipReader::parse(v, "variant.zip");
      for (const auto& m : zip.members()) (void)zip.read(m);
    } catch (const tac::Error&) {
      ++rejected;
    }
  };
  for (int i = 0; i < 20; ++i) attempt(std::vector<std::uint8_t>(good.begin(), good.begin() + rng() % good.size()));
  EXPECT_EQ(rejected, 20);  // every truncation loses the end record
  for (int i = 0; i < 30; ++i) {
    auto v = good;
    v[rng() % v.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    attempt(v);
  }
  // Inflate the central directory's sizes and offsets.
  const std::size_t cd = good.size() - 22 - 51;
  for (const std::size_t field : {cd + 20, cd + 24, cd + 42}) {
    auto v = good;
    for (int k = 0; k < 4; ++k) v[field + k] = 0xFE;
    const int before = rejected;
    attempt(v);
    EXPECT_EQ(rejected, before + 1) << "field at " << field;
  }
}
