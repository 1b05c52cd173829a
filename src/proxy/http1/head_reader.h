#pragma once
// The line engine shared by RequestParser and ResponseParser. It finds the
// CRLF-terminated lines of a message head in a contiguous buffer, validates
// the header field lines (field_line.h, one pass per line), enforces the
// head-size and header-count limits, and folds each field into FieldFacts.
//
// Incremental: each call resumes at the first line not yet complete, and
// looks again at the bytes of that line only once a byte that may end it has
// come, so feeding a head byte by byte costs O(head) in total, not
// O(head^2), and every error shows exactly as in a one-shot parse. Positions
// are kept as offsets, so the caller may move or grow the buffer between
// calls.
//
// Internal to http1/. One per parser; not thread-safe.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "proxy/http1/framing.h"
#include "proxy/http1/message.h"

namespace ballast::proxy::http1::detail {

class HeadReader {
 public:
  enum class Phase : std::uint8_t { kStartLine, kFields, kDone, kError };

  HeadReader(MessageKind kind, const HeadLimits& limits);

  // Forgets the message in progress, keeping the vectors' capacity.
  void reset() noexcept;

  // Called at the start of every parse(): starts a new message when the last
  // one is done (or the buffer is shorter than what was already scanned).
  // Returns false when the reader holds an error: see error().
  bool begin(std::string_view buffer) noexcept;

  Phase phase() const noexcept { return phase_; }
  ParseResult error() const noexcept { return {ParseStatus::kError, 0, error_}; }
  const ErrorCodes& codes() const noexcept { return codes_; }
  std::uint64_t maxBodyBytes() const noexcept { return maxBodyBytes_; }

  // The next complete line (without its CRLF) in `line`, returning kDone;
  // or kNeedMore; or kError (bare LF, head too large).
  ParseResult nextLine(std::string_view buffer, std::string_view& line) noexcept;

  // After the start line was parsed by the caller.
  void startLineParsed() noexcept { phase_ = Phase::kFields; }

  // Reads field lines through the empty line that ends the head. kDone's
  // `consumed` is the length of the head.
  ParseResult readFields(std::string_view buffer);

  // Records an error: this and every later call return it until reset().
  ParseResult fail(core::ErrorCode code, const char* reason) noexcept;

  const FieldFacts& facts() const noexcept { return facts_; }

  // Views of the header fields into `buffer`.
  // REQUIRES: phase() == kDone, `buffer` is the buffer of the last call.
  std::span<const Header> headers(std::string_view buffer);

 private:
  // The current line goes on past the bytes at hand: kNeedMore, or kError
  // when the head cannot fit.
  ParseResult needMore(std::size_t bufferSize) noexcept;

  struct RawField {
    Slice name;
    Slice value;
  };

  MessageKind kind_;
  ErrorCodes codes_;
  std::size_t maxHeadBytes_;
  std::size_t maxHeaderCount_;
  std::uint64_t maxBodyBytes_;

  Phase phase_ = Phase::kStartLine;
  std::size_t lineStart_ = 0;  // offset of the first byte of the line being read
  // How far the current line is known good: the start line has no LF in
  // [lineStart_, scanPos_); a field line is valid up to scanPos_ and stays
  // incomplete while the bytes from scanPos_ on are token bytes (name) or
  // field-value bytes (value, resumeInValue_).
  std::size_t scanPos_ = 0;
  bool resumeInValue_ = false;
  ParseError error_;
  FieldFacts facts_;
  std::vector<RawField> fields_;
  std::vector<Header> headers_;
};

}  // namespace ballast::proxy::http1::detail
