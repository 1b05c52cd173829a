#include "proxy/http1/chunked_decoder.h"

#include <algorithm>
#include <cstring>

#include "proxy/http1/char_class.h"
#include "proxy/http1/field_line.h"

namespace ballast::proxy::http1 {
namespace {

constexpr std::size_t kMaxSizeLineCap = std::size_t{1} << 20;
constexpr std::size_t kMaxTrailerCap = std::size_t{1} << 30;

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
// ext-val = token / quoted-string
const char* checkChunkExtensions(std::string_view ext) noexcept {
  std::size_t i = 0;
  const std::size_t n = ext.size();
  const auto skipBws = [&] {
    while (i < n && chars::isWhitespace(ext[i])) ++i;
  };
  while (i < n) {
    skipBws();
    if (i == n || ext[i] != ';') return "invalid character after chunk size";
    ++i;
    skipBws();
    const std::size_t nameLength = chars::spanOf(ext.substr(i), chars::kToken);
    if (nameLength == 0) return "invalid chunk extension name";
    i += nameLength;
    const std::size_t afterName = i;
    skipBws();
    if (i == n || ext[i] != '=') {
      i = afterName;  // whitespace belongs before a following ';' only
      continue;
    }
    ++i;
    skipBws();
    if (i < n && ext[i] == '"') {
      for (++i;; ++i) {
        if (i == n) return "unterminated chunk extension value";
        const char c = ext[i];
        if (c == '"') break;
        if (c == '\\') {
          ++i;
          if (i == n || !chars::isFieldValue(ext[i])) return "invalid chunk extension value";
        } else if (!chars::isQdText(c)) {
          return "invalid chunk extension value";
        }
      }
      ++i;
    } else {
      const std::size_t valueLength = chars::spanOf(ext.substr(i), chars::kToken);
      if (valueLength == 0) return "invalid chunk extension value";
      i += valueLength;
    }
  }
  return nullptr;
}

}  // namespace

const char* parseChunkSizeLine(std::string_view line, std::uint64_t& size) noexcept {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    const std::uint8_t digit = chars::hexValue(line[i]);
    if (digit == chars::kNotHex) break;
    if (value > (std::numeric_limits<std::uint64_t>::max() >> 4)) return "chunk size overflows";
    value = (value << 4) | digit;
  }
  if (i == 0) return "chunk size is not hexadecimal";
  if (const char* reason = checkChunkExtensions(line.substr(i))) return reason;
  size = value;
  return nullptr;
}

ChunkedDecoder::ChunkedDecoder(MessageKind kind, const ChunkedLimits& limits)
    : codes_(errorCodesFor(kind)), limits_(limits) {
  limits_.maxSizeLineBytes = std::clamp<std::size_t>(limits_.maxSizeLineBytes, 1, kMaxSizeLineCap);
  limits_.maxTrailerBytes = std::clamp<std::size_t>(limits_.maxTrailerBytes, 2, kMaxTrailerCap);
  lineBuf_.reserve(limits_.maxSizeLineBytes + 2);
}

void ChunkedDecoder::reset() noexcept {
  state_ = State::kSizeLine;
  remaining_ = 0;
  bodyBytes_ = 0;
  trailerBytes_ = 0;
  trailerCount_ = 0;
  error_ = {};
  lineBuf_.clear();
}

ChunkedResult ChunkedDecoder::decode(std::string_view input) {
  return run(input, true);
}

ChunkedResult ChunkedDecoder::frame(std::string_view input) {
  return run(input, false);
}

ChunkedResult ChunkedDecoder::fail(core::ErrorCode code, const char* reason) noexcept {
  state_ = State::kError;
  error_ = {code, reason};
  lineBuf_.clear();
  return {ParseStatus::kError, 0, {}, error_};
}

// Collects the line starting at input[pos], whose beginning may already sit
// in lineBuf_ from earlier inputs. kDone: `line` is the line without CRLF
// (viewing `input` or lineBuf_; the caller clears lineBuf_ after use).
// kNeedMore: the rest of the input went to lineBuf_. kError: recorded.
// REQUIRES: pos < input.size().
ParseStatus ChunkedDecoder::takeLine(std::string_view input, std::size_t& pos,
                                     std::size_t maxContent, core::ErrorCode tooLongCode,
                                     const char* tooLongReason, std::string_view& line) {
  const std::size_t allowed = maxContent + 2 - lineBuf_.size();  // CRLF included
  const std::size_t available = input.size() - pos;
  const char* begin = input.data() + pos;
  const void* found = std::memchr(begin, '\n', std::min(allowed, available));
  if (found == nullptr) {
    if (available >= allowed) {
      fail(tooLongCode, tooLongReason);
      return ParseStatus::kError;
    }
    lineBuf_.append(begin, available);
    pos = input.size();
    return ParseStatus::kNeedMore;
  }
  const auto length = static_cast<std::size_t>(static_cast<const char*>(found) - begin);
  pos += length + 1;
  std::string_view full(begin, length);
  if (!lineBuf_.empty()) {
    lineBuf_.append(begin, length);
    full = lineBuf_;
  }
  if (full.empty() || full.back() != '\r') {
    fail(codes_.malformed, "bare LF");
    return ParseStatus::kError;
  }
  line = full.substr(0, full.size() - 1);
  return ParseStatus::kDone;
}

ChunkedResult ChunkedDecoder::run(std::string_view input, bool decoding) {
  const auto progress = [](std::size_t consumed) {
    return ChunkedResult{ParseStatus::kNeedMore, consumed, {}, {}};
  };
  std::size_t pos = 0;
  for (;;) {
    switch (state_) {
      case State::kSizeLine: {
        if (pos == input.size()) return progress(pos);
        std::string_view line;
        const ParseStatus status = takeLine(input, pos, limits_.maxSizeLineBytes, codes_.malformed,
                                            "chunk size line too long", line);
        if (status == ParseStatus::kNeedMore) return progress(pos);
        if (status == ParseStatus::kError) return {ParseStatus::kError, 0, {}, error_};
        std::uint64_t size = 0;
        const char* reason = parseChunkSizeLine(line, size);
        lineBuf_.clear();
        if (reason != nullptr) return fail(codes_.malformed, reason);
        if (size > limits_.maxBodyBytes - bodyBytes_) {
          return fail(codes_.payloadTooLarge, "chunked body over the limit");
        }
        if (size == 0) {
          state_ = State::kTrailerLine;
        } else {
          remaining_ = size;
          state_ = State::kData;
        }
        break;
      }
      case State::kData: {
        if (pos == input.size()) return progress(pos);
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - pos));
        remaining_ -= n;
        bodyBytes_ += n;
        if (remaining_ == 0) state_ = State::kDataCr;
        if (decoding) {
          ChunkedResult result = progress(pos + n);
          result.data = input.substr(pos, n);
          return result;
        }
        pos += n;
        break;
      }
      case State::kDataCr:
        if (pos == input.size()) return progress(pos);
        if (input[pos] != '\r') return fail(codes_.malformed, "missing CRLF after chunk data");
        ++pos;
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (pos == input.size()) return progress(pos);
        if (input[pos] != '\n') return fail(codes_.malformed, "missing CRLF after chunk data");
        ++pos;
        state_ = State::kSizeLine;
        break;
      case State::kTrailerLine: {
        if (pos == input.size()) return progress(pos);
        const std::size_t budget = limits_.maxTrailerBytes - trailerBytes_;
        if (budget < 2) return fail(codes_.headTooLarge, "trailer section too large");
        std::string_view line;
        const ParseStatus status = takeLine(input, pos, budget - 2, codes_.headTooLarge,
                                            "trailer section too large", line);
        if (status == ParseStatus::kNeedMore) return progress(pos);
        if (status == ParseStatus::kError) return {ParseStatus::kError, 0, {}, error_};
        trailerBytes_ += line.size() + 2;
        if (line.empty()) {
          lineBuf_.clear();
          state_ = State::kDone;
          return {ParseStatus::kDone, pos, {}, {}};
        }
        if (trailerCount_ >= limits_.maxTrailerCount) {
          return fail(codes_.headTooLarge, "too many trailer fields");
        }
        FieldLine field;
        const char* reason = parseFieldLine(line, field);
        lineBuf_.clear();
        if (reason != nullptr) return fail(codes_.malformed, reason);
        ++trailerCount_;
        break;
      }
      case State::kDone:
        return {ParseStatus::kDone, 0, {}, {}};
      case State::kError:
        return {ParseStatus::kError, 0, {}, error_};
    }
  }
}

}  // namespace ballast::proxy::http1
