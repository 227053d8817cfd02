#pragma once
// A tiny zip writer for tests that can lie: every header field can be overridden separately in the
// local header and the central directory, so each zip-safety rule gets its own crafted archive.
#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace comma_lab::test {

struct TestMember {
  std::string name;
  std::string data;         // uncompressed contents
  std::uint16_t method = 0;  // 0 stored, 8 deflate (written as such), anything else: data stored as is
  std::uint16_t flags = 0;
  bool raw = false;  // write `data` as is even for method 8
  std::uint16_t made_by = (3 << 8) | 20;  // Unix
  std::uint32_t external = 0100644u << 16;
  std::optional<std::string> local_name;
  std::optional<std::uint16_t> local_flags, local_method;
  std::optional<std::uint32_t> crc, local_crc;  // central / local overrides
  std::optional<std::uint32_t> usize, local_usize, csize, local_csize;
  std::optional<std::uint32_t> local_offset;  // central directory's pointer, overridden
};

struct TestZip {
  std::vector<TestMember> members;
  std::string prefix;    // bytes before the first local header
  std::string comment;
  std::optional<std::uint16_t> declared_entries;
  bool zip64_locator = false;
};

inline void put16(std::vector<std::uint8_t>& b, std::uint32_t v) {
  b.push_back(v & 0xff);
  b.push_back((v >> 8) & 0xff);
}
inline void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, v & 0xffff);
  put16(b, v >> 16);
}
inline void put(std::vector<std::uint8_t>& b, const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }

inline std::string raw_deflate(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::vector<std::uint8_t> build_zip(const TestZip& z) {
  std::vector<std::uint8_t> b;
  put(b, z.prefix);
  std::vector<std::uint8_t> cd;
  for (const auto& m : z.members) {
    const std::string stored = m.method == 8 && !m.raw ? raw_deflate(m.data) : m.data;
    const auto crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), static_cast<uInt>(m.data.size())));
    const auto offset = static_cast<std::uint32_t>(b.size());
    const std::string lname = m.local_name.value_or(m.name);
    put32(b, 0x04034b50);
    put16(b, 20);
    put16(b, m.local_flags.value_or(m.flags));
    put16(b, m.local_method.value_or(m.method));
    put32(b, 0x00210000);  // 1980-01-01
    put32(b, m.local_crc.value_or(m.crc.value_or(crc)));
    put32(b, m.local_csize.value_or(m.csize.value_or(static_cast<std::uint32_t>(stored.size()))));
    put32(b, m.local_usize.value_or(m.usize.value_or(static_cast<std::uint32_t>(m.data.size()))));
    put16(b, static_cast<std::uint32_t>(lname.size()));
    put16(b, 0);
    put(b, lname);
    put(b, stored);
    put32(cd, 0x02014b50);
    put16(cd, m.made_by);
    put16(cd, 20);
    put16(cd, m.flags);
    put16(cd, m.method);
    put32(cd, 0x00210000);
    put32(cd, m.crc.value_or(crc));
    put32(cd, m.csize.value_or(static_cast<std::uint32_t>(stored.size())));
    put32(cd, m.usize.value_or(static_cast<std::uint32_t>(m.data.size())));
    put16(cd, static_cast<std::uint32_t>(m.name.size()));
    put16(cd, 0);
    put16(cd, 0);
    put32(cd, 0);
    put32(cd, m.external);
    put32(cd, m.local_offset.value_or(offset));
    put(cd, m.name);
  }
  const auto cd_offset = static_cast<std::uint32_t>(b.size());
  b.insert(b.end(), cd.begin(), cd.end());
  if (z.zip64_locator) {
    put32(b, 0x07064b50);
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);
    put32(b, 1);
  }
  const auto n = z.declared_entries.value_or(static_cast<std::uint16_t>(z.members.size()));
  put32(b, 0x06054b50);
  put16(b, 0);
  put16(b, 0);
  put16(b, n);
  put16(b, n);
  put32(b, static_cast<std::uint32_t>(cd.size()));
  put32(b, cd_offset);
  put16(b, static_cast<std::uint32_t>(z.comment.size()));
  put(b, z.comment);
  return b;
}

}  // namespace comma_lab::test
