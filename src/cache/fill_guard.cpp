#include "cache/fill_guard.h"

#include <functional>

namespace ballast::cache {

size_t FillGuard::stripeOf(std::string_view key) {
  return std::hash<std::string_view>{}(key) % kStripes;
}

FillGuard::Token FillGuard::token(std::string_view key) const {
  return {epoch_.load(), stripes_[stripeOf(key)].load()};
}

bool FillGuard::unchanged(std::string_view key, const Token& token) const {
  return epoch_.load() == token.epoch && stripes_[stripeOf(key)].load() == token.stripe;
}

void FillGuard::touch(std::string_view key) { stripes_[stripeOf(key)].fetch_add(1); }

void FillGuard::touchAll() { epoch_.fetch_add(1); }

}  // namespace ballast::cache
