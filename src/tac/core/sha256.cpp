#include "tac/core/sha256.hpp"

#include <openssl/evp.h>

#include "tac/core/error.hpp"
#include "tac/core/mapped_file.hpp"

namespace tac {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) fail(ErrorKind::internal, "SHA-256: cannot initialise libcrypto");
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::update(std::span<const std::uint8_t> bytes) {
  if (!bytes.empty() && EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size()) != 1) fail(ErrorKind::internal, "SHA-256: update failed");
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(state_->ctx, digest.data(), &length) != 1 || length != digest.size()) fail(ErrorKind::internal, "SHA-256: finish failed");
  return digest;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    text[2 * i] = kDigits[bytes[i] >> 4];
    text[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return text;
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  Sha256 hasher;
  hasher.update(bytes);
  const auto digest = hasher.finish();
  return to_hex(digest);
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  MappedFile file(path);
  file.advise_sequential();
  return sha256_hex(file.bytes());
}

}  // namespace tac
