#include "proxy/http1/head_reader.h"

#include <algorithm>
#include <cstring>

#include "proxy/http1/char_class.h"
#include "proxy/http1/field_line.h"

namespace ballast::proxy::http1::detail {
namespace {

constexpr std::size_t kMaxHeadBytesCap = std::size_t{1} << 30;  // offsets fit in 32 bits
// Room reserved up front. Small, because a parser lives as long as its
// connection and idle connections should cost little; the vectors grow to what
// the connection's messages need once, then stay.
constexpr std::size_t kReservedFields = 16;

}  // namespace

HeadReader::HeadReader(MessageKind kind, const HeadLimits& limits)
    : kind_(kind),
      codes_(errorCodesFor(kind)),
      maxHeadBytes_(std::clamp<std::size_t>(limits.maxHeadBytes, 1, kMaxHeadBytesCap)),
      maxHeaderCount_(limits.maxHeaderCount),
      maxBodyBytes_(std::min(limits.maxBodyBytes, kMaxBodyLength)) {
  const std::size_t reserve = std::min(maxHeaderCount_, kReservedFields);
  fields_.reserve(reserve);
  headers_.reserve(reserve);
}

void HeadReader::reset() noexcept {
  phase_ = Phase::kStartLine;
  lineStart_ = 0;
  scanPos_ = 0;
  resumeInValue_ = false;
  error_ = {};
  facts_ = {};
  fields_.clear();
}

bool HeadReader::begin(std::string_view buffer) noexcept {
  if (phase_ == Phase::kError) return false;
  if (phase_ == Phase::kDone || buffer.size() < scanPos_) reset();
  return true;
}

ParseResult HeadReader::nextLine(std::string_view buffer, std::string_view& line) noexcept {
  const std::size_t window = std::min(buffer.size(), maxHeadBytes_);
  if (scanPos_ < window) {
    const char* base = buffer.data();
    const void* found = std::memchr(base + scanPos_, '\n', window - scanPos_);
    if (found != nullptr) {
      const auto lf = static_cast<std::size_t>(static_cast<const char*>(found) - base);
      if (lf == lineStart_ || base[lf - 1] != '\r') return fail(codes_.malformed, "bare LF");
      line = std::string_view(base + lineStart_, lf - 1 - lineStart_);
      lineStart_ = lf + 1;
      scanPos_ = lineStart_;
      return ParseResult::complete(lineStart_);
    }
    scanPos_ = window;
  }
  return needMore(buffer.size());
}

ParseResult HeadReader::readFields(std::string_view buffer) {
  const std::size_t window = std::min(buffer.size(), maxHeadBytes_);
  const char* base = buffer.data();
  for (;;) {
    // A line left incomplete by an earlier call is scanned again only once a
    // byte that may end it (or prove it wrong) has come: feeding a long line
    // in small pieces stays linear, and errors show as in a one-shot parse.
    if (scanPos_ > lineStart_ && scanPos_ <= window) {
      const std::string_view fresh(base + scanPos_, window - scanPos_);
      const std::size_t valid =
          resumeInValue_ ? chars::spanOfFieldValue(fresh) : chars::spanOf(fresh, chars::kToken);
      if (valid == fresh.size()) {
        scanPos_ = window;
        return needMore(buffer.size());
      }
    }
    const std::string_view text(base + lineStart_, window - lineStart_);
    if (text.empty()) return needMore(buffer.size());
    if (text.front() == '\r' || text.front() == '\n') {  // the empty line ending the head
      if (text.front() == '\n') return fail(codes_.malformed, "bare LF");
      if (text.size() == 1) return needMore(buffer.size());
      if (text[1] != '\n') return fail(codes_.malformed, "bare CR");
      lineStart_ += 2;
      scanPos_ = lineStart_;
      phase_ = Phase::kDone;
      return ParseResult::complete(lineStart_);
    }
    if (fields_.size() >= maxHeaderCount_) {
      return fail(codes_.headTooLarge, "too many header fields");
    }
    FieldLine field;
    const FieldScan scan = scanFieldLine(text, field);
    if (scan.status == FieldScan::kError) return fail(codes_.malformed, scan.reason);
    if (scan.status == FieldScan::kIncomplete) {
      scanPos_ = lineStart_ + scan.length;
      resumeInValue_ = scan.inValue;
      return needMore(buffer.size());
    }
    if (const char* reason = noteField(kind_, buffer, field, facts_)) {
      return fail(codes_.malformed, reason);
    }
    fields_.push_back({Slice::of(buffer, field.name), Slice::of(buffer, field.value)});
    lineStart_ += scan.length;
    scanPos_ = lineStart_;
  }
}

ParseResult HeadReader::needMore(std::size_t bufferSize) noexcept {
  if (bufferSize >= maxHeadBytes_) return fail(codes_.headTooLarge, "message head too large");
  return ParseResult::needMoreBytes();
}

ParseResult HeadReader::fail(core::ErrorCode code, const char* reason) noexcept {
  phase_ = Phase::kError;
  error_ = {code, reason};
  return error();
}

std::span<const Header> HeadReader::headers(std::string_view buffer) {
  headers_.resize(fields_.size());
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    headers_[i] = {fields_[i].name.in(buffer), fields_[i].value.in(buffer)};
  }
  return headers_;
}

}  // namespace ballast::proxy::http1::detail
